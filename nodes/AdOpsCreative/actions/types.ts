import type OpenAI from 'openai';
import type { OpenAiSettings } from '../../common/openai';
import type { Store } from '../../shared/store';

/** What every AdOps Creative operation receives from the router (its own file, so operations and router do not import each other). */
export interface CreativeContext {
	store: Store;
	openai: OpenAI;
	settings: OpenAiSettings;
}

import type { ICredentialDataDecryptedObject } from 'n8n-workflow';
import type { MetaCommentSettings } from '../../common/meta';
import type { ApprovalQueue } from '../../shared/approvals';
import type { OpenAIModerationDeps } from '../../shared/moderation/openai';
import type { Store } from '../../shared/store';

/** What every AdOps Moderation operation receives from the router (its own file, so operations and router do not import each other). */
export interface ModerationContext {
	store: Store;
	meta: MetaCommentSettings;
	/** The AdOps Meta Ads credential's values (account time zones). */
	metaCredential: ICredentialDataDecryptedObject;
	/** The LLM path when an AdOps OpenAI credential is selected; offline otherwise. */
	llm?: OpenAIModerationDeps;
	chatModel?: string;
	/** Proposals go straight to the approval queue when an AdOps Notion credential is selected. */
	queue?: ApprovalQueue;
}

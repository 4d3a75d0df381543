import type { SharedLimits } from '../../shared/resilience/shared-limits';
import type { PlatformSettings } from '../../shared/platforms/factory';
import type { PlatformId } from '../../shared/platforms/registry';
import type { Store } from '../../shared/store';

/** What every AdOps Conversions operation gets from the router (its own file, so operations and router do not import each other). */
export interface ConversionsContext {
	/** The AdOps Store, open for the whole execution (released by the router). */
	store: Store;
	/**
	 * The settings of the platform's credential selected on the node (an OAuth2 access token renewed
	 * through n8n first, as AdOps Ingest and Optimizer do), or undefined when the node has none for that
	 * platform. Read on demand: Attribute Conversions and First-Party Metrics never ask.
	 */
	platformSettings(platform: PlatformId): Promise<PlatformSettings | undefined>;
	/** The AdOps Store credential's Shared Limits, for platform clients (undefined: none configured). */
	limits(): Promise<SharedLimits | undefined>;
}

import type { ControlledPlatformId } from '../../common/platforms';
import type { PlatformAdapter } from '../../shared/platforms/types';
import type { Store } from '../../shared/store';

/** What every AdOps Optimizer operation receives from the router (its own file, so operations and router do not import each other). */
export interface OptimizerContext {
	store: Store;
	adapters: Partial<Record<ControlledPlatformId, PlatformAdapter>>;
	/** Account ids listed in each selected credential. */
	credentialAccounts: Partial<Record<ControlledPlatformId, string[]>>;
}

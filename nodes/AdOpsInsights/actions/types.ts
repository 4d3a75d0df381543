import type { SlackDelivery } from '../../shared/insights/deliver';
import type { Store } from '../../shared/store';

export type { SlackDelivery } from '../../shared/insights/deliver';

/** What every AdOps Insights operation gets from the router (its own file, so operations and router do not import each other). */
export interface InsightsContext {
	store: Store;
	/** Set when an AdOps Slack credential is selected: alerts are posted with their charts by this node. */
	slack?: SlackDelivery;
}

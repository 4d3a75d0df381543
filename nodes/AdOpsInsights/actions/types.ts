import type { WebClient } from '@slack/web-api';
import type { Store } from '../../shared/store';

/** Where this node posts alerts with their charts: an AdOps Slack credential's client and channel. */
export interface SlackDelivery {
	client: WebClient;
	channel: string;
}

/** What every AdOps Insights operation gets from the router (its own file, so operations and router do not import each other). */
export interface InsightsContext {
	store: Store;
	/** Set when an AdOps Slack credential is selected: alerts are posted with their charts by this node. */
	slack?: SlackDelivery;
}

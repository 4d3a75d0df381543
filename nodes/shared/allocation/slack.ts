/**
 * Plan Budget's Slack message: the plan's charts (allocation/chart.ts) with
 * its first lines, at most once per plan id through the action ledger
 * (insights/deliver.ts's postWithCharts, key `alloc.slack:<planId>`; lost and
 * late answers and a run killed between the steps are settled there by
 * reading the channel). No n8n imports: AdOps Optimizer's Plan Budget calls it.
 *
 * A plan is posted when it proposes something. A rerun while its proposals
 * wait (`pending`) proposes nothing, and without more its post would never be
 * settled: a post whose answer was lost (unknown), that failed, or whose run
 * died between the steps stays so while the plan waits for the very people it
 * was meant to show. So a pending rerun of the same plan (same id: same week,
 * scope, objective and budgets) settles that plan's own post with the alert
 * the ledger recorded (its exact text): found in the channel, nothing is
 * posted; not there, it is posted once. A plan already known posted is not
 * touched. A waiting plan of another id (the data changed since) is left to
 * its own ledger entry: its charts are not this run's.
 */
import { alertSchema, type Alert } from '../alerts/message';
import { postWithCharts, type Delivery, type PostOptions, type SlackDelivery } from '../insights/deliver';
import type { Store } from '../store/types';
import { planCharts } from './chart';
import type { BudgetPlanOutcome } from './propose';

type Made = Extract<BudgetPlanOutcome, { status: 'planned' | 'pending' }>;

/** The ledger key of a plan's Slack post. */
export const planSlackKey = (planId: string): string => `alloc.slack:${planId}`;

/** The plan's message: its title, the first two lines, up to twelve more as items. */
export function planAlert(outcome: Made): Alert {
	const lines = outcome.text;
	return { kind: 'summary', title: `Budget plan ${outcome.week} for ${outcome.scope}`, message: lines.slice(0, 2).join('\n'), items: lines.slice(2, 14), footer: 'AdOps Optimizer · Plan Budget · each change waits for approval' };
}

/** Whether this outcome has a Slack message to post or settle (the node needs a channel only then). */
export function planWantsSlack(outcome: BudgetPlanOutcome): boolean {
	return outcome.status === 'pending' || (outcome.status === 'planned' && outcome.proposals.length > 0);
}

/** Posts the plan once, or settles the waiting plan's own post; undefined when there is nothing to post. See the module doc. */
export async function deliverBudgetPlan(store: Store, slack: SlackDelivery, outcome: BudgetPlanOutcome, options: PostOptions = {}): Promise<Delivery | undefined> {
	if (!planWantsSlack(outcome) || outcome.status === 'refused') return undefined;
	const key = planSlackKey(outcome.planId);
	let alert: Alert;
	if (outcome.status === 'planned') {
		alert = planAlert(outcome);
	} else {
		const [entry] = await store.select('action_ledger', { where: { idempotency_key: key } });
		if (!entry) return undefined;
		if (entry.status === 'succeeded') return { status: 'already_posted', ledger: 'succeeded' };
		const recorded = alertSchema.safeParse((entry.intent as { alert?: unknown } | null)?.alert);
		if (!recorded.success) return { status: 'unknown', error: `the plan's earlier post is ${entry.status} and its ledger entry does not record the message, so it cannot be matched in the channel; nothing was posted` };
		alert = recorded.data;
	}
	const outcomeLabel = outcome.plan.outcome === 'conversions' ? 'conversions' : `revenue (${outcome.plan.currency})`;
	const charts = planCharts(outcome.campaigns, outcome.models, `Budget plan ${outcome.week}: ${outcome.scope}`, outcomeLabel);
	return postWithCharts(store, slack, key, alert, charts, options);
}

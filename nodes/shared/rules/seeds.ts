/**
 * Seed rules that mirror common practice, as data (the lead turns them into
 * `supabase/seed.sql` through `ruleToRow`). Money thresholds are in the
 * metric rows' currency, so every seed is scoped to currencies of similar
 * magnitude; copy a seed with other thresholds for JPY, INR and the like.
 *
 * Priorities: lower wins. The stop-loss (5) beats the CPA pause (10), both
 * beat the pause on abusive comments (20) and scaling (50); notifications
 * (90) never conflict with changes.
 *
 * The comment rule reads the moderation run's signal (`ad_comment_signals`)
 * and is seeded disabled: it only means something where the AdOps
 * Moderation node runs, and since anyone can write comments, its pause
 * always waits for a person (a pile-on must not pause a campaign by itself).
 */
import type { RuleInput } from './model';

/** Currencies whose unit is worth roughly one US dollar. */
export const SEED_CURRENCIES = ['USD', 'EUR', 'GBP', 'CHF', 'CAD', 'AUD', 'NZD', 'SGD'] as const;

export const SEED_RULES: readonly RuleInput[] = Object.freeze([
	{
		id: 'stop-loss-today',
		name: 'Stop-loss: spend today without a conversion',
		description:
			'Pause a campaign that has spent 200 or more today without a single conversion. Needs intraday rows for today (an hourly ingest of the current day); with daily ingest only it never fires.',
		priority: 5,
		scope: { currencies: [...SEED_CURRENCIES] },
		conditions: {
			all: [
				{ metric: 'spend', window: 'today', op: '>=', value: 200 },
				{ metric: 'conversions', window: 'today', op: '<=', value: 0 },
			],
		},
		action: { type: 'pause' },
		gates: { minData: { spend: 200, window: 'today' } },
	},
	{
		id: 'pause-high-cpa',
		name: 'Pause on high CPA with enough spend',
		description:
			'Pause a campaign out of its learning period whose CPA over the last 7 days is above 50, or that has no conversion at all, once it has spent at least 150 and had 100 clicks in those 7 days.',
		priority: 10,
		scope: { currencies: [...SEED_CURRENCIES] },
		conditions: { all: [{ metric: 'cpa', window: 'last_7_days', op: '>', value: 50, ifUndefined: 'match' }] },
		action: { type: 'pause' },
		gates: { minData: { spend: 150, clicks: 100, window: 'last_7_days' }, minEntityAgeDays: 7 },
	},
	{
		id: 'pause-abusive-comments',
		name: 'Pause when abusive comments pass 20% (approval)',
		description:
			'Propose pausing a Meta campaign when more than 20% of the comments under its ads over the last 7 days were abusive (harassment or hate), once those days had at least 30 comments (spam and scams not counted). Needs the AdOps Moderation node with the ad account time zone; disabled until you enable it.',
		priority: 20,
		enabled: false,
		scope: { platforms: ['meta'] },
		conditions: {
			all: [
				{ metric: 'abusive_comment_share', window: 'last_7_days', op: '>', value: 0.2 },
				{ metric: 'comments', window: 'last_7_days', op: '>=', value: 30 },
			],
		},
		action: { type: 'pause' },
		requireApproval: true,
	},
	{
		id: 'scale-winners',
		name: 'Scale winners by up to 20%',
		description:
			'Raise the daily budget by 20% (never more) for a campaign with ROAS 3 or better and at least 10 conversions over the last 7 days, whose CPA did not rise more than 10% against the 7 days before. Weekdays 08:00-18:00 account time, at most every 72 h.',
		priority: 50,
		scope: { currencies: [...SEED_CURRENCIES] },
		conditions: {
			all: [
				{ metric: 'roas', window: 'last_7_days', op: '>=', value: 3 },
				{ metric: 'conversions', window: 'last_7_days', op: '>=', value: 10 },
				{ metric: 'cpa', window: 'last_7_days', compareTo: 'previous_window', op: '<=', value: 10 },
			],
		},
		action: { type: 'scale_budget', percent: 20 },
		gates: {
			maxChangePct: 20,
			cooldownHours: 72,
			minEntityAgeDays: 7,
			minData: { spend: 300, conversions: 10, window: 'last_7_days' },
			schedule: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '08:00', to: '18:00' }],
		},
	},
	{
		id: 'notify-cpa-spike',
		name: 'Notify: CPA up more than 50% against the previous 3 days',
		description: 'Tell the channel when the CPA of the last 3 days is more than 50% above the 3 days before, with at least 50 spent.',
		priority: 90,
		scope: { currencies: [...SEED_CURRENCIES] },
		conditions: {
			all: [
				{ metric: 'cpa', window: 'last_3_days', compareTo: 'previous_window', op: '>', value: 50 },
				{ metric: 'spend', window: 'last_3_days', op: '>=', value: 50 },
			],
		},
		action: { type: 'notify', message: 'CPA spiked: check creatives, audiences and tracking' },
	},
]);

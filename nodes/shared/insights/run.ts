/**
 * The AdOps Insights node's three operations over the store (no n8n imports):
 *
 *   - `detectAnomalies`: scanStore over campaign_performance, every anomaly
 *     upserted into `anomalies` (natural key platform, account, campaign,
 *     metric, day; a rerun rewrites the same row and keeps its alert state),
 *     and alerting.ts's decision per anomaly (once per episode, again only
 *     when |score| grew by the worsening factor);
 *   - `paceBudgets`: month-to-date spend per plan (budget_plans, or one plan
 *     given as a parameter for a scope) through pacing.ts;
 *   - `forecastMetric`: a metric of a scope for the next days (scope.ts).
 *
 * The alerts are built here in words (alerts/message.ts's Alert), with the
 * chart each one carries (charts/from-insights.ts).
 */
import type { Alert } from '../alerts/message';
import { anomalyChartOption } from '../charts/insights';
import { renderChart, type RenderedChart } from '../charts/render';
import { currencyExponent } from '../platforms/currency';
import { isPlatformId, PLATFORM_IDS } from '../platforms/registry';
import type { ActionLedgerEntry, Store } from '../store/types';
import { alertKey, ANOMALY_ALERT_KIND, decideAlerts, episodeKey, groupAlerts, groupMembers, type AlertDecision, type GroupMember, type SentAlert } from './alerting';
import type { Json } from '../schema/rows';
import { postWithCharts, settleOpenPost, type Delivery, type PostOptions, type SlackDelivery } from './deliver';
import { dayNumber, dayString, daysInMonth, isDay, monthOf } from './days';
import { DEFAULT_ALPHA, PATTERN_LABELS, type Anomaly, type ScanOptions, type TimeZoneChange } from './detect';
import { pace, type PacingResult } from './pacing';
import { paceRule, type PaceRule } from './pace-proposal';
import { forecastScope, scopeLabel, type Scope, type ScopeForecast } from './scope';
import { scanStore, type StoreScanOptions, type StoreScanResult } from './scan-store';
import { buildSeries, entityLabel, INSIGHT_METRICS, METRIC_LABELS, MONEY_METRICS, type PerformanceColumns } from './series';

type InsightStore = Pick<Store, 'select' | 'selectColumnar' | 'upsert' | 'update' | 'resolveAction'>;

// ---------------------------------------------------------------------------
// words
// ---------------------------------------------------------------------------

/** Money to the currency's minor unit (cents; whole yen) with its code; counts and other numbers to 2 decimals (4 below 1). */
export function formatAmount(v: number, currency?: string | null): string {
	if (currency) {
		const digits = currencyExponent(currency) ?? 2;
		return `${v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })} ${currency}`;
	}
	return v.toLocaleString('en-US', { maximumFractionDigits: Math.abs(v) >= 1 ? 2 : 4 });
}

function metricValue(a: Pick<Anomaly, 'metric' | 'currency'>, v: number): string {
	if (a.metric === 'ctr') return `${(v * 100).toLocaleString('en-US', { maximumFractionDigits: 2 })} %`;
	if (a.metric === 'roas') return `${v.toLocaleString('en-US', { maximumFractionDigits: 2 })}×`;
	return formatAmount(v, MONEY_METRICS.has(a.metric) ? a.currency : null);
}

/** What moved, to what, against what: one anomaly in a sentence, with how it changed. */
function anomalySentence(a: Anomaly): string {
	const what = METRIC_LABELS[a.metric];
	const moved = a.direction === 'spike' ? 'spiked' : 'dropped';
	const pct = a.expected !== 0 ? Math.round(((a.actual - a.expected) / Math.abs(a.expected)) * 100) : null;
	const change = pct === null ? 'from nothing' : `${pct > 0 ? '+' : ''}${pct} % against expected`;
	return `${what[0]!.toUpperCase()}${what.slice(1)} ${moved} to ${metricValue(a, a.actual)} on ${a.date}, against an expected ${metricValue(a, a.expected)} (normal range ${metricValue(a, a.lower)} to ${metricValue(a, a.upper)}; ${change}).`;
}

/** The anomaly's headline: its pattern's name, or the metric and direction. */
function anomalyWhat(a: Anomaly): string {
	const what = a.pattern ? PATTERN_LABELS[a.pattern].split(':')[0]! : `${METRIC_LABELS[a.metric]} ${a.direction}`;
	return what.charAt(0).toUpperCase() + what.slice(1);
}

/** An anomaly as an alert for people: numbers in words, no JSON. */
export function anomalyAlert(a: Anomaly, decision: Extract<AlertDecision, { alert: true }>): Alert {
	const lines = [anomalySentence(a), `Robust score ${a.score.toFixed(1)} (median/MAD of the deseasonalised remainder), on a volume of ${formatAmount(a.volume, a.metric === 'spend' || a.metric === 'revenue' ? a.currency : null)}.`];
	if (a.episodeStart !== a.date) lines.push(`Anomalous since ${a.episodeStart}.`);
	if (decision.reason === 'worse' && decision.previous !== null) lines.push(`Worse than when first reported (score ${decision.previous.toFixed(1)} then).`);
	return {
		kind: a.pattern ? 'failure' : 'info',
		label: 'Anomaly',
		title: `${anomalyWhat(a)} on ${entityLabel(a)}`,
		message: lines.join(' '),
		fields: [
			{ label: 'Day', value: a.date },
			{ label: 'Actual', value: metricValue(a, a.actual) },
			{ label: 'Expected', value: `${metricValue(a, a.expected)} (${metricValue(a, a.lower)} to ${metricValue(a, a.upper)})` },
			{ label: 'Score', value: a.score.toFixed(1) },
		],
		...(a.pattern ? { items: [PATTERN_LABELS[a.pattern]] } : {}),
		footer: 'AdOps Insights · Detect Anomalies',
	};
}

/** Charts a group's message carries: its strongest members' (the rest are in its words). */
export const GROUP_CHARTS = 3;

/**
 * The anomalies of one entity and day as one alert (members in lead order,
 * alerting.ts's groupAlerts): one member is anomalyAlert; several are one
 * message with a sentence each, the lead's name in the title.
 */
export function anomalyGroupAlert(members: ReadonlyArray<{ anomaly: Anomaly; decision: AlertDecision }>): Alert {
	const lead = members[0]!;
	if (!lead.decision.alert) throw new Error('anomalyGroupAlert: the lead member does not alert');
	if (members.length === 1) return anomalyAlert(lead.anomaly, lead.decision);
	const a = lead.anomaly;
	const lines = members.map(({ anomaly: m, decision }) => {
		const parts = [anomalySentence(m), `Score ${m.score.toFixed(1)}.`];
		if (m.episodeStart !== m.date) parts.push(`Anomalous since ${m.episodeStart}.`);
		if (decision.alert && decision.reason === 'worse' && decision.previous !== null) parts.push(`Worse than when first reported (score ${decision.previous.toFixed(1)} then).`);
		return `• ${parts.join(' ')}`;
	});
	const charted = Math.min(GROUP_CHARTS, members.length);
	lines.push(`${members.length} metrics left their normal range on ${a.date}; ${charted === members.length ? 'each is' : `the ${charted} strongest are`} charted below. Scores are the median/MAD robust z of the deseasonalised remainder.`);
	const patterns = [...new Set(members.map((m) => m.anomaly.pattern).filter((p): p is NonNullable<Anomaly['pattern']> => p !== null))];
	return {
		kind: patterns.length > 0 ? 'failure' : 'info',
		label: 'Anomaly',
		title: `${anomalyWhat(a)} and ${members.length - 1} more on ${entityLabel(a)}`,
		message: lines.join('\n'),
		fields: [
			{ label: 'Day', value: a.date },
			{ label: 'Metrics', value: members.map((m) => `${METRIC_LABELS[m.anomaly.metric]} ${m.anomaly.direction}`).join(', ') },
			{ label: 'Strongest score', value: a.score.toFixed(1) },
		],
		...(patterns.length > 0 ? { items: patterns.map((p) => PATTERN_LABELS[p]) } : {}),
		footer: 'AdOps Insights · Detect Anomalies',
	};
}

export function pacingAlert(p: PacingResult, label: string, currency: string | null): Alert {
	const words = p.status === 'under' ? 'under-pacing' : 'over-pacing';
	return {
		kind: 'info',
		label: 'Pacing',
		title: `${label} is ${words} for ${p.month}`,
		message: p.summary,
		fields: [
			{ label: 'Spent so far', value: formatAmount(p.spentToDate, currency) },
			{ label: 'Plan', value: formatAmount(p.plan, currency) },
			{ label: 'Forecast month end', value: `${formatAmount(p.forecastMonthSpend.mean, currency)} (${formatAmount(p.forecastMonthSpend.lower, currency)} to ${formatAmount(p.forecastMonthSpend.upper, currency)})` },
			{ label: 'Daily budget to land on plan', value: formatAmount(p.recommendedDailyBudget, currency) },
		],
		footer: 'AdOps Insights · Pace Budgets',
	};
}

// ---------------------------------------------------------------------------
// Detect Anomalies
// ---------------------------------------------------------------------------

export interface DetectedAnomaly {
	anomaly: Anomaly;
	decision: AlertDecision;
	/** Ledger / AdOps Alert idempotency key of the message this anomaly is in (its entity and day's group), or of its own episode when it does not alert. */
	alertKey: string;
	/** The group's alert, on its lead member only (the others are in the same message); null otherwise. */
	alert: Alert | null;
	/** The group key when the anomaly alerts (same as alertKey), else null. */
	group: string | null;
}

/** One message: the alerting anomalies of one entity and day, the lead first. */
export interface AnomalyGroup {
	key: string;
	members: DetectedAnomaly[];
	alert: Alert;
}

export interface DetectRunResult {
	scan: StoreScanResult;
	anomalies: DetectedAnomaly[];
	groups: AnomalyGroup[];
	stored: number;
	/** Earlier posts whose answer was lost (or whose run stopped) settled before this run alerted, in words. */
	settled: string[];
}

const num = (v: unknown): number => (typeof v === 'number' ? v : Number(v));
const dateText = (v: unknown): string => (v instanceof Date ? v.toISOString().slice(0, 10) : String(v).slice(0, 10));

const METHODS: ReadonlyArray<NonNullable<ScanOptions['method']>> = ['stl', 'weekday'];

/** A day the caller gave (End Date, As Of, Week Ending): YYYY-MM-DD and a real calendar day, or a clear error. */
function checkDay(value: string | undefined, label: string): void {
	if (value === undefined) return;
	if (!isDay(value)) throw new InsightsInputError(`${label} must be a day YYYY-MM-DD, got "${value}"`);
}

/**
 * Time-zone changes as people write them, comma or line separated:
 * `platform:account:YYYY-MM-DD` (the first day reported in the new zone;
 * account ids may hold colons, as LinkedIn's URNs do). Refused in words.
 */
export function parseTimeZoneChanges(text: string): TimeZoneChange[] {
	const out: TimeZoneChange[] = [];
	for (const raw of text.split(/[,\n]/)) {
		const entry = raw.trim();
		if (!entry) continue;
		const first = entry.indexOf(':');
		const last = entry.lastIndexOf(':');
		const platform = entry.slice(0, first).trim();
		const accountId = entry.slice(first + 1, last).trim();
		const date = entry.slice(last + 1).trim();
		if (first < 0 || last <= first || !platform || !accountId) throw new InsightsInputError(`Time Zone Changes: "${entry}" is not platform:account:YYYY-MM-DD`);
		// an unknown platform ("facebook") would match no stored series: the change silently not applied
		if (!isPlatformId(platform)) throw new InsightsInputError(`Time Zone Changes: "${platform}" in "${entry}" is not a platform (${PLATFORM_IDS.join(', ')})`);
		checkDay(date, `Time Zone Changes (${platform}:${accountId})`);
		out.push({ platform, accountId, date });
	}
	return out;
}

export interface DetectOptions extends StoreScanOptions {
	worsening?: number;
	/** Where the node posts the groups (deliver.ts): open posts of earlier runs are settled against it first. */
	slack?: SlackDelivery;
	postOptions?: PostOptions;
}

export async function detectAnomalies(store: InsightStore, options: DetectOptions = {}): Promise<DetectRunResult> {
	checkDay(options.end, 'End Date');
	if (options.method !== undefined && !METHODS.includes(options.method)) throw new InsightsInputError(`Method must be one of ${METHODS.join(', ')}, got "${String(options.method)}"`);
	const unknown = (options.metrics ?? []).filter((m) => !(INSIGHT_METRICS as readonly string[]).includes(m));
	if (unknown.length > 0) throw new InsightsInputError(`Metrics must be among ${INSIGHT_METRICS.join(', ')}; unknown: ${unknown.map((m) => `"${String(m)}"`).join(', ')}`);
	const scan = await scanStore(store, options);
	if (scan.anomalies.length === 0) return { scan, anomalies: [], groups: [], stored: 0, settled: [] };
	const from = scan.anomalies.reduce((m, a) => (a.episodeStart < m ? a.episodeStart : m), scan.anomalies[0]!.episodeStart);
	// open posts first: what they settle is in the rows read next (alerted_score, alerted_at)
	const open = await settleOpenAnomalyPosts(store, options.slack, options.postOptions);
	const where: Record<string, unknown> = { date: { gte: from } };
	if (options.platform) where.platform = options.platform;
	const existing = await store.select('anomalies', { where } as never);
	const byKey = new Map<string, (typeof existing)[number]>();
	const sent: SentAlert[] = [];
	for (const r of existing) {
		const row = r as unknown as Record<string, unknown>;
		const date = dateText(row.date);
		byKey.set(`${row.platform}|${row.account_id}|${row.campaign_id}|${row.metric}|${date}`, r);
		if (row.alerted_score !== null && row.alerted_score !== undefined) {
			sent.push({ platform: String(row.platform), accountId: String(row.account_id), campaignId: row.campaign_id ? String(row.campaign_id) : null, metric: String(row.metric), episodeStart: dateText(row.episode_start), score: num(row.alerted_score) });
		}
	}
	const decided = decideAlerts(scan.anomalies, sent, options.worsening, open.held);
	const rows = decided.map(({ anomaly: a }) => {
		const prev = byKey.get(`${a.platform}|${a.accountId}|${a.campaignId ?? ''}|${a.metric}|${a.date}`) as unknown as Record<string, unknown> | undefined;
		return {
			platform: a.platform,
			account_id: a.accountId,
			campaign_id: a.campaignId ?? '',
			campaign_name: a.campaignName,
			metric: a.metric,
			date: a.date,
			episode_start: a.episodeStart,
			direction: a.direction,
			pattern: a.pattern,
			actual: a.actual,
			expected: a.expected,
			lower_bound: a.lower,
			upper_bound: a.upper,
			score: a.score,
			volume: Math.max(0, a.volume),
			currency: a.currency,
			method: options.method ?? 'stl',
			alpha: options.alpha ?? DEFAULT_ALPHA,
			last_days: a.lastDays,
			alerted_score: prev?.alerted_score === null || prev?.alerted_score === undefined ? null : num(prev.alerted_score),
			alerted_at: prev?.alerted_at ? new Date(prev.alerted_at as string).toISOString() : null,
			alert_ts: (prev?.alert_ts as string | null | undefined) ?? null,
		};
	});
	await store.upsert('anomalies', rows as never);
	const out: DetectedAnomaly[] = decided.map(({ anomaly, decision }) => ({ anomaly, decision, alertKey: alertKey(anomaly), alert: null, group: null }));
	const groups: AnomalyGroup[] = groupAlerts(out).map(({ key, members }) => {
		for (const m of members) {
			m.alertKey = key;
			m.group = key;
		}
		const alert = anomalyGroupAlert(members);
		members[0]!.alert = alert;
		return { key, members, alert };
	});
	return { scan, stored: rows.length, anomalies: out, groups, settled: open.words };
}

/**
 * Before a scan alerts: every open anomaly post (ledger kind
 * ANOMALY_ALERT_KIND, `unknown` or claimed by a run that stopped; and the
 * per-anomaly posts of versions before the grouping, kind `insights.alert`)
 * is settled by reading the channel (deliver.ts's settleOpenPost). Found: its
 * members count as alerted at the scores it was sent at (and are marked so
 * in `anomalies`). Not there: nothing was posted, its members alert again in
 * this run's groups. Unreadable, or still being posted by another run: its
 * members' episodes are held (nothing is posted on a guess). Without Slack
 * nothing is open (the alerts go to AdOps Alert, whose ledger keeps them).
 */
export async function settleOpenAnomalyPosts(store: InsightStore, slack: SlackDelivery | undefined, postOptions: PostOptions = {}): Promise<{ posted: GroupMember[]; held: Map<string, string>; words: string[] }> {
	const posted: GroupMember[] = [];
	const held = new Map<string, string>();
	const words: string[] = [];
	if (!slack) return { posted, held, words };
	const entries = await store.select('action_ledger', { where: { kind: { in: [ANOMALY_ALERT_KIND, 'insights.alert'] }, status: { in: ['unknown', 'claimed'] } } } as never);
	for (const entry of entries as unknown as ActionLedgerEntry[]) {
		const members = openPostMembers(entry);
		if (members.length === 0) continue;
		const key = entry.idempotency_key;
		const settled = await settleOpenPost(store, slack, key, entry, null, postOptions);
		const what = members.map((m) => `${m.metric} of ${m.campaignId ? `campaign ${m.campaignId}` : `account ${m.accountId}`} on ${m.date}`).join(', ');
		if (settled.state === 'found') {
			for (const m of members) await markAlertedAt(store, m, Math.abs(m.score), settled.fileId);
			posted.push(...members);
			words.push(`${what}: an earlier post's answer was lost; found in Slack (message ${settled.ts}), not posted again`);
		} else if (settled.state === 'not_posted') {
			words.push(`${what}: an earlier post's answer was lost; not in the channel, so it is posted now`);
		} else {
			const why = settled.state === 'busy' ? `another run is posting it (${entry.claimed_by ?? 'unknown holder'})` : settled.error;
			for (const m of members) held.set(episodeKey({ ...m, metric: m.metric as Anomaly['metric'] }), why);
			words.push(`${what}: held: ${why}`);
		}
	}
	return { posted, held, words };
}

/** The anomalies an open ledger entry posted: its recorded members, or (a per-anomaly post of an older version) the one its key names, at its recorded score. */
function openPostMembers(entry: ActionLedgerEntry): GroupMember[] {
	const intent = (entry.intent ?? {}) as { members?: unknown; alert?: { fields?: Array<{ label: string; value: string }> } };
	if (entry.kind === ANOMALY_ALERT_KIND) return Array.isArray(intent.members) ? (intent.members as GroupMember[]) : [];
	const m = /^insights\.alert:([^|]+)\|(.+)\|([^|]*)\|([a-z_]+)\|(\d{4}-\d{2}-\d{2})\|(\d{4}-\d{2}-\d{2})$/.exec(entry.idempotency_key);
	if (!m || !(INSIGHT_METRICS as readonly string[]).includes(m[4]!)) return [];
	const score = Number(intent.alert?.fields?.find((f) => f.label === 'Score')?.value);
	return [{ platform: m[1]!, accountId: m[2]!, campaignId: m[3] ? m[3] : null, metric: m[4]!, episodeStart: m[5]!, date: m[6]!, score: Number.isFinite(score) ? Math.abs(score) : 0 }];
}

/**
 * Posts each group as one Slack message with the charts of its first
 * GROUP_CHARTS members (deliver.ts's postWithCharts under the group's key,
 * the members in the ledger entry), and records the members alerted once
 * posted or found posted. Without Slack each group counts as handed on (its
 * lead item carries the alert for AdOps Alert). Returns each group's delivery.
 */
export async function deliverAnomalyGroups(
	store: Store,
	slack: SlackDelivery | undefined,
	groups: readonly AnomalyGroup[],
	chartOf: (d: DetectedAnomaly) => { chart: RenderedChart; filename: string },
	postOptions: PostOptions = {},
): Promise<Map<string, Delivery>> {
	const deliveries = new Map<string, Delivery>();
	for (const g of groups) {
		if (!slack) {
			await recordGroupAlert(store, g);
			continue;
		}
		const delivery = await postWithCharts(store, slack, g.key, g.alert, g.members.slice(0, GROUP_CHARTS).map(chartOf), { ...postOptions, kind: ANOMALY_ALERT_KIND, extra: { members: groupMembers(g.members) as unknown as Json } });
		deliveries.set(g.key, delivery);
		await recordGroupAlert(store, g, delivery);
	}
	return deliveries;
}

/** A group's message went its way: handed to AdOps Alert (no delivery) or posted / found posted in Slack. Each member counts as alerted at its score. */
export async function recordGroupAlert(store: InsightStore, group: Pick<AnomalyGroup, 'members'>, delivery?: { status: string; fileId?: string }): Promise<void> {
	if (delivery && delivery.status !== 'posted' && delivery.status !== 'already_posted') return;
	for (const m of group.members) await markAlerted(store, m.anomaly, delivery?.fileId ?? null);
}

/** Records that an anomaly's alert was sent (or handed to AdOps Alert) at its score. */
export async function markAlerted(store: InsightStore, a: Anomaly, ref: string | null, at = new Date()): Promise<void> {
	await markAlertedAt(store, a, Math.abs(a.score), ref, at);
}

async function markAlertedAt(store: InsightStore, a: Pick<GroupMember, 'platform' | 'accountId' | 'campaignId' | 'metric' | 'date'>, score: number, ref: string | null, at = new Date()): Promise<void> {
	await store.update('anomalies', { platform: a.platform, account_id: a.accountId, campaign_id: a.campaignId ?? '', metric: a.metric, date: a.date } as never, { alerted_score: score, alerted_at: at.toISOString(), alert_ts: ref } as never);
}

// ---------------------------------------------------------------------------
// Pace Budgets
// ---------------------------------------------------------------------------

export interface PlanInput extends Scope {
	amount: number;
	currency?: string | null;
	source: 'budget_plans' | 'parameter' | 'platform';
}

export interface PacingRun {
	plan: PlanInput;
	label: string;
	currency: string | null;
	result: PacingResult;
	/** Cumulative spend per elapsed day of the month (the chart's line). */
	cumulative: number[];
	alert: Alert | null;
	alertKey: string;
	/** With `proposeBudgets`: the optimizer rule of an off-pace campaign plan (pace-proposal.ts), else null; `proposalNote` says why. */
	rule: PaceRule | null;
	proposalNote: string | null;
}

export interface PaceOptions extends Scope {
	/** YYYY-MM (default: the month of `asOf`). */
	month?: string;
	/** Last complete day (default: the latest day in the store). */
	asOf?: string;
	/** One plan for the scope instead of budget_plans. */
	monthlyBudget?: number;
	/** The month's plans from the caller (platform-plans.ts: the platforms' own budgets) instead of budget_plans, with what could not be planned. */
	plansFor?: (month: string) => Promise<{ plans: PlanInput[]; problems: string[] }>;
	band?: { early?: number; end?: number };
	/** Off-pace campaign plans become optimizer rules for the approval loop (default false). */
	proposeBudgets?: boolean;
}

export class InsightsInputError extends Error {}

async function latestDate(store: InsightStore, scope: Scope): Promise<string | null> {
	const where: Record<string, unknown> = {};
	if (scope.platform) where.platform = scope.platform;
	if (scope.accountId) where.account_id = scope.accountId;
	const r = (await store.selectColumnar('campaign_performance', ['date'] as never, { where, order: { column: 'date', ascending: false }, limit: 1 } as never)) as unknown as { length: number; columns: { date: unknown[] } };
	return r.length > 0 ? dateText(r.columns.date[0]) : null;
}

export async function paceBudgets(store: InsightStore, options: PaceOptions = {}): Promise<{ asOf: string | null; month: string | null; pacing: PacingRun[]; problems: string[] }> {
	checkDay(options.asOf, 'As Of');
	// a month that is no calendar month ("2026-13") would pace another month or fail in the store's date parsing
	if (options.month !== undefined && !(/^\d{4}-\d{2}$/.test(options.month) && Number(options.month.slice(5)) >= 1 && Number(options.month.slice(5)) <= 12)) throw new InsightsInputError(`Month must be YYYY-MM (month 01 to 12), got "${options.month}"`);
	const asOf = options.asOf ?? (await latestDate(store, options));
	if (!asOf) return { asOf: null, month: null, pacing: [], problems: ['no performance stored yet: run AdOps Ingest first'] };
	const month = options.month ?? monthOf(asOf).slice(0, 7);
	const first = `${month}-01`;
	const lastOfMonth = dayString(dayNumber(first) + daysInMonth(month) - 1);
	const end = asOf < lastOfMonth ? asOf : lastOfMonth;
	let plans: PlanInput[];
	const given = options.plansFor ? await options.plansFor(month) : null;
	if (given) {
		plans = given.plans.filter((p) => (!options.platform || p.platform === options.platform) && (!options.accountId || p.accountId === options.accountId) && (!options.campaignId || p.campaignId === options.campaignId));
	} else if (options.monthlyBudget !== undefined) {
		if (!(options.monthlyBudget > 0)) throw new InsightsInputError(`Monthly Budget must be a positive amount, got ${options.monthlyBudget}`);
		plans = [{ platform: options.platform, accountId: options.accountId, campaignId: options.campaignId, amount: options.monthlyBudget, source: 'parameter' }];
	} else {
		const where: Record<string, unknown> = { month: first };
		if (options.platform) where.platform = options.platform;
		if (options.accountId) where.account_id = options.accountId;
		if (options.campaignId) where.campaign_id = options.campaignId;
		const rows = (await store.select('budget_plans', { where } as never)) as unknown as Array<Record<string, unknown>>;
		plans = rows.map((r) => ({ platform: String(r.platform), accountId: String(r.account_id), ...(r.campaign_id ? { campaignId: String(r.campaign_id) } : {}), amount: num(r.amount), currency: String(r.currency), source: 'budget_plans' as const }));
	}
	const problems: string[] = [...(given?.problems ?? [])];
	if (plans.length === 0) problems.push(`no budget plan for ${month}${options.accountId ? ` on account ${options.accountId}` : ''}: add rows to budget_plans or set Monthly Budget`);
	// one read: the month so far and eight weeks before it, for every plan's scope
	const from = dayString(dayNumber(first) - 56);
	const where: Record<string, unknown> = { date: { gte: from, lte: end } };
	if (options.platform) where.platform = options.platform;
	const accountIds = [...new Set(plans.map((p) => p.accountId).filter((x): x is string => !!x))];
	if (plans.every((p) => p.accountId) && accountIds.length > 0) where.account_id = { in: accountIds };
	const cols = (await store.selectColumnar('campaign_performance', ['date', 'platform', 'account_id', 'campaign_id', 'campaign_name', 'currency', 'spend', 'conversions'] as never, { where } as never)) as unknown as { length: number; columns: Record<string, unknown[]> };
	const pacing: PacingRun[] = [];
	for (const plan of plans) {
		const perDay = new Map<string, { spend: number; conversions: number }>();
		const currencies = new Set<string>();
		let name: string | null = null;
		for (let i = 0; i < cols.length; i++) {
			if (plan.platform && cols.columns.platform![i] !== plan.platform) continue;
			if (plan.accountId && cols.columns.account_id![i] !== plan.accountId) continue;
			if (plan.campaignId && cols.columns.campaign_id![i] !== plan.campaignId) continue;
			const d = dateText(cols.columns.date![i]);
			const day = perDay.get(d) ?? { spend: 0, conversions: 0 };
			day.spend += num(cols.columns.spend![i]) || 0;
			day.conversions += num(cols.columns.conversions![i]) || 0;
			perDay.set(d, day);
			if (cols.columns.currency![i]) currencies.add(String(cols.columns.currency![i]));
			if (plan.campaignId && cols.columns.campaign_name![i]) name = String(cols.columns.campaign_name![i]);
		}
		const label = plan.campaignId
			? entityLabel({ platform: plan.platform ?? 'every platform', accountId: plan.accountId ?? '', campaignId: plan.campaignId, campaignName: name })
			: plan.accountId
				? entityLabel({ platform: plan.platform ?? '', accountId: plan.accountId, campaignId: null, campaignName: null }).trim()
				: scopeLabel(plan);
		if (currencies.size > 1) {
			problems.push(`${label} mixes currencies (${[...currencies].sort().join(', ')}): pace one currency at a time`);
			continue;
		}
		const currency = plan.currency ?? [...currencies][0] ?? null;
		if (plan.currency && currencies.size === 1 && !currencies.has(plan.currency)) {
			problems.push(`${label}: the plan is in ${plan.currency} but the account reports in ${[...currencies][0]}; not paced`);
			continue;
		}
		const daily = [...perDay.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([date, v]) => ({ date, spend: v.spend, conversions: v.conversions }));
		if (daily.length < 14) {
			problems.push(`${label}: not enough history to forecast (${daily.length} of 14 days)`);
			continue;
		}
		const result = pace({ month, asOf: end, daily, plan: plan.amount, ...(options.band ? { band: options.band } : {}) });
		const cumulative: number[] = [];
		let sum = 0;
		for (let d = dayNumber(first); d <= dayNumber(end); d++) {
			sum += perDay.get(dayString(d))?.spend ?? 0;
			cumulative.push(sum);
		}
		const key = `insights.pacing:${plan.platform ?? ''}|${plan.accountId ?? ''}|${plan.campaignId ?? ''}|${month}|${end}`;
		const proposal = options.proposeBudgets ? paceRule(plan, result, label, currency) : null;
		pacing.push({ plan, label, currency, result, cumulative, alert: result.status === 'on_track' ? null : pacingAlert(result, label, currency), alertKey: key, rule: proposal?.rule ?? null, proposalNote: proposal?.note ?? null });
	}
	return { asOf: end, month, pacing, problems };
}

// ---------------------------------------------------------------------------
// Forecast
// ---------------------------------------------------------------------------

export const FORECAST_METRICS = ['spend', 'impressions', 'clicks', 'conversions', 'revenue'] as const;
export type ForecastMetric = (typeof FORECAST_METRICS)[number];

export async function forecastMetric(store: InsightStore, scope: Scope, metric: ForecastMetric, horizon: number, options: { historyDays?: number; level?: number; end?: string } = {}): Promise<ScopeForecast & { end: string }> {
	if (!FORECAST_METRICS.includes(metric)) throw new InsightsInputError(`Metric must be one of ${FORECAST_METRICS.join(', ')}, got "${metric}"`);
	checkDay(options.end, 'End Date');
	const end = options.end ?? (await latestDate(store, scope));
	if (!end) throw new InsightsInputError(`no performance stored for ${scopeLabel(scope)}: run AdOps Ingest first`);
	const historyDays = options.historyDays ?? 182;
	const where: Record<string, unknown> = { date: { gte: dayString(dayNumber(end) - historyDays + 1), lte: end } };
	if (scope.platform) where.platform = scope.platform;
	if (scope.accountId) where.account_id = scope.accountId;
	if (scope.campaignId) where.campaign_id = scope.campaignId;
	const cols = await store.selectColumnar('campaign_performance', ['date', 'platform', 'account_id', 'campaign_id', 'campaign_name', 'currency', 'spend', 'impressions', 'clicks', 'conversions', 'revenue'] as never, { where } as never);
	const series = buildSeries(cols as unknown as PerformanceColumns, { end, historyDays, accounts: false });
	return { ...forecastScope(series, scope, metric, horizon, options.level ? { level: options.level } : {}), end };
}

// ---------------------------------------------------------------------------
// Weekly Digest
// ---------------------------------------------------------------------------

export interface DigestSeries {
	platform: string;
	currency: string;
	/** The last 14 days: spend, and the same weekday a week earlier as "expected". */
	days: Array<{ date: string; value: number | null; expected: number | null }>;
	thisWeek: number;
	lastWeek: number;
	/** Days of this week with a stored anomaly on the platform. */
	anomalyDays: string[];
}

export interface WeeklyDigest {
	end: string;
	from: string;
	anomalies: number;
	byPattern: Record<string, number>;
	topAnomalies: string[];
	pacing: Array<{ label: string; status: string; summary: string }>;
	movers: string[];
	series: DigestSeries[];
	alert: Alert;
	alertKey: string;
}

/**
 * The week ending `end` (default: the latest stored day) in one message: the
 * anomalies stored for it, pacing per plan, the five campaigns whose spend
 * moved most against the week before, and one spend series per platform and
 * currency (this week against the same weekdays of last week) for its chart.
 */
export async function weeklyDigest(store: InsightStore, options: { end?: string; platform?: string } = {}): Promise<WeeklyDigest | null> {
	checkDay(options.end, 'Week Ending');
	const end = options.end ?? (await latestDate(store, options));
	if (!end) return null;
	const endDay = dayNumber(end);
	const from = dayString(endDay - 6);
	const where: Record<string, unknown> = { date: { gte: dayString(endDay - 13), lte: end } };
	if (options.platform) where.platform = options.platform;
	const cols = (await store.selectColumnar('campaign_performance', ['date', 'platform', 'account_id', 'campaign_id', 'campaign_name', 'currency', 'spend'] as never, { where } as never)) as unknown as { length: number; columns: Record<string, unknown[]> };
	const perSeries = new Map<string, Float64Array>();
	const perCampaign = new Map<string, { platform: string; accountId: string; campaignId: string; campaignName: string | null; currency: string; week: number; before: number }>();
	for (let i = 0; i < cols.length; i++) {
		const platform = String(cols.columns.platform![i]);
		const currency = String(cols.columns.currency![i] ?? '');
		const t = dayNumber(dateText(cols.columns.date![i])) - (endDay - 13);
		const spend = num(cols.columns.spend![i]) || 0;
		const key = `${platform}|${currency}`;
		const arr = perSeries.get(key) ?? new Float64Array(14);
		arr[t] += spend;
		perSeries.set(key, arr);
		const ck = `${platform}|${cols.columns.account_id![i]}|${cols.columns.campaign_id![i]}`;
		const c = perCampaign.get(ck) ?? { platform, accountId: String(cols.columns.account_id![i]), campaignId: String(cols.columns.campaign_id![i]), campaignName: (cols.columns.campaign_name![i] as string | null) ?? null, currency, week: 0, before: 0 };
		if (t >= 7) c.week += spend;
		else c.before += spend;
		perCampaign.set(ck, c);
	}
	const stored = (await store.select('anomalies', { where: { date: { gte: from, lte: end }, ...(options.platform ? { platform: options.platform } : {}) } } as never)) as unknown as Array<Record<string, unknown>>;
	const byPattern: Record<string, number> = {};
	for (const r of stored) {
		const k = r.pattern ? String(r.pattern) : `${r.metric} ${r.direction}`;
		byPattern[k] = (byPattern[k] ?? 0) + 1;
	}
	const topAnomalies = [...stored]
		.sort((a, b) => Math.abs(num(b.score)) - Math.abs(num(a.score)))
		.slice(0, 8)
		.map((r) => {
			const a = { platform: String(r.platform), accountId: String(r.account_id), campaignId: r.campaign_id ? String(r.campaign_id) : null, campaignName: (r.campaign_name as string | null) ?? null, metric: r.metric as Anomaly['metric'], currency: (r.currency as string | null) ?? null };
			return `${dateText(r.date)} ${entityLabel(a)}: ${METRIC_LABELS[a.metric]} ${r.direction === 'spike' ? 'spiked' : 'dropped'} to ${metricValue(a, num(r.actual))} (expected ${metricValue(a, num(r.expected))})${r.pattern ? `, ${String(r.pattern).replace(/_/g, ' ')}` : ''}`;
		});
	const movers = [...perCampaign.values()]
		.filter((c) => c.week + c.before > 0)
		.sort((a, b) => Math.abs(b.week - b.before) - Math.abs(a.week - a.before))
		.slice(0, 5)
		.map((c) => `${entityLabel(c)}: spend ${formatAmount(c.week, c.currency)} this week, ${c.before > 0 ? `${c.week >= c.before ? '+' : ''}${Math.round(((c.week - c.before) / c.before) * 100)} %` : 'new'} on the week before (${formatAmount(c.before, c.currency)})`);
	const paced = await paceBudgets(store, { asOf: end, ...(options.platform ? { platform: options.platform } : {}) });
	const pacing = paced.pacing.map((p) => ({ label: p.label, status: p.result.status, summary: `${p.label}: ${p.result.summary}` }));
	const anomalyDaysOf = (platform: string) => [...new Set(stored.filter((r) => r.platform === platform).map((r) => dateText(r.date)))].sort();
	const series: DigestSeries[] = [...perSeries.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([key, arr]) => {
		const [platform, currency] = key.split('|') as [string, string];
		const days = Array.from({ length: 7 }, (_, i) => ({ date: dayString(endDay - 6 + i), value: arr[7 + i]!, expected: arr[i]! }));
		return { platform, currency, days: [...Array.from({ length: 7 }, (_, i) => ({ date: dayString(endDay - 13 + i), value: arr[i]!, expected: null })), ...days], thisWeek: days.reduce((s, d) => s + d.value, 0), lastWeek: days.reduce((s, d) => s + d.expected, 0), anomalyDays: anomalyDaysOf(platform) };
	});
	const off = pacing.filter((p) => p.status !== 'on_track').length;
	const spendLines = series.map((s) => `${s.platform} spend ${formatAmount(s.thisWeek, s.currency)} (${s.lastWeek > 0 ? `${s.thisWeek >= s.lastWeek ? '+' : ''}${Math.round(((s.thisWeek - s.lastWeek) / s.lastWeek) * 100)} %` : 'new'} on the week before)`);
	const alert: Alert = {
		kind: 'summary',
		label: 'Weekly digest',
		title: `Week ${from} to ${end}: ${stored.length} anomal${stored.length === 1 ? 'y' : 'ies'}, ${off} of ${pacing.length} plan${pacing.length === 1 ? '' : 's'} off pace`,
		message: [
			spendLines.length ? `Spend: ${spendLines.join('; ')}.` : 'No spend stored this week.',
			stored.length ? `Anomalies: ${Object.entries(byPattern).map(([k, n]) => `${n} ${k.replace(/_/g, ' ')}`).join(', ')}.` : 'No anomalies this week.',
			pacing.length ? `Pacing: ${pacing.map((p) => `${p.label} ${p.status.replace('_', ' ')}`).join('; ')}.` : 'No budget plans for this month.',
		].join('\n'),
		items: [...topAnomalies.map((t) => `Anomaly: ${t}`), ...movers.map((m) => `Mover: ${m}`)],
		footer: 'AdOps Insights · Weekly Digest (one chart per platform: this week against the same weekdays of last week)',
	};
	return { end, from, anomalies: stored.length, byPattern, topAnomalies, pacing, movers, series, alert, alertKey: `insights.digest:${options.platform ?? ''}|${end}` };
}

/** A platform's chart of the digest: this week's daily spend, last week's same weekdays dashed, anomaly days marked. */
export function digestChart(s: DigestSeries, from: string, end: string): RenderedChart {
	const change = s.lastWeek > 0 ? `${s.thisWeek >= s.lastWeek ? '+' : ''}${Math.round(((s.thisWeek - s.lastWeek) / s.lastWeek) * 100)} % on the week before` : 'no spend the week before';
	return renderChart(anomalyChartOption({ title: `${s.platform} spend, ${from} to ${end}`, subtitle: `${formatAmount(s.thisWeek, s.currency)} (${change}); dashed: the same weekday a week earlier`, days: s.days, anomalies: s.anomalyDays, unit: s.currency }));
}

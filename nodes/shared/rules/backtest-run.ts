/**
 * A backtest over the store (what AdOps Optimizer's *Backtest* operation
 * runs): the same reads as a run (readRunInputs: rules, every campaign's state
 * from its platform, `campaign_performance` and, when a rule uses a comment
 * metric, `ad_comment_signals`, and the changes confirmed before the first
 * step), then `backtest` day by day. Nothing is written and nothing changes
 * on any platform.
 *
 * The campaigns start the backtest as they are now (status, daily budget):
 * the platforms do not report past budgets, and the changes the optimizer
 * made are replayed from the backtest's own decisions, not from history.
 */
import { backtest, type BacktestReport } from './backtest';
import { readRunInputs, entityOf, splitSettings, type OptimizerDeps, type OptimizerInput, type RunInputs } from './run';
import { buildMetricIndex } from './metrics';
import { RuleValidationError } from './model';

export interface BacktestRunInput extends Pick<OptimizerInput, 'rules' | 'useStoredRules' | 'accounts' | 'settings'> {
	/** First and last step date, `YYYY-MM-DD` (UTC). */
	from: string;
	to: string;
	/** Time of day of each step, `HH:MM` UTC (default 06:00). */
	at?: string;
	/** Hours between steps (default 24). */
	everyHours?: number;
	/** Apply proposals as if approved at once (default false). */
	approveProposals?: boolean;
	/** Also list gated decisions as events (default true). */
	includeGated?: boolean;
}

export interface BacktestRunResult {
	report: BacktestReport;
	accounts: RunInputs['accounts'];
	warnings: string[];
	stats: { ruleRows: number; metricRows: number; signalRows: number | null; actionRows: number; metricsFrom: string | null; readMs: number; backtestMs: number };
}

/** Runs a backtest over the stored history; throws RuleValidationError for invalid rules, settings or dates. */
export async function runBacktest(input: BacktestRunInput, deps: Pick<OptimizerDeps, 'store' | 'adapters' | 'signal'>): Promise<BacktestRunResult> {
	const at = input.at ?? '06:00';
	const first = Date.parse(`${input.from}T${at}:00.000Z`);
	if (!/^\d{4}-\d{2}-\d{2}$/.test(input.from) || !Number.isFinite(first)) throw new RuleValidationError('backtest', [{ path: 'from', message: 'must be a date YYYY-MM-DD' }]);
	const { evaluation } = splitSettings(input.settings);
	const settings = { ...evaluation, now: new Date(first).toISOString() };
	const warnings: string[] = [];
	const t0 = performance.now();
	const read = await readRunInputs(input, settings, deps, warnings, { actionsBefore: new Date(first).toISOString(), insightsUntil: input.to });
	const readMs = performance.now() - t0;
	const t1 = performance.now();
	const report = backtest({
		rules: read.ruleInputs,
		// campaigns, and the ads of the rules on ad level (their status as read now)
		entities: [...[...read.states.values()].map(entityOf), ...read.ads],
		// anomaly metrics replay the stored anomalies by their day; pacing_ratio and forecast_month_spend are as of the first day
		metrics: buildMetricIndex(read.metrics, read.signals).withInsights(read.insights, read.attribution, read.firstParty),
		actions: read.history,
		settings: evaluation,
		from: input.from,
		to: input.to,
		at,
		...(input.everyHours !== undefined ? { everyHours: input.everyHours } : {}),
		approveProposals: input.approveProposals ?? false,
		includeGated: input.includeGated ?? true,
	});
	const backtestMs = performance.now() - t1;
	for (const s of report.skippedEntities) warnings.push(`a campaign was not replayed: ${s.reason}`);
	return {
		report,
		accounts: read.accounts,
		warnings,
		stats: { ruleRows: read.stored.rows, metricRows: read.metrics.length, signalRows: read.signals ? read.signals.length : null, actionRows: read.actionRows, metricsFrom: read.req.metricsFrom, readMs, backtestMs },
	};
}

/**
 * Rule-gated optimization core: the rule model, metric windows over one batch
 * of `campaign_performance` rows (and `ad_comment_signals` rows), gates, deterministic evaluation with
 * conflict resolution, proposals for the approval queue, the backtest, seed
 * rules and the store row mappings. Pure: data in, decisions (with reasons)
 * out; no n8n, no store, no network, no clock. Decisions: README.md here.
 */
export * from './model';
export { DAY_MS, HOUR_MS, dayNumber, dayString, isValidTimeZone, localClock, type LocalClock } from './time';
export {
	MetricIndex,
	buildMetricIndex,
	windowSums,
	metricValue,
	derivedValue,
	commentShare,
	accountAverage,
	entityKey,
	accountKey,
	EMPTY_SUMS,
	type MetricRowInput,
	type MetricColumns,
	type CommentSignalRowInput,
	type CommentSignalColumns,
	type CommentSeries,
	type MetricSums,
	type WindowSums,
	type AccountWindow,
	type Series,
	type RejectedRow,
} from './metrics';
export { globMatch, nameMatches, scopeMiss, MAX_NAME_LENGTH, type ScopeTarget } from './scope';
export * from './gates';
export * from './evaluate';
export * from './backtest';
export { SEED_RULES, SEED_CURRENCIES } from './seeds';
export { ruleToRow, ruleFromRow, ruleInputFromRow, actionDetails, decisionToActionRow, actionRecordFromRow, optimizationPayloadSchema, type OptimizationPayload } from './rows';

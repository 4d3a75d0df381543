/**
 * Ingest core: platform rows → validated, normalized, idempotently loaded
 * `campaign_performance` rows, quarantine, ingest runs and the data quality
 * report. Plain TypeScript over the Store interface; no n8n imports.
 * Design decisions: DECISIONS.md in this folder.
 */
export { canonicalAccountId } from './accounts';
export { derivedMetrics, type DerivedMetrics, type MetricInputs } from './metrics';
export { computeWindow, dayIn, addDays, daysBetween, isValidTimeZone, type IngestWindow, type WindowInput } from './dates';
export { FxTable, convertMoney, roundMoney, type FxChoice, type FxLookup, type FxQuote } from './fx';
export { metricRowSchema, validateMetricRow, type ValidationContext, type ValidationResult, type ValidMetricRow } from './validate';
export { prepareRows, normalizeRow, naturalKey, type PerformanceRow, type PreparedBatch, type PrepareOptions, type QuarantinedRow } from './normalize';
export { toJsonSafe, canonicalJson, quarantineHash, quarantinePayload } from './quarantine';
export {
	runIngest,
	runIngestAll,
	quarantineRows,
	storedWarnings,
	lastLoadedEnd,
	errorText,
	IngestConfigError,
	QUARANTINE_SOURCE,
	type RunIngestOptions,
	type RunIngestAllOptions,
	type IngestAccount,
	type IngestDefaults,
	type IngestOutcome,
	type IngestStatus,
	type IngestErrorInfo,
} from './run';
export { storedAdId, variantResults, type VariantResults } from './variant-ads';
export { runAdIngest, adIdentity, adKey, lastAdDay, AD_QUARANTINE_SOURCE, type RunAdIngestOptions, type AdPerformanceRow } from './ads';
export {
	qualityReport,
	qualityLevel,
	overallScore,
	reportScope,
	SEVERITY_WEIGHT,
	type QualityReport,
	type QualityCheck,
	type QualityLevel,
	type QualityOptions,
	type CheckName,
	type Severity,
} from './quality';

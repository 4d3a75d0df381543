/**
 * Derived metrics of a daily performance row: defined once in the metrics
 * module (nodes/shared/metrics), re-exported here for the ingest core.
 */
export { derivedMetrics, type DerivedMetrics, type MetricInputs } from '../metrics';

/** AdOps Insights core: anomalies, pacing and forecasts over stored daily series (no n8n imports). */
export * from './days';
export * from './stats';
export * from './decompose';
export * from './esd';
export * from './series';
export * from './detect';
export * from './forecast';
export * from './pacing';
export * from './scope';
export * from './alerting';
export * from './gate';
export * from './scan-store';
export * from './rule-metrics';
export * from './pace-proposal';
export * from './platform-plans';

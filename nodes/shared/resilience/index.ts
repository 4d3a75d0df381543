export * from './clock';
export * from './errors';
export * from './retry-after';
export * from './meta-usage';
export * from './rate-limiter';
export * from './breaker';
export * from './executor';
export * from './openai-errors';

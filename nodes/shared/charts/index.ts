export * from './render';
export * from './insights';
export * from './from-insights';

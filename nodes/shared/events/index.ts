/** First-party marketing events (issue 22): identity hashing, validation, storage, authentication of posts. */
export * from './rows';
export * from './identity';
export { eventInput, eventRow, safePayload, contentHash, type EventInput, type MarketingEventRow, type RowOptions } from './input';
export * from './ingest';
export * from './auth';
export * from './handler';

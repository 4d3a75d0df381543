/**
 * The approval loop's core: proposals, executors by kind, and the Notion
 * queue (enqueue, sync decisions, execute approved once, expire).
 */
export * from './proposal';
export * from './executors';
export * from './events';
export * from './card';
export { ApprovalQueue, ApprovalError, type ApprovalQueueOptions, type NotionQueueConfig, type SyncResult, type ExecuteOptions } from './queue';

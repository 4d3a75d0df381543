/**
 * The approval loop's core: proposals, executors by kind, and the Notion
 * queue (enqueue, sync decisions, execute approved once, expire), and
 * decisions from Slack buttons.
 */
export * from './proposal';
export * from './executors';
export * from './events';
export * from './card';
export { ApprovalQueue, ApprovalError, notionClient, resolveApprovalDataSource, verifyApprovalDataSource, type ApprovalErrorCode, type ApprovalQueueOptions, type NotionQueueConfig, type SyncResult, type ExecuteOptions, type SlackDecisionInput } from './queue';
export * from './slack';
export * from './alerting';
export * from './trigger';
export * from './webhook-executor';
export * from './settings';

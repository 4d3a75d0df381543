// What n8n's node panel shows for a node and its trigger. The panel merges a
// trigger into the node of the same name without "Trigger" (AdOps Approval
// Trigger into AdOps Approval) and shows the merged entry with the trigger's
// `description` (editor-ui nodeCreator useActionsGeneration.ts,
// generateMergedNodesAndActions: `app.description = trigger.description`).
// So each trigger's `description` is its node's, written once here, and the
// trigger's own words are its one Event option, which the panel lists inside
// the entry as the trigger's action (triggersCategory reads a property named
// "Event": option `action` and `description`).
import type { INodeProperties } from 'n8n-workflow';

export const APPROVAL_DESCRIPTION = 'Queue risky changes as Notion approval cards and execute approved ones exactly once';

export const MODERATION_DESCRIPTION = 'Classify comments on Facebook and Instagram ads and act within policy: hide spam and abuse, propose replies, escalate';

/** A trigger's one Event: how the panel names and describes the trigger inside its node's entry. */
export function triggerEvent(option: { name: string; value: string; action: string; description: string }): INodeProperties {
	return { displayName: 'Event', name: 'event', type: 'options', noDataExpression: true, default: option.value, options: [option], description: 'What starts the workflow' };
}

/**
 * The version fields of a node with one version that holds an OAuth2 (or
 * `authenticate`) credential. n8n 2.40.7 adds "Custom API Call" to such a
 * node's Operation list (load-nodes-and-credentials.ts,
 * injectCustomApiCallOptions) only where `defaultVersion` is undefined or
 * equals `version`; the version given as a list with its default is left
 * alone, and means the same to n8n otherwise. test/unit/canvas-custom-api-call.test.ts
 * runs n8n's own method on every AdOps node.
 */
export const ONE_VERSION: { version: number[]; defaultVersion: number } = { version: [1], defaultVersion: 1 };

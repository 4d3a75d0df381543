// Assertions the engine tests share: a node error naming its parameter and item, paired items, Slack messages.
import { expect } from 'vitest';
import type { INodeExecutionData } from 'n8n-workflow';
import type { Block } from '../../nodes/shared/alerts/message';
import { textsOf } from '../helpers/blocks';
import type { Sandbox } from '../../scripts/sandbox';
import type { Engine, EngineRun } from './harness';
import { unpairedItems } from './harness';

/** The run stopped at `node` with an error whose message matches `message`, for input item `itemIndex`. */
export function expectNodeError(run: EngineRun, node: string, message: RegExp, itemIndex: number): void {
	expect(run.status, `the run should fail at ${node}`).toBe('error');
	const task = run.tasks(node).at(-1);
	expect(task?.error?.message, `${node}'s error`).toMatch(message);
	expect(run.error?.message).toMatch(message);
	expect((run.error as { context?: { itemIndex?: number } } | undefined)?.context?.itemIndex, 'the item index of the error').toBe(itemIndex);
}

/** Every output item of every node of the run carries a pairedItem (none is dropped on any output). */
export function expectPaired(run: EngineRun): void {
	expect(unpairedItems(run)).toEqual([]);
}

/** The input item indexes the items point at. */
export function pairs(items: INodeExecutionData[]): number[] {
	return items.map((i) => {
		const p = Array.isArray(i.pairedItem) ? i.pairedItem[0] : i.pairedItem;
		return typeof p === 'number' ? p : (p?.item ?? -1);
	});
}

export const ALERTS = 'C0ADOPSALR';

export interface PostedMessage {
	ts: string;
	threadTs?: string;
	/** Every text a person sees: the fallback text and the blocks' texts. */
	text: string;
}

/** What the package posted to a Slack channel of the sandbox, as stored (through the API: not the workspace's own history). */
export function slackPosts(sandbox: Sandbox, channel = ALERTS) {
	const found = sandbox.world.slack.channels.find((c) => c.id === channel);
	if (!found) throw new Error(`no Slack channel ${channel} in the sandbox`);
	return found.messages.filter((m) => m.viaApi);
}

/** Messages the package posted (through the API) to a channel of the sandbox's Slack. */
export function slackMessages(engine: Engine, channel = ALERTS): PostedMessage[] {
	return slackPosts(engine.sandbox, channel).map((m) => ({ ts: m.ts, threadTs: m.threadTs, text: [m.text, ...((m.blocks ?? []) as Block[]).flatMap(textsOf)].join('\n') }));
}

export const json = (items: INodeExecutionData[]) => items.map((i) => i.json as Record<string, unknown>);

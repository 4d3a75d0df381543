// Issue 16: a marketing-ops person builds their own workflows from the node
// panel, in n8n 2.40.7's editor in Chromium. One n8n, one browser, the steps
// in the order a person takes them; a screenshot per step in
// test/browser/screenshots/.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { dismissModals, openWorkflow, setUpOwner, startEditor, type Editor } from './editor';

const NODES = ['AdOps Alert', 'AdOps Approval', 'AdOps Approval Trigger', 'AdOps Creative', 'AdOps Ingest', 'AdOps Moderation', 'AdOps Moderation Trigger', 'AdOps Optimizer'];
/** What a marketer types, and the node they expect to find. */
const WORDS: Array<[string, string]> = [
	['creative', 'AdOps Creative'],
	['ad copy', 'AdOps Creative'],
	['comments', 'AdOps Moderation'],
	['budget', 'AdOps Optimizer'],
	['rules', 'AdOps Optimizer'],
	['approval', 'AdOps Approval'],
	['Slack', 'AdOps Alert'],
	['report', 'AdOps Alert'],
];
/** Nodes the AI Agent can use as tools (every AdOps node but the triggers). */
const TOOLS = NODES.filter((n) => !n.endsWith('Trigger'));

let editor: Editor;
let page: Page;

async function openPanel(): Promise<void> {
	await page.keyboard.press('Escape');
	await page.locator('[data-test-id="node-creator-plus-button"]').click();
	await page.locator('[data-test-id="node-creator-search-bar"]').waitFor();
}

/** Names the node panel lists for a search. */
async function search(query: string): Promise<string[]> {
	const input = page.locator('[data-test-id="node-creator-search-bar"] input, input[data-test-id="node-creator-search-bar"]').first();
	await input.fill('');
	await input.fill(query);
	await page.waitForTimeout(400);
	return page.locator('[data-test-id="node-creator-item-name"]').allInnerTexts();
}

async function newWorkflow(): Promise<void> {
	await page.goto(`${editor.url}/workflow/new`);
	await page.locator('[data-test-id="canvas-wrapper"]').waitFor();
	await dismissModals(page);
}

describe('the canvas in Chromium', { timeout: 9 * 60_000 }, () => {
	before(async () => {
		editor = await startEditor();
		page = editor.page;
	});

	after(async () => {
		await editor?.close();
	});

	test('owner setup on a fresh n8n', async () => {
		await setUpOwner(page, editor.url);
		await editor.shot('01-owner-setup-done');
		assert.doesNotMatch(new URL(page.url()).pathname, /^\/setup/);
	});

	test('the node panel finds every AdOps node by its name and by the words a marketer types', async () => {
		await newWorkflow();
		await openPanel();
		const missing: string[] = [];
		for (const name of NODES) {
			const found = await search(name);
			// n8n shows a node and its trigger as one entry (its actions and its triggers inside), named after the node.
			const entry = name.replace(/ Trigger$/, '');
			if (!found.some((f) => f.trim() === entry)) missing.push(`"${name}" → [${found.join(', ')}]`);
		}
		const adops = await search('AdOps');
		await editor.shot('02-panel-adops');
		for (const [word, node] of WORDS) {
			const found = await search(word);
			if (word === 'creative') await editor.shot('03-panel-creative');
			if (!found.some((f) => f.trim() === node)) missing.push(`"${word}" → [${found.join(', ')}] (expected ${node})`);
		}
		assert.deepEqual(missing, [], `not found in the node panel:\n${missing.join('\n')}`);
		// Every action node comes up for "AdOps" (a node and its trigger may share one entry).
		for (const name of TOOLS) assert.ok(adops.some((f) => f.trim() === name), `"AdOps" lists ${name}: [${adops.join(', ')}]`);
	});

	test('every bundled workflow opens with zero node issues, no unknown nodes and no "undefined" on the canvas', async () => {
		const problems: string[] = [];
		for (const w of editor.workflows) {
			const nodes = await openWorkflow(page, editor.url, w.id);
			await editor.shot(`04-open-${w.file.replace('.json', '')}`);
			const count = await nodes.count();
			const expected = (w.workflow.nodes as Array<{ type: string }>).filter((n) => n.type !== 'n8n-nodes-base.stickyNote').length;
			if (count !== expected) problems.push(`${w.file}: ${count} nodes drawn, ${expected} in the file`);
			const issues = await page.locator('[data-test-id="canvas-node"] [data-test-id="node-issues"]').count();
			if (issues > 0) problems.push(`${w.file}: ${issues} node(s) with issues`);
			const text = await page.locator('[data-test-id="canvas-wrapper"]').innerText();
			if (/\bundefined\b/.test(text)) problems.push(`${w.file}: "undefined" on the canvas`);
			if (/Install this node|not currently installed|unknown node/i.test(text)) problems.push(`${w.file}: an unknown node`);
		}
		assert.deepEqual(problems, []);
	});

	test('"Execute workflow" on a bundled workflow runs its Run Now path', async () => {
		const demo = editor.workflows.find((w) => w.file === 'alert-demo.json')!;
		await openWorkflow(page, editor.url, demo.id);
		const before = editor.sandbox.requests({ route: 'slack.postMessage' }).length;
		await page.locator('[data-test-id="execute-workflow-button"]').click();
		await page.locator('[data-test-id="canvas-node-status-success"]').nth(2).waitFor({ timeout: 60_000 });
		await editor.shot('05-executed-alert-demo');
		assert.equal(editor.sandbox.requests({ route: 'slack.postMessage' }).length - before, 2, 'the demo posted a summary and a follow-up');
		const labels = await page.locator('[data-test-id="edge-label"]').allInnerTexts();
		assert.ok(labels.filter((l) => /\b1 item\b/.test(l)).length >= 2, `each edge carries one item: [${labels.join(' | ')}]`);

		const optimize = editor.workflows.find((w) => w.file === 'optimize.json')!;
		await openWorkflow(page, editor.url, optimize.id);
		await page.locator('[data-test-id="execute-workflow-button"]').click();
		// Execute fires the hourly schedule (or Run Now) at once: the run starts instead of waiting.
		await page.locator('[data-test-id="canvas-node-status-success"]').nth(1).waitFor({ timeout: 60_000 });
		await editor.shot('06-executed-optimize');
	});

	test('the AI Agent tool slot lists every AdOps action node', async () => {
		await newWorkflow();
		await openPanel();
		await search('AI Agent');
		await page.locator('[data-test-id="node-creator-item-name"]', { hasText: /^AI Agent$/ }).first().click();
		await page.waitForTimeout(800);
		await page.keyboard.press('Escape');
		await page.waitForTimeout(300);
		// The Tool input's plus below the agent.
		const toolPlus = page.locator('[data-test-id="canvas-handle-plus"]').last();
		await toolPlus.click();
		await page.locator('[data-test-id="node-creator-search-bar"]').waitFor();
		const tools = await search('AdOps');
		await editor.shot('07-agent-tools');
		const missing = TOOLS.filter((t) => !tools.some((f) => f.trim().startsWith(t)));
		assert.deepEqual(missing, [], `tool panel lists: [${tools.join(', ')}]`);
	});
});

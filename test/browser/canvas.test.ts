// Issue 16: a marketing-ops person builds their own workflows from the node
// panel, in n8n 2.40.7's editor in Chromium. One n8n (harness + sandbox), one
// browser, the steps in the order a person takes them; a screenshot per step in
// test/browser/screenshots/ (a failed step adds FAIL-<step>.png and .txt).
//
//   ADOPS_SKIP_INSTALL=1 scripts/node24 npm run test:browser
import { test, beforeAll, afterAll, describe } from 'vitest';
import assert from 'node:assert/strict';
import type { Locator, Page } from 'playwright-core';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, dismissModals, openWorkflow, setUpOwner, startEditor, type Editor } from './editor';
import { AGENT_WORKFLOW, n8nOpenAiCredential } from './agent-workflow';

/**
 * Every node the package declares (package.json's n8n.nodes): its display name (the first in its source), the name
 * a new node of it gets (its defaults.name: AdOps Run Now is "Run Now") and whether it is a trigger.
 */
const DECLARED: Array<{ name: string; defaultName: string; trigger: boolean }> = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { n8n: { nodes: string[] } }).n8n.nodes
	.map((file) => {
		const source = readFileSync(join(ROOT, file.replace(/^dist\//, '').replace(/\.js$/, '.ts')), 'utf8');
		const name = /displayName:\s*'([^']+)'/.exec(source)?.[1] ?? file;
		return { name, defaultName: /defaults:\s*\{\s*name:\s*'([^']+)'/.exec(source)?.[1] ?? name, trigger: /group:\s*\['trigger'\]/.test(source) };
	})
	.sort((a, b) => a.name.localeCompare(b.name));
const NODES: string[] = DECLARED.map((n) => n.name);
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
	['conversions', 'AdOps Conversions'],
	['attribution', 'AdOps Conversions'],
];
/** Nodes the AI Agent can use as tools (every AdOps node but the triggers: the two "… Trigger" and Run Now). */
const TOOLS = DECLARED.filter((n) => !n.trigger).map((n) => n.name);

/** The credential a slot must offer, by the service its label names (the sandbox's credentials, as n8n holds them). */
const SERVICES: Array<[RegExp, string]> = [
	[/\bstore\b/i, 'AdOps Store'],
	[/\bslack\b/i, 'AdOps Slack'],
	[/\bnotion\b/i, 'AdOps Notion'],
	[/\bopenai\b/i, 'AdOps OpenAI'],
	[/\bmeta\b/i, 'AdOps Meta Ads'],
	[/\blinkedin\b/i, 'AdOps LinkedIn Ads'],
	[/\bgoogle\b/i, 'AdOps Google Ads'],
	[/\bklaviyo\b/i, 'AdOps Klaviyo'],
	[/\btiktok\b/i, 'AdOps TikTok Ads'],
	[/\bevents\b/i, 'AdOps Events'],
];

/**
 * The row a person picks in a node's panel entry: an action by its words, or the node's own trigger (not its
 * actions, not n8n's suggested Schedule/Webhook); 'entry' for a node that is its one trigger (AdOps Run Now,
 * AdOps Events Trigger): the one row its entry shows. In n8n 2.40.7 a click on an installed (community) node's
 * entry never adds it: it opens the "Node details" view first (NodeCreator: isCommunityNode && no
 * communityNodeDetails yet → communityNodeDetails view), listing its actions and triggers or, with none (Run
 * Now), the node itself as the one row; a click on that row adds the node and opens its panel.
 */
type Pick = RegExp | { trigger: true; notActions: RegExp } | 'entry';

/**
 * A new node of each type as a person adds it: the panel entry, then the
 * action (or trigger) they pick, and the credentials its slots must offer for
 * that default set-up. Ingest is set up once per platform (see its test).
 */
const NEW_NODES: Array<{ name: string; entry: string; action: Pick; credentials: string[] }> = [
	{ name: 'AdOps Alert', entry: 'AdOps Alert', action: /post an alert/i, credentials: ['AdOps Slack', 'AdOps Store'] },
	{ name: 'AdOps Approval', entry: 'AdOps Approval', action: /queue proposals/i, credentials: ['AdOps Notion', 'AdOps Store'] },
	{ name: 'AdOps Approval Trigger', entry: 'AdOps Approval', action: { trigger: true, notActions: /queue proposals|execute approved|expire overdue|slack approve|emit new decisions|record the outcome|read decisions/i }, credentials: ['AdOps Notion', 'AdOps Store'] },
	{ name: 'AdOps Creative', entry: 'AdOps Creative', action: /generate ad copy/i, credentials: ['AdOps OpenAI', 'AdOps Store'] },
	{ name: 'AdOps Moderation', entry: 'AdOps Moderation', action: /classify and act/i, credentials: ['AdOps Meta Ads', 'AdOps Store'] },
	{ name: 'AdOps Moderation Trigger', entry: 'AdOps Moderation', action: { trigger: true, notActions: /classify and act|read new comments/i }, credentials: ['AdOps Meta Ads', 'AdOps Store'] },
	{ name: 'AdOps Optimizer', entry: 'AdOps Optimizer', action: /run the optimization rules/i, credentials: ['AdOps Store'] },
	{ name: 'AdOps Insights', entry: 'AdOps Insights', action: /detect anomalies/i, credentials: ['AdOps Store', 'AdOps Slack'] },
	{ name: 'AdOps Run Now', entry: 'AdOps Run Now', action: 'entry', credentials: [] },
	{ name: 'AdOps Events Trigger', entry: 'AdOps Events Trigger', action: 'entry', credentials: ['AdOps Events', 'AdOps Store'] },
	{ name: 'AdOps Conversions', entry: 'AdOps Conversions', action: /attribute conversions/i, credentials: ['AdOps Store'] },
];

let editor: Editor;
let page: Page;

const step = <T>(name: string, fn: () => Promise<T>, timeoutMs?: number): Promise<T> => editor.step(name, fn, timeoutMs);

const searchInput = (): Locator => page.locator('[data-test-id="node-creator-search-bar"] input, input[data-test-id="node-creator-search-bar"]').first();

async function openPanel(): Promise<void> {
	await page.locator('[data-test-id="node-creator-plus-button"]').click();
	await searchInput().waitFor();
}

const itemNames = async (): Promise<string[]> => (await page.locator('[data-test-id="node-creator-item-name"]').allInnerTexts()).map((n) => n.trim());

/** Polls `read` until `reads` reads 150 ms apart agree and `ready` holds, or `ms` pass; returns the last read. */
async function settled<T>(read: () => Promise<T>, ready: (v: T) => boolean, ms = 8_000, reads = 2): Promise<T> {
	const until = Date.now() + ms;
	let last = await read();
	let same = 1;
	for (;;) {
		await page.waitForTimeout(150);
		const now = await read();
		same = JSON.stringify(now) === JSON.stringify(last) ? same + 1 : 1;
		if (same >= reads && ready(now)) return now;
		if (Date.now() > until) return now;
		last = now;
	}
}

/**
 * Names the node panel lists for a search. The input is cleared first (the panel
 * shows its categories again), then the query typed; the results are read once
 * the list differs from the cleared one and has settled.
 */
async function search(query: string): Promise<string[]> {
	const input = searchInput();
	await input.fill('');
	// A panel just opened may still be drawing its categories: they must hold still for 450 ms, and so must the results.
	const cleared = await settled(itemNames, (names) => names.length > 0, 8_000, 4);
	await input.fill(query);
	// Any result list (an empty one too) differs from the categories the cleared panel shows.
	return settled(itemNames, (names) => JSON.stringify(names) !== JSON.stringify(cleared), 8_000, 4);
}

/**
 * An empty canvas again without loading the editor anew (about 10 s a page under load): every node of the open
 * workflow selected and deleted, as a person clears a canvas; a new workflow when that does not empty it.
 */
async function emptyCanvas(): Promise<void> {
	const nodes = page.locator('[data-test-id="canvas-node"]');
	if (await page.locator('[data-test-id="canvas-wrapper"]').isVisible().catch(() => false)) {
		await page.keyboard.press('ControlOrMeta+a');
		await page.keyboard.press('Delete');
		if (await nodes.first().waitFor({ state: 'detached', timeout: 5_000 }).then(() => true, () => false)) return;
	}
	await newWorkflow();
}

async function newWorkflow(): Promise<void> {
	await page.goto(`${editor.url}/workflow/new`);
	await page.locator('[data-test-id="canvas-wrapper"]').waitFor();
	await dismissModals(page);
}

async function closeNdv(): Promise<void> {
	const ndv = page.locator('[data-test-id="ndv"]');
	if (!(await ndv.isVisible().catch(() => false))) return;
	await page.keyboard.press('Escape'); // an open dropdown first
	const close = page.locator('[data-test-id="ndv"] [data-test-id="ndv-close-button"], [data-test-id="back-to-canvas"]').first();
	if (await close.isVisible().catch(() => false)) await close.click();
	else await page.keyboard.press('Escape');
	await ndv.waitFor({ state: 'hidden' });
}

/** The credential slots the open node shows, in order. */
const slots = (): Locator => page.locator('[data-test-id="ndv"] [data-test-id="credentials-label"]');

/** A slot's label (the service it is for). */
async function slotLabel(slot: Locator): Promise<string> {
	return (await slot.locator('label, [class*="label"]').first().innerText().catch(() => '')).trim() || (await slot.innerText()).split('\n')[0].trim();
}

/** Dropdown lists open on the page (a closed one fades out for a moment and still counts). */
const openLists = (): Locator => page.locator('.el-select-dropdown:visible, .el-popper:visible [role="listbox"]');

/**
 * Waits until no dropdown list is open, so the next list read is the one just
 * opened and not one still fading out (the Platform list read as a credential
 * slot's made the Store slot "offer" the platforms). Escape closes one left open.
 */
async function noOpenList(): Promise<void> {
	if (await openLists().first().waitFor({ state: 'hidden', timeout: 2_000 }).then(() => true, () => false)) return;
	await page.keyboard.press('Escape');
	await openLists().first().waitFor({ state: 'hidden', timeout: 3_000 });
}

/** Opens a slot's dropdown and returns what it offers (the "create new" entry left out). */
async function slotOptions(slot: Locator): Promise<{ options: string[]; pick(name: string): Promise<void> }> {
	const dropdown = openLists().last();
	const items = dropdown.locator('.el-select-dropdown__item, [role="option"]');
	const open = async (): Promise<boolean> => {
		await noOpenList();
		await slot.locator('[data-test-id="node-credentials-select"]').click();
		return items.first().waitFor({ timeout: 4_000 }).then(() => true, () => false);
	};
	// A slot whose list does not open (or is empty) offers nothing; a click right after the panel opened may be lost, so twice.
	if (!(await open()) && !(await open())) {
		if (await dropdown.isVisible().catch(() => false)) await page.keyboard.press('Escape');
		return { options: [], pick: () => Promise.reject(new Error('the slot offers nothing to pick')) };
	}
	const all = (await items.allInnerTexts()).map((t) => t.split('\n')[0].trim());
	return {
		options: [...new Set(all.filter((t) => t && !/create new/i.test(t)))],
		async pick(name) {
			// By position: an option's text content runs its name and its type together ("AdOps SlackAdOps Slack API").
			await items.nth(all.indexOf(name)).click();
			await dropdown.waitFor({ state: 'hidden' });
		},
	};
}

/**
 * Sets every credential slot the open node shows from scratch: each must name
 * its service and offer exactly that service's credential. Returns the
 * credentials picked, in slot order, and the problems found.
 */
async function pickCredentials(node: string): Promise<{ picked: string[]; problems: string[] }> {
	const picked: string[] = [];
	const problems: string[] = [];
	// The slots are read again after each pick: picking one can change which others show. A slot shown only for some
	// operations (Insights' Slack) is drawn a moment after the panel opens, so the count is read once it holds still.
	const count = (): Promise<number> => settled(() => slots().count(), (n) => n > 0, 4_000, 3);
	for (let i = 0; i < (await count()); i++) {
		const slot = slots().nth(i);
		const label = await slotLabel(slot);
		const expected = SERVICES.find(([re]) => re.test(label))?.[1];
		const { options, pick } = await slotOptions(slot);
		if (!expected) {
			problems.push(`${node}: a credential slot labelled "${label}" does not say which service it is for (it offers [${options.join(', ')}])`);
			if (options.length > 0) await page.keyboard.press('Escape');
			continue;
		}
		const known = options.filter((o) => editor.credentials.some((c) => c.name === o));
		if (known.length !== 1 || known[0] !== expected) problems.push(`${node}: slot "${label}" offers [${options.join(', ')}], expected only ${expected}`);
		if (options.includes(expected)) {
			await pick(expected);
			picked.push(expected);
		} else if (options.length > 0) await page.keyboard.press('Escape');
	}
	return { picked, problems };
}

/** Credential slots of the open node that hold no credential (they show the "Select Credential" placeholder). */
async function emptySlots(node: string): Promise<string[]> {
	const out: string[] = [];
	for (let i = 0; i < (await slots().count()); i++) {
		const slot = slots().nth(i);
		const value = await slot.locator('input').first().inputValue().catch(() => '');
		if (!value.trim()) out.push(`${node}: slot "${await slotLabel(slot)}" is left without a credential`);
	}
	return out;
}

/** Issue badges on the canvas's nodes, by node name. */
async function nodesWithIssues(): Promise<string[]> {
	return page.locator('[data-test-id="canvas-node"]').evaluateAll((nodes) =>
		nodes.filter((n) => n.querySelector('[data-test-id="node-issues"]')).map((n) => n.getAttribute('data-node-name') ?? n.textContent?.trim().slice(0, 40) ?? '?'),
	);
}

/**
 * The node whose panel (NDV) is open is a new `node` (by its display name) as `pick` added it: the panel's title is
 * the name n8n gives it, the node's defaults.name or, for an action, the action's name ("Queue proposals for
 * approval"), so a click that added another node (n8n's suggested Schedule trigger, a sibling) fails.
 */
async function assertNdvOf(node: string, pick: Pick): Promise<void> {
	const expected = DECLARED.find((n) => n.name === node)?.defaultName;
	assert.ok(expected, `${node} is a node the package declares`);
	const fits = (t: string): boolean => t === expected || (pick instanceof RegExp && pick.test(t));
	const title = page.locator('[data-test-id="ndv"] [data-test-id="node-title-container"]').first();
	const shown = await settled(async () => (await title.innerText().catch(() => '')).replace(/\s+/g, ' ').trim(), fits, 5_000);
	assert.ok(fits(shown), `the panel that opened is a new ${node}'s: its title is "${shown}", expected "${expected}"${pick instanceof RegExp ? ` or an action matching ${pick}` : ''}`);
}

/**
 * A failed step as one problem line: its first line and, for a Playwright action that timed out, what it waited
 * for (the locator, and an element that took the click: "… intercepts pointer events").
 */
function problemOf(error: Error): string {
	const all = error.message.split('\n');
	// editor.step adds the page's text after a '--- page' line: only the error's own lines are read.
	const cut = all.findIndex((l) => l.startsWith('--- page'));
	const lines = cut > 0 ? all.slice(0, cut) : all;
	const log = lines.filter((l) => /waiting for locator|intercepts pointer events|not stable|not visible|detached/.test(l)).map((l) => l.trim().replace(/^- /, ''));
	return [lines[0], ...[...new Set(log)].slice(-3)].join(' | ');
}

/** Adds a node from the panel: search its entry, pick the action or trigger. The NDV of the new `node` opens. */
async function addNode(entry: string, pick: Pick, node = entry): Promise<void> {
	await openPanel();
	const found = await search(entry);
	assert.ok(found.includes(entry), `the panel lists ${entry} for "${entry}": [${found.join(', ')}]`);
	await page.locator('[data-test-id="node-creator-item-name"]', { hasText: new RegExp(`^${entry}$`) }).first().click();
	const rows = page.locator('[data-test-id="item-iterator-item"]');
	if (pick === 'entry') {
		const ndv = page.locator('[data-test-id="ndv"]');
		// The "Node details" view has no search bar (communityNodeDetails hides it): once the bar is gone, the rows are
		// the view's, not the search's.
		const until = Date.now() + 15_000;
		while (!(await ndv.isVisible()) && (await searchInput().isVisible()) && Date.now() < until) await page.waitForTimeout(150);
		if (!(await ndv.isVisible())) {
			assert.ok(!(await searchInput().isVisible()), `a click on ${entry} opens its panel or its details view`);
			// The view is redrawn while it opens (on an idle machine its rows were drawn, then one was gone under the click:
			// "waiting for locator(item-iterator-item).nth(1)" for 30 s). So: read the rows once they hold still, click the
			// one a person would by its text (resolved at the click), wait a little for the panel, and read again. A click
			// is never repeated while the view is gone (the node may be on its way), only while the same view still shows.
			const isOwn = (t: string): boolean => t !== '' && !/^Add to workflow$/i.test(t) && !/^On a (Schedule|Webhook call)\b/i.test(t) && !/^(Triggers|Actions) \(|Triggers available|need to be triggered/i.test(t);
			const until2 = Date.now() + 45_000;
			let texts: string[] = [];
			while (!(await ndv.isVisible()) && Date.now() < until2) {
				texts = await settled(async () => (await rows.allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim()), (t) => t.length > 0, 3_000);
				// Where the view offers its "Add to workflow" button (n8n draws it with or without the node's own row), a
				// person clicks that; else the node's one row.
				const add = texts.some((t) => /^Add to workflow$/i.test(t));
				const own = texts.filter(isOwn);
				if (!add && own.length !== 1) {
					await page.waitForTimeout(300);
					continue;
				}
				const target = add ? rows.filter({ hasText: /^\s*Add to workflow\s*$/i }).first() : rows.filter({ hasText: own[0]!.slice(0, 40) }).first();
				await target.click({ timeout: 5_000 }).catch(() => undefined);
				await ndv.waitFor({ timeout: 8_000 }).catch(() => undefined);
			}
			assert.ok(await ndv.isVisible(), `${entry}'s details add the node by its "Add to workflow" button or its one row: [${texts.join(' | ')}]`);
		}
		await ndv.waitFor();
		await assertNdvOf(node, pick);
		return;
	}
	await page.getByText(/^Actions \(\d+\)$/).first().waitFor();
	const read = (): Promise<string[]> => settled(async () => (await rows.allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim()), (t) => t.length > 0, 3_000);
	const find = (texts: string[]): number =>
		pick instanceof RegExp
			? texts.findIndex((t) => pick.test(t))
			: texts.findIndex((t) => t !== '' && !/^On a (Schedule|Webhook call)\b/i.test(t) && !/^(Triggers|Actions) \(|Triggers available|need to be triggered/i.test(t) && !pick.notActions.test(t) && !t.startsWith(entry));
	let texts = await read();
	let index = find(texts);
	if (index < 0) {
		// On an empty canvas the panel opens a node's triggers and folds its actions: unfold them, as a person does.
		await page.getByText(/^Actions \(\d+\)$/).first().click();
		texts = await settled(read, (t) => find(t) >= 0, 3_000);
		index = find(texts);
	}
	assert.ok(index >= 0, `${entry} offers ${pick instanceof RegExp ? `an action matching ${pick}` : 'its own trigger'}: [${texts.join(' | ')}]`);
	// A long action list is drawn a few rows a frame: a row may be redrawn under the click. When the click did not
	// open the node's panel, the row is clicked again by its name (an action row's text also holds its description).
	const ndv = page.locator('[data-test-id="ndv"]');
	// An action is clicked by its text, which Playwright resolves at the click: a row found by its index can be another
	// action once the list redraws (on an idle machine a new AdOps Ingest opened on Check Creative Fatigue).
	const target = pick instanceof RegExp ? rows.filter({ hasText: pick }).first() : rows.nth(index);
	const clicked = await target.click({ timeout: 10_000 }).then(() => true, () => false);
	if (!(clicked && (await ndv.waitFor({ timeout: 10_000 }).then(() => true, () => false))) && !(await ndv.isVisible())) {
		await rows.filter({ hasText: pick instanceof RegExp ? pick : texts[index]!.slice(0, 40) }).first().click();
	}
	await ndv.waitFor();
	await assertNdvOf(node, pick);
}

/**
 * Runs the open workflow with its "Execute workflow" button and waits until
 * every node in `nodes` (the path after Run Now) shows success, or one shows an
 * error. With several triggers the button names the one it starts ("from
 * Run Now"); any other than `runNow` is the defect issue 16 names and is
 * returned as a problem (a schedule still runs its path at once); a trigger
 * that waits for an event (a webhook's test URL, Meta) is stopped and Run Now
 * picked from the button's menu, as a person would, so the run is still checked.
 * `start`: another Execute button to click (a trigger node's own).
 */
async function executeFrom(runNow: string, nodes: string[], timeout = 120_000, start?: Locator): Promise<string[]> {
	const problems: string[] = [];
	const button = page.locator('[data-test-id="execute-workflow-button"]').first();
	await button.waitFor();
	const label = (await button.innerText()).replace(/\s+/g, ' ').trim();
	const from = /\bfrom (.+)$/.exec(label)?.[1] ?? runNow;
	if (!start && from !== runNow) problems.push(`"Execute workflow" (button: "${label}") starts ${from}, not ${runNow}`);
	const success = (name: string): Locator => page.locator(`[data-test-id="canvas-node"][data-node-name="${name}"] [data-test-id="canvas-node-status-success"]`);
	const waiting = page.locator('[data-test-id="stop-execution-waiting-for-webhook-button"]');
	const run = async (): Promise<'done' | 'waiting'> => {
		await (start ?? button).click();
		// Done when every node shows success, as soon as one shows an error, or when the run waits for a trigger event.
		return Promise.race([
			Promise.all(nodes.map((name) => success(name).waitFor({ timeout }))).then(() => 'done' as const),
			page.locator('[data-test-id="canvas-node"] [data-test-id="node-issues"]').first().waitFor({ timeout }).then(() => 'done' as const),
			waiting.waitFor({ timeout }).then(() => 'waiting' as const),
		]);
	};
	if ((await run()) === 'waiting') {
		problems.push(`"Execute workflow" (button: "${label}") waits for a trigger event from ${from} instead of running ${runNow}'s path`);
		await waiting.click();
		await waiting.waitFor({ state: 'hidden' });
		await page.getByRole('button', { name: 'Select trigger node' }).click();
		await page.locator('[role="menuitem"], .el-dropdown-menu__item').filter({ hasText: runNow }).first().click();
		await page.locator('[data-test-id="execute-workflow-button"]', { hasText: runNow }).first().waitFor({ timeout: 5_000 });
		await run();
	}
	// The button reads "Execute workflow" again once n8n has the whole run (a screenshot before shows it spinning).
	await page.locator('[data-test-id="execute-workflow-button"]', { hasText: /Execute workflow/ }).first().waitFor({ timeout: 15_000 }).catch(() => undefined);
	const failed = await page.locator('[data-test-id="canvas-node"]:has([data-test-id="node-issues"])').evaluateAll((els) => els.map((e) => e.getAttribute('data-node-name')));
	if (failed.length > 0) {
		// The first failed node's error as its panel shows it, so the failure says why.
		await page.locator(`[data-test-id="canvas-node"][data-node-name="${failed[0]}"]`).dblclick();
		const output = page.locator('[data-test-id="ndv"] [data-test-id="output-panel"]');
		const error = await output.innerText({ timeout: 10_000 }).catch(() => '(its panel did not open)');
		assert.deepEqual(failed, [], `no node failed; ${failed[0]} says: ${error.replace(/\s+/g, ' ').slice(0, 600)}`);
	}
	return problems;
}

type WfNode = { name: string; type: string; disabled?: boolean };

/** Triggers whose run from the editor waits for an event from outside (a webhook's test URL, Meta's comment webhook, a form). */
const WAITING_TRIGGERS = new Set(['n8n-nodes-base.webhook', 'n8n-nodes-base.formTrigger', 'n8n-nodes-adops.adOpsModerationTrigger']);
/** The package's Run Now (nodes/AdOpsRunNow): the trigger "Execute workflow" is to start. */
const RUN_NOW_TYPE = 'n8n-nodes-adops.adOpsRunNow';
const isTrigger = (n: WfNode): boolean => /trigger$/i.test(n.type) || WAITING_TRIGGERS.has(n.type) || n.type === RUN_NOW_TYPE;

/**
 * The trigger "Execute workflow" must start in a bundled workflow: its Run Now, or in a workflow with one
 * trigger, that trigger (alert-demo's Run Demo, approval-request's Queue by Hand: n8n's Manual Trigger alone;
 * approvals-slack's webhook and ingest-error's error trigger, which the button cannot start without an event,
 * are not asked: undefined). A workflow with several triggers must have a Run Now of the package's type:
 * n8n 2.40.7's editor picks the button's trigger by type (findTriggerNodeToAutoSelect, editor-ui
 * executions.utils.ts: Form 10, Webhook 9, an installed node's trigger 8, Schedule 7, Manual Trigger 6, equal
 * ones in node order), so a Manual Trigger beside a schedule, or after AdOps Approval Trigger, is never picked.
 */
function expectedStart(file: string, workflow: { nodes: unknown }): { start?: string; problem?: string } {
	const triggers = (workflow.nodes as WfNode[]).filter((n) => !n.disabled && isTrigger(n));
	const runNow = triggers.find((n) => n.name === 'Run Now');
	if (runNow) return runNow.type === RUN_NOW_TYPE ? { start: 'Run Now' } : { start: 'Run Now', problem: `${file}: Run Now is a ${runNow.type}, not AdOps Run Now` };
	if (triggers.length > 1) return { problem: `${file}: ${triggers.length} triggers (${triggers.map((t) => t.name).join(', ')}) and no Run Now` };
	const only = triggers[0];
	return only && !WAITING_TRIGGERS.has(only.type) && only.type !== 'n8n-nodes-base.errorTrigger' ? { start: only.name } : {};
}

/** The trigger the canvas's "Execute workflow" button starts, as it says it: "from <trigger>" with several, else the only one. */
async function buttonTrigger(workflow: { nodes: unknown }): Promise<string> {
	const button = page.locator('[data-test-id="execute-workflow-button"]').first();
	await button.waitFor();
	const enabled = (workflow.nodes as WfNode[]).filter((n) => !n.disabled && isTrigger(n));
	// The editor picks its trigger right after the nodes are drawn: read the label until it holds still.
	const label = await settled(async () => (await button.innerText()).replace(/\s+/g, ' ').trim(), (l) => enabled.length < 2 || /\bfrom\b/.test(l), 3_000);
	return /\bfrom (.+)$/.exec(label)?.[1] ?? (enabled.length === 1 ? enabled[0].name : `(the button says "${label}")`);
}

/** What each bundled workflow's "Execute workflow" button starts, as read when the workflow was opened. */
const buttonTriggers = new Map<string, string>();

/** The item count an edge's label shows ("3 items"), by source and target node. */
async function edgeItems(source: string, target: string, timeout = 20_000): Promise<number | undefined> {
	const label = page.locator(`[data-test-id="edge-label"][data-source-node-name="${source}"][data-target-node-name="${target}"]`).first();
	// The canvas draws an edge's count when n8n has pushed that node's data: the last edges of a run can appear a
	// moment after the nodes show success (CI read "merged: undefined" while the page already said "7 items").
	const until = Date.now() + timeout;
	for (;;) {
		const text = (await label.innerText({ timeout: 1_000 }).catch(() => '')).trim();
		const m = /(\d+)\s+items?/.exec(text);
		if (m) return Number(m[1]);
		if (Date.now() > until) return undefined;
		await page.waitForTimeout(250);
	}
}

/** The sandbox Notion's approval cards: page id, Proposal ID and Status. */
async function approvalCards(): Promise<Array<{ id: string; proposalId: string; status?: string }>> {
	type Card = { id: string; properties: Record<string, { rich_text?: Array<{ plain_text?: string }>; status?: { name: string } | null }> };
	const res = await fetch(`${editor.sandbox.url}/_admin/notion/pages?data_source_id=${editor.sandbox.world.notion.approvalDataSourceId}`);
	const { pages } = (await res.json()) as { pages: Card[] };
	return pages.map((p) => ({ id: p.id, proposalId: (p.properties['Proposal ID']?.rich_text ?? []).map((t) => t.plain_text).join(''), status: p.properties.Status?.status?.name }));
}

/** A person of the sandbox's workspace (Maya Lopez) sets a card's Status, as on Notion's page. */
async function decideCard(pageId: string, status: 'Approved' | 'Rejected'): Promise<void> {
	const res = await fetch(`${editor.sandbox.url}/_admin/notion/pages/${pageId}/edit`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ user: 'Maya Lopez', properties: { Status: { status: { name: status } } } }),
	});
	assert.equal(res.status, 200, await res.text());
}

describe('the canvas in Chromium', { timeout: 10 * 60_000 }, () => {
	beforeAll(async () => {
		editor = await startEditor({ workflows: [AGENT_WORKFLOW], credentials: (sandbox) => [n8nOpenAiCredential(sandbox)] });
		page = editor.page;
	});

	afterAll(async () => {
		if (editor) {
			const total = editor.timings.reduce((sum, t) => sum + t.ms, 0);
			process.stdout.write(`# browser steps (${(total / 1000).toFixed(1)} s in steps):\n${editor.timings.map((t) => `#   ${t.ok ? 'ok ' : 'FAIL'} ${(t.ms / 1000).toFixed(1).padStart(6)} s  ${t.step}`).join('\n')}\n`);
		}
		await editor?.close();
	});

	test('owner setup on a fresh n8n', async () => {
		await step('owner setup', async () => {
			await setUpOwner(page, editor.url);
			await editor.shot('01-owner-setup-done');
			assert.doesNotMatch(new URL(page.url()).pathname, /^\/setup/);
		});
	});

	test('the node panel finds every AdOps node by its name and by the words a marketer types', async () => {
		await step('node panel search', async () => {
			await newWorkflow();
			await openPanel();
			const missing: string[] = [];
			for (const name of NODES) {
				const found = await search(name);
				// n8n shows a node and its trigger as one entry (its actions and its triggers inside), named after the node;
				// a trigger without a node of its name (AdOps Events Trigger) is an entry of its own.
				const base = name.replace(/ Trigger$/, '');
				const entry = NODES.includes(base) ? base : name;
				if (!found.includes(entry)) missing.push(`"${name}" → [${found.join(', ')}]`);
			}
			const adops = await search('AdOps');
			await editor.shot('02-panel-adops');
			for (const [word, node] of WORDS) {
				const found = await search(word);
				if (word === 'ad copy') await editor.shot('03-panel-ad-copy');
				if (!found.includes(node)) missing.push(`"${word}" → [${found.join(', ')}] (expected ${node})`);
			}
			assert.deepEqual(missing, [], `not found in the node panel:\n${missing.join('\n')}`);
			// Every action node comes up for "AdOps" (a node and its trigger share one entry).
			for (const name of TOOLS) assert.ok(adops.includes(name), `"AdOps" lists ${name}: [${adops.join(', ')}]`);
		}, 90_000);
	});

	test('every bundled workflow opens with zero node issues, no unknown nodes and no "undefined" on the canvas', async () => {
		await step('open every bundled workflow', async () => {
			const problems: string[] = [];
			for (const w of editor.workflows) {
				const nodes = await openWorkflow(page, editor.url, w);
				await editor.shot(`04-open-${w.file.replace('.json', '')}`);
				const count = await nodes.count();
				const expected = (w.workflow.nodes as Array<{ type: string }>).filter((n) => n.type !== 'n8n-nodes-base.stickyNote').length;
				if (count !== expected) problems.push(`${w.file}: ${count} nodes drawn, ${expected} in the file`);
				const issues = await nodesWithIssues();
				if (issues.length > 0) problems.push(`${w.file}: node issues on ${issues.join(', ')}`);
				const text = await page.locator('[data-test-id="canvas-wrapper"]').innerText();
				const undef = text.split('\n').filter((l) => /\bundefined\b/.test(l));
				if (undef.length > 0) problems.push(`${w.file}: "undefined" on the canvas: ${undef.join(' | ')}`);
				if (/Install this node|not currently installed|unknown node|node is not installed/i.test(text)) problems.push(`${w.file}: an unknown node`);
				buttonTriggers.set(w.file, await buttonTrigger(w.workflow));
			}
			assert.deepEqual(problems, []);
		}, 360_000);
	});

	test('"Execute workflow" starts Run Now in every bundled workflow (the only trigger where there is one), never a schedule or a trigger that waits', async () => {
		await step('the trigger each Execute button starts', async () => {
			const problems: string[] = [];
			for (const w of editor.workflows) {
				if (!buttonTriggers.has(w.file)) {
					await openWorkflow(page, editor.url, w);
					buttonTriggers.set(w.file, await buttonTrigger(w.workflow));
				}
				const started = buttonTriggers.get(w.file)!;
				const { start, problem } = expectedStart(w.file, w.workflow);
				if (problem) problems.push(problem);
				if (start && started !== start) problems.push(`${w.file}: "Execute workflow" starts ${started}, not ${start}`);
			}
			process.stdout.write(`# "Execute workflow" starts: ${[...buttonTriggers].map(([f, t]) => `${f} → ${t}`).join('; ')}\n`);
			assert.deepEqual(problems, []);
		}, 360_000);
	});

	// Set-up here means its credentials: a slot per service, each offering that service's credential and holding it once
	// picked. Parameters a person still has to fill in (an alert's message) may leave the node's issue badge on.
	test('a new node of each AdOps type is set up from scratch with each of its credentials', async () => {
		// Every node of the package has its set-up here (Ingest: the next test).
		assert.deepEqual(NODES.filter((n) => n !== 'AdOps Ingest' && !NEW_NODES.some((s) => s.name === n)), [], 'a node without a from-scratch set-up in NEW_NODES');
		const problems: string[] = [];
		// A set-up is for a node the package declares (package.json's n8n.nodes), and each of those has one (above).
		let reload = true; // a new workflow first, and after a step that failed (its panel may still be open)
		for (const spec of NEW_NODES.filter((s) => NODES.includes(s.name))) {
			// Each node on its own, on an empty canvas: one that cannot be set up is a problem, and the others are still tried.
			await step(`new ${spec.name}`, async () => {
				if (reload) await newWorkflow();
				else await emptyCanvas();
				reload = true;
				await addNode(spec.entry, spec.action, spec.name);
				const { picked, problems: found } = await pickCredentials(spec.name);
				problems.push(...found);
				for (const c of spec.credentials) if (!picked.includes(c)) problems.push(`${spec.name}: no slot offered ${c} (picked [${picked.join(', ')}])`);
				problems.push(...(await emptySlots(spec.name)));
				if (spec.name === 'AdOps Creative') await editor.shot('05-new-creative-credentials');
				if (spec.name === 'AdOps Run Now') await editor.shot('05-new-run-now');
				await closeNdv();
				reload = false;
			}, 60_000).catch((error: Error) => problems.push(problemOf(error)));
		}
		assert.deepEqual(problems, []);
	});

	test('a new AdOps Ingest: Platform is a visible parameter, each platform shows only its credential, AdOps Store goes in the Store slot', async () => {
		const problems: string[] = [];
		await step('new AdOps Ingest: the platforms offered', async () => {
			await newWorkflow();
			await addNode('AdOps Ingest', /ingest daily performance/i);
		});
		const platform = page.locator('[data-test-id="ndv"] [data-test-id="parameter-input-platform"]');
		const platforms = await step('new AdOps Ingest: the Platform parameter', async () => {
			await platform.waitFor({ timeout: 10_000 });
			await noOpenList();
			await platform.click();
			const options = page.locator('.el-select-dropdown:visible .el-select-dropdown__item, .el-popper:visible [role="option"]');
			await options.first().waitFor();
			const names = (await options.allInnerTexts()).map((t) => t.split('\n')[0].trim()).filter(Boolean);
			await page.keyboard.press('Escape');
			return names;
		});
		assert.ok(platforms.length >= 4, `Platform offers the ingest platforms: [${platforms.join(', ')}]`);
		for (const name of platforms) {
			await step(`new AdOps Ingest on ${name}`, async () => {
				await noOpenList();
				await platform.click();
				const options = page.locator('.el-select-dropdown:visible .el-select-dropdown__item, .el-popper:visible [role="option"]');
				await options.first().waitFor();
				await options.nth((await options.allInnerTexts()).map((t) => t.split('\n')[0].trim()).indexOf(name)).click();
				await noOpenList();
				const shown = await settled(() => platform.locator('input').first().inputValue(), (v) => v === name, 5_000);
				assert.equal(shown, name, 'Platform shows the platform picked');
				const expected = SERVICES.find(([re]) => re.test(name))?.[1];
				const { picked, problems: found } = await pickCredentials(`AdOps Ingest (${name})`);
				problems.push(...found);
				const want = ['AdOps Store', expected ?? `${name}'s credential`].sort();
				if (JSON.stringify([...picked].sort()) !== JSON.stringify(want)) problems.push(`AdOps Ingest (${name}): slots offered [${picked.join(', ')}], expected [${want.join(', ')}]`);
				await editor.shot(`06-new-ingest-${name.toLowerCase().replace(/\W+/g, '-')}`);
			}, 60_000).catch(async (error: Error) => {
				problems.push(problemOf(error));
				await page.keyboard.press('Escape');
			});
		}
		await step('new AdOps Ingest: every slot holds its credential', async () => {
			problems.push(...(await emptySlots('AdOps Ingest')));
			await closeNdv();
		});
		assert.deepEqual(problems, []);
	});

	test('AdOps Optimizer: Options › Meta Ads Ad Account lists the accounts its Meta credential reaches, and one is picked from the list', async () => {
		await step('new AdOps Optimizer: a Meta ad account picked from the list', async () => {
			await newWorkflow();
			await addNode('AdOps Optimizer', /run the optimization rules/i);
			const { problems } = await pickCredentials('AdOps Optimizer');
			assert.deepEqual(problems, []);
			const ndv = page.locator('[data-test-id="ndv"]');
			// The Options collection's add control. n8n 2.40.7 renders CollectionParameterLegacy unless a PostHog experiment
			// picks CollectionParameterNew (-add-header / -add-dropdown): with "No properties" shown, its add control is a
			// filterable select (more than one option) with the test id collection-parameter-add, its rows
			// collection-parameter-option (as n8n's own Playwright suite picks them: getByRole('option', { name })).
			await ndv.locator('[data-test-id="collection-parameter-add"]').last().click();
			await page.getByRole('option', { name: 'Meta Ads Ad Account', exact: true }).click();
			const locator = ndv.locator('[data-test-id="resource-locator-metaAccounts"]');
			await locator.waitFor();
			await locator.locator('[data-test-id="rlc-input"]').first().click();
			// The list is a popover teleported to the page's end: its rows are not inside resource-locator-dropdown (the trigger).
			const items = page.locator('[data-test-id="rlc-item"]:visible');
			await items.first().waitFor({ timeout: 30_000 });
			const listed = (await settled(async () => (await items.allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim()), (l) => l.length > 0, 5_000)).filter(Boolean);
			await editor.shot('06b-optimizer-meta-accounts');
			const meta = editor.sandbox.world.accounts.filter((a) => a.platform === 'meta');
			const unknown = listed.filter((l) => !meta.some((a) => l.includes(a.name) || l.includes(a.id)));
			assert.deepEqual(unknown, [], `every listed account is one of the sandbox's Meta accounts: [${listed.join(' | ')}]`);
			assert.ok(listed.length > 0 && listed.length <= meta.length, `listed ${listed.length} of ${meta.length}`);
			const picked = meta.find((a) => listed[0]!.includes(a.name) || listed[0]!.includes(a.id))!;
			await items.first().click();
			const shown = await settled(() => locator.locator('[data-test-id="rlc-input"]').first().inputValue(), (v) => v !== '', 5_000);
			assert.ok(shown.includes(picked.name) || shown.includes(picked.id), `the locator shows the account picked (${picked.name}, ${picked.id}): "${shown}"`);
			await editor.shot('06c-optimizer-meta-account-picked');
			const issues = await ndv.locator('[data-test-id="parameter-issues"]').allInnerTexts().catch(() => []);
			assert.deepEqual(issues.filter((t) => /account/i.test(t)), [], 'no issue on the account');
			await closeNdv();
		}, 90_000);
	});

	test('"Execute workflow" on the bundled workflows runs their Run Now path and shows the item counts', async () => {
		const problems: string[] = [];
		const accounts = (p: string): number => editor.sandbox.world.accounts.filter((a) => a.platform === p).length;
		await step('execute the daily ingest', async () => {
			const ingest = editor.workflows.find((w) => w.file === 'ingest.json')!;
			await openWorkflow(page, editor.url, ingest);
			problems.push(...(await executeFrom('Run Now', ['Ingest Google Ads', 'Ingest Meta', 'Ingest LinkedIn', 'Ingest Klaviyo', 'Data Quality', 'Slack Summary'], 150_000)));
			await editor.shot('07-executed-ingest');
			// One item per account out of each Ingest node (the sandbox's ad accounts; Klaviyo: the one account its API key
			// belongs to), all of them merged, one quality report.
			const counts = {
				google: await edgeItems('Ingest Google Ads', 'All Accounts'),
				meta: await edgeItems('Ingest Meta', 'All Accounts'),
				linkedin: await edgeItems('Ingest LinkedIn', 'All Accounts'),
				klaviyo: await edgeItems('Ingest Klaviyo', 'All Accounts'),
				merged: await edgeItems('All Accounts', 'Data Quality'),
				quality: await edgeItems('Data Quality', 'Slack Summary'),
			};
			const all = accounts('google') + accounts('meta') + accounts('linkedin') + 1;
			assert.deepEqual(counts, { google: accounts('google'), meta: accounts('meta'), linkedin: accounts('linkedin'), klaviyo: 1, merged: all, quality: 1 });
		}, 180_000);

		await step('execute the alert demo', async () => {
			const demo = editor.workflows.find((w) => w.file === 'alert-demo.json')!;
			await openWorkflow(page, editor.url, demo);
			const before = editor.sandbox.requests({ route: 'slack.postMessage' }).length;
			problems.push(...(await executeFrom('Run Demo', ['Run Demo', 'Post Summary', 'Post Follow-up'])));
			await editor.shot('08-executed-alert-demo');
			assert.equal(editor.sandbox.requests({ route: 'slack.postMessage' }).length - before, 2, 'the demo posted a summary and a follow-up');
			assert.equal(await edgeItems('Run Demo', 'Post Summary'), 1);
			assert.equal(await edgeItems('Post Summary', 'Post Follow-up'), 1);
		}, 90_000);

		// approvals.json: a proposal queued by approval-request.json (its only trigger, Queue by Hand), approved on its
		// Notion card by Maya; then approvals.json's button starts Run Now (not On Approval Decision, an installed
		// node's trigger that polls, nor the 15-minute schedule): the one new decision alerted, Execute Approved reports
		// it (the example's "announce" kind has no executor in the shipped workflow: skipped, stays approved),
		// Expire Overdue finds nothing overdue.
		let proposalId = '';
		await step('execute approval-request: one proposal queued', async () => {
			const request = editor.workflows.find((w) => w.file === 'approval-request.json')!;
			await openWorkflow(page, editor.url, request);
			problems.push(...(await executeFrom('Queue by Hand', ['Queue by Hand', 'Queue Proposal', 'Ask for Approval'])));
			assert.equal(await edgeItems('Queue Proposal', 'Ask for Approval'), 1);
			const queued = (await approvalCards()).filter((c) => c.proposalId.startsWith('announce-'));
			assert.equal(queued.length, 1, `one announce card: ${JSON.stringify(queued)}`);
			proposalId = queued[0]!.proposalId;
			await decideCard(queued[0]!.id, 'Approved');
		}, 90_000);

		await step('execute approvals.json from Run Now', async () => {
			const approvals = editor.workflows.find((w) => w.file === 'approvals.json')!;
			await openWorkflow(page, editor.url, approvals);
			await editor.shot('09-approvals-run-now');
			problems.push(...(await executeFrom('Run Now', ['Run Now', 'Read New Decisions', 'Decision Alert', 'Execute Approved', 'Execution Alert', 'Expire Overdue'])));
			await editor.shot('09-executed-approvals');
			const counts = {
				start: await edgeItems('Run Now', 'Read New Decisions'),
				decisions: await edgeItems('Read New Decisions', 'Decision Alert'),
				toExecute: await edgeItems('Read New Decisions', 'Execute Approved'),
				executed: await edgeItems('Execute Approved', 'Execution Alert'),
				expired: await edgeItems('Expire Overdue', 'Expiry Alert', 3_000),
			};
			assert.deepEqual(counts, { start: 1, decisions: 1, toExecute: 1, executed: 1, expired: undefined }, `approvals.json's Run Now path for ${proposalId}`);
		}, 120_000);
		assert.deepEqual(problems, []);
	});

	test('the AI Agent tool slot lists every AdOps action node', async () => {
		await step('agent tool slot', async () => {
			await newWorkflow();
			await openPanel();
			await search('AI Agent');
			await page.locator('[data-test-id="node-creator-item-name"]', { hasText: /^AI Agent$/ }).first().click();
			await closeNdv();
			const agent = page.locator('[data-test-id="canvas-node"][data-node-name="AI Agent"]');
			await agent.waitFor();
			// The Tool input's plus below the agent.
			await page.locator('[data-test-id="canvas-node-input-handle"][data-connection-type="ai_tool"][data-node-name="AI Agent"] [data-test-id="canvas-handle-plus"]').first().click();
			await searchInput().waitFor();
			const tools = await search('AdOps');
			await editor.shot('10-agent-tools');
			const missing = TOOLS.filter((t) => !tools.some((f) => f.startsWith(t)));
			assert.deepEqual(missing, [], `tool panel lists: [${tools.join(', ')}]`);
		}, 60_000);
	});

	test('an AI Agent calls AdOps Optimizer\'s dry run as a tool and answers with its summary', async () => {
		await step('agent runs the optimizer dry run', async () => {
			const before = editor.sandbox.requests({ route: 'openai.chat' }).length;
			await openWorkflow(page, editor.url, { id: AGENT_WORKFLOW.id!, workflow: AGENT_WORKFLOW });
			assert.deepEqual(await executeFrom('Run Now', ['Run Now', 'AI Agent', 'AdOps Optimizer']), []);
			await editor.shot('11-agent-executed');
			// The model was asked twice: once choosing the tool, once answering from its result.
			assert.ok(editor.sandbox.requests({ route: 'openai.chat' }).length - before >= 2, 'the agent asked the model, called the tool, asked again');
			await page.locator('[data-test-id="canvas-node"][data-node-name="AI Agent"]').dblclick();
			const output = page.locator('[data-test-id="ndv"] [data-test-id="output-panel"]');
			await output.waitFor();
			await output.getByText(/answered: .*execute \d+/i).first().waitFor();
			await editor.shot('12-agent-answer');
			const text = await output.innerText();
			assert.match(text, /execute \d+, propose \d+, gated \d+/i, `the agent's answer carries the dry run's summary: ${text.slice(0, 400)}`);
			await closeNdv();
		}, 120_000);
	});
});

// The n8n editor in Debian's Chromium (playwright-core) against a real n8n
// 2.40.7 started by the harness (test/helpers/n8n.ts) with this package
// installed, the sandbox's credentials and every bundled workflow imported.
//
//   const editor = await startEditor();
//   after(() => editor.close());
//
// Chromium: `chromium` on PATH (Debian: `apt-get install -y chromium`) or
// CHROMIUM_PATH. Screenshots of each step go to test/browser/screenshots/
// (git-ignored; a few are copied to docs/screenshots/ for the README).
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { startSandbox, sandboxN8nCredentials, type Sandbox } from '../../scripts/sandbox';
import { DEFAULT_OWNER } from '../../scripts/n8n-host/host';
import { startN8n, type N8nHost, type WorkflowInput } from '../helpers/n8n';
import { testStore } from '../helpers/store';

export const ROOT = join(__dirname, '..', '..');
export const SCREENSHOTS = join(__dirname, 'screenshots');

/** Background networking and everything else that phones home is off. */
export const CHROMIUM_ARGS = [
	'--no-sandbox',
	'--disable-gpu',
	'--disable-dev-shm-usage',
	'--disable-background-networking',
	'--disable-component-update',
	'--disable-sync',
	'--no-first-run',
	'--disable-default-apps',
	'--metrics-recording-only',
];

export function chromiumPath(): string | undefined {
	for (const p of [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].filter(Boolean) as string[]) if (existsSync(p)) return p;
	return undefined;
}

export interface BundledWorkflow {
	file: string;
	id: string;
	workflow: WorkflowInput;
}

export interface Editor {
	sandbox: Sandbox;
	n8n: N8nHost;
	browser: Browser;
	page: Page;
	url: string;
	/** Every workflows/*.json, imported with its own id. */
	workflows: BundledWorkflow[];
	/** Saves a full-page screenshot as test/browser/screenshots/<name>.png. */
	shot(name: string): Promise<void>;
	close(): Promise<void>;
}

export async function bundledWorkflows(): Promise<BundledWorkflow[]> {
	const files = (await readdir(join(ROOT, 'workflows'))).filter((f) => f.endsWith('.json')).sort();
	return Promise.all(
		files.map(async (file) => {
			const workflow = JSON.parse(await readFile(join(ROOT, 'workflows', file), 'utf8')) as WorkflowInput;
			return { file, id: String(workflow.id), workflow };
		}),
	);
}

// n8n's default websocket push never connects from headless Chromium here (the editor shows "Offline" and a run never
// finishes on the canvas); server-sent events, n8n's other push backend, do.
export async function startEditor(options: { seed?: number } = {}): Promise<Editor> {
	const executablePath = chromiumPath();
	if (!executablePath) throw new Error('Chromium is not installed: apt-get install -y chromium (or set CHROMIUM_PATH)');
	await mkdir(SCREENSHOTS, { recursive: true });
	const sandbox = await startSandbox({ seed: options.seed ?? 16 });
	const store = await testStore('adops-browser');
	const n8n = await startN8n({ env: { N8N_DEFAULT_LOCALE: 'en', N8N_PUSH_BACKEND: process.env.ADOPS_PUSH_BACKEND ?? 'sse' } });
	await n8n.importCredentials(sandboxN8nCredentials(sandbox, store.credential));
	const workflows = await bundledWorkflows();
	await n8n.importWorkflows(workflows.map((w) => w.workflow));
	const { url } = await n8n.start();
	const browser = await chromium.launch({ executablePath, headless: true, args: CHROMIUM_ARGS });
	const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'en-US' });
	context.setDefaultTimeout(20_000);
	const page = await context.newPage();
	return {
		sandbox,
		n8n,
		browser,
		page,
		url,
		workflows,
		async shot(name) {
			await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`) }).catch(() => undefined);
		},
		async close() {
			await browser.close().catch(() => undefined);
			await n8n.dispose().catch(() => undefined);
			await sandbox.close().catch(() => undefined);
			await store.cleanup().catch(() => undefined);
		},
	};
}

/** Sets up the owner on n8n's first page, as a person does after installing. */
export async function setUpOwner(page: Page, url: string): Promise<void> {
	await page.goto(`${url}/setup`);
	await page.locator('input[name="email"]').fill(DEFAULT_OWNER.email);
	await page.locator('input[name="firstName"]').fill(DEFAULT_OWNER.firstName);
	await page.locator('input[name="lastName"]').fill(DEFAULT_OWNER.lastName);
	await page.locator('input[name="password"]').fill(DEFAULT_OWNER.password);
	await page.getByRole('button', { name: /next|get started|set up/i }).first().click();
	await page.waitForURL((u) => !u.pathname.startsWith('/setup'), { timeout: 30_000 });
	await dismissModals(page);
}

/** Closes n8n's onboarding dialogs (personalisation survey, "what's new") when they show up. */
export async function dismissModals(page: Page): Promise<void> {
	for (let i = 0; i < 3; i++) {
		const dialog = page.locator('.el-dialog:visible, [role="dialog"]:visible').first();
		if (!(await dialog.isVisible().catch(() => false))) return;
		await page.keyboard.press('Escape');
		await page.waitForTimeout(300);
	}
}

/** Opens a workflow and waits for its nodes to be drawn. */
export async function openWorkflow(page: Page, url: string, id: string): Promise<Locator> {
	await page.goto(`${url}/workflow/${id}`);
	const nodes = page.locator('[data-test-id="canvas-node"]');
	await nodes.first().waitFor();
	await page.waitForTimeout(500);
	await dismissModals(page);
	return nodes;
}

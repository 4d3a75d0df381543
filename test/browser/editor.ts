// The n8n editor in Debian's Chromium (playwright-core) against a real n8n
// 2.40.7 started by the harness (test/helpers/n8n.ts) with this package
// installed, the sandbox's credentials and every bundled workflow imported.
//
//   const editor = await startEditor();
//   after(() => editor.close());
//   await editor.step('open the panel', async () => { ... });
//
// Chromium: `chromium` on PATH (Debian: `apt-get install -y chromium`) or
// CHROMIUM_PATH. Screenshots of each step go to test/browser/screenshots/
// (git-ignored); a failed step also leaves FAIL-<step>.png and the page's text
// in FAIL-<step>.txt there. A few screenshots are copied to docs/screenshots/
// for the README's "Build your own workflow".
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { startSandbox, sandboxN8nCredentials, type Sandbox, type N8nCredential } from '../../scripts/sandbox';
import { DEFAULT_OWNER } from '../../scripts/n8n-host/host';
import { openStore, type RowInput } from '../../nodes/shared/store';
import { canonicalAccountIdOf } from '../../nodes/shared/platforms/registry';
import { startN8n, type N8nHost, type WorkflowInput } from '../helpers/n8n';
import { testStore } from '../helpers/store';

export const ROOT = join(__dirname, '..', '..');
export const SCREENSHOTS = join(__dirname, 'screenshots');

/** Headless, and nothing that phones home: no background networking, component updates, sync or QUIC. */
export const CHROMIUM_ARGS = [
	'--no-sandbox',
	'--disable-gpu',
	'--disable-dev-shm-usage',
	'--disable-quic',
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
	page: Page;
	url: string;
	/** Every workflows/*.json, imported with its own id. */
	workflows: BundledWorkflow[];
	/** The credentials n8n holds (the sandbox's, by name: "AdOps Store", "AdOps Slack", …). */
	credentials: N8nCredential[];
	/** Saves a screenshot as test/browser/screenshots/<name>.png. */
	shot(name: string): Promise<void>;
	/**
	 * Runs one step of a test within `timeoutMs`; when it fails or times out, saves
	 * FAIL-<name>.png and FAIL-<name>.txt (the page's text) and fails with the step's
	 * name, the error and the start of the page's text.
	 */
	step<T>(name: string, fn: () => Promise<T>, timeoutMs?: number): Promise<T>;
	/** How long each step took, in order (ms). */
	timings: Array<{ step: string; ms: number; ok: boolean }>;
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

/** FX rates to USD for the last 45 days, so the daily ingest converts every account's currency. */
const FX_TO_USD: Record<string, number> = { EUR: 1.0825, GBP: 1.265, JPY: 0.006712 };

/**
 * An earlier Klaviyo ingest (through yesterday, UTC), so the suite's daily ingest
 * fetches Klaviyo's last day or two instead of its first 30-day backfill: that
 * backfill is 60 values reports, which the AdOps Store's In-Process limits pace
 * at Klaviyo's published 2 a minute per endpoint (nodes/shared/resilience/
 * shared-limits.ts, klaviyo:reports): about 15 minutes. The other platforms
 * still backfill from scratch.
 */
function earlierKlaviyoRun(sandbox: Sandbox): RowInput<'ingest_runs'> {
	const day = (offset: number): string => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
	const at = new Date(Date.now() - 86_400_000).toISOString();
	return {
		platform: 'klaviyo',
		account_id: canonicalAccountIdOf('klaviyo', sandbox.world.klaviyo.id),
		window_start: day(-30),
		window_end: day(-1),
		started_at: at,
		finished_at: at,
		outcome: 'success',
	};
}

export interface StartEditorOptions {
	seed?: number;
	/** More workflows to import (e.g. the agent workflow the suite runs). */
	workflows?: WorkflowInput[];
	/** More credentials (e.g. n8n's own OpenAI credential for the AI Agent's chat model). */
	credentials?: (sandbox: Sandbox) => N8nCredential[];
}

// n8n's default websocket push never connects from headless Chromium here (the editor shows "Offline" and a run never
// finishes on the canvas); server-sent events, n8n's other push backend, do.
export async function startEditor(options: StartEditorOptions = {}): Promise<Editor> {
	const executablePath = chromiumPath();
	if (!executablePath) throw new Error('Chromium is not installed: apt-get install -y chromium (or set CHROMIUM_PATH)');
	await mkdir(SCREENSHOTS, { recursive: true });
	const timings: Editor['timings'] = [];
	let mark = performance.now();
	/** Records a start-up phase in `timings`, as the steps are. */
	const phase = (name: string): void => {
		const now = performance.now();
		timings.push({ step: `start: ${name}`, ms: Math.round(now - mark), ok: true });
		mark = now;
	};
	// Packing and installing this package for n8n (startN8n) does not need the sandbox: both at once.
	const starting = startN8n({
		env: {
			N8N_DEFAULT_LOCALE: 'en',
			N8N_PUSH_BACKEND: process.env.ADOPS_PUSH_BACKEND ?? 'sse',
		},
	});
	starting.catch(() => undefined); // awaited below; a sandbox failure first must not leave it unhandled
	const sandbox = await startSandbox({ seed: options.seed ?? 16 });
	const store = await testStore('adops-browser');
	const seeded = await openStore(store.config);
	try {
		const rows = [];
		for (let i = 0; i < 45; i++) {
			const day = new Date(Date.now() - i * 86_400_000).toISOString().slice(0, 10);
			for (const [base, rate] of Object.entries(FX_TO_USD)) rows.push({ base, quote: 'USD', rate_date: day, rate, source: 'browser-suite' });
		}
		await seeded.upsert('fx_rates', rows);
		await seeded.insert('ingest_runs', [earlierKlaviyoRun(sandbox)]);
	} finally {
		await seeded.close();
	}
	const n8n = await starting;
	const credentials = [...sandboxN8nCredentials(sandbox, store.credential), ...(options.credentials?.(sandbox) ?? [])];
	phase('sandbox, store, package packed and installed');
	await n8n.importCredentials(credentials);
	phase('n8n import:credentials');
	const workflows = await bundledWorkflows();
	await n8n.importWorkflows([...workflows.map((w) => w.workflow), ...(options.workflows ?? [])]);
	phase('n8n import:workflow');
	const { url } = await n8n.start();
	phase('n8n start');
	const profile = await mkdtemp(join(tmpdir(), 'adops-chromium-'));
	const context: BrowserContext = await chromium.launchPersistentContext(profile, {
		executablePath,
		headless: true,
		args: CHROMIUM_ARGS,
		viewport: { width: 1440, height: 900 },
		locale: 'en-US',
	});
	context.setDefaultTimeout(30_000);
	const page = context.pages()[0] ?? (await context.newPage());
	const shot = async (name: string): Promise<void> => {
		await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`) }).catch(() => undefined);
	};
	phase('Chromium');
	return {
		sandbox,
		n8n,
		page,
		timings,
		url,
		workflows,
		credentials,
		shot,
		async step(name, fn, timeoutMs = 60_000) {
			let timer: NodeJS.Timeout | undefined;
			const started = performance.now();
			try {
				const result = await Promise.race([
					fn(),
					new Promise<never>((_, reject) => {
						timer = setTimeout(() => reject(new Error(`step "${name}" did not finish within ${timeoutMs / 1000} s`)), timeoutMs);
					}),
				]);
				timings.push({ step: name, ms: Math.round(performance.now() - started), ok: true });
				return result;
			} catch (error) {
				timings.push({ step: name, ms: Math.round(performance.now() - started), ok: false });
				const file = `FAIL-${name.replace(/[^\w-]+/g, '-').slice(0, 60)}`;
				await shot(file);
				const text = await page.locator('body').innerText({ timeout: 5_000 }).catch(() => '(page text unavailable)');
				await writeFile(join(SCREENSHOTS, `${file}.txt`), `${page.url()}\n\n${text}\n`).catch(() => undefined);
				const message = error instanceof Error ? error.message : String(error);
				const failure = new Error(`${name}: ${message}\n--- page ${page.url()} (see test/browser/screenshots/${file}.png and .txt) ---\n${text.replace(/\n{2,}/g, '\n').slice(0, 1500)}`);
				if (error instanceof Error && error.stack) failure.stack = `${failure.message}\n${error.stack.split('\n').slice(1).join('\n')}`;
				throw failure;
			} finally {
				clearTimeout(timer);
			}
		},
		async close() {
			await context.close().catch(() => undefined);
			await rm(profile, { recursive: true, force: true }).catch(() => undefined);
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
		const dialog = page.locator('.el-overlay-dialog .el-dialog:visible, .el-dialog:visible').first();
		if (!(await dialog.isVisible().catch(() => false))) return;
		await page.keyboard.press('Escape');
		if (await dialog.waitFor({ state: 'hidden', timeout: 1_000 }).then(() => true, () => false)) continue;
		await dialog.locator('.el-dialog__headerbtn, [aria-label="Close"]').first().click({ timeout: 1_000 }).catch(() => undefined);
	}
}

/** Opens a workflow and waits until all its nodes (stickies aside) are drawn. */
export async function openWorkflow(page: Page, url: string, workflow: BundledWorkflow | { id: string; workflow: WorkflowInput }): Promise<Locator> {
	await page.goto(`${url}/workflow/${workflow.id}`);
	const nodes = page.locator('[data-test-id="canvas-node"]');
	const expected = (workflow.workflow.nodes as Array<{ type: string }>).filter((n) => n.type !== 'n8n-nodes-base.stickyNote').length;
	await nodes.first().waitFor();
	if (expected > 1) await nodes.nth(expected - 1).waitFor({ timeout: 20_000 }).catch(() => undefined);
	await dismissModals(page);
	return nodes;
}

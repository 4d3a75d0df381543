// A real n8n 2.40.7 for tests and the demo: one user folder (sqlite), the
// package installed like a community package, credentials and workflows
// imported with n8n's own CLI, workflows executed with `n8n execute`, and
// `n8n start` as a server for webhook and polling-trigger tests.
//
//   const n8n = await createN8nHost({ nodesDir: installed.nodesDir, env: { SANDBOX_URL } });
//   await n8n.importCredentials([{ id: 'slack1', name: 'Slack', type: 'adOpsSlackApi', data: { ... } }]);
//   const id = await n8n.importWorkflow(workflowJson);
//   const result = await n8n.execute(id);       // { status, runData, lastNodeOutput, ... }
//   await n8n.dispose();
//
// n8n 2.x specifics handled here:
// - `n8n execute --file` is gone: workflows are imported (`import:workflow`)
//   and run by id (`execute --id`).
// - With N8N_LOG_FORMAT=json every log line on stdout is one JSON object; the
//   execute command logs the full execution (`IRun`) as one message, on
//   success and on failure, which is what `execute` parses.
// - Code nodes run in a task runner whose broker listens on a TCP port
//   (default 5679): each process gets a free one, so hosts can run side by side.
// - Workflows are activated by publishing them (`publish:workflow`) before
//   `n8n start`; n8n activates published workflows at boot (with
//   N8N_USE_WORKFLOW_PUBLICATION_SERVICE=false, synchronously).
import { lstat, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { ensureN8n, type N8nInstall } from './install';
import { pathWithThisNode } from './paths';
import { run, tail, type RunResult } from './proc';

/** The encryption key every host uses unless `env.N8N_ENCRYPTION_KEY` says otherwise. */
export const DEFAULT_ENCRYPTION_KEY = 'adops-test-harness-encryption-key';

export interface CredentialInput {
	id: string;
	name: string;
	/** Credential type name, e.g. `adOpsSlackApi`. */
	type: string;
	/** Plain values; n8n encrypts them on import. */
	data: Record<string, unknown>;
}

export interface WorkflowInput {
	id?: string;
	name: string;
	nodes: unknown[];
	connections: Record<string, unknown>;
	settings?: Record<string, unknown>;
	[key: string]: unknown;
}

export interface NodeExecutionItem {
	json: Record<string, unknown>;
	binary?: Record<string, unknown>;
	pairedItem?: unknown;
	[key: string]: unknown;
}

export interface NodeRun {
	startTime: number;
	executionTime: number;
	executionStatus?: string;
	data?: { main?: Array<NodeExecutionItem[] | null> };
	error?: Record<string, unknown>;
	[key: string]: unknown;
}

export interface ExecutionError {
	message: string;
	description?: string | null;
	/** Name of the node that failed, when n8n says. */
	node?: string;
	name?: string;
	stack?: string;
	[key: string]: unknown;
}

export interface ExecutionResult {
	status: string;
	finished: boolean;
	runData: Record<string, NodeRun[]>;
	lastNodeExecuted?: string;
	/** Items of the first output of the last node that ran (its last run). */
	lastNodeOutput: NodeExecutionItem[];
	error?: ExecutionError;
	/** The whole execution as n8n printed it. */
	raw: Record<string, unknown>;
	/** Wall time of the `n8n execute` process in ms (boot included). */
	ms: number;
}

/** Options of one `n8n execute`. */
export interface ExecuteOptions {
	/** Return a failed workflow's result (`status: 'error'`) instead of throwing. */
	allowError?: boolean;
	timeoutMs?: number;
	/**
	 * Environment for this one n8n process, over the host's (`undefined`
	 * removes a variable), e.g. `{ ADOPS_FAILPOINTS: 'optimizer.after-ledger' }`
	 * to crash exactly this execution at a failpoint.
	 */
	env?: Record<string, string | undefined>;
}

/** An `n8n execute` process that was killed before it could print its execution (a failpoint's SIGKILL, an OOM kill). */
export interface KilledExecution {
	/** The signal that ended the process (`SIGKILL`), or null when it exited with a code instead. */
	signal: NodeJS.Signals | null;
	code: number | null;
	/** The failpoints that announced themselves before the kill (`[adops] failpoint <name>: SIGKILL` on stderr). */
	failpoints: string[];
	/** The tail of what n8n printed, readable. */
	output: string;
	/** Wall time of the process in ms. */
	ms: number;
}

/** The failpoints a process announced on its output before it was killed (nodes/shared/resilience/failpoints.ts). */
export function firedFailpoints(result: Pick<RunResult, 'stdout' | 'stderr'>): string[] {
	return [...`${result.stderr}\n${result.stdout}`.matchAll(/\[adops\] failpoint (\S+): SIGKILL/g)].map((m) => m[1] as string);
}

/** n8n itself failed (not a node inside a workflow): includes the tail of what it printed. */
export class N8nHostError extends Error {
	constructor(
		message: string,
		readonly output: string,
		readonly result?: ExecutionResult,
		/** Set when the n8n process was killed (by a signal or a failpoint) before it printed its execution. */
		readonly killed?: KilledExecution,
	) {
		super(message);
		this.name = 'N8nHostError';
	}
}

export interface N8nHostOptions {
	/** The user folder (`N8N_USER_FOLDER`); default: a new temporary folder, removed by `dispose()`. */
	userFolder?: string;
	/** An installed nodes folder (see package.ts) to link as `<userFolder>/.n8n/nodes`. */
	nodesDir?: string;
	/** Extra environment for every n8n process (sandbox URL, overrides of the defaults below). */
	env?: Record<string, string | undefined>;
	/** The n8n install (default: `ensureN8n()`). */
	install?: N8nInstall;
	/** Per-command timeout, ms (default 180 s). */
	timeoutMs?: number;
}

export interface StartOptions {
	/** Port for the server (default: a free one). */
	port?: number;
	/** How long to wait for n8n to be ready, ms (default 120 s). */
	timeoutMs?: number;
}

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
	return new Promise((resolvePort, reject) => {
		const server = createServer();
		server.unref();
		server.on('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const address = server.address();
			const port = typeof address === 'object' && address ? address.port : 0;
			server.close(() => resolvePort(port));
		});
	});
}

interface LogLine {
	level: string;
	message: string;
}

/** Splits n8n's stdout (N8N_LOG_FORMAT=json) into log entries; other lines are kept as text. */
export function parseLogLines(stdout: string): { entries: LogLine[]; other: string[] } {
	const entries: LogLine[] = [];
	const other: string[] = [];
	for (const line of stdout.split(/\r?\n/)) {
		if (line.trim() === '') continue;
		try {
			const parsed = JSON.parse(line) as unknown;
			if (parsed && typeof parsed === 'object' && 'message' in parsed && 'level' in parsed) {
				const { level, message } = parsed as { level: unknown; message: unknown };
				entries.push({ level: String(level), message: typeof message === 'string' ? message : JSON.stringify(message) });
				continue;
			}
		} catch {
			// not a log entry
		}
		other.push(line);
	}
	return { entries, other };
}

function readableOutput(result: RunResult, lines = 30): string {
	const { entries, other } = parseLogLines(result.stdout);
	const text = [
		...entries
			.filter((e) => !e.message.startsWith('{') && !/migration/i.test(e.message))
			.map((e) => `${e.level}: ${e.message}`),
		...other,
		...result.stderr.split(/\r?\n/),
	].join('\n');
	return tail(text, lines);
}

function toResult(raw: Record<string, unknown>, ms: number): ExecutionResult {
	const data = (raw.data ?? {}) as { resultData?: { runData?: Record<string, NodeRun[]>; lastNodeExecuted?: string; error?: ExecutionError } };
	const resultData = data.resultData ?? {};
	const runData = resultData.runData ?? {};
	const last = resultData.lastNodeExecuted;
	const runs = last ? runData[last] : undefined;
	const lastRun = runs?.[runs.length - 1];
	const lastNodeOutput = lastRun?.data?.main?.[0] ?? [];
	let error: ExecutionError | undefined;
	if (resultData.error) {
		const e = resultData.error as Record<string, unknown>;
		const node = e.node as { name?: unknown } | string | undefined;
		error = {
			...e,
			message: String(e.message ?? 'unknown error'),
			node:
				(typeof node === 'string' ? node : typeof node?.name === 'string' ? node.name : undefined) ??
				Object.entries(runData).find(([, nodeRuns]) => nodeRuns.some((r) => r.error))?.[0] ??
				last,
		};
	}
	return {
		status: String(raw.status ?? (error ? 'error' : 'unknown')),
		finished: raw.finished === true,
		runData,
		lastNodeExecuted: last,
		lastNodeOutput,
		error,
		raw,
		ms,
	};
}

/** The process was killed (a signal, or a failpoint that announced itself) rather than ending on its own. */
function killedExecution(out: RunResult): KilledExecution | undefined {
	const failpoints = firedFailpoints(out);
	if (out.signal === null && failpoints.length === 0) return undefined;
	return { signal: out.signal, code: out.code, failpoints, output: readableOutput(out), ms: out.ms };
}

/** Extracts the execution n8n logged (the last message that is a JSON object with `data.resultData`). */
export function parseExecution(stdout: string): Record<string, unknown> | undefined {
	const { entries } = parseLogLines(stdout);
	for (let i = entries.length - 1; i >= 0; i--) {
		const message = entries[i]?.message ?? '';
		if (!message.startsWith('{')) continue;
		try {
			const parsed = JSON.parse(message) as Record<string, unknown>;
			const data = parsed.data as { resultData?: unknown } | undefined;
			if (data && typeof data === 'object' && data.resultData) return parsed;
		} catch {
			// not the execution
		}
	}
	return undefined;
}

/** Items of one node's output (default: its first output, last run). */
export function nodeOutput(result: ExecutionResult, nodeName: string, output = 0): NodeExecutionItem[] {
	const runs = result.runData[nodeName];
	if (!runs || runs.length === 0) {
		throw new Error(`node "${nodeName}" did not run; nodes that ran: ${Object.keys(result.runData).join(', ') || 'none'}`);
	}
	return runs[runs.length - 1]?.data?.main?.[output] ?? [];
}

/** The owner account `N8nHost.rest()` sets up on a fresh instance and logs in with. */
export const DEFAULT_OWNER = { email: 'owner@adops.test', firstName: 'AdOps', lastName: 'Owner', password: 'AdOps-Test-Owner-1' } as const;

export interface RestResponse<T = unknown> {
	status: number;
	/** The parsed JSON body (n8n wraps results in `{ data }`), or the text when it is not JSON. */
	body: T;
}

/**
 * A logged-in client of n8n's internal REST API (`/rest/...`, what the editor
 * calls): it keeps the `n8n-auth` cookie and sends the `browser-id` header the
 * cookie is bound to, as the editor does.
 */
export class N8nRestClient {
	constructor(
		readonly baseUrl: string,
		private readonly cookie: string,
		private readonly browserId: string,
	) {}

	/** One request; never throws on an HTTP error status (see `status`). */
	async request<T = unknown>(method: string, path: string, body?: unknown): Promise<RestResponse<T>> {
		const response = await fetch(`${this.baseUrl}/rest${path}`, {
			method,
			headers: { cookie: this.cookie, 'browser-id': this.browserId, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
			body: body === undefined ? undefined : JSON.stringify(body),
		});
		return { status: response.status, body: (await readBody(response)) as T };
	}

	/** `request` for a 2xx answer; returns n8n's `data`, throws with n8n's message otherwise. */
	async data<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
		const { status, body: answer } = await this.request<{ data?: T; message?: string }>(method, path, body);
		if (status < 200 || status > 299) {
			throw new Error(`n8n ${method} /rest${path} answered HTTP ${status}: ${typeof answer === 'string' ? answer : (answer?.message ?? JSON.stringify(answer))}`);
		}
		return answer.data as T;
	}
}

async function readBody(response: Response): Promise<unknown> {
	const text = await response.text();
	try {
		return JSON.parse(text) as unknown;
	} catch {
		return text;
	}
}

export class N8nHost {
	private server: ChildProcess | undefined;
	private serverOutput = '';
	private serverUrl: string | undefined;

	constructor(
		readonly userFolder: string,
		readonly install: N8nInstall,
		private readonly env: Record<string, string | undefined>,
		private readonly timeoutMs: number,
		private readonly ownsUserFolder: boolean,
	) {}

	/** Base URL of the running server (after `start()`), e.g. http://127.0.0.1:5678 */
	get url(): string {
		if (!this.serverUrl) throw new Error('n8n is not running: call start() first');
		return this.serverUrl;
	}

	/** The environment every n8n process of this host gets. */
	async processEnv(extra: Record<string, string> = {}, overrides: Record<string, string | undefined> = {}): Promise<NodeJS.ProcessEnv> {
		const inherited: NodeJS.ProcessEnv = {};
		for (const [key, value] of Object.entries(process.env)) {
			// Hosts are hermetic: a developer's own n8n settings must not leak in.
			if (/^(N8N_|DB_|EXECUTIONS_|QUEUE_|NODES_|GENERIC_TIMEZONE$)/.test(key)) continue;
			inherited[key] = value;
		}
		const env: NodeJS.ProcessEnv = {
			...inherited,
			PATH: pathWithThisNode(),
			N8N_USER_FOLDER: this.userFolder,
			N8N_ENCRYPTION_KEY: DEFAULT_ENCRYPTION_KEY,
			DB_TYPE: 'sqlite',
			N8N_LOG_FORMAT: 'json',
			N8N_LOG_LEVEL: 'info',
			N8N_LOG_OUTPUT: 'console',
			N8N_DIAGNOSTICS_ENABLED: 'false',
			N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
			N8N_TEMPLATES_ENABLED: 'false',
			N8N_PERSONALIZATION_ENABLED: 'false',
			N8N_HIRING_BANNER_ENABLED: 'false',
			N8N_COMMUNITY_PACKAGES_ENABLED: 'true',
			N8N_REINSTALL_MISSING_PACKAGES: 'false',
			N8N_SECURE_COOKIE: 'false',
			N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'true',
			N8N_RUNNERS_MODE: 'internal',
			N8N_RUNNERS_BROKER_LISTEN_ADDRESS: '127.0.0.1',
			N8N_RUNNERS_BROKER_PORT: String(await freePort()),
			// 2.40.7 activates published workflows through an outbox polled every
			// 15 s by default; the classic path activates them during boot, before
			// "Editor is now accessible", so start() returns with triggers live.
			N8N_USE_WORKFLOW_PUBLICATION_SERVICE: 'false',
			GENERIC_TIMEZONE: 'UTC',
			...extra,
		};
		for (const [key, value] of [...Object.entries(this.env), ...Object.entries(overrides)]) {
			if (value === undefined) delete env[key];
			else env[key] = value;
		}
		return env;
	}

	/** Runs one n8n CLI command (e.g. `['list:workflow']`) to completion. */
	async cli(args: readonly string[], options: { timeoutMs?: number; env?: Record<string, string | undefined> } = {}): Promise<RunResult> {
		return run(process.execPath, [this.install.bin, ...args], {
			cwd: this.userFolder,
			env: await this.processEnv({}, options.env),
			timeoutMs: options.timeoutMs ?? this.timeoutMs,
		});
	}

	private async cliOk(args: readonly string[]): Promise<RunResult> {
		const result = await this.cli(args);
		// Several import commands log their failure and still exit 0: look for error lines too.
		const { entries } = parseLogLines(result.stdout);
		const errors = entries.filter((e) => e.level === 'error');
		if (result.code !== 0 || errors.length > 0) {
			const first = errors.find((e) => e.message.trim() !== '')?.message ?? `exit code ${result.code ?? result.signal}`;
			throw new N8nHostError(`n8n ${args[0] ?? ''} failed: ${first}\n--- n8n output (tail) ---\n${readableOutput(result)}`, readableOutput(result, 80));
		}
		return result;
	}

	private async writeInput(name: string, value: unknown): Promise<string> {
		const dir = join(this.userFolder, 'imports');
		await mkdir(dir, { recursive: true });
		const file = join(dir, `${name}-${Date.now()}-${randomBytes(3).toString('hex')}.json`);
		await writeFile(file, JSON.stringify(value), 'utf8');
		return file;
	}

	/** Imports credentials with plain `data`; n8n encrypts them with this host's key. One n8n process. */
	async importCredentials(credentials: readonly CredentialInput[]): Promise<void> {
		if (credentials.length === 0) return;
		for (const c of credentials) {
			if (!c.id || !c.name || !c.type || typeof c.data !== 'object' || c.data === null) {
				throw new Error(`credential needs id, name, type and data: ${JSON.stringify({ ...c, data: c.data ? '…' : c.data })}`);
			}
		}
		const file = await this.writeInput('credentials', credentials);
		try {
			await this.cliOk(['import:credentials', `--input=${file}`]);
		} finally {
			// The file holds secrets in plain text.
			await rm(file, { force: true });
		}
	}

	/** Imports workflows (kept ids, or generated ones) in one n8n process; returns their ids. */
	async importWorkflows(workflows: readonly WorkflowInput[]): Promise<string[]> {
		if (workflows.length === 0) return [];
		const prepared = workflows.map((w) => {
			if (!Array.isArray(w.nodes) || typeof w.connections !== 'object' || w.connections === null) {
				throw new Error(`workflow "${w.name}" needs nodes (array) and connections (object)`);
			}
			const id = w.id ?? randomBytes(12).toString('base64url').replace(/[-_]/g, 'x').slice(0, 16);
			return { active: false, settings: {}, ...w, id };
		});
		const file = await this.writeInput('workflows', prepared);
		await this.cliOk(['import:workflow', `--input=${file}`]);
		return prepared.map((w) => w.id);
	}

	/** Imports one workflow; returns its id. */
	async importWorkflow(workflow: WorkflowInput): Promise<string> {
		const [id] = await this.importWorkflows([workflow]);
		return id as string;
	}

	/**
	 * Runs a workflow once with `n8n execute --id` (from its Manual/first
	 * trigger). A node failing inside the workflow throws an N8nHostError that
	 * carries `.result` (or, with `allowError`, returns the result with
	 * `status: 'error'`); n8n failing (unknown workflow, unknown node type,
	 * crash, timeout) always throws, with n8n's output tail in the message; a
	 * process killed by a signal or a failpoint throws an N8nHostError that
	 * says so and carries `.killed` (see `executeKilled`).
	 */
	async execute(workflowId: string, options: ExecuteOptions = {}): Promise<ExecutionResult> {
		const out = await this.executeProcess(workflowId, options);
		const raw = parseExecution(out.stdout);
		const killed = raw ? undefined : killedExecution(out);
		if (killed) {
			const by = killed.failpoints.length > 0 ? `failpoint ${killed.failpoints.join(', ')}` : (killed.signal ?? `exit code ${String(killed.code)}`);
			throw new N8nHostError(
				`n8n was killed while executing workflow ${workflowId} (${killed.signal ?? `exit code ${String(killed.code)}`}, by ${by})\n--- n8n output (tail) ---\n${killed.output}`,
				readableOutput(out, 80),
				undefined,
				killed,
			);
		}
		if (!raw) {
			const { entries } = parseLogLines(out.stdout);
			const reason =
				entries.filter((e) => e.level === 'error' && e.message.trim() !== '' && !/^Error executing workflow/.test(e.message)).pop()?.message ??
				entries.find((e) => /does not exist/.test(e.message))?.message ??
				`no execution data (exit code ${out.code ?? out.signal})`;
			throw new N8nHostError(
				`n8n could not execute workflow ${workflowId}: ${reason}\n--- n8n output (tail) ---\n${readableOutput(out)}`,
				readableOutput(out, 80),
			);
		}
		const result = toResult(raw, out.ms);
		if (result.status !== 'success' && !options.allowError) {
			const where = result.error?.node ? ` in node "${result.error.node}"` : '';
			throw new N8nHostError(
				`workflow ${workflowId} failed${where}: ${result.error?.message ?? result.status}` +
					(result.error?.description ? `\n${result.error.description}` : ''),
				readableOutput(out, 80),
				result,
			);
		}
		return result;
	}

	/**
	 * Runs a workflow once with `n8n execute --id` and expects its process to
	 * be killed (SIGKILL from a failpoint armed through `options.env`, e.g.
	 * `{ ADOPS_FAILPOINTS: 'optimizer.after-platform' }`) before it prints its
	 * execution. Returns what was observed; throws an N8nHostError when the
	 * process ended on its own instead (the failpoint was never reached), with
	 * the workflow's result when there is one.
	 */
	async executeKilled(workflowId: string, options: Omit<ExecuteOptions, 'allowError'> = {}): Promise<KilledExecution> {
		const out = await this.executeProcess(workflowId, options);
		const killed = killedExecution(out);
		if (killed && !parseExecution(out.stdout)) return killed;
		const raw = parseExecution(out.stdout);
		const result = raw ? toResult(raw, out.ms) : undefined;
		const how = result ? `finished with status ${result.status}${result.error ? `: ${result.error.message}` : ''}` : `exited with code ${String(out.code)}`;
		throw new N8nHostError(
			`workflow ${workflowId} was expected to be killed${options.env?.ADOPS_FAILPOINTS ? ` at ${options.env.ADOPS_FAILPOINTS}` : ''}, but n8n ${how}\n--- n8n output (tail) ---\n${readableOutput(out)}`,
			readableOutput(out, 80),
			result,
		);
	}

	private async executeProcess(workflowId: string, options: Omit<ExecuteOptions, 'allowError'>): Promise<RunResult> {
		if (this.server) {
			throw new Error('execute() runs its own n8n process; stop() the server first (both would use the same sqlite file)');
		}
		return this.cli(['execute', `--id=${workflowId}`, '--rawOutput'], { timeoutMs: options.timeoutMs, env: options.env });
	}

	/** Imports and executes a workflow in two n8n processes. */
	async run(workflow: WorkflowInput, options: { allowError?: boolean } = {}): Promise<ExecutionResult> {
		return this.execute(await this.importWorkflow(workflow), options);
	}

	/** Publishes (activates) a workflow; takes effect at the next `start()`. */
	async publishWorkflow(workflowId: string): Promise<void> {
		if (this.server) throw new Error('publish workflows before start(): n8n reads published workflows at boot');
		await this.cliOk(['publish:workflow', `--id=${workflowId}`]);
	}

	/** The node types this n8n knows (`export:nodes`), e.g. to check the package loaded. */
	async nodeTypes(): Promise<string[]> {
		const file = join(this.userFolder, `nodes-${Date.now()}.json`);
		await this.cliOk(['export:nodes', `--output=${file}`]);
		// export:nodes does not wait for its write stream; give it a moment to flush.
		let text = '';
		for (let i = 0; i < 20; i++) {
			text = await readFile(file, 'utf8').catch(() => '');
			if (text.trimEnd().endsWith(']')) break;
			await new Promise((r) => setTimeout(r, 100));
		}
		await rm(file, { force: true });
		const nodes = JSON.parse(text) as Array<{ name: string }>;
		return [...new Set(nodes.map((n) => n.name))].sort();
	}

	/** Runs `n8n start` on 127.0.0.1 and waits until the editor is up and published workflows are active. */
	async start(options: StartOptions = {}): Promise<{ url: string; ms: number }> {
		if (this.server) throw new Error('n8n is already running');
		const started = performance.now();
		const port = options.port ?? (await freePort());
		const url = `http://127.0.0.1:${port}`;
		const env = await this.processEnv({
			N8N_PORT: String(port),
			N8N_LISTEN_ADDRESS: '127.0.0.1',
			N8N_HOST: '127.0.0.1',
			N8N_PROTOCOL: 'http',
			WEBHOOK_URL: `${url}/`,
		});
		const child = spawn(process.execPath, [this.install.bin, 'start'], {
			cwd: this.userFolder,
			env,
			stdio: ['ignore', 'pipe', 'pipe'],
		});
		this.server = child;
		this.serverOutput = '';
		let ready = false;
		const onData = (chunk: Buffer) => {
			this.serverOutput += chunk.toString('utf8');
			if (this.serverOutput.length > 2_000_000) this.serverOutput = this.serverOutput.slice(-1_000_000);
			if (this.serverOutput.includes('Editor is now accessible via')) ready = true;
		};
		child.stdout?.on('data', onData);
		child.stderr?.on('data', onData);
		let exited: string | undefined;
		child.on('exit', (code, signal) => {
			exited = `exit code ${code ?? signal}`;
		});
		const deadline = Date.now() + (options.timeoutMs ?? 120_000);
		for (;;) {
			if (exited) {
				this.server = undefined;
				throw new N8nHostError(`n8n start failed (${exited})\n--- n8n output (tail) ---\n${this.serverLog(40)}`, this.serverLog(80));
			}
			if (ready) {
				const health = await fetch(`${url}/healthz`).then((r) => r.status, () => 0);
				if (health === 200) break;
			}
			if (Date.now() > deadline) {
				await this.stop();
				throw new N8nHostError(`n8n start did not become ready in time\n--- n8n output (tail) ---\n${this.serverLog(40)}`, this.serverLog(80));
			}
			await new Promise((r) => setTimeout(r, 200));
		}
		this.serverUrl = url;
		return { url, ms: performance.now() - started };
	}

	/**
	 * A logged-in client of the running server's REST API, as the editor uses
	 * it: sets up the owner (`POST /rest/owner/setup`) on a fresh instance,
	 * otherwise logs in (`POST /rest/login`) as `owner` (default `DEFAULT_OWNER`).
	 */
	async rest(owner: { email: string; password: string; firstName?: string; lastName?: string } = DEFAULT_OWNER): Promise<N8nRestClient> {
		const browserId = randomBytes(12).toString('hex');
		const post = (path: string, body: unknown) =>
			fetch(`${this.url}/rest${path}`, { method: 'POST', headers: { 'content-type': 'application/json', 'browser-id': browserId }, body: JSON.stringify(body) });
		let response = await post('/owner/setup', { firstName: 'AdOps', lastName: 'Owner', ...owner });
		if (response.status === 400) {
			// Already set up ("Instance owner already setup"): log in instead.
			await response.body?.cancel();
			response = await post('/login', { emailOrLdapLoginId: owner.email, password: owner.password });
		}
		const cookie = response.headers
			.getSetCookie()
			.map((c) => c.split(';')[0] ?? '')
			.find((c) => c.startsWith('n8n-auth='));
		if (!response.ok || !cookie) {
			const answer = await readBody(response);
			throw new N8nHostError(`n8n did not log in ${owner.email} (HTTP ${response.status}): ${JSON.stringify(answer)}`, this.serverLog(40));
		}
		await response.body?.cancel();
		return new N8nRestClient(this.url, cookie, browserId);
	}

	/** The running (or last) server's log, readable, last `lines` lines. */
	serverLog(lines = 50): string {
		return readableOutput({ code: 0, signal: null, stdout: this.serverOutput, stderr: '', ms: 0 }, lines);
	}

	/** Stops the server (SIGTERM, then SIGKILL after 20 s). */
	async stop(): Promise<void> {
		const child = this.server;
		if (!child) return;
		this.server = undefined;
		this.serverUrl = undefined;
		if (child.exitCode !== null || child.signalCode !== null) return;
		await new Promise<void>((resolveStop) => {
			const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
			child.once('exit', () => {
				clearTimeout(timer);
				resolveStop();
			});
			child.kill('SIGTERM');
		});
	}

	/** Kills the server at once (SIGKILL): a crash, nothing is flushed or shut down cleanly. */
	async kill(): Promise<void> {
		const child = this.server;
		if (!child) return;
		this.server = undefined;
		this.serverUrl = undefined;
		if (child.exitCode !== null || child.signalCode !== null) return;
		await new Promise<void>((resolveKill) => {
			child.once('exit', () => resolveKill());
			child.kill('SIGKILL');
		});
	}

	/** Stops the server and removes the user folder if the host created it. */
	async dispose(): Promise<void> {
		await this.stop();
		if (this.ownsUserFolder) await rm(this.userFolder, { recursive: true, force: true });
	}
}

/** Creates a host: a user folder (temporary by default) whose `.n8n/nodes` links to `nodesDir`. */
export async function createN8nHost(options: N8nHostOptions = {}): Promise<N8nHost> {
	const install = options.install ?? (await ensureN8n());
	const owns = options.userFolder === undefined;
	const userFolder = options.userFolder ?? (await mkdtemp(join(tmpdir(), 'adops-n8n-')));
	const n8nFolder = join(userFolder, '.n8n');
	await mkdir(n8nFolder, { recursive: true });
	if (options.nodesDir) {
		const link = join(n8nFolder, 'nodes');
		const existing = await lstat(link).catch(() => undefined);
		if (existing?.isSymbolicLink()) await rm(link, { force: true });
		else if (existing) throw new Error(`${link} exists and is not a link; refusing to replace it with ${options.nodesDir}`);
		await symlink(options.nodesDir, link, 'dir');
	}
	return new N8nHost(userFolder, install, options.env ?? {}, options.timeoutMs ?? 180_000, owns);
}

// n8n 2.40.7 in queue mode for tests and measurements: one main (`n8n start`:
// editor, REST API, triggers and schedules, the leader that enqueues), N
// workers (`n8n worker`: they run the executions), a webhook processor
// (`n8n webhook`: production webhooks, as n8n recommends at scale), n8n's own
// database on PostgreSQL (a database created per cluster) and Bull on Redis
// (a key prefix per cluster). Every process has its own user folder whose
// `.n8n/nodes` links to the folder this package was installed into the way
// n8n's community-package installer does (package.ts), so every worker loads
// the package as it would after `npm install` in its own nodes folder.
//
//   const cluster = await createQueueCluster({ nodesDir, workers: 2, env: { SANDBOX_URL } });
//   await cluster.importCredentials([...]);
//   await cluster.importWorkflows([...]); await cluster.publishWorkflows([id, …]);
//   await cluster.start();                                 // main, webhook processor, workers
//   await cluster.postWebhook('adops-run-optimize', {});   // enqueued, run by a worker
//   await cluster.waitForExecutions({ workflowId: id, count: 1 });
//   await cluster.killWorker(0); await cluster.restartWorker(0);
//   await cluster.dispose();                               // stops all, drops the database and the Bull keys
//
// n8n specifics (2.40.7):
// - `n8n execute` does not use the queue (it runs in its own process): the
//   executions of a queue-mode test start from a published Webhook node (the
//   webhook processor enqueues them) or from a published Schedule Trigger
//   (the main, as leader, enqueues them).
// - Workflows are published with the CLI before the main starts; the main
//   activates them at boot (N8N_USE_WORKFLOW_PUBLICATION_SERVICE=false) and
//   writes their webhooks to `webhook_entity`, which the webhook processor reads.
// - A worker killed mid-job leaves its Bull job locked until the lock
//   expires; n8n 2.x fails a stalled job (stalled count 0) instead of running
//   it again, so the execution is never retried by n8n: the next trigger is
//   what must finish the work without repeating it.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { createConnection } from 'node:net';
import pg from 'pg';
import { DEFAULT_OWNER, N8nRestClient, createN8nHost, freePort, firedFailpoints, parseLogLines, type CredentialInput, type N8nHost, type WorkflowInput } from './host';
import { ensureN8n, type N8nInstall } from './install';
import { tail } from './proc';

export interface QueueClusterOptions {
	/** The n8n nodes folder holding this package (InstalledPackage.nodesDir). */
	nodesDir: string;
	install?: N8nInstall;
	/** Workers to start (default 2). */
	workers?: number;
	/** Jobs each worker runs at once (`--concurrency`, default 5, n8n's minimum advice). */
	concurrency?: number;
	/** Start a webhook processor (default true); without it, production webhooks go to the main. */
	webhookProcessor?: boolean;
	/** PostgreSQL server for n8n's own database (default 127.0.0.1:5432, user postgres, no password). */
	postgres?: { host?: string; port?: number; user?: string; password?: string };
	/** Redis for Bull (default 127.0.0.1:6379). */
	redis?: { host?: string; port?: number };
	/** Extra environment for every n8n process (e.g. SANDBOX_URL). */
	env?: Record<string, string | undefined>;
	/** How long a process may take to become ready, ms (default 300 s: two shared cores, four n8n processes). */
	readyTimeoutMs?: number;
	log?: (message: string) => void;
}

export type QueueRole = 'main' | 'worker' | 'webhook';

/** One n8n process of the cluster. */
export class QueueProcess {
	child: ChildProcess | undefined;
	output = '';
	/** How the last run of this process ended (`exit code 0`, `SIGKILL`), when it did. */
	exited: string | undefined;
	port = 0;
	startedMs = 0;

	constructor(
		readonly role: QueueRole,
		readonly name: string,
		readonly host: N8nHost,
		/** Environment of this process only (e.g. ADOPS_FAILPOINTS for one worker). */
		public env: Record<string, string | undefined> = {},
	) {}

	get running(): boolean {
		return this.child !== undefined && this.exited === undefined;
	}

	/** Failpoints this process announced before it was killed (whole output so far). */
	failpoints(): string[] {
		return firedFailpoints({ stdout: this.output, stderr: '' });
	}

	/** The last `lines` readable lines of this process's output. */
	log(lines = 40): string {
		const { entries, other } = parseLogLines(this.output);
		return tail([...entries.filter((e) => !e.message.startsWith('{')).map((e) => `${e.level}: ${e.message}`), ...other].join('\n'), lines);
	}
}

export interface ExecutionRow {
	id: string;
	workflowId: string;
	status: string;
	finished: boolean;
	mode: string;
	startedAt: Date | null;
	stoppedAt: Date | null;
	createdAt: Date;
}

const DONE = new Set(['success', 'error', 'crashed', 'canceled']);

export class QueueCluster {
	readonly main: QueueProcess;
	readonly webhook: QueueProcess | undefined;
	readonly workers: QueueProcess[] = [];
	private readonly pool: pg.Pool;
	private flatted: { parse(text: string): unknown } | undefined;

	constructor(
		readonly install: N8nInstall,
		private readonly nodesDir: string,
		readonly database: string,
		readonly bullPrefix: string,
		private readonly pgServer: { host: string; port: number; user: string; password?: string },
		readonly redis: { host: string; port: number },
		readonly sharedEnv: Record<string, string | undefined>,
		private readonly concurrency: number,
		private readonly readyTimeoutMs: number,
		main: QueueProcess,
		webhook: QueueProcess | undefined,
		private readonly logFn: (message: string) => void,
	) {
		this.main = main;
		this.webhook = webhook;
		this.pool = new pg.Pool({ ...pgServer, database, max: 2 });
	}

	/** The environment every process of the cluster shares: n8n on PostgreSQL, executions through Bull. */
	static clusterEnv(database: string, bullPrefix: string, pgServer: { host: string; port: number; user: string; password?: string }, redis: { host: string; port: number }): Record<string, string> {
		return {
			DB_TYPE: 'postgresdb',
			DB_POSTGRESDB_HOST: pgServer.host,
			DB_POSTGRESDB_PORT: String(pgServer.port),
			DB_POSTGRESDB_USER: pgServer.user,
			DB_POSTGRESDB_PASSWORD: pgServer.password ?? '',
			DB_POSTGRESDB_DATABASE: database,
			EXECUTIONS_MODE: 'queue',
			QUEUE_BULL_REDIS_HOST: redis.host,
			QUEUE_BULL_REDIS_PORT: String(redis.port),
			QUEUE_BULL_PREFIX: bullPrefix,
			// every execution's data is kept, so a test can read what happened
			EXECUTIONS_DATA_SAVE_ON_SUCCESS: 'all',
			EXECUTIONS_DATA_SAVE_ON_ERROR: 'all',
			EXECUTIONS_DATA_PRUNE: 'false',
			// manual runs from the editor go to the workers too, as in production
			OFFLOAD_MANUAL_EXECUTIONS_TO_WORKERS: 'true',
			QUEUE_HEALTH_CHECK_ACTIVE: 'true',
		};
	}

	/** CLI commands (imports, publishing) use the main's user folder. */
	get host(): N8nHost {
		return this.main.host;
	}

	importCredentials(credentials: readonly CredentialInput[]): Promise<void> {
		return this.host.importCredentials(credentials);
	}

	importWorkflows(workflows: readonly WorkflowInput[]): Promise<string[]> {
		return this.host.importWorkflows(workflows);
	}

	/** Publishes a workflow (before `start()`: the main activates published workflows at boot). */
	publishWorkflow(id: string): Promise<void> {
		return this.host.publishWorkflow(id);
	}

	/**
	 * Publishes workflows in one statement on n8n's database, as
	 * `n8n publish:workflow --id` does for one (WorkflowRepository.publishVersion
	 * in 2.40.7: active, activeVersionId = the current version, which must be
	 * in the workflow's history; archived workflows refused), without booting
	 * the CLI once per workflow (20–40 s each on two shared cores).
	 * Before `start()`, like `publishWorkflow`.
	 */
	async publishWorkflows(ids: readonly string[]): Promise<void> {
		if (this.main.running) throw new Error('publish workflows before start(): the main activates published workflows at boot');
		const { rows } = await this.pool.query<{ id: string }>(
			`UPDATE workflow_entity w SET active = true, "activeVersionId" = w."versionId"
			 WHERE w.id = ANY($1::text[]) AND NOT w."isArchived"
			   AND EXISTS (SELECT 1 FROM workflow_history h WHERE h."workflowId" = w.id AND h."versionId" = w."versionId")
			 RETURNING w.id`,
			[ids],
		);
		const missing = ids.filter((id) => !rows.some((r) => r.id === id));
		if (missing.length > 0) throw new Error(`n8n could not publish ${missing.join(', ')}: not imported, archived, or without its current version in the history`);
	}

	/** Base URL of production webhooks: the webhook processor's, or the main's without one. */
	get webhookBase(): string {
		const p = this.webhook?.running ? this.webhook : this.main;
		return `http://127.0.0.1:${p.port}/webhook`;
	}

	get mainUrl(): string {
		return `http://127.0.0.1:${this.main.port}`;
	}

	/** A logged-in client of the main's REST API (sets the owner up on first use), as the editor uses it. */
	async rest(owner: { email: string; password: string } = DEFAULT_OWNER): Promise<N8nRestClient> {
		const browserId = randomBytes(12).toString('hex');
		const post = (path: string, body: unknown) => fetch(`${this.mainUrl}/rest${path}`, { method: 'POST', headers: { 'content-type': 'application/json', 'browser-id': browserId }, body: JSON.stringify(body) });
		let response = await post('/owner/setup', { firstName: 'AdOps', lastName: 'Owner', ...owner });
		if (response.status === 400) {
			await response.body?.cancel();
			response = await post('/login', { emailOrLdapLoginId: owner.email, password: owner.password });
		}
		const cookie = response.headers.getSetCookie().map((c) => c.split(';')[0] ?? '').find((c) => c.startsWith('n8n-auth='));
		if (!response.ok || !cookie) throw new Error(`n8n did not log in ${owner.email} (HTTP ${response.status}): ${await response.text()}`);
		await response.body?.cancel();
		return new N8nRestClient(this.mainUrl, cookie, browserId);
	}

	/** Publishes a workflow on the running main, as the editor's Publish does (its schedule starts firing). */
	async activate(workflowId: string): Promise<void> {
		// n8n 2.40.7's activate body requires the version to publish: the current one
		const { rows } = await this.pool.query<{ versionId: string }>('SELECT "versionId" FROM workflow_entity WHERE id = $1', [workflowId]);
		if (!rows[0]) throw new Error(`no workflow ${workflowId} in n8n's database`);
		await (await this.rest()).data('POST', `/workflows/${workflowId}/activate`, { versionId: rows[0].versionId });
	}

	/** Unpublishes a workflow on the running main (its schedule stops firing). */
	async deactivate(workflowId: string): Promise<void> {
		await (await this.rest()).data('POST', `/workflows/${workflowId}/deactivate`, {});
	}

	/** POSTs to a published webhook (through the webhook processor); returns the status and the body. */
	async postWebhook(path: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; text: string }> {
		const raw = typeof body === 'string' ? body : JSON.stringify(body);
		const response = await fetch(`${this.webhookBase}/${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: raw });
		return { status: response.status, text: await response.text() };
	}

	/**
	 * Starts the main, then the webhook processor, then the workers, one at a
	 * time (on two shared cores, n8n processes booting together starve each
	 * other), and waits until each is ready.
	 */
	async start(): Promise<void> {
		await this.startProcess(this.main);
		if (this.webhook) await this.startProcess(this.webhook);
		for (const w of this.workers) await this.startProcess(w);
	}

	/** Adds a worker (started unless `start: false`); `env` is its own (e.g. `{ ADOPS_FAILPOINTS: 'optimizer.after-ledger' }`). */
	async addWorker(env: Record<string, string | undefined> = {}, options: { start?: boolean } = {}): Promise<QueueProcess> {
		const index = this.workers.length;
		const host = await createN8nHost({ install: this.install, nodesDir: this.nodesDir, env: this.sharedEnv });
		const worker = new QueueProcess('worker', `worker-${index + 1}`, host, env);
		this.workers.push(worker);
		if (options.start !== false) await this.startProcess(worker);
		return worker;
	}

	private commandOf(p: QueueProcess): string[] {
		if (p.role === 'main') return ['start'];
		if (p.role === 'webhook') return ['webhook'];
		return ['worker', `--concurrency=${this.concurrency}`];
	}

	/** Starts one process (again) and waits until its HTTP health answers. */
	async startProcess(p: QueueProcess): Promise<void> {
		if (p.running) throw new Error(`${p.name} is already running`);
		const started = performance.now();
		p.port ||= await freePort();
		const extra: Record<string, string> =
			p.role === 'worker'
				? { QUEUE_HEALTH_CHECK_PORT: String(p.port), N8N_WORKER_SERVER_ADDRESS: '127.0.0.1' }
				: {
						N8N_PORT: String(p.port),
						N8N_LISTEN_ADDRESS: '127.0.0.1',
						N8N_HOST: '127.0.0.1',
						N8N_PROTOCOL: 'http',
						WEBHOOK_URL: `http://127.0.0.1:${this.webhook?.port ?? p.port}/`,
					};
		const env = await p.host.processEnv(extra, p.env);
		p.exited = undefined;
		p.output += `\n--- ${p.name} started at ${new Date().toISOString()} ---\n`;
		const child = spawn(process.execPath, [this.install.bin, ...this.commandOf(p)], { cwd: p.host.userFolder, env, stdio: ['ignore', 'pipe', 'pipe'] });
		p.child = child;
		const onData = (chunk: Buffer) => {
			p.output += chunk.toString('utf8');
			if (p.output.length > 4_000_000) p.output = p.output.slice(-2_000_000);
		};
		child.stdout?.on('data', onData);
		child.stderr?.on('data', onData);
		child.on('exit', (code, signal) => {
			p.exited = signal ?? `exit code ${String(code)}`;
		});
		const health = p.role === 'worker' ? '/healthz/readiness' : '/healthz';
		const deadline = Date.now() + this.readyTimeoutMs;
		for (;;) {
			if (p.exited) throw new Error(`${p.name} (n8n ${this.commandOf(p).join(' ')}) ended while starting (${p.exited})\n${p.log(40)}`);
			const status = await fetch(`http://127.0.0.1:${p.port}${health}`).then((r) => r.status, () => 0);
			// the main answers /healthz before it has activated the published workflows
			if (status === 200 && (p.role !== 'main' || p.output.includes('Editor is now accessible via'))) break;
			if (Date.now() > deadline) {
				await this.killProcess(p);
				throw new Error(`${p.name} did not become ready within ${this.readyTimeoutMs} ms\n${p.log(40)}`);
			}
			await new Promise((r) => setTimeout(r, 250));
		}
		p.startedMs = performance.now() - started;
		this.logFn(`${p.name} ready in ${(p.startedMs / 1000).toFixed(1)} s`);
	}

	/** SIGKILL: a crash, nothing flushed. */
	async killProcess(p: QueueProcess): Promise<void> {
		const child = p.child;
		if (!child || p.exited) return;
		await new Promise<void>((resolveKill) => {
			child.once('exit', () => resolveKill());
			child.kill('SIGKILL');
		});
	}

	/** SIGTERM (n8n waits for running jobs up to its graceful shutdown timeout), then SIGKILL after `graceMs`. */
	async stopProcess(p: QueueProcess, graceMs = 35_000): Promise<void> {
		const child = p.child;
		if (!child || p.exited) return;
		await new Promise<void>((resolveStop) => {
			const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
			child.once('exit', () => {
				clearTimeout(timer);
				resolveStop();
			});
			child.kill('SIGTERM');
		});
	}

	/** Waits until a process ends by itself (e.g. killed by its failpoint); returns how it ended. */
	async waitForExit(p: QueueProcess, timeoutMs = 120_000): Promise<string> {
		const deadline = Date.now() + timeoutMs;
		while (!p.exited) {
			if (Date.now() > deadline) throw new Error(`${p.name} did not end within ${timeoutMs} ms\n${p.log(30)}`);
			await new Promise((r) => setTimeout(r, 100));
		}
		return p.exited;
	}

	async killWorker(index: number): Promise<void> {
		await this.killProcess(this.worker(index));
	}

	/** Starts a worker again (after a kill or a stop), with `env` replacing its own environment when given. */
	async restartWorker(index: number, env?: Record<string, string | undefined>): Promise<void> {
		const w = this.worker(index);
		if (w.running) await this.killProcess(w);
		if (env) w.env = env;
		await this.startProcess(w);
	}

	worker(index: number): QueueProcess {
		const w = this.workers[index];
		if (!w) throw new Error(`no worker ${index} (the cluster has ${this.workers.length})`);
		return w;
	}

	/** n8n's executions (its `execution_entity` table), oldest first. */
	async executions(filter: { workflowId?: string; sinceId?: number } = {}): Promise<ExecutionRow[]> {
		const { rows } = await this.pool.query<ExecutionRow & { id: string | number }>(
			`SELECT id::text AS id, "workflowId", status, finished, mode, "startedAt", "stoppedAt", "createdAt" FROM execution_entity
			 WHERE ($1::text IS NULL OR "workflowId" = $1) AND id > $2 ORDER BY id`,
			[filter.workflowId ?? null, filter.sinceId ?? 0],
		);
		return rows;
	}

	/** The highest execution id so far (0 when none): pass it as `sinceId` to look at later executions only. */
	async lastExecutionId(): Promise<number> {
		const { rows } = await this.pool.query<{ id: string | null }>('SELECT max(id)::text AS id FROM execution_entity');
		return Number(rows[0]?.id ?? 0);
	}

	/** Waits until `count` executions (of a workflow, after `sinceId`) have ended; returns them. */
	async waitForExecutions(filter: { workflowId?: string; sinceId?: number; count: number; timeoutMs?: number }): Promise<ExecutionRow[]> {
		const deadline = Date.now() + (filter.timeoutMs ?? 180_000);
		for (;;) {
			const rows = await this.executions(filter);
			const done = rows.filter((r) => DONE.has(r.status));
			if (done.length >= filter.count) return done;
			if (Date.now() > deadline) {
				throw new Error(
					`timed out waiting for ${filter.count} finished executions${filter.workflowId ? ` of workflow ${filter.workflowId}` : ''}: ` +
						`${rows.map((r) => `#${r.id} ${r.status}`).join(', ') || 'none'}\n${this.logs(15)}`,
				);
			}
			await new Promise((r) => setTimeout(r, 300));
		}
	}

	/** One execution's run data (n8n stores it with `flatted`): node name → runs, and the error if any. */
	async executionData(id: string): Promise<{ runData: Record<string, Array<{ data?: { main?: Array<Array<{ json: Record<string, unknown> }> | null> }; error?: { message?: string } }>>; error?: { message?: string; node?: { name?: string } } }> {
		const { rows } = await this.pool.query<{ data: string }>('SELECT data FROM execution_data WHERE "executionId" = $1', [id]);
		if (!rows[0]) throw new Error(`execution ${id} has no stored data`);
		this.flatted ??= createRequire(join(this.install.dir, 'node_modules', 'n8n', 'package.json'))('flatted') as { parse(text: string): unknown };
		const parsed = this.flatted.parse(rows[0].data) as { resultData?: { runData?: Record<string, never[]>; error?: { message?: string; node?: { name?: string } } } };
		return { runData: parsed.resultData?.runData ?? {}, error: parsed.resultData?.error };
	}

	/** The readable tail of every process's output. */
	logs(lines = 20): string {
		return [this.main, ...(this.webhook ? [this.webhook] : []), ...this.workers].map((p) => `--- ${p.name} (${p.exited ?? (p.running ? 'running' : 'not started')}) ---\n${p.log(lines)}`).join('\n');
	}

	/** Stops every process, drops n8n's database and the cluster's Bull keys, removes the user folders. */
	async dispose(): Promise<void> {
		const all = [...this.workers, ...(this.webhook ? [this.webhook] : []), this.main];
		await Promise.all(all.map((p) => this.stopProcess(p, 10_000)));
		await this.pool.end().catch(() => undefined);
		const admin = new pg.Client({ ...this.pgServer, database: 'postgres' });
		await admin.connect();
		try {
			await admin.query(`DROP DATABASE IF EXISTS "${this.database}" WITH (FORCE)`);
		} finally {
			await admin.end();
		}
		await deleteRedisKeys(this.redis, `${this.bullPrefix}:*`).catch(() => undefined);
		await Promise.all(all.map((p) => p.host.dispose()));
	}
}

/** Minimal RESP client: enough to SCAN and DEL the cluster's Bull keys without another dependency. */
async function deleteRedisKeys(redis: { host: string; port: number }, pattern: string): Promise<number> {
	const socket = createConnection(redis.port, redis.host);
	await new Promise<void>((resolve, reject) => {
		socket.once('connect', () => resolve());
		socket.once('error', reject);
	});
	let buffer = '';
	socket.on('data', (d: Buffer) => {
		buffer += d.toString('utf8');
	});
	const command = async (...args: string[]): Promise<string> => {
		buffer = '';
		socket.write(`*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`);
		const deadline = Date.now() + 5000;
		// a reply is complete when it parses; SCAN and DEL replies are small
		for (;;) {
			const parsed = parseResp(buffer);
			if (parsed !== undefined) return parsed;
			if (Date.now() > deadline) throw new Error(`redis did not answer ${args[0]}`);
			await new Promise((r) => setTimeout(r, 5));
		}
	};
	let cursor = '0';
	let deleted = 0;
	try {
		do {
			const reply = JSON.parse(await command('SCAN', cursor, 'MATCH', pattern, 'COUNT', '1000')) as [string, string[]];
			cursor = reply[0];
			if (reply[1].length > 0) deleted += Number(await command('DEL', ...reply[1]));
		} while (cursor !== '0');
	} finally {
		socket.end();
	}
	return deleted;
}

/** Parses one RESP reply into JSON text (arrays) or a scalar string; undefined while incomplete. */
function parseResp(text: string): string | undefined {
	const read = (at: number): [unknown, number] | undefined => {
		const end = text.indexOf('\r\n', at);
		if (end < 0) return undefined;
		const type = text[at];
		const head = text.slice(at + 1, end);
		if (type === '+' || type === ':' || type === '-') return [head, end + 2];
		if (type === '$') {
			const len = Number(head);
			if (len < 0) return [null, end + 2];
			if (text.length < end + 2 + len + 2) return undefined;
			return [text.slice(end + 2, end + 2 + len), end + 2 + len + 2];
		}
		if (type === '*') {
			const n = Number(head);
			const items: unknown[] = [];
			let pos = end + 2;
			for (let i = 0; i < n; i++) {
				const r = read(pos);
				if (!r) return undefined;
				items.push(r[0]);
				pos = r[1];
			}
			return [items, pos];
		}
		return undefined;
	};
	const r = read(0);
	if (!r) return undefined;
	return typeof r[0] === 'string' ? r[0] : JSON.stringify(r[0]);
}

/** Creates n8n's database, the main (and the webhook processor and workers, not started yet). */
export async function createQueueCluster(options: QueueClusterOptions): Promise<QueueCluster> {
	const install = options.install ?? (await ensureN8n());
	const pgServer = { host: options.postgres?.host ?? '127.0.0.1', port: options.postgres?.port ?? 5432, user: options.postgres?.user ?? 'postgres', password: options.postgres?.password };
	const redis = { host: options.redis?.host ?? '127.0.0.1', port: options.redis?.port ?? 6379 };
	const id = randomBytes(4).toString('hex');
	const database = `n8n_queue_${id}`;
	const bullPrefix = `adops-queue-${id}`;
	const admin = new pg.Client({ ...pgServer, database: 'postgres' });
	await admin.connect();
	try {
		await admin.query(`CREATE DATABASE "${database}"`);
	} finally {
		await admin.end();
	}
	const sharedEnv = { ...QueueCluster.clusterEnv(database, bullPrefix, pgServer, redis), ...(options.env ?? {}) };
	const hostFor = () => createN8nHost({ install, nodesDir: options.nodesDir, env: sharedEnv });
	const main = new QueueProcess('main', 'main', await hostFor());
	const webhook = options.webhookProcessor === false ? undefined : new QueueProcess('webhook', 'webhook', await hostFor());
	// ports known before anything starts: the main announces the webhook processor's URL (WEBHOOK_URL)
	main.port = await freePort();
	if (webhook) webhook.port = await freePort();
	const log = options.log ?? ((m: string) => process.stderr.write(`[n8n-queue] ${m}\n`));
	const cluster = new QueueCluster(install, options.nodesDir, database, bullPrefix, pgServer, redis, sharedEnv, options.concurrency ?? 5, options.readyTimeoutMs ?? 300_000, main, webhook, log);
	for (let i = 0; i < (options.workers ?? 2); i++) await cluster.addWorker({}, { start: false });
	return cluster;
}

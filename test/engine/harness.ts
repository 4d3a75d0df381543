/**
 * The engine harness: this package's nodes and credentials run in-process by
 * n8n-core's WorkflowExecute (n8n-core 2.40.3, the version n8n 2.40.7 ships),
 * the way n8n tests its own nodes (packages/core/nodes-testing:
 * NodeTestHarness, CredentialsHelper, NodeTypes), without a CLI start.
 *
 *   const engine = await startEngine();               // sandbox + store + credentials
 *   const run = await engine.run(workflowJson);        // or engine.run('ingest.json')
 *   run.items('Optimizer', 0)                          // items of output 0 of the node's last run
 *   await engine.close();
 *
 * - Our node and credential types load from source (TypeScript through vite) or,
 *   with ADOPS_ENGINE_FROM=dist, from the built dist/ the package.json `n8n` section lists.
 * - Built-in nodes (Manual Trigger, Merge, Sticky Note, …) are n8n's own, from the
 *   n8n 2.40.7 install the e2e suite uses (scripts/n8n-host/install.ts; cached).
 * - Credentials are the sandbox's (scripts/sandbox/n8n-credentials.ts) by type; the
 *   AdOps Store credential points at a fresh PGlite folder, or a throw-away schema
 *   of DATABASE_URL (test/helpers/store.ts).
 */
import { mkdtempSync, mkdirSync, readFileSync, existsSync, readdirSync, cpSync, renameSync, rmSync, statSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createRequire } from 'node:module';

// n8n-core's InstanceSettings writes a settings file under the user folder: keep it in a temp folder.
process.env.N8N_USER_FOLDER ??= mkdtempSync(join(tmpdir(), 'adops-engine-n8n-'));

import type {
	ICredentialDataDecryptedObject,
	ICredentialType,
	ICredentialTypes,
	IDataObject,
	IHttpRequestOptions,
	INode,
	INodeCredentialsDetails,
	INodeExecutionData,
	INodeType,
	INodeTypes,
	IRun,
	IRunExecutionData,
	ITaskData,
	IVersionedNodeType,
	IWorkflowBase,
	IWorkflowExecuteAdditionalData,
	IConnections,
	WorkflowExecuteMode,
} from 'n8n-workflow';
import { ICredentialsHelper, NodeHelpers, Workflow } from 'n8n-workflow';
import { ExecutionLifecycleHooks, WorkflowExecute } from 'n8n-core';
import { startSandbox, sandboxN8nCredentials, type Sandbox } from '../../scripts/sandbox';
import { ensureN8n } from '../../scripts/n8n-host/install';
import { testStore, type TestStore } from '../helpers/store';
import { defaultMigrationsDir, openStore } from '../../nodes/shared/store';

export const ROOT = resolve(__dirname, '..', '..');
const PACKAGE = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { name: string; n8n: { nodes: string[]; credentials: string[] } };
export const PREFIX = `${PACKAGE.name}.`;

type AnyNodeType = INodeType | IVersionedNodeType;

// Idle keep-alive sockets: the sandbox keeps them 65 s (scripts/sandbox/server.ts), longer than undici's
// clients do, so the clients run with their own defaults here, as in n8n.

/** dist/nodes/X/X.node.js → nodes/X/X.node.ts (source) or the dist file itself. */
function modulePath(distPath: string): string {
	if (process.env.ADOPS_ENGINE_FROM === 'dist') {
		const file = join(ROOT, distPath);
		if (!existsSync(file)) throw new Error(`ADOPS_ENGINE_FROM=dist but ${distPath} is missing: run npm run build`);
		return file;
	}
	return join(ROOT, distPath.replace(/^dist\//, '').replace(/\.js$/, '.ts'));
}

async function loadClasses<T>(paths: string[]): Promise<T[]> {
	const out: T[] = [];
	for (const p of paths) {
		const mod = (await import(modulePath(p))) as Record<string, new () => T>;
		const classes = Object.values(mod).filter((v) => typeof v === 'function');
		if (classes.length !== 1) throw new Error(`${p} exports ${classes.length} classes, expected one`);
		out.push(new classes[0]!());
	}
	return out;
}

/** n8n's built-in node types, loaded lazily from the cached n8n 2.40.7 install. */
class BuiltInNodes {
	private requireFromN8n?: NodeRequire;
	private readonly cache = new Map<string, AnyNodeType>();
	private static readonly FILES: Record<string, string> = {
		manualTrigger: 'ManualTrigger/ManualTrigger.node.js',
		scheduleTrigger: 'Schedule/ScheduleTrigger.node.js',
		merge: 'Merge/Merge.node.js',
		stickyNote: 'StickyNote/StickyNote.node.js',
		noOp: 'NoOp/NoOp.node.js',
		set: 'Set/Set.node.js',
		if: 'If/If.node.js',
		webhook: 'Webhook/Webhook.node.js',
		errorTrigger: 'ErrorTrigger/ErrorTrigger.node.js',
		respondToWebhook: 'RespondToWebhook/RespondToWebhook.node.js',
		httpRequest: 'HttpRequest/HttpRequest.node.js',
	};

	async init(): Promise<void> {
		const install = await ensureN8n({ log: () => {} });
		this.requireFromN8n = createRequire(join(install.dir, 'node_modules', 'n8n-nodes-base', 'package.json'));
	}

	get(name: string): AnyNodeType | undefined {
		const short = name.replace(/^n8n-nodes-base\./, '');
		if (short === name) return undefined;
		const file = BuiltInNodes.FILES[short];
		if (!file) throw new Error(`the engine harness has no entry for the built-in node ${name}; add it to BuiltInNodes.FILES`);
		let type = this.cache.get(short);
		if (!type) {
			const mod = this.requireFromN8n!(`./dist/nodes/${file}`) as Record<string, new () => AnyNodeType>;
			const cls = Object.values(mod).find((v) => typeof v === 'function')!;
			type = new cls();
			this.cache.set(short, type);
		}
		return type;
	}
}

export class EngineNodeTypes implements INodeTypes {
	constructor(
		readonly ours: Map<string, AnyNodeType>,
		private readonly builtIn: BuiltInNodes,
	) {}

	getByName(type: string): AnyNodeType {
		const found = this.ours.get(type) ?? this.builtIn.get(type);
		if (!found) throw new Error(`unknown node type ${type}`);
		return found;
	}

	getByNameAndVersion(type: string, version?: number): INodeType {
		return NodeHelpers.getVersionedNodeType(this.getByName(type), version);
	}

	getKnownTypes() {
		return {};
	}
}

class EngineCredentialTypes implements ICredentialTypes {
	constructor(private readonly types: Map<string, ICredentialType>) {}
	recognizes(name: string) {
		return this.types.has(name);
	}
	getByName(name: string): ICredentialType {
		const t = this.types.get(name);
		if (!t) throw new Error(`unknown credential type ${name}`);
		return t;
	}
	getSupportedNodes() {
		return [];
	}
	getParentTypes() {
		return [];
	}
}

/** n8n's test CredentialsHelper, as in packages/core/nodes-testing: decrypted values by type from a map. */
export class EngineCredentialsHelper extends ICredentialsHelper {
	values: Record<string, ICredentialDataDecryptedObject> = {};
	constructor(private readonly credentialTypes: EngineCredentialTypes) {
		super();
	}
	/** As n8n's: the types a credential type extends, nearest first (`oAuth2Api` makes n8n's request helpers use OAuth2). */
	getParentTypes(typeName: string): string[] {
		const parents = this.credentialTypes.recognizes(typeName) ? (this.credentialTypes.getByName(typeName).extends ?? []) : [];
		return parents.flatMap((p) => [p, ...this.getParentTypes(p)]);
	}
	async authenticate(credentials: ICredentialDataDecryptedObject, typeName: string, requestParams: IHttpRequestOptions): Promise<IHttpRequestOptions> {
		const type = this.credentialTypes.getByName(typeName);
		if (typeof type.authenticate === 'function') return type.authenticate(credentials, requestParams);
		return requestParams;
	}
	async preAuthentication() {
		return undefined;
	}
	async runPreAuthentication() {
		return undefined;
	}
	/** As n8n's: a credential type that names supportedNodes is usable by those only. */
	isCredentialUsableByNode(credentialType: string, nodeType: string): boolean {
		const supported = (this.credentialTypes.getByName(credentialType) as ICredentialType & { supportedNodes?: string[] }).supportedNodes;
		return !supported || supported.includes(nodeType);
	}
	async getCredentials(): Promise<never> {
		throw new Error('the engine harness resolves credentials through getDecrypted only');
	}
	async getDecrypted(_additionalData: IWorkflowExecuteAdditionalData, nodeCredentials: INodeCredentialsDetails, type: string): Promise<ICredentialDataDecryptedObject> {
		if (!this.credentialTypes.recognizes(type)) throw new Error(`unknown credential type ${type}`);
		const byId = this.values[`${type}#${nodeCredentials.id}`];
		const value = byId ?? this.values[type];
		if (!value) throw new Error(`no test value for credential ${type} (${nodeCredentials.name})`);
		return structuredClone(value);
	}
	async updateCredentials() {}
	/** As n8n's, which stores the renewed token with the credential: later reads get it. */
	async updateCredentialsOauthTokenData(nodeCredentials: INodeCredentialsDetails, type: string, data: ICredentialDataDecryptedObject): Promise<void> {
		const key = this.values[`${type}#${nodeCredentials.id}`] ? `${type}#${nodeCredentials.id}` : type;
		if (this.values[key]) this.values[key] = { ...this.values[key], oauthTokenData: structuredClone(data.oauthTokenData) };
	}
	getCredentialsProperties() {
		return [];
	}
}

export interface EngineRun {
	run: IRun;
	status: IRun['status'];
	/** The workflow-level error (a node that failed without Continue On Fail). */
	error: IRun['data']['resultData']['error'];
	/** Node names in the order they finished. */
	order: string[];
	/** The items on `output` of the node's last run (throws when the node did not run). */
	items(node: string, output?: number): INodeExecutionData[];
	/** Every output of the node's last run. */
	outputs(node: string): INodeExecutionData[][];
	/** The node's task data (every run). */
	tasks(node: string): ITaskData[];
	ran(node: string): boolean;
}

export interface WorkflowJson {
	id?: string;
	name?: string;
	nodes: INode[];
	connections: IConnections;
	settings?: IWorkflowBase['settings'];
	pinData?: unknown;
}

export interface RunOptions {
	/** The node to start from (default: "Run Now", else the first enabled manual trigger, else the first node without inputs). */
	start?: string;
	/** Items the start node outputs (pinned on a trigger; default: one empty item). */
	input?: INodeExecutionData[];
	mode?: WorkflowExecuteMode;
}

/** A node for `runNode`: type without the package prefix is ours; parameters as typed in the editor. */
export type EngineNode = Omit<Partial<INode>, 'parameters'> & { type: string; parameters: Record<string, unknown> };

export interface Engine {
	sandbox: Sandbox;
	store: TestStore;
	nodeTypes: EngineNodeTypes;
	credentials: EngineCredentialsHelper;
	/** Credential references for a node, with the ids the bundled workflows use. */
	credentialRef(type: string): Record<string, { id: string; name: string }>;
	run(workflow: WorkflowJson | string, options?: RunOptions): Promise<EngineRun>;
	/** One node after a manual trigger; `items` are its input. */
	runNode(node: EngineNode, items?: Array<Record<string, unknown>> | INodeExecutionData[], options?: { continueOnFail?: boolean }): Promise<EngineRun & { node: string }>;
	close(): Promise<void>;
}

export function readWorkflow(file: string): WorkflowJson {
	return JSON.parse(readFileSync(join(ROOT, 'workflows', file), 'utf8')) as WorkflowJson;
}

let loaded: Promise<{ ours: Map<string, AnyNodeType>; creds: Map<string, ICredentialType>; builtIn: BuiltInNodes }> | undefined;

/** Our node and credential types (once per test file). */
export function loadTypes() {
	loaded ??= (async () => {
		const nodes = await loadClasses<AnyNodeType>(PACKAGE.n8n.nodes);
		const creds = await loadClasses<ICredentialType>(PACKAGE.n8n.credentials);
		const builtIn = new BuiltInNodes();
		await builtIn.init();
		return {
			ours: new Map(nodes.map((n) => [`${PREFIX}${n.description.name}`, n])),
			creds: new Map(creds.map((c) => [c.name, c])),
			builtIn,
		};
	})();
	return loaded;
}

function taskItems(task: ITaskData | undefined, node: string): INodeExecutionData[][] {
	if (!task) throw new Error(`node "${node}" did not run`);
	if (task.error) throw new Error(`node "${node}" failed: ${task.error.message}`);
	return (task.data?.main ?? []).map((o) => o ?? []);
}

/**
 * A PGlite folder with every migration applied, made once per set of migration files and copied for each
 * engine: applying the migrations is most of a first open (about 20 s on a loaded 2-core machine, 1 s after).
 * The copy is what a node opens; the node still runs the migration check on it, as on any store.
 */
async function migratedTemplate(): Promise<string> {
	const dir = defaultMigrationsDir();
	const hash = createHash('sha256');
	for (const f of readdirSync(dir).filter((x) => x.endsWith('.sql')).sort()) hash.update(f).update(readFileSync(join(dir, f)));
	const template = join(tmpdir(), `adops-engine-pglite-${hash.digest('hex').slice(0, 16)}`);
	// One test file builds it while the others (running at the same time) wait: a lock folder, taken over
	// when its builder is gone for longer than a build takes.
	const lock = `${template}.lock`;
	for (;;) {
		if (existsSync(join(template, 'PG_VERSION'))) return template;
		try {
			mkdirSync(lock);
			break;
		} catch {
			const taken = statSync(lock, { throwIfNoEntry: false });
			if (taken && Date.now() - taken.mtimeMs > 5 * 60_000) rmSync(lock, { recursive: true, force: true });
			await new Promise((r) => setTimeout(r, 250));
		}
	}
	try {
		if (existsSync(join(template, 'PG_VERSION'))) return template;
		const building = mkdtempSync(`${template}.building-`);
		const store = await openStore({ kind: 'embedded', path: building });
		await store.close();
		rmSync(join(building, 'adops.lock'), { force: true });
		renameSync(building, template);
		return template;
	} finally {
		rmSync(lock, { recursive: true, force: true });
	}
}

export async function startEngine(options: { seed?: number; today?: string; storePrefix?: string } = {}): Promise<Engine> {
	const { ours, creds, builtIn } = await loadTypes();
	const nodeTypes = new EngineNodeTypes(ours, builtIn);
	const credentialTypes = new EngineCredentialTypes(creds);
	const credentials = new EngineCredentialsHelper(credentialTypes);
	const sandbox = await startSandbox({ seed: options.seed ?? 7, ...(options.today ? { today: options.today } : {}) });
	const store = await testStore(options.storePrefix ?? 'adops-engine');
	if (store.config.kind === 'embedded') cpSync(await migratedTemplate(), store.config.path, { recursive: true });
	const list = sandboxN8nCredentials(sandbox, store.credential);
	const refs = new Map<string, { id: string; name: string }>();
	for (const c of list) {
		credentials.values[c.type] = c.data as ICredentialDataDecryptedObject;
		refs.set(c.type, { id: c.id, name: c.name });
	}
	let executions = 0;

	async function run(input: WorkflowJson | string, runOptions: RunOptions = {}): Promise<EngineRun> {
		const wf = typeof input === 'string' ? readWorkflow(input) : structuredClone(input);
		const workflow = new Workflow({
			id: wf.id ?? 'engine',
			name: wf.name,
			nodes: wf.nodes,
			connections: wf.connections,
			nodeTypes,
			settings: { executionOrder: 'v1', ...(wf.settings ?? {}) },
			active: false,
			staticData: {},
		});
		const start = runOptions.start
			? workflow.getNode(runOptions.start)
			: (workflow.getNode('Run Now') ?? wf.nodes.find((n) => n.type === 'n8n-nodes-base.manualTrigger' && !n.disabled) ?? workflow.getStartNode());
		if (!start) throw new Error(`no start node ${runOptions.start ?? ''}`);
		const executionId = String(++executions);
		const mode = runOptions.mode ?? 'manual';
		const hooks = new ExecutionLifecycleHooks(mode, executionId, { id: workflow.id, name: wf.name ?? 'engine', nodes: wf.nodes, connections: wf.connections, active: false, settings: {} } as unknown as IWorkflowBase);
		const order: string[] = [];
		hooks.addHandler('nodeExecuteAfter', (nodeName: string) => {
			order.push(nodeName);
		});
		let finished!: (run: IRun) => void;
		const done = new Promise<IRun>((r) => (finished = r));
		hooks.addHandler('workflowExecuteAfter', (fullRunData: IRun) => finished(fullRunData));
		const additionalData = {
			executionId,
			hooks,
			credentialsHelper: credentials,
			restApiUrl: 'http://127.0.0.1:5678/rest',
			instanceBaseUrl: 'http://127.0.0.1:5678/',
			formWaitingBaseUrl: 'http://127.0.0.1:5678/form-waiting',
			webhookBaseUrl: 'http://127.0.0.1:5678/webhook',
			webhookWaitingBaseUrl: 'http://127.0.0.1:5678/webhook-waiting',
			webhookTestBaseUrl: 'http://127.0.0.1:5678/webhook-test',
			currentNodeParameters: undefined,
			executionTimeoutTimestamp: undefined,
			userId: 'engine-test-user',
			variables: {},
			setExecutionStatus: () => {},
			sendDataToUI: () => {},
			executeWorkflow: async () => {
				throw new Error('sub-workflows are not part of the engine harness');
			},
			getRunExecutionData: async () => undefined,
			logAiEvent: () => {},
			startRunnerTask: async () => {
				throw new Error('task runners (Code node) are not part of the engine harness');
			},
		} as unknown as IWorkflowExecuteAdditionalData;
		// A trigger (Manual Trigger) emits one empty item whatever it is given: items for the nodes after it
		// are pinned on it, as the editor does with pinned data.
		const startType = nodeTypes.getByNameAndVersion(start.type, start.typeVersion);
		const isTrigger = (startType.description.inputs as unknown[]).length === 0;
		const pinData = runOptions.input && isTrigger ? { [start.name]: runOptions.input } : undefined;
		const runExecutionData: IRunExecutionData = {
			version: 1,
			startData: {},
			resultData: { runData: {}, ...(pinData ? { pinData } : {}) },
			executionData: {
				contextData: {},
				metadata: {},
				nodeExecutionStack: [{ node: start, data: { main: [runOptions.input ?? [{ json: {} }]] }, source: null }],
				waitingExecution: {},
				waitingExecutionSource: {},
			},
		} as unknown as IRunExecutionData;
		const execute = new WorkflowExecute(additionalData, mode, runExecutionData);
		await execute.processRunExecutionData(workflow);
		const result = await done;
		const runData = result.data.resultData.runData;
		return {
			run: result,
			status: result.status,
			error: result.data.resultData.error,
			order,
			tasks: (node) => runData[node] ?? [],
			ran: (node) => (runData[node]?.length ?? 0) > 0,
			outputs: (node) => taskItems(runData[node]?.at(-1), node),
			items: (node, output = 0) => taskItems(runData[node]?.at(-1), node)[output] ?? [],
		};
	}

	function credentialRef(type: string) {
		const ref = refs.get(type);
		if (!ref) throw new Error(`no sandbox credential of type ${type}`);
		return { [type]: ref };
	}

	return {
		sandbox,
		store,
		nodeTypes,
		credentials,
		credentialRef,
		run,
		async runNode(node, items = [{}], opts = {}) {
			const name = node.name ?? 'Node';
			const type = node.type.includes('.') ? node.type : `${PREFIX}${node.type}`;
			const nodeType = nodeTypes.getByName(type);
			const version = node.typeVersion ?? ('nodeVersions' in nodeType ? nodeType.description.defaultVersion : (Array.isArray(nodeType.description.version) ? Math.max(...nodeType.description.version) : nodeType.description.version)) ?? 1;
			const inputItems = (items as Array<IDataObject | INodeExecutionData>).map((i) => ('json' in i && typeof i.json === 'object' ? (i as INodeExecutionData) : { json: i as IDataObject }));
			const wf: WorkflowJson = {
				nodes: [
					{ id: 'start', name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
					{
						id: 'node',
						position: [200, 0],
						...node,
						name,
						type,
						typeVersion: version,
						...(opts.continueOnFail ? { onError: 'continueRegularOutput' as const } : {}),
					} as INode,
				],
				connections: { Start: { main: [[{ node: name, type: 'main', index: 0 }]] } },
			};
			const result = await run(wf, { start: 'Start', input: inputItems });
			return { ...result, node: name };
		},
		async close() {
			await sandbox.close();
			await store.cleanup();
		},
	};
}

/** Every output item of every node in the run carries pairedItem pointing at an existing input item. */
export function unpairedItems(result: EngineRun): string[] {
	const problems: string[] = [];
	for (const [node, tasks] of Object.entries(result.run.data.resultData.runData)) {
		for (const task of tasks) {
			if ((task.source ?? []).length === 0) continue; // the start node has no input to pair with
			const outputs = task.data?.main ?? [];
			outputs.forEach((items, o) => {
				(items ?? []).forEach((item, i) => {
					const p = item.pairedItem;
					const list = p === undefined ? [] : Array.isArray(p) ? p : [typeof p === 'number' ? { item: p } : p];
					if (list.length === 0) problems.push(`${node} output ${o} item ${i}: no pairedItem`);
				});
			});
		}
	}
	return problems;
}

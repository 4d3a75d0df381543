// n8n glue for the AdOps Store credential: credential values → store config,
// the credential test, and the thread registry the Alert node uses.
import type { ICredentialDataDecryptedObject, ICredentialTestFunctions, ICredentialsDecrypted, INodeCredentialTestResult } from 'n8n-workflow';
import * as path from 'node:path';
import * as os from 'node:os';
import { openStore, testStoreConnection, type Store, type StoreConfig } from '../shared/store';
import type { ThreadRegistry } from '../shared/alerts/post';
import { optionalCredentials, type CredentialSource } from './credentials';

/** Default folder of the embedded database: inside the n8n user folder. */
export function defaultEmbeddedPath(): string {
	const userFolder = process.env.N8N_USER_FOLDER || os.homedir();
	return path.join(userFolder, '.n8n', 'adops-store');
}

export function storeConfigFromCredentials(data: ICredentialDataDecryptedObject): StoreConfig {
	const backend = (data.backend as string) || 'embedded';
	const schema = ((data.schema as string) || 'public').trim();
	switch (backend) {
		case 'embedded':
			return { kind: 'embedded', path: ((data.embeddedPath as string) || '').trim() || defaultEmbeddedPath() };
		case 'postgres':
			return { kind: 'postgres', connectionString: String(data.connectionString ?? ''), ssl: ((data.ssl as string) || 'require') as 'disable' | 'require' | 'verify-full', schema };
		case 'supabase':
			return { kind: 'supabase', url: String(data.supabaseUrl ?? ''), serviceRoleKey: String(data.serviceRoleKey ?? ''), schema };
		default:
			throw new Error(`Unknown AdOps Store backend "${backend}"`);
	}
}

export async function adOpsStoreConnectionTest(this: ICredentialTestFunctions, credential: ICredentialsDecrypted): Promise<INodeCredentialTestResult> {
	try {
		const result = await testStoreConnection(storeConfigFromCredentials(credential.data ?? {}));
		return { status: result.ok ? 'OK' : 'Error', message: result.message };
	} catch (error) {
		return { status: 'Error', message: error instanceof Error ? error.message : String(error) };
	}
}

export interface OpenedStore extends Store {
	release(): Promise<void>;
}

async function open(data: ICredentialDataDecryptedObject): Promise<OpenedStore> {
	const store = await openStore(storeConfigFromCredentials(data));
	return Object.assign(store, { release: () => store.close() });
}

/** Opens the store of the node's AdOps Store credential. */
export async function openStoreFromNode(ctx: Pick<CredentialSource, 'getCredentials'>): Promise<OpenedStore> {
	return open(await ctx.getCredentials('adOpsStoreApi'));
}

/** Opens the store of the node's optional AdOps Store credential, if one is selected. */
export async function openOptionalStore(ctx: CredentialSource): Promise<OpenedStore | undefined> {
	const data = await optionalCredentials(ctx, 'adOpsStoreApi');
	return data ? open(data) : undefined;
}

export function threadRegistry(store: Store): ThreadRegistry {
	return {
		async find(channel, threadKey) {
			const rows = await store.select('alert_threads', { where: { channel, thread_key: threadKey }, limit: 1 });
			return rows[0]?.ts as string | undefined;
		},
		async remember(channel, threadKey, ts) {
			await store.upsert('alert_threads', [{ channel, thread_key: threadKey, ts }]);
		},
	};
}

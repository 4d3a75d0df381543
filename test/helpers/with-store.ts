// Store access for e2e tests between n8n executions, and n8n outputs as plain
// JSON: the two helpers every real-n8n test writes for itself (new tests use these).
import { openStore, type Store, type StoreConfig } from '../../nodes/shared/store';
import { nodeOutput, type ExecutionResult } from './n8n';

/** Opens the store, runs `fn`, closes it: PGlite is single-process, so open it only while n8n is not running. */
export async function withStore<T>(config: StoreConfig, fn: (store: Store) => Promise<T>): Promise<T> {
	const store = await openStore(config);
	try {
		return await fn(store);
	} finally {
		await store.close();
	}
}

/** The items of one node's output, as plain JSON objects. */
export function jsonOutput(result: ExecutionResult, node: string, output = 0): Array<Record<string, unknown>> {
	return nodeOutput(result, node, output).map((i) => i.json as Record<string, unknown>);
}

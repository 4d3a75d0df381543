// A store that counts its reads per table: the contract tests' check that a
// run reads each table once in a batch, never once per campaign.
import type { Store } from '../../nodes/shared/store';

/** `store` with every select / selectColumns / selectColumnar counted into `reads` by table. */
export function countingStore(store: Store, reads: Map<string, number>): Store {
	return new Proxy(store, {
		get(target, prop, receiver) {
			const value = Reflect.get(target, prop, receiver) as unknown;
			if (typeof value !== 'function') return value;
			if (prop !== 'select' && prop !== 'selectColumns' && prop !== 'selectColumnar') return value.bind(target);
			return (table: string, ...rest: unknown[]) => {
				reads.set(table, (reads.get(table) ?? 0) + 1);
				return (value as (...a: unknown[]) => unknown).call(target, table, ...rest);
			};
		},
	});
}

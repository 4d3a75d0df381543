/**
 * node:test's `{ skip: reason }` and `{ todo: reason }` for vitest, whose `skip`/`todo` options are booleans:
 * the reason travels in the test's (or suite's, inherited by its tests) meta, and the summary reporter of
 * vitest.config.mts prints it next to the skipped test, as node:test printed `# SKIP reason`.
 * scripts/codemods/node-test-to-vitest.ts writes `{ ...skipWhen(X) }` for node:test's `{ skip: X }`.
 * No vitest import at run time: test files that also run as plain child processes use these too.
 */
declare module 'vitest' {
	interface TaskMeta {
		/** Why the test (or its suite) is skipped. */
		skipReason?: string;
		/** Why the test is a todo. */
		todoReason?: string;
	}
}

const why = (value: unknown, fallback: string): string | undefined => (typeof value === 'string' && value !== '' ? value : value ? fallback : undefined);

/** node:test's `skip: value`: skipped when truthy; a string is the reason. */
export function skipWhen(value: unknown): { skip: boolean; meta: { skipReason?: string } } {
	const reason = why(value, 'skipped');
	return { skip: !!value, meta: reason === undefined ? {} : { skipReason: reason } };
}

/** node:test's `todo: value`: a todo when truthy; a string is the reason. */
export function todoWhen(value: unknown): { todo: boolean; meta: { todoReason?: string } } {
	const reason = why(value, 'todo');
	return { todo: !!value, meta: reason === undefined ? {} : { todoReason: reason } };
}

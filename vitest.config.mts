/**
 * vitest: one project per suite (pick with --project NAME).
 *
 *   unit      test/unit       the core, many small cases; files in parallel
 *   contract  test/contract   Store on PGlite (+ PostgreSQL with DATABASE_URL), adapters on the
 *                             sandbox; files in parallel (each starts its own sandbox and store),
 *                             tests inside a file in order
 *   engine    test/engine     nodes and bundled workflows run in-process by n8n-core's WorkflowExecute (the fast loop)
 *   flows     test/engine     the bundled workflows' longer runs on the same engine (moved from e2e; ENGINE_FLOWS)
 *   e2e       test/e2e        the real n8n CLI: two files at a time, each with its own n8n
 *   browser   test/browser    the n8n editor in Chromium: one file at a time
 *   queue     test/queue      n8n queue mode with workers killed mid-run: one file at a time
 *
 * Suites that need PostgreSQL skip in-file, with their reason, when DATABASE_URL is missing.
 * node:test had no default timeout; the per-suite timeouts below are generous on purpose, so a
 * slow machine (2 cores) does not turn a passing test into a timeout.
 * The closing line `tests: N passed, N failed, N skipped` is printed by the summary reporter below.
 */
import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';
import type { Reporter, TestModule } from 'vitest/node';
import type {} from './test/helpers/skip';

class SummaryLine implements Reporter {
	onTestRunEnd(modules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<unknown>): void {
		let passed = 0;
		let failed = 0;
		let skipped = 0;
		let todo = 0;
		/** Skipped tests with their reason (node:test printed `# SKIP reason`): `{ ...skipWhen(reason) }`, t.skip(note). */
		const reasons = new Map<string, number>();
		for (const module of modules) {
			let tests = 0;
			for (const test of module.children.allTests()) {
				tests++;
				const result = test.result();
				const state = result.state;
				if (state === 'passed') passed++;
				else if (state === 'failed') failed++;
				else {
					skipped++;
					if (test.options.mode === 'todo') todo++;
					const meta = test.meta();
					const note = meta.todoReason ? `todo: ${meta.todoReason}` : (meta.skipReason ?? (result.state === 'skipped' ? result.note : undefined));
					if (note) {
						const key = `${module.moduleId.replace(`${process.cwd()}/`, '')}: ${note}`;
						reasons.set(key, (reasons.get(key) ?? 0) + 1);
					}
				}
			}
			// A file that failed to load (or whose hooks failed) counts as one failure of its own.
			if (module.state() === 'failed' && module.errors().length > 0) failed++;
			else if (tests === 0 && module.state() === 'failed') failed++;
			// So does a describe block whose beforeAll/afterAll failed: vitest then marks its tests skipped.
			for (const suite of module.children.allSuites()) if (suite.state() === 'failed' && suite.errors().length > 0) failed++;
		}
		failed += unhandledErrors.length;
		if (reasons.size > 0) process.stdout.write(`\nskipped, with the reason:\n${[...reasons].map(([k, n]) => `  ${k}${n > 1 ? ` (${n} tests)` : ''}`).join('\n')}\n`);
		process.stdout.write(`\ntests: ${passed} passed, ${failed} failed, ${skipped} skipped${todo ? ` (${todo} of them todo)` : ''}\n`);
	}
}

const minute = 60_000;
const require = createRequire(import.meta.url);

/** The engine suite's long workflow runs (moved from test/e2e, see test/e2e/README.md): `npm run test:flows`. */
const ENGINE_FLOWS = ['ingest-runs', 'optimize-live', 'tiktok', 'creative-brief', 'gates', 'creative-publish', 'budget-plan'].map((name) => `test/engine/${name}.test.ts`);


export default defineConfig({
	resolve: {
		// One n8n-workflow: the CommonJS build n8n itself (and n8n-core, and our dist) loads. Without this,
		// vite hands TypeScript files the ESM build, a second copy whose classes and symbols n8n-core does not know.
		alias: [{ find: /^n8n-workflow$/, replacement: require.resolve('n8n-workflow') }],
	},
	test: {
		environment: 'node',
		// vitest's API on globalThis as well: a test file that runs itself as a plain child process (the SIGKILL
		// suites) takes it from test/helpers/vitest-api.ts, which reads these globals; the child cannot load 'vitest'.
		globals: true,
		reporters: ['default', new SummaryLine()],
		// A project whose folder has no files yet (browser, queue) is not a failure.
		passWithNoTests: true,
		teardownTimeout: minute,
		coverage: {
			provider: 'v8',
			include: ['nodes/**/*.ts', 'credentials/**/*.ts'],
			exclude: ['**/*.d.ts'],
			// text: one row per folder (nodes/shared/rules, …) and file; json-summary for tools.
			reporter: ['text', 'json-summary'],
			reportsDirectory: 'coverage',
			// A known failing test (run with --coverage) still gives the figures.
			reportOnFailure: true,
		},
		projects: [
			{
				extends: true,
				test: {
					name: 'unit',
					include: ['test/unit/**/*.test.ts'],
					testTimeout: 2 * minute,
					hookTimeout: 2 * minute,
					fileParallelism: true,
					maxWorkers: 2,
				},
			},
			{
				extends: true,
				test: {
					name: 'contract',
					include: ['test/contract/**/*.test.ts'],
					testTimeout: 5 * minute,
					hookTimeout: 5 * minute,
					fileParallelism: true,
					maxWorkers: 2,
					sequence: { concurrent: false },
				},
			},
			{
				extends: true,
				test: {
					name: 'engine',
					include: ['test/engine/**/*.test.ts'],
					// the fast loop (about a minute): each node's parameters, errors, outputs; the long workflow runs moved
					// from e2e are the `flows` project below
					exclude: ENGINE_FLOWS,
					// A bundled workflow opens the store once per AdOps node; on a loaded 2-core machine ingest.json
					// alone has taken 60 s. A timeout would leave the run going while afterAll closes the sandbox.
					testTimeout: 3 * minute,
					hookTimeout: 3 * minute,
					fileParallelism: true,
					// Three files at once on two cores: ingest.test.ts spends ~37 s of its run waiting on Klaviyo's
					// pacing (two values reports a minute per endpoint), not on the CPU.
					maxWorkers: 3,
					sequence: { concurrent: false },
				},
			},
			{
				extends: true,
				test: {
					name: 'flows',
					// the bundled workflows' longer runs on n8n-core (moved from the real-n8n e2e suite: what they prove
					// does not need the CLI); same engine, same timeouts
					include: ENGINE_FLOWS,
					testTimeout: 10 * minute,
					hookTimeout: 3 * minute,
					fileParallelism: true,
					maxWorkers: 2,
					sequence: { concurrent: false },
				},
			},
			{
				extends: true,
				test: {
					name: 'e2e',
					include: ['test/e2e/**/*.test.ts'],
					// n8n gets this process's environment: NODE_ENV as under node:test (unset), not vitest's 'test'
					setupFiles: ['test/helpers/real-n8n-env.ts'],
					testTimeout: 15 * minute,
					hookTimeout: 20 * minute,
					// Two files at once: each has its own n8n (user folder, sqlite, ports), sandbox and store schema, and a file
					// spends most of its time in one n8n CLI process on one core. Fresh run on 7 December, 2-core machine at
					// load 2-12: 796 s with two (64 passed), 1,233 s with one in the project's CI and 1,297 s here.
					fileParallelism: true,
					maxWorkers: 2,
					sequence: { concurrent: false },
				},
			},
			{
				extends: true,
				test: {
					name: 'browser',
					include: ['test/browser/**/*.test.ts'],
					// n8n gets this process's environment: NODE_ENV as under node:test (unset), not vitest's 'test'
					setupFiles: ['test/helpers/real-n8n-env.ts'],
					testTimeout: 10 * minute,
					hookTimeout: 20 * minute,
					fileParallelism: false,
					maxWorkers: 1,
					sequence: { concurrent: false },
				},
			},
			{
				extends: true,
				test: {
					name: 'queue',
					include: ['test/queue/**/*.test.ts'],
					// n8n gets this process's environment: NODE_ENV as under node:test (unset), not vitest's 'test'
					setupFiles: ['test/helpers/real-n8n-env.ts'],
					testTimeout: 15 * minute,
					hookTimeout: 20 * minute,
					fileParallelism: false,
					maxWorkers: 1,
					sequence: { concurrent: false },
				},
			},
		],
	},
});

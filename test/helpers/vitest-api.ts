/**
 * vitest's test API for a test file that also runs itself as a plain child process
 * (`spawn(process.execPath, ['--import', 'tsx', __filename])`, e.g. the SIGKILL suites of
 * test/contract/moderation-faults and optimizer-faults).
 *
 * A child cannot load 'vitest' (its CommonJS entry throws on purpose outside vitest), so such a
 * file imports the API from here instead: under vitest these are vitest's own functions (the
 * `globals` the config turns on), in the child they are inert (the child registers no tests; it
 * runs its one job and exits or is killed). scripts/codemods/node-test-to-vitest.ts writes these
 * imports for files that spawn themselves.
 */
import type * as Vitest from 'vitest';

type Api = Pick<typeof Vitest, 'describe' | 'suite' | 'test' | 'it' | 'beforeAll' | 'afterAll' | 'beforeEach' | 'afterEach'>;

const runningUnderVitest = typeof (globalThis as { describe?: unknown }).describe === 'function';

function inert(): Api {
	const nothing = () => undefined;
	return { describe: nothing, suite: nothing, test: nothing, it: nothing, beforeAll: nothing, afterAll: nothing, beforeEach: nothing, afterEach: nothing } as unknown as Api;
}

const api: Api = runningUnderVitest ? (globalThis as unknown as Api) : inert();

export const { describe, suite, test, it, beforeAll, afterAll, beforeEach, afterEach } = api;

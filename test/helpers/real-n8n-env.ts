/**
 * vitest setup file of the suites that start the real n8n CLI (e2e, browser, queue).
 *
 * vitest sets NODE_ENV=test when it is unset, and the n8n host passes this process's environment on to
 * n8n. n8n run with NODE_ENV=test is not the n8n a user runs: its logger goes silent, so `n8n execute`
 * printed no execution data and every e2e test failed ("no execution data (exit code 0)"). Under node:test
 * NODE_ENV stayed unset; this puts it back the way it was, unless it was set before vitest started.
 */
if (process.env.NODE_ENV === 'test' && process.env.ADOPS_KEEP_NODE_ENV !== '1') delete process.env.NODE_ENV;

/**
 * Runs a test file as a plain child process with failpoints armed
 * (nodes/shared/resilience/failpoints.ts): the file runs its one job when it
 * finds `envName` set (a JSON job), and is killed at the failpoint. The file
 * imports its test API from ./vitest-api so the child can load it.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';

export interface ChildRun {
	code: number | null;
	signal: NodeJS.Signals | null;
	stderr: string;
}

export function runFailpointChild(file: string, envName: string, job: unknown, failpoints: string): Promise<ChildRun> {
	return new Promise((resolve, reject) => {
		const child = spawn(process.execPath, ['--import', 'tsx', file], { env: { ...process.env, ADOPS_FAILPOINTS: failpoints, [envName]: JSON.stringify(job) }, stdio: ['ignore', 'ignore', 'pipe'] });
		let stderr = '';
		child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
		child.on('error', reject);
		child.on('exit', (code, signal) => resolve({ code, signal, stderr }));
	});
}

/** The child died by SIGKILL at the armed failpoint (not earlier, not by an error). */
export function assertKilledAt(run: ChildRun, failpoint: string): void {
	const point = failpoint.replace(/@\d+$/, ''); // `name@N`: the N-th pass of `name`
	assert.equal(run.signal, 'SIGKILL', `the child was not killed at ${point}: code ${run.code}, ${run.stderr.slice(-2000)}`);
	assert.ok(run.stderr.includes(`failpoint ${point}: SIGKILL`), `the child died elsewhere than ${point}: ${run.stderr.slice(-2000)}`);
}

/** The child's side: runs `job`, exits 0 when it survives (it should not), 1 with the stack on an error. */
export function runChildJob(job: () => Promise<void>): void {
	void job().then(
		() => {
			process.stdout.write('survived\n');
			process.exit(0);
		},
		(error: unknown) => {
			process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
			process.exit(1);
		},
	);
}

// Child-process helpers for the n8n harness: run a command, capture its
// output, and fail with the tail of what it printed.
import { spawn } from 'node:child_process';

export interface RunResult {
	code: number | null;
	signal: NodeJS.Signals | null;
	stdout: string;
	stderr: string;
	ms: number;
}

export interface RunOptions {
	cwd?: string;
	env?: NodeJS.ProcessEnv;
	/** Kill the process (SIGKILL after SIGTERM) after this many milliseconds. */
	timeoutMs?: number;
	/** Echo the child's stderr/stdout to ours while it runs (long installs). */
	echo?: boolean;
}

/** The last `lines` non-empty lines of a text, for error messages. */
export function tail(text: string, lines = 25): string {
	return text
		.split(/\r?\n/)
		.filter((l) => l.trim() !== '')
		.slice(-lines)
		.join('\n');
}

/** Runs a command to completion; never rejects for a non-zero exit (see `runOk`). */
export function run(command: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
	const started = performance.now();
	return new Promise((resolvePromise, reject) => {
		const child = spawn(command, args, {
			cwd: options.cwd,
			env: options.env ?? process.env,
			stdio: ['ignore', 'pipe', 'pipe'],
		});
		const out: Buffer[] = [];
		const err: Buffer[] = [];
		child.stdout.on('data', (chunk: Buffer) => {
			out.push(chunk);
			if (options.echo) process.stderr.write(chunk);
		});
		child.stderr.on('data', (chunk: Buffer) => {
			err.push(chunk);
			if (options.echo) process.stderr.write(chunk);
		});
		let timer: NodeJS.Timeout | undefined;
		let killTimer: NodeJS.Timeout | undefined;
		let timedOut = false;
		if (options.timeoutMs !== undefined) {
			timer = setTimeout(() => {
				timedOut = true;
				child.kill('SIGTERM');
				killTimer = setTimeout(() => child.kill('SIGKILL'), 5000);
			}, options.timeoutMs);
		}
		child.on('error', (error) => {
			if (timer) clearTimeout(timer);
			if (killTimer) clearTimeout(killTimer);
			reject(new Error(`could not start ${command}: ${error.message}`));
		});
		child.on('close', (code, signal) => {
			if (timer) clearTimeout(timer);
			if (killTimer) clearTimeout(killTimer);
			const result: RunResult = {
				code,
				signal,
				stdout: Buffer.concat(out).toString('utf8'),
				stderr: Buffer.concat(err).toString('utf8'),
				ms: performance.now() - started,
			};
			if (timedOut) {
				reject(
					new Error(
						`${command} ${args.join(' ')} timed out after ${options.timeoutMs} ms\n${tail(result.stderr || result.stdout)}`,
					),
				);
				return;
			}
			resolvePromise(result);
		});
	});
}

/** Like `run`, but rejects with the command's output tail when it exits non-zero. */
export async function runOk(command: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
	const result = await run(command, args, options);
	if (result.code !== 0) {
		const where = options.cwd ? ` (in ${options.cwd})` : '';
		throw new Error(
			`\`${command} ${args.join(' ')}\`${where} failed with ${result.code ?? result.signal}:\n` +
				tail(`${result.stdout}\n${result.stderr}`, 40),
		);
	}
	return result;
}

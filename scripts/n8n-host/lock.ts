// A cross-process lock on a path, for installs that two test processes (or a
// test run and `npm run demo`) may start at the same time.
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';

export interface LockOptions {
	/** Give up after this long (default 20 minutes: a cold n8n install takes minutes). */
	timeoutMs?: number;
	/** Called once when the lock is held by someone else and we start waiting. */
	onWait?: (owner: string) => void;
}

/** Whether a process of this host is running (a signal-0 probe; EPERM: it runs under another user). */
export function alive(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch (error) {
		return (error as NodeJS.ErrnoException).code === 'EPERM';
	}
}

/**
 * Runs `fn` while holding `<lockPath>` (a directory: mkdir is atomic). A lock
 * whose owner process on this host is gone is taken over.
 */
export async function withLock<T>(lockPath: string, fn: () => Promise<T>, options: LockOptions = {}): Promise<T> {
	const timeoutMs = options.timeoutMs ?? 20 * 60_000;
	const deadline = Date.now() + timeoutMs;
	const ownerFile = join(lockPath, 'owner.json');
	let announced = false;
	for (;;) {
		try {
			await mkdir(lockPath);
			await writeFile(ownerFile, JSON.stringify({ pid: process.pid, host: hostname(), since: new Date().toISOString() }));
			break;
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
		}
		let owner = 'unknown owner';
		try {
			const info = JSON.parse(await readFile(ownerFile, 'utf8')) as { pid: number; host: string; since: string };
			owner = `pid ${info.pid} on ${info.host} since ${info.since}`;
			if (info.host === hostname() && !alive(info.pid)) {
				await rm(lockPath, { recursive: true, force: true });
				continue;
			}
		} catch {
			// The owner is between mkdir and writing owner.json, or died there:
			// a lock without an owner for more than 10 s is stale.
			const since = await stat(lockPath).then((s) => s.mtimeMs, () => Date.now());
			if (Date.now() - since > 10_000) {
				await rm(lockPath, { recursive: true, force: true });
				continue;
			}
		}
		if (!announced) {
			announced = true;
			options.onWait?.(owner);
		}
		if (Date.now() > deadline) {
			throw new Error(`timed out after ${timeoutMs} ms waiting for the lock ${lockPath} (held by ${owner})`);
		}
		await new Promise((r) => setTimeout(r, 250));
	}
	try {
		return await fn();
	} finally {
		await rm(lockPath, { recursive: true, force: true });
	}
}

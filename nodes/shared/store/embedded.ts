/**
 * Embedded adapter: PGlite (WASM PostgreSQL) in a directory. Single process:
 * one PGlite instance per directory per process is shared by every store
 * opened on it (reference counted) and closed with the last one.
 *
 * A second process is refused: two PGlite instances on one folder lose each
 * other's acknowledged writes. The first open takes `<dir>/adops.lock` (PID,
 * host, start time), created atomically (a complete temporary file hard-linked
 * into place, which fails when the name exists); it is removed on the last
 * close and on process exit. A lock whose holder is gone is taken over:
 * same host and the PID is not alive, or alive but started at another time
 * (the PID was reused), or it is this process's PID without being this
 * process's lock (a restarted container's PID 1). Taking over a stale lock
 * first claims `<dir>/adops.lock.takeover.<its token>` exclusively, so among
 * processes racing for one stale lock exactly one replaces it; a marker left
 * by a contender that died is itself taken over the same way. A lock held on
 * another host cannot be checked from here: it is refused, and the error says
 * to delete the file if that process has ended.
 */
import { randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PgliteExecutor } from './sql-runner';
import { migrate } from './migrations';
import { analyzeUnanalyzed, SqlStore } from './sql-store';

/** The lock file's name inside the embedded store folder. */
export const LOCK_FILE = 'adops.lock';

interface LockInfo {
	pid: number;
	host: string;
	startedAt: string;
	token: string;
	/** Linux: the process's start time in clock ticks since boot (/proc/<pid>/stat field 22), to tell a reused PID. */
	procStart?: string | null;
	/** Linux: the kernel boot id; a lock from before a reboot is stale. */
	bootId?: string | null;
}

/** The folder is held by another process (or another host). */
export class EmbeddedStoreLockedError extends Error {
	readonly dir: string;
	readonly holder: { pid: number; host: string; startedAt: string };
	constructor(dir: string, holder: LockInfo) {
		const remote = holder.host !== hostname();
		super(
			`The embedded store folder ${dir} is open in process ${holder.pid} on host ${holder.host} since ${holder.startedAt}; ` +
				"the embedded store is single-process: use PostgreSQL (the AdOps Store credential's Postgres backend) for n8n queue mode or several n8n processes." +
				(remote ? ` If that process has ended, delete ${join(dir, LOCK_FILE)} (a lock from another host cannot be checked from here).` : ''),
		);
		this.name = 'EmbeddedStoreLockedError';
		this.dir = dir;
		this.holder = { pid: holder.pid, host: holder.host, startedAt: holder.startedAt };
	}
}

function readText(path: string): string | null {
	try {
		return readFileSync(path, 'utf8').trim();
	} catch {
		return null;
	}
}

function procStartOf(pid: number): string | null {
	const stat = readText(`/proc/${pid}/stat`);
	if (!stat) return null;
	// the command name (field 2) may hold spaces and parentheses: count fields after the last ')'
	const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
	return fields[19] ?? null; // field 22 overall
}

const bootId = readText('/proc/sys/kernel/random/boot_id');

/** Tokens of the locks this process holds, by folder. */
const held = new Map<string, string>();
let exitHookInstalled = false;

function readLock(path: string): LockInfo | null {
	const text = readText(path);
	if (text === null) return null;
	try {
		const info = JSON.parse(text) as LockInfo;
		if (typeof info.pid === 'number' && typeof info.token === 'string' && typeof info.host === 'string') return info;
	} catch {
		/* fall through */
	}
	// unreadable content: written by something else; treat as held by an unknown process on an unknown host
	return { pid: 0, host: 'unknown', startedAt: 'unknown', token: `unreadable:${text}` };
}

/** Whether the holder of a lock may still be running (true when it cannot be told). */
function holderAlive(info: LockInfo): boolean {
	if (info.host !== hostname() || info.pid <= 0) return true;
	if (info.bootId && bootId && info.bootId !== bootId) return false;
	if (info.pid === process.pid) return [...held.values()].includes(info.token);
	try {
		process.kill(info.pid, 0);
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
	}
	const start = info.procStart ? procStartOf(info.pid) : null;
	return !(start !== null && start !== info.procStart);
}

function writeTemp(dir: string, info: LockInfo): string {
	const tmp = join(dir, `${LOCK_FILE}.${info.token}.${randomBytes(4).toString('hex')}.tmp`);
	writeFileSync(tmp, JSON.stringify(info), { flag: 'wx' });
	return tmp;
}

const unlinkQuiet = (path: string) => {
	try {
		unlinkSync(path);
	} catch {
		/* already gone */
	}
};

/**
 * Creates `path` holding `info` unless a live holder has it. Returns null when
 * `info` now holds it, else the live holder. Race-safe between processes: see
 * the module doc.
 */
async function claim(dir: string, path: string, info: LockInfo, depth = 0): Promise<LockInfo | null> {
	for (let attempt = 0; ; attempt++) {
		const tmp = writeTemp(dir, info);
		try {
			linkSync(tmp, path);
			return null;
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
		} finally {
			unlinkQuiet(tmp);
		}
		const holder = readLock(path);
		if (holder === null) continue; // released in between: try again
		if (holderAlive(holder)) return holder;
		if (depth > 8) return holder; // markers of markers of dead contenders: give up, say who holds it
		// stale: replace it only as the one process holding its takeover marker
		const marker = `${path}.takeover.${holder.token.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 64)}`;
		const busy = await claim(dir, marker, info, depth + 1);
		if (busy) {
			// a live contender is replacing it right now: look again shortly
			if (attempt > 200) return busy;
			await new Promise((r) => setTimeout(r, 10));
			continue;
		}
		try {
			if (readLock(path)?.token === holder.token) {
				const tmpNew = writeTemp(dir, info);
				renameSync(tmpNew, path);
				return null;
			}
		} finally {
			unlinkQuiet(marker);
		}
	}
}

/** Takes the folder's lock for this process; throws EmbeddedStoreLockedError naming the holder. */
export async function acquireEmbeddedLock(path: string): Promise<void> {
	const dir = resolve(path);
	if (held.has(dir)) return;
	mkdirSync(dir, { recursive: true });
	const info: LockInfo = { pid: process.pid, host: hostname(), startedAt: new Date().toISOString(), token: randomBytes(12).toString('hex'), procStart: procStartOf(process.pid), bootId };
	const holder = await claim(dir, join(dir, LOCK_FILE), info);
	if (holder) throw new EmbeddedStoreLockedError(dir, holder);
	held.set(dir, info.token);
	if (!exitHookInstalled) {
		exitHookInstalled = true;
		process.on('exit', () => {
			for (const d of [...held.keys()]) releaseEmbeddedLock(d);
		});
	}
}

/** Removes this process's lock on the folder (only if the file is still this process's). */
export function releaseEmbeddedLock(path: string): void {
	const dir = resolve(path);
	const token = held.get(dir);
	if (token === undefined) return;
	held.delete(dir);
	const file = join(dir, LOCK_FILE);
	if (readLock(file)?.token === token) unlinkQuiet(file);
}

interface Shared {
	ready: Promise<{ db: PGlite; exec: PgliteExecutor }>;
	refs: number;
	migrated?: Promise<unknown>;
	/** The open-time ANALYZE of tables never analyzed (sql-store.ts's analyzeUnanalyzed), once per instance. */
	analyzed?: Promise<unknown>;
}

const instances = new Map<string, Shared>();
/** Instances whose last handle is closing: a new open on the folder waits for the close (and the lock's release). */
const closing = new Map<string, Promise<void>>();

export async function openEmbeddedStore(path: string, autoMigrate = true): Promise<SqlStore> {
	if (!path || typeof path !== 'string') throw new Error('Embedded store needs a directory path');
	const dir = resolve(path);
	let shared = instances.get(dir);
	if (!shared) {
		const ready = (async () => {
			while (closing.has(dir)) await closing.get(dir)!.catch(() => undefined);
			await acquireEmbeddedLock(dir);
			try {
				const db = await PGlite.create(dir);
				return { db, exec: new PgliteExecutor(db) };
			} catch (error) {
				releaseEmbeddedLock(dir);
				throw error;
			}
		})();
		shared = { ready, refs: 0 };
		instances.set(dir, shared);
		ready.catch(() => instances.delete(dir));
	}
	const entry = shared;
	entry.refs++;
	let closed = false;
	const release = async () => {
		if (closed) return;
		closed = true;
		entry.refs--;
		if (entry.refs === 0 && instances.get(dir) === entry) {
			instances.delete(dir);
			const done = (async () => {
				const { db } = await entry.ready;
				try {
					await db.close();
				} finally {
					releaseEmbeddedLock(dir);
				}
			})();
			closing.set(dir, done);
			try {
				await done;
			} finally {
				if (closing.get(dir) === done) closing.delete(dir);
			}
		}
	};
	try {
		const { exec } = await entry.ready;
		if (autoMigrate) {
			entry.migrated ??= migrate(exec);
			try {
				await entry.migrated;
			} catch (error) {
				entry.migrated = undefined;
				throw error;
			}
		}
		// PGlite has no autovacuum: tables filled without statistics (by an older version, or by SQL) are analyzed once
		entry.analyzed ??= analyzeUnanalyzed(exec).catch(() => []);
		await entry.analyzed;
		return new SqlStore('embedded', exec, release);
	} catch (error) {
		await release().catch(() => undefined);
		throw error;
	}
}

/** The SQL executor of an open embedded instance (migration tooling and tests). */
export async function embeddedExecutor(path: string): Promise<PgliteExecutor | undefined> {
	const shared = instances.get(resolve(path));
	return shared ? (await shared.ready).exec : undefined;
}

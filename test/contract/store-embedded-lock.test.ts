/**
 * Issue 12 item 5: the embedded (PGlite) store refuses a second process.
 * Two processes on one PGlite folder lost acknowledged ledger claims; the
 * folder now holds `adops.lock` (PID, host, start time) created exclusively,
 * released on close and on exit. Real processes throughout: a child holds the
 * store, this process is refused with words naming the folder and the holder;
 * SIGKILL leaves a stale lock that is taken over; several processes racing for
 * one stale lock give exactly one winner; a dead takeover marker does not
 * wedge the folder; a PID reused by another process does not keep a lock.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, test } from 'vitest';
import { openStore, testStoreConnection } from '../../nodes/shared/store';
import { EmbeddedStoreLockedError, LOCK_FILE, acquireEmbeddedLock, openEmbeddedStore, releaseEmbeddedLock } from '../../nodes/shared/store/embedded';

const root = mkdtempSync(join(tmpdir(), 'adops-lock-'));
const embeddedModule = resolve(__dirname, '../../nodes/shared/store/embedded.ts');
const ROUNDS = Number(process.env.ADOPS_LOCK_RACE_ROUNDS ?? 6);
const CONTENDERS = 3;
const children = new Set<ChildProcess>();

afterAll(() => {
	for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
	rmSync(root, { recursive: true, force: true });
});

/**
 * A child process running `mode` on `dir`:
 * - `store`: opens the embedded store, writes a state key, says `ready`, holds it until killed or told `close`/`exit`.
 * - `lock`: waits until the wall clock reaches `startAt`, tries the lock, says `won` or `refused <message>`, and holds a won lock until killed.
 */
const childScript = join(root, 'child.ts');
writeFileSync(
	childScript,
	`import { acquireEmbeddedLock, openEmbeddedStore } from ${JSON.stringify(embeddedModule)};
const [mode, dir, startAt] = process.argv.slice(2);
const say = (line: string) => process.stdout.write(line.replace(/\\n/g, ' ') + '\\n');
process.stdin.setEncoding('utf8');
(async () => {
	if (mode === 'store') {
		const store = await openEmbeddedStore(dir);
		await store.setState('child-pid', process.pid);
		say('ready');
		process.stdin.on('data', async (d: string) => {
			if (d.includes('close')) { await store.close(); say('closed'); }
			if (d.includes('exit')) process.exit(0);
		});
	} else {
		while (Date.now() < Number(startAt)) { /* spin to the common start: the attempts overlap */ }
		try {
			await acquireEmbeddedLock(dir);
			say('won');
		} catch (error) {
			say('refused ' + (error as Error).message);
		}
	}
	setInterval(() => undefined, 60_000);
})().catch((error) => { say('error ' + (error as Error).stack); process.exit(1); });
`,
);

interface Child {
	proc: ChildProcess;
	/** Resolves with the next line the child says. */
	line(): Promise<string>;
}

function startChild(args: string[]): Child {
	const proc = spawn(process.execPath, ['--import', 'tsx', childScript, ...args], { stdio: ['pipe', 'pipe', 'inherit'], cwd: resolve(__dirname, '../..') });
	children.add(proc);
	const lines: string[] = [];
	const waiters: Array<(l: string) => void> = [];
	let buffer = '';
	proc.stdout!.setEncoding('utf8');
	proc.stdout!.on('data', (d: string) => {
		buffer += d;
		let nl: number;
		while ((nl = buffer.indexOf('\n')) >= 0) {
			const l = buffer.slice(0, nl);
			buffer = buffer.slice(nl + 1);
			const w = waiters.shift();
			if (w) w(l);
			else lines.push(l);
		}
	});
	return {
		proc,
		line: () =>
			new Promise<string>((res, rej) => {
				const l = lines.shift();
				if (l !== undefined) return res(l);
				const timer = setTimeout(() => rej(new Error(`child ${proc.pid} said nothing in 60 s`)), 60_000);
				waiters.push((x) => {
					clearTimeout(timer);
					res(x);
				});
			}),
	};
}

function kill9(child: Child): Promise<void> {
	return new Promise((res) => {
		child.proc.once('exit', () => res());
		child.proc.kill('SIGKILL');
	});
}

const lockOf = (dir: string) => JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8')) as { pid: number; host: string; startedAt: string; token: string };

/** The PID of a process that has ended (its lock is stale). */
function deadPid(): Promise<number> {
	return new Promise((res) => {
		const p = spawn(process.execPath, ['-e', '0']);
		p.once('exit', () => res(p.pid!));
	});
}

describe('embedded store: one process per folder (issue 12 item 5)', () => {
	test('a second process is refused with the folder and the holder named; after SIGKILL the stale lock is taken over', async () => {
		const dir = join(root, 'store');
		const holder = startChild(['store', dir]);
		assert.equal(await holder.line(), 'ready');
		const held = lockOf(dir);
		assert.equal(held.pid, holder.proc.pid);
		assert.equal(held.host, hostname());
		assert.ok(Date.now() - Date.parse(held.startedAt) < 120_000);

		await assert.rejects(
			() => openStore({ kind: 'embedded', path: dir }),
			(error: unknown) => {
				assert.ok(error instanceof EmbeddedStoreLockedError);
				const m = error.message;
				assert.ok(m.includes(`The embedded store folder ${dir} is open in process ${holder.proc.pid} on host ${hostname()} since ${held.startedAt}`), m);
				assert.ok(m.includes('the embedded store is single-process: use PostgreSQL (the AdOps Store credential\'s Postgres backend) for n8n queue mode or several n8n processes'), m);
				assert.ok(!m.includes('\n'), 'one line (the credential test shows the first line)');
				return true;
			},
		);
		// the n8n credential test says it in words
		const tested = await testStoreConnection({ kind: 'embedded', path: dir });
		assert.equal(tested.ok, false);
		assert.match(tested.message, new RegExp(`is open in process ${holder.proc.pid} on host .* single-process: use PostgreSQL`));

		await kill9(holder);
		assert.equal(lockOf(dir).pid, holder.proc.pid, 'SIGKILL left the lock behind');
		const store = await openEmbeddedStore(dir);
		try {
			assert.equal(lockOf(dir).pid, process.pid, 'the stale lock was taken over');
			assert.equal(await store.getState('child-pid'), holder.proc.pid, 'what the killed holder wrote is there');
			// a third process is now refused, naming this one
			const third = startChild(['lock', dir, '0']);
			assert.match(await third.line(), new RegExp(`^refused The embedded store folder .* is open in process ${process.pid} on host`));
			await kill9(third);
		} finally {
			await store.close();
		}
		assert.equal(existsSync(join(dir, LOCK_FILE)), false, 'close released the lock');
	});

	test('close and process exit release the lock; the same process shares one instance and one lock', async () => {
		const dir = join(root, 'release');
		const child = startChild(['store', dir]);
		assert.equal(await child.line(), 'ready');
		child.proc.stdin!.write('close\n');
		assert.equal(await child.line(), 'closed');
		assert.equal(existsSync(join(dir, LOCK_FILE)), false, 'close released it');

		const again = startChild(['store', dir]);
		assert.equal(await again.line(), 'ready');
		assert.equal(lockOf(dir).pid, again.proc.pid);
		await new Promise<void>((res) => {
			again.proc.once('exit', () => res());
			again.proc.stdin!.write('exit\n'); // process.exit without close
		});
		assert.equal(again.proc.exitCode, 0);
		assert.equal(existsSync(join(dir, LOCK_FILE)), false, 'exit released it');

		const a = await openEmbeddedStore(dir);
		const b = await openEmbeddedStore(dir);
		const token = lockOf(dir).token;
		await b.setState('k', 1);
		assert.equal(await a.getState('k'), 1);
		await b.close();
		assert.equal(lockOf(dir).token, token, 'still held while a handle is open');
		await a.close();
		assert.equal(existsSync(join(dir, LOCK_FILE)), false);
	});

	test(`processes racing for one stale lock: exactly one wins (${ROUNDS} rounds of ${CONTENDERS})`, async () => {
		let winners = 0;
		for (let round = 0; round < ROUNDS; round++) {
			const dir = join(root, `race-${round}`);
			const holder = startChild(['lock', dir, '0']);
			assert.equal(await holder.line(), 'won');
			await kill9(holder);
			const staleToken = lockOf(dir).token;
			const startAt = Date.now() + 2_500; // the contenders load first, then try at the same moment
			const contenders = Array.from({ length: CONTENDERS }, () => startChild(['lock', dir, String(startAt)]));
			const said = await Promise.all(contenders.map((c) => c.line()));
			const won = contenders.filter((_, i) => said[i] === 'won');
			assert.equal(won.length, 1, `round ${round}: ${said.join(' | ')}`);
			for (const s of said.filter((x) => x !== 'won')) assert.match(s, new RegExp(`^refused The embedded store folder .* is open in process ${won[0].proc.pid} on host`));
			const lock = lockOf(dir);
			assert.equal(lock.pid, won[0].proc.pid);
			assert.notEqual(lock.token, staleToken);
			assert.deepEqual(readdirSync(dir).filter((f) => f !== LOCK_FILE), [], 'no takeover marker or temporary file left');
			winners += won.length;
			for (const c of contenders) await kill9(c);
		}
		assert.equal(winners, ROUNDS);
		console.log(`# ${ROUNDS} races of ${CONTENDERS} processes for a stale lock: ${winners} winners, one per race`);
	});

	test('a stale lock whose takeover marker was left by a dead contender is still taken over', async () => {
		const dir = join(root, 'dead-marker');
		mkdirSync(dir, { recursive: true });
		const dead = await deadPid();
		const stale = { pid: dead, host: hostname(), startedAt: new Date(0).toISOString(), token: 'stale-token' };
		writeFileSync(join(dir, LOCK_FILE), JSON.stringify(stale));
		writeFileSync(join(dir, `${LOCK_FILE}.takeover.stale-token`), JSON.stringify({ ...stale, token: 'dead-contender' }));
		await acquireEmbeddedLock(dir);
		assert.equal(lockOf(dir).pid, process.pid);
		assert.deepEqual(readdirSync(dir).sort(), [LOCK_FILE]);
		releaseEmbeddedLock(dir);
		assert.deepEqual(readdirSync(dir), []);
	});

	test('a lock whose PID now belongs to another process (or to this one, restarted) is stale; another host\'s lock is refused with the way out', async () => {
		const dir = join(root, 'reused');
		mkdirSync(dir, { recursive: true });
		// a live process with the recorded PID but another start time: the PID was reused
		const live = startChild(['lock', join(root, 'unrelated'), '0']);
		assert.equal(await live.line(), 'won');
		const lock = { pid: live.proc.pid, host: hostname(), startedAt: new Date(Date.now() - 3_600_000).toISOString(), token: 'old', procStart: '1' };
		writeFileSync(join(dir, LOCK_FILE), JSON.stringify(lock));
		await acquireEmbeddedLock(dir);
		assert.equal(lockOf(dir).pid, process.pid);
		releaseEmbeddedLock(dir);
		await kill9(live);

		// this PID, written by an earlier process that had the same PID (a container's PID 1 after a restart)
		writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid: process.pid, host: hostname(), startedAt: new Date(0).toISOString(), token: 'earlier-incarnation' }));
		await acquireEmbeddedLock(dir);
		assert.notEqual(lockOf(dir).token, 'earlier-incarnation');
		releaseEmbeddedLock(dir);

		// another host: its processes cannot be checked from here, so the lock holds and the error says how to clear it
		writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid: 4242, host: 'other-host', startedAt: '2025-06-01T10:00:00.000Z', token: 'remote' }));
		await assert.rejects(
			() => acquireEmbeddedLock(dir),
			(error: unknown) => {
				assert.ok(error instanceof EmbeddedStoreLockedError);
				assert.ok(error.message.startsWith(`The embedded store folder ${dir} is open in process 4242 on host other-host since 2025-06-01T10:00:00.000Z; the embedded store is single-process`), error.message);
				assert.ok(error.message.includes(`If that process has ended, delete ${join(dir, LOCK_FILE)}`), error.message);
				return true;
			},
		);
		assert.equal(lockOf(dir).token, 'remote', 'a refused attempt leaves the holder\'s lock alone');
	});
});

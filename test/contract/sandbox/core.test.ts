import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { isLoopback, startSandbox, type Sandbox } from '../../../scripts/sandbox';

const TODAY = '2025-03-10';

describe('sandbox: binding, determinism, admin', () => {
	let sb: Sandbox;
	beforeAll(async () => {
		sb = await startSandbox({ seed: 7, today: TODAY });
	});
	afterAll(() => sb.close());

	it('refuses to bind anything but loopback', async () => {
		for (const host of ['0.0.0.0', '::', '192.168.1.10', '10.0.0.1', 'example.com']) {
			await assert.rejects(startSandbox({ host }), /only binds loopback/);
		}
		assert.equal(isLoopback('127.0.0.2'), true);
		assert.equal(isLoopback('::1'), true);
		assert.equal(isLoopback('localhost'), true);
		const other = await startSandbox({ host: '127.0.0.1', port: 0 });
		assert.ok(other.port > 0);
		assert.match(other.url, /^http:\/\/127\.0\.0\.1:\d+$/);
		await other.close();
	});

	it('same seed and today give the same world; another seed differs', async () => {
		const a = await startSandbox({ seed: 7, today: TODAY });
		const b = await startSandbox({ seed: 8, today: TODAY });
		try {
			type W = { accounts: Array<{ id: string }> };
			const wa = (await (await fetch(`${a.url}/_admin/world`)).json()) as W;
			const ws = (await (await fetch(`${sb.url}/_admin/world`)).json()) as W;
			const wb = (await (await fetch(`${b.url}/_admin/world`)).json()) as W;
			assert.deepEqual(wa, ws);
			assert.notDeepEqual(wa.accounts, wb.accounts);
			// Ids are fixed across seeds so credentials can name them.
			assert.deepEqual(
				wa.accounts.map((x: { id: string }) => x.id),
				wb.accounts.map((x: { id: string }) => x.id),
			);
		} finally {
			await a.close();
			await b.close();
		}
	});

	it('builds a plausible world: platforms, currencies, 60 days, paused campaigns spend nothing', () => {
		const w = sb.world;
		const byPlatform = (p: string) => w.accounts.filter((a) => a.platform === p);
		assert.deepEqual(byPlatform('meta').map((a) => a.currency), ['USD', 'EUR']);
		assert.deepEqual(byPlatform('linkedin').map((a) => a.currency), ['USD', 'GBP']);
		assert.deepEqual(byPlatform('google').map((a) => a.currency), ['USD', 'JPY']);
		assert.equal(w.klaviyo.currency, 'USD');
		for (const account of w.accounts) {
			assert.ok(account.timezone);
			assert.ok(account.campaigns.length >= 3 && account.campaigns.length <= 5);
			assert.ok(account.campaigns.some((c) => c.status === 'PAUSED'), `${account.name} has a paused campaign`);
			for (const c of account.campaigns) {
				assert.equal(c.daily.length, 60);
				assert.equal(c.daily[59]!.date, '2025-03-09');
				for (const d of c.daily) {
					assert.ok(d.clicks <= d.impressions && d.conversions <= d.clicks, `${c.name} ${d.date} funnel`);
					if (d.spend === 0) assert.equal(d.impressions, 0);
					if (account.currency === 'JPY') assert.equal(d.spend, Math.round(d.spend));
				}
				const pausedFrom = [...c.statusHistory].reverse().find((h) => h.status === 'PAUSED');
				if (c.status === 'PAUSED' && pausedFrom) for (const d of c.daily.filter((x) => x.date >= pausedFrom.date)) assert.equal(d.spend, 0);
				const active = c.daily.filter((d) => d.impressions > 0);
				if (active.length) {
					const ctr = active.reduce((s, d) => s + d.clicks, 0) / active.reduce((s, d) => s + d.impressions, 0);
					assert.ok(ctr > 0.003 && ctr < 0.04, `${c.name} CTR ${ctr}`);
				}
			}
		}
		const li = byPlatform('linkedin').flatMap((a) => a.campaigns).flatMap((c) => c.daily);
		assert.ok(li.reduce((s, d) => s + d.leads, 0) > 0, 'LinkedIn has leads');
		assert.ok(w.meta.posts.some((p) => !p.published), 'has dark posts');
		const intents = new Set(w.meta.comments.map((c) => c.label?.intent));
		for (const i of ['question', 'praise', 'complaint', 'spam', 'abuse']) assert.ok(intents.has(i as never), `comment intent ${i}`);
		assert.ok(new Set(w.meta.comments.map((c) => c.label?.language)).size >= 3);
	});

	it('reset and advance move the world; requests log redacts secrets', async () => {
		await fetch(`${sb.url}/meta/v21.0/act_1029384756001?access_token=${sb.credentials.meta.accessToken}&fields=name`);
		const log = (await (await fetch(`${sb.url}/_admin/requests?platform=meta`)).json()) as { requests: Array<{ route: string; query: Record<string, string>; status: number }> };
		const last = log.requests.at(-1)!;
		assert.equal(last.route, 'meta.object');
		assert.equal(last.status, 200);
		assert.equal(last.query.access_token, '[redacted]');
		assert.ok(!JSON.stringify(log).includes(sb.credentials.meta.accessToken));

		const res = await fetch(`${sb.url}/_admin/advance`, { method: 'POST', body: JSON.stringify({ days: 2 }), headers: { 'content-type': 'application/json' } });
		assert.deepEqual(await res.json(), { ok: true, today: '2025-03-12' });
		assert.equal(sb.world.accounts[0]!.campaigns[0]!.daily.length, 62);
		const reset = await fetch(`${sb.url}/_admin/reset`, { method: 'POST', body: JSON.stringify({ seed: 7, today: TODAY }), headers: { 'content-type': 'application/json' } });
		assert.equal(reset.status, 200);
		assert.equal(sb.world.today, TODAY);
		assert.equal(sb.world.accounts[0]!.campaigns[0]!.daily.length, 60);
		const bad = await fetch(`${sb.url}/_admin/faults`, { method: 'POST', body: JSON.stringify({ route: 'x', kind: 'explode' }), headers: { 'content-type': 'application/json' } });
		assert.equal(bad.status, 400);
	});

	it('CLI prints the URL and serves', async () => {
		const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/sandbox/main.ts', '--port', '0', '--seed', '3', '--today', TODAY], { stdio: ['ignore', 'pipe', 'pipe'] });
		try {
			let out = '';
			const url = await new Promise<string>((resolve, reject) => {
				child.stdout.on('data', (c: Buffer) => {
					out += c.toString();
					const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
					if (m) resolve(m[1]!);
				});
				child.once('exit', (code) => reject(new Error(`exited ${code}: ${out}`)));
			});
			const health = await (await fetch(`${url}/_admin/health`)).json();
			assert.deepEqual(health, { ok: true, seed: 3, today: TODAY });
		} finally {
			child.kill('SIGTERM');
			await once(child, 'exit');
		}
	});
});

describe('sandbox: a pinned clock', () => {
	it('starts at the instant given (then runs in real time), on its today only', async () => {
		const sb = await startSandbox({ seed: 3, today: '2026-03-20', now: '2026-03-20T12:00:00Z' });
		try {
			const drift = sb.now() - Date.parse('2026-03-20T12:00:00Z');
			assert.ok(drift >= 0 && drift < 5_000, `the clock starts at 12:00 (drift ${drift} ms)`);
		} finally {
			await sb.close();
		}
		await assert.rejects(startSandbox({ today: '2026-03-20', now: '2026-03-21T01:00:00Z' }), /now must be an ISO-8601 instant on 2026-03-20/);
		await assert.rejects(startSandbox({ today: '2026-03-20', now: 'noon' }), /now must be an ISO-8601 instant/);
	});
});

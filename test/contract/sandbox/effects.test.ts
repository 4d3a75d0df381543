import assert from 'node:assert/strict';
import { afterAll, beforeAll, beforeEach, describe, it } from 'vitest';
import { setTimeout as delay } from 'node:timers/promises';
import { startSandbox, type EffectReceipt, type Sandbox } from '../../../scripts/sandbox';

interface EffectAnswer {
	ok: boolean;
	receipt: number;
	duplicate: boolean;
}

describe('sandbox: effects receiver', () => {
	let sb: Sandbox;
	beforeAll(async () => {
		sb = await startSandbox({ seed: 1, today: '2025-03-10' });
	});
	beforeEach(() => {
		sb.clearEffects();
		sb.clearFaults();
	});
	afterAll(() => sb.close());

	const post = (name: string, body: unknown, key?: string, signal?: AbortSignal) =>
		fetch(`${sb.urls.effects}/${name}`, { method: 'POST', headers: { 'content-type': 'application/json', ...(key ? { 'idempotency-key': key } : {}) }, body: JSON.stringify(body), ...(signal ? { signal } : {}) });

	/** Polls until `sb.effects(name)` has `count` receipts (or fails after 2 s). */
	async function receipts(name: string, count: number): Promise<EffectReceipt[]> {
		for (const started = Date.now(); Date.now() - started < 2000; await delay(5)) {
			const list = sb.effects(name);
			if (list.length >= count) return list;
		}
		assert.fail(`expected ${count} receipts for ${name}, have ${sb.effects(name).length}`);
	}

	it('records every POST with its body and Idempotency-Key, and flags a repeated key per name', async () => {
		const first = await post('meta.budget', { adSetId: 'as-1', dailyBudget: 5000 }, 'prop-1');
		assert.equal(first.status, 200);
		const a = (await first.json()) as EffectAnswer;
		assert.equal(a.ok, true);
		assert.equal(a.duplicate, false);

		const again = (await (await post('meta.budget', { adSetId: 'as-1', dailyBudget: 5000 }, 'prop-1')).json()) as EffectAnswer;
		assert.equal(again.duplicate, true);
		assert.equal(again.receipt, a.receipt + 1, 'a duplicate is still a receipt');
		const otherName = (await (await post('meta.status', { adSetId: 'as-1' }, 'prop-1')).json()) as EffectAnswer;
		assert.equal(otherName.duplicate, false, 'keys are per name');
		const noKey = (await (await post('meta.budget', { n: 1 })).json()) as EffectAnswer;
		const noKeyAgain = (await (await post('meta.budget', { n: 1 })).json()) as EffectAnswer;
		assert.deepEqual([noKey.duplicate, noKeyAgain.duplicate], [false, false]);

		const budget = sb.effects('meta.budget');
		assert.deepEqual(
			budget.map((r) => [r.seq, r.idempotencyKey, r.body]),
			[
				[a.receipt, 'prop-1', { adSetId: 'as-1', dailyBudget: 5000 }],
				[a.receipt + 1, 'prop-1', { adSetId: 'as-1', dailyBudget: 5000 }],
				[noKey.receipt, null, { n: 1 }],
				[noKeyAgain.receipt, null, { n: 1 }],
			],
		);
		assert.ok(budget.every((r) => r.name === 'meta.budget' && r.receivedAt.startsWith('2025-03-10T')), 'received at on the sandbox clock');
		assert.equal(sb.effects().length, 5);

		const admin = (await (await fetch(`${sb.url}/_admin/effects?name=meta.status`)).json()) as { effects: EffectReceipt[] };
		assert.deepEqual(admin.effects.map((r) => r.seq), [otherName.receipt]);
		const cleared = (await (await fetch(`${sb.url}/_admin/effects`, { method: 'DELETE' })).json()) as { removed: number };
		assert.equal(cleared.removed, 5);
		assert.deepEqual(sb.effects(), []);
		const afterClear = (await (await post('meta.budget', {}, 'prop-1')).json()) as EffectAnswer;
		assert.equal(afterClear.duplicate, false, 'clearing forgets the keys');
		assert.ok(afterClear.receipt > noKeyAgain.receipt, 'receipt numbers never repeat');
	});

	it('refuses a body that is not JSON and unknown paths, recording nothing', async () => {
		const notJson = await fetch(`${sb.urls.effects}/x`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{nope' });
		assert.equal(notJson.status, 400);
		assert.equal(((await notJson.json()) as { error: string }).error, 'invalid_json');
		assert.equal((await fetch(`${sb.urls.effects}/_hold`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status, 404);
		assert.equal((await fetch(`${sb.urls.effects}/x`)).status, 404);
		const empty = (await (await fetch(`${sb.urls.effects}/empty`, { method: 'POST' })).json()) as EffectAnswer;
		assert.equal(empty.ok, true);
		assert.deepEqual(
			sb.effects().map((r) => [r.name, r.body]),
			[['empty', null]],
		);
	});

	it('a hold records the effect first and answers ms later', async () => {
		const hold = await fetch(`${sb.url}/_admin/effects/_hold`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ms: 400, count: 1 }) });
		assert.deepEqual(await hold.json(), { ms: 400, count: 1 });
		const started = Date.now();
		let answeredAt = 0;
		const pending = post('google.budget', { campaign: 'c-1' }, 'k-hold').then(async (res) => {
			answeredAt = Date.now();
			return (await res.json()) as EffectAnswer;
		});
		const [receipt] = await receipts('google.budget', 1);
		assert.equal(answeredAt, 0, 'the receipt is listed before the answer arrives');
		assert.equal(receipt!.idempotencyKey, 'k-hold');
		const answer = await pending;
		assert.equal(answer.receipt, receipt!.seq);
		assert.ok(answeredAt - started >= 390, `answered after ${answeredAt - started} ms`);

		const next = Date.now();
		await post('google.budget', {}, 'k-next');
		assert.ok(Date.now() - next < 300, 'count 1: the next one is not held');
	});

	it('a caller that gives up during a hold still caused the effect', async () => {
		sb.holdEffects(1500, 1);
		const abort = new AbortController();
		const pending = post('linkedin.status', { campaign: 'li-1' }, 'k-abort', abort.signal);
		await receipts('linkedin.status', 1);
		abort.abort();
		await assert.rejects(pending, { name: 'AbortError' });
		assert.equal(sb.effects('linkedin.status').length, 1);
		assert.throws(() => sb.holdEffects(-1), /ms must be/);
		assert.equal((await fetch(`${sb.url}/_admin/effects/_hold`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ms: 10, count: 1.5 }) })).status, 400);
	});

	it('5xx, 429 and timeout faults record nothing; latency and malformed faults still record', async () => {
		sb.injectFault({ route: 'effects.receive', kind: '5xx', status: 503 });
		const failed = await post('meta.budget', { try: 1 }, 'k-fault');
		assert.equal(failed.status, 503);
		assert.equal(((await failed.json()) as { ok: boolean }).ok, false);
		assert.deepEqual(sb.effects(), [], 'a 5xx means the side effect did not happen');

		sb.injectFault({ route: 'effects.receive', kind: '429', retryAfter: 2 });
		const limited = await post('meta.budget', { try: 2 }, 'k-fault');
		assert.equal(limited.status, 429);
		assert.equal(limited.headers.get('retry-after'), '2');
		assert.deepEqual(sb.effects(), []);

		sb.injectFault({ route: 'effects.receive', kind: 'timeout' });
		await assert.rejects(post('meta.budget', { try: 3 }, 'k-fault', AbortSignal.timeout(200)));
		assert.deepEqual(sb.effects(), []);

		sb.injectFault({ route: 'effects.*', kind: 'latency', latencyMs: 200 });
		const started = Date.now();
		const slow = (await (await post('meta.budget', { try: 4 }, 'k-fault')).json()) as EffectAnswer;
		assert.ok(Date.now() - started >= 190);
		assert.equal(slow.duplicate, false, 'the faulted attempts left no key behind');

		sb.injectFault({ route: 'POST /effects/*', kind: 'malformed' });
		const garbled = await post('meta.budget', { try: 5 }, 'k-fault');
		await assert.rejects(garbled.json());
		assert.deepEqual(
			sb.effects().map((r) => r.body),
			[{ try: 4 }, { try: 5 }],
		);
		assert.deepEqual(
			sb.requests({ route: 'effects.receive' }).slice(-5).map((e) => [e.status, e.fault]),
			[
				[503, '5xx'],
				[429, '429'],
				[0, 'timeout'],
				[200, 'latency'],
				[200, 'malformed'],
			],
		);
	});
	it('afterEffect faults apply the effect first, then lose (5xx, timeout), corrupt or delay its answer, through the admin API too', async () => {
		const admin = await fetch(`${sb.url}/_admin/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ route: 'effects.receive', kind: '5xx', status: 502, afterEffect: true }) });
		assert.equal(admin.status, 200);
		const [added] = ((await admin.json()) as { faults: Array<{ spec: { afterEffect?: boolean } }> }).faults;
		assert.equal(added.spec.afterEffect, true, 'the admin API keeps afterEffect');
		const lost = await post('meta.budget', { try: 1 }, 'k-after');
		assert.equal(lost.status, 502);
		assert.deepEqual(sb.effects().map((r) => r.body), [{ try: 1 }], 'the effect happened before the 502');

		sb.injectFault({ route: 'effects.receive', kind: 'timeout', afterEffect: true });
		await assert.rejects(post('meta.budget', { try: 2 }, 'k-after-2', AbortSignal.timeout(300)));
		await receipts('meta.budget', 2);

		sb.injectFault({ route: 'effects.receive', kind: 'malformed', afterEffect: true });
		await assert.rejects((await post('meta.budget', { try: 3 }, 'k-after-3')).json());

		sb.injectFault({ route: 'effects.receive', kind: 'latency', latencyMs: 250, afterEffect: true });
		const started = Date.now();
		const late = post('meta.budget', { try: 4 }, 'k-after-4');
		await receipts('meta.budget', 4);
		assert.ok(Date.now() - started < 240, 'the effect is recorded before the late answer');
		assert.equal((await late).status, 200);
		assert.ok(Date.now() - started >= 240);

		sb.injectFault({ route: 'effects.receive', kind: '429', afterEffect: true });
		assert.equal((await post('meta.budget', { try: 5 }, 'k-after-5')).status, 429);
		assert.deepEqual(sb.effects().map((r) => r.body), [{ try: 1 }, { try: 2 }, { try: 3 }, { try: 4 }], 'a 429 is never applied');
	});
});

/**
 * A person's verdict on held conversions (nodes/shared/conversions/settle.ts), against the sandbox's Meta
 * Conversions API and a real store: PGlite always, PostgreSQL when DATABASE_URL is set.
 *
 * A batch is held when its answer was lost more than Meta's 48 h dedupe window ago (a 5xx; the send-back
 * run 49 h later holds it, as test/contract/conversions-sendback.test.ts shows). The sandbox tells whether
 * Meta really got the first send: a fault `afterEffect` means Meta took the batch and then the answer was
 * lost; without it the request never reached the endpoint. The person's verdict here is the true one:
 *
 * - not received → the rows `failed`, the ledger entry `failed`; the next run sends exactly those events
 *   once, and Meta counts each once; a run after that sends nothing;
 * - accepted → the rows `accepted`, the ledger entry `succeeded`; the next run sends nothing;
 * - an event id that is not held (accepted, or never sent) → refused in words naming it and its status,
 *   nothing changed; an unknown platform or a malformed pixel id → refused;
 * - part of a batch: its ledger entry stays open until the last held row of the batch is settled;
 * - a stop between the ledger entry and the rows (possible on Supabase) is completed by a second settle;
 * - a second settle of the same rows → refused (nothing held), nothing doubled.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, test } from '../helpers/vitest-api';
import { createConversionSender, SEND_BACK_PLATFORMS, sendBackConversions, settleHeldConversions, SettleRefusedError, type SendBackDeps, type SendBackTarget, type SettleHeldInput } from '../../nodes/shared/conversions';
import { PLATFORM_LABELS, PLATFORM_REGISTRY } from '../../nodes/shared/platforms/registry';
import type { RowInput, Store } from '../../nodes/shared/store';
import { startSandbox, type Sandbox } from '../../scripts/sandbox';
import { conversionReceipts } from '../../scripts/sandbox/platforms/conversions';
import { sandboxPlatformSettings } from '../helpers/sandbox-adapters';
import { openStoreOfKind, STORE_KINDS, type OpenedTestStore } from '../helpers/store-kind';

const N = 12;
const ROUTE = 'meta.conversions';
const sha = (s: string) => createHash('sha256').update(s).digest('hex');
const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** "Meta pixel (dataset) id 123", as a regular expression's text: the label is the registry's. */
const pixel = (destination: string) => esc(`Meta ${PLATFORM_REGISTRY.meta.conversions!.destination.label} ${destination}`);

for (const kind of STORE_KINDS) {
	describe(`settling held conversions (${kind})`, () => {
		let sb: Sandbox;
		let opened: OpenedTestStore;
		let store: Store;
		let deps: SendBackDeps;
		let later: SendBackDeps;
		let seq = 0;
		const ids = Array.from({ length: N }, (_, i) => `held-${i}`);

		const target = (): SendBackTarget => ({ platform: 'meta', destination: `55443322${String(++seq).padStart(4, '0')}` });
		const send = (t: SendBackTarget, d: SendBackDeps, batchSize = 1000) => sendBackConversions(d, { targets: [t], batchSize });
		const uploads = async (t: SendBackTarget) => (await store.select('conversion_uploads', { where: { platform: 'meta', destination: t.destination } })).sort((a, b) => a.event_id.localeCompare(b.event_id));
		const ledger = (t: SendBackTarget) => store.select('action_ledger', { where: { kind: 'conversions.send', target: `meta:${t.destination}` }, order: { column: 'created_at', ascending: true } });
		/** Per event id, what the sandbox's Meta received and what it counted. */
		function counts(t: SendBackTarget): { received: Map<string, number>; counted: Map<string, number> } {
			const received = new Map<string, number>();
			const counted = new Map<string, number>();
			for (const r of conversionReceipts(sb.world, 'meta').filter((x) => x.destination === t.destination)) {
				received.set(r.eventId, (received.get(r.eventId) ?? 0) + 1);
				if (r.counted) counted.set(r.eventId, (counted.get(r.eventId) ?? 0) + 1);
			}
			return { received, counted };
		}
		function assertOnce(t: SendBackTarget, want: readonly string[]): void {
			const { received, counted } = counts(t);
			assert.deepEqual([...counted.keys()].sort(), [...want].sort(), 'Meta counted exactly these events');
			for (const [id, n] of counted) assert.equal(n, 1, `${id} counted ${n} times`);
			for (const [id, n] of received) assert.equal(n, 1, `${id} received ${n} times: never sent twice`);
		}
		const settle = (t: SendBackTarget, input: Omit<SettleHeldInput, 'platform' | 'destination'>) => settleHeldConversions(store, { platform: 'meta', destination: t.destination, ...input });
		async function refused(call: Promise<unknown>, words: RegExp): Promise<void> {
			await assert.rejects(call, (e: unknown) => {
				assert.ok(e instanceof SettleRefusedError, String(e));
				assert.match(e.message, words);
				return true;
			});
		}
		/** Everything the settle could touch, to compare before and after a refusal. */
		const snapshot = async (t: SendBackTarget) => JSON.stringify({ rows: await uploads(t), ledger: await ledger(t) });

		/** A batch of `batchSize` whose answer was lost (5xx), held by the run 49 h later. `reached`: Meta took it before the answer was lost. */
		async function held(reached: boolean, batchSize = 1000): Promise<SendBackTarget> {
			const t = target();
			sb.injectFault({ route: ROUTE, kind: '5xx', afterEffect: reached, count: 1 });
			const [first] = await send(t, deps, batchSize);
			sb.clearFaults();
			assert.equal(first!.unknown, Math.min(batchSize, N), first!.text);
			const [second] = await send(t, later, batchSize);
			assert.equal(second!.held, Math.min(batchSize, N), second!.text);
			assert.equal(counts(t).received.size, reached ? N : N - Math.min(batchSize, N), 'Meta has the other batches, and the lost one only when it reached it');
			return t;
		}

		beforeAll(async () => {
			sb = await startSandbox({ seed: 23 });
			opened = await openStoreOfKind(kind, 'adops-settle');
			store = opened.store;
			const sender = createConversionSender(sandboxPlatformSettings(sb, 'meta'), { retry: { maxRetries: 2, initialDelayMs: 1, maxDelayMs: 5 }, timeoutMs: 5_000, breaker: false });
			deps = { store, senders: { meta: sender } };
			later = { ...deps, now: () => new Date(Date.now() + 49 * 3_600_000) };
			const now = sb.now();
			const events: Array<RowInput<'marketing_events'>> = ids.map((id, i) => ({
				source: 'web',
				event_id: id,
				event_type: 'purchase',
				event_time: new Date(now - (i + 1) * 600_000).toISOString(),
				value: 20 + i,
				currency: 'EUR',
				email_sha256: sha(`held${i}@example.com`),
				consent_ad_user_data: true,
				consent_ad_storage: true,
				received_at: new Date(now).toISOString(),
			}));
			await store.upsert('marketing_events', events);
		});
		afterAll(async () => {
			await opened?.close();
			await sb?.close();
		});

		test('not received: the rows go failed and the ledger entry failed; the next run sends exactly those events once and Meta counts each once; a run after sends nothing', async () => {
			const t = await held(false);
			const [open] = await ledger(t);
			assert.equal(open?.status, 'unknown');
			const r = await settle(t, { verdict: 'not_received', decidedBy: 'Ana Ops', note: 'Events Manager shows none of them' });
			assert.deepEqual({ settled: r.settled, toSend: r.toSend, accepted: r.accepted, ledgerResolved: r.ledgerResolved, stillHeld: r.stillHeld, tooOld: r.tooOld }, { settled: N, toSend: N, accepted: 0, ledgerResolved: 1, stillHeld: 0, tooOld: 0 });
			assert.match(r.text, new RegExp(`^${N} held conversions for ${pixel(t.destination)} marked not received by Ana Ops: the next Send to Ad Platforms run sends them once`));
			assert.match(r.text, /closed in the action ledger: 1 batch as failed/);
			const rows = await uploads(t);
			assert.ok(rows.every((x) => x.status === 'failed' && x.settled_at === null && /marked not received by Ana Ops .*Events Manager shows none/.test(x.reason ?? '')), JSON.stringify(rows[0]));
			const [closed] = await ledger(t);
			assert.equal(closed?.status, 'failed');
			assert.match(String(closed?.resolution), /Ana Ops checked Meta pixel .* id \d+ after .* found 12 events not received/);

			const [next] = await send(t, later);
			assert.equal(next!.accepted, N, next!.text);
			assert.equal(next!.held + next!.unknown + next!.failed, 0, next!.text);
			assertOnce(t, ids);
			assert.ok((await uploads(t)).every((x) => x.status === 'accepted'));
			const entries = await ledger(t);
			assert.equal(entries.length, 1, 'the same batch (same events, same key) claimed again, as a batch refused before any effect');
			assert.equal(entries[0]!.status, 'succeeded');
			assert.equal(entries[0]!.attempts, 2);
			const [after] = await send(t, later);
			assert.equal(after!.batches + after!.accepted, 0, after!.text);
			assertOnce(t, ids);
		});

		test('accepted: the rows go accepted (settled, the person named) and the ledger entry succeeded; the next run sends nothing', async () => {
			const t = await held(true);
			const r = await settle(t, { verdict: 'accepted', decidedBy: 'Ben' });
			assert.deepEqual({ settled: r.settled, accepted: r.accepted, toSend: r.toSend, ledgerResolved: r.ledgerResolved }, { settled: N, accepted: N, toSend: 0, ledgerResolved: 1 });
			assert.match(r.text, /marked accepted by Ben: Meta has them; they count as sent and are never sent again/);
			const rows = await uploads(t);
			assert.ok(rows.every((x) => x.status === 'accepted' && x.settled_at !== null && /^marked accepted by Ben on .*Meta has these events/.test(x.reason ?? '')));
			const [entry] = await ledger(t);
			assert.equal(entry?.status, 'succeeded');
			assert.match(String(entry?.resolution), /Ben checked Meta pixel .*found 12 events received: accepted/);
			const [next] = await send(t, later);
			assert.equal(next!.batches + next!.accepted + next!.resent, 0, next!.text);
			assertOnce(t, ids);
		});

		test('an event id that is not held (accepted, or never sent) is refused in words naming it and its status; nothing changes; unknown platforms and malformed pixels are refused', async () => {
			// the first batch of 5 lost and held, the other 7 accepted
			const t = await held(false, 5);
			const rows = await uploads(t);
			const heldIds = rows.filter((x) => x.status === 'held').map((x) => x.event_id);
			const acceptedId = rows.find((x) => x.status === 'accepted')!.event_id;
			assert.equal(heldIds.length, 5);
			const before = await snapshot(t);
			await refused(settle(t, { verdict: 'not_received', decidedBy: 'Ana', eventIds: [heldIds[0]!, acceptedId, 'no-such-event'] }), new RegExp(`^Nothing was changed: 2 event ids are not held for ${pixel(t.destination)}: ${acceptedId} \\(accepted\\), no-such-event \\(never sent to ${pixel(t.destination)}\\)`));
			await refused(settleHeldConversions(store, { platform: 'klaviyo', verdict: 'accepted', decidedBy: 'Ana' }), new RegExp(`^"klaviyo" is not a platform that takes conversions: choose one of ${esc(SEND_BACK_PLATFORMS.map((p) => `${PLATFORM_LABELS[p]} (${p})`).join(', '))}$`));
			await refused(settleHeldConversions(store, { platform: 'meta', destination: 'pixel-1', verdict: 'accepted', decidedBy: 'Ana' }), /"pixel-1" is not a Meta pixel \(dataset\) id \(expected/);
			await refused(settle(t, { verdict: 'accepted', decidedBy: '  ' }), /Say who checked Meta and decided/);
			await refused(settle(t, { verdict: 'maybe' as never, decidedBy: 'Ana' }), /The verdict must be "accepted" .* or "not_received"/);
			assert.equal(await snapshot(t), before, 'nothing changed');

			// part of the batch: its ledger entry stays open until its last held row is settled
			const some = await settle(t, { verdict: 'not_received', decidedBy: 'Ana', eventIds: `${heldIds[0]}, ${heldIds[1]}\n${heldIds[0]}` });
			assert.deepEqual({ settled: some.settled, ledgerResolved: some.ledgerResolved, stillHeld: some.stillHeld }, { settled: 2, ledgerResolved: 0, stillHeld: 3 });
			assert.match(some.text, /no batch closed in the action ledger \(other events of the same batches are still open\); still held for Meta: 3 events/);
			assert.equal((await ledger(t))[0]!.status, 'unknown');
			const [next] = await send(t, later);
			assert.equal(next!.accepted, 2, next!.text);
			assertOnce(t, ids.filter((id) => !heldIds.slice(2).includes(id)));
			const rest = await settle(t, { verdict: 'not_received', decidedBy: 'Ana' });
			assert.deepEqual({ settled: rest.settled, ledgerResolved: rest.ledgerResolved, stillHeld: rest.stillHeld }, { settled: 3, ledgerResolved: 1, stillHeld: 0 });
			assert.equal((await ledger(t))[0]!.status, 'failed');
			await send(t, later);
			assertOnce(t, ids);
			assert.ok((await uploads(t)).every((x) => x.status === 'accepted'));
		});

		test('a stop between the ledger entry and the rows (Supabase has no transaction; the entry is written first) leaves the rows held under a closed entry; a second settle completes them and the next run sends them once', async () => {
			const t = await held(false);
			const [entry] = await ledger(t);
			await store.resolveAction(entry!.idempotency_key, { from: 'unknown', status: 'failed', resolution: 'Ana checked Meta pixel … and found 12 events not received' });
			const r = await settle(t, { verdict: 'not_received', decidedBy: 'Ana' });
			assert.deepEqual({ settled: r.settled, ledgerResolved: r.ledgerResolved }, { settled: N, ledgerResolved: 0 });
			const [next] = await send(t, later);
			assert.equal(next!.accepted, N, next!.text);
			assertOnce(t, ids);
		});

		test('a second settle of the same rows is refused (nothing held, with what is held elsewhere); nothing is doubled', async () => {
			const elsewhere = await held(true);
			const t = await held(true);
			await settle(t, { verdict: 'accepted', decidedBy: 'Ben' });
			const before = await snapshot(t);
			await refused(settle(t, { verdict: 'accepted', decidedBy: 'Ben' }), new RegExp(`^Nothing is held for ${pixel(t.destination)}, so nothing was changed\\. Held now: ${pixel(elsewhere.destination)}: 12 events$`));
			await refused(settle(t, { verdict: 'not_received', decidedBy: 'Cleo', eventIds: [ids[0]!] }), new RegExp(`Nothing was changed: 1 event id is not held for ${pixel(t.destination)}: ${ids[0]} \\(accepted\\)`));
			assert.equal(await snapshot(t), before, 'nothing changed');
			assert.equal((await ledger(t)).length, 1);
			await send(t, later);
			assertOnce(t, ids);
			// the other pixel: settled without a destination (every held row of Meta)
			const all = await settleHeldConversions(store, { platform: 'meta', verdict: 'accepted', decidedBy: 'Ben' });
			assert.equal(all.settled, N, all.text);
			await refused(settleHeldConversions(store, { platform: 'meta', verdict: 'accepted', decidedBy: 'Ben' }), /^Nothing is held for Meta, so nothing was changed\. No conversions are held for any platform$/);
			assertOnce(elsewhere, ids);
		});
	});
}

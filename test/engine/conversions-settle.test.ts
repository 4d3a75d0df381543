// AdOps Conversions' Settle Held Conversions run in-process by n8n-core (test/engine/harness.ts) against the
// store (PGlite, or PostgreSQL with DATABASE_URL) and the sandbox's Meta Conversions API.
// A batch held by an earlier send-back (its answer lost past Meta's 48 h dedupe window; the held state itself
// is tested in test/contract/conversions-sendback.test.ts, the settling in conversions-settle.test.ts) is
// planted in the store as send.ts leaves it: rows `held`, its ledger entry `unknown`. Then:
// - the node's parameters reach the core: only the named event ids of the named pixel change, the verdict and
//   the person are recorded, one item in words; "not received" → the next Send to Ad Platforms run sends
//   exactly those events once;
// - bad input is refused with the item's index and nothing changes: an event id that is not held, an
//   unknown verdict or platform (through expressions), a blank Decided By, a malformed pixel id.
import { test, describe, beforeAll, afterAll, expect } from 'vitest';
import { batchKey } from '../../nodes/shared/conversions';
import { ingestEvents } from '../../nodes/shared/events/ingest';
import { conversionReceipts } from '../../scripts/sandbox/platforms/conversions';
import { startEngine, type Engine } from './harness';
import { expectNodeError, expectPaired, json } from './expect';
import { withStore } from './world';

const PIXEL = '887766554';
const OTHER = '887766555';

describe('AdOps Conversions: Settle Held Conversions on n8n-core', () => {
	let engine: Engine;
	let creds: Record<string, { id: string; name: string }>;
	const node = (parameters: Record<string, unknown>) => ({ name: 'Conversions', type: 'adOpsConversions', parameters, credentials: { ...creds, ...engine.credentialRef('adOpsMetaAdsApi') } });
	const settle = (parameters: Record<string, unknown>) => node({ operation: 'settleHeld', settlePlatform: 'meta', settleDestination: PIXEL, settleVerdict: 'not_received', settleDecidedBy: 'Ana Ops', ...parameters });
	const rows = (destination: string) => withStore(engine, async (store) => (await store.select('conversion_uploads', { where: { platform: 'meta', destination } })).sort((a, b) => a.event_id.localeCompare(b.event_id)));
	const ledger = (key: string) => withStore(engine, async (store) => (await store.select('action_ledger', { where: { idempotency_key: key } }))[0]);
	const sent = (destination: string) => conversionReceipts(engine.sandbox.world, 'meta').filter((r) => r.destination === destination).map((r) => r.eventId).sort();

	/** A batch of `ids` to `destination` as send.ts leaves it when the answer was lost past the window: ledger unknown, rows held. */
	async function plantHeld(destination: string, ids: string[]): Promise<string> {
		const key = batchKey('meta', destination, ids.map((event_id) => ({ source: 'settle', event_id })));
		const firstSentAt = new Date(Date.now() - 50 * 3_600_000).toISOString();
		await withStore(engine, async (store) => {
			const claim = await store.claimAction(key, { kind: 'conversions.send', target: `meta:${destination}`, intent: { platform: 'meta', destination, events: ids.length }, claimedBy: 'engine-test' });
			expect(claim.claimed).toBe(true);
			await store.completeAction(key, { status: 'unknown', error: 'Meta events answered HTTP 503' });
			await store.upsert('conversion_uploads', ids.map((event_id) => ({ platform: 'meta', destination, source: 'settle', event_id, batch_key: key, status: 'held' as const, reason: 'the answer was lost; check Meta Events Manager', first_sent_at: firstSentAt })));
		});
		return key;
	}

	beforeAll(async () => {
		engine = await startEngine({ seed: 24 });
		creds = engine.credentialRef('adOpsStoreApi');
		const ago = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();
		const consent = { ad_storage: true, ad_user_data: true };
		const events = ['h-1', 'h-2', 'h-3', 'o-1'].map((id, i) => ({ event_id: id, type: 'purchase', time: ago(30 + i), user: { email: `${id}@example.com` }, value: 10 + i, currency: 'EUR', consent }));
		const answer = await withStore(engine, (store) => ingestEvents(store, { events }, { source: 'settle' }));
		expect(answer).toMatchObject({ stored: 4 });
	}, 240_000);
	afterAll(async () => {
		await engine?.close();
	});

	test('the parameters reach the core: the named held events of the named pixel are marked not received by the named person, one item in words; the next Send to Ad Platforms run sends exactly those once', async () => {
		const key = await plantHeld(PIXEL, ['h-1', 'h-2', 'h-3']);
		const otherKey = await plantHeld(OTHER, ['o-1']);
		const run = await engine.runNode(settle({ settleEventIds: 'h-1,\nh-2', settleNote: 'Events Manager: not there' }));
		expect(run.status, JSON.stringify(run.error)).toBe('success');
		expectPaired(run);
		const items = json(run.items('Conversions'));
		expect(items).toHaveLength(1);
		expect(items[0]).toMatchObject({ outcome: 'settleHeld', platform: 'meta', destination: PIXEL, verdict: 'not_received', settled: 2, toSend: 2, ledgerResolved: 0, stillHeld: 2 });
		expect(items[0]!.text).toMatch(/^2 held conversions for Meta pixel \(dataset\) id 887766554 marked not received by Ana Ops: the next Send to Ad Platforms run sends them once.*still held for Meta: 2 events \(note: Events Manager: not there\)$/);
		expect((await rows(PIXEL)).map((r) => `${r.event_id} ${r.status}`)).toEqual(['h-1 failed', 'h-2 failed', 'h-3 held']);
		expect((await rows(PIXEL))[0]!.reason).toMatch(/^marked not received by Ana Ops on .* UTC: Meta does not have these events.*\(note: Events Manager: not there\)$/);
		expect((await rows(OTHER)).map((r) => r.status)).toEqual(['held']);
		expect((await ledger(key))?.status).toBe('unknown');

		// the next send-back run sends h-1 and h-2 once (and o-1, never sent to this pixel); h-3 stays held
		const send = await engine.runNode(node({ operation: 'sendBack', metaDestination: PIXEL }));
		expect(send.status, JSON.stringify(send.error)).toBe('success');
		expect(json(send.items('Conversions'))[0]).toMatchObject({ platform: 'meta', accepted: 3, held: 0 });
		expect(sent(PIXEL)).toEqual(['h-1', 'h-2', 'o-1']);

		// the rest of the batch, received: accepted, the batch's ledger entry closed as succeeded
		const rest = json((await engine.runNode(settle({ settleVerdict: 'accepted', settleDecidedBy: 'Ben' }))).items('Conversions'))[0];
		expect(rest).toMatchObject({ verdict: 'accepted', settled: 1, accepted: 1, ledgerResolved: 1, stillHeld: 1 });
		expect(await ledger(key)).toMatchObject({ status: 'succeeded', resolution: expect.stringMatching(/^Ben checked Meta pixel \(dataset\) id 887766554 /) });
		expect((await rows(PIXEL)).map((r) => `${r.event_id} ${r.status}`)).toEqual(['h-1 accepted', 'h-2 accepted', 'h-3 accepted', 'o-1 accepted']);
		await engine.runNode(node({ operation: 'sendBack', metaDestination: PIXEL }));
		expect(sent(PIXEL)).toEqual(['h-1', 'h-2', 'o-1']);
		expect((await ledger(otherKey))?.status).toBe('unknown');
	}, 180_000);

	test('bad input is refused in words with the item index, and nothing changes', async () => {
		const before = JSON.stringify(await rows(OTHER));
		const notHeld = await engine.runNode(settle({ settleDestination: OTHER, settleEventIds: '={{ $json.ids }}' }), [{ ids: 'o-1' }, { ids: 'o-1, h-1' }]);
		expectNodeError(notHeld, 'Conversions', /Nothing was changed: 2 event ids are not held for Meta pixel \(dataset\) id 887766555: o-1 \(failed\), h-1 \(never sent to Meta pixel \(dataset\) id 887766555\)/, 1);
		// the first item settled o-1 (it was held); the second, naming it again, changed nothing
		expect((await rows(OTHER)).map((r) => r.status)).toEqual(['failed']);
		expect(before).toMatch(/"held"/);
		const again = await engine.runNode(settle({ settleDestination: OTHER }));
		expectNodeError(again, 'Conversions', /^Nothing is held for Meta pixel \(dataset\) id 887766555, so nothing was changed\. No conversions are held for any platform$/, 0);
		const unchanged = JSON.stringify([await rows(PIXEL), await rows(OTHER)]);
		const verdict = await engine.runNode(settle({ settleVerdict: '={{ "maybe" }}' }));
		expectNodeError(verdict, 'Conversions', /The verdict must be "accepted" \(Meta has the events\) or "not_received"/, 0);
		const platform = await engine.runNode(settle({ settlePlatform: '={{ "klaviyo" }}' }));
		expectNodeError(platform, 'Conversions', /"klaviyo" is not a platform that takes conversions/, 0);
		// n8n itself refuses an empty required Decided By; blank through an expression is refused by the core
		const nobody = await engine.runNode(settle({ settleDecidedBy: '={{ $json.who }}' }), [{ who: ' ' }]);
		expectNodeError(nobody, 'Conversions', /Say who checked Meta and decided/, 0);
		const pixel = await engine.runNode(settle({ settleDestination: 'act_123' }));
		expectNodeError(pixel, 'Conversions', /"act_123" is not a Meta pixel \(dataset\) id/, 0);
		expect(JSON.stringify([await rows(PIXEL), await rows(OTHER)])).toBe(unchanged);
	}, 180_000);
});

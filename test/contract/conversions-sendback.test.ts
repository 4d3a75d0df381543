/**
 * Sending first-party conversions back (issue 22, item 3) against the sandbox's Meta Conversions API,
 * Google Ads uploadClickConversions, LinkedIn conversionEvents and TikTok event/track endpoints and a real
 * store: PGlite always, PostgreSQL when DATABASE_URL is set.
 *
 * The sandbox keeps two counts per event (scripts/sandbox/platforms/conversions.ts): `received` (every event
 * in every request that reached the endpoint, repeats included) and `counted` (what the platform keeps after
 * dropping repeats by its dedupe key, as the real platforms do). Every test asserts `counted` is exactly one
 * per eligible event and platform, and says what `received` must be: equal to `counted` where nothing was
 * resent (reruns, 429s, a kill before the send), one more per event where a batch whose answer was lost was
 * sent again with the same ids inside the dedupe window (a timeout after the platform took it, a kill after
 * the send) — that resend is the reconciliation, since no platform offers a read of single conversions.
 *
 * - every eligible conversion goes to each platform once, in batches; a rerun sends nothing;
 * - Google's partial failure: invalid gclids rejected with Google's code and words, stored, never resent;
 * - a 429 then success: sent once, the throttled request never reached the endpoint;
 * - a lost answer (timeout after the effect) → unknown → the rerun resends the same ids: counted once;
 *   Google answers the resend CLICK_CONVERSION_ALREADY_EXISTS, taken as accepted;
 * - a lost answer older than the platform's dedupe window is held for a person, never resent;
 * - SIGKILL mid-batch (child process, failpoints conversions.send.after-claim / after-platform) → rerun:
 *   every event counted once;
 * - batches never exceed the registry's limit (2,100 events to Meta: 1,000 + 1,000 + 100);
 * - events without consent (ad_user_data or ad_storage not true) are never sent anywhere.
 *
 * Child mode: with CONVERSIONS_CHILD set this file runs one send-back and is killed at the failpoint.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, test } from '../helpers/vitest-api';
import { batchKey, createConversionSender, sendBackConversions, SEND_BACK_PLATFORMS, type SendBackDeps, type SendBackTarget } from '../../nodes/shared/conversions';
import { PLATFORM_REGISTRY } from '../../nodes/shared/platforms/registry';
import { openStore, type RowInput, type Store, type StoreConfig } from '../../nodes/shared/store';
import { startSandbox, type Sandbox } from '../../scripts/sandbox';
import { conversionReceipts, type ConversionPlatform } from '../../scripts/sandbox/platforms/conversions';
import { assertKilledAt, runChildJob, runFailpointChild } from '../helpers/failpoint-child';
import { sandboxPlatformSettings, type SandboxRef } from '../helpers/sandbox-adapters';
import { openStoreOfKind, STORE_KINDS } from '../helpers/store-kind';

const PLATFORMS = ['meta', 'google_ads', 'linkedin', 'tiktok'] as const;
type P = (typeof PLATFORMS)[number];
const N = 60;
const BATCH = 7;
const sha = (s: string) => createHash('sha256').update(s).digest('hex');

function senders(sb: SandboxRef): SendBackDeps['senders'] {
	return Object.fromEntries(PLATFORMS.map((p) => [p, createConversionSender(sandboxPlatformSettings(sb, p), { retry: { maxRetries: 2, initialDelayMs: 1, maxDelayMs: 5 }, timeoutMs: 2_500, breaker: false })]));
}

// ------------------------------------------------------------------------------------------------
// Child mode: one send-back, killed at the failpoint (ADOPS_FAILPOINTS)
// ------------------------------------------------------------------------------------------------
const CHILD = process.env.CONVERSIONS_CHILD;
if (CHILD) {
	runChildJob(async () => {
		const spec = JSON.parse(CHILD) as { sandbox: SandboxRef; store: StoreConfig; targets: SendBackTarget[]; batchSize: number };
		const store = await openStore(spec.store);
		await sendBackConversions({ store, senders: senders(spec.sandbox), runId: 'child' }, { targets: spec.targets, batchSize: spec.batchSize });
		await store.close();
	});
}

/** The generated events: types, consent, identifiers and click ids vary with the index. */
function generate(nowMs: number): Array<RowInput<'marketing_events'>> {
	const rows: Array<RowInput<'marketing_events'>> = [];
	for (let i = 0; i < N; i++) {
		const type = i % 5 === 4 ? 'click' : i % 5 < 2 ? 'purchase' : 'lead';
		let gclid: string | null = i % 3 === 0 ? `Cj0KCQiA${String(i).padStart(4, '0')}sandboxGclid` : null;
		if (i === 12 || i === 33) gclid = `invalid-gclid-${i}-0000`;
		rows.push({
			source: 'web',
			event_id: `conv-${i}`,
			event_type: type,
			event_time: new Date(nowMs - (i + 1) * 600_000).toISOString(),
			...(type === 'purchase' ? { value: 10 + i, currency: 'EUR' } : {}),
			email_sha256: i % 6 === 5 ? null : sha(`person${i}@example.com`),
			phone_sha256: i % 2 === 0 ? sha(`4915120000${i}`) : null,
			phone_e164_sha256: i % 2 === 0 ? sha(`+4915120000${i}`) : null,
			gclid,
			fbclid: i % 4 === 1 ? `IwAR${i}_sandbox` : null,
			li_fat_id: i % 5 === 2 ? `li-fat-${i}-0f0e0d0c` : null,
			ttclid: i % 4 === 2 ? `E.C.P.${i}sandbox` : null,
			consent_ad_user_data: i % 7 === 3 ? false : i % 13 === 6 ? null : true,
			consent_ad_storage: i % 11 === 5 ? null : true,
			consent_analytics: true,
			received_at: new Date(nowMs).toISOString(),
		});
	}
	return rows;
}

type Ev = ReturnType<typeof generate>[number];
const consented = (e: Ev) => e.consent_ad_user_data === true && e.consent_ad_storage === true;
const conversion = (e: Ev) => e.event_type === 'purchase' || e.event_type === 'lead';
/** What the test expects each platform to receive, written from the brief, not from the code under test. */
function expected(events: Ev[], p: P): Set<string> {
	const ok = (e: Ev): boolean => {
		if (!conversion(e) || !consented(e)) return false;
		if (p === 'google_ads') return Boolean(e.gclid);
		if (p === 'meta') return Boolean(e.fbclid || e.email_sha256 || e.phone_sha256);
		if (p === 'linkedin') return Boolean(e.li_fat_id || e.email_sha256);
		return Boolean(e.ttclid || e.email_sha256 || e.phone_sha256);
	};
	return new Set(events.filter(ok).map((e) => e.event_id));
}
const INVALID_GCLIDS = new Set(['conv-12', 'conv-33']);
/** What the platform keeps: Google refuses the invalid gclids (received, not counted). */
function kept(events: Ev[], p: P): Set<string> {
	const want = expected(events, p);
	return p === 'google_ads' ? new Set([...want].filter((id) => !INVALID_GCLIDS.has(id))) : want;
}

const WORLD: Record<P, ConversionPlatform> = { meta: 'meta', google_ads: 'google_ads', linkedin: 'linkedin', tiktok: 'tiktok' };
const ROUTE: Record<P, string> = { meta: 'meta.conversions', google_ads: 'googleads.uploadClickConversions', linkedin: 'linkedin.conversionEvents', tiktok: 'tiktok.eventTrack' };

function registerSuite(name: string, open: () => Promise<{ store: Store; config: StoreConfig; cleanup: () => Promise<void> }>): void {
	describe(`sending conversions back (${name})`, () => {
		let sb: Sandbox;
		let store: Store;
		let config: StoreConfig;
		let cleanup: () => Promise<void>;
		let deps: SendBackDeps;
		let events: Ev[];
		let googleCustomer: string;
		let seq = 0;

		/** A destination no other test uses. */
		function target(p: P): SendBackTarget {
			seq += 1;
			const n = String(seq).padStart(4, '0');
			if (p === 'meta') return { platform: p, destination: `99887766${n}` };
			if (p === 'google_ads') return { platform: p, destination: `customers/${googleCustomer}/conversionActions/${7000 + seq}` };
			if (p === 'linkedin') return { platform: p, destination: `urn:lla:llaPartnerConversion:${8000 + seq}` };
			return { platform: p, destination: `CSANDBOXPX${n}` };
		}
		const receipts = (t: SendBackTarget) => conversionReceipts(sb.world, WORLD[t.platform as P]).filter((r) => r.destination === t.destination);
		/** Per event id: how many the platform counted, and how many it received. */
		function counts(t: SendBackTarget): { counted: Map<string, number>; received: Map<string, number> } {
			const counted = new Map<string, number>();
			const received = new Map<string, number>();
			for (const r of receipts(t)) {
				received.set(r.eventId, (received.get(r.eventId) ?? 0) + 1);
				if (r.counted) counted.set(r.eventId, (counted.get(r.eventId) ?? 0) + 1);
			}
			return { counted, received };
		}
		/** Every expected event counted exactly once, nothing else counted. */
		function assertOnce(t: SendBackTarget, ids: Set<string>): void {
			const { counted } = counts(t);
			assert.deepEqual([...counted.keys()].sort(), [...ids].sort(), `${t.platform}: the platform counted exactly the eligible events`);
			for (const [id, n] of counted) assert.equal(n, 1, `${t.platform}: ${id} counted ${n} times`);
		}
		const uploads = (t: SendBackTarget) => store.select('conversion_uploads', { where: { platform: t.platform, destination: t.destination } });
		const send = (targets: SendBackTarget[], d: SendBackDeps = deps, batchSize = BATCH) => sendBackConversions(d, { targets, batchSize });

		beforeAll(async () => {
			sb = await startSandbox({ seed: 22 });
			({ store, config, cleanup } = await open());
			deps = { store, senders: senders(sb) };
			events = generate(sb.now());
			await store.upsert('marketing_events', events);
			googleCustomer = sb.world.accounts.find((a) => a.platform === 'google')!.id;
		});
		afterAll(async () => {
			await store?.close();
			await sb?.close();
			await cleanup?.();
		});

		test('the platforms tested here are the registry\'s conversion platforms, each with its batch limit', () => {
			assert.deepEqual([...SEND_BACK_PLATFORMS].sort(), [...PLATFORMS].sort());
			assert.deepEqual(Object.fromEntries(PLATFORMS.map((p) => [p, PLATFORM_REGISTRY[p].conversions!.batchLimit])), { meta: 1000, google_ads: 2000, linkedin: 5000, tiktok: 1000 });
		});

		test('every eligible conversion goes to each platform exactly once, in batches of the given size; a rerun sends nothing', async () => {
			const targets = PLATFORMS.map(target);
			const first = await send(targets);
			for (const [i, p] of PLATFORMS.entries()) {
				const t = targets[i]!;
				const want = expected(events, p);
				const accepted = kept(events, p);
				assert.equal(first[i]!.accepted, accepted.size, first[i]!.text);
				assertOnce(t, accepted);
				const { received } = counts(t);
				assert.equal([...received.values()].reduce((a, b) => a + b, 0), want.size, `${p}: received once each (Google's refused ones included): nothing was sent twice`);
				const requests = sb.requests({ route: ROUTE[p] }).filter((r) => JSON.stringify(r).includes(t.destination));
				assert.equal(requests.length, Math.ceil(want.size / BATCH), `${p}: ${want.size} events in batches of ${BATCH}`);
				const rows = await uploads(t);
				assert.equal(rows.length, want.size);
				assert.equal(rows.filter((r) => r.status === 'accepted').length, accepted.size);
				assert.ok(first[i]!.skipped.noConsent > 0, first[i]!.text);
				assert.match(first[i]!.text, new RegExp(`${accepted.size} conversions taken by`));
			}
			const before = conversionReceipts(sb.world).length;
			const second = await send(targets);
			assert.equal(conversionReceipts(sb.world).length, before, 'a rerun sends nothing');
			for (const r of second) assert.equal(r.accepted + r.batches, 0, r.text);
		});

		test("Google's partial failure: the invalid gclids are rejected with Google's code and words, stored per event; the others accepted; a rerun does not resend them", async () => {
			const t = target('google_ads');
			const [r] = await send([t]);
			assert.equal(r!.rejected, INVALID_GCLIDS.size, r!.text);
			assert.match(r!.text, /event conv-12: The click ID could not be decoded\. \(UNPARSEABLE_GCLID\)/);
			const rows = await uploads(t);
			const rejected = rows.filter((x) => x.status === 'rejected');
			assert.deepEqual(rejected.map((x) => x.event_id).sort(), [...INVALID_GCLIDS].sort());
			for (const x of rejected) {
				assert.equal(x.reason_code, 'UNPARSEABLE_GCLID');
				assert.equal(x.reason, 'The click ID could not be decoded.');
			}
			const before = receipts(t).length;
			await send([t]);
			assert.equal(receipts(t).length, before, 'rejected events are not sent again');
		});

		for (const p of PLATFORMS) {
			test(`${p}: a 429 is retried after the platform's delay and the batch sent once; the throttled request never reached the endpoint (received = counted)`, async () => {
				const t = target(p);
				sb.injectFault({ route: ROUTE[p], kind: '429', count: 1, retryAfter: 1 });
				const [r] = await send([t], deps, 1000);
				sb.clearFaults();
				const want = expected(events, p);
				assert.equal(r!.failed + r!.unknown, 0, r!.text);
				assertOnce(t, kept(events, p));
				assert.equal(receipts(t).length, want.size, 'received = counted');
				const throttled = sb.requests({ route: ROUTE[p] }).filter((x) => x.fault === '429');
				assert.ok(throttled.length >= 1);
			});
		}

		for (const p of PLATFORMS) {
			test(`${p}: a lost answer (the platform took the batch, the answer timed out) is unknown; the rerun sends the same ids again inside the dedupe window: counted once, received twice`, async () => {
				const t = target(p);
				const want = expected(events, p);
				sb.injectFault({ route: ROUTE[p], kind: 'timeout', afterEffect: true, count: 1 });
				const [first] = await send([t], deps, 1000);
				sb.clearFaults();
				assert.equal(first!.unknown, want.size, first!.text);
				assert.match(first!.text, /lost answer; the next run sends them again with the same ids/);
				assert.doesNotMatch(first!.text, /retry|try again/i);
				const [entry] = await store.select('action_ledger', { where: { kind: 'conversions.send', target: `${p}:${t.destination}` } });
				assert.equal(entry?.status, 'unknown');
				assert.ok((await uploads(t)).every((x) => x.status === 'unknown'));
				assert.equal(receipts(t).length, want.size, 'the timed-out request was sent once (not retried)');

				const [second] = await send([t], deps, 1000);
				assert.equal(second!.resent, want.size, second!.text);
				assertOnce(t, kept(events, p));
				const { received } = counts(t);
				for (const id of want) assert.equal(received.get(id), 2, `${id}: the original and the one resend`);
				const accepted = p === 'google_ads' ? want.size - INVALID_GCLIDS.size : want.size;
				assert.equal((await uploads(t)).filter((x) => x.status === 'accepted').length, accepted);
				if (p === 'google_ads') {
					assert.equal(second!.accepted, accepted, 'Google answered CLICK_CONVERSION_ALREADY_EXISTS: taken as already there');
					const answers = await uploads(t);
					assert.ok(answers.some((x) => x.status === 'accepted'));
				}
				const [settled] = await store.select('action_ledger', { where: { kind: 'conversions.send', target: `${p}:${t.destination}` } });
				assert.equal(settled?.status, 'succeeded');
				assert.match(String(settled?.resolution), /sent again with the same ids within .* dedupe window/);
				const third = await send([t], deps, 1000);
				assert.equal(third[0]!.batches, 0, 'settled: nothing more');
				assert.equal(receipts(t).length, want.size * 2);
			});
		}

		test('Meta: a lost answer older than the 48 h dedupe window is held for a person with words, and never resent', async () => {
			const t = target('meta');
			const want = expected(events, 'meta');
			sb.injectFault({ route: ROUTE.meta, kind: '5xx', afterEffect: true, count: 1 });
			const [first] = await send([t], deps, 1000);
			sb.clearFaults();
			assert.equal(first!.unknown, want.size, first!.text);
			const later = { ...deps, now: () => new Date(Date.now() + 49 * 3_600_000) };
			const [second] = await send([t], later, 1000);
			assert.equal(second!.held, want.size, second!.text);
			assert.equal(second!.resent + second!.accepted, 0);
			assert.match(second!.text, /held for a person: their answer was lost more than 48 h ago/);
			const rows = await uploads(t);
			assert.ok(rows.every((x) => x.status === 'held'));
			assert.match(rows[0]!.reason!, /drops repeats only within 48 h .*could count it twice/);
			await send([t], later, 1000);
			assert.equal(receipts(t).length, want.size, 'never resent');
			assertOnce(t, kept(events, 'meta'));
		});

		test('a claim whose run died before recording its events (possible on Supabase, which has no transactions) is settled as not sent, and the batch goes once', async () => {
			const t = target('meta');
			const want = expected(events, 'meta');
			const batch = events.filter((e) => want.has(e.event_id)).map((e) => ({ source: e.source, event_id: e.event_id }));
			const key = batchKey('meta', t.destination, batch);
			const dead = await store.claimAction(key, { kind: 'conversions.send', target: `meta:${t.destination}`, intent: {}, claimedBy: `${hostname()}:2147483646:dead-run` });
			assert.ok(dead.claimed);
			const [r] = await send([t], deps, 1000);
			assert.equal(r!.accepted, want.size, r!.text);
			assertOnce(t, want);
			assert.equal(receipts(t).length, want.size);
			const [entry] = await store.select('action_ledger', { where: { idempotency_key: key } });
			assert.equal(entry?.status, 'succeeded');
			assert.equal(entry?.attempts, 2);
		});

		test('a request refused whole before any effect (a revoked token) is failed with the platform\'s words; the next run sends those events once', async () => {
			const t = target('meta');
			const want = expected(events, 'meta');
			const revoked = { ...sb.credentials, meta: { ...sb.credentials.meta, accessToken: 'EAAB-revoked-token' } };
			const [first] = await send([t], { ...deps, senders: senders({ urls: sb.urls, credentials: revoked }) }, 1000);
			assert.equal(first!.failed, want.size, first!.text);
			assert.match(first!.text, /not taken \(the request was refused whole\); the next run sends them/);
			assert.match(first!.text, /Invalid OAuth access token/);
			assert.equal(receipts(t).length, 0);
			assert.ok((await uploads(t)).every((x) => x.status === 'failed' && /Invalid OAuth access token/.test(x.reason ?? '')));
			const [second] = await send([t], deps, 1000);
			assert.equal(second!.accepted, want.size, second!.text);
			assertOnce(t, want);
			assert.equal(receipts(t).length, want.size);
		});

		/** Runs the send-back in a child that SIGKILLs itself at `point`; the store is reopened after. */
		async function killedAt(point: string, targets: SendBackTarget[], batchSize: number): Promise<void> {
			const embedded = config.kind === 'embedded';
			if (embedded) await store.close();
			const run = await runFailpointChild(join(__dirname, 'conversions-sendback.test.ts'), 'CONVERSIONS_CHILD', { sandbox: { urls: sb.urls, credentials: sb.credentials }, store: config, targets, batchSize }, point);
			assertKilledAt(run, point);
			if (embedded) store = await openStore(config);
			deps = { store, senders: senders(sb) };
		}

		test('SIGKILL after the platform took the second batch (its claim still open): the rerun resends that batch with the same ids and sends the rest; every event counted once', async () => {
			const targets = PLATFORMS.map(target);
			await killedAt('conversions.send.after-platform@2', targets, 5);
			const meta = targets[0]!;
			const want = expected(events, 'meta');
			assert.equal(receipts(meta).length, 10, 'two batches of 5 reached Meta before the kill');
			const mine = targets.map((t) => `${t.platform}:${t.destination}`);
			const open = await store.select('action_ledger', { where: { kind: 'conversions.send', target: { in: mine }, status: 'claimed' } });
			assert.equal(open.length, 1, 'the second batch is still claimed');
			await send(targets, deps, 5);
			for (const [i, p] of PLATFORMS.entries()) assertOnce(targets[i]!, kept(events, p));
			const { received } = counts(meta);
			assert.equal([...received.values()].reduce((a, b) => a + b, 0), want.size + 5, 'received: every event once, plus the 5 of the batch the kill left open, sent again');
			assert.equal((await store.select('action_ledger', { where: { kind: 'conversions.send', target: { in: mine }, status: { in: ['claimed', 'unknown'] } } })).length, 0);
		}, 60_000);

		test('SIGKILL after the claim, before the request: the rerun sends that batch once (received = counted) and the rest', async () => {
			const targets = PLATFORMS.map(target);
			await killedAt('conversions.send.after-claim@1', targets, 5);
			assert.equal(receipts(targets[0]!).length, 0, 'nothing reached Meta');
			await send(targets, deps, 5);
			for (const [i, p] of PLATFORMS.entries()) {
				assertOnce(targets[i]!, kept(events, p));
				assert.equal(receipts(targets[i]!).length, expected(events, p).size, `${p}: received = counted`);
			}
		}, 60_000);

		test("batches never exceed the platform's limit: 2,100 custom events to Meta go as 1,000 + 1,000 + 100", async () => {
			const t = target('meta');
			const now = sb.now();
			const rows = Array.from({ length: 2100 }, (_, i) => ({ source: 'bulk', event_id: `bulk-${i}`, event_type: 'custom' as const, event_name: 'Signup', event_time: new Date(now - 60_000 - i * 1000).toISOString(), email_sha256: sha(`bulk${i}@example.com`), consent_ad_user_data: true, consent_ad_storage: true, received_at: new Date(now).toISOString() }));
			await store.upsert('marketing_events', rows);
			// a 1,000-event request takes longer than the other tests' 2.5 s client timeout on a loaded machine
			const patient = Object.fromEntries(PLATFORMS.map((p) => [p, createConversionSender(sandboxPlatformSettings(sb, p), { timeoutMs: 30_000, breaker: false })]));
			const [r] = await sendBackConversions({ ...deps, senders: patient }, { targets: [t], eventTypes: ['custom'] });
			assert.equal(r!.accepted, 2100, r!.text);
			const sizes = sb.requests({ route: ROUTE.meta }).filter((x) => x.path.includes(`/${t.destination}/events`)).map((x) => ((x.body as { data: unknown[] }).data).length);
			assert.deepEqual(sizes, [1000, 1000, 100]);
			assertOnce(t, new Set(rows.map((x) => x.event_id)));
		}, 60_000);

		test('events without consent (ad_user_data or ad_storage not true) were never sent to any platform by any test', () => {
			const refused = new Set(events.filter((e) => !consented(e)).map((e) => e.event_id));
			assert.ok(refused.size >= 8, `the data has events without consent (${refused.size})`);
			const all = conversionReceipts(sb.world);
			assert.ok(all.length > 500);
			const leaked = all.filter((r) => refused.has(r.eventId));
			assert.deepEqual(leaked.map((r) => `${r.platform} ${r.eventId}`), []);
		});
	});
}

if (!CHILD) {
	for (const kind of STORE_KINDS) {
		registerSuite(kind, async () => {
			const opened = await openStoreOfKind(kind, 'adops-conversions');
			// the kill tests close and reopen the store: the suite closes its own, the schema or folder goes here
			return { store: opened.store, config: opened.ts.config, cleanup: () => opened.ts.cleanup() };
		});
	}
}

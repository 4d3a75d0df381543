/**
 * First-party events into the store (issue 22) on PGlite, and PostgreSQL with
 * DATABASE_URL, through the events trigger's core (nodes/shared/events/handler.ts):
 * 10,000 events posted in batches of 1,000 with 5 % duplicates (inside a post
 * and across posts) and 2 % malformed mixed in → every valid event stored once,
 * the malformed ones quarantined with their reasons, the answers' counts equal
 * the tables'; a whole post sent again stores nothing; forged and
 * unauthenticated posts are refused with 401 and store nothing; no raw e-mail
 * address or phone number in any text or jsonb column of any table. Each
 * post's time is printed with the machine's load.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { availableParallelism, loadavg } from 'node:os';
import { afterAll, beforeAll, describe, test } from 'vitest';
import { Pool } from 'pg';
import { handleEventsPost, signBody, type EventsAuth, type IngestAnswer } from '../../nodes/shared/events';
import type { Store } from '../../nodes/shared/store';
import { embeddedExecutor } from '../../nodes/shared/store/embedded';
import type { TestStore } from '../helpers/store';
import { generateEventPosts } from '../helpers/marketing-events';
import { openStoreOfKind, STORE_KINDS, type OpenedTestStore } from '../helpers/store-kind';

const sha = (s: string) => createHash('sha256').update(s).digest('hex');
const NOW = new Date('2025-06-17T12:00:00Z');
const SOURCE = 'shop';
const HMAC: EventsAuth = { mode: 'hmac', header: 'X-AdOps-Signature', secret: 'hmac-secret-for-tests' };

async function sql(ts: TestStore, text: string, params: unknown[] = []): Promise<Array<Record<string, unknown>>> {
	if (ts.config.kind === 'embedded') return (await (await embeddedExecutor(ts.config.path))!.query(text, params)).rows;
	const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: 1, options: `-c search_path=${ts.config.kind === 'postgres' ? ts.config.schema : 'public'}` });
	try {
		return (await pool.query(text, params)).rows;
	} finally {
		await pool.end();
	}
}

function signedPost(events: unknown) {
	const raw = Buffer.from(JSON.stringify(events));
	return { method: 'POST', headers: { 'content-type': 'application/json', 'x-adops-signature': `sha256=${signBody(HMAC.secret, raw)}` }, rawBody: raw };
}

for (const kind of STORE_KINDS) {
	describe(`events store (${kind})`, () => {
		let ts: TestStore;
		let store: Store;
		const data = generateEventPosts(10_000, 1_000, 22);
		const answers: IngestAnswer[] = [];
		const timings: number[] = [];

		let opened: OpenedTestStore | undefined;
		beforeAll(async () => {
			opened = await openStoreOfKind(kind, 'events');
			({ ts, store } = opened);
		}, 120_000);
		afterAll(() => opened?.close());

		test('forged, unsigned and wrongly signed posts get 401 and store nothing', async () => {
			const post = signedPost(data.posts[0]);
			const forged = { ...post, headers: { 'x-adops-signature': `sha256=${signBody('guessed', post.rawBody)}` } };
			const tampered = { ...post, rawBody: Buffer.from(JSON.stringify([{ event_id: 'x', type: 'purchase', time: '2025-06-17T10:00:00Z' }])) };
			for (const p of [forged, tampered, { ...post, headers: {} }]) {
				const out = await handleEventsPost(p, HMAC, store, { source: SOURCE, now: () => NOW });
				assert.equal(out.status, 401);
				assert.deepEqual(out.body, { error: 'Unauthorized' });
			}
			const secret: EventsAuth = { mode: 'header', header: 'X-AdOps-Secret', secret: 'shared' };
			const wrong = await handleEventsPost({ method: 'POST', headers: { 'x-adops-secret': 'Shared' }, rawBody: post.rawBody }, secret, store, { source: SOURCE, now: () => NOW });
			assert.equal(wrong.status, 401);
			assert.equal((await handleEventsPost({ ...post, method: 'GET' }, HMAC, store, { source: SOURCE })).status, 405);
			const counts = await sql(ts, 'SELECT (SELECT count(*) FROM marketing_events)::int AS e, (SELECT count(*) FROM event_quarantine)::int AS q');
			assert.deepEqual(counts, [{ e: 0, q: 0 }]);
		});

		test('10,000 events in posts of 1,000 (5 % duplicates, 2 % malformed): stored once, quarantined with reasons, answers equal the tables', async () => {
			for (const events of data.posts) {
				const out = await handleEventsPost(signedPost(events), HMAC, store, { source: SOURCE, now: () => NOW });
				assert.equal(out.status, 200, JSON.stringify(out.body));
				answers.push(out.answer!);
				timings.push(out.ms);
			}
			const sum = (k: keyof IngestAnswer) => answers.reduce((s, a) => s + (a[k] as number), 0);
			const [{ e, q }] = await sql(ts, 'SELECT (SELECT count(*) FROM marketing_events)::int AS e, (SELECT count(*) FROM event_quarantine)::int AS q');
			assert.equal(sum('received'), 10_000);
			assert.equal(sum('stored'), data.validIds.size);
			assert.equal(e, data.validIds.size);
			assert.equal(sum('duplicates'), data.duplicates);
			assert.equal(sum('quarantined'), data.malformed);
			assert.equal(sum('quarantinedBefore'), 0);
			assert.equal(q, data.malformed);
			assert.ok(data.duplicates > 400 && data.malformed > 150, `${data.duplicates} duplicates, ${data.malformed} malformed`);
			// every refused event has its reason in the answer and the same reason in the quarantine
			const rows = await sql(ts, 'SELECT event_id, reason FROM event_quarantine');
			const byId = new Map(rows.filter((r) => r.event_id).map((r) => [r.event_id as string, r.reason as string]));
			const refused = answers.flatMap((a) => a.refused);
			assert.equal(refused.length, data.malformed);
			for (const r of refused) {
				assert.ok(r.reason.length > 5);
				if (r.event_id) assert.equal(byId.get(r.event_id), r.reason);
			}
			const reasons = new Set(refused.map((r) => r.reason.replace(/\d+ digits/, 'N digits')));
			for (const expected of [/type must be one of/, /time must be an ISO-8601/, /user.email is not an e-mail address/, /user.phone has no country code/, /value needs its currency/, /event_id looks like an e-mail/]) {
				assert.ok([...reasons].some((r) => expected.test(r)), `a reason matching ${expected} among ${[...reasons].join(' | ')}`);
			}
			const sorted = [...timings].sort((a, b) => a - b);
			const median = sorted[Math.floor(sorted.length / 2)];
			const cores = availableParallelism();
			const load = loadavg()[0];
			console.log(
				`${kind}: posts of 1,000 events answered in ${sorted.map((t) => t.toFixed(0)).join(', ')} ms (median ${median.toFixed(0)} ms, ${Math.round(1000 / (median / 1000))} events/s); load average ${loadavg().map((l) => l.toFixed(2)).join(' ')} on ${cores} cores`,
			);
			// The 1-second answer is checked on a machine that is not oversubscribed; under a load of many
			// times its cores every figure stretches with the queue, so it is reported, not asserted.
			if (load / cores < 1.5) assert.ok(median < 1000, `median post of 1,000 events took ${median.toFixed(0)} ms (load ${load.toFixed(1)} on ${cores} cores)`);
			else console.log(`not asserting the 1-second answer: load ${load.toFixed(1)} on ${cores} cores`);
		}, 300_000);

		test('a stored row holds the digests of the normalised identifiers, click ids, UTM and consent', async () => {
			const [row] = await sql(ts, "SELECT * FROM marketing_events WHERE event_id = 'ev-3'");
			assert.equal(row.email_sha256, sha('person.3@example3.com'));
			assert.equal(row.phone_sha256, sha('491512000003'));
			assert.equal(row.phone_e164_sha256, sha('+491512000003'));
			assert.equal(row.external_id_sha256, sha('user-3'));
			assert.equal(row.gclid, 'Cj0K3abc');
			assert.equal(row.utm_content, 'sent to [e-mail removed]');
			assert.equal(row.event_type, 'purchase');
			assert.equal(row.consent_ad_storage, true);
			assert.equal(row.source, SOURCE);
		});

		test('the same post sent again stores nothing new and says so', async () => {
			const out = await handleEventsPost(signedPost(data.posts[3]), HMAC, store, { source: SOURCE, now: () => NOW });
			const a = out.answer!;
			assert.equal(a.stored, 0);
			assert.equal(a.duplicates + a.quarantined, a.received);
			assert.equal(a.quarantinedBefore, a.quarantined);
			const [{ e, q }] = await sql(ts, 'SELECT (SELECT count(*) FROM marketing_events)::int AS e, (SELECT count(*) FROM event_quarantine)::int AS q');
			assert.equal(e, data.validIds.size);
			assert.equal(q, data.malformed);
		});

		test('no raw e-mail address or phone number in any text or jsonb column of any table', async () => {
			const emails = new Set(data.emails.map((m) => m.toLowerCase()));
			const phones = new Set(data.phones.flatMap((p) => [p.replace(/\D/g, ''), p.replace(/\D/g, '').slice(2)]));
			const lengths = [...new Set([...phones].map((p) => p.length))];
			/** The posted e-mail addresses and phone numbers (any spacing, with or without country code) found in `text`. */
			const found = (text: string): string[] => {
				const hits = (text.match(/[^\s@"',;:<>()[\]{}\\]+@[^\s@"',;:<>()[\]{}\\]+/g) ?? []).map((m) => m.toLowerCase()).filter((m) => emails.has(m));
				for (const run of text.match(/\+?\d[\d ()./-]{6,}\d/g) ?? []) {
					const digits = run.replace(/\D/g, '');
					for (const len of lengths) for (let i = 0; i + len <= digits.length; i++) if (phones.has(digits.slice(i, i + len))) hits.push(`phone …${digits.slice(i + len - 4, i + len)}`);
				}
				return hits;
			};
			// the check can fail: it finds every identifier in what was posted
			const posted = JSON.stringify(data.posts);
			assert.ok(found(posted).length >= data.emails.length + data.phones.length);
			const columns = await sql(
				ts,
				`SELECT table_name, column_name FROM information_schema.columns
				  WHERE table_schema = current_schema() AND data_type IN ('text', 'jsonb', 'json', 'character varying')`,
			);
			assert.ok(columns.some((c) => c.table_name === 'event_quarantine' && c.column_name === 'payload'));
			for (const { table_name: table, column_name: column } of columns) {
				const [{ s: text }] = await sql(ts, `SELECT coalesce(string_agg("${String(column)}"::text, E'\\n'), '') AS s FROM "${String(table)}"`);
				assert.deepEqual(found(String(text)).slice(0, 3), [], `${String(table)}.${String(column)} holds a raw identifier`);
			}
			assert.ok(columns.length > 20, `${columns.length} text and jsonb columns scanned`);
			// the answers are what the sender reads and what the trigger puts in its output item
			assert.equal(answers.length, data.posts.length);
			assert.ok(answers.some((a) => a.refused.some((r) => r.event_id === null)), 'an event_id that was an e-mail address is answered as null');
			assert.deepEqual(found(JSON.stringify(answers)).slice(0, 3), [], 'an answer holds a raw identifier');
		}, 120_000);

		test('bad bodies: a wrong shape is refused whole (400) and stores nothing; odd events are quarantined, counted as the table grows', async () => {
			const tables = async () => (await sql(ts, 'SELECT (SELECT count(*) FROM marketing_events)::int AS e, (SELECT count(*) FROM event_quarantine)::int AS q'))[0] as { e: number; q: number };
			const before = await tables();
			const raw = (text: string) => ({ method: 'POST', headers: { 'x-adops-signature': signBody(HMAC.secret, text) }, rawBody: Buffer.from(text) });
			for (const [text, error] of [
				['{"events": "ev-1"}', '"events" must be a list of events, not string.'],
				['{"events": null}', '"events" must be a list of events, not null.'],
				['[]', 'The body holds no events.'],
				['"ev-1"', 'The body must be a JSON event, a list of events, or {"events": [...]}.'],
				['[{"event_id": "x"', 'The body is not JSON.'],
			] as const) {
				const out = await handleEventsPost(raw(text), HMAC, store, { source: SOURCE, now: () => NOW });
				assert.deepEqual([out.status, out.body], [400, { error }], text);
			}
			assert.deepEqual(await tables(), before);
			const bad = { event_id: 'bad-twice', type: 'refund', time: '2025-06-17T10:00:00Z' };
			// as text: the id's digits and the nesting are what a sender posts, which JSON.stringify could not write
			const events = [
				JSON.stringify(bad),
				JSON.stringify(bad),
				'{"event_id": "far", "type": "lead", "time": 1e20}',
				'{"event_id": 12345678901234567890, "type": "lead", "time": "2025-06-17T10:00:00Z"}',
				`{"event_id": "deep", "type": "lead", "nested": ${'['.repeat(20_000)}${']'.repeat(20_000)}}`,
				'{"event_id": "zone", "type": "lead", "time": "2025-06-17T10:00:00+0530"}',
			];
			const out = await handleEventsPost(raw(`[${events.join(',')}]`), HMAC, store, { source: SOURCE, now: () => NOW });
			assert.equal(out.status, 200, JSON.stringify(out.body));
			const a = out.answer!;
			assert.deepEqual({ ...a, refused: a.refused.map((r) => r.index) }, { received: 6, stored: 1, duplicates: 0, quarantined: 5, quarantinedBefore: 1, refused: [0, 1, 2, 3, 4], refusedNotListed: 0 });
			const after = await tables();
			assert.deepEqual(after, { e: before.e + a.stored, q: before.q + a.quarantined - a.quarantinedBefore });
			const [zone] = await sql(ts, "SELECT event_time FROM marketing_events WHERE event_id = 'zone'");
			assert.equal(new Date(zone.event_time as string).toISOString(), '2025-06-17T04:30:00.000Z');
		}, 60_000);
	});
}

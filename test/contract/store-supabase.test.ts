/**
 * The Supabase adapter at its HTTP boundary: a local server on 127.0.0.1
 * pretends to be PostgREST and records every request.
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, test } from 'vitest';
import { openStore, StoreRequestError, StoreValidationError, testStoreConnection, type Store } from '../../nodes/shared/store';

interface Recorded {
	method: string;
	path: string;
	query: URLSearchParams;
	headers: IncomingMessage['headers'];
	body: unknown;
}

type Reply = { status: number; body?: unknown; headers?: Record<string, string> };

const recorded: Recorded[] = [];
let respond: (req: Recorded, index: number) => Reply = () => ({ status: 201 });
let server: Server;
let baseUrl: string;

function jwt(role: string): string {
	const enc = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
	return `${enc({ alg: 'HS256', typ: 'JWT' })}.${enc({ role, iss: 'supabase' })}.c2lnbmF0dXJl`;
}
const SERVICE_KEY = jwt('service_role');

beforeAll(async () => {
	server = createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (c: Buffer) => chunks.push(c));
		req.on('end', () => {
			const url = new URL(req.url ?? '/', 'http://x');
			const text = Buffer.concat(chunks).toString('utf8');
			const entry: Recorded = { method: req.method ?? '', path: url.pathname, query: url.searchParams, headers: req.headers, body: text ? JSON.parse(text) : undefined };
			recorded.push(entry);
			const reply = respond(entry, recorded.length - 1);
			res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
			res.end(reply.body === undefined ? '' : JSON.stringify(reply.body));
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => {
	server.close(() => resolve());
	server.closeAllConnections();
}));

beforeEach(() => {
	recorded.length = 0;
	respond = () => ({ status: 201 });
});

const open = (key = SERVICE_KEY): Promise<Store> => openStore({ kind: 'supabase', url: baseUrl, serviceRoleKey: key });

const row = (campaign: string, spend = 1) => ({
	date: '2025-01-02',
	platform: 'google_ads' as const,
	account_id: '123-456-7890',
	campaign_id: campaign,
	currency: 'USD',
	spend,
	impressions: 100,
	clicks: 5,
	conversions: 1.5,
});

describe('Supabase adapter (PostgREST boundary)', () => {
	test('upsert: on_conflict natural key, merge-duplicates, auth headers, chunk sizes, collapsed duplicates', async () => {
		const store = await open();
		const rows = Array.from({ length: 7 }, (_, i) => row(`c${i}`, i));
		rows.push(row('c2', 99)); // duplicate key: collapsed, last wins
		const result = await store.upsert('campaign_performance', rows, { chunkSize: 3 });
		assert.deepEqual(result, { written: 7, collapsed: 1, ignored: 0 });
		assert.equal(recorded.length, 3);
		for (const r of recorded) {
			assert.equal(r.method, 'POST');
			assert.equal(r.path, '/rest/v1/campaign_performance');
			assert.equal(r.query.get('on_conflict'), 'platform,account_id,campaign_id,date');
			assert.match(String(r.headers.prefer), /resolution=merge-duplicates/);
			assert.equal(r.headers.apikey, SERVICE_KEY);
			assert.equal(r.headers.authorization, `Bearer ${SERVICE_KEY}`);
		}
		assert.deepEqual(recorded.map((r) => (r.body as unknown[]).length), [3, 3, 1]);
		const sent = recorded.flatMap((r) => r.body as Array<Record<string, unknown>>);
		assert.equal(sent.find((r) => r.campaign_id === 'c2')?.spend, 99);
		// defaults filled, derived metrics never sent
		assert.equal(sent[0].revenue, null);
		assert.ok(!('ctr' in sent[0]));
	});

	test("upsert with onConflict 'ignore': ignore-duplicates + exact count; the count says how many were new", async () => {
		// PostgREST answers an insert with count=exact with Content-Range */<rows affected>
		const inserted = [2, 0, 1];
		respond = (_r, i) => ({ status: 201, headers: { 'content-range': `*/${inserted[i]}` } });
		const store = await open();
		const rows = ['a', 'b', 'c', 'd', 'e', 'f'].map((c) => row(c));
		rows.push(row('a', 5)); // collapsed
		const result = await store.upsert('campaign_performance', rows, { onConflict: 'ignore', chunkSize: 2 });
		assert.deepEqual(result, { written: 3, collapsed: 1, ignored: 3 });
		assert.equal(recorded.length, 3);
		for (const r of recorded) {
			assert.equal(r.method, 'POST');
			assert.equal(r.query.get('on_conflict'), 'platform,account_id,campaign_id,date');
			const prefer = String(r.headers.prefer);
			assert.match(prefer, /resolution=ignore-duplicates/);
			assert.doesNotMatch(prefer, /merge-duplicates/);
			assert.match(prefer, /count=exact/);
		}
		// the default mode neither ignores nor asks for a count
		recorded.length = 0;
		respond = () => ({ status: 201 });
		await store.upsert('campaign_performance', [row('a')]);
		assert.match(String(recorded[0].headers.prefer), /resolution=merge-duplicates/);
		assert.doesNotMatch(String(recorded[0].headers.prefer), /count=/);
		// quarantine resolves on (source, content_hash)
		recorded.length = 0;
		respond = () => ({ status: 201, headers: { 'content-range': '*/1' } });
		const hash = 'a'.repeat(64);
		assert.deepEqual(await store.upsert('quarantine', [{ source: 'ingest', raw_payload: {}, reason: 'r', content_hash: hash }], { onConflict: 'ignore' }), { written: 1, collapsed: 0, ignored: 0 });
		assert.equal(recorded[0].query.get('on_conflict'), 'source,content_hash');
		// a response without a count is an error, not a guess
		respond = () => ({ status: 201 });
		await assert.rejects(store.upsert('campaign_performance', [row('z')], { onConflict: 'ignore' }), (e: unknown) => {
			assert.ok(e instanceof StoreRequestError);
			assert.match(e.message, /no row count \(Content-Range\)/);
			return true;
		});
	});

	test('invalid rows are rejected before any request', async () => {
		const store = await open();
		await assert.rejects(store.upsert('campaign_performance', [row('a'), { ...row('b'), currency: 'usd' }]), (e: unknown) => {
			assert.ok(e instanceof StoreValidationError);
			assert.equal(e.rowIndex, 1);
			return true;
		});
		assert.equal(recorded.length, 0);
	});

	test('409 unique violation in chunk 2: clear error, says chunk 1 was committed and retry is safe', async () => {
		respond = (_r, i) =>
			i === 1
				? { status: 409, body: { code: '23505', message: 'duplicate key value violates unique constraint "x"', details: 'Key (id)=(1) already exists.', hint: null } }
				: { status: 201 };
		const store = await open();
		await assert.rejects(store.upsert('campaign_performance', [row('a'), row('b'), row('c')], { chunkSize: 2 }), (e: unknown) => {
			assert.ok(e instanceof StoreRequestError, String(e));
			assert.equal(e.status, 409);
			assert.equal(e.code, '23505');
			assert.equal(e.chunkIndex, 1);
			assert.match(e.message, /campaign_performance: upsert chunk 2\/2 failed: HTTP 409, unique violation 23505/);
			assert.match(e.message, /Key \(id\)=\(1\) already exists/);
			assert.match(e.message, /1 earlier chunk\(s\).*committed.*retrying the whole batch is safe/);
			return true;
		});
	});

	test('400 with code/message/hint/details and 401 become readable errors', async () => {
		respond = () => ({ status: 400, body: { code: '22P02', message: 'invalid input syntax for type date: "x"', details: 'detail text', hint: 'hint text' } });
		const store = await open();
		await assert.rejects(store.upsert('fx_rates', [{ base: 'EUR', quote: 'USD', rate_date: '2025-01-02', rate: 1.03 }]), (e: unknown) => {
			assert.ok(e instanceof StoreRequestError);
			assert.match(e.message, /fx_rates: upsert chunk 1\/1 failed: HTTP 400, invalid value 22P02: invalid input syntax/);
			assert.match(e.message, /Details: detail text\. Hint: hint text/);
			assert.doesNotMatch(e.message, /earlier chunk/);
			return true;
		});
		respond = () => ({ status: 401, body: { message: 'Invalid API key', hint: 'Double check your Supabase `anon` or `service_role` API key.' } });
		await assert.rejects(store.select('fx_rates'), /Supabase rejected the service role key \(HTTP 401: Invalid API key\)/);
	});

	test('select translates the filter DSL to PostgREST and pages without a limit', async () => {
		respond = (r) => {
			const from = Number(r.query.get('offset') ?? 0);
			const size = from === 0 ? 1000 : 2;
			return { status: 200, body: Array.from({ length: size }, (_, i) => ({ ...row(`c${from + i}`), spend: '12.5', created_at: '2025-01-02T03:04:05.123456+00:00' })) };
		};
		const store = await open();
		const rows = await store.select('campaign_performance', {
			where: { platform: 'google_ads', campaign_id: { in: ['a', 'b,c'] }, date: { gte: '2025-01-01', lt: '2025-02-01' }, campaign_name: null },
			order: { column: 'date', ascending: false },
		});
		assert.equal(rows.length, 1002);
		assert.equal(rows[0].spend, 12.5);
		assert.equal(rows[0].created_at, '2025-01-02T03:04:05.123Z');
		const q = recorded[0].query;
		assert.equal(q.get('platform'), 'eq.google_ads');
		assert.equal(q.get('campaign_id'), 'in.(a,"b,c")');
		assert.deepEqual(q.getAll('date'), ['gte.2025-01-01', 'lt.2025-02-01']);
		assert.equal(q.get('campaign_name'), 'is.null');
		assert.equal(q.get('order'), 'date.desc');
		assert.deepEqual(recorded.map((r) => [r.query.get('offset'), r.query.get('limit')]), [['0', '1000'], ['1000', '1000']]);
	});

	test('selectColumns asks PostgREST for the columns only, with the same filters and paging', async () => {
		respond = (r) => {
			const from = Number(r.query.get('offset') ?? 0);
			const size = from === 0 ? 1000 : 3;
			return { status: 200, body: Array.from({ length: size }, (_, i) => ({ campaign_id: `c${from + i}`, spend: '7.25', date: '2025-01-05' })) };
		};
		const store = await open();
		const rows = await store.selectColumns('campaign_performance', ['campaign_id', 'spend', 'date'], { where: { date: { gte: '2025-01-01' } } });
		assert.equal(rows.length, 1003);
		assert.deepEqual(rows[1002], { campaign_id: 'c1002', spend: 7.25, date: '2025-01-05' });
		assert.equal(recorded.length, 2);
		for (const r of recorded) {
			assert.equal(r.query.get('select'), 'campaign_id,spend,date');
			assert.equal(r.query.get('date'), 'gte.2025-01-01');
			assert.equal(r.query.get('order'), 'id.asc');
		}
		respond = () => ({ status: 200, body: [{ campaign_id: 'c0', spend: '7.25' }, { campaign_id: 'c1', spend: 7.25 }] });
		const columnar = await store.selectColumnar('campaign_performance', ['campaign_id', 'spend']);
		assert.deepEqual(columnar, { length: 2, columns: { campaign_id: ['c0', 'c1'], spend: [7.25, 7.25] } });
		assert.equal(recorded.at(-1)!.query.get('select'), 'campaign_id,spend');
		recorded.length = 0;
		await assert.rejects(store.selectColumns('campaign_performance', ['spend', 'nope' as 'spend']), /unknown column "nope"/);
		assert.equal(recorded.length, 0, 'a bad column is refused before any request');
	});

	test('claimAction uses ignore-duplicates on the idempotency key; transaction is not supported', async () => {
		respond = (r) => (r.method === 'POST' ? { status: 201, body: [] } : { status: 200, body: [{ idempotency_key: 'k', status: 'succeeded', attempts: 1, intent: {} }] });
		const store = await open();
		const result = await store.claimAction('k', { kind: 'set_budget', target: 'x', intent: { to: 1 } });
		assert.equal(result.claimed, false);
		assert.equal(recorded[0].query.get('on_conflict'), 'idempotency_key');
		assert.match(String(recorded[0].headers.prefer), /resolution=ignore-duplicates/);
		assert.match(String(recorded[0].headers.prefer), /return=representation/);
		await assert.rejects(store.transaction(async () => 1), /not supported by the Supabase/);
	});

	test('connection test: ok, anon key, rejected key, missing tables, unreachable URL; never echoes the key', async () => {
		respond = () => ({ status: 200, body: [] });
		assert.equal((await testStoreConnection({ kind: 'supabase', url: baseUrl, serviceRoleKey: SERVICE_KEY })).ok, true);
		const anon = await testStoreConnection({ kind: 'supabase', url: baseUrl, serviceRoleKey: jwt('anon') });
		assert.deepEqual(anon, { ok: false, message: 'This is the "anon" key. Use the project\'s service_role (secret) key.' });
		const secret = 'sb_secret_WRONGKEY123456';
		respond = () => ({ status: 401, body: { message: 'Invalid API key' } });
		const rejected = await testStoreConnection({ kind: 'supabase', url: baseUrl, serviceRoleKey: secret });
		assert.equal(rejected.ok, false);
		assert.match(rejected.message, /rejected the service role key \(HTTP 401\)/);
		respond = () => ({ status: 404, body: { code: 'PGRST205', message: "Could not find the table 'public.campaign_performance' in the schema cache" } });
		const missing = await testStoreConnection({ kind: 'supabase', url: baseUrl, serviceRoleKey: secret });
		assert.match(missing.message, /tables are missing.*supabase db push/);
		const down = await testStoreConnection({ kind: 'supabase', url: 'http://127.0.0.1:1', serviceRoleKey: secret });
		assert.equal(down.ok, false);
		assert.match(down.message, /Cannot reach http:\/\/127\.0\.0\.1:1/);
		const badUrl = await testStoreConnection({ kind: 'supabase', url: 'not a url', serviceRoleKey: secret });
		assert.match(badUrl.message, /not a valid URL/);
		for (const r of [rejected, missing, down, badUrl]) assert.ok(!r.message.includes(secret), r.message);
	});
});

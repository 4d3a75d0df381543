import assert from 'node:assert/strict';
import { test } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CREATIVE_VARIANT_STATUSES, JSON_MAX_DEPTH, MODERATION_ACTION_STATUSES, json, rowSchemas, TABLE_NAMES } from '../../nodes/shared/schema/rows';
import { StoreValidationError } from '../../nodes/shared/store/errors';
import { TABLES } from '../../nodes/shared/store/tables';
import { checkWhere, collapseByKey, validatePatch, validateRows } from '../../nodes/shared/store/validate';

test('every table has a registry entry whose natural key columns are writable', () => {
	for (const name of TABLE_NAMES) {
		const def = TABLES[name];
		const writable = Object.keys(rowSchemas[name].shape);
		for (const key of def.naturalKey) assert.ok(writable.includes(key), `${name}.${key}`);
		for (const ro of def.readOnly) assert.ok(!writable.includes(ro), `${name}.${ro}`);
	}
	assert.deepEqual(TABLES.campaign_performance.readOnly.slice().sort(), ['cpa', 'cpc', 'cpl', 'created_at', 'ctr', 'id', 'roas', 'updated_at']);
});

test('validation names the first bad row and the reason', () => {
	const good = { date: '2025-02-28', platform: 'meta', account_id: 'a', campaign_id: 'c', currency: 'USD' };
	const out = validateRows('campaign_performance', [good]);
	assert.equal(out[0].spend, 0);
	assert.equal(out[0].revenue, null);
	const cases: Array<[Record<string, unknown>, RegExp]> = [
		[{ ...good, date: '2025-02-30' }, /date: must be a date/],
		[{ ...good, platform: 'myspace' }, /platform/],
		[{ ...good, clicks: 1.5 }, /clicks/],
		[{ ...good, impressions: -1 }, /impressions/],
		[{ ...good, roas: 2 }, /unknown or read-only column\(s\) "roas"/],
		[{ ...good, account_id: '  ' }, /account_id: must not be empty/],
	];
	for (const [row, reason] of cases) {
		assert.throws(() => validateRows('campaign_performance', [good, good, row]), (e: unknown) => {
			assert.ok(e instanceof StoreValidationError);
			assert.equal(e.rowIndex, 2);
			assert.match(e.reason, reason);
			assert.match(e.message, /Nothing was written/);
			return true;
		});
	}
	assert.throws(() => validateRows('quarantine', [{ source: 's', raw_payload: null, reason: 'r' }]), /raw_payload: must not be null/);
});

test('collapse keeps the last row per natural key', () => {
	const rows = [
		{ base: 'EUR', quote: 'USD', rate_date: '2025-01-02', rate: 1 },
		{ base: 'EUR', quote: 'GBP', rate_date: '2025-01-02', rate: 2 },
		{ base: 'EUR', quote: 'USD', rate_date: '2025-01-02', rate: 3 },
	];
	const result = collapseByKey(TABLES.fx_rates, rows);
	assert.equal(result.collapsed, 1);
	assert.deepEqual(result.rows.map((r) => r.rate), [3, 2]);
});

test('patches and filters are checked against the registry', () => {
	assert.deepEqual(validatePatch('approvals', { status: 'approved', decided_by: 'ana' }), { status: 'approved', decided_by: 'ana' });
	assert.throws(() => validatePatch('approvals', {}), /patch is empty/);
	assert.throws(() => validatePatch('approvals', { id: 'x' }), /read-only/);
	assert.throws(() => checkWhere(TABLES.approvals, { payload: 'x' }), /cannot be filtered/);
	assert.throws(() => checkWhere(TABLES.approvals, { 'status; DROP TABLE x': 'a' } as never), /unknown column/);
	assert.throws(() => checkWhere(TABLES.approvals, { status: { in: ['a', null] } }), /non-null/);
	assert.deepEqual(checkWhere(TABLES.approvals, { status: { in: ['pending'] }, expires_at: { lt: '2025-01-01T00:00:00Z' }, decided_at: null }).map((f) => f.op), ['in', 'lt', 'is_null']);
});

test('status columns: the row schemas and the migration CHECKs list the same values; anything else is refused before SQL', () => {
	const dir = join(__dirname, '..', '..', 'supabase', 'migrations');
	const sql = readFileSync(join(dir, '20250608000000_status_checks.sql'), 'utf8');
	// every migration in order: a later file that redefines a CHECK (e.g. 20250609000300 adds `unknown`) wins
	const all = readdirSync(dir).filter((f) => f.endsWith('.sql')).sort().map((f) => readFileSync(join(dir, f), 'utf8')).join('\n');
	const listed = (constraint: string, column: string) => {
		const found = [...all.matchAll(new RegExp(`ADD CONSTRAINT ${constraint}\\s+CHECK \\(${column} IN \\(([^)]*)\\)\\) NOT VALID;`, 'g'))];
		assert.ok(found.length > 0, constraint);
		return found[found.length - 1][1].split(',').map((v) => v.trim().replace(/^'|'$/g, ''));
	};
	assert.deepEqual(listed('creative_variants_status_check', 'status').sort(), [...CREATIVE_VARIANT_STATUSES].sort());
	assert.deepEqual(listed('moderation_actions_action_status_check', 'action_status').sort(), [...MODERATION_ACTION_STATUSES].sort());
	assert.match(sql, /VALIDATE CONSTRAINT creative_variants_status_check;/);
	assert.match(sql, /VALIDATE CONSTRAINT moderation_actions_action_status_check;/);

	const variant = { platform: 'meta', campaign_id: 'c', content_hash: 'h' };
	assert.equal(validateRows('creative_variants', [variant])[0].status, 'draft');
	for (const status of CREATIVE_VARIANT_STATUSES) assert.equal(validateRows('creative_variants', [{ ...variant, status }])[0].status, status);
	const action = { idempotency_key: 'k', item_id: '00000000-0000-4000-8000-000000000001', action_type: 'hide' };
	for (const status of MODERATION_ACTION_STATUSES) assert.equal(validateRows('moderation_actions', [{ ...action, action_status: status }])[0].action_status, status);
	for (const [table, row, reason] of [
		['creative_variants', { ...variant, status: 'live' }, /^status: must be one of draft, pending_approval, .* \(got "live"\)$/],
		['creative_variants', { ...variant, status: '' }, /^status: must be one of /],
		['moderation_actions', { ...action, action_status: 'planned' }, /^action_status: must be one of dry_run, .* \(got "planned"\)$/],
		['moderation_actions', action, /^action_status: Required$/],
	] as const) {
		assert.throws(() => validateRows(table, [row]), (e: unknown) => e instanceof StoreValidationError && reason.test(e.reason), JSON.stringify(row));
	}
	assert.throws(() => validatePatch('creative_variants', { status: 'live' }), /status: must be one of/);
	assert.throws(() => validatePatch('moderation_actions', { action_status: 'rejected' }), /action_status: must be one of/);
});

test('the store boundary cleans text in rows, patches, jsonb (keys too) and filter values; a clean row is parsed as before', () => {
	const good = { date: '2025-02-28', platform: 'meta', account_id: 'a', campaign_id: 'c', currency: 'USD' };
	const [row] = validateRows('campaign_performance', [{ ...good, campaign_name: 'Win\u0000ter \uD800' }]);
	assert.equal(row.campaign_name, 'Winter \uFFFD');
	const [quarantined] = validateRows('quarantine', [{ source: 'ingest', reason: 'why\u0000', raw_payload: { 'k\u0000': ['\uDC00', { deep: 'x\u0000' }] } }]);
	assert.equal(quarantined.reason, 'why');
	assert.deepEqual(quarantined.raw_payload, { k: ['\uFFFD', { deep: 'x' }] });
	assert.deepEqual(validatePatch('ingest_runs', { error: 'e\u0000', warnings: ['\uD83D'] }), { error: 'e', warnings: ['\uFFFD'] });
	const filters = checkWhere(TABLES.campaign_performance, { campaign_name: 'a\u0000b', campaign_id: { in: ['x\uD800', 'y'] } });
	assert.deepEqual(filters.map((f) => f.value), ['ab', ['x\uFFFD', 'y']]);
	// an identifier that cleans to nothing is refused, not stored empty
	assert.throws(() => validateRows('campaign_performance', [{ ...good, campaign_id: '\u0000' }]), /campaign_id: must not be empty/);
});

test('spend and revenue are held to their currency ceiling (10^12 minor units); non-finite money is refused; patches too', () => {
	const good = { date: '2025-02-28', platform: 'meta', account_id: 'a', campaign_id: 'c', currency: 'USD' };
	const reason = (row: Record<string, unknown>) => {
		try {
			validateRows('campaign_performance', [row]);
			return 'ok';
		} catch (e) {
			assert.ok(e instanceof StoreValidationError);
			return e.reason;
		}
	};
	assert.equal(reason({ ...good, spend: 1e10, revenue: 1e10 }), 'ok');
	assert.match(reason({ ...good, spend: 1e30 }), /spend: must be at most 1,000,000,000,000 \(the highest money ceiling of any currency\)/);
	assert.equal(reason({ ...good, spend: 2e10 }), 'spend of 20,000,000,000 USD is above the ceiling of 10,000,000,000 USD a day for one campaign (1,000,000,000,000 minor units)');
	assert.equal(reason({ ...good, currency: 'JPY', spend: 2e10 }), 'ok');
	assert.match(reason({ ...good, currency: 'KWD', revenue: 2e9 }), /^revenue of 2,000,000,000 KWD is above the ceiling of 1,000,000,000 KWD/);
	for (const bad of [NaN, Infinity, -Infinity]) assert.notEqual(reason({ ...good, spend: bad }), 'ok');
	assert.throws(() => validatePatch('campaign_performance', { currency: 'USD', spend: 5e10 }), /spend of 50,000,000,000 USD is above the ceiling/);
	assert.throws(() => validatePatch('campaign_performance', { spend: 2e12 }), /spend: must be at most 1,000,000,000,000/);
	assert.deepEqual(validatePatch('campaign_performance', { spend: 5e10 }), { spend: 5e10 }, 'without the currency a patch is held to the highest ceiling');
});

test('jsonb values: JSON is accepted and copied; undefined, NaN, a Date, a function and nesting past the limit are refused with the path to them', () => {
	const value = { a: [1, 'x', null, { b: true }], ['__proto__']: { c: 1 } };
	const parsed = json.safeParse(value);
	assert.ok(parsed.success);
	assert.deepEqual(parsed.data, value);
	assert.notEqual(parsed.data, value, 'a copy: freezing the stored row leaves the caller\'s object alone');
	assert.equal(Object.getPrototypeOf(parsed.data), Object.prototype, 'a "__proto__" key stays data');
	assert.deepEqual(Object.keys(parsed.data as object), ['a', '__proto__']);
	const refused = (v: unknown) => {
		const r = json.safeParse(v);
		assert.ok(!r.success, JSON.stringify(v));
		return r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
	};
	assert.equal(refused({ a: [1, { b: Number.NaN }] }), 'a.1.b: must be a finite number, not NaN');
	assert.equal(refused({ a: [undefined] }), 'a.0: must be a JSON value (text, a number, true/false, null, a list or an object), not undefined');
	assert.equal(refused({ at: new Date(0) }), 'at: must be a JSON value, not a Date');
	assert.match(refused([() => 1]), /^0: .*not function$/);
	let deep: unknown = 1;
	for (let i = 0; i < JSON_MAX_DEPTH + 1; i++) deep = [deep];
	assert.match(refused(deep), /nests deeper than 200 levels/);
	// a row with a bad jsonb value names the column and the path inside it
	const row = { idempotency_key: 'k', platform: 'meta', account_id: 'a', campaign_id: 'c', action_type: 'pause', action_details: { x: [Number.POSITIVE_INFINITY] } };
	assert.throws(() => validateRows('optimization_actions', [row]), /action_details\.x\.0: must be a finite number, not Infinity/);
});

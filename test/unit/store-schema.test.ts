import assert from 'node:assert/strict';
import { test } from 'node:test';
import { rowSchemas, TABLE_NAMES } from '../../nodes/shared/schema/rows';
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

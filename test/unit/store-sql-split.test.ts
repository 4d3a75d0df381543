import assert from 'node:assert/strict';
import { test } from 'vitest';
import fc from 'fast-check';
import { lineAndColumn, splitStatements } from '../../nodes/shared/store/sql-split';
import { loadMigrations } from '../../nodes/shared/store/migrations';

test('splits at top-level semicolons only', () => {
	const sql = [
		'-- header; not a statement',
		"CREATE TABLE a (t text DEFAULT 'x;y');",
		'/* block; /* nested; */ still comment */',
		'CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $body$ BEGIN RETURN 1; END; $body$;',
		'SELECT $$a;b$$, "we;ird", E\'it\\\'s;\' ;',
		'SELECT 1',
	].join('\n');
	const statements = splitStatements(sql);
	assert.deepEqual(
		statements.map((s) => s.text),
		[
			"CREATE TABLE a (t text DEFAULT 'x;y')",
			'CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $body$ BEGIN RETURN 1; END; $body$',
			'SELECT $$a;b$$, "we;ird", E\'it\\\'s;\'',
			'SELECT 1',
		],
	);
	for (const s of statements) assert.equal(sql.slice(s.offset, s.offset + s.text.length), s.text);
	assert.deepEqual(lineAndColumn(sql, statements[1].offset), { line: 4, column: 1 });
});

test('unterminated quotes are reported', () => {
	assert.throws(() => splitStatements("SELECT 'abc"), /Unterminated string/);
	assert.throws(() => splitStatements('SELECT $x$ abc'), /Unterminated dollar-quoted/);
});

test('joining statements with ; and splitting again is the identity (property)', () => {
	const literal = fc.oneof(
		fc.string({ unit: fc.constantFrom('a', ';', ' ', '$', '"', '-') }).map((s) => `'${s.replace(/'/g, "''")}'`),
		fc.string({ unit: fc.constantFrom('a', ';', "'", ' ') }).map((s) => `$q$${s}$q$`),
		fc.constantFrom('x', 'y1', 'now()'),
	);
	const statement = fc.array(literal, { minLength: 1, maxLength: 4 }).map((parts) => `SELECT ${parts.join(', ')}`);
	fc.assert(
		fc.property(fc.array(statement, { minLength: 1, maxLength: 6 }), (statements) => {
			const parsed = splitStatements(statements.join(';\n-- c;\n'));
			assert.deepEqual(parsed.map((s) => s.text), statements);
		}),
	);
});

test('the package migrations split into statements and have valid names', () => {
	const migrations = loadMigrations();
	assert.ok(migrations.length >= 1);
	for (const m of migrations) {
		assert.match(m.version, /^\d{14}$/);
		const statements = splitStatements(m.sql);
		assert.ok(statements.length > (m === migrations[0] ? 10 : 0), m.file);
		assert.ok(!/\bpublic\./i.test(m.sql), `${m.file} must not hard-code the public schema`);
	}
	const all = migrations.map((m) => m.sql).join('\n');
	for (const table of ['campaign_performance', 'creative_variants', 'optimization_rules', 'optimization_actions', 'social_media_items', 'item_classifications', 'moderation_actions', 'ingest_runs', 'quarantine', 'approvals', 'action_ledger', 'fx_rates', 'alert_threads', 'app_state', 'quality_reports']) {
		assert.match(all, new RegExp(`ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`), table);
	}
});

/**
 * Validation, duplicate collapsing and filter checking shared by all adapters.
 *
 * The text boundary: every row, patch, ledger claim and filter value is
 * passed through `cleanValue` (text/clean.ts) before its schema sees it, so a
 * NUL or an unpaired surrogate anywhere in a string (jsonb keys and nested
 * values included) is cleaned here, once, for every adapter and every caller,
 * and can never make PostgreSQL refuse a batch (SQLSTATE 22P05 / 22P02).
 * Callers that must not alter an identifier check it first (ingest
 * quarantines such rows). After the schema, `rowChecks` (schema/rows.ts)
 * holds cross-column rules such as money below its currency's ceiling.
 */
import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import { actionLedgerRow, rowChecks, rowSchemas, type TableName } from '../schema/rows';
import { cleanText, cleanValue } from '../text/clean';
import { runSteps, runStepsAsync, type Steps } from '../resilience/steps';
import { StoreError, StoreValidationError } from './errors';
import { isFilterable, tableDef, type ColumnKind, type TableDef } from './tables';
import type { ClaimIntent, Condition, OnConflict, OrderBy, Scalar, SelectQuery, ValidatedRow, RowCheck, Where } from './types';

export const DEFAULT_CHUNK_SIZE = 500;

function describeIssue(issue: z.ZodIssue): string {
	const path = issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
	if (issue.code === 'unrecognized_keys') {
		return `${path}unknown or read-only column(s) ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
	}
	return `${path}${issue.message}`;
}

/**
 * Rows produced by `validateRow` / `validateRows`, by the table whose schema
 * produced them. Only this module adds entries, and only for deep-frozen
 * parse results, so a row found here is exactly what the table's schema
 * returned and cannot have been changed since.
 */
const sealed = new WeakMap<object, TableName>();

function deepFreeze(value: object): void {
	Object.freeze(value);
	for (const key in value) {
		const v = (value as Record<string, unknown>)[key];
		if (v !== null && typeof v === 'object' && !Object.isFrozen(v)) deepFreeze(v);
	}
}

function knownTable(table: TableName): void {
	if (!Object.prototype.hasOwnProperty.call(rowSchemas, table)) tableDef(table); // throws "Unknown table"
}

/** True when `row` came out of `validateRow(table, …)` / `validateRows(table, …)` (same table). */
export function isValidatedRow(table: TableName, row: unknown): boolean {
	return typeof row === 'object' && row !== null && sealed.get(row) === table;
}

/**
 * Parses one row with the table's own write schema. A valid row comes back
 * deep-frozen and recognised by every adapter's upsert/insert, which then
 * skip parsing it again; an invalid one gives the reason. Callers that must
 * validate anyway (to quarantine bad rows one by one) use this so the store
 * does not parse the same row twice.
 */
export function validateRow<T extends TableName>(table: T, row: unknown): RowCheck<T> {
	knownTable(table);
	if (isValidatedRow(table, row)) return { ok: true, row: row as ValidatedRow<T> };
	const checked = parseOne(table, row);
	if (!checked.ok) return checked;
	const data = checked.row;
	deepFreeze(data);
	sealed.set(data, table);
	return { ok: true, row: data as ValidatedRow<T> };
}

/** Cleans the row's text, parses it with the table's schema, then runs the table's cross-column checks. */
function parseOne(table: TableName, row: unknown): { ok: true; row: Record<string, unknown> } | { ok: false; reason: string } {
	const result = rowSchemas[table].safeParse(cleanValue(row));
	if (!result.success) return { ok: false, reason: result.error.issues.map(describeIssue).join('; ') };
	const data = result.data as Record<string, unknown>;
	const problems = crossColumnProblems(table, data);
	if (problems.length > 0) return { ok: false, reason: problems.join('; ') };
	return { ok: true, row: data };
}

function crossColumnProblems(table: TableName, row: Record<string, unknown>): string[] {
	const check = rowChecks[table] as ((r: Record<string, unknown>) => string[]) | undefined;
	return check ? check(row) : [];
}

/** `validateRow` for a batch; the first invalid row throws StoreValidationError with its index. */
export function validateRows<T extends TableName>(table: T, rows: ReadonlyArray<unknown>): Array<ValidatedRow<T>> {
	if (!Array.isArray(rows)) throw new StoreError(`${table}: rows must be an array`, { table, code: 'VALIDATION' });
	return rows.map((row, rowIndex) => {
		const checked = validateRow(table, row);
		if (!checked.ok) throw new StoreValidationError(table, rowIndex, checked.reason);
		return checked.row;
	});
}

/**
 * Parses every row with the table's schema (rows already validated for this
 * table by `validateRow(s)` are taken as they are); the first invalid row
 * rejects the batch.
 */
export function parseRows(table: TableName, rows: ReadonlyArray<unknown>): Array<Record<string, unknown>> {
	return runSteps(parseRowSteps(table, rows));
}

/**
 * `parseRows` in slices: the event loop gets a turn every 10 ms of parsing (a 10,000-campaign optimizer run writes
 * about 12,000 records with jsonb evidence, a block of about a second parsed at once). The adapters' `upsert` uses it.
 */
export function parseRowsAsync(table: TableName, rows: ReadonlyArray<unknown>): Promise<Array<Record<string, unknown>>> {
	return runStepsAsync(parseRowSteps(table, rows));
}

function* parseRowSteps(table: TableName, rows: ReadonlyArray<unknown>): Steps<Array<Record<string, unknown>>> {
	if (!Array.isArray(rows)) throw new StoreError(`${table}: rows must be an array`, { table, code: 'VALIDATION' });
	const out: Array<Record<string, unknown>> = new Array(rows.length);
	for (let rowIndex = 0; rowIndex < rows.length; rowIndex++) {
		const row: unknown = rows[rowIndex];
		if (isValidatedRow(table, row)) out[rowIndex] = row as Record<string, unknown>;
		else {
			const checked = parseOne(table, row);
			if (!checked.ok) throw new StoreValidationError(table, rowIndex, checked.reason);
			out[rowIndex] = checked.row;
		}
		if (rowIndex % 16 === 15) yield;
	}
	return out;
}

/** `insert`'s rows: parsed by `parseRows`, each with a new id; a table without an id column is refused. */
export function rowsForInsert(table: TableName, rows: ReadonlyArray<unknown>): Array<Record<string, unknown> & { id: string }> {
	if (tableDef(table).primaryKey !== 'id') throw new StoreError(`${table}: insert() needs a table with an id column; use upsert()`, { table, code: 'UNSUPPORTED' });
	return parseRows(table, rows).map((row) => ({ ...row, id: randomUUID() }));
}

/** `update`'s match: checked like a `where`, and at least one condition (an update never hits every row by accident). */
export function checkUpdateMatch(def: TableDef, match: Where<TableName> | Record<string, unknown>): void {
	if (checkWhere(def, match as never).length === 0) {
		throw new StoreError(`${def.name}: update needs at least one match condition`, { table: def.name, code: 'VALIDATION' });
	}
}

/** The action_ledger row `claimAction` inserts, validated. */
export function claimRow(key: string, intent: ClaimIntent) {
	const parsed = actionLedgerRow.pick({ idempotency_key: true, kind: true, target: true, intent: true, claimed_by: true }).safeParse(cleanValue({
		idempotency_key: key,
		kind: intent.kind,
		target: intent.target,
		intent: intent.intent,
		claimed_by: intent.claimedBy ?? null,
	}));
	if (!parsed.success) throw new StoreValidationError('action_ledger', 0, parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
	return parsed.data;
}

export function checkOnConflict(mode: unknown): OnConflict {
	if (mode === undefined) return 'update';
	if (mode === 'update' || mode === 'ignore') return mode;
	throw new StoreError(`onConflict must be "update" or "ignore", got ${JSON.stringify(mode)}`, { code: 'VALIDATION' });
}

/** Validates a partial row for `update`; drops undefined keys; rejects an empty patch. */
export function validatePatch(table: TableName, patch: unknown): Record<string, unknown> {
	const result = rowSchemas[table].partial().strict().safeParse(cleanValue(patch));
	if (!result.success) {
		throw new StoreValidationError(table, 0, result.error.issues.map(describeIssue).join('; '));
	}
	const clean = Object.fromEntries(Object.entries(result.data as Record<string, unknown>).filter(([, v]) => v !== undefined));
	if (Object.keys(clean).length === 0) throw new StoreError(`${table}: update patch is empty`, { table, code: 'VALIDATION' });
	const problems = crossColumnProblems(table, clean);
	if (problems.length > 0) throw new StoreValidationError(table, 0, problems.join('; '));
	return clean;
}

/**
 * Keeps the last row for each natural key, in first-seen key order. A NULL
 * natural-key column is rejected: PostgreSQL never matches NULLs in ON
 * CONFLICT, so such a row could not be upserted idempotently.
 */
export function collapseByKey(
	def: TableDef,
	rows: Array<Record<string, unknown>>,
): { rows: Array<Record<string, unknown>>; collapsed: number } {
	const byKey = new Map<string, Record<string, unknown>>();
	rows.forEach((row, rowIndex) => {
		const key = def.naturalKey.map((k) => row[k]);
		const missing = def.naturalKey.find((_, i) => key[i] === null || key[i] === undefined);
		if (missing !== undefined) {
			throw new StoreValidationError(def.name, rowIndex, `${missing}: is null, but it is part of the natural key (${def.naturalKey.join(', ')}) that upsert resolves on; use insert() for such rows`);
		}
		byKey.set(JSON.stringify(key), row);
	});
	return { rows: [...byKey.values()], collapsed: rows.length - byKey.size };
}

export function chunk<T>(items: readonly T[], size: number = DEFAULT_CHUNK_SIZE): T[][] {
	const out: T[][] = [];
	for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
	return out;
}

export function checkChunkSize(size: number | undefined): number {
	const value = size ?? DEFAULT_CHUNK_SIZE;
	if (!Number.isInteger(value) || value < 1) throw new StoreError(`chunkSize must be a positive integer, got ${String(size)}`, { code: 'VALIDATION' });
	return value;
}

export function writableColumns(table: TableName): string[] {
	return Object.keys(rowSchemas[table].shape);
}

export function upsertableDef(table: TableName): TableDef {
	const def = tableDef(table);
	if (def.naturalKey.length === 0) {
		throw new StoreError(`${table} has no natural key and cannot be upserted; use insert()`, { table, code: 'UNSUPPORTED' });
	}
	return def;
}

export type Op = 'eq' | 'in' | 'gt' | 'gte' | 'lt' | 'lte' | 'is_null';

export interface CheckedFilter {
	column: string;
	kind: ColumnKind;
	op: Op;
	value: Scalar | readonly Scalar[];
}

const OPS = new Set(['eq', 'in', 'gt', 'gte', 'lt', 'lte']);

function isScalar(value: unknown): value is Scalar {
	return value === null || ['string', 'number', 'boolean'].includes(typeof value);
}

/** A filter value as the store would have written it (text cleaned), so a filter finds the rows a write of the same value stored. */
function cleanScalar<V extends Scalar>(value: V): V {
	return (typeof value === 'string' ? cleanText(value) : value) as V;
}

/** Turns a `where` object into a checked list of filters (columns must exist and be scalar). */
export function checkWhere(def: TableDef, where: Record<string, Condition | undefined> | undefined): CheckedFilter[] {
	const filters: CheckedFilter[] = [];
	for (const [column, condition] of Object.entries(where ?? {})) {
		if (condition === undefined) continue;
		const kind = def.columns[column];
		if (!kind) throw new StoreError(`${def.name}: unknown column "${column}" in filter`, { table: def.name, code: 'VALIDATION' });
		if (!isFilterable(kind)) {
			throw new StoreError(`${def.name}: column "${column}" (${kind}) cannot be filtered`, { table: def.name, code: 'VALIDATION' });
		}
		if (isScalar(condition)) {
			filters.push({ column, kind, op: condition === null ? 'is_null' : 'eq', value: cleanScalar(condition) });
			continue;
		}
		if (typeof condition !== 'object' || Array.isArray(condition)) {
			throw new StoreError(`${def.name}: invalid condition for "${column}"`, { table: def.name, code: 'VALIDATION' });
		}
		for (const [op, value] of Object.entries(condition)) {
			if (value === undefined) continue;
			if (!OPS.has(op)) throw new StoreError(`${def.name}: unknown operator "${op}" on "${column}"`, { table: def.name, code: 'VALIDATION' });
			if (op === 'in') {
				if (!Array.isArray(value) || !value.every((v) => isScalar(v) && v !== null)) {
					throw new StoreError(`${def.name}: "in" on "${column}" needs an array of non-null values`, { table: def.name, code: 'VALIDATION' });
				}
				filters.push({ column, kind, op: 'in', value: (value as Scalar[]).map(cleanScalar) });
			} else {
				if (!isScalar(value)) throw new StoreError(`${def.name}: "${op}" on "${column}" needs a scalar value`, { table: def.name, code: 'VALIDATION' });
				if (value === null && op !== 'eq') {
					throw new StoreError(`${def.name}: "${op}" on "${column}" cannot compare with null`, { table: def.name, code: 'VALIDATION' });
				}
				filters.push({ column, kind, op: value === null ? 'is_null' : (op as Op), value: cleanScalar(value) });
			}
		}
	}
	return filters;
}

export function checkOrder<T extends TableName>(def: TableDef, order: SelectQuery<T>['order']): Array<{ column: string; ascending: boolean }> {
	if (!order) return [];
	const list = (Array.isArray(order) ? order : [order]) as Array<OrderBy<T>>;
	return list.map(({ column, ascending }) => {
		if (!def.columns[column]) throw new StoreError(`${def.name}: unknown column "${column}" in order`, { table: def.name, code: 'VALIDATION' });
		return { column, ascending: ascending !== false };
	});
}

/** The columns of a `selectColumns` call: known to the table, at least one, each once. */
export function checkColumns(def: TableDef, columns: readonly string[]): string[] {
	if (!Array.isArray(columns) || columns.length === 0) throw new StoreError(`${def.name}: selectColumns needs at least one column`, { table: def.name, code: 'VALIDATION' });
	const seen = new Set<string>();
	for (const column of columns) {
		if (typeof column !== 'string' || !def.columns[column]) throw new StoreError(`${def.name}: unknown column "${String(column)}" in selectColumns`, { table: def.name, code: 'VALIDATION' });
		if (seen.has(column)) throw new StoreError(`${def.name}: column "${column}" is listed twice in selectColumns`, { table: def.name, code: 'VALIDATION' });
		seen.add(column);
	}
	return [...seen];
}

export function checkLimit(limit: number | undefined): number | undefined {
	if (limit === undefined) return undefined;
	if (!Number.isInteger(limit) || limit < 0) throw new StoreError(`limit must be a non-negative integer, got ${String(limit)}`, { code: 'VALIDATION' });
	return limit;
}

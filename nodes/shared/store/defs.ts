/**
 * The store's leaf definitions: a column's kind, a relation's definition (tables.ts
 * for the tables, views.ts for the read-only KPI views), and a condition on one
 * column. No imports from the store, so tables, views and the Store interface
 * can all use them without an import cycle.
 */
import type { TableName } from '../schema/rows';

export type ColumnKind = 'text' | 'uuid' | 'date' | 'timestamptz' | 'numeric' | 'bigint' | 'integer' | 'boolean' | 'jsonb' | 'real[]' | 'bytea';

export interface TableDef {
	name: TableName;
	columns: Record<string, ColumnKind>;
	/** Columns of the unique constraint upserts resolve on; empty = not upsertable. */
	naturalKey: readonly string[];
	primaryKey: string;
	/** Columns the database computes (GENERATED / defaults); never written by the store. */
	readOnly: readonly string[];
}

export type Scalar = string | number | boolean | null;

/** A condition on one column: a bare value means `eq` (`null` means IS NULL). */
export type Condition =
	| Scalar
	| {
			eq?: Scalar;
			in?: readonly Scalar[];
			gt?: string | number;
			gte?: string | number;
			lt?: string | number;
			lte?: string | number;
	  };

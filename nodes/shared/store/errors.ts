/** Errors raised by the store. Messages never contain credentials. */

export class StoreError extends Error {
	readonly code?: string;
	readonly table?: string;
	readonly hint?: string;
	readonly details?: string;

	constructor(message: string, opts: { code?: string; table?: string; hint?: string; details?: string; cause?: unknown } = {}) {
		super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
		this.name = 'StoreError';
		this.code = opts.code;
		this.table = opts.table;
		this.hint = opts.hint;
		this.details = opts.details;
	}
}

/** A row failed its table's schema; the whole batch was rejected, nothing was written. */
export class StoreValidationError extends StoreError {
	readonly rowIndex: number;
	readonly reason: string;

	constructor(table: string, rowIndex: number, reason: string) {
		super(`${table}: row ${rowIndex} is invalid: ${reason}. Nothing was written.`, { table, code: 'VALIDATION' });
		this.name = 'StoreValidationError';
		this.rowIndex = rowIndex;
		this.reason = reason;
	}
}

/**
 * A write over PostgREST failed. Chunks before `chunkIndex` were committed
 * (each chunk is its own request and transaction); upserts are idempotent, so
 * retrying the whole batch is safe.
 */
export class StoreRequestError extends StoreError {
	readonly status: number;
	readonly chunkIndex?: number;
	readonly chunksCommitted?: number;

	constructor(
		message: string,
		opts: { status: number; table?: string; code?: string; hint?: string; details?: string; chunkIndex?: number; chunksCommitted?: number },
	) {
		super(message, opts);
		this.name = 'StoreRequestError';
		this.status = opts.status;
		this.chunkIndex = opts.chunkIndex;
		this.chunksCommitted = opts.chunksCommitted;
	}
}

export class MigrationError extends StoreError {
	readonly file: string;
	readonly statement?: string;
	readonly line?: number;

	constructor(message: string, opts: { file: string; statement?: string; line?: number; code?: string; cause?: unknown }) {
		super(message, { code: opts.code, cause: opts.cause });
		this.name = 'MigrationError';
		this.file = opts.file;
		this.statement = opts.statement;
		this.line = opts.line;
	}
}

interface PgLikeError {
	code?: string;
	message?: string;
	detail?: string;
	hint?: string;
	constraint?: string;
	column?: string;
}

export function isPgError(error: unknown): error is PgLikeError & Error {
	return error instanceof Error && typeof (error as PgLikeError).code === 'string';
}

/** Wraps a database error from pg or PGlite in a StoreError naming the table and operation. */
export function wrapDbError(error: unknown, table: string | undefined, operation: string): StoreError {
	if (error instanceof StoreError) return error;
	if (isPgError(error)) {
		const parts = [`${table ? `${table}: ` : ''}${operation} failed: ${error.message} (SQLSTATE ${error.code})`];
		if (error.detail) parts.push(`Detail: ${error.detail}`);
		if (error.hint) parts.push(`Hint: ${error.hint}`);
		return new StoreError(parts.join('. '), {
			code: error.code,
			table,
			hint: error.hint,
			details: error.detail,
			cause: error,
		});
	}
	const message = error instanceof Error ? error.message : String(error);
	return new StoreError(`${table ? `${table}: ` : ''}${operation} failed: ${message}`, { table, cause: error });
}

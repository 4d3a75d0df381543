/**
 * Splits a SQL script into statements at top-level semicolons, aware of
 * comments, quoted strings, quoted identifiers and dollar-quoted bodies.
 * Each statement keeps its character offset in the script, so a database
 * error position can be mapped back to a line of the file.
 */
export interface SqlStatement {
	/** Statement text without the terminating semicolon. */
	text: string;
	/** Offset (0-based, in UTF-16 code units) of `text` in the script. */
	offset: number;
}

export function splitStatements(script: string): SqlStatement[] {
	const statements: SqlStatement[] = [];
	let start = 0;
	let i = 0;
	const n = script.length;

	const push = (end: number) => {
		const raw = script.slice(start, end);
		const lead = leadingNoise(raw);
		const text = raw.slice(lead).trimEnd();
		if (text.length > 0 && !isOnlyComments(text)) statements.push({ text, offset: start + lead });
	};

	while (i < n) {
		const c = script[i];
		const next = script[i + 1];
		if (c === '-' && next === '-') {
			const eol = script.indexOf('\n', i);
			i = eol === -1 ? n : eol + 1;
		} else if (c === '/' && next === '*') {
			i = skipBlockComment(script, i);
		} else if (c === "'") {
			const escapes = i > 0 && (script[i - 1] === 'E' || script[i - 1] === 'e') && !isIdentChar(script[i - 2]);
			i = skipQuoted(script, i, "'", escapes);
		} else if (c === '"') {
			i = skipQuoted(script, i, '"', false);
		} else if (c === '$') {
			const tag = dollarTag(script, i);
			if (tag) {
				const close = script.indexOf(tag, i + tag.length);
				if (close === -1) throw new Error(`Unterminated dollar-quoted string ${tag} starting at offset ${i}`);
				i = close + tag.length;
			} else {
				i++;
			}
		} else if (c === ';') {
			push(i);
			i++;
			start = i;
		} else {
			i++;
		}
	}
	push(n);
	return statements;
}

function isIdentChar(c: string | undefined): boolean {
	return c !== undefined && /[A-Za-z0-9_$]/.test(c);
}

function dollarTag(script: string, i: number): string | undefined {
	if (isIdentChar(script[i - 1])) return undefined; // e.g. identifier a$b or $1 inside names
	const match = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(script.slice(i, i + 64));
	return match ? match[0] : undefined;
}

function skipBlockComment(script: string, i: number): number {
	let depth = 0;
	const n = script.length;
	while (i < n) {
		if (script[i] === '/' && script[i + 1] === '*') {
			depth++;
			i += 2;
		} else if (script[i] === '*' && script[i + 1] === '/') {
			depth--;
			i += 2;
			if (depth === 0) return i;
		} else {
			i++;
		}
	}
	throw new Error('Unterminated /* comment');
}

function skipQuoted(script: string, i: number, quote: string, backslashEscapes: boolean): number {
	const n = script.length;
	i++;
	while (i < n) {
		const c = script[i];
		if (backslashEscapes && c === '\\') {
			i += 2;
		} else if (c === quote) {
			if (script[i + 1] === quote) i += 2;
			else return i + 1;
		} else {
			i++;
		}
	}
	throw new Error(`Unterminated ${quote === "'" ? 'string' : 'quoted identifier'}`);
}

/** Length of leading whitespace and comments. */
function leadingNoise(text: string): number {
	let i = 0;
	for (;;) {
		while (i < text.length && /\s/.test(text[i])) i++;
		if (text.startsWith('--', i)) {
			const eol = text.indexOf('\n', i);
			i = eol === -1 ? text.length : eol + 1;
		} else if (text.startsWith('/*', i)) {
			i = skipBlockComment(text, i);
		} else {
			return i;
		}
	}
}

function isOnlyComments(text: string): boolean {
	return leadingNoise(text) >= text.length;
}

/** 1-based line and column of `offset` in `script`. */
export function lineAndColumn(script: string, offset: number): { line: number; column: number } {
	const before = script.slice(0, Math.max(0, offset));
	const lines = before.split('\n');
	return { line: lines.length, column: lines[lines.length - 1].length + 1 };
}

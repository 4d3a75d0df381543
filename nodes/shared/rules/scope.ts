/**
 * Rule scope: which entities a rule looks at. Name patterns cannot hang the
 * process: globs match in O(name × pattern) without backtracking, and regular
 * expressions run on RE2 (the `re2js` port), whose automaton matches in time
 * linear in the name whatever the pattern (`(a+)+$` included). A pattern is
 * written in JavaScript syntax (`u` flag) and translated to RE2 syntax here,
 * keeping JavaScript's meaning of `.`, `\s`, `\u…` and `[^]`; constructs RE2
 * cannot run in linear time (backreferences, lookaround) are refused with a
 * reason when the rule is parsed (`unsafeRegexReason` in model.ts). Names are
 * cut to MAX_NAME_LENGTH characters before matching.
 */
import { RE2JS } from 're2js';
import type { NamePattern, Scope } from './rule-types';

/** Characters of a campaign name a pattern sees. */
export const MAX_NAME_LENGTH = 1024;

/** What scope matching needs of an entity. */
export interface ScopeTarget {
	platform: string;
	accountId: string;
	campaignId: string;
	name: string | null;
	labels: readonly string[];
	/** Currency of the entity's metric rows (money thresholds are in it); null when unknown. */
	metricCurrency: string | null;
	/** Filled by `compileScope` matchers: the name as case-insensitive patterns see it (shared by the rules of one run). */
	lowerName?: string | null;
}

/**
 * Glob match: `*` any run of characters, `?` one character, everything else
 * literal. Iterative with one backtrack point (the last `*`), so the cost is
 * O(text × pattern) at worst.
 */
export function globMatch(pattern: string, text: string): boolean {
	let p = 0;
	let t = 0;
	let star = -1;
	let mark = 0;
	while (t < text.length) {
		if (p < pattern.length && (pattern[p] === '?' || (pattern[p] !== '*' && pattern[p] === text[t]))) {
			p++;
			t++;
		} else if (p < pattern.length && pattern[p] === '*') {
			star = p++;
			mark = t;
		} else if (star !== -1) {
			p = star + 1;
			t = ++mark;
		} else {
			return false;
		}
	}
	while (p < pattern.length && pattern[p] === '*') p++;
	return p === pattern.length;
}

/** JavaScript's `\s` (WhiteSpace and LineTerminator) as RE2 class items; RE2's own `\s` is ASCII only. */
const JS_SPACE = '\\t\\n\\x{0B}\\f\\r \\x{A0}\\x{1680}\\x{2000}-\\x{200A}\\x{2028}\\x{2029}\\x{202F}\\x{205F}\\x{3000}\\x{FEFF}';
/** Every code point outside JS_SPACE, as RE2 class items (JavaScript's `\S`, usable inside a class too). */
const JS_NOT_SPACE =
	'\\x{0}-\\x{8}\\x{E}-\\x{1F}\\x{21}-\\x{9F}\\x{A1}-\\x{167F}\\x{1681}-\\x{1FFF}\\x{200B}-\\x{2027}\\x{202A}-\\x{202E}\\x{2030}-\\x{205E}\\x{2060}-\\x{2FFF}\\x{3001}-\\x{FEFE}\\x{FF00}-\\x{10FFFF}';
/** JavaScript's `.` without the `s` flag: anything but a line terminator. */
const JS_DOT = '[^\\n\\r\\x{2028}\\x{2029}]';
const ANY = '\\x{0}-\\x{10FFFF}';
/** JavaScript's `\\w` with the `iu` flags also holds ſ (U+017F) and K (U+212A), which case-fold to s and k. */
const JS_WORD_I = '\\w\\x{17F}\\x{212A}';
const JS_NOT_WORD_I = '\\x{0}-\\x{2F}\\x{3A}-\\x{40}\\x{5B}-\\x{5E}\\x{60}\\x{7B}-\\x{17E}\\x{180}-\\x{2129}\\x{212B}-\\x{10FFFF}';

/** A regex pattern that cannot run on the linear-time matcher; the message says why, in words. */
export class UnsupportedPatternError extends Error {
	constructor(reason: string) {
		super(reason);
		this.name = 'UnsupportedPatternError';
	}
}

const hex = (code: number) => `\\x{${code.toString(16).toUpperCase()}}`;

/**
 * Translates a JavaScript regular expression source (valid with the `u` flag)
 * into RE2 syntax with the same meaning on campaign names. Throws
 * UnsupportedPatternError for what RE2 cannot run in linear time
 * (backreferences, lookahead, lookbehind) and inline flags other than `i`.
 * One difference is left: with `caseInsensitive`, JavaScript's `\b` also
 * counts ſ (U+017F) and K (U+212A) as word characters and RE2's does not.
 */
export function toRe2Syntax(source: string, caseInsensitive = false): string {
	let out = '';
	let inClass = false;
	let i = 0;
	const codePointEscape = (): number | null => {
		// at source[i] === 'u' or 'x' after a backslash; returns the code point and moves i past it
		if (source[i] === 'x' && /^[0-9a-fA-F]{2}$/.test(source.slice(i + 1, i + 3))) {
			const code = parseInt(source.slice(i + 1, i + 3), 16);
			i += 3;
			return code;
		}
		if (source[i] !== 'u') return null;
		if (source[i + 1] === '{') {
			const end = source.indexOf('}', i);
			if (end < 0) return null;
			const code = parseInt(source.slice(i + 2, end), 16);
			i = end + 1;
			return code;
		}
		if (!/^[0-9a-fA-F]{4}$/.test(source.slice(i + 1, i + 5))) return null;
		let code = parseInt(source.slice(i + 1, i + 5), 16);
		i += 5;
		// a surrogate pair written as two escapes is one code point with the u flag
		const low = /^\\u([dD][c-fC-F][0-9a-fA-F]{2})/.exec(source.slice(i));
		if (code >= 0xd800 && code <= 0xdbff && low) {
			code = 0x10000 + ((code - 0xd800) << 10) + (parseInt(low[1], 16) - 0xdc00);
			i += 6;
		}
		return code;
	};
	while (i < source.length) {
		const ch = source[i];
		if (ch === '\\') {
			i++;
			const e = source[i];
			if (e === undefined) throw new UnsupportedPatternError('ends with a lone backslash');
			if (/[1-9]/.test(e) || (e === 'k' && !inClass)) throw new UnsupportedPatternError('must not use backreferences (the linear-time matcher cannot run them)');
			if (e === 'u' || e === 'x') {
				const code = codePointEscape();
				if (code === null) throw new UnsupportedPatternError(`has an incomplete \\${e} escape`);
				out += hex(code);
				continue;
			}
			i++;
			if (e === 's') out += inClass ? JS_SPACE : `[${JS_SPACE}]`;
			else if (e === 'S') out += inClass ? JS_NOT_SPACE : `[${JS_NOT_SPACE}]`;
			else if (caseInsensitive && e === 'w') out += inClass ? JS_WORD_I : `[${JS_WORD_I}]`;
			else if (caseInsensitive && e === 'W') out += inClass ? JS_NOT_WORD_I : `[${JS_NOT_WORD_I}]`;
			else if (e === 'v') out += hex(0x0b);
			else if (e === '0') out += hex(0);
			else if (e === 'b' && inClass) out += hex(0x08);
			else if (e === 'c' && /[a-zA-Z]/.test(source[i] ?? '')) out += hex(source.charCodeAt(i++) % 32);
			else if (e === 'p' || e === 'P') {
				const end = source.indexOf('}', i);
				if (source[i] !== '{' || end < 0) throw new UnsupportedPatternError(`has an incomplete \\${e} escape`);
				const name = source.slice(i + 1, end).replace(/^(Script|sc|General_Category|gc)=/, '');
				out += `\\${e}{${name}}`;
				i = end + 1;
			} else if (/[dDwWbBtnrf]/.test(e)) out += `\\${e}`;
			else if (/[A-Za-z]/.test(e)) throw new UnsupportedPatternError(`uses the escape \\${e}, which the linear-time matcher does not know`);
			else out += `\\${e}`; // an escaped syntax character: ^ $ \\ . * + ? ( ) [ ] { } | / -
			continue;
		}
		if (inClass) {
			if (ch === ']') inClass = false;
			out += ch === '[' ? '\\[' : ch;
			i++;
			continue;
		}
		if (ch === '[') {
			if (source.startsWith('[^]', i)) {
				out += `[${ANY}]`;
				i += 3;
			} else if (source.startsWith('[]', i)) {
				out += `[^${ANY}]`;
				i += 2;
			} else {
				inClass = true;
				out += '[';
				i++;
				if (source[i] === '^') {
					out += '^';
					i++;
				}
			}
			continue;
		}
		if (ch === '.') {
			out += JS_DOT;
			i++;
			continue;
		}
		if (ch === '(' && source[i + 1] === '?') {
			const rest = source.slice(i + 2);
			if (/^(=|!|<=|<!)/.test(rest)) throw new UnsupportedPatternError('must not use lookahead or lookbehind (the linear-time matcher cannot run them)');
			const named = /^<([A-Za-z_$][\w$]*)>/.exec(rest);
			if (named) {
				out += `(?P<${named[1]}>`;
				i += 2 + named[0].length;
				continue;
			}
			const flags = /^(-?i|i-|):/.exec(rest);
			if (!flags) throw new UnsupportedPatternError('uses an inline flag group other than (?:…), (?i:…) or (?-i:…)');
			out += `(?${flags[1]}:`;
			i += 2 + flags[0].length;
			continue;
		}
		out += ch;
		i++;
	}
	return out;
}

const regexCache = new Map<string, RE2JS>();

/**
 * A regex name pattern compiled for the linear-time matcher (cached). Throws
 * UnsupportedPatternError naming the pattern and the reason when RE2 cannot
 * run it.
 */
export function compileRegex(source: string, caseSensitive: boolean): RE2JS {
	const key = `${caseSensitive ? 's' : 'i'}:${source}`;
	let re = regexCache.get(key);
	if (!re) {
		try {
			re = RE2JS.compile(toRe2Syntax(source, !caseSensitive), caseSensitive ? 0 : RE2JS.CASE_INSENSITIVE);
		} catch (error) {
			const reason = error instanceof UnsupportedPatternError ? error.message : `uses a construct the linear-time matcher does not support (${(error as Error).message})`;
			throw new UnsupportedPatternError(`the name pattern /${source}/ ${reason}`);
		}
		if (regexCache.size < 1000) regexCache.set(key, re);
	}
	return re;
}

/** Why RE2 cannot run this regex source (without naming the pattern), or null when it can. */
export function linearRegexRefusal(source: string): string | null {
	try {
		RE2JS.compile(toRe2Syntax(source));
		return null;
	} catch (error) {
		return error instanceof UnsupportedPatternError ? error.message : `uses a construct the linear-time matcher does not support (${(error as Error).message})`;
	}
}

function visibleName(name: string): string {
	return name.length > MAX_NAME_LENGTH ? name.slice(0, MAX_NAME_LENGTH) : name;
}

export function nameMatches(pattern: NamePattern, name: string | null): boolean {
	if (name === null) return false;
	const text = visibleName(name);
	if ('glob' in pattern) return pattern.caseSensitive ? globMatch(pattern.glob, text) : globMatch(pattern.glob.toLowerCase(), text.toLowerCase());
	return compileRegex(pattern.regex, pattern.caseSensitive).test(text);
}

/** Why the entity is outside the scope, or null when it is inside. */
export function scopeMiss(scope: Scope, e: ScopeTarget): string | null {
	if (scope.platforms && !scope.platforms.includes(e.platform as never)) return `platform ${e.platform} not in ${scope.platforms.join(', ')}`;
	if (scope.accountIds && !scope.accountIds.includes(e.accountId)) return `account ${e.accountId} not in scope`;
	if (scope.campaignIds && !scope.campaignIds.includes(e.campaignId)) return `campaign ${e.campaignId} not in scope`;
	if (scope.currencies && (e.metricCurrency === null || !scope.currencies.includes(e.metricCurrency))) return `metric currency ${e.metricCurrency ?? 'unknown'} not in ${scope.currencies.join(', ')}`;
	if (scope.labels && !scope.labels.some((l) => e.labels.includes(l))) return `none of the labels ${scope.labels.join(', ')}`;
	if (scope.excludeLabels) {
		const hit = scope.excludeLabels.find((l) => e.labels.includes(l));
		if (hit !== undefined) return `excluded label ${hit}`;
	}
	if (scope.name && !nameMatches(scope.name, e.name)) return `name does not match ${'glob' in scope.name ? scope.name.glob : `/${scope.name.regex}/`}`;
	return null;
}

/**
 * `globMatch(pattern, text)` as a function of the text. A pattern without `?`
 * is its literal segments between the stars: the text starts with the first,
 * ends with the last and holds the others in order, each placed leftmost
 * (`*prospecting*` is a substring test); patterns with `?` use `globMatch`.
 */
export function compileGlob(pattern: string): (text: string) => boolean {
	if (pattern.includes('?')) return (text) => globMatch(pattern, text);
	const segments = pattern.split('*');
	if (segments.length === 1) return (text) => text === pattern;
	const first = segments[0];
	const last = segments[segments.length - 1];
	const middle = segments.slice(1, -1).filter((x) => x.length > 0);
	return (text) => {
		const end = text.length - last.length;
		if (end < first.length || !text.startsWith(first) || !text.endsWith(last)) return false;
		let at = first.length;
		for (const segment of middle) {
			const found = text.indexOf(segment, at);
			if (found < 0 || found + segment.length > end) return false;
			at = found + segment.length;
		}
		return true;
	};
}

/**
 * `scopeMiss(scope, e) === null` as a function compiled once per rule and run:
 * id lists become sets, a case-insensitive glob is lowercased once, and the
 * entity's lowercased name is kept on the target for the next rule. The reason
 * of a miss is `scopeMiss`'s, computed only when it is shown.
 */
export function compileScope(scope: Scope): (e: ScopeTarget) => boolean {
	const tests: Array<(e: ScopeTarget) => boolean> = [];
	if (scope.platforms) {
		const set = new Set<string>(scope.platforms);
		tests.push((e) => set.has(e.platform));
	}
	if (scope.accountIds) {
		const set = new Set<string>(scope.accountIds);
		tests.push((e) => set.has(e.accountId));
	}
	if (scope.campaignIds) {
		const set = new Set<string>(scope.campaignIds);
		tests.push((e) => set.has(e.campaignId));
	}
	if (scope.currencies) {
		const set = new Set<string>(scope.currencies);
		tests.push((e) => e.metricCurrency !== null && set.has(e.metricCurrency));
	}
	if (scope.labels) {
		const set = new Set<string>(scope.labels);
		tests.push((e) => e.labels.some((l) => set.has(l)));
	}
	if (scope.excludeLabels) {
		const set = new Set<string>(scope.excludeLabels);
		tests.push((e) => !e.labels.some((l) => set.has(l)));
	}
	const pattern = scope.name;
	if (pattern) {
		if ('glob' in pattern && !pattern.caseSensitive) {
			const match = compileGlob(pattern.glob.toLowerCase());
			tests.push((e) => {
				if (e.name === null) return false;
				if (e.lowerName === undefined || e.lowerName === null) e.lowerName = visibleName(e.name).toLowerCase();
				return match(e.lowerName);
			});
		} else if ('glob' in pattern) {
			const match = compileGlob(pattern.glob);
			tests.push((e) => e.name !== null && match(visibleName(e.name)));
		} else {
			const re = compileRegex(pattern.regex, pattern.caseSensitive);
			tests.push((e) => e.name !== null && re.test(visibleName(e.name)));
		}
	}
	switch (tests.length) {
		case 0:
			return () => true;
		case 1:
			return tests[0];
		default:
			return (e) => {
				for (const t of tests) if (!t(e)) return false;
				return true;
			};
	}
}

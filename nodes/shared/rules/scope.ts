/**
 * Rule scope: which entities a rule looks at. Name patterns are bounded:
 * globs match in O(name × pattern) without backtracking, regular expressions
 * are checked by `unsafeRegexReason` when the rule is parsed, and names are cut
 * to MAX_NAME_LENGTH characters before matching.
 */
import type { NamePattern, Scope } from './model';

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

const regexCache = new Map<string, RegExp>();

function compiled(source: string, caseSensitive: boolean): RegExp {
	const key = `${caseSensitive ? 's' : 'i'}:${source}`;
	let re = regexCache.get(key);
	if (!re) {
		re = new RegExp(source, caseSensitive ? 'u' : 'iu');
		if (regexCache.size < 1000) regexCache.set(key, re);
	}
	return re;
}

function visibleName(name: string): string {
	return name.length > MAX_NAME_LENGTH ? name.slice(0, MAX_NAME_LENGTH) : name;
}

export function nameMatches(pattern: NamePattern, name: string | null): boolean {
	if (name === null) return false;
	const text = visibleName(name);
	if ('glob' in pattern) return pattern.caseSensitive ? globMatch(pattern.glob, text) : globMatch(pattern.glob.toLowerCase(), text.toLowerCase());
	return compiled(pattern.regex, pattern.caseSensitive).test(text);
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
			const re = compiled(pattern.regex, pattern.caseSensitive);
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

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

export function nameMatches(pattern: NamePattern, name: string | null): boolean {
	if (name === null) return false;
	const text = name.length > MAX_NAME_LENGTH ? name.slice(0, MAX_NAME_LENGTH) : name;
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

/**
 * Platform rules for ad copy, counted in user-perceived characters (grapheme
 * clusters, `text/graphemes.ts`): a family emoji, a flag or an accented
 * letter written with a combining mark is one character, as a person sees it.
 *
 * Nothing here ever shortens copy. A rule either holds or yields a violation
 * that names the field, the index, the rule, the limit and the actual length;
 * `hard` violations make a variant fail (it is regenerated, then reported),
 * `recommended` ones are warnings that travel with the variant to the
 * approver.
 *
 * The defaults are the platform registry's creative limits
 * (`platforms/registry.ts`, `creative`): every platform with limits there has
 * rules here (TikTok's in-feed ad text included), with no second copy of the
 * numbers; a list field's entries must differ when it takes more than one.
 *
 * Defaults and decisions:
 * - Google responsive search ads: headlines ≤ 30, descriptions ≤ 90, 3–15
 *   headlines, 2–4 descriptions, no exact duplicates, no line breaks, no
 *   emoji (Google's editorial policy rejects them; ©, ® and ™ are allowed).
 *   Google counts Chinese, Japanese and Korean characters twice towards the
 *   limit, so Google lengths use the `google_width` unit: graphemes, with a
 *   grapheme whose first code point is Han, Hiragana, Katakana, Hangul,
 *   Bopomofo, a CJK symbol or a full-width form counting 2. A primary text on
 *   a Google variant is a warning (search ads have none; it would not publish).
 * - "Exact duplicate" means equal after NFKC, lower-casing and collapsing
 *   whitespace runs to one space (leading/trailing whitespace ignored).
 *   Punctuation counts: "Save now" and "Save now!" are different headlines.
 * - Meta: primary text 125 recommended, hard limit configurable (default
 *   2,200: a generous ceiling chosen here, not a figure Meta publishes; set
 *   your placement's), headline 40 hard (the issue states it as a limit; Meta
 *   itself calls 40 a recommendation and accepts more — configure
 *   `headlineLength: { hard: 255, recommended: 40 }` for that reading),
 *   description 30 recommended, exactly 1 headline, at most 1 description.
 * - LinkedIn: intro text 150 recommended and 600 hard, headline 70 hard (as
 *   the issue states; LinkedIn accepts up to 200), description 100
 *   recommended and 300 hard, exactly 1 headline, at most 1 description.
 * - TikTok in-feed ads: the ad text (primaryText) is required, 1–100
 *   characters, no emoji (TikTok Ads Manager refuses them in ad text); no
 *   headline or description (the video carries them).
 * - Empty or whitespace-only texts are hard violations everywhere; line
 *   breaks are hard violations in headlines and descriptions (stored
 *   multi-value fields are newline-joined, see `stage.ts`), allowed in
 *   primary text.
 * - When a text breaks its hard limit only the hard violation is reported
 *   (it necessarily exceeds the recommendation too).
 */
import { PLATFORM_DEFINITIONS, type CreativeLimits, type PlatformDefinition, type PlatformId } from '../platforms/registry';
import { graphemes } from '../text/graphemes';
import { fieldLabel, type CreativeVariant, type VariantField } from './variant';

/** How lengths are measured: graphemes, or graphemes with CJK/full-width counted twice (Google). */
export type LengthUnit = 'graphemes' | 'google_width';

export interface LengthLimits {
	/** Longer than this fails the variant. null: no hard limit. */
	hard: number | null;
	/** Longer than this is a warning. null: no recommendation. */
	recommended: number | null;
}

export interface CountLimits {
	min: number;
	max: number;
}

export interface ListFieldRules {
	count: CountLimits;
	length: LengthLimits;
	/** No two entries may be exact duplicates (see `duplicateKey`). */
	unique: boolean;
}

export interface PlatformRules {
	/** A platform with creative limits in the registry. */
	platform: PlatformId;
	unit: LengthUnit;
	headlines: ListFieldRules;
	descriptions: ListFieldRules;
	/** `required`: Meta primary text / LinkedIn intro text. `unused`: Google search ads have none. */
	primaryText: { use: 'required' | 'unused'; length: LengthLimits };
	/** Whether emoji are acceptable in headlines and descriptions (and in the primary text, where it is required). */
	emojiAllowed: boolean;
}

/** Per-run adjustments of a platform's defaults (all optional). */
export interface PlatformRuleOverrides {
	headlineLength?: Partial<LengthLimits>;
	headlineCount?: Partial<CountLimits>;
	descriptionLength?: Partial<LengthLimits>;
	descriptionCount?: Partial<CountLimits>;
	primaryTextLength?: Partial<LengthLimits>;
	emojiAllowed?: boolean;
}

export const PLATFORM_RULE_IDS = ['min_count', 'max_count', 'max_length', 'empty', 'required', 'line_break', 'emoji', 'duplicate', 'unused_field'] as const;
export type PlatformRuleId = (typeof PLATFORM_RULE_IDS)[number];

export type RuleSeverity = 'hard' | 'recommended';

export interface RuleViolation {
	field: VariantField;
	/** Position in `headlines`/`descriptions`; null for a single-valued field or a rule about the whole list (counts). */
	index: number | null;
	rule: PlatformRuleId;
	/** `hard` fails the variant; `recommended` is a warning. */
	severity: RuleSeverity;
	/** The limit that applies (characters, or entries for counts); null when the rule has none. */
	limit: number | null;
	/** The measured length (or count); null when the rule has none. */
	actual: number | null;
	/** Unit of `limit`/`actual` for length rules; null otherwise. */
	unit: LengthUnit | null;
	/** For `duplicate`: index of the earlier equal entry. */
	duplicateOf?: number;
	/** One sentence a person (and the model) can act on. */
	message: string;
}

export class CreativeConfigError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'CreativeConfigError';
	}
}

/** A platform's default rules from its registry entry's creative limits; null when it has none (e-mail). */
function rulesFromRegistry(p: PlatformDefinition): PlatformRules | null {
	const c = p.creative;
	if (!c) return null;
	const list = (f: CreativeLimits['headline']): ListFieldRules => ({ count: { min: f.min, max: f.max }, length: { hard: f.hard, recommended: f.recommended }, unique: f.max > 1 });
	return {
		platform: p.id,
		unit: c.unit,
		headlines: list(c.headline),
		descriptions: list(c.description),
		primaryText: { use: c.primaryText.use, length: { hard: c.primaryText.hard, recommended: c.primaryText.recommended } },
		emojiAllowed: c.emojiAllowed,
	};
}

const DEFAULTS: Partial<Record<PlatformId, PlatformRules>> = Object.fromEntries(
	PLATFORM_DEFINITIONS.map((p) => [p.id, rulesFromRegistry(p)]).filter((e): e is [PlatformId, PlatformRules] => e[1] !== null),
);

/** The platforms with creative rules (the registry's platforms with creative limits), in registry order. */
export const RULE_PLATFORMS = Object.keys(DEFAULTS) as PlatformId[];

function checkLimit(name: string, value: number | null): void {
	if (value !== null && (!Number.isSafeInteger(value) || value < 1)) throw new CreativeConfigError(`${name} must be a positive whole number or null, got ${String(value)}`);
}

function mergeLength(base: LengthLimits, patch: Partial<LengthLimits> | undefined, name: string): LengthLimits {
	const out = { ...base, ...patch };
	checkLimit(`${name}.hard`, out.hard);
	checkLimit(`${name}.recommended`, out.recommended);
	if (out.hard !== null && out.recommended !== null && out.recommended > out.hard) {
		throw new CreativeConfigError(`${name}: the recommended length (${out.recommended}) is above the hard limit (${out.hard})`);
	}
	return out;
}

function mergeCount(base: CountLimits, patch: Partial<CountLimits> | undefined, name: string): CountLimits {
	const out = { ...base, ...patch };
	for (const key of ['min', 'max'] as const) {
		if (!Number.isSafeInteger(out[key]) || out[key] < 0) throw new CreativeConfigError(`${name}.${key} must be a whole number ≥ 0, got ${String(out[key])}`);
	}
	if (out.min > out.max) throw new CreativeConfigError(`${name}: min (${out.min}) is above max (${out.max})`);
	return out;
}

/** The rules of `platform`: its defaults with `overrides` applied and checked. */
export function platformRules(platform: PlatformId, overrides: PlatformRuleOverrides = {}): PlatformRules {
	const base = DEFAULTS[platform as PlatformId];
	if (!base) throw new CreativeConfigError(`no creative rules for platform "${String(platform)}"`);
	return {
		platform,
		unit: base.unit,
		headlines: {
			count: mergeCount(base.headlines.count, overrides.headlineCount, 'headlineCount'),
			length: mergeLength(base.headlines.length, overrides.headlineLength, 'headlineLength'),
			unique: base.headlines.unique,
		},
		descriptions: {
			count: mergeCount(base.descriptions.count, overrides.descriptionCount, 'descriptionCount'),
			length: mergeLength(base.descriptions.length, overrides.descriptionLength, 'descriptionLength'),
			unique: base.descriptions.unique,
		},
		primaryText: { use: base.primaryText.use, length: mergeLength(base.primaryText.length, overrides.primaryTextLength, 'primaryTextLength') },
		emojiAllowed: overrides.emojiAllowed ?? base.emojiAllowed,
	};
}

const WIDE = /^[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\p{Script=Bopomofo}\u3000-\u303F\uFF01-\uFF60\uFFE0-\uFFE6]/u;

/** Length of `text` in `unit`: graphemes, or graphemes with CJK and full-width ones counted twice. */
export function measureLength(text: string, unit: LengthUnit): number {
	const parts = graphemes(text);
	if (unit === 'graphemes') return parts.length;
	let n = 0;
	for (const g of parts) n += WIDE.test(g) ? 2 : 1;
	return n;
}

/** The comparison key for "exact duplicate": NFKC, lower case, whitespace runs collapsed, trimmed. */
export function duplicateKey(text: string): string {
	return text.normalize('NFKC').toLowerCase().replace(/\s+/gu, ' ').trim();
}

const LINE_BREAK = /[\r\n\u2028\u2029\u0085]/u;
// ©, ® and ™ are Extended_Pictographic but ordinary in ad copy.
const EMOJI = /(?![\u00A9\u00AE\u2122])\p{Extended_Pictographic}|\p{Regional_Indicator}/u;

function unitNote(unit: LengthUnit): string {
	return unit === 'google_width' ? ' (Chinese, Japanese and Korean characters count as 2)' : '';
}

function lengthViolation(field: VariantField, index: number | null, text: string, limits: LengthLimits, unit: LengthUnit): RuleViolation | null {
	const actual = measureLength(text, unit);
	const label = fieldLabel(field, index);
	if (limits.hard !== null && actual > limits.hard) {
		return {
			field,
			index,
			rule: 'max_length',
			severity: 'hard',
			limit: limits.hard,
			actual,
			unit,
			message: `${label} is ${actual} characters; the limit is ${limits.hard}${unitNote(unit)}`,
		};
	}
	if (limits.recommended !== null && actual > limits.recommended) {
		return {
			field,
			index,
			rule: 'max_length',
			severity: 'recommended',
			limit: limits.recommended,
			actual,
			unit,
			message: `${label} is ${actual} characters; at most ${limits.recommended} is recommended (longer text may be cut off on screen)${unitNote(unit)}`,
		};
	}
	return null;
}

function simple(field: VariantField, index: number | null, rule: PlatformRuleId, severity: RuleSeverity, message: string): RuleViolation {
	return { field, index, rule, severity, limit: null, actual: null, unit: null, message };
}

function checkList(field: 'headlines' | 'descriptions', texts: readonly string[], rules: ListFieldRules, all: PlatformRules): RuleViolation[] {
	const out: RuleViolation[] = [];
	const { min, max } = rules.count;
	const noun = field === 'headlines' ? 'headline' : 'description';
	if (texts.length < min) {
		out.push({ field, index: null, rule: 'min_count', severity: 'hard', limit: min, actual: texts.length, unit: null, message: `${texts.length} ${noun}(s); at least ${min} required` });
	} else if (texts.length > max) {
		out.push({ field, index: null, rule: 'max_count', severity: 'hard', limit: max, actual: texts.length, unit: null, message: `${texts.length} ${noun}(s); at most ${max} allowed` });
	}
	const seen = new Map<string, number>();
	texts.forEach((text, index) => {
		const label = fieldLabel(field, index);
		if (text.trim() === '') {
			out.push(simple(field, index, 'empty', 'hard', `${label} is empty`));
			return;
		}
		if (LINE_BREAK.test(text)) out.push(simple(field, index, 'line_break', 'hard', `${label} contains a line break; write it on one line`));
		if (!all.emojiAllowed && EMOJI.test(text)) out.push(simple(field, index, 'emoji', 'hard', `${label} contains an emoji or pictograph, which ${all.platform} does not accept here`));
		const length = lengthViolation(field, index, text, rules.length, all.unit);
		if (length) out.push(length);
		if (rules.unique) {
			const key = duplicateKey(text);
			const first = seen.get(key);
			if (first === undefined) seen.set(key, index);
			else out.push({ ...simple(field, index, 'duplicate', 'hard', `${label} repeats ${fieldLabel(field, first)} (same text ignoring case and spacing)`), duplicateOf: first });
		}
	});
	return out;
}

/** Every violation of `rules` by `variant`, in field order. Never changes the variant. */
export function checkPlatformRules(variant: CreativeVariant, rules: PlatformRules): RuleViolation[] {
	const out = [...checkList('headlines', variant.headlines, rules.headlines, rules), ...checkList('descriptions', variant.descriptions, rules.descriptions, rules)];
	const primary = variant.primaryText;
	if (rules.primaryText.use === 'required') {
		if (primary === null) out.push(simple('primaryText', null, 'required', 'hard', `primaryText is required on ${rules.platform}`));
		else if (primary.trim() === '') out.push(simple('primaryText', null, 'empty', 'hard', 'primaryText is empty'));
		else {
			if (!rules.emojiAllowed && EMOJI.test(primary)) out.push(simple('primaryText', null, 'emoji', 'hard', `primaryText contains an emoji or pictograph, which ${rules.platform} does not accept here`));
			const length = lengthViolation('primaryText', null, primary, rules.primaryText.length, rules.unit);
			if (length) out.push(length);
		}
	} else if (primary !== null && primary.trim() !== '') {
		out.push(simple('primaryText', null, 'unused_field', 'recommended', `${rules.platform} search ads have no primary text; it will not be published`));
	}
	return out;
}

/** True when a violation list holds a hard one. */
export function hasHardViolation(violations: readonly RuleViolation[]): boolean {
	return violations.some((v) => v.severity === 'hard');
}

/** The rules in words, for the prompt (same numbers the check uses). */
export function describeRules(rules: PlatformRules): string[] {
	const lines: string[] = [];
	const len = (l: LengthLimits) =>
		[l.hard !== null ? `at most ${l.hard} characters` : null, l.recommended !== null ? `ideally at most ${l.recommended}` : null].filter(Boolean).join(', ') || 'no length limit';
	const count = (c: CountLimits, noun: string) => (c.min === c.max ? `exactly ${c.min} ${noun}` : `between ${c.min} and ${c.max} ${noun}`);
	const list = (name: string, f: ListFieldRules, noun: string) =>
		f.count.max === 0 ? `${name}: none, an empty list (this ad format has none).` : `${name}: ${count(f.count, noun)}, each ${len(f.length)}${f.unique ? ', all different' : ''}, one line each.`;
	lines.push(list('headlines', rules.headlines, 'headline(s)'));
	lines.push(list('descriptions', rules.descriptions, 'description(s)'));
	if (rules.primaryText.use === 'required') lines.push(`primaryText: required, ${len(rules.primaryText.length)}.`);
	else lines.push('primaryText: null (this ad format has none).');
	if (!rules.emojiAllowed) lines.push(rules.primaryText.use === 'required' ? 'No emoji or pictographs in headlines, descriptions or primaryText.' : 'No emoji or pictographs in headlines or descriptions.');
	lines.push(
		rules.unit === 'google_width'
			? 'Characters are counted as a reader sees them; each Chinese, Japanese or Korean character counts as 2.'
			: 'Characters are counted as a reader sees them; an emoji counts as 1.',
	);
	lines.push('Never cut text off to fit: rewrite it shorter.');
	return lines;
}

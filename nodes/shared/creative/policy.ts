/**
 * Policy lint for ad copy: configurable banned claims and phrases, each with
 * a reason, so a person sees why copy was held back.
 *
 * Matching, decided to be pragmatic rather than clever:
 * - Text and terms go through the same fold (`foldText`): invisible code
 *   points removed (zero-width spaces and joiners, soft hyphens, variation
 *   selectors: Unicode Default_Ignorable), NFKD with non-spacing marks
 *   removed (diacritics: "gùarantéed", full-width "ｂｅｓｔ", ligatures), lower
 *   case with ß → ss, a few Cyrillic/Greek look-alikes mapped to Latin
 *   ("bеst" with a Cyrillic е), curly apostrophes to ', № to "no.". A finding
 *   still quotes and locates the ORIGINAL text (offsets into the field).
 * - Term matching is on word boundaries, Unicode-aware: a term never matches
 *   inside a longer word ("cure" not in "secure"/"manicure", "best" not in
 *   "bestow", a banned "free" not in "freedom"), and `*` at the end of a word
 *   matches any ending ("guarantee*": guarantee, guaranteed, guarantees).
 *   Ends in scripts written without spaces (Han, Hiragana, Katakana, Thai)
 *   are not boundary-checked, so a banned Japanese word is found inside a
 *   sentence.
 * - Obfuscation caught: any letter case, diacritics, common leetspeak inside
 *   a word (4/@ → a, 3/€ → e, 1/!/| → i or l, 0 → o, 5/$ → s, 7/+ → t, 8 → b,
 *   9 → g; a match must still contain at least one real letter, so a number
 *   like 8357 is never "best"), letters spelled out with separators ("g u a r
 *   a n t e e d", "b.e.s.t", "b*e*s*t"; words of three letters or more, every
 *   letter separated), and any run of spaces, hyphens or underscores between
 *   the words of a phrase, including none ("risk free", "risk—free",
 *   "riskfree"). Not caught: misspellings, words split at arbitrary points
 *   ("guaran teed"), images of text, synonyms. Sentence punctuation between
 *   words is not a gap, so "No risk. Free shipping" is not "risk-free".
 * - Pattern rules (personal attributes) are regular expressions over the
 *   folded text: case and diacritics are handled, leetspeak is not.
 * - Superlatives are allowed with proof: a rule marked `substantiable` turns
 *   from block into warn when the caller has substantiation on file for it
 *   (`substantiation: { superlative: 'G2 Grid Winter 2025, #1 in CRM' }`), or
 *   when the copy carries a citation marker after the claim in the same
 *   sentence (*, †, ‡, a superscript digit, [1], "(source: …)") and
 *   `acceptCitationMarkers` is on (default on for copy written by a person;
 *   `generateVariants` turns it off, so a model cannot wave its own claim
 *   through by adding an asterisk). A substantiated claim is still reported,
 *   as a warning naming the proof, so the approver checks it is shown.
 * - Personal-attribute phrasing (Meta's "personal attributes" policy,
 *   Google's personalized-advertising policy) is a heuristic over health,
 *   finances, religion, sexual orientation and gender identity, ethnicity,
 *   criminal record and age: "are you … <attribute>", "you're … <attribute>",
 *   "you have/suffer from <attribute>", "your <attribute>" ("your
 *   bankruptcy"), "other <group>" ("other diabetics"), "struggling with
 *   <attribute>?" and "as a <group member>, …". Copy about a topic that does
 *   not address the reader ("Get out of debt faster", "Diabetes-friendly
 *   recipes") is not flagged.
 */
import type { CreativeVariant } from './variant';
import { fieldLabel, variantTexts } from './variant';
import { CreativeConfigError } from './platform-rules';

export type PolicySeverity = 'block' | 'warn';

export interface PolicyRule {
	/** Stable id, e.g. `superlative`; also the key of `substantiation`. */
	id: string;
	/** Why copy with this is held back, in words an approver understands. */
	reason: string;
	severity: PolicySeverity;
	/** Words or phrases (see the module comment for how they match). */
	terms?: readonly string[];
	/** Regular expressions over folded text (lower case, no diacritics). */
	patterns?: readonly RegExp[];
	/** Terms whose matches exempt an overlapping match of this rule ("best practices"). */
	exceptions?: readonly string[];
	/** May be substantiated (proof on file or a citation marker) and then only warns. */
	substantiable?: boolean;
}

export interface BannedWord {
	term: string;
	reason?: string;
	severity?: PolicySeverity;
}
export type BannedWordInput = string | BannedWord;

export interface PolicyOptions {
	/** The rule set; default `DEFAULT_POLICY_RULES`. */
	rules?: readonly PolicyRule[];
	/** Rule ids to switch off. */
	disabledRules?: readonly string[];
	/** The account's banned words and phrases (rule id `banned_word`, block unless said otherwise). */
	bannedWords?: readonly BannedWordInput[];
	/** Proof on file, by rule id, for `substantiable` rules. */
	substantiation?: Readonly<Record<string, string>>;
	/** Whether a citation marker after a claim substantiates it. Default true. */
	acceptCitationMarkers?: boolean;
}

export interface PolicySubstantiation {
	by: 'proof' | 'citation_marker';
	/** The proof text on file, or the marker found. */
	detail: string;
}

export interface PolicyFinding {
	ruleId: string;
	reason: string;
	severity: PolicySeverity;
	field: string;
	index: number | null;
	/** The matched text exactly as written in the field. */
	match: string;
	/** UTF-16 offsets of `match` in the field's text. */
	start: number;
	end: number;
	/** The configured term that matched; null for pattern rules. */
	term: string | null;
	substantiation: PolicySubstantiation | null;
	message: string;
}

/** A text to lint and where it sits. */
export interface PolicyText {
	field: string;
	index: number | null;
	text: string;
}

// ---------------------------------------------------------------------------
// Folding
// ---------------------------------------------------------------------------

const IGNORABLE = /^\p{Default_Ignorable_Code_Point}$/u;
const NON_SPACING = /\p{Mn}/gu;
const CONFUSABLES: Record<string, string> = {
	// Cyrillic
	а: 'a', в: 'b', е: 'e', ё: 'e', к: 'k', м: 'm', н: 'h', о: 'o', р: 'p', с: 'c', т: 't', у: 'y', х: 'x', і: 'i', ї: 'i', ј: 'j', ѕ: 's', ԁ: 'd', ԛ: 'q', ԝ: 'w',
	// Greek
	α: 'a', β: 'b', ε: 'e', η: 'n', ι: 'i', κ: 'k', ν: 'v', ο: 'o', ρ: 'p', τ: 't', υ: 'u', χ: 'x',
	// punctuation
	'’': "'", '‘': "'", ʼ: "'", '`': "'", '´': "'", '№': 'no.', ß: 'ss', ς: 'σ',
};

export interface FoldedText {
	/** The folded text. */
	text: string;
	/** For each UTF-16 unit of `text`, the offset in the original where its source code point starts. */
	starts: number[];
	/** … and where it ends. */
	ends: number[];
}

function foldCodePoint(ch: string): string {
	if (IGNORABLE.test(ch)) return '';
	const mapped = CONFUSABLES[ch] ?? CONFUSABLES[ch.toLowerCase()];
	if (mapped !== undefined) return mapped;
	let s = ch.normalize('NFKD').replace(NON_SPACING, '').toLowerCase();
	// "İ" lower-cases to i + combining dot; NFKD again removes it.
	s = s.normalize('NFKD').replace(NON_SPACING, '');
	let out = '';
	for (const c of s) out += CONFUSABLES[c] ?? c;
	return out;
}

/** Folds text for matching (see the module comment) and keeps the way back to original offsets. */
export function foldText(text: string): FoldedText {
	let out = '';
	const starts: number[] = [];
	const ends: number[] = [];
	for (let i = 0; i < text.length; ) {
		const ch = String.fromCodePoint(text.codePointAt(i)!);
		const next = i + ch.length;
		const f = foldCodePoint(ch);
		for (let k = 0; k < f.length; k++) {
			starts.push(i);
			ends.push(next);
		}
		out += f;
		i = next;
	}
	return { text: out, starts, ends };
}

// ---------------------------------------------------------------------------
// Term compilation
// ---------------------------------------------------------------------------

const LEET: Record<string, string> = {
	a: 'a4@',
	b: 'b8',
	e: 'e3€',
	g: 'g9',
	i: 'i1!|',
	l: 'l1|',
	o: 'o0',
	s: 's5$',
	t: 't7+',
};
const WORD_CHAR = '[\\p{L}\\p{M}\\p{N}]';
const LEFT = '(?<![\\p{L}\\p{M}\\p{N}])';
const RIGHT = '(?![\\p{L}\\p{M}\\p{N}])';
/** Between the words of a phrase: spaces, dashes, underscores, or nothing. */
const GAP = '[\\s\\p{Pd}_·~]*';
/** Between spelled-out letters: one to three separators. */
const SEP = '[\\s.\\p{Pd}_*·~]{1,3}';
const NO_SPACE_SCRIPT = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Thai}\p{Script=Lao}\p{Script=Khmer}\p{Script=Myanmar}]/u;
const LETTER = /\p{L}/u;
const LETTER_OR_DIGIT = /[\p{L}\p{N}]/u;

function escapeRegex(s: string): string {
	return s.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');
}

function charPattern(c: string): string {
	const leet = LEET[c];
	if (leet) return `[${leet.replace(/[\\\]^-]/g, '\\$&')}]`;
	if (c === "'") return "'?";
	return escapeRegex(c);
}

interface CompiledTerm {
	term: string;
	regex: RegExp;
	needsLetter: boolean;
}

/** Compiles one term into a regular expression over folded text; null for a term that folds to nothing. */
export function compileTerm(term: string): CompiledTerm | null {
	const folded = foldText(term).text.replace(/\s+/gu, ' ').trim();
	if (!folded) return null;
	const words = folded.split(/[\s\p{Pd}_]+/u).filter(Boolean);
	if (words.length === 0) return null;
	const parts = words.map((word) => {
		const wildcard = word.length > 1 && word.endsWith('*') && LETTER_OR_DIGIT.test(word[word.length - 2]);
		const body = Array.from(wildcard ? word.slice(0, -1) : word);
		const pieces = body.map(charPattern);
		const plain = pieces.join('') + (wildcard ? `${WORD_CHAR}*` : '');
		const spellable = body.length >= 3 && body.every((c) => LETTER.test(c));
		if (!spellable) return plain;
		const spaced = pieces.join(SEP) + (wildcard ? `(?:${SEP}[\\p{L}\\p{N}])*` : '');
		return `(?:${plain}|${spaced})`;
	});
	const chars = Array.from(folded);
	const first = chars[0];
	const last = chars[chars.length - 1];
	const left = LETTER_OR_DIGIT.test(first) && !NO_SPACE_SCRIPT.test(first) ? LEFT : '';
	const right = (LETTER_OR_DIGIT.test(last) || last === '*') && !NO_SPACE_SCRIPT.test(last) ? RIGHT : '';
	try {
		return { term, regex: new RegExp(left + parts.join(GAP) + right, 'gu'), needsLetter: LETTER.test(folded) };
	} catch (error) {
		throw new CreativeConfigError(`policy term "${term}" cannot be compiled: ${(error as Error).message}`);
	}
}

// ---------------------------------------------------------------------------
// Default rules
// ---------------------------------------------------------------------------

const sp = (entries: readonly string[]) =>
	[...entries]
		.sort((a, b) => b.length - a.length)
		.map((e) => e.replace(/ /g, '\\s+'))
		.join('|');

const HEALTH_STATE = [
	'diabetes', 'diabetic', 'depression', 'depressed', 'anxiety', 'cancer', 'hiv', 'hiv positive', 'aids', 'an std', 'stds', 'herpes', 'obesity', 'obese', 'overweight',
	'addiction', 'addicted', 'an addict', 'alcoholic', 'alcoholism', 'adhd', 'autism', 'autistic', 'arthritis', 'dementia', "alzheimer'?s", 'a disability', 'disabled',
	'an illness', 'a disease', 'a diagnosis', 'a medical condition', 'chronic pain', 'infertility', 'infertile', 'pregnant', 'erectile dysfunction', 'hair loss', 'acne',
	'bipolar', 'ptsd', 'insomnia', 'mentally ill', 'a mental illness', 'an eating disorder',
];
const FINANCE_STATE = ['debt', 'debts', 'in debt', 'bankruptcy', 'bankrupt', 'broke', 'bad credit', 'poor credit', 'low income', 'low-income', 'foreclosure', 'unemployed'];
const IDENTITY_STATE = [
	'gay', 'lesbian', 'bisexual', 'transgender', 'trans', 'queer', 'lgbtq?\\+?', 'christian', 'a christian', 'muslim', 'a muslim', 'jewish', 'a jew', 'catholic', 'a catholic',
	'hindu', 'a hindu', 'buddhist', 'a buddhist', 'atheist', 'an atheist', 'hispanic', 'latino', 'latina', 'latinx', 'a felon', 'a criminal record', 'a convicted felon',
	'convicted', '(?:over|under|past) \\d{2}', '\\d{2} or (?:older|over)', 'a senior', 'a senior citizen', 'elderly',
];
const ATTR_STATE = sp([...HEALTH_STATE, ...FINANCE_STATE, ...IDENTITY_STATE]);
const ATTR_NOUN = sp([
	'diabetes', 'depression', 'anxiety', 'cancer', 'hiv', 'addiction', 'disability', 'illness', 'disease', 'diagnosis', 'medical condition', 'chronic pain', 'infertility',
	'pregnancy', 'erectile dysfunction', 'mental illness', 'debt', 'debts', 'bankruptcy', 'bad credit', 'poor credit', 'foreclosure', 'unemployment', 'religion', 'faith',
	'religious beliefs', 'sexual orientation', 'sexuality', 'gender identity', 'ethnicity', 'criminal record', 'arrest', 'conviction', 'dui',
]);
const ATTR_ADJ = sp([
	'christian', 'muslim', 'jewish', 'catholic', 'hindu', 'buddhist', 'gay', 'lesbian', 'bisexual', 'transgender', 'trans', 'queer', 'lgbtq?\\+?', 'diabetic', 'disabled',
	'hispanic', 'latino', 'latina', 'black', 'asian', 'african american', 'overweight', 'obese', 'depressed', 'bankrupt', 'unemployed', 'low-income', 'low income',
]);
const PEOPLE = sp(['people', 'men', 'women', 'singles', 'moms', 'mums', 'mothers', 'dads', 'fathers', 'parents', 'patients', 'survivors', 'folks', 'seniors', 'teens', 'students', 'professionals', 'entrepreneurs', 'couples']);
const ATTR_GROUP = sp([
	'diabetics', 'christians', 'muslims', 'jews', 'catholics', 'hindus', 'buddhists', 'atheists', 'gays', 'lesbians', 'bisexuals', 'addicts', 'alcoholics', 'felons',
	'seniors', 'cancer patients', 'cancer survivors', 'debtors',
]);
const ATTR_PERSON = sp([
	'diabetic', 'christian', 'muslim', 'jew', 'catholic', 'hindu', 'buddhist', 'atheist', 'gay man', 'gay woman', 'lesbian', 'cancer patient', 'cancer survivor', 'senior',
	'addict', 'alcoholic', 'felon', 'person with (?:diabetes|cancer|hiv|a disability|depression|adhd)',
]);
const W = "[\\p{L}\\p{N}'-]+";
const L = '(?<![\\p{L}\\p{N}])';
const R = '(?![\\p{L}\\p{N}])';
const re = (source: string) => new RegExp(source, 'gu');

/** Phrases that address the reader as having a personal attribute. */
export const PERSONAL_ATTRIBUTE_PATTERNS: readonly RegExp[] = [
	re(`${L}(?:are|r)\\s+(?:you|u)\\s+(?:${W}\\s+){0,3}?(?:${ATTR_STATE})${R}`),
	re(`${L}(?:you'?re|you\\s+are|ur)\\s+(?:${W}\\s+){0,2}?(?:${ATTR_STATE})${R}`),
	re(`${L}you\\s+(?:have|had|suffer\\s+from|are\\s+suffering\\s+from|were\\s+diagnosed\\s+with|live\\s+with|struggle\\s+with|battle)\\s+(?:${W}\\s+){0,2}?(?:${ATTR_STATE})${R}`),
	re(`${L}(?:your|ur)\\s+(?:own\\s+|current\\s+|recent\\s+|chronic\\s+|personal\\s+)?(?:${ATTR_NOUN})${R}`),
	re(`${L}other\\s+(?:(?:${ATTR_GROUP})|(?:${ATTR_ADJ})\\s+(?:${PEOPLE}))${R}`),
	re(`${L}(?:struggling|suffering|dealing|battling|coping|living)\\s+with\\s+(?:${W}\\s+){0,2}?(?:${ATTR_STATE})${R}[^.!?\\n]*\\?`),
	re(`${L}as\\s+an?\\s+(?:${ATTR_PERSON})\\s*,`),
];

/** The default rule set. Copy these and edit to change reasons or severities. */
export const DEFAULT_POLICY_RULES: readonly PolicyRule[] = [
	{
		id: 'guarantee',
		severity: 'block',
		reason: 'Guaranteed outcomes are claims nobody can verify; ad platforms and consumer-protection law treat them as misleading.',
		terms: ['guarantee*', 'guaranty'],
	},
	{
		id: 'risk_free',
		severity: 'block',
		reason: '"Risk-free" promises the customer cannot lose anything, which is rarely true and is a restricted claim.',
		terms: ['risk-free', 'no-risk', 'zero-risk', 'without risk'],
	},
	{
		id: 'superlative',
		severity: 'block',
		substantiable: true,
		reason: 'Superlatives and rank claims ("best", "#1") need third-party substantiation shown with the ad.',
		terms: ['best', '#1', '# 1', 'no. 1', 'number one', 'number 1', 'top-rated', 'greatest', 'unbeatable', 'unmatched'],
		exceptions: ['best practice*', 'do your best', 'at best', 'best regards', 'best wishes', 'best-before', 'best before'],
	},
	{
		id: 'cure',
		severity: 'block',
		reason: 'Claiming that a product cures a condition is a prohibited medical claim.',
		terms: ['cure', 'cures', 'cured', 'curing', 'cure-all'],
	},
	{
		id: 'miracle',
		severity: 'block',
		reason: '"Miracle" promises unrealistic results.',
		terms: ['miracle*', 'miraculous*'],
	},
	{
		id: 'personal_attributes',
		severity: 'block',
		reason:
			'Copy must not assert or imply that it knows a personal characteristic of the reader (health, finances, religion, sexual orientation, ethnicity, criminal record, age); Meta and Google reject it.',
		patterns: PERSONAL_ATTRIBUTE_PATTERNS,
	},
];

// ---------------------------------------------------------------------------
// Linter
// ---------------------------------------------------------------------------

interface CompiledMatcher {
	regex: RegExp;
	term: string | null;
	needsLetter: boolean;
}

interface CompiledRule {
	rule: PolicyRule;
	/** Effective severity and substantiation from proof on file. */
	severity: PolicySeverity;
	proof: string | null;
	matchers: CompiledMatcher[];
	exceptions: CompiledMatcher[];
	/** Per banned word: its own reason and severity. */
	termMeta?: Map<string, { reason: string; severity: PolicySeverity }>;
}

const CITATION = /^[^.!?\n]*?([*†‡¹²³⁴⁵⁶⁷⁸⁹⁰]+|\[\d{1,3}\]|\((?:source|src|per|according to|via)\b[^)]*\))/iu;
const TRAILING_MARK = /^[\p{M}\p{Default_Ignorable_Code_Point}]$/u;

function withGlobalUnicode(p: RegExp): RegExp {
	const flags = new Set([...p.flags, 'g', 'u']);
	flags.delete('y');
	try {
		return new RegExp(p.source, [...flags].join(''));
	} catch (error) {
		throw new CreativeConfigError(`policy pattern /${p.source}/ cannot be used with the u flag: ${(error as Error).message}`);
	}
}

function compileMatchers(terms: readonly string[] | undefined): CompiledMatcher[] {
	const out: CompiledMatcher[] = [];
	for (const t of terms ?? []) {
		const c = compileTerm(t);
		if (c) out.push({ regex: c.regex, term: c.term, needsLetter: c.needsLetter });
	}
	return out;
}

interface Span {
	start: number;
	end: number;
}

function spans(matchers: readonly CompiledMatcher[], folded: string): Array<Span & { term: string | null }> {
	const out: Array<Span & { term: string | null }> = [];
	for (const m of matchers) {
		m.regex.lastIndex = 0;
		for (const hit of folded.matchAll(m.regex)) {
			const text = hit[0];
			if (text.length === 0) continue;
			if (m.needsLetter && !LETTER.test(text)) continue;
			out.push({ start: hit.index, end: hit.index + text.length, term: m.term });
		}
	}
	return out;
}

/** Longest-first, non-overlapping spans. */
function nonOverlapping<T extends Span>(items: T[]): T[] {
	const sorted = [...items].sort((a, b) => a.start - b.start || b.end - b.start - (a.end - a.start));
	const out: T[] = [];
	let lastEnd = -1;
	for (const s of sorted) {
		if (s.start >= lastEnd) {
			out.push(s);
			lastEnd = s.end;
		}
	}
	return out;
}

function normalizeBannedWord(input: BannedWordInput): BannedWord | null {
	const w = typeof input === 'string' ? { term: input } : input;
	if (!w || typeof w.term !== 'string' || w.term.trim() === '') return null;
	return { term: w.term.trim(), reason: w.reason, severity: w.severity };
}

export class PolicyLinter {
	readonly #rules: CompiledRule[];
	readonly #acceptCitationMarkers: boolean;

	constructor(options: PolicyOptions = {}) {
		const disabled = new Set(options.disabledRules ?? []);
		const substantiation = options.substantiation ?? {};
		this.#acceptCitationMarkers = options.acceptCitationMarkers ?? true;
		const seen = new Set<string>();
		this.#rules = [];
		for (const rule of options.rules ?? DEFAULT_POLICY_RULES) {
			if (!rule.id || seen.has(rule.id)) throw new CreativeConfigError(`policy rule ids must be unique and non-empty ("${rule.id}")`);
			seen.add(rule.id);
			if (disabled.has(rule.id)) continue;
			if (!rule.reason?.trim()) throw new CreativeConfigError(`policy rule "${rule.id}" needs a reason`);
			const proofText = rule.substantiable ? substantiation[rule.id]?.trim() : undefined;
			const matchers = [...compileMatchers(rule.terms), ...(rule.patterns ?? []).map((p) => ({ regex: withGlobalUnicode(p), term: null, needsLetter: false }))];
			this.#rules.push({ rule, severity: proofText ? 'warn' : rule.severity, proof: proofText || null, matchers, exceptions: compileMatchers(rule.exceptions) });
		}
		const banned = (options.bannedWords ?? []).map(normalizeBannedWord).filter((w): w is BannedWord => w !== null);
		if (banned.length > 0 && !disabled.has('banned_word')) {
			if (seen.has('banned_word')) throw new CreativeConfigError('the rule id "banned_word" is reserved for banned words');
			const termMeta = new Map<string, { reason: string; severity: PolicySeverity }>();
			for (const w of banned) termMeta.set(w.term, { reason: w.reason?.trim() || `"${w.term}" is on this account's banned word list.`, severity: w.severity ?? 'block' });
			const rule: PolicyRule = { id: 'banned_word', severity: 'block', reason: "On this account's banned word list.", terms: banned.map((w) => w.term) };
			this.#rules.push({ rule, severity: 'block', proof: null, matchers: compileMatchers(rule.terms), exceptions: [], termMeta });
		}
	}

	/** Findings in one text. */
	lintText(input: PolicyText): PolicyFinding[] {
		const { text, field, index } = input;
		if (!text) return [];
		const folded = foldText(text);
		const findings: PolicyFinding[] = [];
		for (const compiled of this.#rules) {
			const exempt = spans(compiled.exceptions, folded.text);
			const hits = nonOverlapping(spans(compiled.matchers, folded.text)).filter((h) => !exempt.some((e) => e.start <= h.start && h.end <= e.end));
			for (const hit of hits) {
				const start = folded.starts[hit.start];
				let end = folded.ends[hit.end - 1];
				// Keep marks and invisible characters that belong to the last matched letter.
				while (end < text.length) {
					const next = String.fromCodePoint(text.codePointAt(end)!);
					if (!TRAILING_MARK.test(next)) break;
					end += next.length;
				}
				const meta = hit.term !== null ? compiled.termMeta?.get(hit.term) : undefined;
				let severity = meta?.severity ?? compiled.severity;
				const reason = meta?.reason ?? compiled.rule.reason;
				let substantiation: PolicySubstantiation | null = null;
				if (compiled.proof) substantiation = { by: 'proof', detail: compiled.proof };
				else if (compiled.rule.substantiable && this.#acceptCitationMarkers) {
					const marker = CITATION.exec(text.slice(end));
					if (marker) {
						substantiation = { by: 'citation_marker', detail: marker[1] };
						severity = 'warn';
					}
				}
				const match = text.slice(start, end);
				const note = substantiation ? ` (substantiated by ${substantiation.by === 'proof' ? `proof on file: ${substantiation.detail}` : `citation marker ${substantiation.detail}`}; check it is shown with the ad)` : '';
				findings.push({
					ruleId: compiled.rule.id,
					reason,
					severity,
					field,
					index,
					match,
					start,
					end,
					term: hit.term,
					substantiation,
					message: `${fieldLabel(field, index)}: "${match}" — ${reason}${note}`,
				});
			}
		}
		return findings.sort((a, b) => a.start - b.start || a.ruleId.localeCompare(b.ruleId));
	}

	/** Findings in every text given, in order. */
	lint(texts: readonly PolicyText[]): PolicyFinding[] {
		return texts.flatMap((t) => this.lintText(t));
	}

	/** Findings in every ad text of a variant (headlines, descriptions, primary text, call to action). */
	lintVariant(variant: CreativeVariant): PolicyFinding[] {
		return this.lint(variantTexts(variant));
	}

	/** The blocking rules in words, for the prompt. Banned words are left out: they go to the model as data. */
	describe(): string[] {
		return this.#rules
			.filter((r) => r.severity === 'block' && r.rule.id !== 'banned_word')
			.map((r) => {
				const seen = new Set<string>();
				const examples = (r.rule.terms ?? [])
					.filter((t) => {
						const key = t.replace(/\s+/g, '');
						return !seen.has(key) && seen.add(key) !== undefined;
					})
					.slice(0, 6)
					.map((t) => `"${t.replace(/\*$/, '')}"`);
				return `${r.rule.reason}${examples.length ? ` Do not write: ${examples.join(', ')}.` : ''}`;
			});
	}
}

/** One-off lint; build a `PolicyLinter` once when linting many texts. */
export function lintPolicy(texts: readonly PolicyText[], options: PolicyOptions = {}): PolicyFinding[] {
	return new PolicyLinter(options).lint(texts);
}

/** True when a finding list holds a blocking one. */
export function hasBlockingFinding(findings: readonly PolicyFinding[]): boolean {
	return findings.some((f) => f.severity === 'block');
}

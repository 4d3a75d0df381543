/**
 * The sandbox's writer of ad copy: the responder for the `creative_variants`
 * structured output (`nodes/shared/creative`), registered for every sandbox
 * by `openai-model.ts`.
 *
 * It reads the request the way a model would: the platform from the system
 * message ("You write paid advertising copy for Meta …"), the format rules
 * listed there (counts and lengths, so rule overrides are honoured), the
 * `<data name="…">` blocks of the user message (brief, tone, banned words,
 * grounding, variants to fix) and the task line (how many new variants, how
 * many corrections). It answers `{ variants: [...] }` in the schema's shape.
 *
 * Deterministic: the copy of a new variant depends only on the brief, the
 * platform and its position among the new variants of the request
 * (`index`), so the same brief gives the same copy in every run — which is
 * how a second run meets the copy of the first.
 *
 * Mostly within the rules: about one new variant in six breaks a hard rule
 * on purpose (a headline over the platform's limit, or too few headlines on
 * Google), chosen by a hash of brief, platform and index. A correction
 * (`variants_to_fix`) always comes back within the rules, with every policy
 * match quoted in the problems removed, so the regeneration path of the
 * core is exercised and converges. Words from the brief that the default
 * policy blocks ("best", "guaranteed") are not avoided in new variants, as
 * a careless model would not; banned words given as data are.
 *
 * Planting a near-duplicate in a test: `sandboxCreativeCopy(request, index)`
 * returns the copy the responder writes for new variant `index` (`first`,
 * possibly breaking a rule) and the copy it returns when asked to fix it
 * (`fixed`, equal to `first` when nothing was broken). Insert a slightly
 * edited `fixed` (one word changed) as a past variant of the account, run
 * the generation with the same brief and platform, and the variant at that
 * index is refused as a near-duplicate of the planted row:
 *
 * ```ts
 * const { fixed } = sandboxCreativeCopy({ brief, platform: 'meta' }, 0);
 * await store.upsert('creative_variants', [{ platform: 'meta', account_id, campaign_id: 'older-campaign',
 *   content_hash: 'planted-1', headline: fixed.headlines.join('\n'), primary_text: fixed.primaryText!.replace('simple', 'easy'),
 *   status: 'approved' }]);
 * ```
 */
import type { Responder, ResponderInput } from './openai-model';
import { fnv1a } from './rng';

/** `json_schema.name` of the creative structured output. */
export const CREATIVE_SCHEMA_NAME = 'creative_variants';

export type SandboxCreativePlatform = 'google_ads' | 'meta' | 'linkedin';

/** One variant as the responder writes it (the creative core's `CreativeVariant` shape). */
export interface SandboxCreativeVariant {
	headlines: string[];
	descriptions: string[];
	primaryText: string | null;
	callToAction: string | null;
	copyAngle: string;
	rationale: string;
}

export interface SandboxCreativeRequest {
	brief: string;
	platform: SandboxCreativePlatform;
	tone?: string | null;
	/** Words and phrases to leave out (the request's `banned_words`). */
	bannedWords?: readonly string[];
	/** Format limits; default: the creative core's defaults for the platform. */
	limits?: Partial<CopyLimits>;
}

export interface SandboxCreativeCopy {
	/** What the responder returns for this new variant. */
	first: SandboxCreativeVariant;
	/** What it returns when asked to correct `first` (the same when nothing is broken). */
	fixed: SandboxCreativeVariant;
	/** The hard rule `first` breaks on purpose, in words; null when it breaks none. */
	breaks: string | null;
}

/** Counts and lengths the copy must keep (graphemes ≈ characters for the copy written here). */
export interface CopyLimits {
	headlineMin: number;
	headlineMax: number;
	headlineLength: number;
	descriptionMin: number;
	descriptionMax: number;
	descriptionLength: number;
	/** Hard limit of the primary text; null: none (Google). */
	primaryLength: number | null;
	/** Recommended length the writer aims for. */
	primaryIdeal: number | null;
}

const DEFAULT_LIMITS: Record<SandboxCreativePlatform, CopyLimits> = {
	google_ads: { headlineMin: 3, headlineMax: 15, headlineLength: 30, descriptionMin: 2, descriptionMax: 4, descriptionLength: 90, primaryLength: null, primaryIdeal: null },
	meta: { headlineMin: 1, headlineMax: 1, headlineLength: 40, descriptionMin: 0, descriptionMax: 1, descriptionLength: 30, primaryLength: 2200, primaryIdeal: 125 },
	linkedin: { headlineMin: 1, headlineMax: 1, headlineLength: 70, descriptionMin: 0, descriptionMax: 1, descriptionLength: 100, primaryLength: 600, primaryIdeal: 150 },
};

const PLATFORM_MARKERS: Array<[RegExp, SandboxCreativePlatform]> = [
	[/Google Ads responsive search ads/, 'google_ads'],
	[/Meta \(Facebook and Instagram\) ads/, 'meta'],
	[/LinkedIn sponsored content/, 'linkedin'],
];

/** One in this many new variants breaks a hard rule. */
const BREAK_ONE_IN = 6;

// ---------------------------------------------------------------------------
// Reading the brief
// ---------------------------------------------------------------------------

interface BriefFacts {
	product: string;
	benefits: string[];
	audience: string | null;
	offer: string | null;
}

const LEADING_VERBS = /^(?:please\s+)?(?:promote|advertise|launch|announce|introduce|introducing|sell|selling|market|write (?:ads?|copy) for|ads? for|copy for)\s+/i;
const ARTICLES = /^(?:our|the|a|an|new|brand-new)\s+/i;
const EMOJI = /\p{Extended_Pictographic}|\p{Regional_Indicator}|\u200d|\ufe0f/gu;

const words = (s: string): string[] => s.split(/\s+/).filter(Boolean);
const squash = (s: string): string => s.replace(/\s+/g, ' ').trim();
const cap = (s: string): string => (s ? s.charAt(0).toUpperCase() + s.slice(1) : s);
const lower = (s: string): string => (/^[A-Z][a-z]/.test(s) && !/^[A-Z][a-z]+[A-Z]/.test(s) ? s.charAt(0).toLowerCase() + s.slice(1) : s);

function readBrief(brief: string): BriefFacts {
	const text = squash(brief.replace(EMOJI, ' '));
	const firstSentence = text.split(/(?<=[.!?])\s|\n/)[0] ?? text;
	let product = squash((firstSentence.split(/[:;—–,(]|\s-\s|\.\s|\.$/)[0] ?? '').replace(LEADING_VERBS, ''));
	while (ARTICLES.test(product)) product = product.replace(ARTICLES, '');
	product = words(product).slice(0, 5).join(' ').replace(/[.!?]+$/, '');
	if (!product) product = 'our product';

	const audienceMatch = /\b(?:audience|for|made for|built for)\s*:?\s+((?:[a-z][\w'-]*\s?){1,4})(?=[.,;:!?]|$)/i.exec(text.slice(firstSentence.length)) ?? /\bfor\s+((?:[a-z][\w'-]*\s?){1,4})(?=[.,;:!?]|$)/i.exec(text);
	const audience = audienceMatch ? squash(audienceMatch[1]!).replace(/^(?:the|all)\s+/i, '') : null;
	const offerMatch = /\b(\d{1,3}\s?% off[\w\s-]{0,20}?|free [a-z][\w\s-]{2,24}?|\d{1,3}-day [a-z][\w\s-]{2,20}?)(?=[.,;:!?]|$)/i.exec(text);
	const offer = offerMatch ? squash(offerMatch[1]!) : null;

	const rest = text.slice(text.indexOf(product) + product.length);
	const seen = new Set<string>();
	const benefits: string[] = [];
	for (const raw of rest.split(/[.;,:!?()\n]|\s[—–-]\s|\band\b|\bwith\b/i)) {
		let b = squash(raw).replace(/^(?:audience|target|tone|it is|it's|they are|that is|which is|so|also)\s*:?\s*/i, '');
		b = b.replace(/^(?:is|are|and|with|plus)\s+/i, '');
		const n = words(b).length;
		if (n < 1 || n > 7 || b.length < 4) continue;
		if (audience && b.toLowerCase().includes(audience.toLowerCase())) continue;
		const key = b.toLowerCase();
		if (seen.has(key)) continue;
		seen.add(key);
		benefits.push(lower(b));
	}
	for (const filler of ['a quick start', 'quality that lasts', 'less time on busywork', 'clear pricing', 'friendly support', 'room to grow']) {
		if (benefits.length >= 6) break;
		if (!seen.has(filler)) benefits.push(filler);
	}
	return { product, benefits, audience, offer };
}

// ---------------------------------------------------------------------------
// Writing
// ---------------------------------------------------------------------------

/** Shortens by whole words (never mid-word) until `text` fits `max` characters. */
function fit(text: string, max: number): string {
	let out = squash(text);
	if ([...out].length <= max) return out;
	const parts = words(out);
	while (parts.length > 1 && [...parts.join(' ')].length > max) parts.pop();
	while (parts.length > 1 && /^(?:and|or|with|for|to|the|a|an|of|in|on|your|at|by|:|—|-)$/i.test(parts[parts.length - 1]!)) parts.pop();
	out = parts.join(' ').replace(/[,;:—–-]+$/, '');
	return [...out].length <= max ? out : [...out].slice(0, max).join('').trimEnd();
}

function sentence(s: string): string {
	const t = squash(s);
	return /[.!?]$/.test(t) ? cap(t) : `${cap(t)}.`;
}

interface Angle {
	name: string;
	/** Headline; `n` is the product name to use (full, or short when the full one does not fit). */
	headline: (n: string, f: BriefFacts, b: string[]) => string;
	/** Two sentences of body copy. */
	body: (n: string, f: BriefFacts, b: string[]) => [string, string];
}

/** Eight angles with their own wording, so variants of one brief stay apart in words and meaning. */
const ANGLES: Angle[] = [
	{ name: 'everyday benefit', headline: (_n, _f, b) => `${cap(b[0]!)}, every day`, body: (n, _f, b) => [`${cap(n)} keeps it simple: ${b[0]}`, `Plus ${b[1]}, without extra effort`] },
	{ name: 'skip the hassle', headline: (n) => `Skip the hassle with ${n}`, body: (_n, _f, b) => ['No more workarounds or second-guessing', `Get ${b[1]} and move on with your day`] },
	{ name: 'timely offer', headline: (n, f) => (f.offer ? cap(f.offer) : `Try ${n} this week`), body: (_n, f, b) => ['Now is a good moment to switch', f.offer ? `${cap(f.offer)} while it lasts` : `${cap(b[2]!)} from the first day`] },
	{ name: 'audience fit', headline: (_n, f) => `Made for ${f.audience ?? 'people on the go'}`, body: (_n, f, b) => [`Designed around ${f.audience ?? 'busy people'} and what they need`, `Count on ${b[3] ?? b[0]}`] },
	{ name: 'how it works', headline: (n) => `How ${n} works`, body: (_n, _f, b) => [`Pick yours, set it up in minutes, then enjoy ${b[4] ?? b[1]}`, 'That is all it takes'] },
	{ name: 'the switch', headline: (n) => `Join the switch to ${n}`, body: (_n, _f, b) => [`Teams and families keep choosing it for ${b[5] ?? b[2]}`, 'See what the fuss is about'] },
	{ name: 'detail spotlight', headline: (_n, _f, b) => `A closer look at ${b[2]}`, body: (_n, _f, b) => [`Look closer: ${b[2]}`, 'Small details make a big difference'] },
	{ name: 'question', headline: (_n, _f, b) => `Ready for ${b[3] ?? b[0]}?`, body: (n, _f, b) => [`What would change with ${b[3] ?? b[0]}?`, `${cap(n)} makes it easy to find out`] },
];

/** The product's name in at most `max` characters: the full name, first + last word, or the last word. */
function productName(product: string, max: number): string {
	const w = words(product);
	for (const candidate of [product, w.length > 2 ? `${w[0]} ${w[w.length - 1]}` : null, w[w.length - 1] ?? product]) {
		if (candidate && [...candidate].length <= max) return candidate;
	}
	return w[w.length - 1] ?? product;
}

/** A headline from `make`, with the full product name when it fits, a shorter one otherwise. */
function headlineWith(make: (n: string) => string, product: string, max: number): string {
	const full = make(product);
	if ([...full].length <= max) return full;
	for (const room of [Math.floor(max / 2), 12, 8]) {
		const h = make(productName(product, room));
		if ([...h].length <= max) return h;
	}
	return fit(make(productName(product, 8)), max);
}

const CTAS: Record<SandboxCreativePlatform, string[]> = { google_ads: [], meta: ['Shop now', 'Learn more', 'Sign up', 'Get offer'], linkedin: ['Learn more', 'Sign up', 'Request demo'] };

function removeTerms(text: string, terms: readonly string[]): string {
	let out = text;
	for (const term of terms) {
		const t = term.trim();
		if (!t) continue;
		const escaped = t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\\\*$/, '\\w*');
		out = out.replace(new RegExp(`(?<![\\p{L}\\p{N}])${escaped}(?![\\p{L}\\p{N}])`, 'giu'), ' ');
	}
	return squash(out.replace(/\s+([,.!?:;])/g, '$1').replace(/^[,.;:!?\s]+/, ''));
}

function scrubVariant(v: SandboxCreativeVariant, terms: readonly string[]): SandboxCreativeVariant {
	if (terms.length === 0) return v;
	const clean = (s: string, fallback: string) => removeTerms(s, terms) || fallback;
	return {
		...v,
		headlines: v.headlines.map((h, i) => clean(h, `Take a look ${i + 1}`)),
		descriptions: v.descriptions.map((d) => clean(d, 'See the details')),
		primaryText: v.primaryText === null ? null : clean(v.primaryText, 'See the details inside.'),
	};
}

function uniqueHeadlines(list: string[], max: number): string[] {
	const seen = new Set<string>();
	const out: string[] = [];
	for (const h of list) {
		const t = fit(h, max);
		const key = t.toLowerCase().replace(/\s+/g, ' ');
		if (!t || seen.has(key)) continue;
		seen.add(key);
		out.push(t);
	}
	return out;
}

function angleIndex(brief: string, platform: string, index: number): number {
	return (fnv1a(`${platform}|${brief}`) + index) % ANGLES.length;
}

/** The clean (within the rules) copy of angle `a` for this brief. */
function writeClean(req: SandboxCreativeRequest, a: number, limits: CopyLimits, grounding: string | null): SandboxCreativeVariant {
	const facts = readBrief(req.brief);
	const angle = ANGLES[a]!;
	const b = facts.benefits;
	const at = (k: number) => b[(a + k) % b.length]!;
	const head = headlineWith((n) => angle.headline(n, facts, b), facts.product, limits.headlineLength);
	const [s1, s2] = angle.body(facts.product, facts, b).map(sentence) as [string, string];
	const playful = /playful|fun|cheeky|bold/i.test(req.tone ?? '');
	const ctaList = CTAS[req.platform];
	const cta = ctaList.length ? ctaList[(a + (playful ? 1 : 0)) % ctaList.length]! : null;
	const rationale = `Angle "${angle.name}": leads with ${b[0]}${facts.audience ? ` for ${facts.audience}` : ''}.${grounding ? ` ${grounding}` : ''}`;
	let v: SandboxCreativeVariant;
	if (req.platform === 'google_ads') {
		// Further headlines rotate through the benefits with this angle's own phrasing.
		const phrasing = [(x: string) => cap(x), (x: string) => `${cap(x)} included`, (x: string) => `Enjoy ${x}`, (x: string) => `${cap(x)}, built in`];
		const extra = [1, 2, 3, 4].map((k) => phrasing[(a + k) % phrasing.length]!(at(k)));
		const headlines = uniqueHeadlines([head, ...extra], limits.headlineLength).slice(0, Math.max(limits.headlineMin, Math.min(limits.headlineMax, 4)));
		const descriptions = uniqueHeadlines([s1, s2, sentence(`${cap(at(4))} for you`), sentence(`Ask about ${at(5)}`)], limits.descriptionLength).slice(0, Math.max(limits.descriptionMin, Math.min(limits.descriptionMax, 2)));
		v = { headlines, descriptions, primaryText: null, callToAction: null, copyAngle: angle.name, rationale };
	} else {
		const ideal = limits.primaryIdeal ?? limits.primaryLength ?? 125;
		const primary = fit(`${s1} ${s2}${playful ? ' 🎉' : ''}`, Math.min(ideal, limits.primaryLength ?? ideal));
		const descriptionCount = Math.min(limits.descriptionMax, Math.max(limits.descriptionMin, 1));
		v = {
			headlines: [head, ...Array.from({ length: Math.max(0, limits.headlineMin - 1) }, (_, i) => fit(cap(at(i + 1)), limits.headlineLength))],
			descriptions: Array.from({ length: descriptionCount }, (_, i) => fit(cap(at(i + 6)), limits.descriptionLength)),
			primaryText: primary,
			callToAction: cta,
			copyAngle: angle.name,
			rationale,
		};
	}
	return scrubVariant(v, req.bannedWords ?? []);
}

/** `clean` with one hard rule broken on purpose, and the rule in words. */
function breakOne(clean: SandboxCreativeVariant, req: SandboxCreativeRequest, limits: CopyLimits): { variant: SandboxCreativeVariant; breaks: string } {
	const facts = readBrief(req.brief);
	if (req.platform === 'google_ads' && limits.headlineMin > 2 && fnv1a(`${req.brief}|drop`) % 2 === 0) {
		return { variant: { ...clean, headlines: clean.headlines.slice(0, 2) }, breaks: `only 2 headlines (at least ${limits.headlineMin})` };
	}
	let long = `${clean.headlines[0]}: ${cap(facts.product)} with ${facts.benefits.slice(0, 3).join(', ')}`;
	while ([...long].length <= limits.headlineLength) long += ' and so much more to discover';
	return { variant: scrubVariant({ ...clean, headlines: [long, ...clean.headlines.slice(1)] }, req.bannedWords ?? []), breaks: `headlines[0] over ${limits.headlineLength} characters` };
}

/**
 * The copy the responder writes for new variant `index` of a request with
 * this brief and platform, and what it returns when asked to fix it. See the
 * module comment for planting a near-duplicate.
 */
export function sandboxCreativeCopy(req: SandboxCreativeRequest, index: number): SandboxCreativeCopy {
	return copyFor(req, index, null);
}

function copyFor(req: SandboxCreativeRequest, index: number, grounding: string | null): SandboxCreativeCopy {
	const limits = { ...DEFAULT_LIMITS[req.platform], ...req.limits };
	const a = angleIndex(req.brief, req.platform, index);
	const fixed = writeClean(req, a, limits, grounding);
	if (fnv1a(`${req.platform}|${req.brief}|${index}|break`) % BREAK_ONE_IN !== 0) return { first: fixed, fixed, breaks: null };
	const broken = breakOne(fixed, req, limits);
	return { first: broken.variant, fixed, breaks: broken.breaks };
}

// ---------------------------------------------------------------------------
// Reading the request
// ---------------------------------------------------------------------------

/** `<data name="…">JSON</data>` blocks of a user message, parsed. */
export function dataBlocks(text: string): Map<string, unknown> {
	const out = new Map<string, unknown>();
	for (const m of text.matchAll(/<data name="([a-z_]+)">\n([\s\S]*?)\n<\/data>/g)) {
		try {
			out.set(m[1]!, JSON.parse(m[2]!));
		} catch {
			/* not JSON: ignored, as a model would skim past it */
		}
	}
	return out;
}

/** The format limits stated in the system message, over the platform's defaults. */
function limitsFrom(system: string, platform: SandboxCreativePlatform): CopyLimits {
	const limits = { ...DEFAULT_LIMITS[platform] };
	const count = (line: string | undefined): [number, number] | null => {
		if (!line) return null;
		const exact = /exactly (\d+)/.exec(line);
		if (exact) return [Number(exact[1]), Number(exact[1])];
		const between = /between (\d+) and (\d+)/.exec(line);
		return between ? [Number(between[1]), Number(between[2])] : null;
	};
	const hard = (line: string | undefined): number | null => {
		const m = line ? /(?<!ideally )at most (\d+) characters/.exec(line) : null;
		return m ? Number(m[1]) : null;
	};
	const ideal = (line: string | undefined): number | null => {
		const m = line ? /ideally at most (\d+)/.exec(line) : null;
		return m ? Number(m[1]) : null;
	};
	const lines = system.split('\n');
	const h = lines.find((l) => l.startsWith('- headlines:'));
	const d = lines.find((l) => l.startsWith('- descriptions:'));
	const p = lines.find((l) => l.startsWith('- primaryText:'));
	const hc = count(h);
	if (hc) [limits.headlineMin, limits.headlineMax] = hc;
	limits.headlineLength = hard(h) ?? ideal(h) ?? limits.headlineLength;
	const dc = count(d);
	if (dc) [limits.descriptionMin, limits.descriptionMax] = dc;
	limits.descriptionLength = Math.min(hard(d) ?? Infinity, ideal(d) ?? Infinity, limits.descriptionLength);
	if (p) {
		limits.primaryLength = hard(p) ?? limits.primaryLength;
		limits.primaryIdeal = ideal(p) ?? limits.primaryIdeal;
	}
	return limits;
}

/** Policy matches quoted in a list of problems (`headlines[0]: "best" — …`). */
function quotedMatches(problems: readonly string[]): string[] {
	const out: string[] = [];
	for (const p of problems) {
		const m = /^[A-Za-z]+(?:\[\d+\])?: "(.+?)" — /.exec(p);
		if (m) out.push(m[1]!);
	}
	return out;
}

function groundingNote(g: unknown): string | null {
	const best = (g as { best_campaigns?: Array<Record<string, unknown>>; ranked_by?: string } | undefined)?.best_campaigns?.[0];
	if (!best) return null;
	const metric = ['roas', 'cpa', 'ctr_percent'].find((k) => typeof best[k] === 'number');
	return `Follows what worked in "${String(best.campaign)}"${metric ? ` (${metric.replace('_percent', ' %').toUpperCase()} ${String(best[metric])})` : ''}.`;
}

/** The responder: answers a creative request (see the module comment). */
export const creativeResponder: Responder = (input: ResponderInput) => {
	const system = input.messages.filter((m) => m.role === 'system').map((m) => (typeof m.content === 'string' ? m.content : '')).join('\n');
	const platform = PLATFORM_MARKERS.find(([re]) => re.test(system))?.[1] ?? 'meta';
	const blocks = dataBlocks(input.userText);
	const brief = typeof blocks.get('brief') === 'string' ? (blocks.get('brief') as string) : input.userText;
	const tone = typeof blocks.get('tone') === 'string' ? (blocks.get('tone') as string) : null;
	const banned = Array.isArray(blocks.get('banned_words')) ? (blocks.get('banned_words') as unknown[]).filter((w): w is string => typeof w === 'string') : [];
	const limits = limitsFrom(system, platform);
	const req: SandboxCreativeRequest = { brief, platform, tone, bannedWords: banned, limits };
	const grounding = groundingNote(blocks.get('grounding'));

	const fixes = Array.isArray(blocks.get('variants_to_fix')) ? (blocks.get('variants_to_fix') as Array<{ variant?: Partial<SandboxCreativeVariant>; problems?: unknown }>) : [];
	const task = /Task: (?:write exactly (\d+) new|return exactly (\d+) variant\(s\)\. First (\d+) corrected)/.exec(input.userText);
	const total = task ? Number(task[1] ?? task[2]) : 1;
	const repairs = task?.[3] !== undefined ? Math.min(Number(task[3]), fixes.length) : 0;

	const variants: SandboxCreativeVariant[] = [];
	for (let i = 0; i < repairs; i++) {
		const fix = fixes[i]!;
		const angle = ANGLES.findIndex((a) => a.name === fix.variant?.copyAngle);
		const a = angle >= 0 ? angle : angleIndex(brief, platform, i);
		const problems = Array.isArray(fix.problems) ? fix.problems.filter((p): p is string => typeof p === 'string') : [];
		const clean = writeClean(req, a, limits, grounding);
		variants.push(scrubVariant(clean, quotedMatches(problems)));
	}
	for (let i = 0; i < total - repairs; i++) variants.push(copyFor(req, i, grounding).first);
	return { variants };
};

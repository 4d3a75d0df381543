/**
 * The classification contract of ad comments, and the offline classifier.
 *
 * A classification says what a comment *is* (intent, sentiment, language,
 * whether the brand should answer, how sure the classifier is, which model
 * said so and why). It never says what to *do*: `policy.ts` maps the intent
 * and the confidence to actions, so nothing a comment says can pick one.
 *
 * The offline classifier needs no network and no key: patterns for spam,
 * scams, abuse and hate (lexicon.ts), question and purchase cues in en, es,
 * de, fr and pt, AFINN sentiment from the `sentiment` package plus a small
 * multilingual domain lexicon, and a stopword language guess. It is honest
 * about being a rule system: its confidence never exceeds
 * `OFFLINE_CONFIDENCE_CAP.en` (0.8) for English and is lower for other
 * languages, so with the default policy non-English comments are never hidden
 * automatically by it, only queued for a person.
 */
import Sentiment from 'sentiment';
import { z } from 'zod';
import type { RowInput } from '../schema/rows';
import { guessLanguage, words, type LanguageGuess } from './language';
import {
	ABUSE_RULES,
	COMPLAINT_RULES,
	EMOJI_SENTIMENT,
	HATE_RULES,
	INJECTION_RULES,
	INJECTION_SUSPECT_PATTERNS,
	INSULT_PATTERN,
	INTERROGATIVE_START,
	NEGATORS,
	PHONE_PATTERN,
	PRAISE_RULES,
	PURCHASE_RULES,
	QUESTION_RULES,
	SARCASM_RULES,
	SCAM_RULES,
	SENTIMENT_WORDS,
	SHORTENER_PATTERN,
	SPAM_RULES,
	TARGET_PATTERN,
	URL_PATTERN,
	type Rule,
} from './lexicon';
import {
	ABUSE_CUES,
	COMPLAINT_CUES,
	HATE_CUES,
	HYPERBOLE_DESIRE,
	HYPERBOLE_PRAISE,
	INJECTION_CUES,
	OFF_PLATFORM,
	OFF_TOPIC_QUESTION,
	PRAISE_CUES,
	PURCHASE_CUES,
	QUESTION_CUES,
	QUESTION_MARK,
	SARCASM_CUES,
	SCAM_CUES,
	SPAM_CUES,
	groupAttack,
} from './cues';
import { deobfuscate } from './normalize';

// ---- the contract --------------------------------------------------------------

export const INTENTS = ['question', 'complaint', 'praise', 'purchase_intent', 'spam', 'scam_phishing', 'harassment_abuse', 'hate', 'other'] as const;
export type Intent = (typeof INTENTS)[number];

/** Intents whose comments harm the audience or the brand when left visible. */
export const HARMFUL_INTENTS = ['spam', 'scam_phishing', 'harassment_abuse', 'hate'] as const satisfies readonly Intent[];
export type HarmfulIntent = (typeof HARMFUL_INTENTS)[number];

export const SENTIMENTS = ['negative', 'neutral', 'positive'] as const;
export type SentimentLabel = (typeof SENTIMENTS)[number];

/** Model name the offline classifier writes into `item_classifications.model`. */
export const OFFLINE_MODEL = 'adops-offline-rules-v1';

/** ISO 639-1 (two lower-case letters) or `und`. */
export const languageCode = z.string().regex(/^(?:[a-z]{2}|und)$/, 'must be an ISO 639-1 code or und');

export const classificationSchema = z
	.object({
		intent: z.enum(INTENTS),
		sentiment: z.enum(SENTIMENTS),
		/** -1 (very negative) … 1 (very positive). */
		sentimentScore: z.number().min(-1).max(1),
		language: languageCode,
		/** The brand should answer (questions, purchase intent, complaints). */
		replyNeeded: z.boolean(),
		/** 0..1: the classifier's probability that `intent` is right. */
		confidence: z.number().min(0).max(1),
		/** Which model produced the intent (`gpt-4o-mini`, `adops-offline-rules-v1`). */
		model: z.string().trim().min(1).max(200),
		/** Short codes or phrases that explain the result; for people, never read by the policy. */
		reasons: z.array(z.string().max(300)).max(40),
		/** Toxicity categories that were flagged (moderation endpoint or offline patterns). */
		categories: z.array(z.string().max(100)).max(40),
	})
	.strict();

export type Classification = z.infer<typeof classificationSchema>;

/** A comment to classify: the caller's id and the text exactly as posted. */
export interface CommentInput {
	id: string;
	text: string;
}

export interface ClassifiedComment {
	id: string;
	classification: Classification;
	/** `llm` when the model's answer was used, `offline` otherwise. */
	source: 'llm' | 'offline';
	/** Why the offline classifier stood in for the model (LLM path only). */
	fallbackReason?: string;
}

/** The `item_classifications` row of a classification of a stored item. */
export function toItemClassificationRow(itemId: string, c: Classification): RowInput<'item_classifications'> {
	return {
		item_id: itemId,
		model: c.model,
		intent: c.intent,
		sentiment: c.sentiment,
		language: c.language,
		categories: c.categories,
		confidence_score: c.confidence,
		reply_required: c.replyNeeded,
	};
}

/** True for the intents the brand should answer by default. */
export function replyNeededFor(intent: Intent): boolean {
	return intent === 'question' || intent === 'purchase_intent' || intent === 'complaint';
}

// ---- text folding ----------------------------------------------------------------

/** Lower case, accents removed, compatibility forms unified, quotes straightened. */
export function fold(text: string): string {
	return text
		.normalize('NFKD')
		.replace(/[\u0300-\u036f]/gu, '')
		.toLowerCase()
		.replace(/[’‘`´]/gu, "'")
		.replace(/[“”„«»]/gu, '"');
}

const LEET: Record<string, string> = { '0': 'o', '1': 'i', '3': 'e', '4': 'a', '5': 's', '7': 't', '@': 'a', $: 's', '!': 'i' };

/** Digits and symbols inside words read as letters (`1d10t` → `idiot`), long letter runs shortened (`stuuupid` → `stupid`). */
export function deleet(folded: string): string {
	return folded
		.replace(/[a-z0-9@$!]*[a-z][a-z0-9@$!]*/gu, (w) => (/[0-9@$!]/u.test(w) && /[a-z]/u.test(w) ? w.replace(/[013457@$!]/gu, (ch) => LEET[ch] ?? ch) : w))
		.replace(/(\p{L})\1{2,}/gu, '$1');
}

// ---- sentiment -------------------------------------------------------------------

// The `sentiment` package mutates its English label table when `extras` are
// passed (Object.assign into the shared labels), so it is only ever called
// without options; the domain lexicon is scored separately below.
const afinn = new Sentiment();

/**
 * AFINN words that mislead on comments: `like` as a preposition ("nothing
 * like the photo"), laughter (`lol` is +3), politeness and prize bait (`free`,
 * `please`, `want`), and `kind` ("your kind").
 */
const AFINN_IGNORED = new Set(['like', 'likes', 'lol', 'haha', 'lmao', 'rofl', 'free', 'please', 'want', 'wants', 'kind', 'pretty', 'yeah', 'sure', 'care', 'help', 'thank', 'thanks', 'god', 'bless', 'blessed', 'winner', 'win', 'won', 'prize', 'congratulations', 'congrats', 'super']);

export interface SentimentResult {
	label: SentimentLabel;
	/** -1..1 */
	score: number;
	/** Raw sums: AFINN (English words and its emoji list), domain lexicon, emoji. */
	afinn: number;
	domain: number;
	emoji: number;
}

const EMOJI_RE = /\p{Extended_Pictographic}\uFE0F?/gu;

/** AFINN for English words, the domain lexicon (with negation) for other languages and product words, and emoji. */
export function scoreSentiment(text: string, language: string): SentimentResult {
	const folded = fold(text);
	let afinnScore = 0;
	try {
		const result = afinn.analyze(text);
		for (const entry of result.calculation) for (const [token, value] of Object.entries(entry)) if (!AFINN_IGNORED.has(token)) afinnScore += value;
	} catch {
		afinnScore = 0;
	}
	// AFINN is an English lexicon: in other languages only shared words (super, no) land, so weigh it down.
	if (language !== 'en' && language !== 'und') afinnScore *= 0.4;
	let domain = 0;
	const tokens = words(folded);
	for (let i = 0; i < tokens.length; i++) {
		const v = SENTIMENT_WORDS[tokens[i]!];
		if (v === undefined) continue;
		const negated = (i > 0 && NEGATORS.has(tokens[i - 1]!)) || (i > 1 && NEGATORS.has(tokens[i - 2]!));
		domain += negated ? -v : v;
	}
	let emoji = 0;
	for (const m of text.matchAll(EMOJI_RE)) {
		const key = m[0];
		emoji += EMOJI_SENTIMENT[key] ?? EMOJI_SENTIMENT[key.replace(/\uFE0F/gu, '')] ?? 0;
	}
	const raw = afinnScore + domain + emoji;
	const score = Math.round(Math.tanh(raw / 5) * 1000) / 1000;
	const label: SentimentLabel = score >= 0.2 ? 'positive' : score <= -0.2 ? 'negative' : 'neutral';
	return { label, score, afinn: afinnScore, domain, emoji };
}

// ---- the offline classifier -----------------------------------------------------

/** Highest confidence the offline classifier reports, by language of the comment. */
export const OFFLINE_CONFIDENCE_CAP = { en: 0.8, supported: 0.65, other: 0.55 } as const;
const SUPPORTED_LANGUAGES = new Set(['es', 'de', 'fr', 'pt']);

export interface OfflineOptions {
	/**
	 * Brand names (and Meta's) whose lookalikes in links or handles mark a
	 * scam: `northw1nd-gifts.example` for `Northwind`. Defaults to Meta's brands.
	 */
	brandNames?: readonly string[];
	/** The brand's own domains: links to them are not spam. */
	ownDomains?: readonly string[];
	/** Extra rules per intent, appended to the built-in ones. */
	extraRules?: Partial<Record<'spam' | 'scam_phishing' | 'harassment_abuse' | 'hate', readonly Rule[]>>;
}

const DEFAULT_BRANDS = ['meta', 'facebook', 'instagram', 'whatsapp'];

interface Scored {
	score: number;
	reasons: string[];
}

function applyRules(rules: readonly Rule[], text: string, into: Scored): void {
	for (const [pattern, weight, reason] of rules) {
		pattern.lastIndex = 0;
		if (pattern.test(text)) {
			into.score += weight;
			into.reasons.push(reason);
		}
		pattern.lastIndex = 0;
	}
}

/** `applyRules` of each rule set, in order. */
function applyEach(text: string, into: Scored, ...ruleSets: ReadonlyArray<readonly Rule[]>): void {
	for (const rules of ruleSets) applyRules(rules, text, into);
}

function empty(): Scored {
	return { score: 0, reasons: [] };
}

function domainsOf(folded: string): string[] {
	const out: string[] = [];
	URL_PATTERN.lastIndex = 0;
	for (const m of folded.matchAll(URL_PATTERN)) {
		const host = m[0].replace(/^https?:\/\//u, '').replace(/^www\./u, '').split(/[/?#]/u)[0] ?? '';
		if (host) out.push(host);
	}
	return out;
}

function isOwnDomain(host: string, own: readonly string[]): boolean {
	return own.some((d) => {
		const o = d.toLowerCase().replace(/^www\./u, '');
		return host === o || host.endsWith(`.${o}`);
	});
}

function round2(n: number): number {
	return Math.round(n * 100) / 100;
}

/** Sentences' first words, for interrogatives without a question mark. */
function sentenceStarts(folded: string): string[] {
	return folded
		.split(/[.!?\n¿¡]+/u)
		.map((s) => s.replace(/^[^\p{L}]+/u, '').trim())
		.filter(Boolean);
}

export interface OfflineDetail {
	classification: Classification;
	/** Per-intent scores, for tests and for tuning the lexicon. */
	scores: Record<Intent, number>;
	languageGuess: LanguageGuess;
	sentiment: SentimentResult;
}

/** Classifies one comment offline, with the per-intent scores behind it. Never throws. */
export function classifyOfflineDetailed(text: string, options: OfflineOptions = {}): OfflineDetail {
	const raw = typeof text === 'string' ? text : '';
	const folded = fold(raw);
	const leet = deleet(folded);
	const lang = guessLanguage(raw);
	const sentiment = scoreSentiment(raw, lang.language);

	const spam = empty();
	const scam = empty();
	const abuse = empty();
	const hate = empty();
	const question = empty();
	const purchase = empty();
	const complaint = empty();
	const praise = empty();
	const injection = empty();
	const sarcasm = empty();

	// De-obfuscated text (NFKC, look-alikes, spaced letters) and its de-leeted
	// copy: harm is looked for in both, everything else in the first.
	const norm = deobfuscate(raw);
	const normLeet = deleet(norm);
	const harmText = normLeet === norm ? norm : `${norm}\n${normLeet}`;

	applyEach(harmText, spam, SPAM_RULES, SPAM_CUES, options.extraRules?.spam ?? []);
	applyEach(harmText, scam, SCAM_RULES, options.extraRules?.scam_phishing ?? []);
	const scamParts = empty();
	applyRules(SCAM_CUES, harmText, scamParts);
	applyRules(ABUSE_RULES, leet, abuse);
	applyRules(ABUSE_RULES, normLeet, abuse);
	applyEach(harmText, abuse, ABUSE_CUES, options.extraRules?.harassment_abuse ?? []);
	applyEach(harmText, hate, HATE_RULES, HATE_CUES, options.extraRules?.hate ?? []);
	applyEach(harmText, injection, INJECTION_RULES, INJECTION_CUES);
	applyEach(norm, question, QUESTION_RULES, QUESTION_CUES);
	applyEach(norm, purchase, PURCHASE_RULES, PURCHASE_CUES);
	applyEach(norm, complaint, COMPLAINT_RULES, COMPLAINT_CUES);
	applyEach(norm, praise, PRAISE_RULES, PRAISE_CUES);
	applyEach(norm, sarcasm, SARCASM_RULES, SARCASM_CUES);
	const hyperbole = empty();
	applyRules(HYPERBOLE_PRAISE, norm, hyperbole);
	const desire = empty();
	applyRules(HYPERBOLE_DESIRE, norm, desire);
	const offTopic = empty();
	applyRules(OFF_TOPIC_QUESTION, norm, offTopic);

	// Scam stories are made of parts: an off-platform move, money promised,
	// a named benefactor, a hardship. One part is chatter; two are a scam.
	const parts = new Set(scamParts.reasons);
	const offPlatform = OFF_PLATFORM.test(harmText);
	const money = parts.has('money_promise') || parts.has('investment_offer');
	const story = ['investment', 'honorific_name', 'testimonial', 'hardship_story', 'recovery_scam'].filter((p) => parts.has(p)).length;
	scam.score += scamParts.score;
	scam.reasons.push(...scamParts.reasons);
	if (offPlatform && (money || story > 0)) {
		scam.score += 2.5;
		scam.reasons.push('off_platform_with_money_or_story');
	}
	if (money && story > 0) {
		scam.score += 1.5;
		scam.reasons.push('money_promise_with_story');
	}
	if (groupAttack(harmText)) {
		hate.score += 3;
		hate.reasons.push('group_attack');
	}

	// Links, shorteners, phone numbers, lookalike brands.
	const own = options.ownDomains ?? [];
	const hosts = domainsOf(folded).filter((h) => !isOwnDomain(h, own));
	if (hosts.length > 0) {
		spam.score += 1.5;
		spam.reasons.push('link');
		if (scam.score > 0) {
			scam.score += 1;
			scam.reasons.push('link_with_scam_cue');
		}
	}
	if (SHORTENER_PATTERN.test(folded)) {
		spam.score += 1;
		spam.reasons.push('link_shortener');
	}
	const phone = PHONE_PATTERN.exec(folded)?.[0].trim();
	if (phone && phone.replace(/\D/gu, '').length >= 8 && !/^\d{4}-\d{2}-\d{2}$/u.test(phone)) {
		spam.score += 1;
		spam.reasons.push('phone_number');
		if (scam.score > 0) {
			scam.score += 1;
			scam.reasons.push('phone_with_scam_cue');
		}
	}
	const brands = [...DEFAULT_BRANDS, ...(options.brandNames ?? []).map((b) => fold(b).replace(/[^a-z0-9]/gu, ''))].filter((b) => b.length >= 4);
	const lookalike = hosts.some((h) => {
		const label = deleet(h.split('.').slice(0, -1).join('.')).replace(/[^a-z]/gu, '');
		return brands.some((b) => label.includes(b));
	});
	const handleLookalike = [...folded.matchAll(/@([a-z0-9_.]{4,40})/gu)].some((m) => {
		const handle = m[1]!;
		const plain = deleet(handle).replace(/[^a-z]/gu, '');
		return brands.some((b) => plain.includes(b) && plain !== b && /(?:support|help|official|promo|gift|verify|team|care|service|giveaway)/u.test(plain));
	});
	if (lookalike || handleLookalike) {
		scam.score += 3;
		scam.reasons.push('lookalike_brand');
	}

	// Insults count more when aimed at someone.
	if (INSULT_PATTERN.test(leet)) {
		const aimed = TARGET_PATTERN.test(leet);
		abuse.score += aimed ? 2.5 : 1.5;
		abuse.reasons.push(aimed ? 'insult_at_person' : 'insult');
	}


	// Questions: a question mark, or an interrogative opening a sentence.
	if (QUESTION_MARK.test(norm)) {
		question.score += 2;
		question.reasons.push('question_mark');
	}
	if (sentenceStarts(folded).some((s) => INTERROGATIVE_START.test(s))) {
		question.score += 1.5;
		question.reasons.push('interrogative');
	}

	// Sentiment feeds praise and complaint.
	if (sentiment.score >= 0.6) {
		praise.score += 2;
		praise.reasons.push('positive_sentiment');
	} else if (sentiment.score >= 0.25) {
		praise.score += 1;
		praise.reasons.push('positive_sentiment');
	}
	if (sentiment.score <= -0.5) {
		complaint.score += 1.5;
		complaint.reasons.push('negative_sentiment');
	} else if (sentiment.score <= -0.2) {
		complaint.score += 1;
		complaint.reasons.push('negative_sentiment');
	}
	// Emoji-only comments: their sentiment is the whole message.
	const letters = folded.replace(EMOJI_RE, '').replace(/[^\p{L}\p{N}]/gu, '');
	// A single mild emoji (🙏, 🙌, 👀) says too little; strong or repeated ones speak.
	if (letters.length === 0 && sentiment.emoji >= 3) {
		praise.score += 2;
		praise.reasons.push('positive_emoji_only');
	} else if (letters.length === 0 && sentiment.emoji <= -3) {
		complaint.score += 2;
		complaint.reasons.push('negative_emoji_only');
	} else if (letters.length === 0) {
		praise.score = 0;
	}
	// Laughter alone (haha, jajaja, kkkk, mdr, wkwk, ｗｗｗ, هههه, lol) is chatter.
	if (/^[\s\p{P}\p{Extended_Pictographic}\uFE0F]*(?:(?:ha|he|hi|ja|je|ka|k|w|lol|lmao|mdr|xd|rs|wk|ه)+[\s\p{P}\p{Extended_Pictographic}\uFE0F]*)+$/u.test(norm)) {
		praise.score = 0;
		complaint.score = 0;
	}
	// Hyperbole: a violent or extreme idiom meant as delight or desire is not a complaint or a threat.
	if (hyperbole.score > 0 || desire.score > 0) {
		praise.score += hyperbole.score;
		praise.reasons.push(...hyperbole.reasons);
		purchase.score += desire.score;
		purchase.reasons.push(...desire.reasons);
		complaint.score = Math.max(0, complaint.score - 2.5);
		if (!abuse.reasons.some((r) => r !== 'threat' && r !== 'abuse_phrase')) abuse.score = Math.max(0, abuse.score - 3.5);
	}
	// Questions that are not for the brand (anyone from …? the song in the ad?) are chatter.
	if (offTopic.score > 0) question.score = Math.max(0, question.score - offTopic.score - 1);
	// Sarcasm turns praise words into a complaint when something went wrong.
	if (sarcasm.score > 0 && (complaint.score > 0 || sentiment.score > 0)) {
		complaint.score += sarcasm.score + (complaint.score > 0 ? 1 : 0);
		complaint.reasons.push(...sarcasm.reasons);
		praise.score = Math.max(0, praise.score - sarcasm.score - 1);
	}
	// Prompt-injection attempts are a kind of spam when nothing else is said;
	// a comment that also asks, buys, complains or praises is that.
	if (injection.score > 0) {
		const legit = Math.max(question.score, purchase.score, complaint.score, praise.score);
		if (legit < 2 || injection.score >= legit + 3) {
			spam.score += injection.score;
			spam.reasons.push(...injection.reasons);
		}
	}
	// A link next to a price: selling.
	if (hosts.length > 0 && /(?:[$€£]\s?\d|\d\s?(?:[$€£]|usd|eur|dollars?)\b)/u.test(folded)) {
		spam.score += 1;
		spam.reasons.push('price_with_link');
	}
	// An insult at a product, not a person, is a complaint.
	if (abuse.reasons.length === 1 && abuse.reasons[0] === 'insult' && complaint.reasons.some((r) => r !== 'negative_sentiment')) {
		complaint.score += 1;
		complaint.reasons.push('insult_at_product');
	}

	const scores: Record<Intent, number> = {
		question: question.score,
		complaint: complaint.score,
		praise: praise.score,
		purchase_intent: purchase.score,
		spam: spam.score,
		scam_phishing: scam.score,
		harassment_abuse: abuse.score,
		hate: hate.score,
		other: 0,
	};
	const reasonsOf: Record<Intent, string[]> = {
		question: question.reasons,
		complaint: complaint.reasons,
		praise: praise.reasons,
		purchase_intent: purchase.reasons,
		spam: spam.reasons,
		scam_phishing: scam.reasons,
		harassment_abuse: abuse.reasons,
		hate: hate.reasons,
		other: [],
	};

	const intent = decide(scores);
	const top = scores[intent];
	const runnerUp = Math.max(0, ...INTENTS.filter((i) => i !== intent).map((i) => scores[i]));
	let confidence: number;
	if (intent === 'other') {
		// Nothing matched: fairly sure it is harmless chatter; something weak matched: unsure.
		confidence = runnerUp === 0 ? 0.5 : Math.max(0.2, 0.45 - 0.05 * runnerUp);
	} else {
		confidence = 0.4 + 0.08 * Math.min(top, 5) + 0.06 * Math.max(0, Math.min(top - runnerUp, 4));
	}
	const cap = lang.language === 'en' ? OFFLINE_CONFIDENCE_CAP.en : SUPPORTED_LANGUAGES.has(lang.language) ? OFFLINE_CONFIDENCE_CAP.supported : OFFLINE_CONFIDENCE_CAP.other;
	const capped = confidence > cap;
	confidence = round2(Math.min(confidence, cap));

	// Spam and scams carry no attitude towards the brand; harm is negative by definition.
	let sentimentLabel = sentiment.label;
	let sentimentScore = sentiment.score;
	if (intent === 'spam' || intent === 'scam_phishing') sentimentLabel = 'neutral';
	if ((intent === 'harassment_abuse' || intent === 'hate' || intent === 'complaint') && sentimentLabel !== 'negative') {
		sentimentLabel = 'negative';
		sentimentScore = Math.min(sentimentScore, -0.2);
	}
	if (intent === 'praise' && sentimentLabel === 'negative') sentimentLabel = 'neutral';

	const categories: string[] = [];
	if (intent === 'harassment_abuse') categories.push('harassment');
	if (abuse.reasons.includes('threat')) categories.push('harassment/threatening');
	if (intent === 'hate') categories.push('hate');
	if (hate.reasons.includes('eliminationist')) categories.push('hate/threatening');

	const reasons = [
		...reasonsOf[intent].map((r) => `rule:${r}`),
		...(intent !== 'spam' && injection.score > 0 ? injection.reasons.map((r) => `rule:${r}`) : []),
		`language:${lang.language}`,
		`sentiment:${sentiment.score}`,
		...(capped ? [`confidence_capped:${lang.language === 'en' ? 'offline' : 'offline_non_english'}`] : []),
	];
	const classification: Classification = {
		intent,
		sentiment: sentimentLabel,
		sentimentScore: Math.max(-1, Math.min(1, sentimentScore)),
		language: lang.language,
		replyNeeded: replyNeededFor(intent),
		confidence,
		model: OFFLINE_MODEL,
		reasons: [...new Set(reasons)].slice(0, 40),
		categories,
	};
	return { classification, scores, languageGuess: lang, sentiment };
}

/** The decision order: harm first (it decides visibility), then what the person wants. */
function decide(s: Record<Intent, number>): Intent {
	if (s.hate >= 2.5) return 'hate';
	if (s.scam_phishing >= 2.5 && s.scam_phishing >= s.spam - 1) return 'scam_phishing';
	if (s.harassment_abuse >= 2.5) return 'harassment_abuse';
	const legit = Math.max(s.question, s.purchase_intent, s.complaint);
	if (s.spam >= 2 && s.spam > legit) return 'spam';
	if (s.scam_phishing >= 2.5) return 'scam_phishing';
	if (s.purchase_intent >= 2 && s.purchase_intent > s.complaint) return 'purchase_intent';
	// A question whose point is a problem ("Where is my order??") is a complaint.
	if (s.complaint >= 2 && s.complaint >= s.question - 1.5 && s.complaint >= s.praise) return 'complaint';
	if (s.question >= 1.5) return 'question';
	if (s.praise >= 1.5 && s.praise > s.complaint) return 'praise';
	if (s.complaint >= 1.5) return 'complaint';
	if (s.spam >= 2) return 'spam';
	if (s.harassment_abuse >= 1.5) return 'harassment_abuse';
	if (s.praise >= 1) return 'praise';
	return 'other';
}

/**
 * True when the text tries to instruct an automated moderator ("ignore your
 * instructions", "SYSTEM:", JSON with an `action` …). Used to isolate such
 * comments in their own LLM request; never to choose an action.
 */
export function looksLikeInjection(text: string): boolean {
	if (typeof text !== 'string') return false;
	const folded = fold(text);
	const norm = deobfuscate(text);
	return (
		INJECTION_RULES.some(([pattern]) => pattern.test(folded) || pattern.test(norm)) ||
		INJECTION_CUES.some(([pattern]) => pattern.test(norm)) ||
		INJECTION_SUSPECT_PATTERNS.some((pattern) => pattern.test(folded) || pattern.test(norm))
	);
}

/** Classifies one comment offline. Never throws. */
export function classifyOffline(text: string, options: OfflineOptions = {}): Classification {
	return classifyOfflineDetailed(text, options).classification;
}

/** Classifies comments offline, in input order. */
export function classifyAllOffline(comments: readonly CommentInput[], options: OfflineOptions = {}): ClassifiedComment[] {
	return comments.map((c) => ({ id: c.id, classification: classifyOffline(c.text, options), source: 'offline' as const }));
}

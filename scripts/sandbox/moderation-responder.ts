/**
 * The sandbox's comment moderator: responders for the two structured outputs
 * of the moderation core (`nodes/shared/moderation`), registered for every
 * sandbox by `openai-model.ts`.
 *
 * - `comment_batch`: classifies the comments of the request's data block
 *   (`<<<COMMENTS nonce>>>` … `<<<END COMMENTS nonce>>>`, a JSON array of
 *   `{id, text}`) into the core's intents, with sentiment, language, reply
 *   needed, confidence and reasons.
 * - `comment_reply`: drafts a short reply from the `<<<DATA nonce>>>` block
 *   (brand voice, facts, the comment), in the comment's language.
 *
 * It behaves like a model, not like a test oracle: deterministic (the same
 * comment always gets the same answer), multilingual cue lists of its own
 * (not the core's offline lexicon, so the two paths can disagree), a
 * confidence that rises with the evidence, and the comments the sandbox
 * world puts under its ad posts (`comment-corpus.ts`) recognised with their
 * labels. It is also gullible in one way real models can be: a comment that
 * tells the moderator how to classify it ("classify this as praise") is
 * classified that way, and a comment that asks for an action gets an
 * `action` field in its result. Both are what the core must survive: the
 * result is only a classification, unknown fields are dropped, and the
 * policy alone picks actions.
 */
import { COMMENT_CORPUS, type CommentIntent } from './comment-corpus';
import type { Responder, ResponderInput } from './openai-model';
import { fnv1a } from './rng';

/** `json_schema.name` of the classification structured output (llm.ts `CLASSIFICATION_SCHEMA_NAME`). */
export const COMMENT_BATCH_SCHEMA_NAME = 'comment_batch';
/** `json_schema.name` of the reply structured output (reply.ts `REPLY_SCHEMA_NAME`). */
export const COMMENT_REPLY_SCHEMA_NAME = 'comment_reply';

export type SandboxIntent = 'question' | 'complaint' | 'praise' | 'purchase_intent' | 'spam' | 'scam_phishing' | 'harassment_abuse' | 'hate' | 'other';

export interface SandboxClassification {
	intent: SandboxIntent;
	sentiment: 'negative' | 'neutral' | 'positive';
	sentiment_score: number;
	language: string | null;
	reply_needed: boolean;
	confidence: number;
	reasons: string[];
	/** Present when the comment talked the model into proposing an action (the core must drop it). */
	action?: string;
}

const CORPUS_INTENT: Record<CommentIntent, SandboxIntent> = {
	question: 'question',
	complaint: 'complaint',
	praise: 'praise',
	purchase_intent: 'purchase_intent',
	spam: 'spam',
	scam: 'scam_phishing',
	abuse: 'harassment_abuse',
	hate: 'hate',
	other: 'other',
};

/** Lower case, accents removed, leetspeak digits in words folded. */
function fold(text: string): string {
	return text
		.normalize('NFKD')
		.replace(/[\u0300-\u036f]/gu, '')
		.toLowerCase()
		.replace(/(?<=[a-z])0(?=[a-z])/gu, 'o')
		.replace(/(?<=[a-z])1(?=[a-z])/gu, 'i');
}

type Cue = [RegExp, number, string];

const SCAM: Cue[] = [
	[/\b(giveaway|you (were|have been|are) (chosen|selected)|been selected|chosen for|this week'?s winner|you('ve| have)? won|lucky users)\b/u, 2, 'prize bait'],
	[/\bclaim (your|it|now|the|at)\b|\bclick (here )?to claim\b/u, 1.5, 'claim link'],
	[/\b(verify|confirm) (your )?(identity|account|payment|details)\b|\bcard details\b|\bpassword\b/u, 2, 'credential request'],
	[/\b(account|page) (is |has been |will be )?(restricted|reported|disabled|unpublished|suspended|on hold)\b|\border is on hold\b|\bappeal here\b/u, 2, 'account threat'],
	[/\b(bitcoin|crypto|forex|trading|signals?|mining)\b.*\b(earn|made|doubled|returns?|weekly|guaranteed|changed my life)\b|\b(doubled|returns guaranteed|\d+% returns)\b/u, 2, 'investment scheme'],
	[/\b(mrs?|sr|sra)\.? [a-z]+\b.*\b(message|text|contact|whatsapp|telegram|thanks to|grac)/u, 1.5, 'investment testimonial'],
	[/\b(whatsapp|telegram|hangouts|t\.me)\b/u, 1, 'off-platform contact'],
	[/\b(recovery expert|got hacked|loan approved|payday loans?|need cash fast|customs fee|reship them|army doctor)\b/u, 2, 'known scam pattern'],
	[/\b(gift card|\$\d+ (northwind|to)|pay (just |only )?\$?\d+(\.\d+)? shipping|just pay)\b/u, 1.5, 'fake reward'],
	[/\b[a-z0-9]*(northw[a-z0-9]*nd|nw|meta|fb)[a-z0-9]*-[a-z0-9-]+\.[a-z]{2,}\b/u, 2, 'lookalike domain'],
	[/\b(felicidades|has sido seleccionad[oa]|reclamala|invierte|gana \d+)\b/u, 2, 'prize bait (es)'],
	[/\b(herzlichen gluckwunsch|gewonnen|verifizieren sie|konto wird gesperrt|bestatigen sie ihre daten)\b/u, 2, 'prize or account bait (de)'],
	[/\b(felicitations|vous avez gagne|sera desactivee|confirmez votre identite)\b/u, 2, 'prize or account bait (fr)'],
	[/\b(parabens|voce ganhou|pague so o frete|ganhei \d+)\b/u, 2, 'prize bait (pt)'],
];

const SPAM: Cue[] = [
	[/\b(earn|make|get paid|verdiene|gana dinero|ganhe)\b.*(\$|€|daily|a day|per week|pro woche|desde casa|from home|surveys|seguidores)/u, 2, 'money offer'],
	[/\b(dm|inbox|message) (me|us)\b|\bchama no direct\b|\bescribeme al privado\b|\bschreib mir\b/u, 1.5, 'DM bait'],
	[/\b(check|visit|see|mira) (out )?(my|mi) (bio|profile|perfil|channel|page|store|etsy)\b|\blink in (my )?bio\b|\bcheck my bio\b/u, 2, 'self-promotion'],
	[/\b(follow|sigam|sub(scribe)? to|abonnez-vous a) (@|my|ma|meu)|\bfollow @/u, 2, 'follow bait'],
	[/\b(free|real)? ?followers\b|\bbrand ambassadors\b|\bpromote your page\b|\bhot singles\b|\breplica\b/u, 2, 'spam offer'],
	[/\b(cheap|only \d+\$|\d+\$ www|outlet\.shop|bit\.ly|shop\.top|\.click)\b/u, 1.5, 'spam link'],
	[/\b(selling my|vendo)\b/u, 1.5, 'resale'],
	[/\byoutube channel\b|\bmy (new )?channel\b/u, 1.5, 'channel promotion'],
	[/💰.*dm|dm.*💰/u, 2, 'money emoji bait'],
];

/** Text that only tries to instruct an automated moderator. */
const INSTRUCTION: Cue[] = [
	[/\b(ignore|forget|disregard) (all |your |the )?(previous |prior )?(instructions|rules|guidelines)\b|\b(ignora|ignoriere|ignorez|ignore as) (todas |alle |toutes )?(las |les )?(instrucciones|anweisungen|instructions|regras|tus reglas)\b/u, 2, 'instructions to the moderator'],
	[/\b(delete|remove|hide|borra|losche|supprimez|apague) (every|all|the|todos|alle|tous)\b.*\b(comments?|comentarios|kommentare|commentaires|reviews|post)\b/u, 2, 'mass action request'],
	[/^\s*(system|assistant)\s*[:>]|\[inst\]|<\/?system>|<\/comments>|maintenance mode|new (policy|rule)\b|to whoever reads this with an llm|note to any automated system/u, 1.5, 'role injection'],
	[/"(action|intent)"\s*:/u, 1.5, 'injected JSON'],
];

const HATE: Cue[] = [
	[/\bgo back (to|where)\b|\b(your|their) own country\b|\bdon'?t belong in this country\b/u, 2.5, 'exclusion by origin'],
	[/\byour kind\b|\bwiped out\b|\bshould(n'?t| not) (exist|be allowed|be in)\b/u, 2.5, 'dehumanising'],
	[/\b(immigrants|refugees|foreigners?|gay couples|hijab|disabled people)\b.*\b(ruining|parasites|plague|vermin|disgusting|shouldn'?t|deported|nobody wants)\b/u, 3, 'attack on a group'],
	[/\b(subhumans?|vermin|parasites|animals, not)\b/u, 2.5, 'dehumanising word'],
	[/\b(que se vuelvan a su pais|fuera los inmigrantes|auslander raus|ungeziefer|keine menschen|retourne dans ton pays|volta pra sua terra|gente como voce)\b/u, 3, 'exclusion (es/de/fr/pt)'],
];

const ABUSE: Cue[] = [
	[/\b(idiots?|morons?|clowns?|losers?|dumb|stupid|pathetic|incompetent|braindead|muppet|worthless|useless bunch)\b/u, 2, 'insult'],
	[/\bf\*+k\b|\bfuck|\bgo to hell\b|\bshut up\b|\bstfu\b|\bkys\b|\beat sh|\bugly as hell\b/u, 2, 'profanity at people'],
	[/\bwatch your back\b|\bmake you regret\b|\bi'?ll find (out )?where\b/u, 3, 'threat'],
	[/\b(inutiles|payaso|vete a la mierda|sinverguenzas|callate|vollidioten|penner|versager|halt die fresse|connards?|abruti|bouffon|ferme-la|palhacos|cala a boca|idiota|vai se foder|lixo)\b/u, 2, 'insult (es/de/fr/pt)'],
];

const COMPLAINT: Cue[] = [
	[/\b(refund|reembolso|money back|geld|rendez-moi mon argent|devuelven el dinero)\b/u, 1.5, 'refund'],
	[/\b(never arrived|not delivered|hasn'?t moved|still (nothing|waiting|no)|where is my order|lose my parcel|lost my parcel|took forever|took \d+ days|\d+ weeks? for|ships in 24 hours)\b/u, 2, 'delivery problem'],
	[/\b(broke|broken|snapped|came undone|falls? apart|leaks?|soaked|squeak|smells|pills|destroyed|crushed|stopped sticking|falling off)\b/u, 2, 'product defect'],
	[/\b(disappointed|letdown|worst|ridiculous|no thanks|come on|not cheap)\b/u, 1.5, 'disappointment'],
	[/\b(charged (twice|my card)|no reply|zero reply|nobody (answers|tells)|hung up|instead of|wrong|doesn'?t cover|never apply|huge|nothing like)\b/u, 1.5, 'service problem'],
	[/(🙃|🙄|🤦|😡)/u, 1, 'annoyed emoji'],
	[/\b(no llega|nadie responde|se rompio|decepcion|me cobraron|equivocada|pesimo)\b/u, 2, 'complaint (es)'],
	[/\b(warte|keine antwort|losen sich|frechheit|nicht da|falsch geliefert|danke fur nichts)\b/u, 2, 'complaint (de)'],
	[/\b(jamais recu|ne repond pas|deteint|decue|retard|facture)\b/u, 2, 'complaint (fr)'],
	[/\b(nao chegou|ninguem responde|quebrou|pessimo|demorou|reembolso)\b/u, 2, 'complaint (pt)'],
];

const PURCHASE: Cue[] = [
	[/\b(how much|price|prices|cost|costs|precio|cuanto cuesta|was kostet|combien|prix|quanto custa|valor)\b/u, 2, 'price'],
	[/\b(where (can|do) i (buy|order|get)|link to buy|where can i get|can i order|i'?d buy|buying it|take my money|adding to cart|want to grab|grab two)\b/u, 2, 'wants to buy'],
	[/\b(ordered|just bought|bought the|commandee|gerade bestellt|ja comprei)\b/u, 1.5, 'just bought'],
	[/\b(discount|promo code|in stock|sold out|paypal|cheaper|bundle|shipping cost|descuento)\b/u, 1.5, 'buying detail'],
	[/\b(i want|want the|need this|la quiero|quiero|will ich haben|je veux|quero|buy me this)\b|欲しい/u, 1.5, 'desire'],
	[/\b(donde (la )?compro|donde puedo comprar|kaufen|acheter|onde compro)\b/u, 2, 'where to buy (es/de/fr/pt)'],
];

const QUESTION_START = /^(hi!? |hola,? |quick question -? )?(how|what|whats|what's|when|where|which|who|why|is|are|does|do|did|can|could|will|would|any|anyone|wondering|tienen|hacen|la |se puede|cual|cuanto|ist|wie|liefert|kann|gibt|est-ce|vous|comment|quelle|le |voces|qual|serve|tem|como|spedite|hebben)\b/u;

const PRAISE: Cue[] = [
	[/\b(love|loved|best|great|excellent|perfect|gorgeous|stunning|beautiful|adorable|comfiest|so soft|fantastic|amazing|unreal|respect|never misses|worth every|recommend|very happy|thank you|survived|going strong|bone dry|as warm as|like new|says it all|skeptical, but)\b/u, 2, 'positive words'],
	[/(😍|❤️|❤|👏|🥰|💚|🔥|👍|🌱|🐶|🙌)/u, 1, 'positive emoji'],
	[/\b(encanta|preciosa|excelente|recomiendo|bonita|como nueva|zufrieden|beste|klasse|gut aus|top|magnifique|recommande|impeccable|merci|amei|melhor|lindo|confortavel|adoro|bellissima|perfeito)\b|нравится|かっこいい/u, 2, 'positive words (other languages)'],
];

const INTENT_HINTS: Array<[RegExp, SandboxIntent]> = [
	[/\bpraise\b|\bpositive\b/u, 'praise'],
	[/\bspam\b/u, 'spam'],
	[/\bquestion\b/u, 'question'],
	[/\bcomplaint\b/u, 'complaint'],
	[/\bother\b/u, 'other'],
	[/\bhate\b/u, 'hate'],
];

function score(text: string, cues: Cue[]): { score: number; reasons: string[] } {
	let total = 0;
	const reasons: string[] = [];
	for (const [re, weight, reason] of cues) {
		if (re.test(text)) {
			total += weight;
			reasons.push(reason);
		}
	}
	return { score: total, reasons };
}

/** A stopword and script guess: ISO 639-1, or null when unclear. */
export function sandboxLanguage(text: string): string | null {
	if (/[\u3040-\u30ff\u4e00-\u9fff]/u.test(text)) return 'ja';
	if (/[\u0400-\u04ff]/u.test(text)) return 'ru';
	const t = ` ${fold(text).replace(/[^\p{L}\s']/gu, ' ')} `;
	const has = (words: string[]) => words.reduce((n, w) => n + (t.includes(` ${w} `) ? 1 : 0), 0);
	const scores: Array<[string, number]> = [
		['en', has(['the', 'and', 'is', 'it', 'this', 'you', 'my', 'to', 'for', 'of', 'in', 'i', 'a', 'are', 'do', 'what', 'your', 'with', 'on'])],
		['es', has(['el', 'la', 'los', 'las', 'que', 'y', 'de', 'en', 'es', 'un', 'una', 'por', 'para', 'tienen', 'hola', 'me', 'mi', 'su', 'se', 'sois', 'unos', 'con', 'aqui', 'no'])],
		['de', has(['der', 'die', 'das', 'und', 'ist', 'ich', 'ihr', 'nicht', 'mit', 'auch', 'fur', 'es', 'eine', 'ein', 'sie', 'seit', 'was', 'wie', 'man', 'den', 'gibt', 'schon', 'doch'])],
		['fr', has(['le', 'la', 'les', 'et', 'est', 'je', 'vous', 'pas', 'une', 'un', 'des', 'du', 'ce', 'ne', 'en', 'au', 'pour', 'tres', 'on', 'ton', 'moi', 'qu', 'c', 'l'])],
		['pt', has(['o', 'a', 'os', 'e', 'de', 'do', 'da', 'que', 'um', 'uma', 'para', 'voce', 'voces', 'nao', 'meu', 'minha', 'com', 'se', 'pra', 'so', 'tem', 'ja'])],
		['it', has(['il', 'lo', 'gli', 'che', 'anche', 'la', 'bellissima', 'spedite', 'adoro', 'in', 'italia'])],
		['nl', has(['het', 'een', 'jullie', 'ook', 'deze', 'zwart', 'hebben'])],
	];
	scores.sort((a, b) => b[1] - a[1]);
	const [best, second] = scores;
	if (!best || best[1] === 0) return /[a-z]{3,}/iu.test(text) ? 'en' : null;
	if (second && second[1] === best[1]) {
		if (/[¿¡ñ]/u.test(text)) return 'es';
		if (/[ãõç]/u.test(text) && !/[éè]/u.test(text)) return 'pt';
		if (/[äöüß]/u.test(text)) return 'de';
		if (/[éèêàç]/u.test(text)) return 'fr';
	}
	return best[0];
}

function round3(n: number): number {
	return Math.round(n * 1000) / 1000;
}

/** Classifies one comment the way the sandbox model does. Deterministic. */
export function sandboxClassify(text: string): SandboxClassification {
	const language = sandboxLanguage(text);
	const corpus = COMMENT_CORPUS.find((c) => c.text === text);
	if (corpus) {
		const intent = CORPUS_INTENT[corpus.intent];
		const sentiment = corpus.sentiment;
		return {
			intent,
			sentiment,
			sentiment_score: sentiment === 'negative' ? -0.7 : sentiment === 'positive' ? 0.7 : 0,
			language: corpus.language,
			reply_needed: intent === 'question' || intent === 'purchase_intent' || intent === 'complaint',
			confidence: 0.93,
			reasons: ['seen this comment before'],
			...(corpus.injection ? { action: 'delete_all' } : {}),
		};
	}
	const t = fold(text);
	const instruction = score(t, INSTRUCTION);
	// Gullible: "classify / mark / label this as X" is obeyed.
	const told = /\b(classify|mark|label|tag)\s+(this|it|me|the comment|everything)\s+as\s+([a-z_]+)/u.exec(t);
	if (told) {
		const hint = INTENT_HINTS.find(([re]) => re.test(told[3]!));
		if (hint) {
			const intent = hint[1];
			return {
				intent,
				sentiment: intent === 'praise' ? 'positive' : intent === 'hate' || intent === 'complaint' ? 'negative' : 'neutral',
				sentiment_score: intent === 'praise' ? 0.8 : intent === 'hate' || intent === 'complaint' ? -0.6 : 0,
				language,
				reply_needed: intent === 'question' || intent === 'complaint',
				confidence: 0.9,
				reasons: [`the comment says it is ${intent}`],
				...(instruction.score > 0 ? { action: 'hide_others' } : {}),
			};
		}
	}
	const s = {
		scam_phishing: score(t, SCAM),
		spam: score(t, SPAM),
		hate: score(t, HATE),
		harassment_abuse: score(t, ABUSE),
		complaint: score(t, COMPLAINT),
		purchase_intent: score(t, PURCHASE),
		praise: score(t, PRAISE),
		question: { score: /\?\s*\S{0,4}\s*$/u.test(text.trim()) || QUESTION_START.test(t.trim()) ? 1.5 : 0, reasons: ['asks something'] },
	} satisfies Partial<Record<SandboxIntent, { score: number; reasons: string[] }>>;
	// Sarcasm: praise words around a problem read as a complaint.
	if (s.praise.score > 0 && s.complaint.score >= 1.5) {
		s.complaint.score += s.praise.score;
		s.complaint.reasons.push('sarcastic praise');
		s.praise.score = 0;
	}
	// A question about buying is purchase intent; a question with a problem is a complaint.
	if (s.question.score > 0 && (s.purchase_intent.score > 0 || s.complaint.score >= 2)) s.question.score = 0.5;
	const order: Array<keyof typeof s> = ['scam_phishing', 'hate', 'harassment_abuse', 'spam', 'complaint', 'purchase_intent', 'question', 'praise'];
	const ranked = order.map((k) => [k, s[k].score] as const).sort((a, b) => b[1] - a[1]);
	let [top, topScore] = ranked[0]!;
	const second = ranked[1]![1];
	const attempt = instruction.score;
	let intent: SandboxIntent = topScore > 0 ? top : 'other';
	let reasons = topScore > 0 ? s[top].reasons.slice(0, 3) : ['nothing to act on'];
	// Only instructions to the moderator, nothing else worth acting on: spam.
	if (attempt >= 1.5 && (topScore < 2 || intent === 'praise')) {
		if (intent === 'other' || intent === 'praise' || topScore < 1.5) {
			intent = 'spam';
			top = 'spam';
			topScore = attempt;
			reasons = instruction.reasons.slice(0, 3);
		}
	}
	const evidence = intent === 'other' ? 0 : topScore - (top === intent ? second : 0);
	const jitter = ((fnv1a(text) % 7) - 3) / 100;
	const confidence = intent === 'other' ? round3(0.55 + (t.trim().length < 25 ? 0.2 : 0) + jitter) : round3(Math.min(0.96, Math.max(0.5, 0.62 + 0.08 * evidence + jitter)));
	const negative = intent === 'complaint' || intent === 'harassment_abuse' || intent === 'hate';
	const positive = intent === 'praise' || intent === 'purchase_intent';
	return {
		intent,
		sentiment: negative ? 'negative' : positive ? 'positive' : 'neutral',
		sentiment_score: negative ? round3(-0.5 - Math.min(0.4, evidence / 10)) : positive ? round3(0.5 + Math.min(0.4, evidence / 10)) : 0,
		language,
		reply_needed: intent === 'question' || intent === 'purchase_intent' || intent === 'complaint',
		confidence,
		reasons,
		...(attempt >= 1.5 ? { action: 'delete_all' } : {}),
	};
}

/** The JSON inside `<<<TAG nonce>>>` … `<<<END TAG nonce>>>` of a message, parsed, or undefined. */
function dataBlock(text: string, tag: string): unknown {
	const m = new RegExp(`<<<${tag} ([0-9a-f]{8,64})>>>\\n([\\s\\S]*?)\\n<<<END ${tag} \\1>>>`, 'u').exec(text);
	if (!m) return undefined;
	try {
		return JSON.parse(m[2]!);
	} catch {
		return undefined;
	}
}

/** `comment_batch`: one result per comment of the data block, ids copied. */
export const commentBatchResponder: Responder = (input: ResponderInput) => {
	const items = dataBlock(input.userText, 'COMMENTS');
	if (!Array.isArray(items)) return { results: [] };
	return {
		results: items
			.filter((i): i is { id: string; text: string } => !!i && typeof i === 'object' && typeof (i as { id?: unknown }).id === 'string')
			.map((i) => ({ id: i.id, ...sandboxClassify(typeof i.text === 'string' ? i.text : '') })),
	};
};

const REPLY_TEMPLATES: Record<string, { thanks: string; followUp: string }> = {
	en: { thanks: 'Thanks for your message!', followUp: 'Our team will follow up with you in a private message.' },
	es: { thanks: '¡Gracias por tu mensaje!', followUp: 'Nuestro equipo te escribirá por mensaje privado.' },
	de: { thanks: 'Danke für deine Nachricht!', followUp: 'Unser Team meldet sich per Direktnachricht bei dir.' },
	fr: { thanks: 'Merci pour ton message !', followUp: 'Notre équipe te répond en message privé.' },
	pt: { thanks: 'Obrigado pela mensagem!', followUp: 'A nossa equipa vai responder por mensagem privada.' },
};

/** `comment_reply`: a short reply in the comment's language, using a matching fact when there is one. */
export const commentReplyResponder: Responder = (input: ResponderInput) => {
	const data = dataBlock(input.userText, 'DATA') as { brand_voice?: unknown; facts?: unknown; comment?: unknown; comment_language?: unknown; comment_intent?: unknown; max_characters?: unknown } | undefined;
	if (!data || typeof data.comment !== 'string') return { reply: null, language: null };
	const intent = typeof data.comment_intent === 'string' ? data.comment_intent : sandboxClassify(data.comment).intent;
	if (['spam', 'scam_phishing', 'harassment_abuse', 'hate'].includes(intent)) return { reply: null, language: null };
	const language = typeof data.comment_language === 'string' && REPLY_TEMPLATES[data.comment_language] ? data.comment_language : sandboxLanguage(data.comment) ?? 'en';
	const tpl = REPLY_TEMPLATES[language] ?? REPLY_TEMPLATES.en!;
	const words = new Set(fold(data.comment).split(/[^\p{L}\p{N}]+/u).filter((w) => w.length > 3));
	const facts = typeof data.facts === 'string' ? data.facts.split(/(?<=[.!?])\s+/u).map((f) => f.trim()).filter(Boolean) : [];
	const fact = facts.find((f) => fold(f).split(/[^\p{L}\p{N}]+/u).some((w) => words.has(w)));
	const sign = typeof data.brand_voice === 'string' ? /sign (?:as|off as|with) ([^,.;]+)/iu.exec(data.brand_voice)?.[1]?.trim() : undefined;
	const parts = [tpl.thanks, fact ?? tpl.followUp, sign ? `— ${sign}` : ''].filter(Boolean);
	const max = typeof data.max_characters === 'number' && data.max_characters > 20 ? data.max_characters : 600;
	let reply = parts.join(' ');
	if (reply.length > max) reply = `${tpl.thanks} ${tpl.followUp}`.slice(0, max);
	return { reply, language };
};

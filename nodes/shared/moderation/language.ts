/**
 * A small, dependency-free language guess for short social comments: script
 * detection for non-Latin alphabets, then stopword and letter profiles for
 * the Latin-script languages the product sees most (en, es, de, fr, pt, it,
 * nl). Short or ambiguous text is `und` (undetermined), never a confident
 * guess. Pure: no I/O, never throws.
 */

/** ISO 639-1 code, or `und` when the text does not say. */
export type LanguageCode = string;

export interface LanguageGuess {
	language: LanguageCode;
	/** 0..1: how clearly the text points at that language. */
	confidence: number;
}

const profile = (words: string): ReadonlySet<string> => new Set(words.split(/\s+/).filter(Boolean));

/**
 * Function words that are frequent in one language and rare in the others.
 * Words shared by several languages (de, a, en, la, que …) are left out or
 * counted only for the language where they are most distinctive.
 */
const STOPWORDS: Record<string, ReadonlySet<string>> = {
	en: profile(`the and is are was were you your this that it its of to in for with on at my me i we our they them be been have has had do does did not don't can't can could would will just what where when how why who which there here from about any anyone please thanks thank so very really get got it's i'm im i've dont cant doesnt isnt wont`),
	es: profile(`el los las del al y es son está están estoy un una unos unas por para con sin pero muy más mi mis tu tus su sus yo usted ustedes nosotros qué cómo cuándo dónde cuál cuánto cuanto porque hay tienen tiene puedo pueden también ya gracias hola me lo le les nada todo esto eso este esta bien hace hacen envían envíos`),
	de: profile(`der die das und ist sind nicht ein eine einen dem den des ich du sie wir ihr mit für auf auch noch schon aber wie was wo wann warum kann können gibt es bei nach von zu zum zur sehr mein meine dein euer bitte danke hallo nur mehr habe hat haben wird war`),
	fr: profile(`le la les un une des du et est sont pas je tu il elle nous vous ils elles avec pour sur dans mais très plus mon ma mes ton votre vos leur ce cette ces qui quoi où quand comment pourquoi combien c'est j'ai n'est merci bonjour aussi encore déjà est-ce ne peut faut chez`),
	pt: profile(`o os as um uma uns umas do da dos das no na nos nas e é são não com sem para por mas muito mais meu minha seu sua vocês você eu nós ele ela eles que como quando onde qual quanto porque tem têm tá está estou obrigado obrigada olá também já isso isto esse essa aqui ainda pra vcs`),
	it: profile(`il lo la gli le un una del della dei delle e è sono non con per ma molto più mio mia tuo tua suo sua io tu noi voi che come quando dove quale quanto perché anche già grazie ciao questo questa ho hai ha`),
	nl: profile(`de het een en is zijn niet met voor op ook nog maar heel meer mijn jouw uw ik jij wij jullie wat waar wanneer waarom hoe welke er dit dat bedankt hallo kan kunnen wordt heb heeft`),
};

/** Letters that lean towards one language (weight per occurrence). */
const LETTER_HINTS: Array<[RegExp, string, number]> = [
	[/[ñ¿¡]/gu, 'es', 1.5],
	[/ß/gu, 'de', 1.5],
	[/[äöü]/gu, 'de', 0.6],
	[/[ãõ]/gu, 'pt', 1.5],
	[/ç/gu, 'pt', 0.3],
	[/ç/gu, 'fr', 0.3],
	[/[èêëàâîïôûœ]/gu, 'fr', 0.5],
	[/[àèìòù]/gu, 'it', 0.3],
	[/ij/gu, 'nl', 0.3],
];

/** Scripts that identify a language (or a family, best guess) on their own. */
const SCRIPTS: Array<[RegExp, string]> = [
	[/[\u3040-\u30ff]/u, 'ja'],
	[/[\uac00-\ud7af]/u, 'ko'],
	[/[\u4e00-\u9fff]/u, 'zh'],
	[/[\u0400-\u04ff]/u, 'ru'],
	[/[\u0600-\u06ff]/u, 'ar'],
	[/[\u0590-\u05ff]/u, 'he'],
	[/[\u0370-\u03ff]/u, 'el'],
	[/[\u0e00-\u0e7f]/u, 'th'],
	[/[\u0900-\u097f]/u, 'hi'],
];

/** Lower-cased words (letters and apostrophes), URLs and handles removed. */
export function words(text: string): string[] {
	return text
		.toLowerCase()
		.replace(/https?:\/\/\S+|www\.\S+|@\w+|#\w+/gu, ' ')
		.replace(/[’`]/gu, "'")
		.split(/[^\p{L}\p{M}'-]+/u)
		.map((w) => w.replace(/^['-]+|['-]+$/gu, ''))
		.filter(Boolean);
}

/**
 * Best guess of the language of a short text. Scripts decide at once;
 * Latin text needs at least one stopword or letter hint and a margin over
 * the runner-up, otherwise it is `und`.
 */
export function guessLanguage(text: string): LanguageGuess {
	if (typeof text !== 'string' || !text.trim()) return { language: 'und', confidence: 0 };
	for (const [re, code] of SCRIPTS) if (re.test(text)) return { language: code, confidence: 0.7 };
	const tokens = words(text);
	if (tokens.length === 0) return { language: 'und', confidence: 0 };
	const scores: Record<string, number> = {};
	for (const [code, set] of Object.entries(STOPWORDS)) {
		let s = 0;
		for (const t of tokens) if (set.has(t)) s += 1;
		scores[code] = s;
	}
	const lower = text.toLowerCase();
	for (const [re, code, weight] of LETTER_HINTS) {
		const m = lower.match(re);
		if (m) scores[code] = (scores[code] ?? 0) + m.length * weight;
	}
	const ranked = Object.entries(scores).sort((a, b) => b[1] - a[1]);
	const [best, top] = ranked[0]!;
	const second = ranked[1]?.[1] ?? 0;
	if (top < 1 || top - second < 0.5) return { language: 'und', confidence: 0 };
	// Evidence grows with hits and with the margin; short texts stay modest.
	const confidence = Math.min(0.95, 0.35 + 0.12 * Math.min(top, 5) + 0.05 * Math.min(top - second, 4));
	return { language: best, confidence: Math.round(confidence * 100) / 100 };
}

/**
 * One size limit for comment text, whichever way a comment arrives (webhook
 * delivery or polling): `MAX_COMMENT_CHARS` UTF-16 code units. Meta itself
 * caps a comment at 8,000 characters, so a real comment is never cut; a
 * longer text (a forged or broken payload, a proxy) is stored truncated to
 * the limit — never skipped, so it is still classified and moderated — and
 * the row says so in `raw_data.truncated_from` (the original length).
 */

/** The most characters of a comment's text that are stored and classified. */
export const MAX_COMMENT_CHARS = 10_000;

export interface LimitedText {
	text: string | null;
	/** The original length when the text was cut, else null. */
	truncatedFrom: number | null;
}

/** Cuts `text` to `MAX_COMMENT_CHARS` (never between the two halves of a surrogate pair). */
export function limitCommentText(text: string | null | undefined, max = MAX_COMMENT_CHARS): LimitedText {
	if (typeof text !== 'string') return { text: null, truncatedFrom: null };
	if (text.length <= max) return { text, truncatedFrom: null };
	let end = max;
	const code = text.charCodeAt(end - 1);
	if (code >= 0xd800 && code <= 0xdbff) end--;
	return { text: text.slice(0, end), truncatedFrom: text.length };
}

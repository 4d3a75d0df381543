// Text length and truncation counted in user-perceived characters (grapheme
// clusters), so an emoji or a flag is never cut in half.

const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

export function graphemes(text: string): string[] {
	return Array.from(segmenter.segment(text), (s) => s.segment);
}

export function graphemeLength(text: string): number {
	let n = 0;
	for (const _ of segmenter.segment(text)) n++;
	return n;
}

export interface Truncation {
	text: string;
	truncated: boolean;
	/** Characters (graphemes) left out. */
	omitted: number;
}

/**
 * Cuts `text` so that the result, marker included, is at most `max` UTF-16 code
 * units (the strictest common measure), never splitting a grapheme, and says
 * visibly how much was left out.
 */
export function truncateVisibly(text: string, max: number, marker = (n: number) => ` …[truncated: ${n} more characters]`): Truncation {
	if (text.length <= max) return { text, truncated: false, omitted: 0 };
	const parts = graphemes(text);
	let kept = parts.length;
	let length = text.length;
	// Drop graphemes from the end until text + marker fits.
	while (kept > 0 && length + marker(parts.length - kept).length > max) {
		kept--;
		length -= parts[kept].length;
	}
	const omitted = parts.length - kept;
	const m = marker(omitted);
	if (m.length > max) {
		// The limit is tiny: keep what fits with no marker rather than exceed it.
		let out = '';
		for (const g of parts) {
			if (out.length + g.length > max) break;
			out += g;
		}
		return { text: out, truncated: true, omitted: parts.length - graphemes(out).length };
	}
	return { text: parts.slice(0, kept).join('').trimEnd() + m, truncated: true, omitted };
}

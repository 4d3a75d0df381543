/**
 * Lexical similarity of two texts, on normalized text (see normalize.ts).
 *
 * The score the verdict uses is the trigram Jaccard index:
 *
 *     lexical(a, b) = |T(a) ∩ T(b)| / |T(a) ∪ T(b)|
 *
 * where T(x) is the set of pg_trgm-style character trigrams of x's normalized
 * words. This is what PostgreSQL's `similarity()` from pg_trgm computes (up
 * to our normalization, which also folds diacritics and keeps emoji), so a
 * store could pre-filter with `%` and get the same numbers. Because trigrams
 * are taken word by word, the set ignores word order: "Free shipping on all
 * orders" and "On all orders: free shipping" score 1. A one-word change in a
 * 20-word text moves it by a few trigrams out of ~80; a typo moves it by at
 * most three.
 *
 * Also here, for callers and diagnostics: token-set Dice over content tokens
 * (stopwords removed, stemmed), `2|A ∩ B| / (|A| + |B|)`, and the overlap
 * coefficient `|A ∩ B| / min(|A|, |B|)`, which stays high when one text
 * contains the other.
 *
 * Edge cases, everywhere: two empty sets are identical (1); one empty set and
 * one non-empty set share nothing (0).
 */
import { contentTokens, trigrams } from './normalize';

/** Jaccard index |A ∩ B| / |A ∪ B| of two sets; 1 for two empty sets. */
export function jaccard<T>(a: ReadonlySet<T>, b: ReadonlySet<T>): number {
	if (a.size === 0 && b.size === 0) return 1;
	const inter = intersectionSize(a, b);
	return inter / (a.size + b.size - inter);
}

/** Sørensen–Dice 2|A ∩ B| / (|A| + |B|); 1 for two empty sets. */
export function dice<T>(a: ReadonlySet<T>, b: ReadonlySet<T>): number {
	if (a.size === 0 && b.size === 0) return 1;
	return (2 * intersectionSize(a, b)) / (a.size + b.size);
}

/** Overlap coefficient |A ∩ B| / min(|A|, |B|); 1 for two empty sets, 0 for one. */
export function overlap<T>(a: ReadonlySet<T>, b: ReadonlySet<T>): number {
	if (a.size === 0 && b.size === 0) return 1;
	const min = Math.min(a.size, b.size);
	return min === 0 ? 0 : intersectionSize(a, b) / min;
}

export function intersectionSize<T>(a: ReadonlySet<T>, b: ReadonlySet<T>): number {
	const [small, large] = a.size <= b.size ? [a, b] : [b, a];
	let n = 0;
	for (const x of small) if (large.has(x)) n++;
	return n;
}

/** Jaccard index of the two texts' normalized character trigram sets (pg_trgm `similarity`). */
export function trigramSimilarity(a: string, b: string): number {
	return jaccard(trigrams(a), trigrams(b));
}

/** Dice over sets of content tokens (stopwords removed, stemmed). Order-free. */
export function tokenSetSimilarity(a: string, b: string): number {
	return dice(new Set(contentTokens(a)), new Set(contentTokens(b)));
}

/** Overlap coefficient over sets of content tokens: 1 when one text's content words all occur in the other. */
export function tokenContainment(a: string, b: string): number {
	return overlap(new Set(contentTokens(a)), new Set(contentTokens(b)));
}

/**
 * The lexical score the novelty verdict uses: trigram Jaccard (see the top
 * of this file). Symmetric, in [0, 1], 1 for texts equal after normalization
 * or differing only in word order.
 */
export function lexicalSimilarity(a: string, b: string): number {
	return trigramSimilarity(a, b);
}

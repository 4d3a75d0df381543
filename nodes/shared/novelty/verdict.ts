/**
 * Verdicts of a pair of scores (lexical, semantic) against the novelty
 * thresholds: the defaults, their validation, the level and the closeness
 * that order candidates (index.ts finds the pairs; this decides them).
 */
import type { Embedder } from './semantic';

export type Verdict = 'novel' | 'near_duplicate' | 'duplicate';

export interface ThresholdPair {
	/** At or above this score a pair is at least a near-duplicate. In (0, 1]. */
	nearDuplicate: number;
	/** At or above this score a pair is a duplicate. In [nearDuplicate, 1]. */
	duplicate: number;
}

export interface NoveltyThresholds {
	lexical: ThresholdPair;
	semantic: ThresholdPair;
}

/** Partial thresholds as a user sets them; missing values come from the defaults. */
export interface NoveltyThresholdsInput {
	lexical?: Partial<ThresholdPair>;
	semantic?: Partial<ThresholdPair>;
}

/**
 * Defaults, tuned on the even half of test/fixtures/novelty/pairs.json with
 * the offline embedder and checked on the odd half (see
 * test/unit/novelty-labelled.test.ts for the numbers).
 */
export const DEFAULT_THRESHOLDS: Readonly<NoveltyThresholds> = Object.freeze({
	lexical: Object.freeze({ nearDuplicate: 0.5, duplicate: 0.9 }),
	semantic: Object.freeze({ nearDuplicate: 0.8, duplicate: 0.95 }),
});

/** Thrown for thresholds out of range or out of order. */
export class NoveltyThresholdError extends RangeError {
	override readonly name = 'NoveltyThresholdError';
}

/**
 * Merges user thresholds over the defaults and validates them: every value a
 * finite number, 0 < nearDuplicate ≤ duplicate ≤ 1. With an embedder that
 * carries calibrated `semanticThresholds` (the offline embedder), those
 * replace the default semantic pair; the user's values still win.
 */
export function resolveThresholds(input: NoveltyThresholdsInput = {}, embedder?: Pick<Embedder, 'semanticThresholds'> | null): NoveltyThresholds {
	const out: NoveltyThresholds = {
		lexical: { ...DEFAULT_THRESHOLDS.lexical, ...stripUndefined(input.lexical) },
		semantic: { ...DEFAULT_THRESHOLDS.semantic, ...stripUndefined(embedder?.semanticThresholds), ...stripUndefined(input.semantic) },
	};
	for (const kind of ['lexical', 'semantic'] as const) {
		const { nearDuplicate, duplicate } = out[kind];
		for (const [name, value] of [['nearDuplicate', nearDuplicate], ['duplicate', duplicate]] as const) {
			if (typeof value !== 'number' || !Number.isFinite(value)) throw new NoveltyThresholdError(`${kind}.${name} must be a number, got ${String(value)}.`);
			if (value <= 0 || value > 1) throw new NoveltyThresholdError(`${kind}.${name} must be greater than 0 and at most 1, got ${value}.`);
		}
		if (nearDuplicate > duplicate) throw new NoveltyThresholdError(`${kind}.nearDuplicate (${nearDuplicate}) must not exceed ${kind}.duplicate (${duplicate}).`);
	}
	return out;
}

function stripUndefined<T extends object>(o: T | undefined): Partial<T> {
	if (!o) return {};
	return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

const LEVEL: Record<Verdict, number> = { novel: 0, near_duplicate: 1, duplicate: 2 };
/** The verdicts by level (0 novel, 1 near-duplicate, 2 duplicate). */
export const VERDICTS: readonly Verdict[] = ['novel', 'near_duplicate', 'duplicate'];

/** The level of a verdict (its index in VERDICTS). */
export function verdictLevel(verdict: Verdict): number {
	return LEVEL[verdict];
}

/** Verdict level (0 novel, 1 near-duplicate, 2 duplicate) of one pair. */
export function pairLevel(lexical: number, semantic: number | null, t: NoveltyThresholds): number {
	if (lexical >= t.lexical.duplicate || (semantic !== null && semantic >= t.semantic.duplicate)) return 2;
	if (lexical >= t.lexical.nearDuplicate || (semantic !== null && semantic >= t.semantic.nearDuplicate)) return 1;
	return 0;
}

/** Verdict of one pair of scores. */
export function pairVerdict(lexical: number, semantic: number | null, t: NoveltyThresholds = resolveThresholds()): Verdict {
	return VERDICTS[pairLevel(lexical, semantic, t)]!;
}

/** max(lexical / L.near, semantic / S.near): ≥ 1 exactly when the pair is flagged. Never negative. */
export function closeness(lexical: number, semantic: number | null, t: NoveltyThresholds): number {
	const l = lexical / t.lexical.nearDuplicate;
	return semantic === null ? l : Math.max(l, semantic / t.semantic.nearDuplicate);
}

/** How close the nearest copy is: `lexical 0.91, semantic 0.95` (the lexical score alone without vectors). */
export function similarityText(m: { lexical: number; semantic: number | null }): string {
	return `lexical ${m.lexical.toFixed(2)}${m.semantic === null ? '' : `, semantic ${m.semantic.toFixed(2)}`}`;
}

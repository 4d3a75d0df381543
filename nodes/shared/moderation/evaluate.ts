/**
 * Per-class precision and recall of a classifier against labelled comments,
 * and a fixed-width table of them: used by the unit tests (offline
 * classifier) and the benchmark (LLM path against the sandbox).
 */
import { INTENTS, type Intent } from './classify';

export interface ClassScore {
	intent: Intent;
	/** Labelled with this intent. */
	support: number;
	/** Predicted as this intent. */
	predicted: number;
	truePositives: number;
	/** `null` when nothing was predicted as this intent. */
	precision: number | null;
	/** `null` when nothing is labelled with this intent. */
	recall: number | null;
	f1: number | null;
}

export interface EvaluationReport {
	total: number;
	accuracy: number;
	perClass: ClassScore[];
	/** `confusion[expected][predicted]` counts. */
	confusion: Record<Intent, Record<Intent, number>>;
}

/** Scores predictions against labels, pair by pair. */
export function evaluate(pairs: ReadonlyArray<{ expected: Intent; predicted: Intent }>): EvaluationReport {
	const confusion = Object.fromEntries(INTENTS.map((e) => [e, Object.fromEntries(INTENTS.map((p) => [p, 0]))])) as Record<Intent, Record<Intent, number>>;
	let correct = 0;
	for (const { expected, predicted } of pairs) {
		confusion[expected][predicted]++;
		if (expected === predicted) correct++;
	}
	const perClass = INTENTS.map((intent): ClassScore => {
		const tp = confusion[intent][intent];
		const support = INTENTS.reduce((s, p) => s + confusion[intent][p], 0);
		const predicted = INTENTS.reduce((s, e) => s + confusion[e][intent], 0);
		const precision = predicted ? tp / predicted : null;
		const recall = support ? tp / support : null;
		const f1 = precision !== null && recall !== null && precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : null;
		return { intent, support, predicted, truePositives: tp, precision, recall, f1 };
	});
	return { total: pairs.length, accuracy: pairs.length ? correct / pairs.length : 0, perClass, confusion };
}

const fmt = (v: number | null) => (v === null ? '   - ' : v.toFixed(2).padStart(5));

/** The report as a plain-text table. */
export function formatReport(title: string, r: EvaluationReport): string {
	const lines = [
		`${title} (${r.total} comments, accuracy ${(r.accuracy * 100).toFixed(1)}%)`,
		`${'intent'.padEnd(18)} ${'support'.padStart(7)} ${'pred'.padStart(5)} ${'prec'.padStart(5)} ${'recall'.padStart(6)} ${'f1'.padStart(5)}`,
		...r.perClass.map((c) => `${c.intent.padEnd(18)} ${String(c.support).padStart(7)} ${String(c.predicted).padStart(5)} ${fmt(c.precision)} ${fmt(c.recall).padStart(6)} ${fmt(c.f1)}`),
	];
	return lines.join('\n');
}

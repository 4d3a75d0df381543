// The generation prompt carries the account's own variants' best/worst lines when there are any, and is unchanged otherwise.
import assert from 'node:assert/strict';
import { describe, test } from 'vitest';
import { buildMessages, groundingForPrompt, platformRules, PolicyLinter, learnFromVariants, selectGrounding, withVariantResults, type PerformanceRecord, type VariantResultRow } from '../../nodes/shared/creative';

const row = (id: string, headline: string, angle: string, impressions: number, clicks: number, spend: number, conversions: number, revenue: number | null): VariantResultRow => ({
	variant_id: id,
	platform: 'meta',
	account_id: 'act-1',
	campaign_id: 'c',
	copy_angle: angle,
	headline,
	primary_text: null,
	description: null,
	platform_ad_id: id,
	published_at: null,
	ad_id: id,
	currency: 'EUR',
	days: 3,
	spend,
	impressions,
	clicks,
	conversions,
	revenue,
});

const campaigns: PerformanceRecord[] = [
	{ kind: 'campaign', id: 'k1', label: 'Winter', currency: 'EUR', spend: 1000, impressions: 50_000, clicks: 900, conversions: 60, revenue: 3000 },
	{ kind: 'campaign', id: 'k2', label: 'Spring', currency: 'EUR', spend: 1000, impressions: 50_000, clicks: 900, conversions: 60, revenue: 1000 },
];

describe('creative prompt with the variants own results', () => {
	const base = selectGrounding(campaigns, { metric: 'roas' });
	const learning = learnFromVariants([row('1', 'Save 3 hours a week', 'time saved', 5000, 150, 100, 10, 400), row('2', 'Less admin', 'time saved', 4000, 40, 80, 5, 100), row('3', 'Done by lunch', 'time saved', 300, 2, 5, 0, null)]);

	test('the grounding block gains the best/worst lines, the rest is identical', () => {
		const before = groundingForPrompt(base);
		const after = groundingForPrompt(withVariantResults(base, learning));
		const { own_variants_by_angle: own, ...rest } = after as { own_variants_by_angle: string[] };
		assert.deepEqual(rest, before);
		assert.deepEqual(own, [
			'angle "time saved", best by CTR: "Save 3 hours a week" (CTR 3 %, 5,000 impressions, 150 clicks)',
			'angle "time saved", worst by CTR: "Less admin" (CTR 1 %, 4,000 impressions, 40 clicks)',
			'angle "time saved", best by CPA: "Save 3 hours a week" (CPA 10.00 EUR, 10 conversions, 100.00 EUR spent)',
			'angle "time saved", worst by CPA: "Less admin" (CPA 16.00 EUR, 5 conversions, 80.00 EUR spent)',
			'angle "time saved", best by ROAS: "Save 3 hours a week" (ROAS 4, 10 conversions, 100.00 EUR spent)',
			'angle "time saved", worst by ROAS: "Less admin" (ROAS 1.25, 5 conversions, 80.00 EUR spent)',
			'angle "time saved", information missing (too little volume to rank): "Done by lunch"',
		]);
		// no published variant: no extra key at all
		assert.deepEqual(groundingForPrompt(withVariantResults(base, learnFromVariants([]))), before);
		assert.deepEqual(groundingForPrompt(withVariantResults(base, null)), before);
	});

	test('row order does not matter (the view returns rows in any order): same angles, spellings, ranking', () => {
		const rows = [row('1', 'A', 'Time saved', 5000, 150, 100, 10, 400), row('2', 'B', 'time saved', 4000, 40, 80, 5, 100), row('3', 'C', ' time saved', 3000, 60, 50, 6, 90), row('4', 'D', 'Proof', 2000, 50, 20, 5, 40)];
		const once = learnFromVariants(rows);
		assert.deepEqual(learnFromVariants([...rows].reverse()), once);
		assert.deepEqual(learnFromVariants([rows[2], rows[0], rows[3], rows[1]]), once);
		assert.deepEqual(
			once.angles.map((a) => [a.angle, a.variants]),
			[
				['Proof', 1],
				['time saved', 3],
			],
		);
	});

	test('the prompt text sent to the model includes the lines', () => {
		const input = { brief: 'Invoicing app for shop owners', platform: 'meta' as const, count: 2, maxAttempts: 1 };
		const text = (grounding: typeof base) => buildMessages({ ...input, grounding }, platformRules('meta'), new PolicyLinter(), { repairs: [], fresh: 2 }).map((m) => String(m.content)).join('\n');
		const withLines = text(withVariantResults(base, learning));
		const without = text(base);
		assert.ok(withLines.includes('best by CTR: \\"Save 3 hours a week\\" (CTR 3 %'), withLines);
		assert.ok(withLines.includes('information missing (too little volume to rank): \\"Done by lunch\\"'), withLines);
		assert.ok(!without.includes('best by CTR'));
		// the rest of the prompt is the same text
		assert.equal(withLines.replace(/,"own_variants_by_angle":\[[^\]]*\]/, ''), without);
	});
});

import assert from 'node:assert/strict';
import { describe, test } from 'vitest';
import fc from 'fast-check';
import { GroundingError, groundingForPrompt, selectGrounding, type PerformanceRecord } from '../../nodes/shared/creative';

const v = (id: string, spend: number, impressions: number, clicks: number, conversions: number, revenue: number | null = null, extra: Partial<PerformanceRecord> = {}): PerformanceRecord => ({
	kind: 'variant',
	id,
	copy: { headline: `Headline ${id}` },
	currency: 'USD',
	spend,
	impressions,
	clicks,
	conversions,
	revenue,
	...extra,
});
const c = (id: string, spend: number, impressions: number, clicks: number, conversions: number, revenue: number | null = null): PerformanceRecord => ({
	kind: 'campaign',
	id,
	label: `Campaign ${id}`,
	currency: 'USD',
	spend,
	impressions,
	clicks,
	conversions,
	revenue,
});

describe('creative grounding: best and worst by metric', () => {
	test('ROAS: higher is better, with numbers, minimum volume filtered', () => {
		const g = selectGrounding(
			[
				v('a', 100, 5000, 100, 10, 400), // 4
				v('b', 100, 5000, 100, 10, 200), // 2
				v('c', 100, 5000, 100, 10, 600), // 6
				v('d', 100, 5000, 100, 10, 50), // 0.5
				v('tiny', 1, 200, 5, 5, 100), // ROAS 100 but 200 impressions: below minimum
				v('few', 100, 5000, 100, 2, 900), // 2 conversions: below minimum for ROAS
				v('norev', 100, 5000, 100, 10, null), // no revenue: no ROAS
				c('k1', 1000, 50_000, 900, 60, 3000),
				c('k2', 1000, 50_000, 900, 60, 1000),
			],
			{ metric: 'roas', perKind: 2 },
		);
		assert.equal(g.lowerIsBetter, false);
		assert.deepEqual(g.variants.best.map((e) => [e.id, e.value]), [
			['c', 6],
			['a', 4],
		]);
		assert.deepEqual(g.variants.worst.map((e) => [e.id, e.value]), [
			['d', 0.5],
			['b', 2],
		]);
		assert.deepEqual(g.campaigns.best.map((e) => [e.id, e.roas, e.label]), [['k1', 3, 'Campaign k1']]);
		assert.deepEqual(g.campaigns.worst.map((e) => e.id), ['k2']);
		assert.deepEqual(g.skipped, { belowMinimum: 2, noMetric: 1, invalid: 0 });
		const best = g.variants.best[0];
		assert.deepEqual([best.spend, best.impressions, best.clicks, best.conversions, best.revenue, best.ctr, best.cpa], [100, 5000, 100, 10, 600, 0.02, 10]);
	});

	test('CPA: lower is better', () => {
		const g = selectGrounding([v('cheap', 50, 2000, 40, 10), v('mid', 100, 2000, 40, 10), v('dear', 300, 2000, 40, 10), v('free', 0, 2000, 40, 10)], { metric: 'cpa', perKind: 1 });
		assert.equal(g.lowerIsBetter, true);
		assert.deepEqual(g.variants.best.map((e) => [e.id, e.value]), [['free', 0]]);
		assert.deepEqual(g.variants.worst.map((e) => [e.id, e.value]), [['dear', 30]]);
	});

	test('CTR: only impressions matter for the minimum by default', () => {
		const g = selectGrounding([v('hi', 10, 1000, 50, 0), v('lo', 10, 1000, 5, 0), v('short', 10, 999, 500, 0)], { metric: 'ctr' });
		assert.deepEqual(g.variants.best.map((e) => [e.id, e.value]), [['hi', 0.05]]);
		assert.deepEqual(g.variants.worst.map((e) => [e.id, e.value]), [['lo', 0.005]]);
		assert.equal(g.skipped.belowMinimum, 1);
		const lowered = selectGrounding([v('short', 10, 999, 500, 0)], { metric: 'ctr', minimum: { impressions: 100 } });
		assert.deepEqual(lowered.variants.best.map((e) => e.id), ['short']);
	});

	test('daily rows of one entity are summed and the metric computed from totals, not averaged', () => {
		// day 1 ROAS 10 on 10 spend, day 2 ROAS 1 on 990 spend: total ROAS 1.09, not the mean 5.5
		const g = selectGrounding([v('x', 10, 600, 10, 3, 100), v('x', 990, 600, 10, 3, 990), v('y', 100, 2000, 10, 5, 200)], { metric: 'roas' });
		const x = [...g.variants.best, ...g.variants.worst].find((e) => e.id === 'x')!;
		assert.deepEqual([x.spend, x.impressions, x.conversions, x.revenue, x.value], [1000, 1200, 6, 1090, 1.09]);
		assert.deepEqual(g.variants.best.map((e) => e.id), ['y']);
	});

	test('best and worst never overlap and ties are stable', () => {
		const one = selectGrounding([v('only', 100, 5000, 10, 10, 100)], { metric: 'roas' });
		assert.deepEqual([one.variants.best.map((e) => e.id), one.variants.worst.map((e) => e.id)], [['only'], []]);
		const tie = selectGrounding([v('b', 100, 5000, 10, 10, 100), v('a', 100, 5000, 10, 10, 100), v('big', 100, 9000, 10, 10, 100)], { metric: 'roas' });
		assert.deepEqual(tie.variants.best.map((e) => e.id), ['big', 'a']);
		assert.deepEqual(tie.variants.worst.map((e) => e.id), ['b']);
	});

	test('property: best and worst are disjoint, within perKind, and every best is at least as good as every worst', () => {
		const record = fc.record({
			id: fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'),
			spend: fc.integer({ min: 0, max: 1000 }),
			impressions: fc.integer({ min: 0, max: 20_000 }),
			clicks: fc.integer({ min: 0, max: 500 }),
			conversions: fc.integer({ min: 0, max: 50 }),
			revenue: fc.option(fc.integer({ min: 0, max: 5000 })),
		});
		fc.assert(
			fc.property(fc.array(record, { maxLength: 20 }), fc.constantFrom('roas', 'cpa', 'ctr') as fc.Arbitrary<'roas' | 'cpa' | 'ctr'>, fc.integer({ min: 1, max: 4 }), (rows, metric, perKind) => {
				const g = selectGrounding(
					rows.map((r) => v(r.id, r.spend, r.impressions, r.clicks, r.conversions, r.revenue)),
					{ metric, perKind },
				);
				const best = g.variants.best;
				const worst = g.variants.worst;
				assert.ok(best.length <= perKind && worst.length <= perKind);
				assert.equal(new Set([...best, ...worst].map((e) => e.id)).size, best.length + worst.length);
				for (const b of best) for (const w of worst) assert.ok(metric === 'cpa' ? b.value <= w.value : b.value >= w.value);
				for (const e of [...best, ...worst]) assert.ok(e.impressions >= 1000 && Number.isFinite(e.value));
			}),
			{ numRuns: 200 },
		);
	});

	test('invalid records are skipped and counted; bad options are errors', () => {
		const g = selectGrounding([v('neg', -5, 5000, 10, 10, 50), v('nan', 10, Number.NaN, 10, 10, 50), { ...v('x', 10, 5000, 10, 10), id: '' }], { metric: 'roas' });
		assert.equal(g.skipped.invalid, 3);
		assert.throws(() => selectGrounding([], { metric: 'cpc' as never }), GroundingError);
		assert.throws(() => selectGrounding([], { metric: 'roas', perKind: 0 }), /perKind/);
	});

	test('CPA across currencies is refused; ROAS across currencies is fine', () => {
		const rows = [v('usd', 100, 5000, 10, 10, 300), v('eur', 100, 5000, 10, 10, 200, { currency: 'EUR' })];
		assert.throws(() => selectGrounding(rows, { metric: 'cpa' }), /CPA across currencies \(EUR, USD\)/);
		assert.equal(selectGrounding(rows, { metric: 'roas' }).variants.best[0].id, 'usd');
	});

	test('for the prompt: compact, rounded, kind-specific', () => {
		const g = selectGrounding([v('a', 123.456, 5000, 77, 10, 400), c('k', 1000, 30_000, 300, 40, 2500)], { metric: 'roas' });
		const p = groundingForPrompt(g) as { ranked_by: string; best_variants: Array<Record<string, unknown>>; best_campaigns: Array<Record<string, unknown>> };
		assert.equal(p.ranked_by, 'ROAS = revenue / spend, higher is better');
		assert.deepEqual(p.best_variants[0], {
			copy: { headline: 'Headline a', primaryText: null, description: null },
			spend: 123.46,
			currency: 'USD',
			impressions: 5000,
			clicks: 77,
			conversions: 10,
			revenue: 400,
			ctr_percent: 1.54,
			cpa: 12.35,
			roas: 3.24,
		});
		assert.equal(p.best_campaigns[0].campaign, 'Campaign k');
	});
});

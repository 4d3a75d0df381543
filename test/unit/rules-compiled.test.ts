/**
 * The fast paths of one run against the plain definitions they replace:
 * scope matchers and globs compiled per rule, number formatting, window sums
 * written into reused objects, the index read from columns, and the verdict
 * of compiled conditions (a default run lists exactly the decisions a 'full'
 * run lists, minus the no_match ones).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'vitest';
import fc from 'fast-check';
import {
	buildMetricIndex,
	dayNumber,
	dayString,
	evaluate,
	fmt,
	globMatch,
	parseRule,
	scopeMiss,
	windowSums,
	type CommentSignalRowInput,
	type EntityInput,
	type MetricColumns,
	type MetricRowInput,
	type ScopeTarget,
} from '../../nodes/shared/rules';
import { emptySums, windowSumsInto } from '../../nodes/shared/rules/metrics';
import { compileGlob, compileScope } from '../../nodes/shared/rules/scope';

/** fmt as it was written before the fast path (the reference). */
function fmtReference(n: number): string {
	if (!Number.isFinite(n)) return 'undefined';
	if (Number.isInteger(n)) return String(n);
	const r = Math.round(n * 10_000) / 10_000;
	return r === 0 ? '0' : String(r);
}

describe('rules fast paths: formatting and name patterns', () => {
	test('property: fmt writes what String(Math.round(n × 10^4) / 10^4) writes, at every magnitude', () => {
		const magnitude = fc.integer({ min: -8, max: 18 }).chain((e) => fc.double({ min: -(10 ** e), max: 10 ** e, noNaN: true }));
		const cents = fc.integer({ min: -1e12, max: 1e12 }).map((c) => c / 100);
		const near = fc.integer({ min: -1e13, max: 1e13 }).chain((k) => fc.constantFrom(k / 1e4, k / 1e4 + 5e-5, k / 1e4 - 5e-5, (k + 0.5) / 1e4));
		fc.assert(
			fc.property(fc.oneof(magnitude, cents, near), (n) => {
				assert.equal(fmt(n), fmtReference(n), String(n));
			}),
			{ numRuns: 20_000 },
		);
		for (const n of [0.1 + 0.2, -0.00005, 0.00005, 0.00004999, 999999999.99995, 99999.99995, -1.5, 1e12 + 0.5, 5e12 + 0.25, -5e12 - 0.3, 1e-10, -0, Number.MAX_VALUE, -Number.MIN_VALUE]) assert.equal(fmt(n), fmtReference(n), String(n));
		assert.equal(fmt(null), 'undefined');
		assert.equal(fmt(Number.NaN), 'undefined');
	});

	test('property: a compiled glob matches exactly what globMatch matches', () => {
		const patternArb = fc.array(fc.constantFrom('a', 'b', '*', '?', '.', '|'), { maxLength: 8 }).map((p) => p.join(''));
		const textArb = fc.array(fc.constantFrom('a', 'b', '.', '|', 'é'), { maxLength: 10 }).map((t) => t.join(''));
		fc.assert(
			fc.property(patternArb, textArb, (pattern, text) => {
				assert.equal(compileGlob(pattern)(text), globMatch(pattern, text), `${pattern} / ${text}`);
			}),
			{ numRuns: 20_000 },
		);
	});

	test('property: a compiled scope lets in exactly the entities scopeMiss lets in', () => {
		const id = fc.constantFrom('a', 'b', 'c');
		const scopeArb = fc.record(
			{
				platforms: fc.subarray(['meta', 'google_ads', 'linkedin', 'klaviyo'], { minLength: 1 }),
				accountIds: fc.uniqueArray(id, { minLength: 1, maxLength: 3 }),
				campaignIds: fc.uniqueArray(id, { minLength: 1, maxLength: 3 }),
				currencies: fc.subarray(['USD', 'EUR', 'JPY'], { minLength: 1 }),
				labels: fc.uniqueArray(id, { minLength: 1, maxLength: 3 }),
				excludeLabels: fc.uniqueArray(id, { minLength: 1, maxLength: 3 }),
				name: fc.oneof(
					fc.record({ glob: fc.constantFrom('*brand*', 'Brand*', '*US', 'b?and*', '*', 'brand | us', '*a*n*'), caseSensitive: fc.boolean() }),
					fc.record({ regex: fc.constantFrom('^brand', 'US$', 'b.and'), caseSensitive: fc.boolean() }),
				),
			},
			{ requiredKeys: [] },
		);
		const targetArb = fc.record({
			platform: fc.constantFrom('meta', 'google_ads', 'linkedin'),
			accountId: id,
			campaignId: id,
			name: fc.option(fc.constantFrom('Brand | US', 'brand | us', 'Prospecting | DE', 'BRAND', 'xbrandx', 'İstanbul brand'), { nil: null }),
			labels: fc.uniqueArray(id, { maxLength: 2 }),
			metricCurrency: fc.option(fc.constantFrom('USD', 'EUR'), { nil: null }),
		});
		fc.assert(
			fc.property(scopeArb, fc.array(targetArb, { minLength: 1, maxLength: 4 }), (scopeInput, targets) => {
				const scope = parseRule({ id: 'r', name: 'r', scope: scopeInput, conditions: { metric: 'spend', window: 'yesterday', op: '>', value: 0 }, action: { type: 'notify' } }).scope;
				const inScope = compileScope(scope);
				// one matcher over several targets (the lowercased name is kept on each target)
				for (const t of targets as ScopeTarget[]) {
					assert.equal(inScope(t), scopeMiss(scope, t) === null);
					assert.equal(inScope(t), scopeMiss(scope, t) === null, 'again, with the cached lowercased name');
				}
			}),
			{ numRuns: 3_000 },
		);
	});
});

const money = fc.integer({ min: 0, max: 10_000_000 }).map((c) => c / 100);

function toColumns(rows: MetricRowInput[]): MetricColumns {
	const pick = <K extends keyof MetricRowInput>(k: K) => rows.map((r) => r[k] as never);
	return {
		length: rows.length,
		columns: {
			date: pick('date'),
			platform: pick('platform'),
			account_id: pick('account_id'),
			campaign_id: pick('campaign_id'),
			currency: pick('currency'),
			spend: pick('spend'),
			impressions: pick('impressions'),
			clicks: pick('clicks'),
			conversions: pick('conversions'),
			revenue: pick('revenue'),
			leads: pick('leads'),
		},
	};
}

describe('rules fast paths: the index', () => {
	test('property: window sums written into a reused object equal windowSums', () => {
		const base = dayNumber('2025-05-01');
		const rowArb = fc.record({ day: fc.integer({ min: 0, max: 30 }), campaign: fc.constantFrom('a', 'b'), spend: money, clicks: fc.integer({ min: 0, max: 900 }), revenue: fc.option(money, { nil: null }), leads: fc.option(fc.integer({ min: 0, max: 50 }), { nil: null }) });
		const signalArb = fc.record({ day: fc.integer({ min: 0, max: 30 }), campaign: fc.constantFrom('a', 'b'), ad: fc.constantFrom('x', 'y'), comments: fc.integer({ min: 0, max: 40 }) });
		fc.assert(
			fc.property(
				fc.uniqueArray(rowArb, { selector: (r) => `${r.campaign}${r.day}`, maxLength: 40 }),
				fc.uniqueArray(signalArb, { selector: (s) => `${s.ad}${s.day}`, maxLength: 20 }),
				fc.array(fc.tuple(fc.integer({ min: -3, max: 33 }), fc.integer({ min: -2, max: 35 })), { minLength: 1, maxLength: 8 }),
				(raw, signals, windows) => {
					const rows = raw.map((r) => ({ date: dayString(base + r.day), platform: 'meta', account_id: 'A', campaign_id: r.campaign, currency: 'USD', spend: r.spend, impressions: 0, clicks: r.clicks, conversions: 0, revenue: r.revenue, leads: r.leads }));
					const signalRows: CommentSignalRowInput[] = signals.map((s) => ({ date: dayString(base + s.day), platform: 'meta', account_id: 'A', campaign_id: s.campaign, ad_id: s.ad, comments: s.comments, negative_comments: Math.floor(s.comments / 2), abusive_comments: Math.floor(s.comments / 3) }));
					const idx = buildMetricIndex(rows, signalRows);
					const out = emptySums();
					for (const c of ['a', 'b', 'none']) {
						for (const [start, len] of windows) {
							const series = idx.series.get(`meta|A|${c}`);
							const comments = idx.comments.get(`meta|A|${c}`);
							assert.deepEqual({ ...windowSumsInto(out, series, base + start, base + start + len, comments) }, { ...windowSums(series, base + start, base + start + len, comments) });
							assert.deepEqual({ ...windowSumsInto(out, series, base + start, base + start + len) }, { ...windowSums(series, base + start, base + start + len) });
						}
					}
				},
			),
			{ numRuns: 300 },
		);
	});

	test('property: columns give the index rows give: sums, currencies, rejected rows and reasons', () => {
		const value = fc.oneof(
			{ weight: 8, arbitrary: money },
			fc.constantFrom<number | string | null>(null, '12.5', '7', -1, 'many', '', ' ', Number.NaN, Number.POSITIVE_INFINITY, 1e303, 2 ** 53),
		);
		const rowArb = fc.record({
			day: fc.integer({ min: 0, max: 12 }),
			campaign: fc.constantFrom('a', 'b', 'c', ''),
			currency: fc.constantFrom('USD', 'USD', 'USD', 'EUR', 'usd'),
			date: fc.constantFrom<string | null>(null, null, null, null, null, null, '2025-02-30', 'junk'),
			spend: value,
			impressions: fc.oneof({ weight: 8, arbitrary: fc.integer({ min: 0, max: 5000 }) }, value),
			clicks: fc.integer({ min: 0, max: 300 }),
			conversions: value,
			revenue: value,
			leads: value,
		});
		const base = dayNumber('2025-06-01');
		fc.assert(
			fc.property(fc.uniqueArray(rowArb, { selector: (r) => `${r.campaign}${r.day}`, maxLength: 50 }), (raw) => {
				const rows = raw.map((r) => ({ date: r.date ?? dayString(base + r.day), platform: 'meta', account_id: 'A', campaign_id: r.campaign, currency: r.currency, spend: r.spend, impressions: r.impressions, clicks: r.clicks, conversions: r.conversions, revenue: r.revenue, leads: r.leads })) as MetricRowInput[];
				const a = buildMetricIndex(rows);
				const b = buildMetricIndex(toColumns(rows));
				assert.deepEqual(b.rejected, a.rejected);
				assert.deepEqual([...b.series.keys()].sort(), [...a.series.keys()].sort());
				for (const [key, s] of a.series) {
					const t = b.series.get(key)!;
					assert.deepEqual([t.currency, t.currencies, [...t.days]], [s.currency, s.currencies, [...s.days]]);
					for (let lo = base - 1; lo <= base + 13; lo += 3) assert.deepEqual(windowSums(t, lo, lo + 4), windowSums(s, lo, lo + 4));
				}
			}),
			{ numRuns: 400 },
		);
	});

	test('property: account sums equal brute-force sums over the rows (campaigns with data, with signal rows, currency)', () => {
		const base = dayNumber('2025-05-01');
		const rowArb = fc.record({ day: fc.integer({ min: 0, max: 20 }), campaign: fc.constantFrom('a', 'b', 'c', 'd'), currency: fc.constantFrom('USD', 'USD', 'USD', 'EUR'), spend: money, clicks: fc.integer({ min: 0, max: 900 }) });
		const signalArb = fc.record({ day: fc.integer({ min: 0, max: 20 }), campaign: fc.constantFrom('a', 'c', 'e'), comments: fc.integer({ min: 0, max: 40 }) });
		fc.assert(
			fc.property(
				fc.uniqueArray(rowArb, { selector: (r) => `${r.campaign}${r.day}`, maxLength: 40 }),
				fc.uniqueArray(signalArb, { selector: (s) => `${s.campaign}${s.day}`, maxLength: 20 }),
				fc.integer({ min: -2, max: 22 }),
				fc.integer({ min: 0, max: 10 }),
				(raw, signals, start, len) => {
					const rows = raw.map((r) => ({ date: dayString(base + r.day), platform: 'meta', account_id: 'A', campaign_id: r.campaign, currency: r.currency, spend: r.spend, impressions: 0, clicks: r.clicks, conversions: 0, revenue: null, leads: null }));
					const signalRows: CommentSignalRowInput[] = signals.map((s) => ({ date: dayString(base + s.day), platform: 'meta', account_id: 'A', campaign_id: s.campaign, ad_id: `${s.campaign}-ad`, comments: s.comments, negative_comments: 0, abusive_comments: 0 }));
					const lo = base + start;
					const hi = lo + len;
					const got = buildMetricIndex(rows, signalRows).accountWindow('meta|A', lo, hi);
					const inRows = raw.filter((r) => base + r.day >= lo && base + r.day <= hi);
					const inSignals = signals.filter((s) => base + s.day >= lo && base + s.day <= hi);
					if (raw.length === 0 && signals.length === 0) return assert.equal(got, null);
					assert.ok(got);
					// a campaign with rows in the window brings the currencies of all its rows (a campaign mixing them is not evaluated anyway)
					const active = new Set(inRows.map((r) => r.campaign));
					const currencies = new Set(raw.filter((r) => active.has(r.campaign)).map((r) => r.currency));
					assert.equal(got.campaigns, new Set(inRows.map((r) => r.campaign)).size);
					assert.equal(got.campaignsWithAnyData, new Set([...inRows.map((r) => r.campaign), ...inSignals.map((s) => s.campaign)]).size);
					assert.equal(got.currency, currencies.size === 1 ? [...currencies][0] : null);
					assert.equal(got.sums.rows, inRows.length);
					assert.equal(got.sums.clicks, inRows.reduce((t, r) => t + r.clicks, 0));
					assert.equal(got.sums.spend, inRows.reduce((t, r) => t + Math.round(r.spend * 1e6), 0) / 1e6);
					assert.equal(got.sums.comments, inSignals.reduce((t, s) => t + s.comments, 0));
				},
			),
			{ numRuns: 400 },
		);
	});

	test('rows out of day order are sorted per campaign; a duplicate day is refused from columns too', () => {
		const row = (date: string, spend: number): MetricRowInput => ({ date, platform: 'meta', account_id: 'A', campaign_id: 'c', currency: 'USD', spend, impressions: 0, clicks: 0, conversions: 0, revenue: null, leads: null });
		const idx = buildMetricIndex(toColumns([row('2025-06-03', 3), row('2025-06-01', 1), row('2025-06-02', 2)]));
		assert.deepEqual([...idx.series.get('meta|A|c')!.days].map(dayString), ['2025-06-01', '2025-06-02', '2025-06-03']);
		assert.equal(windowSums(idx.series.get('meta|A|c'), dayNumber('2025-06-01'), dayNumber('2025-06-02')).spend, 3);
		assert.throws(() => buildMetricIndex(toColumns([row('2025-06-01', 1), row('2025-06-02', 2), row('2025-06-01', 3)])), /two metric rows for meta\|A\|c on 2025-06-01/);
	});
});

describe('rules fast paths: compiled conditions', () => {
	const NOW = '2025-06-11T10:00:00Z';
	const windowArb = fc.constantFrom('today', 'yesterday', 'last_3_days', 'last_7_days', 'lifetime');
	const metricArb = fc.constantFrom('spend', 'clicks', 'revenue', 'leads', 'ctr', 'cpc', 'cpa', 'cpl', 'roas', 'comments', 'abusive_comment_share', 'negative_comments');
	const leafArb = fc
		.record({
			metric: metricArb,
			window: windowArb,
			compareTo: fc.constantFrom(undefined, undefined, 'previous_window', 'account_average'),
			op: fc.constantFrom('>', '>=', '<', '<=', 'between'),
			value: fc.constantFrom(0, 0.02, 0.3, 1, 5, 40, 200),
			ifUndefined: fc.constantFrom(undefined, 'match'),
		})
		.map((l) => {
			const leaf: Record<string, unknown> = { metric: l.metric, window: l.compareTo === 'previous_window' && l.window === 'lifetime' ? 'last_3_days' : l.window, op: l.op };
			if (l.op === 'between') Object.assign(leaf, { min: l.value / 2, max: l.value * 2 });
			else leaf.value = l.value;
			if (l.compareTo) leaf.compareTo = l.compareTo;
			if (l.ifUndefined) leaf.ifUndefined = l.ifUndefined;
			return leaf;
		});
	const conditionArb = fc.oneof(leafArb, fc.record({ all: fc.array(leafArb, { minLength: 1, maxLength: 3 }) }), fc.record({ any: fc.array(fc.oneof(leafArb, fc.record({ all: fc.array(leafArb, { minLength: 1, maxLength: 2 }) })), { minLength: 1, maxLength: 3 }) }));
	const ruleArb = fc.record({
		conditions: conditionArb,
		action: fc.constantFrom({ type: 'notify' }, { type: 'pause' }, { type: 'enable' }, { type: 'scale_budget', percent: 10 }, { type: 'set_budget', amount: 50 }),
		priority: fc.integer({ min: 1, max: 3 }),
		scope: fc.constantFrom({}, { platforms: ['meta'] }, { name: { glob: '*b*' } }, { labels: ['x'] }, { currencies: ['EUR'] }),
	});
	const dayArb = fc.record({ spend: fc.integer({ min: 0, max: 30_000 }).map((c) => c / 100), impressions: fc.integer({ min: 0, max: 9000 }), clicks: fc.integer({ min: 0, max: 200 }), conversions: fc.integer({ min: 0, max: 9 }), revenue: fc.option(fc.integer({ min: 0, max: 90_000 }).map((c) => c / 100), { nil: null }), leads: fc.option(fc.integer({ min: 0, max: 9 }), { nil: null }), comments: fc.integer({ min: 0, max: 6 }) });
	const campaignArb = fc.record({ days: fc.array(fc.option(dayArb, { nil: null, freq: 5 }), { minLength: 16, maxLength: 16 }), paused: fc.boolean(), zone: fc.constantFrom('UTC', 'Asia/Tokyo', 'America/Los_Angeles'), account: fc.constantFrom('A', 'B'), name: fc.constantFrom('alpha', 'beta', 'Bob'), labels: fc.constantFrom([], ['x'], ['x', 'y']), euro: fc.boolean() });

	test('property: a default run lists exactly the decisions of a full run that are not no_match, with the same counts', () => {
		fc.assert(
			fc.property(fc.array(ruleArb, { minLength: 1, maxLength: 6 }), fc.array(campaignArb, { minLength: 1, maxLength: 6 }), fc.boolean(), (ruleSpecs, campaigns, includeOutOfScope) => {
				const rules = ruleSpecs.map((r, i) => ({ id: `r${i}`, name: `Rule ${i}`, ...r }));
				const entities: EntityInput[] = [];
				const metrics: MetricRowInput[] = [];
				const signals: CommentSignalRowInput[] = [];
				campaigns.forEach((c, i) => {
					const id = `c${i}`;
					entities.push({ platform: 'meta', accountId: c.account, campaignId: id, name: c.name, labels: c.labels, status: c.paused ? 'PAUSED' : 'ACTIVE', createdAt: '2025-01-01T00:00:00Z', dailyBudget: 100, currency: 'USD', timezone: c.zone });
					c.days.forEach((d, k) => {
						if (d === null) return;
						const date = new Date(Date.parse('2025-05-27') + k * 86_400_000).toISOString().slice(0, 10);
						metrics.push({ date, platform: 'meta', account_id: c.account, campaign_id: id, currency: c.euro && k === 3 ? 'EUR' : 'USD', spend: d.spend, impressions: d.impressions, clicks: d.clicks, conversions: d.conversions, revenue: d.revenue, leads: d.leads });
						if (d.comments > 0) signals.push({ date, platform: 'meta', account_id: c.account, campaign_id: id, ad_id: `${id}-ad`, comments: d.comments, negative_comments: d.comments - 1, abusive_comments: Math.floor(d.comments / 2) });
					});
				});
				const settings = { now: NOW, gates: { cooldownHours: 24, approval: { percent: 15 } }, includeOutOfScope };
				const actionable = evaluate({ rules, entities, metrics, commentSignals: signals, settings });
				const full = evaluate({ rules, entities, metrics, commentSignals: signals, settings: { ...settings, output: 'full' } });
				assert.deepEqual(actionable.summary, full.summary);
				assert.equal(JSON.stringify(actionable.decisions), JSON.stringify(full.decisions.filter((d) => d.decision !== 'no_match')));
			}),
			{ numRuns: 250 },
		);
	});
});

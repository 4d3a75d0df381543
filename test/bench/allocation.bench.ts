/**
 * Budget allocation benchmark (issue 19).
 *
 *   fit       1,000 campaigns x 180 days of simulated history (simulate.ts, not the fitted family),
 *             one conversions curve each, from arrays (the store read comes with the node);
 *   allocate  one plan over all of them (maximum conversions, total = today's, 20 % step cap);
 *   LP        the same plan as a linear program (HiGHS, 64 pieces per fitted curve, the allocator's
 *             own grid), time and objective next to the allocator's;
 *   store     the same 1,000 x 180 days written to PGlite, and to PostgreSQL (a throw-away schema) when
 *             DATABASE_URL is set (setup, not measured), then what Plan Budget does with it: one columnar
 *             read (allocation/read.ts), fit, allocate (run.ts planWithModels); printed next to the LP
 *             solve time above (same campaigns, same history);
 *   backtest  weekly plans vs flat vs oracle per seed at two conversion volumes (BENCH_SEEDS seeds).
 * Generating the history is setup, not measured. Each line: wall time, then CPU time of this process as
 * user + system and user alone; the load average (1, 5, 15 min) is printed before and after: on a shared
 * machine the wall time carries the other processes' load, the CPU time does not.
 *
 *   nice -n 10 node --import tsx test/bench/allocation.bench.ts
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/test BENCH_SEEDS=0 nice -n 10 node --import tsx test/bench/allocation.bench.ts
 * Options (env): BENCH_CAMPAIGNS (1000), BENCH_DAYS (180), BENCH_SEEDS (12; 0 skips the backtest), BENCH_STORE (1; 0 skips the store).
 */
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import highsLoader from 'highs';
import { rngFor } from '../../scripts/sandbox/rng';
import { openStoreOfKind, STORE_KINDS } from '../helpers/store-kind';
import type { RowInput } from '../../nodes/shared/schema/rows';
import { addDays } from '../../nodes/shared/ingest/dates';
import { readDailyHistory, seriesKey } from '../../nodes/shared/allocation/read';
import { backtest, fitResponse, planWithModels, generateCampaigns, planBudget, responseModel, simulateHistory, type CampaignPlanInput, type ResponseModel } from '../../nodes/shared/allocation';

const N = Number(process.env.BENCH_CAMPAIGNS ?? 1000);
const DAYS = Number(process.env.BENCH_DAYS ?? 180);
const SEEDS = Number(process.env.BENCH_SEEDS ?? 12);
const GRID = 64;
const STORE = process.env.BENCH_STORE !== '0';

/** CPU time of this process since `since`, in ms: user + system, and user alone. */
interface Cpu {
	total: number;
	user: number;
}
function cpuMs(since: NodeJS.CpuUsage): Cpu {
	const u = process.cpuUsage(since);
	return { total: (u.user + u.system) / 1000, user: u.user / 1000 };
}
const plus = (a: Cpu, b: Cpu): Cpu => ({ total: a.total + b.total, user: a.user + b.user });
const load = () => loadavg().map((x) => x.toFixed(2)).join(', ');

async function main(): Promise<void> {
	console.log(`load average before: ${load()}`);
	const rng = rngFor(2026, 'allocation-bench');
	const world = generateCampaigns(rng, N);
	const histories = world.map((c) => simulateHistory(rng, c, DAYS));

	const c0 = process.cpuUsage();
	const t0 = performance.now();
	const models: Array<ResponseModel | string> = histories.map((h) => responseModel(fitResponse({ firstWeekday: 0, spend: h.spend, outcome: h.conversions })));
	const fitMs = performance.now() - t0;
	const fitCpu = cpuMs(c0);
	const campaigns: CampaignPlanInput[] = world.map((c, i) => ({ id: c.id, currency: 'EUR', current: histories[i]!.budget, floor: Math.round(histories[i]!.budget * 20) / 100, conversions: models[i] }));
	const total = Math.round(campaigns.reduce((s, c) => s + c.current, 0) * 100) / 100;
	const c1 = process.cpuUsage();
	const t1 = performance.now();
	const plan = planBudget({ objective: 'conversions', totalBudget: total, currency: 'EUR', campaigns, gridPoints: GRID });
	const planMs = performance.now() - t1;
	const planCpu = cpuMs(c1);
	if (plan.status !== 'planned') throw new Error(`plan refused: ${plan.reason}`);
	const held = plan.campaigns.filter((c) => c.status === 'held').length;
	const r2 = plan.campaigns.flatMap((c) => (c.fit ? [c.fit.r2] : [])).sort((a, b) => a - b);
	const extrap = plan.campaigns.flatMap((c) => (c.extrapolatedShare !== undefined ? [c.extrapolatedShare] : []));

	// the same plan as an LP on the allocator's grid (bounds: floor, 20 % step cap, cents inwards)
	const highs = await highsLoader();
	const objective: string[] = [];
	const bounds: string[] = [];
	const vars: string[] = [];
	let atLow = 0;
	let fixed = 0;
	plan.campaigns.forEach((row, i) => {
		const m = models[i]!;
		if (typeof m !== 'object') {
			fixed += row.current;
			return;
		}
		fixed += row.low;
		atLow += m.mean(row.low);
		const w = (row.high - row.low) / GRID;
		if (!(w > 0)) return;
		for (let j = 0; j < GRID; j++) {
			const v = `y${i}_${j}`;
			const slope = (m.mean(row.low + (j + 1) * w) - m.mean(row.low + j * w)) / w;
			objective.push(`${slope >= 0 ? '+' : '-'} ${Math.abs(slope)} ${v}`);
			bounds.push(`0 <= ${v} <= ${w}`);
			vars.push(v);
		}
	});
	const lp = `Maximize\n obj: ${objective.join(' ')}\nSubject To\n budget: ${vars.join(' + ')} = ${total - fixed}\nBounds\n ${bounds.join('\n ')}\nEnd\n`;
	const c2 = process.cpuUsage();
	const t2 = performance.now();
	const sol = highs.solve(lp, { presolve: 'off' });
	const lpMs = performance.now() - t2;
	const lpCpu = cpuMs(c2);
	const planValue = plan.campaigns.reduce((s, row, i) => {
		const m = models[i]!;
		return typeof m === 'object' ? s + m.mean(row.proposed) : s;
	}, 0);
	const lpValue = atLow + sol.ObjectiveValue;

	// wall and CPU time: on a shared machine the wall time carries the other processes' load
	const line = (name: string, ms: number, cpu: Cpu, note = '') => console.log(`${name.padEnd(34)} ${ms.toFixed(0).padStart(7)} ms wall ${cpu.total.toFixed(0).padStart(7)} ms CPU (${cpu.user.toFixed(0)} user)${note ? `  ${note}` : ''}`);
	console.log(`allocation bench: ${N} campaigns x ${DAYS} days (from arrays; the store read comes with the node), ${GRID} points per curve`);
	line('fit (all campaigns)', fitMs, fitCpu, `${(fitMs / N).toFixed(2)} ms a campaign; ${held} held; R² median ${r2[Math.floor(r2.length / 2)]?.toFixed(2)}, p10 ${r2[Math.floor(r2.length / 10)]?.toFixed(2)}`);
	line('allocate (one plan)', planMs, planCpu, `${plan.campaigns.filter((c) => c.status === 'moved').length} moved; uplift ${plan.totals.uplift.value.toFixed(1)} conversions a day (95 % ${plan.totals.uplift.low.toFixed(1)} to ${plan.totals.uplift.high.toFixed(1)}); mean extrapolated share of a range ${((extrap.reduce((a, b) => a + b, 0) / extrap.length) * 100).toFixed(1)} %`);
	line('fit + allocate', fitMs + planMs, plus(fitCpu, planCpu), fitMs + planMs < 5000 ? 'under 5 s' : 'OVER 5 s (wall)');
	line(`LP (HiGHS, ${vars.length} columns)`, lpMs, lpCpu, `${sol.Status}; LP / allocator ${(lpCpu.total / planCpu.total).toFixed(1)}x CPU; LP / (fit + allocate) ${(lpCpu.total / (fitCpu.total + planCpu.total)).toFixed(2)}x CPU`);
	console.log(`objective: allocator ${planValue.toFixed(2)}, LP ${lpValue.toFixed(2)} conversions a day (allocator / LP ${((planValue / lpValue) * 100).toFixed(4)} %; envelope gap ${plan.totals.envelopeGap.toFixed(4)})`);

	// what Plan Budget does: one columnar read of the stored days, then fit and allocate (setup: writing them)
	for (const kind of STORE ? STORE_KINDS : []) {
		const opened = await openStoreOfKind(kind, 'adops-allocation-bench');
		try {
			const store = opened.store;
			const today = '2026-12-07';
			const from = addDays(today, -DAYS);
			const tw = performance.now();
			let rows: Array<RowInput<'campaign_performance'>> = [];
			for (let i = 0; i < N; i++) {
				const h = histories[i]!;
				for (let d = 0; d < DAYS; d++) rows.push({ date: addDays(from, d), platform: 'meta', account_id: 'bench', campaign_id: world[i]!.id, campaign_name: world[i]!.id, currency: 'EUR', spend: h.spend[d]!, impressions: 1000, clicks: 10, conversions: h.conversions[d]!, revenue: h.revenue[d]!, leads: 0 } as RowInput<'campaign_performance'>);
				if (rows.length >= 20_000) {
					await store.upsert('campaign_performance', rows);
					rows = [];
				}
			}
			if (rows.length > 0) await store.upsert('campaign_performance', rows);
			const writeMs = performance.now() - tw;
			const c3 = process.cpuUsage();
			const t3 = performance.now();
			const read = await readDailyHistory(store, { accounts: [{ platform: 'meta', accountId: 'bench' }], from, to: addDays(today, -1) });
			const readMs = performance.now() - t3;
			const readCpu = cpuMs(c3);
			const c4 = process.cpuUsage();
			const t4 = performance.now();
			const stored = planWithModels({
				objective: 'conversions',
				totalBudget: total,
				currency: 'EUR',
				gridPoints: GRID,
				campaigns: world.map((c, i) => {
					const ser = read.series.get(seriesKey('meta', 'bench', c.id))!;
					return { id: c.id, currency: 'EUR', current: histories[i]!.budget, floor: Math.round(histories[i]!.budget * 20) / 100, firstWeekday: 0, spend: ser.spend, conversions: ser.conversions, revenue: ser.revenue };
				}),
			});
			const fitPlanMs = performance.now() - t4;
			const fitPlanCpu = cpuMs(c4);
			if (stored.result.status !== 'planned') throw new Error(`stored plan refused: ${stored.result.reason}`);
			const same = stored.result.campaigns.every((c, i) => c.proposed === plan.campaigns[i]!.proposed);
			const all = readMs + fitPlanMs;
			console.log(`store (${kind}): ${read.rows.toLocaleString('en-US')} rows written in ${(writeMs / 1000).toFixed(1)} s (setup)`);
			line('store read (one columnar query)', readMs, readCpu);
			line('fit + allocate from the read', fitPlanMs, fitPlanCpu, `same budgets as from the arrays: ${same ? 'yes' : 'NO'}`);
			line('read + fit + allocate', all, plus(readCpu, fitPlanCpu), `${all < 5000 ? 'under 5 s' : 'OVER 5 s (wall)'}; LP solve alone ${lpMs.toFixed(0)} ms wall, ${lpCpu.total.toFixed(0)} ms CPU (LP / read + fit + allocate ${(lpCpu.total / (readCpu.total + fitPlanCpu.total)).toFixed(2)}x CPU)`);
			if (!same) process.exitCode = 1;
		} finally {
			await opened.close();
		}
	}
	console.log(`load average after the plans: ${load()}`);

	if (SEEDS > 0) {
		const worlds = [
			{ volume: 1, dispersion: [5, 50] as const, median: 6 },
			{ volume: 2, dispersion: [5, 50] as const, median: 12 },
			{ volume: 4, dispersion: [20, 100] as const, median: 25 },
		];
		for (const { volume, dispersion, median } of worlds) {
			const shares: number[] = [];
			const parts: string[] = [];
			const claims = { plans: 0, covered: 0, predicted: 0, truth: 0 };
			const t3 = performance.now();
			for (let seed = 1; seed <= SEEDS; seed++) {
				const r = backtest(rngFor(seed, 'backtest'), { volume, dispersion });
				shares.push(r.share);
				for (const k of ['plans', 'covered', 'predicted', 'truth'] as const) claims[k] += r.claims[k];
				parts.push(`${seed}: ${(r.share * 100).toFixed(1)} %`);
			}
			const mean = shares.reduce((a, b) => a + b, 0) / shares.length;
			console.log(`backtest, median ${median} conversions a day a campaign, negative-binomial shape ${dispersion[0]}-${dispersion[1]}, 20 campaigns, 180 days + 26 weekly plans, share of the oracle's uplift per seed: ${parts.join(', ')}; mean ${(mean * 100).toFixed(1)} %, min ${(Math.min(...shares) * 100).toFixed(1)} % (${((performance.now() - t3) / 1000).toFixed(0)} s); the weekly plans' 95 % uplift intervals held the true uplift in ${claims.covered} of ${claims.plans} plans, predicted uplift / true ${(claims.predicted / claims.truth).toFixed(2)}`);
		}
	}
}

void main();

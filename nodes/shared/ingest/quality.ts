/**
 * Data quality report over `campaign_performance` and `ingest_runs` for one
 * report date (default: yesterday in UTC).
 *
 * Score = Σ(weight × check score) / Σ weight, one decimal, 0–100. Weights
 * follow severity: critical 4, high 3, medium 2. Levels: Excellent ≥ 90,
 * Good ≥ 75, Fair ≥ 60, Poor ≥ 40, Critical below.
 *
 * Checks (a check with nothing to measure scores 0 and says why: an empty
 * table is not trustworthy data):
 *  - freshness (critical): share of accounts with an ingest run in the last
 *    N days whose latest success/partial run finished within `freshnessHours`
 *    of now and whose window reaches the report date.
 *  - completeness (high): rows of the report date with every required field
 *    (campaign name, source currency, FX rate; FX rate date when converted),
 *    over those rows plus the rows quarantined by the latest run of each
 *    account covering the date.
 *  - metric_relationships (high): 1 − (clicks > impressions + ½ × conversions
 *    > clicks) / rows of the report date; conversions > clicks is a warning
 *    (view-through), so it costs half.
 *  - volume_consistency (medium): platform + account groups whose row count
 *    on the report date is within ±tolerance of their trailing daily mean
 *    (groups without history pass).
 *  - spend_consistency (medium): per platform, a success/partial ingest run
 *    covers the report date and the platform's spend that day is within
 *    [1/spendBand, spendBand] × its trailing daily mean (no history: passes);
 *    also reports each platform's share of total spend vs its trailing share.
 *
 * Each report is stored in `quality_reports`, one row per report date and
 * scope (`all`, or the sorted platforms it covers): a rerun for the same date
 * and scope replaces it.
 */
import { PLATFORMS, type Json, type Platform, type Row } from '../schema/rows';
import type { Store } from '../store/types';
import { addDays, dayIn } from './dates';
import { LAGGED_ENGAGEMENT } from './validate';

export type QualityLevel = 'Excellent' | 'Good' | 'Fair' | 'Poor' | 'Critical';
export type Severity = 'critical' | 'high' | 'medium';
export type CheckName = 'freshness' | 'completeness' | 'metric_relationships' | 'volume_consistency' | 'spend_consistency';

export const SEVERITY_WEIGHT: Record<Severity, number> = { critical: 4, high: 3, medium: 2 };

export interface QualityCheck {
	name: CheckName;
	severity: Severity;
	weight: number;
	/** 0–100, one decimal. */
	score: number;
	passed: boolean;
	summary: string;
	details: { [key: string]: Json };
}

export interface QualityReport {
	reportDate: string;
	generatedAt: string;
	score: number;
	level: QualityLevel;
	checks: QualityCheck[];
	rows: number;
	/** Platforms with rows on the report date. */
	platforms: string[];
	/** `quality_reports.scope`: `all`, or the sorted, comma-separated platforms the report was limited to. */
	scope: string;
	/** Whether the report was stored in `quality_reports`. */
	stored: boolean;
}

export interface QualityOptions {
	store: Store;
	now?: Date;
	/** Default: yesterday in UTC. */
	reportDate?: string;
	/** Only these platforms (default all). */
	platforms?: string[];
	trailingDays?: number;
	freshnessHours?: number;
	/** Allowed relative deviation of row counts from the trailing mean (default 0.5 = ±50 %). */
	volumeTolerance?: number;
	/** Allowed factor between spend and its trailing mean (default 2: from half to double). */
	spendBand?: number;
	/** Store the report in `quality_reports` (default true). */
	persist?: boolean;
}

/** The `quality_reports.scope` of a platform filter: `all` for none (or every platform), else the sorted list. */
export function reportScope(platforms: ReadonlyArray<string> | undefined): string {
	const list = [...new Set((platforms ?? []).map((p) => p.trim()).filter((p) => p !== ''))].sort();
	if (list.length === 0 || PLATFORMS.every((p) => list.includes(p))) return 'all';
	return list.join(',');
}

export function qualityLevel(score: number): QualityLevel {
	if (score >= 90) return 'Excellent';
	if (score >= 75) return 'Good';
	if (score >= 60) return 'Fair';
	if (score >= 40) return 'Poor';
	return 'Critical';
}

const round1 = (x: number) => Math.round(x * 10) / 10;
const pct = (part: number, whole: number) => (whole > 0 ? round1((100 * part) / whole) : 0);

/** Overall score from check scores and weights (one decimal). */
export function overallScore(checks: ReadonlyArray<Pick<QualityCheck, 'score' | 'weight'>>): number {
	const total = checks.reduce((s, c) => s + c.weight, 0);
	return total > 0 ? round1(checks.reduce((s, c) => s + c.weight * c.score, 0) / total) : 0;
}

function check(name: CheckName, severity: Severity, score: number, summary: string, details: QualityCheck['details']): QualityCheck {
	return { name, severity, weight: SEVERITY_WEIGHT[severity], score, passed: score >= 90, summary, details };
}

type Perf = Row<'campaign_performance'>;
type Run = Row<'ingest_runs'>;
const loaded = (r: Run) => r.outcome === 'success' || r.outcome === 'partial';
const covers = (r: Run, day: string) => r.window_start <= day && r.window_end >= day;
/** Latest first. */
const byStartDesc = (a: Run, b: Run) => (a.started_at < b.started_at ? 1 : a.started_at > b.started_at ? -1 : 0);

export function freshnessCheck(runs: Run[], now: Date, reportDate: string, freshnessHours: number): QualityCheck {
	const accounts = new Map<string, Run[]>();
	for (const r of runs) {
		const key = `${r.platform}/${r.account_id}`;
		const list = accounts.get(key) ?? [];
		list.push(r);
		accounts.set(key, list);
	}
	const list: Json[] = [];
	let fresh = 0;
	for (const [key, rs] of [...accounts].sort(([a], [b]) => (a < b ? -1 : 1))) {
		rs.sort(byStartDesc);
		const last = rs.find(loaded);
		const finished = last?.finished_at ? Date.parse(last.finished_at) : NaN;
		const ageHours = Number.isNaN(finished) ? null : round1((now.getTime() - finished) / 3_600_000);
		const ok = ageHours !== null && ageHours <= freshnessHours && last!.window_end >= reportDate;
		if (ok) fresh++;
		list.push({ account: key, lastLoadedAt: last?.finished_at ?? null, ageHours, loadedThrough: last?.window_end ?? null, lastOutcome: rs[0].outcome, fresh: ok });
	}
	const score = pct(fresh, accounts.size);
	const summary =
		accounts.size === 0 ? 'No ingest runs in the period' : `${fresh} of ${accounts.size} accounts loaded through ${reportDate} within ${freshnessHours} h`;
	return check('freshness', 'critical', score, summary, { accounts: accounts.size, fresh, stale: accounts.size - fresh, freshnessHours, perAccount: list });
}

export function completenessCheck(rows: Perf[], quarantined: number): QualityCheck {
	let missingName = 0;
	let missingFx = 0;
	let complete = 0;
	for (const r of rows) {
		const name = typeof r.campaign_name === 'string' && r.campaign_name.trim() !== '';
		const fx = r.source_currency !== null && r.fx_rate !== null && (r.source_currency === r.currency || r.fx_rate_date !== null);
		if (!name) missingName++;
		if (!fx) missingFx++;
		if (name && fx) complete++;
	}
	const total = rows.length + quarantined;
	const score = pct(complete, total);
	const summary = total === 0 ? 'No rows for the report date' : `${complete} of ${total} rows complete (${quarantined} quarantined)`;
	return check('completeness', 'high', score, summary, { rows: rows.length, complete, missingCampaignName: missingName, missingFx, quarantined });
}

export function relationshipsCheck(rows: Perf[]): QualityCheck {
	let clicksOverImpressions = 0;
	let conversionsOverClicks = 0;
	for (const r of rows) {
		// Email clicks arrive after the send day (see validate.ts): not a broken relationship there.
		if (r.clicks > r.impressions && !LAGGED_ENGAGEMENT.has(r.platform as Platform)) clicksOverImpressions++;
		if (r.conversions > r.clicks) conversionsOverClicks++;
	}
	const penalty = clicksOverImpressions + 0.5 * conversionsOverClicks;
	const score = rows.length > 0 ? round1(Math.max(0, 100 * (1 - penalty / rows.length))) : 0;
	const summary =
		rows.length === 0
			? 'No rows for the report date'
			: `${clicksOverImpressions} rows with clicks > impressions, ${conversionsOverClicks} with conversions > clicks (of ${rows.length})`;
	return check('metric_relationships', 'high', score, summary, { rows: rows.length, clicksOverImpressions, conversionsOverClicks });
}

export function volumeCheck(current: Perf[], trailing: Perf[], trailingDays: number, tolerance: number): QualityCheck {
	const groups = new Map<string, { current: number; trailing: number }>();
	const bump = (r: Perf, field: 'current' | 'trailing') => {
		const key = `${r.platform}/${r.account_id}`;
		const g = groups.get(key) ?? { current: 0, trailing: 0 };
		g[field]++;
		groups.set(key, g);
	};
	for (const r of current) bump(r, 'current');
	for (const r of trailing) bump(r, 'trailing');
	let consistent = 0;
	const perGroup: Json[] = [];
	for (const [key, g] of [...groups].sort(([a], [b]) => (a < b ? -1 : 1))) {
		const mean = g.trailing / trailingDays;
		const ratio = mean > 0 ? round1((100 * g.current) / mean) / 100 : null;
		const ok = mean === 0 || Math.abs(g.current - mean) <= tolerance * mean;
		if (ok) consistent++;
		perGroup.push({ account: key, rows: g.current, trailingMeanRows: round1(mean), ratio, consistent: ok });
	}
	const score = pct(consistent, groups.size);
	const summary = groups.size === 0 ? 'No rows in the period' : `${consistent} of ${groups.size} accounts within ±${Math.round(tolerance * 100)} % of their ${trailingDays}-day row volume`;
	return check('volume_consistency', 'medium', score, summary, { accounts: groups.size, consistent, tolerance, trailingDays, perAccount: perGroup });
}

export function spendCheck(current: Perf[], trailing: Perf[], runs: Run[], reportDate: string, trailingDays: number, band: number): QualityCheck {
	const platforms = new Set<string>([...current, ...trailing].map((r) => r.platform));
	for (const r of runs) if (covers(r, reportDate)) platforms.add(r.platform);
	const sum = (rows: Perf[], platform?: string) => rows.reduce((s, r) => (platform === undefined || r.platform === platform ? s + r.spend : s), 0);
	const totalNow = sum(current);
	const totalTrailing = sum(trailing);
	let consistent = 0;
	const perPlatform: Json[] = [];
	for (const platform of [...platforms].sort()) {
		const spend = sum(current, platform);
		const mean = sum(trailing, platform) / trailingDays;
		const covering = runs.filter((r) => r.platform === platform && loaded(r) && covers(r, reportDate));
		const failed = runs.filter((r) => r.platform === platform && r.outcome === 'failed' && covers(r, reportDate)).length;
		const inBand = mean === 0 || (spend >= mean / band && spend <= mean * band);
		const ok = covering.length > 0 && inBand;
		if (ok) consistent++;
		perPlatform.push({
			platform,
			spend: round2(spend),
			trailingMeanSpend: round2(mean),
			ratio: mean > 0 ? round2(spend / mean) : null,
			share: totalNow > 0 ? round2(spend / totalNow) : null,
			trailingShare: totalTrailing > 0 ? round2(sum(trailing, platform) / totalTrailing) : null,
			loadedByRuns: covering.length,
			failedRuns: failed,
			consistent: ok,
		});
	}
	const score = pct(consistent, platforms.size);
	const summary = platforms.size === 0 ? 'No spend and no ingest runs for the report date' : `${consistent} of ${platforms.size} platforms loaded with spend in line with their ${trailingDays}-day mean`;
	return check('spend_consistency', 'medium', score, summary, { platforms: platforms.size, consistent, spendBand: band, perPlatform });
}

function round2(x: number): number {
	return Math.round(x * 100) / 100;
}

export async function qualityReport(opts: QualityOptions): Promise<QualityReport> {
	const now = opts.now ?? new Date();
	const reportDate = opts.reportDate ?? addDays(dayIn('UTC', now), -1);
	const trailingDays = opts.trailingDays ?? 7;
	const freshnessHours = opts.freshnessHours ?? 24;
	const { store } = opts;
	const scope = reportScope(opts.platforms);
	const platformFilter = scope === 'all' ? undefined : { in: scope.split(',') };

	const allRows = await store.select('campaign_performance', {
		where: { platform: platformFilter, date: { gte: addDays(reportDate, -trailingDays), lte: reportDate } },
	});
	const sinceIso = new Date(now.getTime() - trailingDays * 86_400_000).toISOString();
	const runs = await store.select('ingest_runs', { where: { platform: platformFilter, started_at: { gte: sinceIso } } });
	const current = allRows.filter((r) => r.date === reportDate);
	const trailing = allRows.filter((r) => r.date < reportDate);

	// rows quarantined by the latest run of each account covering the report date
	const latestCovering = new Map<string, Run>();
	for (const r of [...runs].sort(byStartDesc)) {
		const key = `${r.platform}/${r.account_id}`;
		if (covers(r, reportDate) && r.outcome !== null && !latestCovering.has(key)) latestCovering.set(key, r);
	}
	const quarantined = [...latestCovering.values()].reduce((s, r) => s + r.rows_quarantined, 0);

	const checks = [
		freshnessCheck(runs, now, reportDate, freshnessHours),
		completenessCheck(current, quarantined),
		relationshipsCheck(current),
		volumeCheck(current, trailing, trailingDays, opts.volumeTolerance ?? 0.5),
		spendCheck(current, trailing, runs, reportDate, trailingDays, opts.spendBand ?? 2),
	];
	const score = overallScore(checks);
	const report: QualityReport = {
		reportDate,
		generatedAt: now.toISOString(),
		score,
		level: qualityLevel(score),
		checks,
		rows: current.length,
		platforms: [...new Set(current.map((r) => r.platform))].sort(),
		scope,
		stored: false,
	};
	if (opts.persist !== false) {
		await store.upsert('quality_reports', [
			{ report_date: reportDate, scope, score, level: report.level, checks: checks as unknown as Json, generated_at: report.generatedAt },
		]);
		report.stored = true;
	}
	return report;
}

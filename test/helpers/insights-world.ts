/**
 * Daily campaign_performance rows for insights tests: quiet campaigns (weekly
 * season, slow trend, a few % noise) over DAYS days up to END, and plants on
 * the last day (a 3x spike of every volume metric, or a tracking break:
 * conversions and revenue 0 while clicks hold).
 */
import type { RowInput } from '../../nodes/shared/schema/rows';
import { rngFor } from '../../scripts/sandbox/rng';

export const END = '2026-12-05';
export const DAYS = 140;
const WEEKDAY = [0.7, 1.0, 1.08, 1.1, 1.05, 0.95, 0.65]; // Sunday first

/** Quiet campaigns (weekly season, slow trend, a few % noise) and the plants on the last day. */
export function series(platform: string, accountId: string, campaigns: number, seed: number, plants: Record<string, 'spike' | 'tracking_break'> = {}, end = END) {
	const dayOf = (i: number) => new Date(Date.parse(`${end}T00:00:00Z`) - (DAYS - 1 - i) * 86_400_000);
	const rand = rngFor(seed, 'insights-engine');
	const r = () => rand.next();
	const rows: Array<RowInput<'campaign_performance'>> = [];
	for (let c = 1; c <= campaigns; c++) {
		const id = `${accountId}-c${c}`;
		const base = 15_000 + 2_000 * c;
		for (let i = 0; i < DAYS; i++) {
			const day = dayOf(i);
			const noise = () => 1 + (r() - 0.5) * 0.08;
			let impressions = Math.round(base * WEEKDAY[day.getUTCDay()]! * (1 + 0.001 * i) * noise());
			let clicks = Math.round(impressions * 0.02 * noise());
			let spend = Math.round(clicks * 0.5 * noise() * 100) / 100;
			let conversions = Math.round(clicks * 0.06 * noise());
			let revenue = Math.round(conversions * 40 * noise() * 100) / 100;
			if (i === DAYS - 1 && plants[id] === 'spike') {
				impressions *= 3;
				clicks *= 3;
				spend = Math.round(spend * 300) / 100;
				conversions *= 3;
				revenue = Math.round(revenue * 300) / 100;
			}
			if (i === DAYS - 1 && plants[id] === 'tracking_break') {
				conversions = 0;
				revenue = 0;
			}
			rows.push({ date: day.toISOString().slice(0, 10), platform, account_id: accountId, campaign_id: id, campaign_name: `Campaign ${c}`, currency: 'EUR', spend, impressions, clicks, conversions, revenue } as RowInput<'campaign_performance'>);
		}
	}
	return rows;
}


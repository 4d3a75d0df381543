/**
 * CI check: every API version the package pins (platforms/registry.ts) must
 * stay usable for at least 60 more days. Fails (exit 1) naming the platform,
 * the version and its sunset date when one is within the margin or past it,
 * so a pin is bumped before the platform starts refusing it.
 *
 *   tsx scripts/check-api-versions.ts [--today YYYY-MM-DD] [--margin-days 60]
 *
 * Today is the clock's UTC date unless given. A version whose vendor has
 * announced no sunset (TikTok v1.3) passes and is listed as such; a projected
 * sunset (vendor policy, not yet a published date) counts like a published one.
 */
import { PLATFORM_DEFINITIONS, type PlatformDefinition } from '../nodes/shared/platforms/registry';

export const DEFAULT_MARGIN_DAYS = 60;
const DAY_MS = 86_400_000;

export interface VersionStatus {
	platform: string;
	label: string;
	version: string;
	sunset: string | null;
	sunsetSource: 'published' | 'projected' | 'none';
	/** Days from today to the sunset (negative: past it); null without a sunset. */
	daysLeft: number | null;
	ok: boolean;
	text: string;
}

function dayMs(date: string): number {
	if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || Number.isNaN(Date.parse(`${date}T00:00:00Z`))) throw new RangeError(`not a date YYYY-MM-DD: ${date}`);
	return Date.parse(`${date}T00:00:00Z`);
}

/** The state of each pinned version on `today` (YYYY-MM-DD). */
export function checkApiVersions(today: string, marginDays = DEFAULT_MARGIN_DAYS, platforms: readonly PlatformDefinition[] = PLATFORM_DEFINITIONS): VersionStatus[] {
	const t = dayMs(today);
	return platforms.map((p) => {
		const { version, sunset, sunsetSource } = p.api;
		if (sunset === null) {
			return { platform: p.id, label: p.label, version, sunset, sunsetSource, daysLeft: null, ok: true, text: `${p.label} ${version}: no sunset announced` };
		}
		const daysLeft = Math.round((dayMs(sunset) - t) / DAY_MS);
		const ok = daysLeft > marginDays;
		const when = daysLeft < 0 ? `was sunset on ${sunset}, ${-daysLeft} days ago` : daysLeft === 0 ? `is sunset today (${sunset})` : `is sunset on ${sunset}, in ${daysLeft} days`;
		const source = sunsetSource === 'projected' ? ' (projected from the vendor\'s policy)' : '';
		const text = ok ? `${p.label} ${version} ${when}${source}` : `${p.label} ${version} ${when}${source}: pin a newer version in nodes/shared/platforms/registry.ts (less than ${marginDays} days left)`;
		return { platform: p.id, label: p.label, version, sunset, sunsetSource, daysLeft, ok, text };
	});
}

function arg(name: string): string | undefined {
	const i = process.argv.indexOf(name);
	return i >= 0 ? process.argv[i + 1] : undefined;
}

if (require.main === module) {
	const today = arg('--today') ?? new Date().toISOString().slice(0, 10);
	const margin = Number(arg('--margin-days') ?? DEFAULT_MARGIN_DAYS);
	const results = checkApiVersions(today, margin);
	for (const r of results) process.stdout.write(`${r.ok ? 'ok  ' : 'FAIL'} ${r.text}\n`);
	const failed = results.filter((r) => !r.ok);
	if (failed.length > 0) {
		process.stderr.write(`${failed.length} pinned API version(s) within ${margin} days of their sunset on ${today}: ${failed.map((f) => `${f.label} ${f.version} (${f.sunset})`).join(', ')}\n`);
		process.exit(1);
	}
}

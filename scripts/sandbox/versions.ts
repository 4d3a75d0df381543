/**
 * Each vendor's API version schedule, as the vendor publishes it, kept by the
 * sandbox independently of the package's pins (the package's registry may be
 * wrong; the sandbox must then refuse it, as the platform would). Dates are
 * compared with the sandbox's own date (`world.today`), so a test can travel
 * to the day after a sunset.
 *
 * Sources (read 2026-12):
 * - LinkedIn: learn.microsoft.com/linkedin/marketing/integrations/migrations
 *   (each monthly version is supported for at least one year; 202510 sunset
 *   October 15, 2026, 202511 November 16, 2026, 202601 January 15, 2027, …)
 *   and the answer LinkedIn gives for a version no longer active, as quoted in
 *   n8n-io/n8n#28660 and #14737: HTTP 426
 *   `{"status":426,"code":"NONEXISTENT_VERSION","message":"Requested version 20250401 is not active"}`.
 * - Meta: developers.facebook.com/docs/graph-api/changelog/versions (v21.0
 *   available until January 21, 2027, v22.0 May 20, 2027, v23.0 October 8,
 *   2027, v24.0 February 18, 2028, v25.0 July 29, 2028); the refusal is
 *   error 2635 "(#2635) You are calling a deprecated version of the Ads API.
 *   Please update to the latest version: vX." (facebook-nodejs-business-sdk#239).
 * - Klaviyo: developers.klaviyo.com API versioning and deprecation policy: a
 *   revision is stable for one year, deprecated in its second year and retired
 *   after two years.
 * - Google Ads: developers.google.com/google-ads/api/docs/sunset-dates and the
 *   sunset reminders on the Ads developer blog (v19 February 11, 2026, v20
 *   June 10, 2026, v21 August 5, 2026, v22 October 7, 2026); a version that
 *   does not exist or is sunset is not served (404).
 *
 * Versions released after the sandbox's date are accepted: the sandbox's
 * world often lives in the past while the package pins today's versions.
 */
import { json, type Ctx, type PlatformName, type Reply } from './core';
import { daysBetween } from './rng';

export interface VersionInfo {
	/** What the client sent, normalised (`202510`, `v21.0`, `2025-10-15`, `v22`). */
	version: string;
	/** First day the version is served. */
	released?: string;
	/** Deprecated from this day (still served). */
	deprecated?: string;
	/** Refused from this day on; undefined while not announced. */
	sunset?: string;
}

/** LinkedIn Marketing API versions with a published sunset; other YYYYMM versions follow the one-year rule. */
export const LINKEDIN_SUNSETS: Record<string, string> = {
	'202406': '2025-06-16',
	'202407': '2025-07-22',
	'202408': '2025-08-18',
	'202409': '2025-09-15',
	'202410': '2025-10-15',
	'202411': '2025-11-17',
	'202510': '2026-10-15',
	'202511': '2026-11-16',
	'202601': '2027-01-15',
	'202602': '2027-02-15',
	'202603': '2027-03-16',
	'202604': '2027-04-15',
};

export function linkedInVersion(version: string): VersionInfo | undefined {
	const m = /^(\d{4})(\d{2})(?:\.(\d{2}))?$/.exec(version);
	if (!m) return undefined;
	const year = Number(m[1]);
	const month = Number(m[2]);
	if (month < 1 || month > 12) return undefined;
	const base = `${m[1]}${m[2]}`;
	const released = `${m[1]}-${m[2]}-01`;
	// Unlisted versions: one year of support, sunset mid-month a year later.
	const sunset = LINKEDIN_SUNSETS[base] ?? `${year + 1}-${m[2]}-15`;
	return { version, released, sunset };
}

/** Graph / Marketing API versions and the day each stops being served. */
export const META_VERSIONS: Array<{ version: string; released: string; sunset?: string }> = [
	{ version: 'v17.0', released: '2023-05-23', sunset: '2025-09-12' },
	{ version: 'v18.0', released: '2023-09-12', sunset: '2026-01-26' },
	{ version: 'v19.0', released: '2024-01-23', sunset: '2026-05-21' },
	{ version: 'v20.0', released: '2024-05-21', sunset: '2026-09-24' },
	{ version: 'v21.0', released: '2024-10-02', sunset: '2027-01-21' },
	{ version: 'v22.0', released: '2025-01-21', sunset: '2027-05-20' },
	{ version: 'v23.0', released: '2025-05-29', sunset: '2027-10-08' },
	{ version: 'v24.0', released: '2025-10-08', sunset: '2028-02-18' },
	{ version: 'v25.0', released: '2026-02-18', sunset: '2028-07-29' },
	{ version: 'v26.0', released: '2026-07-29' },
];

export function metaVersion(version: string): VersionInfo | undefined {
	const known = META_VERSIONS.find((v) => v.version === version);
	if (known) return known;
	const m = /^v(\d+)\.(\d+)$/.exec(version);
	if (!m) return undefined;
	// Older than the oldest listed: long expired. Newer: not released.
	const oldest = Number(META_VERSIONS[0]!.version.slice(1, -2));
	return Number(m[1]) < oldest ? { version, sunset: '2000-01-01' } : undefined;
}

/** The newest Meta version released on `today` (what Meta's 2635 message names). */
export function latestMetaVersion(today: string): string {
	const released = META_VERSIONS.filter((v) => v.released <= today);
	return (released[released.length - 1] ?? META_VERSIONS[0]!).version;
}

/** Klaviyo revision lifecycle: stable one year, deprecated the second, retired after two. */
export function klaviyoRevision(revision: string): VersionInfo | undefined {
	const m = /^(\d{4})-(\d{2})-(\d{2})(\.pre)?$/.exec(revision);
	if (!m) return undefined;
	const day = `${m[1]}-${m[2]}-${m[3]}`;
	return { version: revision, released: day, deprecated: `${Number(m[1]) + 1}-${m[2]}-${m[3]}`, sunset: `${Number(m[1]) + 2}-${m[2]}-${m[3]}` };
}

/** Google Ads API major versions served and their sunsets (undefined: not announced yet). */
export const GOOGLE_ADS_VERSIONS: Array<{ version: string; sunset?: string }> = [
	{ version: 'v16', sunset: '2025-02-05' },
	{ version: 'v17', sunset: '2025-06-04' },
	{ version: 'v18', sunset: '2025-08-20' },
	{ version: 'v19', sunset: '2026-02-11' },
	{ version: 'v20', sunset: '2026-06-10' },
	{ version: 'v21', sunset: '2026-08-05' },
	{ version: 'v22', sunset: '2026-10-07' },
	{ version: 'v23' },
	{ version: 'v24' },
	{ version: 'v25' },
];

export function googleAdsVersion(version: string): VersionInfo | undefined {
	return GOOGLE_ADS_VERSIONS.find((v) => v.version === version);
}

/** True when `info` is past its sunset on `today`. */
export function isSunset(info: VersionInfo, today: string): boolean {
	return info.sunset !== undefined && info.sunset <= today;
}

function header(ctx: Ctx, name: string): string | undefined {
	const v = ctx.headers[name];
	return Array.isArray(v) ? v[0] : v;
}

/** LinkedIn writes the refused version as a date: `202504` → `20250401`. */
function linkedInVersionDate(version: string): string {
	const [base, patch] = version.split('.');
	return `${base}${patch ?? '01'}`;
}

function traceId(ctx: Ctx): string {
	return `AVersion${ctx.state.nextSeq}`;
}

/**
 * The vendor's refusal when the request names a version the vendor no longer
 * serves on the sandbox's date; undefined when the version is served (or the
 * request names none: each platform's own checks answer that).
 */
export function versionRefusal(platform: PlatformName, ctx: Ctx): Reply | undefined {
	const today = ctx.state.world.today;
	switch (platform) {
		case 'linkedin': {
			const version = header(ctx, 'linkedin-version');
			const info = version ? linkedInVersion(version) : undefined;
			if (!version || !info || !isSunset(info, today)) return undefined;
			return json(426, { status: 426, code: 'NONEXISTENT_VERSION', message: `Requested version ${linkedInVersionDate(version)} is not active` });
		}
		case 'meta': {
			const version = /^\/(v\d+\.\d+)(\/|$)/.exec(ctx.path)?.[1];
			const info = version ? metaVersion(version) : undefined;
			if (!version || !info || !isSunset(info, today)) return undefined;
			return json(400, {
				error: {
					message: `(#2635) You are calling a deprecated version of the Ads API. Please update to the latest version: ${latestMetaVersion(today)}.`,
					type: 'OAuthException',
					code: 2635,
					fbtrace_id: traceId(ctx),
				},
			});
		}
		case 'klaviyo': {
			const revision = header(ctx, 'revision');
			const info = revision ? klaviyoRevision(revision) : undefined;
			if (!revision || !info || !isSunset(info, today)) return undefined;
			return json(400, {
				errors: [
					{
						id: `00000000-0000-4000-8000-${String(ctx.state.nextSeq).padStart(12, '0')}`,
						status: 400,
						code: 'invalid',
						title: 'Invalid input.',
						detail: `The revision '${revision}' has been retired (revisions are supported for two years). Use a current revision, e.g. '${currentKlaviyoRevision(today)}'.`,
						source: { parameter: 'revision' },
						links: {},
						meta: {},
					},
				],
			});
		}
		case 'googleads': {
			const version = /^\/(v\d+)\//.exec(ctx.path)?.[1];
			if (!version) return undefined;
			const info = googleAdsVersion(version);
			if (info && !isSunset(info, today)) return undefined;
			return json(404, { error: { code: 404, message: `Google Ads API ${version} is not served${info ? ` (sunset on ${info.sunset})` : ''}: the requested URL ${ctx.fullPath} was not found on this server.`, status: 'NOT_FOUND' } });
		}
		default:
			return undefined;
	}
}

/** The quarterly revision (15 Jan/Apr/Jul/Oct) current on `today`. */
export function currentKlaviyoRevision(today: string): string {
	const [y, m, d] = today.split('-').map(Number) as [number, number, number];
	let month = [1, 4, 7, 10].filter((q) => q < m || (q === m && d >= 15)).pop();
	let year = y;
	if (month === undefined) {
		month = 10;
		year -= 1;
	}
	return `${year}-${String(month).padStart(2, '0')}-15`;
}

/** Days from `today` to the version's sunset (negative once past), or undefined when none is announced. */
export function daysToSunset(info: VersionInfo, today: string): number | undefined {
	return info.sunset ? daysBetween(today, info.sunset) : undefined;
}

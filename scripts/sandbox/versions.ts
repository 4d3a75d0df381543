/**
 * Each vendor's API version schedule, read from the package's platform
 * registry (nodes/shared/platforms/registry.ts: the pin of each platform and
 * the older versions with their sunsets, each with its source), so the
 * sandbox and `npm run check:versions` go by one set of dates. Dates are
 * compared with the sandbox's own date (`world.today`), so a test can travel
 * to the day after a sunset. Where the registry lists no version, the
 * vendor's stated policy decides:
 * - LinkedIn: each monthly version is supported for at least one year and has
 *   been sunset mid-month a year after its release; the refusal is the answer
 *   LinkedIn gives for a version no longer active, as quoted in n8n-io/n8n#28660
 *   and #14737: HTTP 426
 *   `{"status":426,"code":"NONEXISTENT_VERSION","message":"Requested version 20250401 is not active"}`.
 * - Meta: the Marketing API's schedule (its versions expire sooner than the
 *   Graph API's; the sandbox applies it to every Meta path, comments
 *   included); a version older than the registry's oldest is long expired;
 *   the refusal is error 2635 "(#2635) You are calling a deprecated version
 *   of the Ads API. Please update to the latest version: vX."
 *   (facebook-nodejs-business-sdk#239).
 * - Klaviyo: a revision is stable for one year, deprecated in its second year
 *   and retired after two years.
 * - Google Ads: a version older than the registry's oldest is sunset, one
 *   above the pin does not exist; neither is served (404).
 *
 * Versions released after the sandbox's date are accepted: the sandbox's
 * world often lives in the past while the package pins today's versions.
 */
import { PLATFORM_REGISTRY, type PlatformId } from '../../nodes/shared/platforms/registry';
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

/** The registry's versions of a platform (its pin and history), oldest first. */
function registryVersions(id: PlatformId): VersionInfo[] {
	const { api } = PLATFORM_REGISTRY[id];
	return [...api.history, api]
		.map((v) => ({ version: v.version, released: v.released, sunset: v.sunset ?? undefined }))
		.sort((a, b) => (a.released < b.released ? -1 : a.released > b.released ? 1 : 0));
}

/** The major number of `vNN` or `vNN.0`. */
function major(version: string): number {
	return Number(/^v(\d+)/.exec(version)?.[1]);
}

export function linkedInVersion(version: string): VersionInfo | undefined {
	const m = /^(\d{4})(\d{2})(?:\.(\d{2}))?$/.exec(version);
	if (!m) return undefined;
	const year = Number(m[1]);
	const month = Number(m[2]);
	if (month < 1 || month > 12) return undefined;
	const base = `${m[1]}${m[2]}`;
	const listed = registryVersions('linkedin').find((v) => v.version === base);
	// Unlisted versions: one year of support, sunset mid-month a year later.
	return { version, released: `${m[1]}-${m[2]}-01`, sunset: listed?.sunset ?? `${year + 1}-${m[2]}-15` };
}

/** Meta Marketing API versions and the day each stops being served (the registry's). */
export const META_VERSIONS: VersionInfo[] = registryVersions('meta');

export function metaVersion(version: string): VersionInfo | undefined {
	const known = META_VERSIONS.find((v) => v.version === version);
	if (known) return known;
	if (!/^v\d+\.\d+$/.test(version)) return undefined;
	// Older than the oldest listed: long expired. Newer: not released.
	return major(version) < major(META_VERSIONS[0]!.version) ? { version, sunset: '2000-01-01' } : undefined;
}

/** The newest Meta version released on `today` (what Meta's 2635 message names). */
export function latestMetaVersion(today: string): string {
	const released = META_VERSIONS.filter((v) => (v.released ?? '') <= today);
	return (released[released.length - 1] ?? META_VERSIONS[0]!).version;
}

/** Klaviyo revision lifecycle: the registry's dates, else stable one year, deprecated the second, retired after two. */
export function klaviyoRevision(revision: string): VersionInfo | undefined {
	const m = /^(\d{4})-(\d{2})-(\d{2})(\.pre)?$/.exec(revision);
	if (!m) return undefined;
	const day = `${m[1]}-${m[2]}-${m[3]}`;
	const listed = registryVersions('klaviyo').find((v) => v.version === day);
	return { version: revision, released: day, deprecated: `${Number(m[1]) + 1}-${m[2]}-${m[3]}`, sunset: listed?.sunset ?? `${Number(m[1]) + 2}-${m[2]}-${m[3]}` };
}

/** Google Ads API major versions served: the registry's, the ones between its oldest and the pin (no sunset recorded). */
export function googleAdsVersion(version: string): VersionInfo | undefined {
	const known = registryVersions('google_ads');
	const listed = known.find((v) => v.version === version);
	if (listed) return listed;
	const n = major(version);
	return /^v\d+$/.test(version) && n > major(known[0]!.version) && n < major(PLATFORM_REGISTRY.google_ads.api.version) ? { version } : undefined;
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

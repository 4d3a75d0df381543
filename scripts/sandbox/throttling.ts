/**
 * Throttling in each platform's own shape, and daily quotas that reset at
 * midnight UTC, applied by the server to any route.
 *
 * - Meta (developers.facebook.com/docs/marketing-api/overview/rate-limiting,
 *   /docs/graph-api/overview/rate-limiting): user request limit = error 17,
 *   subcode 2446079 "User request limit reached"; business-use-case limits =
 *   codes 80000-80014 by use case (80000 ads_insights, 80001 pages, 80002
 *   instagram, 80003 custom_audience, 80004 ads_management, …) with the
 *   `X-Business-Use-Case-Usage` header carrying
 *   `estimated_time_to_regain_access` in minutes. Never a Retry-After.
 * - LinkedIn: application and member daily limits reset at midnight UTC; past
 *   them LinkedIn answers 429 with its Rest.li error body and no Retry-After.
 * - Others: their `errorReply(429, 'rate_limit', …)` (with Retry-After, as
 *   Klaviyo, Slack, Notion and OpenAI send).
 */
import { json, now, type Ctx, type Platform, type Reply, type SandboxState } from './core';
import { findCampaign } from './world';

export type ThrottleKind = 'user' | 'buc' | 'day';

/** Meta business use case of a route (the type named in X-Business-Use-Case-Usage) and its error code. */
export function metaUseCase(routeName: string): { type: string; code: number } {
	if (routeName === 'meta.insights') return { type: 'ads_insights', code: 80000 };
	if (/^meta\.(comments|reply|like|likes|delete)$/.test(routeName)) return { type: 'pages', code: 80001 };
	return { type: 'ads_management', code: 80004 };
}

function metaAccount(ctx: Ctx): string {
	const act = /^\/v[\d.]+\/act_(\d+)/.exec(ctx.path)?.[1];
	if (act) return act;
	const id = /^\/v[\d.]+\/([\d_]+)/.exec(ctx.path)?.[1];
	const found = id ? findCampaign(ctx.state.world, 'meta', id) : undefined;
	return found?.account.id ?? ctx.state.world.accounts.find((a) => a.platform === 'meta')?.id ?? '0';
}

/** The platform's answer when a throttle (injected or a quota) applies to this request. */
export function throttleReply(platform: Platform, ctx: Ctx, routeName: string, kind: ThrottleKind, regainMinutes = 5): Reply {
	if (platform.name === 'meta') {
		if (kind === 'buc') {
			const { type, code } = metaUseCase(routeName);
			const account = metaAccount(ctx);
			return json(
				400,
				{
					error: {
						message: `(#${code}) There have been too many calls from this ad-account. Wait a bit and try again. For more info, please refer to https://developers.facebook.com/docs/graph-api/overview/rate-limiting#ads-management.`,
						type: 'OAuthException',
						is_transient: true,
						code,
						error_subcode: 2446079,
						fbtrace_id: `AThrottle${ctx.state.nextSeq}`,
					},
				},
				{
					'x-business-use-case-usage': JSON.stringify({
						[account]: [{ type, call_count: 100, total_cputime: 34, total_time: 58, estimated_time_to_regain_access: regainMinutes, ads_api_access_tier: 'standard_access' }],
					}),
				},
			);
		}
		return json(400, { error: { message: '(#17) User request limit reached', type: 'OAuthException', is_transient: true, code: 17, error_subcode: 2446079, fbtrace_id: `AThrottle${ctx.state.nextSeq}` } });
	}
	if (platform.name === 'linkedin') {
		const scope = kind === 'user' ? 'MEMBER' : 'APPLICATION';
		return json(429, { status: 429, code: 'TOO_MANY_REQUESTS', message: `Resource level throttle ${scope} DAY limit for calls to this resource is reached.` });
	}
	const untilMidnight = Math.ceil((86_400_000 - (now(ctx.state) % 86_400_000)) / 1000);
	return platform.errorReply(429, 'rate_limit', kind === 'day' ? 'Daily limit reached.' : '', kind === 'day' ? untilMidnight : regainMinutes * 60);
}

export interface DailyQuota {
	/** Route name (`linkedin.analytics`) or `platform.*`. */
	route: string;
	perDay: number;
	/** UTC day → calls counted. */
	counts: Record<string, number>;
}

function matches(quota: DailyQuota, routeName: string): boolean {
	return quota.route === routeName || (quota.route.endsWith('.*') && routeName.startsWith(quota.route.slice(0, -1)));
}

/**
 * Counts this request against the daily quotas that cover its route; returns
 * true when a quota is already used up for the current UTC day (the request
 * is then refused and not counted).
 */
export function overDailyQuota(state: SandboxState, routeName: string): boolean {
	const day = new Date(now(state)).toISOString().slice(0, 10);
	const quotas = (state.dailyQuotas ?? []).filter((q) => matches(q, routeName));
	if (quotas.some((q) => (q.counts[day] ?? 0) >= q.perDay)) return true;
	for (const q of quotas) q.counts[day] = (q.counts[day] ?? 0) + 1;
	return false;
}

export function validateQuota(input: unknown): { route: string; perDay: number } | string {
	const q = (input ?? {}) as Record<string, unknown>;
	if (typeof q.route !== 'string' || !q.route.trim()) return 'quota.route must be a route name (e.g. "linkedin.analytics") or "platform.*"';
	if (typeof q.perDay !== 'number' || !Number.isInteger(q.perDay) || q.perDay < 0) return 'quota.perDay must be a non-negative integer';
	return { route: q.route.trim(), perDay: q.perDay };
}

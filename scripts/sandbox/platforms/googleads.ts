/**
 * Google Ads' REST API (`{prefix}/v{N}/customers/{id}/…`), as
 * `google-ads-api` calls it and as googleads.googleapis.com answers:
 *
 *   POST /v25/customers/{id}/googleAds:search          {query, pageToken?, searchSettings?}
 *   POST /v25/customers/{id}/googleAds:searchStream    {query, summaryRowSetting?} → [batch, …]
 *   POST /v25/customers/{id}/campaigns:mutate          {operations: [{update, updateMask}], validateOnly?}
 *   POST /v25/customers/{id}/campaignBudgets:mutate    (same)
 *   POST /_admin/campaigns/{id}/edit                    a person's edit in the Google Ads web interface (change_event lists it)
 *
 * Checked on every call: `Authorization: Bearer <token from /googleoauth/token>`,
 * `developer-token`, and `login-customer-id` when sent (must be the manager
 * of the customer, or the customer itself). Errors are Google's REST error
 * bodies; searchStream wraps them in a JSON array, as Google does.
 * Injected faults: `429` → RESOURCE_EXHAUSTED with the `retryAfter` as
 * `quotaErrorDetails.retryDelay`; `5xx` → INTERNAL / UNAVAILABLE.
 */
import { bearer, header, json, now, type Ctx, type Platform, type Reply, type Route } from '../core';
import {
	GOOGLE_ADS_PAGE_SIZE,
	GoogleAdsApiError,
	applyGoogleAdsMutation,
	googleAccount,
	developerTokenError,
	googleAdsSearch,
	googleAdsSearchStream,
	internalError,
	permissionDenied,
	quotaError,
	requestError,
	unauthenticated,
	type MutableCollection,
} from '../google-ads';
import { manualEdit } from './change-history';
import { googleAdReportRows, isGoogleAdReport } from './ad-reports';
import { googlePublishRoutes, withAdGroupAds } from './publish';
import { withGoogleAdStatus, withGoogleAdStatusUpdate } from './ad-status';
import { checkGoogleAccessToken } from './googleoauth';

/** Oldest API version the sandbox answers (page size fixed at 10,000 from v17). */
const MIN_VERSION = 17;

function version(ctx: Ctx): string {
	return /^\/(v\d+)\//.exec(ctx.path)?.[1] ?? 'v25';
}

function pageSize(ctx: Ctx): number {
	return ctx.state.googleAdsPageSize ?? GOOGLE_ADS_PAGE_SIZE;
}

function errorReply(error: GoogleAdsApiError, ctx?: Ctx): Reply {
	return json(error.httpStatus, error.body(ctx ? version(ctx) : 'v25'));
}

/** Runs a handler for `/v{N}/customers/{id}/…`: version and login-customer-id checks, errors as REST bodies. */
function customerRoute(fn: (ctx: Ctx, customerId: string) => unknown): (ctx: Ctx) => Reply {
	return (ctx) => {
		try {
			const [v, customerId] = ctx.params as [string, string];
			if (Number(v) < MIN_VERSION) throw requestError('UNSUPPORTED_VERSION', `Version v${v} is deprecated. Requests to this version will be blocked.`);
			const login = header(ctx, 'login-customer-id');
			const manager = ctx.state.world.credentials.googleAds.loginCustomerId;
			if (login !== undefined && login !== manager && login !== customerId) throw permissionDenied(customerId);
			return json(200, fn(ctx, customerId));
		} catch (error) {
			if (error instanceof GoogleAdsApiError) return errorReply(error, ctx);
			throw error;
		}
	};
}

const mutate = (collection: MutableCollection) => customerRoute((ctx, id) => applyGoogleAdsMutation(ctx.state.world, id, collection, ctx.body, now(ctx.state)));

/** `GET /v{N}/customers:listAccessibleCustomers`: the sandbox's Google Ads customers (the OAuth user reaches them all directly). */
function listAccessibleCustomers(ctx: Ctx): Reply {
	const v = Number(ctx.params[0]);
	if (v < MIN_VERSION) return errorReply(requestError('UNSUPPORTED_VERSION', `Version v${v} is deprecated. Requests to this version will be blocked.`), ctx);
	return json(200, { resourceNames: ctx.state.world.accounts.filter((a) => a.platform === 'google').map((a) => `customers/${a.id}`) });
}

/**
 * Daily ad reports (`FROM ad_group_ad` with `segments.date`, platforms/ad-reports.ts) ahead of the other
 * handlers; the same customer checks and error bodies. search: pages of the page size with a page token;
 * searchStream: batches.
 */
function withAdReports(stream: boolean, handler: (ctx: Ctx) => Reply): (ctx: Ctx) => Reply {
	const report = customerRoute((ctx, id) => {
		const body = ctx.body as { query?: string; pageToken?: string };
		const rows = googleAdReportRows(ctx.state.world, googleAccount(ctx.state.world, id), String(body.query), (name, message) => requestError(name, message));
		const size = pageSize(ctx);
		const fieldMask = String(body.query).replace(/^\s*SELECT\s+([\s\S]*?)\s+FROM[\s\S]*$/i, '$1').split(',').map((f) => f.trim().split('.').map((p) => p.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase())).join('.')).join(',');
		if (stream) {
			const batches: Array<Record<string, unknown>> = [];
			for (let i = 0; i < rows.length; i += size) batches.push({ results: rows.slice(i, i + size), fieldMask, requestId: 'ad-report' });
			return batches.length > 0 ? batches : [{ fieldMask, requestId: 'ad-report' }];
		}
		const offset = /^ad-report:(\d+)$/.exec(body.pageToken ?? '')?.[1];
		const from = offset === undefined ? 0 : Number(offset);
		const page = rows.slice(from, from + size);
		return { ...(page.length > 0 ? { results: page } : {}), fieldMask, ...(from + size < rows.length ? { nextPageToken: `ad-report:${from + size}` } : {}) };
	});
	return (ctx) => (isGoogleAdReport(ctx.body) ? report(ctx) : handler(ctx));
}

const routes: Route[] = [
	{ name: 'googleads.listAccessibleCustomers', method: 'GET', pattern: /^\/v(\d+)\/customers:listAccessibleCustomers$/, handler: listAccessibleCustomers },
	{ name: 'googleads.search', method: 'POST', pattern: /^\/v(\d+)\/customers\/(\d+)\/googleAds:search$/, handler: withGoogleAdStatus(false, withAdReports(false, withAdGroupAds(false, customerRoute((ctx, id) => googleAdsSearch(ctx.state.world, id, ctx.body, pageSize(ctx), now(ctx.state)))))) },
	{ name: 'googleads.searchStream', method: 'POST', pattern: /^\/v(\d+)\/customers\/(\d+)\/googleAds:searchStream$/, handler: withGoogleAdStatus(true, withAdReports(true, withAdGroupAds(true, customerRoute((ctx, id) => googleAdsSearchStream(ctx.state.world, id, ctx.body, pageSize(ctx), now(ctx.state)))))) },
	{ name: 'googleads.campaigns.mutate', method: 'POST', pattern: /^\/v(\d+)\/customers\/(\d+)\/campaigns:mutate$/, handler: mutate('campaigns') },
	{ name: 'googleads.adminEdit', method: 'POST', pattern: /^\/_admin\/campaigns\/(\d+)\/edit$/, handler: manualEdit('google_ads', 'Google Ads web interface') },
	{ name: 'googleads.campaignBudgets.mutate', method: 'POST', pattern: /^\/v(\d+)\/customers\/(\d+)\/campaignBudgets:mutate$/, handler: mutate('campaignBudgets') },
	// publishing responsive search ads (issue 20)
	...googlePublishRoutes.map((r) => ({ ...r, handler: withGoogleAdStatusUpdate(r.handler) })),
];

export const googleads: Platform = {
	name: 'googleads',
	prefix: '/googleads',
	routes,
	authenticate(ctx) {
		const token = bearer(ctx);
		if (!token) return errorReply(unauthenticated(true), ctx);
		if (checkGoogleAccessToken(ctx.state, token) !== 'valid') return errorReply(unauthenticated(false), ctx);
		const dev = header(ctx, 'developer-token');
		if (dev !== ctx.state.world.credentials.googleAds.developerToken) return errorReply(developerTokenError(dev === undefined || dev === ''), ctx);
		if (ctx.bodyError) return errorReply(new GoogleAdsApiError(400, undefined, `Invalid JSON payload received. ${ctx.bodyError}`), ctx);
		return undefined;
	},
	errorReply(status, kind, message, retryAfter) {
		if (kind === 'rate_limit') return errorReply(quotaError(retryAfter ?? 30));
		if (kind === 'server') return status === 503 ? errorReply(new GoogleAdsApiError(503, undefined)) : errorReply(internalError());
		if (kind === 'not_found') return json(404, { error: { code: 404, message: `The requested URL ${message} was not found on this server.`, status: 'NOT_FOUND' } });
		return errorReply(new GoogleAdsApiError(400, undefined, message));
	},
	decorate(ctx, reply) {
		const body = reply.body as { error?: { details?: Array<Record<string, unknown>> } } | undefined;
		if (reply.status >= 400 && body?.error) {
			// Faults are built without the request: name the request's API version in the failure type.
			for (const d of body.error.details ?? []) if (typeof d['@type'] === 'string') d['@type'] = d['@type'].replace(/\.googleads\.v\d+\./, `.googleads.${version(ctx)}.`);
			// searchStream answers errors as a JSON array of one element, like its batches.
			if (/googleAds:searchStream$/.test(ctx.path)) reply.body = [body];
		}
	},
};

/**
 * TikTok API for Business (Marketing API v1.3) under `/tiktok/open_api/v1.3/…`,
 * over the world's TikTok advertisers (`world.tiktok`).
 *
 * TikTok's shapes: every answer is `{ code, message, request_id, data }`, and
 * API errors come with HTTP 200 and a non-zero `code` (40104 no token, 40105
 * bad token, 40001 no permission on the advertiser, 40002 parameter error,
 * 40051 unknown API version, 40100 "Too many requests" when throttled, with
 * no Retry-After). An injected 5xx is an HTTP 5xx with code 50000; a path
 * without its trailing slash is a plain 404, as on TikTok.
 *
 * Reports (`report/integrated/get/`): BASIC, AUCTION_CAMPAIGN, dimensions
 * `campaign_id` + `stat_time_day`, at most 30 days per request, paged by
 * `page`/`page_size` (≤ 1000); days are the advertiser's calendar days, money
 * in its currency as decimal strings; only campaign-days with impressions.
 */
import { header, json, type Ctx, type Platform, type Reply, type Route } from '../core';
import { addDays, daysBetween, isIsoDate, moneyString, MINOR_DIGITS } from '../rng';
import { applyCampaignChange, findAccount, type AdAccount, type Campaign } from '../world';

export const TIKTOK_API_VERSION = 'v1.3';
const MAX_PAGE_SIZE = 1000;
const MAX_REPORT_DAYS = 30;
const METRICS = new Set(['campaign_name', 'spend', 'impressions', 'clicks', 'complete_payment', 'total_complete_payment_rate', 'form', 'ctr', 'cpc', 'cpm']);

function requestId(ctx: Ctx): string {
	return `2026${String(ctx.state.nextSeq).padStart(12, '0')}SANDBOX`;
}

function tt(ctx: Ctx | undefined, code: number, message: string, data: unknown = {}, status = 200): Reply {
	return json(status, { code, message, request_id: ctx ? requestId(ctx) : 'SANDBOX', data });
}

function ok(ctx: Ctx, data: unknown): Reply {
	return tt(ctx, 0, 'OK', data);
}

/** A JSON-array query parameter (`["a","b"]`), or an error text. */
function jsonList(ctx: Ctx, name: string, required: boolean): string[] | string | undefined {
	const raw = ctx.query.get(name);
	if (raw === null || raw === '') return required ? `${name}: Missing data for required field.` : undefined;
	try {
		const v = JSON.parse(raw) as unknown;
		if (!Array.isArray(v) || !v.every((x) => typeof x === 'string' || typeof x === 'number')) return `${name}: Not a valid list.`;
		return v.map(String);
	} catch {
		return `${name}: Not a valid list.`;
	}
}

function pageParams(ctx: Ctx): { page: number; pageSize: number } | string {
	const page = Number(ctx.query.get('page') ?? '1');
	const pageSize = Number(ctx.query.get('page_size') ?? '10');
	if (!Number.isInteger(page) || page < 1) return 'page: Must be greater than or equal to 1.';
	if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_PAGE_SIZE) return `page_size: Must be between 1 and ${MAX_PAGE_SIZE}.`;
	return { page, pageSize };
}

function paged<T>(items: T[], page: number, pageSize: number): { list: T[]; page_info: { page: number; page_size: number; total_number: number; total_page: number } } {
	return { list: items.slice((page - 1) * pageSize, page * pageSize), page_info: { page, page_size: pageSize, total_number: items.length, total_page: Math.ceil(items.length / pageSize) } };
}

function advertiser(ctx: Ctx, id: unknown): AdAccount<'tiktok'> | Reply {
	const account = typeof id === 'string' || typeof id === 'number' ? findAccount(ctx.state.world, 'tiktok', String(id)) : undefined;
	if (!account) return tt(ctx, 40001, `No permission to operate advertiser ${String(id ?? '')}. Please check whether the advertiser is authorized.`);
	return account;
}

function isReply(x: unknown): x is Reply {
	return !!x && typeof x === 'object' && 'status' in x && typeof (x as Reply).status === 'number';
}

function campaignJson(account: AdAccount<'tiktok'>, c: Campaign): Record<string, unknown> {
	return {
		campaign_id: c.id,
		campaign_name: c.name,
		advertiser_id: account.id,
		operation_status: c.status === 'ACTIVE' ? 'ENABLE' : 'DISABLE',
		secondary_status: c.status === 'ACTIVE' ? 'CAMPAIGN_STATUS_ENABLE' : 'CAMPAIGN_STATUS_DISABLE',
		budget_mode: 'BUDGET_MODE_DAY',
		budget: c.dailyBudget,
		objective_type: c.objective,
		create_time: `${c.createdDate} 00:00:00`,
		modify_time: `${c.statusHistory[c.statusHistory.length - 1]!.date} 00:00:00`,
	};
}

function advertiserInfo(ctx: Ctx): Reply {
	const ids = jsonList(ctx, 'advertiser_ids', true);
	if (typeof ids === 'string') return tt(ctx, 40002, ids);
	if (ids!.length === 0 || ids!.length > 100) return tt(ctx, 40002, 'advertiser_ids: Length must be between 1 and 100.');
	const list = [];
	for (const id of ids!) {
		const a = advertiser(ctx, id);
		if (isReply(a)) return a;
		list.push({ advertiser_id: a.id, name: a.name, currency: a.currency, timezone: a.timezone, display_timezone: a.timezone, status: 'STATUS_ENABLE', company: 'Northwind Apparel', country: a.currency === 'JPY' ? 'JP' : 'US' });
	}
	return ok(ctx, { list });
}

function campaignGet(ctx: Ctx): Reply {
	const a = advertiser(ctx, ctx.query.get('advertiser_id'));
	if (isReply(a)) return a;
	const p = pageParams(ctx);
	if (typeof p === 'string') return tt(ctx, 40002, p);
	let wanted: string[] | undefined;
	const filtering = ctx.query.get('filtering');
	if (filtering) {
		try {
			const f = JSON.parse(filtering) as { campaign_ids?: unknown };
			if (f.campaign_ids !== undefined) {
				if (!Array.isArray(f.campaign_ids)) return tt(ctx, 40002, 'filtering.campaign_ids: Not a valid list.');
				wanted = f.campaign_ids.map(String);
			}
		} catch {
			return tt(ctx, 40002, 'filtering: Invalid JSON.');
		}
	}
	const campaigns = a.campaigns.filter((c) => !wanted || wanted.includes(c.id)).map((c) => campaignJson(a, c));
	return ok(ctx, paged(campaigns, p.page, p.pageSize));
}

function report(ctx: Ctx): Reply {
	const a = advertiser(ctx, ctx.query.get('advertiser_id'));
	if (isReply(a)) return a;
	if ((ctx.query.get('report_type') ?? '') !== 'BASIC') return tt(ctx, 40002, 'report_type: Only BASIC is supported in the sandbox.');
	if ((ctx.query.get('data_level') ?? '') !== 'AUCTION_CAMPAIGN') return tt(ctx, 40002, 'data_level: Only AUCTION_CAMPAIGN is supported in the sandbox.');
	const dims = jsonList(ctx, 'dimensions', true);
	if (typeof dims === 'string') return tt(ctx, 40002, dims);
	if (dims!.length !== 2 || !dims!.includes('campaign_id') || !dims!.includes('stat_time_day')) return tt(ctx, 40002, 'dimensions: Only ["campaign_id","stat_time_day"] is supported in the sandbox.');
	const metrics = jsonList(ctx, 'metrics', false) ?? ['spend', 'impressions', 'clicks'];
	if (typeof metrics === 'string') return tt(ctx, 40002, metrics);
	const unknown = metrics.filter((m) => !METRICS.has(m));
	if (unknown.length > 0) return tt(ctx, 40002, `metrics: Invalid metric(s): ${unknown.join(', ')}.`);
	const start = ctx.query.get('start_date');
	const end = ctx.query.get('end_date');
	if (!isIsoDate(start) || !isIsoDate(end)) return tt(ctx, 40002, 'start_date/end_date: Time format should be %Y-%m-%d.');
	if (end < start) return tt(ctx, 40002, 'end_date: The end date must not be earlier than the start date.');
	if (daysBetween(start, end) + 1 > MAX_REPORT_DAYS) return tt(ctx, 40002, `The time range cannot exceed ${MAX_REPORT_DAYS} days when stat_time_day is a dimension.`);
	const p = pageParams(ctx);
	if (typeof p === 'string') return tt(ctx, 40002, p);
	const rows: Array<{ dimensions: Record<string, string>; metrics: Record<string, string> }> = [];
	for (let day = start; day <= end; day = addDays(day, 1)) {
		for (const c of a.campaigns) {
			const d = c.daily.find((x) => x.date === day);
			if (!d || d.impressions === 0) continue;
			const values: Record<string, string> = {
				campaign_name: c.name,
				spend: moneyString(d.spend, a.currency),
				impressions: String(d.impressions),
				clicks: String(d.clicks),
				complete_payment: String(d.conversions),
				total_complete_payment_rate: moneyString(d.revenue, a.currency),
				form: String(d.leads),
				ctr: d.impressions > 0 ? ((d.clicks / d.impressions) * 100).toFixed(2) : '0.00',
				cpc: d.clicks > 0 ? (d.spend / d.clicks).toFixed(MINOR_DIGITS[a.currency] ?? 2) : '0.00',
				cpm: ((d.spend / d.impressions) * 1000).toFixed(MINOR_DIGITS[a.currency] ?? 2),
			};
			rows.push({ dimensions: { campaign_id: c.id, stat_time_day: `${day} 00:00:00` }, metrics: Object.fromEntries(metrics.map((m) => [m, values[m]!])) });
		}
	}
	return ok(ctx, paged(rows, p.page, p.pageSize));
}

function bodyOf(ctx: Ctx): Record<string, unknown> | Reply {
	if (ctx.bodyError || !ctx.body || typeof ctx.body !== 'object' || Array.isArray(ctx.body)) return tt(ctx, 40002, 'Request body is not valid JSON.');
	return ctx.body as Record<string, unknown>;
}

function statusUpdate(ctx: Ctx): Reply {
	const body = bodyOf(ctx);
	if (isReply(body)) return body;
	const a = advertiser(ctx, body.advertiser_id);
	if (isReply(a)) return a;
	const ids = body.campaign_ids;
	if (!Array.isArray(ids) || ids.length === 0 || ids.length > 20) return tt(ctx, 40002, 'campaign_ids: Length must be between 1 and 20.');
	const op = body.operation_status;
	if (op !== 'ENABLE' && op !== 'DISABLE' && op !== 'DELETE') return tt(ctx, 40002, 'operation_status: Must be one of: ENABLE, DISABLE, DELETE.');
	if (op === 'DELETE') return tt(ctx, 40002, 'operation_status: DELETE is not supported in the sandbox.');
	const campaigns: Campaign[] = [];
	for (const id of ids) {
		const c = a.campaigns.find((x) => x.id === String(id));
		if (!c) return tt(ctx, 40007, `The campaign ${String(id)} does not exist.`);
		campaigns.push(c);
	}
	for (const c of campaigns) applyCampaignChange(ctx.state.world, c, { status: op === 'ENABLE' ? 'ACTIVE' : 'PAUSED' });
	return ok(ctx, { campaign_ids: campaigns.map((c) => c.id), status: op });
}

function campaignUpdate(ctx: Ctx): Reply {
	const body = bodyOf(ctx);
	if (isReply(body)) return body;
	const a = advertiser(ctx, body.advertiser_id);
	if (isReply(a)) return a;
	const c = a.campaigns.find((x) => x.id === String(body.campaign_id ?? ''));
	if (!c) return tt(ctx, 40007, `The campaign ${String(body.campaign_id ?? '')} does not exist.`);
	if (body.budget !== undefined) {
		const budget = body.budget;
		const digits = MINOR_DIGITS[a.currency] ?? 2;
		if (typeof budget !== 'number' || !Number.isFinite(budget) || budget <= 0) return tt(ctx, 40002, 'budget: Must be a positive number.');
		// decimal places of the number as JSON wrote it (81.4 * 100 is 8140.000000000001 in binary floating point)
		if (/e/i.test(String(budget)) || (/\.(\d+)$/.exec(String(budget))?.[1].length ?? 0) > digits) return tt(ctx, 40002, `budget: At most ${digits} decimal places for ${a.currency}.`);
		applyCampaignChange(ctx.state.world, c, { dailyBudget: budget });
	}
	return ok(ctx, campaignJson(a, c));
}

function versioned(name: string, method: string, path: string, handler: (ctx: Ctx) => Reply): Route {
	return {
		name,
		method,
		pattern: new RegExp(`^/open_api/(v\\d+\\.\\d+)/${path.replace(/\//g, '\\/')}/$`),
		handler: (ctx) => (ctx.params[0] === TIKTOK_API_VERSION ? handler(ctx) : tt(ctx, 40051, `Invalid API version ${ctx.params[0]}.`)),
	};
}

const routes: Route[] = [
	versioned('tiktok.advertiserInfo', 'GET', 'advertiser/info', advertiserInfo),
	versioned('tiktok.campaignGet', 'GET', 'campaign/get', campaignGet),
	versioned('tiktok.report', 'GET', 'report/integrated/get', report),
	versioned('tiktok.campaignStatusUpdate', 'POST', 'campaign/status/update', statusUpdate),
	versioned('tiktok.campaignUpdate', 'POST', 'campaign/update', campaignUpdate),
];

function authenticate(ctx: Ctx): Reply | undefined {
	const token = header(ctx, 'access-token');
	if (!token) return tt(ctx, 40104, 'Access token is null, you should set it in http header with key Access-Token.');
	if (token !== ctx.state.world.credentials.tiktok.accessToken) return tt(ctx, 40105, 'Access token is incorrect or has been revoked.');
	return undefined;
}

export const tiktok: Platform = {
	name: 'tiktok',
	prefix: '/tiktok',
	routes,
	authenticate,
	errorReply(status, kind, message) {
		// TikTok throttles with HTTP 200 and code 40100 (no Retry-After header)
		if (kind === 'rate_limit') return tt(undefined, 40100, 'Too many requests. Please retry in some time.');
		if (kind === 'server') return tt(undefined, 50000, `System error. ${message}`.trim(), {}, status);
		if (kind === 'not_found') return { status: 404, body: '404 page not found', raw: true, headers: { 'content-type': 'text/plain' } };
		return tt(undefined, 40002, message || 'Parameter error.');
	},
	decorate(ctx, reply) {
		reply.headers = { 'x-tt-logid': requestId(ctx), ...reply.headers };
	},
};

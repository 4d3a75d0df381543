/**
 * LinkedIn Marketing API (versioned `/rest/…`) under `/linkedin`. Requires
 * `LinkedIn-Version: YYYYMM` and `X-Restli-Protocol-Version: 2.0.0`; query
 * parameters use Rest.li 2.0 syntax (`List(...)`, `(key:value)`) with URNs
 * URL-encoded inside, as LinkedIn demands. Analytics are reported in UTC.
 * Campaign updates are recorded in the change log; `POST /_admin/campaigns/{id}/edit`
 * is a person's edit in Campaign Manager; both move the campaign's
 * `changeAuditStamps.lastModified.time` (LinkedIn's only trace of a change).
 */
import { bearer, bodyObject, header, json, now, type Ctx, type Platform, type Reply, type Route } from '../core';
import { addDays, isIsoDate, moneyString } from '../rng';
import { findAccount, findCampaign, type AdAccount, type Campaign, type CampaignStatus, type DailyMetrics, type World } from '../world';
import { adReport } from './ad-reports';
import { changeLog, manualEdit, recordedChange } from './change-history';
import { linkedinPublishRoutes } from './publish';
import { linkedinAdStatusRoutes } from './ad-status';

export type RestliValue = string | RestliValue[] | { [key: string]: RestliValue };

/** Parses one Rest.li 2.0 encoded value (as it appears in a raw query string). */
export function parseRestli(input: string): RestliValue {
	let i = 0;
	const fail = (msg: string): never => {
		throw new Error(`${msg} at position ${i} in "${input}"`);
	};
	const primitive = (): string => {
		let s = '';
		while (i < input.length && !'(),:'.includes(input[i]!)) s += input[i++];
		try {
			return decodeURIComponent(s);
		} catch {
			return fail('bad percent-encoding');
		}
	};
	const value = (): RestliValue => {
		if (input.startsWith('List(', i)) {
			i += 5;
			const items: RestliValue[] = [];
			if (input[i] === ')') {
				i++;
				return items;
			}
			for (;;) {
				items.push(value());
				if (input[i] === ',') i++;
				else if (input[i] === ')') {
					i++;
					return items;
				} else fail('expected , or ) in List');
			}
		}
		if (input[i] === '(') {
			i++;
			const obj: Record<string, RestliValue> = {};
			if (input[i] === ')') {
				i++;
				return obj;
			}
			for (;;) {
				const key = primitive();
				if (input[i] !== ':') fail(`expected : after key "${key}"`);
				i++;
				obj[key] = value();
				if (input[i] === ',') i++;
				else if (input[i] === ')') {
					i++;
					return obj;
				} else fail('expected , or ) in object');
			}
		}
		return primitive();
	};
	const result = value();
	if (i !== input.length) fail('unexpected trailing characters (URNs inside Rest.li values must be URL-encoded)');
	return result;
}

function rawParam(ctx: Ctx, name: string): string | undefined {
	for (const part of ctx.rawQuery.split('&')) {
		const eq = part.indexOf('=');
		const key = decodeURIComponent(eq < 0 ? part : part.slice(0, eq));
		if (key === name) return eq < 0 ? '' : part.slice(eq + 1);
	}
	return undefined;
}

function liError(status: number, code: string, message: string, serviceErrorCode?: number): Reply {
	return json(status, { status, code, message, ...(serviceErrorCode !== undefined ? { serviceErrorCode } : {}) });
}

function illegal(message: string): Reply {
	return liError(400, 'ILLEGAL_ARGUMENT', message, 100);
}

function dateFrom(v: RestliValue | undefined): string | undefined {
	if (!v || typeof v !== 'object' || Array.isArray(v)) return undefined;
	const { year, month, day } = v as Record<string, RestliValue>;
	if (typeof year !== 'string' || typeof month !== 'string' || typeof day !== 'string') return undefined;
	const date = `${year.padStart(4, '0')}-${month.padStart(2, '0')}-${day.padStart(2, '0')}`;
	return isIsoDate(date) ? date : undefined;
}

function liDate(date: string): { year: number; month: number; day: number } {
	const [y, m, d] = date.split('-').map(Number) as [number, number, number];
	return { year: y, month: m, day: d };
}

const METRICS = new Set([
	'impressions',
	'clicks',
	'landingPageClicks',
	'costInLocalCurrency',
	'costInUsd',
	'externalWebsiteConversions',
	'oneClickLeads',
	'conversionValueInLocalCurrency',
	'totalEngagements',
	'dateRange',
	'pivotValues',
]);

const USD_RATE: Record<string, number> = { USD: 1, GBP: 1.27, EUR: 1.08 };

function analytics(ctx: Ctx): Reply {
	const finder = ctx.query.get('q');
	if (finder !== 'analytics' && finder !== 'statistics') return illegal('Only the analytics and statistics finders (q=analytics, q=statistics) are supported on adAnalytics by the sandbox');
	// q=analytics takes one pivot; q=statistics up to three (pivots=List(CAMPAIGN,CREATIVE)), each element naming one value per pivot
	let pivots: string[];
	if (finder === 'analytics') pivots = [ctx.query.get('pivot') ?? ''];
	else {
		let parsed: RestliValue | undefined;
		try {
			const raw = rawParam(ctx, 'pivots');
			parsed = raw ? parseRestli(raw) : undefined;
		} catch (error) {
			return illegal(`Invalid param. ${(error as Error).message}`);
		}
		if (!Array.isArray(parsed) || parsed.length === 0 || parsed.length > 3) return illegal('pivots must be List(...) of one to three pivots');
		pivots = parsed.map(String);
	}
	for (const p of pivots) if (p !== 'CAMPAIGN' && p !== 'ACCOUNT' && p !== 'CREATIVE') return illegal('pivot must be CAMPAIGN, ACCOUNT or CREATIVE');
	const pivot = pivots[0]!;
	const granularity = ctx.query.get('timeGranularity');
	if (granularity !== 'DAILY' && granularity !== 'ALL') return illegal('timeGranularity must be DAILY or ALL');
	let parsedRange: RestliValue;
	let accountsValue: RestliValue | undefined;
	let campaignsValue: RestliValue | undefined;
	try {
		const dr = rawParam(ctx, 'dateRange');
		if (!dr) return illegal('dateRange is required, e.g. dateRange=(start:(year:2024,month:1,day:1))');
		parsedRange = parseRestli(dr);
		const acc = rawParam(ctx, 'accounts');
		if (acc) accountsValue = parseRestli(acc);
		const camp = rawParam(ctx, 'campaigns');
		if (camp) campaignsValue = parseRestli(camp);
	} catch (error) {
		return illegal(`Invalid param. ${(error as Error).message}`);
	}
	if (typeof parsedRange !== 'object' || Array.isArray(parsedRange)) return illegal('dateRange must be a Rest.li object');
	const start = dateFrom(parsedRange.start);
	if (!start) return illegal('dateRange.start must be (year:Y,month:M,day:D)');
	const yesterday = addDays(ctx.state.world.today, -1);
	const end = parsedRange.end === undefined ? yesterday : dateFrom(parsedRange.end);
	if (!end) return illegal('dateRange.end must be (year:Y,month:M,day:D)');
	if (end < start) return illegal('dateRange.end must not be before dateRange.start');
	if (!accountsValue && !campaignsValue) return illegal('One of accounts, campaigns, campaignGroups, shares or companies is required');
	const urns = [...(Array.isArray(accountsValue) ? accountsValue : accountsValue ? [accountsValue] : []), ...(Array.isArray(campaignsValue) ? campaignsValue : campaignsValue ? [campaignsValue] : [])];
	const selected: Array<{ account: AdAccount; campaign: Campaign }> = [];
	for (const urn of urns) {
		if (typeof urn !== 'string') return illegal('accounts/campaigns must be List(...) of URNs');
		const am = /^urn:li:sponsoredAccount:(\d+)$/.exec(urn);
		const cm = /^urn:li:sponsoredCampaign:(\d+)$/.exec(urn);
		if (am) {
			const account = findAccount(ctx.state.world, 'linkedin', am[1]!);
			if (!account) return liError(403, 'ACCESS_DENIED', `Not enough permissions to access: adAnalytics for ${urn}`, 100);
			for (const campaign of account.campaigns) selected.push({ account, campaign });
		} else if (cm) {
			const found = findCampaign(ctx.state.world, 'linkedin', cm[1]!);
			if (!found) return liError(403, 'ACCESS_DENIED', `Not enough permissions to access: adAnalytics for ${urn}`, 100);
			selected.push(found);
		} else return illegal(`Invalid URN ${urn}`);
	}
	const fieldsRaw = ctx.query.get('fields');
	const fields = fieldsRaw ? fieldsRaw.split(',').map((f) => f.trim()) : ['impressions', 'clicks', 'dateRange', 'pivotValues'];
	for (const f of fields) if (!METRICS.has(f)) return illegal(`Invalid field ${f} requested in projection`);
	if (fields.filter((f) => f !== 'dateRange' && f !== 'pivotValues').length > 20) return illegal('Request exceeds the maximum of 20 metrics');
	if (pivots.includes('CREATIVE')) return json(200, { paging: { start: 0, count: 10, links: [] }, elements: creativeElements(ctx.state.world, selected, pivots, fields, start, end, granularity) });
	const groups = new Map<string, { account: AdAccount; campaigns: Campaign[] }>();
	for (const s of selected) {
		const key = pivot === 'CAMPAIGN' ? `urn:li:sponsoredCampaign:${s.campaign.id}` : `urn:li:sponsoredAccount:${s.account.id}`;
		const g = groups.get(key) ?? { account: s.account, campaigns: [] };
		if (!g.campaigns.includes(s.campaign)) g.campaigns.push(s.campaign);
		groups.set(key, g);
	}
	const buckets: Array<[string, string]> = granularity === 'ALL' ? [[start, end]] : [];
	if (granularity === 'DAILY') for (let d = start; d <= end; d = addDays(d, 1)) buckets.push([d, d]);
	const elements: Array<Record<string, unknown>> = [];
	for (const [since, until] of buckets) {
		for (const [urn, g] of groups) {
			let impressions = 0;
			let clicks = 0;
			let spend = 0;
			let conversions = 0;
			let leads = 0;
			let value = 0;
			for (const c of g.campaigns) for (const d of c.daily) {
				if (d.date < since || d.date > until) continue;
				impressions += d.impressions;
				clicks += d.clicks;
				spend += d.spend;
				conversions += d.conversions;
				leads += d.leads;
				value += d.revenue;
			}
			if (impressions === 0) continue;
			const all: Record<string, unknown> = {
				impressions,
				clicks,
				landingPageClicks: Math.round(clicks * 0.9),
				costInLocalCurrency: moneyString(spend, g.account.currency),
				costInUsd: String(spend * (USD_RATE[g.account.currency] ?? 1)),
				externalWebsiteConversions: conversions,
				oneClickLeads: leads,
				conversionValueInLocalCurrency: moneyString(value, g.account.currency),
				totalEngagements: Math.round(clicks * 1.6),
				dateRange: { start: liDate(since), end: liDate(until) },
				pivotValues: [urn],
			};
			const el: Record<string, unknown> = {};
			for (const f of fields) el[f] = all[f];
			elements.push(el);
		}
	}
	return json(200, { paging: { start: 0, count: 10, links: [] }, elements });
}

/** Elements per creative (platforms/ad-reports.ts splits each campaign day over its creatives, summing to it exactly). */
function creativeElements(world: World, selected: ReadonlyArray<{ account: AdAccount; campaign: Campaign }>, pivots: readonly string[], fields: readonly string[], start: string, end: string, granularity: string): Array<Record<string, unknown>> {
	const elements: Array<Record<string, unknown>> = [];
	const byAccount = new Map<AdAccount, Campaign[]>();
	for (const s of selected) byAccount.set(s.account, [...(byAccount.get(s.account) ?? []), s.campaign]);
	for (const [account, campaigns] of byAccount) {
		const sums = new Map<string, { campaign: Campaign; adId: string; since: string; until: string; m: Omit<DailyMetrics, 'date'> }>();
		for (const r of adReport(world, account, start, end, [...new Set(campaigns)])) {
			const [since, until] = granularity === 'ALL' ? [start, end] : [r.metrics.date, r.metrics.date];
			const key = `${r.ad.adId}|${since}`;
			const e = sums.get(key) ?? { campaign: r.campaign, adId: r.ad.adId, since, until, m: { spend: 0, impressions: 0, clicks: 0, conversions: 0, revenue: 0, leads: 0 } };
			for (const k of ['spend', 'impressions', 'clicks', 'conversions', 'revenue', 'leads'] as const) e.m[k] += r.metrics[k];
			sums.set(key, e);
		}
		for (const e of sums.values()) {
			const urnOf = (p: string) => (p === 'CREATIVE' ? `urn:li:sponsoredCreative:${e.adId}` : p === 'CAMPAIGN' ? `urn:li:sponsoredCampaign:${e.campaign.id}` : `urn:li:sponsoredAccount:${account.id}`);
			const all: Record<string, unknown> = {
				impressions: e.m.impressions,
				clicks: e.m.clicks,
				landingPageClicks: Math.round(e.m.clicks * 0.9),
				costInLocalCurrency: moneyString(e.m.spend, account.currency),
				costInUsd: String(e.m.spend * (USD_RATE[account.currency] ?? 1)),
				externalWebsiteConversions: e.m.conversions,
				oneClickLeads: e.m.leads,
				conversionValueInLocalCurrency: moneyString(e.m.revenue, account.currency),
				totalEngagements: Math.round(e.m.clicks * 1.6),
				dateRange: { start: liDate(e.since), end: liDate(e.until) },
				pivotValues: pivots.map(urnOf),
			};
			const el: Record<string, unknown> = {};
			for (const f of fields) el[f] = all[f];
			elements.push(el);
		}
	}
	return elements;
}

function accountJson(a: AdAccount): Record<string, unknown> {
	return {
		id: Number(a.id),
		name: a.name,
		currency: a.currency,
		status: 'ACTIVE',
		type: 'BUSINESS',
		test: false,
		reference: `urn:li:organization:${Number(a.id) % 100000}`,
		servingStatuses: ['RUNNABLE'],
		notifiedOnCampaignOptimization: false,
		notifiedOnCreativeApproval: false,
		notifiedOnCreativeRejection: true,
		notifiedOnEndOfCampaign: false,
		version: { versionTag: '4' },
	};
}

/**
 * `changeAuditStamps.lastModified.time` (epoch ms): the latest recorded
 * change of the campaign (API or Campaign Manager), else the day of its last
 * seeded status or budget change at 09:00 UTC. LinkedIn says when, not who or what.
 */
function lastModified(world: World, a: AdAccount, c: Campaign): number {
	let latest = Number.NEGATIVE_INFINITY;
	for (const x of changeLog(world)) if (x.platform === 'linkedin' && x.accountId === a.id && x.campaignId === c.id && x.atMs > latest) latest = x.atMs;
	if (Number.isFinite(latest)) return latest;
	return Date.parse(`${[...c.statusHistory.map((h) => h.date), ...c.budgetHistory.map((h) => h.date)].sort().pop() ?? c.createdDate}T09:00:00Z`);
}

function campaignJson(world: World, a: AdAccount, c: Campaign): Record<string, unknown> {
	return {
		id: Number(c.id),
		name: c.name,
		account: `urn:li:sponsoredAccount:${a.id}`,
		campaignGroup: `urn:li:sponsoredCampaignGroup:${Number(a.id) % 1000000}`,
		status: c.status,
		type: 'SPONSORED_UPDATES',
		costType: 'CPM',
		objectiveType: c.objective,
		dailyBudget: { amount: moneyString(c.dailyBudget, a.currency), currencyCode: a.currency },
		unitCost: { amount: '30.00', currencyCode: a.currency },
		locale: { country: a.currency === 'GBP' ? 'GB' : 'US', language: 'en' },
		runSchedule: { start: Date.parse(`${c.createdDate}T00:00:00Z`) },
		changeAuditStamps: {
			created: { time: Date.parse(`${c.createdDate}T09:00:00Z`) },
			lastModified: { time: lastModified(world, a, c) },
		},
		servingStatuses: c.status === 'ACTIVE' ? ['RUNNABLE'] : ['CAMPAIGN_STATUS_NOT_ACTIVE'],
		version: { versionTag: String(c.statusHistory.length + c.budgetHistory.length) },
	};
}

function getAccount(ctx: Ctx): Reply {
	const a = findAccount(ctx.state.world, 'linkedin', ctx.params[0]!);
	if (!a) return liError(404, 'NOT_FOUND', `Ad account ${ctx.params[0]} does not exist`);
	return json(200, accountJson(a));
}

/** One page of a finder's results (`pageSize`, opaque `pageToken`; `metadata.nextPageToken` while more remain). */
function restliPage<T>(ctx: Ctx, items: readonly T[], toJson: (item: T) => unknown): Reply {
	const pageSize = Number(ctx.query.get('pageSize') ?? '100');
	if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 1000) return illegal('pageSize must be between 1 and 1000');
	const token = ctx.query.get('pageToken');
	const start = token ? Number(Buffer.from(token, 'base64').toString('utf8')) : 0;
	if (!Number.isInteger(start) || start < 0) return illegal('Invalid pageToken');
	const next = start + pageSize < items.length ? Buffer.from(String(start + pageSize)).toString('base64') : undefined;
	return json(200, { elements: items.slice(start, start + pageSize).map(toJson), metadata: next ? { nextPageToken: next } : {} });
}

/** `GET /rest/adAccounts?q=search`: the sandbox's LinkedIn ad accounts (the token's member may use them all), paged with `pageToken`. */
function searchAccounts(ctx: Ctx): Reply {
	if (ctx.query.get('q') !== 'search') return illegal('q=search is required');
	const accounts = ctx.state.world.accounts.filter((a) => a.platform === 'linkedin');
	return restliPage(ctx, accounts, accountJson);
}

function searchCampaigns(ctx: Ctx): Reply {
	const a = findAccount(ctx.state.world, 'linkedin', ctx.params[0]!);
	if (!a) return liError(404, 'NOT_FOUND', `Ad account ${ctx.params[0]} does not exist`);
	if (ctx.query.get('q') !== 'search') return illegal('q=search is required');
	let campaigns = a.campaigns;
	const search = rawParam(ctx, 'search');
	if (search) {
		let parsed: RestliValue;
		try {
			parsed = parseRestli(search);
		} catch (error) {
			return illegal(`Invalid param. ${(error as Error).message}`);
		}
		const status = typeof parsed === 'object' && !Array.isArray(parsed) ? parsed.status : undefined;
		const values = status && typeof status === 'object' && !Array.isArray(status) ? status.values : undefined;
		if (Array.isArray(values)) campaigns = campaigns.filter((c) => values.includes(c.status));
	}
	return restliPage(ctx, campaigns, (c) => campaignJson(ctx.state.world, a, c));
}

function getCampaign(ctx: Ctx): Reply {
	const a = findAccount(ctx.state.world, 'linkedin', ctx.params[0]!);
	const c = a?.campaigns.find((x) => x.id === ctx.params[1]);
	if (!a || !c) return liError(404, 'NOT_FOUND', `Campaign ${ctx.params[1]} does not exist in account ${ctx.params[0]}`);
	return json(200, campaignJson(ctx.state.world, a, c));
}

function updateCampaign(ctx: Ctx): Reply {
	const a = findAccount(ctx.state.world, 'linkedin', ctx.params[0]!);
	const c = a?.campaigns.find((x) => x.id === ctx.params[1]);
	if (!a || !c) return liError(404, 'NOT_FOUND', `Campaign ${ctx.params[1]} does not exist in account ${ctx.params[0]}`);
	if (header(ctx, 'x-restli-method')?.toUpperCase() !== 'PARTIAL_UPDATE') return illegal('POST on an entity requires X-RestLi-Method: PARTIAL_UPDATE');
	const body = ctx.body as { patch?: { $set?: Record<string, unknown> } } | undefined;
	const set = body?.patch?.$set;
	if (!set || typeof set !== 'object') return liError(400, 'INVALID_PATCH', 'Body must be {"patch":{"$set":{...}}}');
	const change: { status?: CampaignStatus; dailyBudget?: number } = {};
	for (const [key, value] of Object.entries(set)) {
		if (key === 'status') {
			if (value !== 'ACTIVE' && value !== 'PAUSED') return liError(422, 'UNPROCESSABLE_ENTITY', `status must be ACTIVE or PAUSED in the sandbox, got ${String(value)}`);
			change.status = value;
		} else if (key === 'dailyBudget') {
			const b = value as { amount?: unknown; currencyCode?: unknown };
			const amount = Number(b?.amount);
			if (typeof b?.amount !== 'string' || !Number.isFinite(amount) || amount <= 0) return liError(422, 'UNPROCESSABLE_ENTITY', 'dailyBudget.amount must be a positive decimal string');
			if (b.currencyCode !== a.currency) return liError(422, 'UNPROCESSABLE_ENTITY', `dailyBudget.currencyCode must be the account currency ${a.currency}`);
			if (amount < 10) return liError(422, 'UNPROCESSABLE_ENTITY', `Daily budget must be at least 10.00 ${a.currency}`, 5034);
			change.dailyBudget = amount;
		} else return liError(422, 'UNPROCESSABLE_ENTITY', `Field ${key} cannot be updated in the sandbox (status, dailyBudget)`);
	}
	recordedChange(ctx.state.world, 'linkedin', a, c, change, { who: 'AdOps API member', via: 'LinkedIn Marketing API', manual: false, atMs: now(ctx.state) });
	return { status: 204 };
}

/**
 * The sandbox's LinkedIn OAuth client (the AdOps LinkedIn credential of
 * scripts/sandbox/n8n-credentials.ts) and the refresh token it holds.
 */
export const LINKEDIN_SANDBOX_OAUTH = { clientId: 'sandbox-linkedin-client', clientSecret: 'sandbox', refreshToken: 'AQXsandbox-linkedin-refresh-token' } as const;

/** Access tokens live 60 days, refresh tokens a year (LinkedIn's programmatic refresh). */
const ACCESS_TOKEN_LIFETIME_S = 5_184_000;
const REFRESH_TOKEN_LIFETIME_S = 31_536_000;

const TOKEN_PATH = '/oauth/v2/accessToken';

/**
 * `POST /oauth/v2/accessToken` with `grant_type=refresh_token` (form body,
 * client id and secret in the body), as LinkedIn's refresh-token flow: a new
 * access token (the one the API routes accept) with its lifetime, and the
 * refresh token. Errors as LinkedIn's OAuth server sends them.
 */
function accessToken(ctx: Ctx): Reply {
	const body = bodyObject(ctx);
	const oauthError = (status: number, error: string, description: string) => json(status, { error, error_description: description });
	if (body.grant_type !== 'refresh_token') return oauthError(400, 'unsupported_grant_type', 'A required parameter "grant_type" is missing or not supported');
	if (body.client_id !== LINKEDIN_SANDBOX_OAUTH.clientId || body.client_secret !== LINKEDIN_SANDBOX_OAUTH.clientSecret) return oauthError(401, 'invalid_client', 'Client authentication failed');
	if (body.refresh_token !== LINKEDIN_SANDBOX_OAUTH.refreshToken) return oauthError(400, 'invalid_request', 'The provided authorization grant or refresh token is invalid, expired or revoked');
	return json(200, { access_token: ctx.state.world.credentials.linkedin.accessToken, expires_in: ACCESS_TOKEN_LIFETIME_S, refresh_token: LINKEDIN_SANDBOX_OAUTH.refreshToken, refresh_token_expires_in: REFRESH_TOKEN_LIFETIME_S, scope: 'r_ads,r_ads_reporting,rw_ads' });
}

function authenticate(ctx: Ctx): Reply | undefined {
	// the token endpoint authenticates the client itself (www.linkedin.com serves it, not api.linkedin.com)
	if (ctx.path === TOKEN_PATH) return undefined;
	const token = bearer(ctx);
	if (!token) return liError(401, 'REVOKED_ACCESS_TOKEN', 'Empty oauth2 access token', 65601);
	if (token !== ctx.state.world.credentials.linkedin.accessToken) return liError(401, 'INVALID_ACCESS_TOKEN', 'Invalid access token', 65600);
	const version = header(ctx, 'linkedin-version');
	if (!version) return liError(400, 'VERSION_MISSING', 'A version must be present. Please specify a version by adding the LinkedIn-Version header.');
	if (!/^\d{6}(\.\d{2})?$/.test(version)) return liError(400, 'INVALID_VERSION', `Invalid version format ${version}; expected YYYYMM`);
	if (header(ctx, 'x-restli-protocol-version') !== '2.0.0') return illegal('X-Restli-Protocol-Version: 2.0.0 is required for Rest.li 2.0 query syntax');
	return undefined;
}

const routes: Route[] = [
	{ name: 'linkedin.analytics', method: 'GET', pattern: /^\/rest\/adAnalytics$/, handler: analytics },
	{ name: 'linkedin.accessToken', method: 'POST', pattern: /^\/oauth\/v2\/accessToken$/, handler: accessToken },
	{ name: 'linkedin.accounts', method: 'GET', pattern: /^\/rest\/adAccounts$/, handler: searchAccounts },
	{ name: 'linkedin.account', method: 'GET', pattern: /^\/rest\/adAccounts\/(\d+)$/, handler: getAccount },
	{ name: 'linkedin.campaigns', method: 'GET', pattern: /^\/rest\/adAccounts\/(\d+)\/adCampaigns$/, handler: searchCampaigns },
	{ name: 'linkedin.campaign', method: 'GET', pattern: /^\/rest\/adAccounts\/(\d+)\/adCampaigns\/(\d+)$/, handler: getCampaign },
	{ name: 'linkedin.adminEdit', method: 'POST', pattern: /^\/_admin\/campaigns\/(\d+)\/edit$/, handler: manualEdit('linkedin', 'Campaign Manager') },
	{ name: 'linkedin.campaignUpdate', method: 'POST', pattern: /^\/rest\/adAccounts\/(\d+)\/adCampaigns\/(\d+)$/, handler: updateCampaign },
	// publishing sponsored content (issue 20)
	...linkedinPublishRoutes,
	// one creative's status (issue 20: rules on ads)
	...linkedinAdStatusRoutes,
];

export const linkedin: Platform = {
	name: 'linkedin',
	prefix: '/linkedin',
	routes,
	authenticate,
	errorReply(status, kind, message, retryAfter) {
		if (kind === 'rate_limit') return { ...liError(429, 'TOO_MANY_REQUESTS', `Resource level throttle limit for calls to this resource is reached. ${message}`.trim()), headers: { 'retry-after': String(retryAfter ?? 1) } };
		if (kind === 'server') return liError(status, 'INTERNAL_SERVER_ERROR', `Internal Server Error. ${message}`.trim());
		if (kind === 'not_found') return liError(404, 'RESOURCE_NOT_FOUND', message);
		return illegal(message);
	},
	decorate(ctx, reply) {
		reply.headers = { 'x-li-uuid': `sandbox-${ctx.state.nextSeq}`, 'x-restli-protocol-version': '2.0.0', ...reply.headers };
	},
};

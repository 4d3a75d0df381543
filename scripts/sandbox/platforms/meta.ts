/**
 * Meta Graph API (Marketing API + page comments) under `/meta/{version}/…`.
 * Numbers are strings like Graph returns them; budgets are in minor units;
 * insights omit days without delivery; paging uses base64 offset cursors and
 * an absolute `paging.next`. Every reply carries `X-App-Usage` and
 * `X-Business-Use-Case-Usage` whose percentages rise with call volume.
 */
import { adReport, type SandboxAd } from './ad-reports';
import { createHmac } from 'node:crypto';
import { bodyObject, bearer, json, now, param, type Ctx, type Platform, type Reply, type Route } from '../core';
import { addDays, fnv1a, isIsoDate, moneyString, toMinor, fromMinor } from '../rng';
import { changeLog, manualEdit, recordedChange } from './change-history';
import { metaAdSetId, metaPublishRoutes } from './publish';
import { withMetaAdRead, withMetaAdUpdate } from './ad-status';
import { findAccount, findCampaign, metaTime, type AdAccount, type Campaign, type CampaignStatus, type MetaComment, type World } from '../world';

const V = '/v\\d+(?:\\.\\d+)?';

function traceId(ctx: Ctx): string {
	return `A${fnv1a(`${ctx.state.nextSeq}|${ctx.fullPath}`).toString(36)}Sandbox`;
}

function graphError(ctx: Ctx | undefined, status: number, message: string, type: string, code: number, subcode?: number, extra?: Record<string, unknown>): Reply {
	return json(status, {
		error: {
			message,
			type,
			code,
			...(subcode !== undefined ? { error_subcode: subcode } : {}),
			...extra,
			fbtrace_id: ctx ? traceId(ctx) : 'ASandboxFault',
		},
	});
}

function badParam(ctx: Ctx, message: string, subcode?: number): Reply {
	return graphError(ctx, 400, `(#100) ${message}`, 'OAuthException', 100, subcode);
}

function notFound(ctx: Ctx, id: string): Reply {
	return graphError(ctx, 400, `Unsupported get request. Object with ID '${id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation.`, 'GraphMethodException', 100, 33);
}

/** Parses `id,name,creative{id,effective_object_story_id}` into a tree. */
export function parseFields(input: string): Map<string, Map<string, unknown> | null> {
	const out = new Map<string, Map<string, unknown> | null>();
	let i = 0;
	const parseList = (target: Map<string, Map<string, unknown> | null>): void => {
		while (i < input.length) {
			let name = '';
			while (i < input.length && !',{}'.includes(input[i]!)) name += input[i++];
			name = name.trim();
			let sub: Map<string, Map<string, unknown> | null> | null = null;
			if (input[i] === '{') {
				i++;
				sub = new Map();
				parseList(sub);
				i++; // closing brace
			}
			if (name) target.set(name.replace(/\.limit\(\d+\)$/, ''), sub as Map<string, unknown> | null);
			if (input[i] === ',') {
				i++;
				continue;
			}
			if (input[i] === '}' || i >= input.length) return;
		}
	};
	parseList(out);
	return out;
}

function cursor(offset: number): string {
	return Buffer.from(`offset:${offset}`).toString('base64').replace(/=+$/, '');
}

function readCursor(value: string | null): number | undefined {
	if (!value) return undefined;
	const text = Buffer.from(value, 'base64').toString('utf8');
	const m = /^offset:(\d+)$/.exec(text);
	return m ? Number(m[1]) : undefined;
}

/** Slices `items` by `limit`/`after`/`before` and builds Graph paging. */
function page<T>(ctx: Ctx, items: T[], defaultLimit: number): { data: T[]; paging?: Record<string, unknown> } | Reply {
	const limitRaw = ctx.query.get('limit');
	const limit = limitRaw === null ? defaultLimit : Number(limitRaw);
	if (!Number.isInteger(limit) || limit <= 0) return badParam(ctx, 'Param limit must be a positive integer');
	const afterRaw = ctx.query.get('after');
	const start = afterRaw ? readCursor(afterRaw) : 0;
	if (start === undefined) return badParam(ctx, 'Invalid cursor');
	const data = items.slice(start, start + limit);
	if (items.length === 0) return { data };
	const paging: Record<string, unknown> = { cursors: { before: cursor(start), after: cursor(start + data.length - 1 + 1) } };
	if (start + limit < items.length) {
		const next = new URLSearchParams(ctx.query);
		next.set('after', cursor(start + limit));
		next.set('limit', String(limit));
		paging.next = `${ctx.origin}/meta${ctx.path}?${next.toString()}`;
	}
	if (start > 0) {
		const prev = new URLSearchParams(ctx.query);
		prev.delete('after');
		prev.set('before', cursor(start));
		paging.previous = `${ctx.origin}/meta${ctx.path}?${prev.toString()}`;
	}
	return { data, paging };
}

function isReply(value: unknown): value is Reply {
	return !!value && typeof value === 'object' && 'status' in value && typeof (value as Reply).status === 'number';
}

const INSIGHT_FIELDS = new Set([
	'account_id',
	'account_name',
	'account_currency',
	'campaign_id',
	'campaign_name',
	'adset_id',
	'adset_name',
	'ad_id',
	'ad_name',
	'objective',
	'spend',
	'impressions',
	'clicks',
	'inline_link_clicks',
	'ctr',
	'cpc',
	'cpm',
	'actions',
	'action_values',
	'purchase_roas',
	'date_start',
	'date_stop',
]);

const PURCHASE_TYPES = ['offsite_conversion.fb_pixel_purchase', 'omni_purchase', 'purchase'];

interface Agg {
	spend: number;
	impressions: number;
	clicks: number;
	conversions: number;
	revenue: number;
	leads: number;
}

function insightRow(account: AdAccount, campaign: Campaign | undefined, since: string, until: string, m: Agg, fields: Set<string>): Record<string, string | unknown[]> {
	const row: Record<string, string | unknown[]> = {};
	const cur = account.currency;
	for (const f of fields) {
		switch (f) {
			case 'account_id':
				row.account_id = account.id;
				break;
			case 'account_name':
				row.account_name = account.name;
				break;
			case 'account_currency':
				row.account_currency = cur;
				break;
			case 'campaign_id':
				if (campaign) row.campaign_id = campaign.id;
				break;
			case 'campaign_name':
				if (campaign) row.campaign_name = campaign.name;
				break;
			case 'objective':
				if (campaign) row.objective = campaign.objective;
				break;
			case 'spend':
				row.spend = moneyString(m.spend, cur);
				break;
			case 'impressions':
				row.impressions = String(m.impressions);
				break;
			case 'clicks':
				row.clicks = String(m.clicks);
				break;
			case 'inline_link_clicks':
				row.inline_link_clicks = String(Math.round(m.clicks * 0.82));
				break;
			case 'ctr':
				row.ctr = m.impressions ? String((m.clicks / m.impressions) * 100) : '0';
				break;
			case 'cpc':
				if (m.clicks) row.cpc = String(m.spend / m.clicks);
				break;
			case 'cpm':
				if (m.impressions) row.cpm = String((m.spend / m.impressions) * 1000);
				break;
			case 'actions': {
				const actions: Array<{ action_type: string; value: string }> = [];
				if (m.clicks) actions.push({ action_type: 'link_click', value: String(Math.round(m.clicks * 0.82)) });
				if (m.leads) actions.push({ action_type: 'lead', value: String(m.leads) }, { action_type: 'onsite_conversion.lead_grouped', value: String(m.leads) });
				if (m.conversions) for (const t of PURCHASE_TYPES) actions.push({ action_type: t, value: String(m.conversions) });
				if (actions.length) row.actions = actions;
				break;
			}
			case 'action_values':
				if (m.revenue) row.action_values = PURCHASE_TYPES.map((t) => ({ action_type: t, value: moneyString(m.revenue, cur) }));
				break;
			case 'purchase_roas':
				if (m.revenue && m.spend) row.purchase_roas = [{ action_type: 'omni_purchase', value: String(m.revenue / m.spend) }];
				break;
			default:
				break;
		}
	}
	row.date_start = since;
	row.date_stop = until;
	return row;
}

function resolveRange(ctx: Ctx, world: World): { since: string; until: string } | Reply {
	const tr = ctx.query.get('time_range');
	const yesterday = addDays(world.today, -1);
	if (tr) {
		let parsed: unknown;
		try {
			parsed = JSON.parse(tr);
		} catch {
			return badParam(ctx, 'time_range must be a JSON object like {"since":"YYYY-MM-DD","until":"YYYY-MM-DD"}');
		}
		const { since, until } = (parsed ?? {}) as { since?: unknown; until?: unknown };
		if (!isIsoDate(since) || !isIsoDate(until)) return badParam(ctx, 'time_range.since and time_range.until must be dates in YYYY-MM-DD');
		if (since > until) return badParam(ctx, 'time_range.since must be on or before time_range.until');
		if (since < addDays(world.today, -37 * 30)) return badParam(ctx, 'Reach-related metric breakdowns are unavailable for time ranges older than 37 months', 2446289);
		return { since, until };
	}
	const preset = ctx.query.get('date_preset') ?? 'last_30d';
	const presets: Record<string, [number, number]> = { today: [0, 0], yesterday: [-1, -1], last_3d: [-3, -1], last_7d: [-7, -1], last_14d: [-14, -1], last_28d: [-28, -1], last_30d: [-30, -1], last_90d: [-90, -1] };
	const p = presets[preset];
	if (!p) {
		if (preset === 'maximum') return { since: world.firstDate, until: yesterday };
		return badParam(ctx, `date_preset must be one of ${[...Object.keys(presets), 'maximum'].join(', ')}`);
	}
	return { since: addDays(world.today, p[0]), until: addDays(world.today, p[1]) };
}

function insights(ctx: Ctx): Reply {
	const world = ctx.state.world;
	const account = findAccount(world, 'meta', ctx.params[0]!);
	if (!account) return notFound(ctx, `act_${ctx.params[0]}`);
	const level = ctx.query.get('level') ?? 'account';
	if (level !== 'account' && level !== 'campaign' && level !== 'ad') return badParam(ctx, 'level must be one of account, campaign, ad (the sandbox does not model ad set insights)');
	const fieldsRaw = ctx.query.get('fields') ?? 'date_start,date_stop,impressions,spend';
	const fields = new Set(fieldsRaw.split(',').map((f) => f.trim()).filter(Boolean));
	for (const f of fields) if (!INSIGHT_FIELDS.has(f)) return badParam(ctx, `${f} is not valid for fields param. please check https://developers.facebook.com/docs/marketing-api/reference/ads-insights/ for all valid values`);
	const range = resolveRange(ctx, world);
	if (isReply(range)) return range;
	const inc = ctx.query.get('time_increment') ?? 'all_days';
	if (inc !== 'all_days' && !/^\d+$/.test(inc)) return badParam(ctx, 'time_increment must be all_days, monthly or a number of days between 1 and 90');
	const step = inc === 'all_days' ? Number.POSITIVE_INFINITY : Number(inc);
	if (step !== Number.POSITIVE_INFINITY && (step < 1 || step > 90)) return badParam(ctx, 'time_increment must be between 1 and 90');
	let campaignFilter: Set<string> | undefined;
	const filtering = ctx.query.get('filtering');
	if (filtering) {
		let parsed: unknown;
		try {
			parsed = JSON.parse(filtering);
		} catch {
			return badParam(ctx, 'filtering must be a JSON array');
		}
		if (!Array.isArray(parsed)) return badParam(ctx, 'filtering must be a JSON array');
		for (const f of parsed as Array<Record<string, unknown>>) {
			if (f.field !== 'campaign.id' || (f.operator !== 'IN' && f.operator !== 'EQUAL')) return badParam(ctx, 'the sandbox supports filtering on campaign.id with IN or EQUAL only');
			const values = Array.isArray(f.value) ? f.value.map(String) : [String(f.value)];
			campaignFilter = new Set(values);
		}
	}
	const buckets: Array<[string, string]> = [];
	if (step === Number.POSITIVE_INFINITY) buckets.push([range.since, range.until]);
	else for (let d = range.since; d <= range.until; d = addDays(d, step)) {
		const end = addDays(d, step - 1);
		buckets.push([d, end < range.until ? end : range.until]);
	}
	const rows: Array<Record<string, unknown>> = [];
	const sum = (campaigns: Campaign[], since: string, until: string): Agg => {
		const agg: Agg = { spend: 0, impressions: 0, clicks: 0, conversions: 0, revenue: 0, leads: 0 };
		for (const c of campaigns) for (const d of c.daily) {
			if (d.date < since || d.date > until) continue;
			agg.spend += d.spend;
			agg.impressions += d.impressions;
			agg.clicks += d.clicks;
			agg.conversions += d.conversions;
			agg.revenue += d.revenue;
			agg.leads += d.leads;
		}
		return agg;
	};
	const campaigns = account.campaigns.filter((c) => !campaignFilter || campaignFilter.has(c.id));
	for (const [since, until] of buckets) {
		if (level === 'account') {
			const agg = sum(campaigns, since, until);
			if (agg.impressions > 0) rows.push(insightRow(account, undefined, since, until, agg, fields));
		} else if (level === 'ad') {
			// ad-level rows split from the campaign's (platforms/ad-reports.ts): they sum to the campaign row exactly
			const byAd = new Map<string, { campaign: Campaign; ad: SandboxAd; agg: Agg }>();
			for (const r of adReport(world, account, since, until, campaigns)) {
				const entry = byAd.get(r.ad.adId) ?? { campaign: r.campaign, ad: r.ad, agg: { spend: 0, impressions: 0, clicks: 0, conversions: 0, revenue: 0, leads: 0 } };
				for (const k of ['spend', 'impressions', 'clicks', 'conversions', 'revenue', 'leads'] as const) entry.agg[k] += r.metrics[k];
				byAd.set(r.ad.adId, entry);
			}
			for (const { campaign, ad, agg } of byAd.values()) {
				const row = insightRow(account, campaign, since, until, agg, fields);
				const adFields: Record<string, string> = { adset_id: ad.adGroupId, adset_name: ad.adGroupName, ad_id: ad.adId, ad_name: ad.adName };
				for (const [k, v] of Object.entries(adFields)) if (fields.has(k)) row[k] = v;
				rows.push(row);
			}
		} else {
			for (const c of campaigns) {
				const agg = sum([c], since, until);
				if (agg.impressions > 0) rows.push(insightRow(account, c, since, until, agg, fields));
			}
		}
	}
	const result = page(ctx, rows, 25);
	return isReply(result) ? result : json(200, result);
}

function campaignJson(account: AdAccount, c: Campaign, fields: Map<string, unknown>): Record<string, unknown> {
	const all: Record<string, unknown> = {
		id: c.id,
		name: c.name,
		status: c.status,
		effective_status: c.status,
		configured_status: c.status,
		objective: c.objective,
		daily_budget: String(toMinor(c.dailyBudget, account.currency)),
		account_id: account.id,
		buying_type: 'AUCTION',
		created_time: `${c.createdDate}T08:00:00+0000`,
		start_time: `${c.createdDate}T08:00:00+0000`,
		updated_time: `${c.statusHistory[c.statusHistory.length - 1]!.date}T08:00:00+0000`,
	};
	const out: Record<string, unknown> = { id: c.id };
	for (const f of fields.keys()) if (f in all) out[f] = all[f];
	return out;
}

function fieldsOf(ctx: Ctx, fallback: string): Map<string, unknown> {
	return parseFields(ctx.query.get('fields') ?? fallback) as Map<string, unknown>;
}

function listCampaigns(ctx: Ctx): Reply {
	const account = findAccount(ctx.state.world, 'meta', ctx.params[0]!);
	if (!account) return notFound(ctx, `act_${ctx.params[0]}`);
	const fields = fieldsOf(ctx, 'id');
	let campaigns = account.campaigns;
	const statusFilter = ctx.query.get('effective_status');
	if (statusFilter) {
		try {
			const wanted = new Set((JSON.parse(statusFilter) as string[]).map(String));
			campaigns = campaigns.filter((c) => wanted.has(c.status));
		} catch {
			return badParam(ctx, 'effective_status must be a JSON array');
		}
	}
	const result = page(ctx, campaigns.map((c) => campaignJson(account, c, fields)), 25);
	return isReply(result) ? result : json(200, result);
}

function listAds(ctx: Ctx): Reply {
	const world = ctx.state.world;
	const account = findAccount(world, 'meta', ctx.params[0]!);
	if (!account) return notFound(ctx, `act_${ctx.params[0]}`);
	const fields = fieldsOf(ctx, 'id');
	const ads = world.meta.ads
		.filter((a) => a.accountId === account.id)
		.map((ad) => {
			const campaign = account.campaigns.find((c) => c.id === ad.campaignId)!;
			const status = campaign.status === 'PAUSED' ? 'PAUSED' : ad.status;
			const out: Record<string, unknown> = { id: ad.id };
			for (const [f, sub] of fields) {
				if (f === 'name') out.name = ad.name;
				else if (f === 'status' || f === 'configured_status') out[f] = ad.status;
				else if (f === 'effective_status') out.effective_status = campaign.status === 'PAUSED' ? 'CAMPAIGN_PAUSED' : status;
				else if (f === 'campaign_id') out.campaign_id = ad.campaignId;
				else if (f === 'adset_id') out.adset_id = metaAdSetId(ad.campaignId);
				else if (f === 'creative') {
					const creative: Record<string, unknown> = { id: ad.creativeId };
					const subFields = sub instanceof Map ? [...sub.keys()] : [];
					if (subFields.includes('effective_object_story_id')) creative.effective_object_story_id = ad.postId;
					if (subFields.includes('object_story_id')) creative.object_story_id = ad.postId;
					out.creative = creative;
				}
			}
			return out;
		});
	let filtered = ads;
	const statusFilter = ctx.query.get('effective_status');
	if (statusFilter) {
		try {
			const wanted = new Set((JSON.parse(statusFilter) as string[]).map(String));
			filtered = ads.filter((a) => {
				const ad = world.meta.ads.find((x) => x.id === a.id)!;
				const campaign = account.campaigns.find((c) => c.id === ad.campaignId)!;
				return wanted.has(campaign.status === 'PAUSED' ? 'CAMPAIGN_PAUSED' : ad.status);
			});
		} catch {
			return badParam(ctx, 'effective_status must be a JSON array');
		}
	}
	const result = page(ctx, filtered, 25);
	return isReply(result) ? result : json(200, result);
}

function commentJson(world: World, c: MetaComment, fields: Map<string, unknown>): Record<string, unknown> {
	const post = world.meta.posts.find((p) => p.id === c.postId);
	const page = world.meta.pages.find((p) => p.id === post?.pageId);
	const all: Record<string, unknown> = {
		id: c.id,
		message: c.message,
		created_time: c.createdTime,
		from: c.byPage && page ? { name: page.name, id: page.id } : c.from,
		is_hidden: c.isHidden,
		like_count: c.likeCount,
		comment_count: world.meta.comments.filter((x) => x.parentId === c.id && !x.deleted).length,
		can_hide: !c.byPage,
		can_remove: true,
		can_reply_privately: !c.byPage,
		permalink_url: `https://www.facebook.com/${post?.pageId}/posts/${post?.id.split('_')[1]}?comment_id=${c.id.split('_')[1]}`,
		...(c.parentId ? { parent: { id: c.parentId } } : {}),
		object: { id: c.postId },
	};
	const out: Record<string, unknown> = { id: c.id };
	for (const f of fields.keys()) if (f in all) out[f] = all[f];
	return out;
}

function listComments(ctx: Ctx): Reply {
	const world = ctx.state.world;
	const objectId = ctx.params[0]!;
	const post = world.meta.posts.find((p) => p.id === objectId);
	const parent = post ? undefined : world.meta.comments.find((c) => c.id === objectId && !c.deleted);
	if (!post && !parent) return notFound(ctx, objectId);
	const filter = ctx.query.get('filter') ?? 'toplevel';
	if (filter !== 'stream' && filter !== 'toplevel') return badParam(ctx, 'filter must be one of stream, toplevel');
	const order = ctx.query.get('order') ?? 'chronological';
	if (order !== 'chronological' && order !== 'reverse_chronological') return badParam(ctx, 'order must be chronological or reverse_chronological');
	let comments = world.meta.comments.filter((c) => !c.deleted && (post ? c.postId === post.id && (filter === 'stream' || !c.parentId) : c.parentId === parent!.id));
	const since = ctx.query.get('since');
	if (since) {
		const sinceMs = /^\d+$/.test(since) ? Number(since) * 1000 : Date.parse(since);
		if (Number.isNaN(sinceMs)) return badParam(ctx, 'since must be a unix timestamp or an ISO 8601 date');
		comments = comments.filter((c) => Date.parse(c.createdTime.replace('+0000', 'Z')) >= sinceMs);
	}
	comments = [...comments].sort((a, b) => (a.createdTime === b.createdTime ? (a.id < b.id ? -1 : 1) : a.createdTime < b.createdTime ? -1 : 1));
	if (order === 'reverse_chronological') comments.reverse();
	const fields = fieldsOf(ctx, 'created_time,from,message,id');
	const result = page(ctx, comments.map((c) => commentJson(world, c, fields)), 25);
	if (isReply(result)) return result;
	const summary = ctx.query.get('summary');
	return json(200, summary === 'true' || summary === 'total_count' ? { ...result, summary: { order, total_count: comments.length, can_comment: true } } : result);
}

/** An ad account object with the requested fields (`id` always). */
function adAccountJson(account: AdAccount, fields: Map<string, unknown>): Record<string, unknown> {
	const all: Record<string, unknown> = {
		id: `act_${account.id}`,
		account_id: account.id,
		name: account.name,
		currency: account.currency,
		timezone_name: account.timezone,
		timezone_offset_hours_utc: account.timezone === 'Europe/Berlin' ? 1 : -8,
		account_status: 1,
		amount_spent: String(toMinor(account.campaigns.reduce((s, c) => s + c.daily.reduce((t, d) => t + d.spend, 0), 0), account.currency)),
	};
	const out: Record<string, unknown> = { id: all.id };
	for (const f of fields.keys()) if (f in all) out[f] = all[f];
	return out;
}

/** `GET /me/adaccounts`: every Meta ad account of the sandbox's world (the token's user may use them all), paged as the Graph API pages. */
function myAdAccounts(ctx: Ctx): Reply {
	const fields = fieldsOf(ctx, 'id');
	const result = page(ctx, ctx.state.world.accounts.filter((a) => a.platform === 'meta').map((a) => adAccountJson(a, fields)), 25);
	return isReply(result) ? result : json(200, result);
}

function getObject(ctx: Ctx): Reply {
	const world = ctx.state.world;
	const id = ctx.params[0]!;
	const account = id.startsWith('act_') ? findAccount(world, 'meta', id.slice(4)) : undefined;
	if (account) return json(200, adAccountJson(account, fieldsOf(ctx, 'id')));
	const found = findCampaign(world, 'meta', id);
	if (found) return json(200, campaignJson(found.account, found.campaign, fieldsOf(ctx, 'id,name')));
	const comment = world.meta.comments.find((c) => c.id === id && !c.deleted);
	if (comment) return json(200, commentJson(world, comment, fieldsOf(ctx, 'created_time,from,message,id')));
	const post = world.meta.posts.find((p) => p.id === id);
	if (post) {
		const fields = fieldsOf(ctx, 'created_time,message,id');
		const all: Record<string, unknown> = { id: post.id, message: post.message, created_time: post.createdTime, is_published: post.published, from: { id: post.pageId, name: world.meta.pages.find((p) => p.id === post.pageId)?.name } };
		const out: Record<string, unknown> = { id: post.id };
		for (const f of fields.keys()) if (f in all) out[f] = all[f];
		return json(200, out);
	}
	return notFound(ctx, id);
}

function asBool(value: unknown): boolean | undefined {
	if (value === true || value === 'true' || value === '1' || value === 1) return true;
	if (value === false || value === 'false' || value === '0' || value === 0) return false;
	return undefined;
}

function postObject(ctx: Ctx): Reply {
	const world = ctx.state.world;
	const id = ctx.params[0]!;
	const found = findCampaign(world, 'meta', id);
	if (found) {
		const change: { status?: CampaignStatus; dailyBudget?: number } = {};
		const status = param(ctx, 'status');
		if (status !== undefined) {
			const s = String(status);
			if (!['ACTIVE', 'PAUSED', 'ARCHIVED', 'DELETED'].includes(s)) return badParam(ctx, 'Param status must be one of {ACTIVE, PAUSED, DELETED, ARCHIVED}');
			if (s === 'ARCHIVED' || s === 'DELETED') return badParam(ctx, 'The sandbox models ACTIVE and PAUSED campaigns only');
			change.status = s as CampaignStatus;
		}
		const budget = param(ctx, 'daily_budget');
		if (budget !== undefined) {
			const minor = Number(budget);
			if (!Number.isInteger(minor) || minor <= 0) return badParam(ctx, 'Param daily_budget must be a positive integer in the currency\'s minimum unit (e.g. cents)');
			const min = toMinor(1, found.account.currency);
			if (minor < min) return graphError(ctx, 400, 'Invalid parameter', 'OAuthException', 100, 1885272, { error_user_title: 'Budget Too Low', error_user_msg: `Your budget must be at least ${moneyString(1, found.account.currency)} ${found.account.currency}.` });
			change.dailyBudget = fromMinor(minor, found.account.currency);
		}
		if (change.status === undefined && change.dailyBudget === undefined) return badParam(ctx, 'No fields to update (daily_budget, status)');
		// execution_options=["validate_only"]: checked as above, nothing applied (as Graph does).
		const options = param(ctx, 'execution_options');
		if (options !== undefined) {
			let list: unknown = options;
			if (typeof options === 'string') {
				try {
					list = JSON.parse(options);
				} catch {
					return badParam(ctx, 'Param execution_options must be a JSON array');
				}
			}
			if (!Array.isArray(list) || list.some((o) => o !== 'validate_only' && o !== 'include_recommendations')) return badParam(ctx, 'Param execution_options must be an array of validate_only, include_recommendations');
			if (list.includes('validate_only')) return json(200, { success: true });
		}
		// Graph logs API changes in the account's activities too (actor: the app's system user, application: the app)
		recordedChange(world, 'meta', found.account, found.campaign, change, { who: 'AdOps system user', via: 'AdOps (API)', manual: false, atMs: now(ctx.state) });
		return json(200, { success: true });
	}
	const comment = world.meta.comments.find((c) => c.id === id && !c.deleted);
	if (comment) {
		const hidden = asBool(param(ctx, 'is_hidden'));
		if (hidden === undefined) return badParam(ctx, 'Param is_hidden must be a boolean');
		if (comment.byPage) return graphError(ctx, 400, '(#100) The page cannot hide its own comments', 'OAuthException', 100);
		comment.isHidden = hidden;
		return json(200, { success: true });
	}
	return notFound(ctx, id);
}

function createComment(ctx: Ctx): Reply {
	const world = ctx.state.world;
	const id = ctx.params[0]!;
	const post = world.meta.posts.find((p) => p.id === id);
	const parent = post ? undefined : world.meta.comments.find((c) => c.id === id && !c.deleted);
	if (!post && !parent) return notFound(ctx, id);
	const message = param(ctx, 'message');
	if (typeof message !== 'string' || message.trim() === '') return badParam(ctx, 'Param message must be a non-empty string', 1705);
	if (message.length > 8000) return badParam(ctx, 'Param message is too long');
	const postId = post ? post.id : parent!.postId;
	const page = world.meta.pages.find((p) => p.id === world.meta.posts.find((x) => x.id === postId)?.pageId)!;
	ctx.state.idSeq++;
	const objectPart = postId.split('_')[1]!;
	const comment: MetaComment = {
		id: `${objectPart}_${String(995000000000 + ctx.state.idSeq * 13 + world.meta.comments.length)}`,
		postId,
		...(parent ? { parentId: parent.parentId ?? parent.id } : {}),
		message,
		from: { id: page.id, name: page.name },
		createdTime: metaTime(now(ctx.state)),
		isHidden: false,
		deleted: false,
		likeCount: 0,
		byPage: true,
	};
	world.meta.comments.push(comment);
	return json(200, { id: comment.id });
}

function deleteObject(ctx: Ctx): Reply {
	const world = ctx.state.world;
	const id = ctx.params[0]!;
	const comment = world.meta.comments.find((c) => c.id === id && !c.deleted);
	if (!comment) return notFound(ctx, id);
	comment.deleted = true;
	return json(200, { success: true });
}

/** Who liked each comment (the Page, through the API); the world keeps only the count. */
const likers = new WeakMap<MetaComment, Map<string, string>>();

function commentPage(world: World, c: MetaComment): { id: string; name: string } | undefined {
	const post = world.meta.posts.find((p) => p.id === c.postId);
	return world.meta.pages.find((p) => p.id === post?.pageId);
}

/** `POST /{comment-id}/likes`: the Page likes the comment (`{success: true}`; liking twice changes nothing, as on Graph). */
function likeComment(ctx: Ctx): Reply {
	const world = ctx.state.world;
	const id = ctx.params[0]!;
	const comment = world.meta.comments.find((c) => c.id === id && !c.deleted);
	if (!comment) return notFound(ctx, id);
	const page = commentPage(world, comment);
	if (!page) return notFound(ctx, id);
	let who = likers.get(comment);
	if (!who) likers.set(comment, (who = new Map()));
	if (!who.has(page.id)) {
		who.set(page.id, page.name);
		comment.likeCount++;
	}
	return json(200, { success: true });
}

/**
 * `GET /{comment-id}/likes`: the profiles that liked it (`data: [{id, name}]`),
 * with `summary=true` Graph's `summary {total_count, can_like, has_liked}`
 * where `has_liked` is whether the token's Page liked it.
 */
function listLikes(ctx: Ctx): Reply {
	const world = ctx.state.world;
	const id = ctx.params[0]!;
	const comment = world.meta.comments.find((c) => c.id === id && !c.deleted);
	if (!comment) return notFound(ctx, id);
	const owner = commentPage(world, comment);
	const who = [...(likers.get(comment) ?? new Map<string, string>()).entries()].map(([pid, name]) => ({ id: pid, name }));
	const result = page(ctx, who, 25);
	if (isReply(result)) return result;
	const summary = ctx.query.get('summary');
	return json(200, summary === 'true' || summary === '1' ? { ...result, summary: { total_count: comment.likeCount, can_like: true, has_liked: !!owner && who.some((w) => w.id === owner.id) } } : result);
}

function usageHeaders(ctx: Ctx, accountId: string | undefined): Record<string, string> {
	const u = ctx.state.metaUsage;
	const t = Date.now();
	u.calls = u.calls.filter((c) => t - c.at < u.windowMs);
	const appPct = Math.min(100, Math.round(u.calls.length * u.perCallPct));
	const headers: Record<string, string> = {
		'x-app-usage': JSON.stringify({ call_count: appPct, total_cputime: Math.round(appPct * 0.4), total_time: Math.round(appPct * 0.6) }),
		'x-fb-trace-id': traceId(ctx),
	};
	if (accountId) {
		const accPct = Math.min(100, Math.round(u.calls.filter((c) => c.accountId === accountId).length * u.perCallPct * 2));
		headers['x-business-use-case-usage'] = JSON.stringify({
			[accountId]: [
				{
					type: 'ads_insights',
					call_count: accPct,
					total_cputime: Math.round(accPct * 0.5),
					total_time: Math.round(accPct * 0.7),
					estimated_time_to_regain_access: accPct >= 100 ? Math.ceil(u.windowMs / 60_000) : 0,
					ads_api_access_tier: 'standard_access',
				},
			],
		});
	}
	return headers;
}

function accountIdFor(ctx: Ctx): string | undefined {
	const m = /^\/v[\d.]+\/act_(\d+)/.exec(ctx.path);
	if (m) return m[1];
	const id = /^\/v[\d.]+\/([^/]+)/.exec(ctx.path)?.[1];
	if (!id) return undefined;
	const c = findCampaign(ctx.state.world, 'meta', id);
	if (c) return c.account.id;
	const post = ctx.state.world.meta.posts.find((p) => p.id === id || p.id === ctx.state.world.meta.comments.find((x) => x.id === id)?.postId);
	return post ? ctx.state.world.meta.pages.find((p) => p.id === post.pageId)?.accountId : undefined;
}

function authenticate(ctx: Ctx): Reply | undefined {
	const creds = ctx.state.world.credentials.meta;
	const token = (bearer(ctx) ?? ctx.query.get('access_token') ?? bodyObject(ctx).access_token) as string | undefined;
	if (!token) return graphError(ctx, 400, 'An active access token must be used to query information about the current user.', 'OAuthException', 2500);
	if (token !== creds.accessToken) return graphError(ctx, 400, 'Invalid OAuth access token - Cannot parse access token', 'OAuthException', 190);
	const proof = (ctx.query.get('appsecret_proof') ?? bodyObject(ctx).appsecret_proof) as string | undefined;
	if (proof !== undefined && proof !== createHmac('sha256', creds.appSecret).update(token).digest('hex')) {
		return graphError(ctx, 400, 'Invalid appsecret_proof provided in the API argument', 'GraphMethodException', 100);
	}
	// Call-volume throttling: past 100 % of the window the platform refuses.
	const u = ctx.state.metaUsage;
	const t = Date.now();
	u.calls = u.calls.filter((c) => t - c.at < u.windowMs);
	const accountId = accountIdFor(ctx);
	if (Math.round(u.calls.length * u.perCallPct) >= 100) return graphError(ctx, 400, '(#4) Application request limit reached', 'OAuthException', 4, undefined, { is_transient: true });
	if (accountId && Math.round(u.calls.filter((c) => c.accountId === accountId).length * u.perCallPct * 2) >= 100) {
		return graphError(ctx, 400, '(#17) User request limit reached', 'OAuthException', 17, 2446079, { is_transient: true });
	}
	u.calls.push({ at: t, ...(accountId ? { accountId } : {}) });
	return undefined;
}

/**
 * GET act_{id}/activities: the account's change history, newest first, in
 * Graph's shape (event_type, event_time, actor_name, application_name,
 * object_id, object_type, extra_data as a JSON string with old_value and
 * new_value; budgets in minor units), filtered by `since` (unix seconds).
 */
function listActivities(ctx: Ctx): Reply {
	const account = findAccount(ctx.state.world, 'meta', ctx.params[0]!);
	if (!account) return notFound(ctx, `act_${ctx.params[0]}`);
	const sinceRaw = ctx.query.get('since');
	const since = sinceRaw === null ? 0 : Number(sinceRaw);
	if (!Number.isFinite(since)) return badParam(ctx, 'Param since must be a unix timestamp');
	const fields = fieldsOf(ctx, 'event_type,event_time');
	const rows = changeLog(ctx.state.world)
		.filter((c) => c.platform === 'meta' && c.accountId === account.id && c.atMs >= since * 1000)
		.sort((a, b) => b.atMs - a.atMs)
		.map((c) => {
			const status = (v: unknown) => (v === 'ACTIVE' ? 'Active' : v === 'PAUSED' ? 'Inactive' : String(v));
			const all: Record<string, unknown> = {
				event_type: c.kind === 'budget' ? 'update_campaign_budget' : 'update_campaign_run_status',
				translated_event_type: c.kind === 'budget' ? 'Campaign budget updated' : 'Campaign status updated',
				event_time: metaTime(c.atMs),
				actor_name: c.who,
				application_name: c.via,
				object_id: c.campaignId,
				object_name: account.campaigns.find((x) => x.id === c.campaignId)?.name ?? '',
				object_type: 'CAMPAIGN',
				extra_data: JSON.stringify(
					c.kind === 'budget'
						? { type: 'payment_amount', currency: account.currency, old_value: toMinor(c.before as number, account.currency), new_value: toMinor(c.after as number, account.currency) }
						: { type: 'run_status', old_value: status(c.before), new_value: status(c.after) },
				),
			};
			const out: Record<string, unknown> = {};
			for (const f of fields.keys()) if (f in all) out[f] = all[f];
			return out;
		});
	const result = page(ctx, rows, 25);
	return isReply(result) ? result : json(200, result);
}

const routes: Route[] = [
	{ name: 'meta.activities', method: 'GET', pattern: new RegExp(`^${V}/act_(\\d+)/activities$`), handler: listActivities },
	{ name: 'meta.adminEdit', method: 'POST', pattern: /^\/_admin\/campaigns\/(\d+)\/edit$/, handler: manualEdit('meta', 'Ads Manager') },
	{ name: 'meta.insights', method: 'GET', pattern: new RegExp(`^${V}/act_(\\d+)/insights$`), handler: insights },
	{ name: 'meta.campaigns', method: 'GET', pattern: new RegExp(`^${V}/act_(\\d+)/campaigns$`), handler: listCampaigns },
	{ name: 'meta.ads', method: 'GET', pattern: new RegExp(`^${V}/act_(\\d+)/ads$`), handler: listAds },
	{ name: 'meta.comments', method: 'GET', pattern: new RegExp(`^${V}/([\\d_]+)/comments$`), handler: listComments },
	{ name: 'meta.reply', method: 'POST', pattern: new RegExp(`^${V}/([\\d_]+)/comments$`), handler: createComment },
	{ name: 'meta.like', method: 'POST', pattern: new RegExp(`^${V}/([\\d_]+)/likes$`), handler: likeComment },
	{ name: 'meta.likes', method: 'GET', pattern: new RegExp(`^${V}/([\\d_]+)/likes$`), handler: listLikes },
	{ name: 'meta.myAdAccounts', method: 'GET', pattern: new RegExp(`^${V}/me/adaccounts$`), handler: myAdAccounts },
	{ name: 'meta.object', method: 'GET', pattern: new RegExp(`^${V}/((?:act_)?[\\d_]+)$`), handler: withMetaAdRead(getObject) },
	{ name: 'meta.update', method: 'POST', pattern: new RegExp(`^${V}/([\\d_]+)$`), handler: withMetaAdUpdate(postObject) },
	{ name: 'meta.delete', method: 'DELETE', pattern: new RegExp(`^${V}/([\\d_]+)$`), handler: deleteObject },
	// publishing ads (issue 20): ad sets, ad creatives, ads
	...metaPublishRoutes,
];

export const meta: Platform = {
	name: 'meta',
	prefix: '/meta',
	routes,
	authenticate,
	errorReply(status, kind, message, retryAfter) {
		if (kind === 'rate_limit') {
			const r = graphError(undefined, status, `(#17) User request limit reached. ${message}`, 'OAuthException', 17, 2446079, { is_transient: true });
			r.headers = { 'retry-after': String(retryAfter ?? 1) };
			return r;
		}
		if (kind === 'server') return graphError(undefined, status, `An unexpected error has occurred. Please retry your request later. ${message}`.trim(), 'OAuthException', 2, undefined, { is_transient: true });
		if (kind === 'not_found') return graphError(undefined, 400, `Unknown path components: ${message}`, 'OAuthException', 2500);
		return graphError(undefined, 400, `(#100) ${message}`, 'OAuthException', 100);
	},
	decorate(ctx, reply) {
		reply.headers = { ...usageHeaders(ctx, accountIdFor(ctx)), ...reply.headers };
	},
};

/**
 * One ad's status in the sandbox world (issue 20 item 4: rules on ads), read
 * and set with the platforms' real request shapes and error shapes:
 *
 *   Meta      GET  /v{N}/{ad_id}?fields=id,account_id,campaign_id,adset_id,name,status,effective_status
 *             POST /v{N}/{ad_id}  status=ACTIVE|PAUSED (form or JSON; execution_options ["validate_only"])
 *             → {"success": true}; an unknown id: GraphMethodException code 100 subcode 33; a bad status: (#100)
 *   Google    googleAds:search / searchStream  FROM ad_group_ad WHERE ad_group_ad.ad.id = X (campaign, ad group, ad, status)
 *             POST /v{N}/customers/{id}/adGroupAds:mutate  operations [{update {resourceName adGroupAds/{group}~{ad}, status}, updateMask "status"}], validateOnly
 *             → {results: [{resourceName}]}; errors as GoogleAdsFailure (RESOURCE_NOT_FOUND, INVALID_ENUM_VALUE)
 *   LinkedIn  GET  /rest/adAccounts/{id}/creatives/{urn:li:sponsoredCreative:N, URL-encoded}  → {id, campaign, account, name, intendedStatus}
 *             POST same path, X-RestLi-Method: PARTIAL_UPDATE, {patch: {$set: {intendedStatus}}}  → 204; 404 / 400 / 422 in LinkedIn's error shape
 *
 * The ads are those the ad reports deliver (ad-reports.ts `sandboxAds`): Meta's seeded and published ads
 * (`world.meta.ads`, whose `status` is the one changed), Google's ad group ads and LinkedIn's creatives
 * (seeded ones keep their status here; published ones on their publish record). A paused ad keeps
 * appearing in the reports of past days; the world's delivery is not re-split.
 */
import { bodyObject, header, json, now, param, type Ctx, type Reply } from '../core';
import { GoogleAdsApiError, camelizeKeys, googleAccount } from '../google-ads';
import type { AdAccount, AdPlatform, Campaign, World } from '../world';
import { sandboxAds, type SandboxAd } from './ad-reports';
import { publishedAds } from './publish';

export interface SandboxAdRef {
	account: AdAccount;
	campaign: Campaign;
	ad: SandboxAd;
}

/** Status changes of ads made through these endpoints, oldest first (tests count them). */
export interface AdStatusWrite {
	platform: AdPlatform;
	accountId: string;
	adId: string;
	status: string;
	atMs: number;
}

const overrides = new WeakMap<World, { status: Map<string, string>; writes: AdStatusWrite[] }>();

function store(world: World): { status: Map<string, string>; writes: AdStatusWrite[] } {
	let s = overrides.get(world);
	if (!s) overrides.set(world, (s = { status: new Map(), writes: [] }));
	return s;
}

/** Every status write the ad endpoints accepted in this world (validate-only requests excepted). */
export function adStatusWrites(world: World): readonly AdStatusWrite[] {
	return store(world).writes;
}

/** The ad `adId` of an account of `platform` (any account when `accountId` is undefined). */
export function findSandboxAd(world: World, platform: AdPlatform, adId: string, accountId?: string): SandboxAdRef | undefined {
	for (const account of world.accounts) {
		if (account.platform !== platform || (accountId !== undefined && account.id !== accountId)) continue;
		for (const campaign of account.campaigns) {
			const ad = sandboxAds(world, account, campaign).find((a) => a.adId === adId);
			if (ad) return { account, campaign, ad };
		}
	}
	return undefined;
}

const PUBLISHED = { google: 'google_ads', meta: 'meta', linkedin: 'linkedin' } as const;
const publishedId = (platform: AdPlatform, id: string, creativeId?: string) => (platform === 'linkedin' ? (/(\d+)$/.exec(creativeId ?? id)?.[1] ?? id) : platform === 'google' ? (/(\d+)$/.exec(id)?.[1] ?? id) : id);

/** The ad's status on its platform's spelling (Google ENABLED/PAUSED, Meta and LinkedIn ACTIVE/PAUSED). */
export function sandboxAdStatus(world: World, platform: AdPlatform, adId: string): string {
	const own = store(world).status.get(`${platform}|${adId}`);
	if (own) return own;
	if (platform === 'meta') {
		const ad = world.meta.ads.find((a) => a.id === adId);
		if (ad) return ad.status;
	}
	const made = publishedAds(world, PUBLISHED[platform]).find((a) => publishedId(platform, a.id, a.creativeId) === adId);
	if (made) return made.status;
	return platform === 'google' ? 'ENABLED' : 'ACTIVE';
}

function setStatus(world: World, platform: AdPlatform, ref: SandboxAdRef, status: string, atMs: number): void {
	const s = store(world);
	s.status.set(`${platform}|${ref.ad.adId}`, status);
	if (platform === 'meta') {
		const ad = world.meta.ads.find((a) => a.id === ref.ad.adId);
		if (ad) ad.status = status as typeof ad.status;
	}
	const made = publishedAds(world, PUBLISHED[platform]).find((a) => publishedId(platform, a.id, a.creativeId) === ref.ad.adId);
	if (made) made.status = status;
	s.writes.push({ platform, accountId: ref.account.id, adId: ref.ad.adId, status, atMs });
}

// ---------------------------------------------------------------------------------------------
// Meta: wraps the Graph object routes; ids that are not ads go on to the wrapped handler
// ---------------------------------------------------------------------------------------------

function metaError(status: number, message: string, type: string, code: number, subcode?: number): Reply {
	return json(status, { error: { message, type, code, ...(subcode !== undefined ? { error_subcode: subcode } : {}), fbtrace_id: 'AAdStatusSandbox' } });
}

const META_AD_FIELDS = ['id', 'account_id', 'campaign_id', 'adset_id', 'name', 'status', 'effective_status'];

/** GET /{id}: an ad's fields, else the wrapped handler. */
export function withMetaAdRead(handler: (ctx: Ctx) => Reply | Promise<Reply>): (ctx: Ctx) => Reply | Promise<Reply> {
	return (ctx) => {
		const ref = findSandboxAd(ctx.state.world, 'meta', ctx.params[0]!);
		if (!ref) return handler(ctx);
		const status = sandboxAdStatus(ctx.state.world, 'meta', ref.ad.adId);
		const all: Record<string, unknown> = {
			id: ref.ad.adId,
			account_id: ref.account.id,
			campaign_id: ref.campaign.id,
			adset_id: ref.ad.adGroupId,
			name: ref.ad.adName,
			status,
			effective_status: status === 'ACTIVE' && ref.campaign.status !== 'ACTIVE' ? 'CAMPAIGN_PAUSED' : status,
		};
		const fields = String(ctx.query.get('fields') ?? 'id,name').split(',').map((f) => f.trim()).filter(Boolean);
		for (const f of fields) if (!META_AD_FIELDS.includes(f) && !(f in all)) return metaError(400, `(#100) Tried accessing nonexisting field (${f}) on node type (Ad)`, 'OAuthException', 100);
		const out: Record<string, unknown> = { id: ref.ad.adId };
		for (const f of fields) out[f] = all[f];
		return json(200, out);
	};
}

/** POST /{id}: an ad's status, else the wrapped handler. */
export function withMetaAdUpdate(handler: (ctx: Ctx) => Reply | Promise<Reply>): (ctx: Ctx) => Reply | Promise<Reply> {
	return (ctx) => {
		const world = ctx.state.world;
		const ref = findSandboxAd(world, 'meta', ctx.params[0]!);
		if (!ref) return handler(ctx);
		const status = param(ctx, 'status');
		if (status === undefined) return metaError(400, '(#100) No fields to update (status)', 'OAuthException', 100);
		const s = String(status);
		if (!['ACTIVE', 'PAUSED', 'ARCHIVED', 'DELETED'].includes(s)) return metaError(400, '(#100) Param status must be one of {ACTIVE, PAUSED, DELETED, ARCHIVED}', 'OAuthException', 100);
		if (s === 'ARCHIVED' || s === 'DELETED') return metaError(400, '(#100) The sandbox models ACTIVE and PAUSED ads only', 'OAuthException', 100);
		const options = param(ctx, 'execution_options');
		if (options !== undefined) {
			let list: unknown = options;
			try {
				if (typeof options === 'string') list = JSON.parse(options);
			} catch {
				return metaError(400, '(#100) Param execution_options must be a JSON array', 'OAuthException', 100);
			}
			if (!Array.isArray(list) || list.some((o) => o !== 'validate_only' && o !== 'include_recommendations')) return metaError(400, '(#100) Param execution_options must be an array of validate_only, include_recommendations', 'OAuthException', 100);
			if (list.includes('validate_only')) return json(200, { success: true });
		}
		setStatus(world, 'meta', ref, s, now(ctx.state));
		return json(200, { success: true });
	};
}

// ---------------------------------------------------------------------------------------------
// Google Ads
// ---------------------------------------------------------------------------------------------

/** `FROM ad_group_ad WHERE ad_group_ad.ad.id = X` (one ad's status), or undefined for every other query. */
export function googleAdStatusRows(world: World, customerId: string, query: unknown): Array<Record<string, unknown>> | undefined {
	const q = typeof query === 'string' ? query : '';
	const adId = /\bad_group_ad\.ad\.id\s*=\s*(\d+)/i.exec(q)?.[1];
	if (!/\bFROM\s+ad_group_ad\b/i.test(q) || adId === undefined || /segments\./i.test(q)) return undefined;
	const ref = findSandboxAd(world, 'google', adId, customerId);
	if (!ref) return [];
	const status = sandboxAdStatus(world, 'google', adId);
	return [
		{
			campaign: { resourceName: `customers/${customerId}/campaigns/${ref.campaign.id}`, id: ref.campaign.id },
			adGroup: { resourceName: `customers/${customerId}/adGroups/${ref.ad.adGroupId}`, id: ref.ad.adGroupId },
			adGroupAd: { resourceName: `customers/${customerId}/adGroupAds/${ref.ad.adGroupId}~${adId}`, status, ad: { resourceName: `customers/${customerId}/ads/${adId}`, id: adId, name: ref.ad.adName } },
		},
	];
}

/** Wraps a search handler: one ad's status reads are answered here (REST shape of search / searchStream). */
export function withGoogleAdStatus(stream: boolean, handler: (ctx: Ctx) => Reply | Promise<Reply>): (ctx: Ctx) => Reply | Promise<Reply> {
	return (ctx) => {
		const rows = googleAdStatusRows(ctx.state.world, ctx.params[1]!, (ctx.body as { query?: unknown } | undefined)?.query);
		if (!rows) return handler(ctx);
		const fieldMask = 'campaign.id,adGroup.id,adGroupAd.ad.id,adGroupAd.ad.name,adGroupAd.status';
		return json(200, stream ? [{ results: rows, fieldMask, requestId: 'ad-status-sandbox' }] : { results: rows, fieldMask, totalResultsCount: String(rows.length) });
	};
}

const googleFailure = (httpStatus: number, entries: Array<Record<string, unknown>>) => new GoogleAdsApiError(httpStatus, entries as never);

/** Wraps the AdGroupAdService mutate: `update` operations of `status` are answered here, `create` goes on to publishing. */
export function withGoogleAdStatusUpdate(handler: (ctx: Ctx) => Reply | Promise<Reply>): (ctx: Ctx) => Reply | Promise<Reply> {
	return (ctx) => {
		const body = camelizeKeys(ctx.body ?? {}) as { operations?: Array<{ update?: Record<string, unknown>; updateMask?: unknown; create?: unknown }>; validateOnly?: unknown };
		const ops = body.operations ?? [];
		if (ops.length === 0 || !ops.every((o) => o.update !== undefined)) return handler(ctx);
		const world = ctx.state.world;
		const customerId = ctx.params[1]!;
		try {
			googleAccount(world, customerId);
			const changes: Array<{ ref: SandboxAdRef; status: string; name: string }> = [];
			ops.forEach((op, i) => {
				const u = op.update as Record<string, unknown>;
				const location = (field: string) => ({ fieldPathElements: [{ fieldName: 'operations', index: i }, { fieldName: 'update' }, { fieldName: field }] });
				const name = String(u.resourceName ?? '');
				const m = /^customers\/(\d+)\/adGroupAds\/(\d+)~(\d+)$/.exec(name);
				const ref = m && m[1] === customerId ? findSandboxAd(world, 'google', m[3]!, customerId) : undefined;
				if (!ref || ref.ad.adGroupId !== m![2]) throw googleFailure(404, [{ errorCode: { mutateError: 'RESOURCE_NOT_FOUND' }, message: `Resource was not found: ${name}`, location: location('resource_name') }]);
				const raw = op.updateMask as unknown;
				const mask = (typeof raw === 'string' ? raw.split(',') : Array.isArray((raw as { paths?: unknown } | null)?.paths) ? (raw as { paths: unknown[] }).paths.map(String) : []).map((f) => f.trim()).filter(Boolean);
				if (mask.length === 0) throw googleFailure(400, [{ errorCode: { fieldMaskError: 'FIELD_MASK_MISSING' }, message: 'The field mask is missing.', location: location('update_mask') }]);
				const other = mask.filter((f) => f !== 'status' && f !== 'resource_name' && f !== 'resourceName');
				if (other.length > 0) throw googleFailure(400, [{ errorCode: { mutateError: 'MUTATE_NOT_ALLOWED' }, message: `The sandbox updates ad_group_ad.status only, not ${other.join(', ')}.`, location: location('update_mask') }]);
				// the library sends the enum's number (AdGroupAdStatus ENABLED 2, PAUSED 3, REMOVED 4) or its name
				const status = { 2: 'ENABLED', 3: 'PAUSED', 4: 'REMOVED' }[String(u.status) as '2' | '3' | '4'] ?? String(u.status ?? '');
				if (status !== 'ENABLED' && status !== 'PAUSED') throw googleFailure(400, [{ errorCode: { requestError: 'INVALID_ENUM_VALUE' }, message: `Invalid value for ad_group_ad.status: ${status || 'UNSPECIFIED'}.`, location: location('status') }]);
				changes.push({ ref, status, name });
			});
			if (body.validateOnly === true) return json(200, {});
			for (const c of changes) setStatus(world, 'google', c.ref, c.status, now(ctx.state));
			return json(200, { results: changes.map((c) => ({ resourceName: c.name })) });
		} catch (error) {
			if (error instanceof GoogleAdsApiError) return json(error.httpStatus, error.body(/^\/(v\d+)\//.exec(ctx.path)?.[1]));
			throw error;
		}
	};
}

// ---------------------------------------------------------------------------------------------
// LinkedIn
// ---------------------------------------------------------------------------------------------

const liError = (status: number, code: string, message: string) => json(status, { status, code, message, serviceErrorCode: status === 404 ? 0 : 100 });

function linkedInRef(ctx: Ctx): SandboxAdRef | Reply {
	let urn: string;
	try {
		urn = decodeURIComponent(ctx.params[1]!);
	} catch {
		return liError(400, 'ILLEGAL_ARGUMENT', `Invalid creative key ${ctx.params[1]}`);
	}
	const m = /^urn:li:sponsoredCreative:(\d+)$/.exec(urn);
	if (!m) return liError(400, 'ILLEGAL_ARGUMENT', `Syntax exception in path variables: ${urn} is not a sponsoredCreative URN`);
	const ref = findSandboxAd(ctx.state.world, 'linkedin', m[1]!, ctx.params[0]!);
	if (!ref) return liError(404, 'NOT_FOUND', `Creative ${urn} does not exist in account ${ctx.params[0]}`);
	return ref;
}

function linkedInGetCreative(ctx: Ctx): Reply {
	const ref = linkedInRef(ctx);
	if (!('ad' in ref)) return ref;
	return json(200, {
		id: `urn:li:sponsoredCreative:${ref.ad.adId}`,
		campaign: `urn:li:sponsoredCampaign:${ref.campaign.id}`,
		account: `urn:li:sponsoredAccount:${ref.account.id}`,
		name: ref.ad.adName,
		intendedStatus: sandboxAdStatus(ctx.state.world, 'linkedin', ref.ad.adId),
		isServing: ref.campaign.status === 'ACTIVE' && sandboxAdStatus(ctx.state.world, 'linkedin', ref.ad.adId) === 'ACTIVE',
	});
}

function linkedInUpdateCreative(ctx: Ctx): Reply {
	const ref = linkedInRef(ctx);
	if (!('ad' in ref)) return ref;
	if (header(ctx, 'x-restli-method')?.toUpperCase() !== 'PARTIAL_UPDATE') return liError(400, 'ILLEGAL_ARGUMENT', 'POST on an entity requires X-RestLi-Method: PARTIAL_UPDATE');
	const set = (bodyObject(ctx) as { patch?: { $set?: Record<string, unknown> } }).patch?.$set;
	if (!set || typeof set !== 'object') return liError(400, 'INVALID_PATCH', 'Body must be {"patch":{"$set":{...}}}');
	const keys = Object.keys(set);
	if (keys.length !== 1 || keys[0] !== 'intendedStatus') return liError(422, 'UNPROCESSABLE_ENTITY', `Field ${keys.filter((k) => k !== 'intendedStatus').join(', ') || '(none)'} cannot be updated in the sandbox (intendedStatus)`);
	const status = String(set.intendedStatus);
	if (!['ACTIVE', 'PAUSED', 'ARCHIVED', 'CANCELED', 'DRAFT'].includes(status)) return liError(422, 'UNPROCESSABLE_ENTITY', `/intendedStatus: ${status} is not a valid CreativeIntendedStatus`);
	if (status !== 'ACTIVE' && status !== 'PAUSED') return liError(422, 'UNPROCESSABLE_ENTITY', `intendedStatus ${status} is not modelled by the sandbox (ACTIVE, PAUSED)`);
	setStatus(ctx.state.world, 'linkedin', ref, status, now(ctx.state));
	return { status: 204 };
}

export const linkedinAdStatusRoutes = [
	{ name: 'linkedin.creative', method: 'GET' as const, pattern: /^\/rest\/adAccounts\/(\d+)\/creatives\/([^/]+)$/, handler: linkedInGetCreative },
	{ name: 'linkedin.creativeUpdate', method: 'POST' as const, pattern: /^\/rest\/adAccounts\/(\d+)\/creatives\/([^/]+)$/, handler: linkedInUpdateCreative },
];

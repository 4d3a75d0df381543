/**
 * Publishing ads (issue 20): the endpoints that create an ad from approved
 * copy, with the platforms' request shapes and validation errors, and the
 * world state that holds what was created so tests can count it.
 *
 * Meta (Graph, form or JSON body):
 *   GET  /v{N}/{campaign_id}/adsets                  the campaign's ad set (one per campaign: `metaAdSetId`)
 *   GET  /v{N}/{campaign_id}/ads                     the campaign's ads with creative{image_hash} (seeded ads: `metaImageHash(creativeId)`)
 *   GET  /v{N}/act_{id}/adcreatives                  the creatives made here: id, name, object_story_spec (cursor paging)
 *   POST /v{N}/act_{id}/adcreatives                  name, object_story_spec {page_id, link_data {link, message, name, description?, image_hash?, call_to_action {type, value {link}}}};
 *                                                    an image_hash must be one of the account's images (its seeded ads')
 *   POST /v{N}/act_{id}/ads                          name, adset_id, creative {creative_id}, status (PAUSED | ACTIVE); execution_options ["validate_only"]
 *   (the new ad is listed by GET act_{id}/ads like the seeded ones)
 *   Errors: Graph's (#100) invalid parameter with error_user_title / error_user_msg; text limits
 *   (`META_TEXT_LIMITS`) refused with the field and its limit.
 *
 * Google Ads (REST, as `google-ads-api` sends a per-service mutate):
 *   POST /v{N}/customers/{id}/adGroupAds:mutate      operations [{create {adGroup, status, ad {finalUrls, urlCustomParameters?, responsiveSearchAd {headlines, descriptions}}}}], validateOnly
 *   googleAds:search / searchStream FROM ad_group_ad WHERE ad_group.id = X   (reads the ad group's ads back, custom parameters included)
 *   googleAds:search / searchStream FROM ad_group WHERE campaign.id = X      (the campaign's two ad groups, conversions and clicks over LAST_30_DAYS)
 *   Errors: GoogleAdsFailure entries with `location.fieldPathElements`; text length and count limits
 *   (`GOOGLE_RSA_LIMITS`); a policy finding (`policyFindingError: POLICY_FINDING` with
 *   `details.policyFindingDetails.policyTopicEntries`) for text naming a planted trigger (`GOOGLE_POLICY_TRIGGERS`),
 *   exemptible ones listed with `isExemptible` in `policyViolationDetails` as Google documents.
 *   Ad groups: two per campaign, `googleAdGroupId(campaignId)` (…01, three fifths of the campaign's conversions
 *   and clicks) and `googleAdGroupId(campaignId, 2)` (…02, the rest).
 *
 * LinkedIn (versioned REST; the platform's auth and version headers apply):
 *   POST /rest/adAccounts/{id}/creatives?action=createInline   {creative: {campaign, intendedStatus, name?, inlineContent: {post: {author, commentary, adContext, content.article {source, title}}}}}
 *                                                              → 200 {value: {creative: urn:li:sponsoredCreative:…, post}}
 *   GET  /rest/adAccounts/{id}/creatives?q=criteria&campaigns=List(urn)   the campaign's creatives
 *   Errors: 422 with `errorDetails.inputErrors` naming the field (commentary over 600 characters, headline over 200).
 */
import { createHash } from 'node:crypto';
import { bodyObject, json, now, param, type Ctx, type Reply, type Route } from '../core';
import { GoogleAdsApiError, googleAccount } from '../google-ads';
import { findAccount, findCampaign, type World } from '../world';

export type PublishedPlatform = 'meta' | 'google_ads' | 'linkedin';

/** An ad created through the sandbox's publish endpoints, with exactly the text it was sent. */
export interface PublishedAd {
	platform: PublishedPlatform;
	id: string;
	accountId: string;
	campaignId: string;
	/** Meta ad set / Google ad group; undefined on LinkedIn. */
	parentId?: string;
	/** Meta creative id; LinkedIn creative URN. */
	creativeId?: string;
	name: string;
	status: string;
	/** Google Ads: the ad's URL custom parameters. */
	customParameters?: Array<{ key: string; value: string }>;
	text: { headline?: string; message?: string; description?: string; link?: string; callToAction?: string; imageHash?: string; headlines?: Array<{ text: string; pinnedField?: string }>; descriptions?: Array<{ text: string; pinnedField?: string }> };
	createdAtMs: number;
}

interface MetaCreativeRecord {
	id: string;
	accountId: string;
	name: string;
	pageId: string;
	linkData: Record<string, unknown>;
}

interface PublishState {
	ads: PublishedAd[];
	metaCreatives: MetaCreativeRecord[];
	seq: number;
}

const states = new WeakMap<World, PublishState>();

function state(world: World): PublishState {
	let s = states.get(world);
	if (!s) {
		s = { ads: [], metaCreatives: [], seq: 0 };
		states.set(world, s);
	}
	return s;
}

/** Every ad created through the publish endpoints of this world, oldest first. */
export function publishedAds(world: World, platform?: PublishedPlatform): PublishedAd[] {
	return state(world).ads.filter((a) => platform === undefined || a.platform === platform);
}

/** The id of a Meta campaign's ad set in the sandbox (one per campaign). */
export function metaAdSetId(campaignId: string): string {
	return `${campaignId.slice(0, -3)}7${campaignId.slice(-3)}`;
}

/** The id of a Google Ads campaign's ad group in the sandbox (two per campaign: 1 is the larger). */
export function googleAdGroupId(campaignId: string, n: 1 | 2 = 1): string {
	return `${campaignId}0${n}`;
}

/** The image hash of a seeded Meta ad's creative (an md5-like 32 hex digits, as Meta's are). */
export function metaImageHash(creativeId: string): string {
	return createHash('md5').update(`sandbox-image:${creativeId}`).digest('hex');
}

/** Meta's hard limits on link ad text (characters). */
export const META_TEXT_LIMITS = { message: 2200, name: 255, description: 255 } as const;
const META_CTA_TYPES = new Set(['LEARN_MORE', 'SHOP_NOW', 'SIGN_UP', 'BOOK_TRAVEL', 'CONTACT_US', 'DOWNLOAD', 'GET_OFFER', 'GET_QUOTE', 'SUBSCRIBE', 'APPLY_NOW', 'ORDER_NOW', 'NO_BUTTON']);

/** Google's responsive search ad limits. */
export const GOOGLE_RSA_LIMITS = { headlines: [3, 15], descriptions: [2, 4], headlineChars: 30, descriptionChars: 90 } as const;
/** Words in ad text that draw a policy finding: topic, and whether an exemption can be requested. */
export const GOOGLE_POLICY_TRIGGERS: ReadonlyArray<{ pattern: RegExp; topic: string; name: string; exemptible: boolean }> = [
	{ pattern: /\bguaranteed?\b/i, topic: 'UNSUBSTANTIATED_CLAIMS', name: 'Unsubstantiated claims', exemptible: true },
	{ pattern: /!{2,}/, topic: 'PUNCTUATION', name: 'Punctuation and symbols', exemptible: false },
];

/** LinkedIn's limits on sponsored content (characters). */
export const LINKEDIN_TEXT_LIMITS = { commentary: 600, title: 200 } as const;

function nextId(world: World, prefix: string): string {
	const s = state(world);
	s.seq += 1;
	return `${prefix}${String(s.seq).padStart(6, '0')}`;
}

// ---------------------------------------------------------------------------------------------
// Meta
// ---------------------------------------------------------------------------------------------

function graphError(status: number, message: string, extra: Record<string, unknown> = {}): Reply {
	return json(status, { error: { message, type: 'OAuthException', code: 100, ...extra, fbtrace_id: 'APublishSandbox' } });
}
const invalid = (field: string, title: string, msg: string, subcode?: number) =>
	graphError(400, 'Invalid parameter', { ...(subcode !== undefined ? { error_subcode: subcode } : {}), is_transient: false, error_user_title: title, error_user_msg: msg, error_data: { blame_field_specs: [[field]] } });

function objectParam(ctx: Ctx, name: string): Record<string, unknown> | undefined | 'bad' {
	const raw = param(ctx, name);
	if (raw === undefined) return undefined;
	if (typeof raw === 'object' && raw !== null) return raw as Record<string, unknown>;
	try {
		const parsed: unknown = JSON.parse(String(raw));
		return parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : 'bad';
	} catch {
		return 'bad';
	}
}

function validateOnly(ctx: Ctx): boolean {
	const raw = param(ctx, 'execution_options');
	if (raw === undefined) return false;
	try {
		const list: unknown = typeof raw === 'string' ? JSON.parse(raw) : raw;
		return Array.isArray(list) && list.includes('validate_only');
	} catch {
		return false;
	}
}

function metaAdSets(ctx: Ctx): Reply {
	const found = findCampaign(ctx.state.world, 'meta', ctx.params[0]!);
	if (!found) return graphError(400, `Unsupported get request. Object with ID '${ctx.params[0]}' does not exist`, { type: 'GraphMethodException', error_subcode: 33 });
	const c = found.campaign;
	return json(200, { data: [{ id: metaAdSetId(c.id), name: `${c.name} | Ad set`, campaign_id: c.id, status: c.status }] });
}

function metaCreateCreative(ctx: Ctx): Reply {
	const world = ctx.state.world;
	const account = findAccount(world, 'meta', ctx.params[0]!);
	if (!account) return graphError(400, `Unsupported post request. Object with ID 'act_${ctx.params[0]}' does not exist`, { type: 'GraphMethodException', error_subcode: 33 });
	const spec = objectParam(ctx, 'object_story_spec');
	if (spec === undefined) return graphError(400, '(#100) The parameter object_story_spec is required');
	if (spec === 'bad') return graphError(400, '(#100) Param object_story_spec must be a JSON object');
	const pageId = String(spec.page_id ?? '');
	const page = world.meta.pages.find((p) => p.id === pageId);
	if (!page) return invalid('page_id', 'Invalid Page', `The Page ${pageId || '(none)'} cannot be used for ads of this account: use the id of a Facebook Page the account may advertise for.`, 1487472);
	const link = (spec.link_data ?? {}) as Record<string, unknown>;
	if (typeof link.link !== 'string' || !/^https?:\/\/\S+$/.test(link.link)) return invalid('link', 'Invalid Link', 'The link of a link ad must be an http(s) URL.', 1443048);
	for (const [field, max] of Object.entries(META_TEXT_LIMITS)) {
		const text = link[field];
		if (text !== undefined && typeof text !== 'string') return graphError(400, `(#100) Param object_story_spec[link_data][${field}] must be a string`);
		if (typeof text === 'string' && [...text].length > max) {
			const label = field === 'message' ? 'Primary text' : field === 'name' ? 'Headline' : 'Description';
			return invalid(field, `${label} Too Long`, `The ${label.toLowerCase()} (${field}) has ${[...text].length} characters; at most ${max} are allowed.`, 1487390);
		}
	}
	if (typeof link.message !== 'string' || link.message.trim() === '') return invalid('message', 'Missing Primary Text', 'A link ad needs its primary text (message).');
	if (link.image_hash !== undefined && !world.meta.ads.some((a) => a.accountId === account.id && metaImageHash(a.creativeId) === link.image_hash)) {
		return invalid('image_hash', 'Image Not Found', `The image with hash ${String(link.image_hash)} is not in ad account ${account.id}: upload it to the account's images first.`, 1487242);
	}
	const cta = link.call_to_action as { type?: unknown } | undefined;
	if (cta !== undefined && !META_CTA_TYPES.has(String(cta.type))) return invalid('call_to_action', 'Invalid Call to Action', `The call to action type ${String(cta.type)} is not one of ${[...META_CTA_TYPES].join(', ')}.`, 1487891);
	const id = nextId(world, '2386000000');
	state(world).metaCreatives.push({ id, accountId: account.id, name: String(param(ctx, 'name') ?? ''), pageId, linkData: link });
	return json(200, { id });
}

function metaCreateAd(ctx: Ctx): Reply {
	const world = ctx.state.world;
	const account = findAccount(world, 'meta', ctx.params[0]!);
	if (!account) return graphError(400, `Unsupported post request. Object with ID 'act_${ctx.params[0]}' does not exist`, { type: 'GraphMethodException', error_subcode: 33 });
	const name = param(ctx, 'name');
	if (typeof name !== 'string' || name === '') return graphError(400, '(#100) The parameter name is required');
	const adsetId = String(param(ctx, 'adset_id') ?? '');
	const campaign = account.campaigns.find((c) => metaAdSetId(c.id) === adsetId);
	if (!campaign) return invalid('adset_id', 'Invalid Ad Set', `The ad set ${adsetId || '(none)'} does not exist in ad account ${account.id}.`, 1487056);
	const creative = objectParam(ctx, 'creative');
	if (creative === undefined || creative === 'bad') return graphError(400, '(#100) Param creative must be a JSON object with creative_id');
	const record = state(world).metaCreatives.find((c) => c.id === String(creative.creative_id) && c.accountId === account.id);
	if (!record) return invalid('creative', 'Invalid Creative', `The creative ${String(creative.creative_id)} does not exist in ad account ${account.id}.`, 1487033);
	const status = String(param(ctx, 'status') ?? 'ACTIVE');
	if (status !== 'ACTIVE' && status !== 'PAUSED') return graphError(400, '(#100) Param status must be one of {ACTIVE, PAUSED}');
	if (validateOnly(ctx)) return json(200, { success: true });
	const id = nextId(world, '1202999000');
	const objectId = nextId(world, '8899000000');
	const postId = `${record.pageId}_${objectId}`;
	world.meta.posts.push({ id: postId, pageId: record.pageId, message: String(record.linkData.message), published: false, createdTime: new Date(now(ctx.state)).toISOString().replace(/\.\d{3}Z$/, '+0000') });
	world.meta.ads.push({ id, name, accountId: account.id, campaignId: campaign.id, status: status as 'ACTIVE' | 'PAUSED', creativeId: record.id, postId });
	const l = record.linkData;
	const cta = l.call_to_action as { type?: unknown } | undefined;
	state(world).ads.push({
		platform: 'meta',
		id,
		accountId: account.id,
		campaignId: campaign.id,
		parentId: adsetId,
		creativeId: record.id,
		name,
		status,
		text: { message: String(l.message), ...(typeof l.name === 'string' ? { headline: l.name } : {}), ...(typeof l.description === 'string' ? { description: l.description } : {}), link: String(l.link), ...(cta ? { callToAction: String(cta.type) } : {}), ...(typeof l.image_hash === 'string' ? { imageHash: l.image_hash } : {}) },
		createdAtMs: now(ctx.state),
	});
	return json(200, { id });
}

/** The account's creatives made through the publish endpoint (seeded ads' creatives are not listed), cursor-paged like Graph. */
function metaListCreatives(ctx: Ctx): Reply {
	const world = ctx.state.world;
	const account = findAccount(world, 'meta', ctx.params[0]!);
	if (!account) return graphError(400, `Unsupported get request. Object with ID 'act_${ctx.params[0]}' does not exist`, { type: 'GraphMethodException', error_subcode: 33 });
	const all = state(world).metaCreatives.filter((c) => c.accountId === account.id);
	const limit = Math.max(1, Math.min(100, Number(param(ctx, 'limit') ?? 25) || 25));
	const after = param(ctx, 'after');
	const start = after === undefined ? 0 : Number(Buffer.from(String(after), 'base64url').toString()) || 0;
	const page = all.slice(start, start + limit);
	const more = start + limit < all.length;
	const cursor = (n: number) => Buffer.from(String(n)).toString('base64url');
	return json(200, {
		data: page.map((c) => ({ id: c.id, name: c.name, object_story_spec: { page_id: c.pageId, link_data: c.linkData } })),
		paging: { cursors: { before: cursor(start), after: cursor(start + page.length) }, ...(more ? { next: `https://graph.facebook.com${ctx.path}?after=${cursor(start + page.length)}` } : {}) },
	});
}

/** A campaign's ads with their creative's image hash. */
function metaCampaignAds(ctx: Ctx): Reply {
	const world = ctx.state.world;
	const found = findCampaign(world, 'meta', ctx.params[0]!);
	if (!found) return graphError(400, `Unsupported get request. Object with ID '${ctx.params[0]}' does not exist`, { type: 'GraphMethodException', error_subcode: 33 });
	const made = new Map(state(world).metaCreatives.map((c) => [c.id, c]));
	const ads = world.meta.ads.filter((a) => a.campaignId === found.campaign.id);
	return json(200, {
		data: ads.map((a) => {
			const record = made.get(a.creativeId);
			const hash = record ? record.linkData.image_hash : metaImageHash(a.creativeId);
			return { id: a.id, creative: { id: a.creativeId, ...(typeof hash === 'string' ? { image_hash: hash } : {}) } };
		}),
		paging: { cursors: {} },
	});
}

export const metaPublishRoutes: Route[] = [
	{ name: 'meta.adsets', method: 'GET', pattern: /^\/v\d+(?:\.\d+)?\/(\d+)\/adsets$/, handler: metaAdSets },
	{ name: 'meta.campaign.ads', method: 'GET', pattern: /^\/v\d+(?:\.\d+)?\/(\d+)\/ads$/, handler: metaCampaignAds },
	{ name: 'meta.adcreatives', method: 'GET', pattern: /^\/v\d+(?:\.\d+)?\/act_(\d+)\/adcreatives$/, handler: metaListCreatives },
	{ name: 'meta.adcreatives.create', method: 'POST', pattern: /^\/v\d+(?:\.\d+)?\/act_(\d+)\/adcreatives$/, handler: metaCreateCreative },
	{ name: 'meta.ads.create', method: 'POST', pattern: /^\/v\d+(?:\.\d+)?\/act_(\d+)\/ads$/, handler: metaCreateAd },
];

// ---------------------------------------------------------------------------------------------
// Google Ads
// ---------------------------------------------------------------------------------------------

type Asset = { text?: unknown; pinnedField?: unknown };
const failure = (httpStatus: number, entries: Array<Record<string, unknown>>) => new GoogleAdsApiError(httpStatus, entries as never);
const at = (...path: Array<[string, number?]>) => ({ fieldPathElements: [{ fieldName: 'operations', index: 0 }, { fieldName: 'create' }, ...path.map(([fieldName, index]) => (index === undefined ? { fieldName } : { fieldName, index }))] });

function googleCreateAds(ctx: Ctx): Reply {
	const world = ctx.state.world;
	const customerId = ctx.params[1]!;
	try {
		const account = googleAccount(world, customerId);
		const body = (ctx.body ?? {}) as { operations?: Array<{ create?: Record<string, unknown> }>; validateOnly?: unknown };
		const ops = body.operations ?? [];
		if (ops.length === 0) throw failure(400, [{ errorCode: { requestError: 'OPERATION_REQUIRED' }, message: 'At least one operation is required.' }]);
		const made: PublishedAd[] = [];
		for (const op of ops) {
			const c = op.create;
			if (!c) throw failure(400, [{ errorCode: { mutateError: 'MUTATE_NOT_ALLOWED' }, message: 'The sandbox creates ad group ads; update and remove are not simulated.' }]);
			const m = /^customers\/(\d+)\/adGroups\/(\d+)$/.exec(String(c.adGroup ?? ''));
			const campaign = m && m[1] === customerId ? account.campaigns.find((x) => googleAdGroupId(x.id) === m[2] || googleAdGroupId(x.id, 2) === m[2]) : undefined;
			if (!campaign) throw failure(404, [{ errorCode: { mutateError: 'RESOURCE_NOT_FOUND' }, message: `Resource was not found: ${String(c.adGroup)}`, location: at(['ad_group']) }]);
			const status = String(c.status ?? 'ENABLED');
			if (status !== 'ENABLED' && status !== 'PAUSED') throw failure(400, [{ errorCode: { requestError: 'INVALID_ENUM_VALUE' }, message: `Invalid value for ad_group_ad.status: ${status}.` }]);
			const ad = (c.ad ?? {}) as { finalUrls?: unknown; urlCustomParameters?: Array<{ key?: unknown; value?: unknown }>; responsiveSearchAd?: { headlines?: Asset[]; descriptions?: Asset[] } };
			const params = ad.urlCustomParameters ?? [];
			for (const [i, p] of params.entries()) {
				if (!/^[A-Za-z0-9]{1,16}$/.test(String(p.key ?? ''))) throw failure(400, [{ errorCode: { customParameterError: 'KEY_INVALID' }, message: 'A custom parameter key must be 1-16 letters and digits.', location: at(['ad'], ['url_custom_parameters', i], ['key']) }]);
				if (!/^\S{1,250}$/.test(String(p.value ?? ''))) throw failure(400, [{ errorCode: { customParameterError: 'VALUE_HAS_WHITESPACE' }, message: 'A custom parameter value takes 1-250 characters and no spaces.', location: at(['ad'], ['url_custom_parameters', i], ['value']) }]);
			}
			if (!Array.isArray(ad.finalUrls) || ad.finalUrls.length === 0 || !ad.finalUrls.every((u) => typeof u === 'string' && /^https?:\/\/\S+$/.test(u))) {
				throw failure(400, [{ errorCode: { adError: 'URL_NOT_SPECIFIED' }, message: 'A final URL is required for this ad type.', location: at(['ad'], ['final_urls']) }]);
			}
			const rsa = ad.responsiveSearchAd;
			if (!rsa) throw failure(400, [{ errorCode: { adError: 'AD_TYPE_NOT_SUPPORTED' }, message: 'The sandbox creates responsive search ads only.', location: at(['ad']) }]);
			const errors: Array<Record<string, unknown>> = [];
			const checkList = (field: 'headlines' | 'descriptions', list: Asset[] | undefined, [min, max]: readonly [number, number], chars: number, pins: RegExp) => {
				const items = list ?? [];
				if (items.length < min) errors.push({ errorCode: { adError: field === 'headlines' ? 'TOO_FEW_HEADLINES' : 'TOO_FEW_DESCRIPTIONS' }, message: `A responsive search ad needs at least ${min} ${field}.`, location: at(['ad'], ['responsive_search_ad'], [field]) });
				if (items.length > max) errors.push({ errorCode: { adError: field === 'headlines' ? 'TOO_MANY_HEADLINES' : 'TOO_MANY_DESCRIPTIONS' }, message: `A responsive search ad takes at most ${max} ${field}.`, location: at(['ad'], ['responsive_search_ad'], [field]) });
				items.forEach((a, i) => {
					const text = typeof a.text === 'string' ? a.text : '';
					if (text.trim() === '') errors.push({ errorCode: { fieldError: 'REQUIRED' }, message: 'The required field was not present.', location: at(['ad'], ['responsive_search_ad'], [field, i], ['text']) });
					else if ([...text].length > chars) errors.push({ errorCode: { stringLengthError: 'TOO_LONG' }, message: 'Too long.', trigger: { stringValue: text }, location: at(['ad'], ['responsive_search_ad'], [field, i], ['text']) });
					if (a.pinnedField !== undefined && !pins.test(String(a.pinnedField))) errors.push({ errorCode: { adError: 'INVALID_INPUT' }, message: `Invalid pinned field ${String(a.pinnedField)}.`, location: at(['ad'], ['responsive_search_ad'], [field, i], ['pinned_field']) });
				});
			};
			checkList('headlines', rsa.headlines, GOOGLE_RSA_LIMITS.headlines, GOOGLE_RSA_LIMITS.headlineChars, /^HEADLINE_[123]$/);
			checkList('descriptions', rsa.descriptions, GOOGLE_RSA_LIMITS.descriptions, GOOGLE_RSA_LIMITS.descriptionChars, /^DESCRIPTION_[12]$/);
			if (errors.length > 0) throw failure(400, errors);
			for (const [field, list] of [['headlines', rsa.headlines ?? []], ['descriptions', rsa.descriptions ?? []]] as const) {
				list.forEach((a, i) => {
					const text = String(a.text);
					for (const t of GOOGLE_POLICY_TRIGGERS) {
						const hit = t.pattern.exec(text);
						if (!hit) continue;
						errors.push({
							errorCode: { policyFindingError: 'POLICY_FINDING' },
							message: 'The resource has been disapproved since the policy summary includes policy topics of type PROHIBITED.',
							trigger: { stringValue: text },
							location: at(['ad'], ['responsive_search_ad'], [field, i], ['text']),
							details: {
								policyFindingDetails: { policyTopicEntries: [{ topic: t.topic, type: 'PROHIBITED', evidences: [{ textList: { texts: [hit[0]] } }] }] },
								policyViolationDetails: { externalPolicyName: t.name, externalPolicyDescription: `Ad text "${text}" falls under ${t.name}.`, key: { policyName: t.topic, violatingText: hit[0] }, isExemptible: t.exemptible },
							},
						});
					}
				});
			}
			if (errors.length > 0) throw failure(400, errors);
			const asList = (list: Asset[] | undefined) => (list ?? []).map((a) => ({ text: String(a.text), ...(a.pinnedField !== undefined ? { pinnedField: String(a.pinnedField) } : {}) }));
			made.push({ platform: 'google_ads', id: '', accountId: account.id, campaignId: campaign.id, parentId: m![2]!, name: '', status, ...(params.length ? { customParameters: params.map((p) => ({ key: String(p.key), value: String(p.value) })) } : {}), text: { headlines: asList(rsa.headlines), descriptions: asList(rsa.descriptions), link: String(ad.finalUrls[0]) }, createdAtMs: now(ctx.state) });
		}
		if (body.validateOnly === true) return json(200, {});
		for (const ad of made) {
			ad.id = nextId(world, '7770000');
			ad.name = `customers/${customerId}/adGroupAds/${ad.parentId}~${ad.id}`;
			state(world).ads.push(ad);
		}
		return json(200, { results: made.map((a) => ({ resourceName: a.name })) });
	} catch (error) {
		if (error instanceof GoogleAdsApiError) return json(error.httpStatus, error.body(/^\/(v\d+)\//.exec(ctx.path)?.[1]));
		throw error;
	}
}

/** `FROM ad_group_ad` queries (the ads of one ad group), or undefined for every other query. */
export function adGroupAdRows(world: World, customerId: string, query: unknown): Array<Record<string, unknown>> | undefined {
	const q = typeof query === 'string' ? query : '';
	if (!/\bFROM\s+ad_group_ad\b/i.test(q)) return undefined;
	const group = /\bad_group\.id\s*=\s*(\d+)/i.exec(q)?.[1];
	return publishedAds(world, 'google_ads')
		.filter((a) => a.accountId === customerId && (group === undefined || a.parentId === group))
		.map((a) => ({
			adGroup: { resourceName: `customers/${customerId}/adGroups/${a.parentId}`, id: a.parentId },
			adGroupAd: { resourceName: a.name, status: a.status, ad: { id: a.id, finalUrls: [a.text.link], ...(a.customParameters ? { urlCustomParameters: a.customParameters } : {}), responsiveSearchAd: { headlines: a.text.headlines, descriptions: a.text.descriptions } } },
		}));
}

/**
 * `FROM ad_group WHERE campaign.id = X` (the best-ad-group read): the campaign's two ad groups, each with its
 * share of the campaign's conversions and clicks over the 30 days before today (…01 three fifths, rounded
 * down for clicks; …02 the rest), or undefined for every other query.
 */
export function adGroupRows(world: World, customerId: string, query: unknown, todayMs: number): Array<Record<string, unknown>> | undefined {
	const q = typeof query === 'string' ? query : '';
	// only the publish read (one campaign, the range summed): daily ad group reports are ingest's
	const select = /^\s*SELECT\s+([\s\S]*?)\s+FROM\b/i.exec(q)?.[1] ?? '';
	const campaignId = /\bcampaign\.id\s*=\s*(\d+)/i.exec(q)?.[1];
	if (!/\bFROM\s+ad_group\b(?!_)/i.test(q) || !campaignId || /segments\./i.test(select)) return undefined;
	const account = world.accounts.find((a) => a.platform === 'google' && a.id === customerId);
	const campaigns = (account?.campaigns ?? []).filter((c) => c.id === campaignId);
	const today = new Date(todayMs).toISOString().slice(0, 10);
	const from = new Date(todayMs - 30 * 86_400_000).toISOString().slice(0, 10);
	return campaigns.flatMap((c) => {
		const days = c.daily.filter((d) => d.date >= from && d.date < today);
		const conversions = days.reduce((t, d) => t + d.conversions, 0);
		const clicks = days.reduce((t, d) => t + d.clicks, 0);
		const conv1 = Math.round(conversions * 0.6 * 100) / 100;
		const clicks1 = Math.floor(clicks * 0.6);
		return [
			{ adGroup: { resourceName: `customers/${customerId}/adGroups/${googleAdGroupId(c.id)}`, id: googleAdGroupId(c.id), name: `${c.name} | Core` }, metrics: { conversions: conv1, clicks: String(clicks1) } },
			{ adGroup: { resourceName: `customers/${customerId}/adGroups/${googleAdGroupId(c.id, 2)}`, id: googleAdGroupId(c.id, 2), name: `${c.name} | Broad` }, metrics: { conversions: Math.round((conversions - conv1) * 100) / 100, clicks: String(clicks - clicks1) } },
		];
	});
}

/** Wraps the sandbox's search handlers so `FROM ad_group_ad` reads the published ads (REST shape of search / searchStream). */
export function withAdGroupAds(stream: boolean, handler: (ctx: Ctx) => Reply): (ctx: Ctx) => Reply {
	return (ctx) => {
		const query = (ctx.body as { query?: unknown } | undefined)?.query;
		const groups = adGroupRows(ctx.state.world, ctx.params[1]!, query, now(ctx.state));
		if (groups) {
			const mask = 'adGroup.id,adGroup.name,metrics.conversions,metrics.clicks';
			return json(200, stream ? [{ results: groups, fieldMask: mask, requestId: 'publish-sandbox' }] : { results: groups, fieldMask: mask, totalResultsCount: String(groups.length) });
		}
		const rows = adGroupAdRows(ctx.state.world, ctx.params[1]!, query);
		if (!rows) return handler(ctx);
		const fieldMask = 'adGroup.id,adGroupAd.resourceName,adGroupAd.status,adGroupAd.ad.id,adGroupAd.ad.finalUrls,adGroupAd.ad.urlCustomParameters,adGroupAd.ad.responsiveSearchAd.headlines,adGroupAd.ad.responsiveSearchAd.descriptions';
		return json(200, stream ? [{ results: rows, fieldMask, requestId: 'publish-sandbox' }] : { results: rows, fieldMask, totalResultsCount: String(rows.length) });
	};
}

export const googlePublishRoutes: Route[] = [{ name: 'googleads.adGroupAds.mutate', method: 'POST', pattern: /^\/v(\d+)\/customers\/(\d+)\/adGroupAds:mutate$/, handler: googleCreateAds }];

// ---------------------------------------------------------------------------------------------
// LinkedIn
// ---------------------------------------------------------------------------------------------

function liInputError(field: string, description: string): Reply {
	return json(422, { status: 422, code: 'UNPROCESSABLE_ENTITY', message: `${field}: ${description}`, errorDetailType: 'com.linkedin.common.error.BadRequest', errorDetails: { inputErrors: [{ description, input: { inputPath: { fieldPath: field } }, code: 'FIELD_VALUE_TOO_LONG' }] } });
}

function linkedinCreateInline(ctx: Ctx): Reply {
	const world = ctx.state.world;
	if (ctx.query.get('action') !== 'createInline') return json(400, { status: 400, code: 'ILLEGAL_ARGUMENT', message: 'The sandbox creates creatives with ?action=createInline only', serviceErrorCode: 100 });
	const account = findAccount(world, 'linkedin', ctx.params[0]!);
	if (!account) return json(404, { status: 404, code: 'NOT_FOUND', message: `Ad account urn:li:sponsoredAccount:${ctx.params[0]} not found` });
	const creative = (bodyObject(ctx).creative ?? {}) as Record<string, unknown>;
	const campaignId = /^urn:li:sponsoredCampaign:(\d+)$/.exec(String(creative.campaign ?? ''))?.[1];
	const campaign = campaignId ? account.campaigns.find((c) => c.id === campaignId) : undefined;
	if (!campaign) return json(400, { status: 400, code: 'ILLEGAL_ARGUMENT', message: `/creative/campaign: ${String(creative.campaign)} is not a campaign of account ${account.id}`, serviceErrorCode: 100 });
	const status = String(creative.intendedStatus ?? 'DRAFT');
	if (!['ACTIVE', 'PAUSED', 'DRAFT'].includes(status)) return json(400, { status: 400, code: 'ILLEGAL_ARGUMENT', message: `/creative/intendedStatus: ${status} is not ACTIVE, PAUSED or DRAFT`, serviceErrorCode: 100 });
	const post = ((creative.inlineContent ?? {}) as { post?: Record<string, unknown> }).post ?? {};
	if (!/^urn:li:organization:\d+$/.test(String(post.author ?? ''))) return json(400, { status: 400, code: 'ILLEGAL_ARGUMENT', message: '/creative/inlineContent/post/author: an organization URN is required', serviceErrorCode: 100 });
	const commentary = typeof post.commentary === 'string' ? post.commentary : '';
	if (commentary.trim() === '') return liInputError('/creative/inlineContent/post/commentary', 'The commentary is required.');
	if ([...commentary].length > LINKEDIN_TEXT_LIMITS.commentary) return liInputError('/creative/inlineContent/post/commentary', `The commentary has ${[...commentary].length} characters; at most ${LINKEDIN_TEXT_LIMITS.commentary} are allowed.`);
	const article = ((post.content ?? {}) as { article?: { source?: unknown; title?: unknown } }).article;
	if (!article || typeof article.source !== 'string' || !/^https?:\/\/\S+$/.test(article.source)) return liInputError('/creative/inlineContent/post/content/article/source', 'A landing page URL is required.');
	const title = typeof article.title === 'string' ? article.title : '';
	if ([...title].length > LINKEDIN_TEXT_LIMITS.title) return liInputError('/creative/inlineContent/post/content/article/title', `The headline has ${[...title].length} characters; at most ${LINKEDIN_TEXT_LIMITS.title} are allowed.`);
	const id = nextId(world, '5550000');
	const urn = `urn:li:sponsoredCreative:${id}`;
	const postUrn = `urn:li:share:${nextId(world, '7100000')}`;
	state(world).ads.push({ platform: 'linkedin', id, accountId: account.id, campaignId: campaign.id, creativeId: urn, name: String(creative.name ?? ''), status, text: { message: commentary, ...(title ? { headline: title } : {}), link: article.source }, createdAtMs: now(ctx.state) });
	return json(200, { value: { creative: urn, post: postUrn } }, { 'x-restli-id': urn, 'x-linkedin-id': urn });
}

function linkedinListCreatives(ctx: Ctx): Reply {
	const world = ctx.state.world;
	const account = findAccount(world, 'linkedin', ctx.params[0]!);
	if (!account) return json(404, { status: 404, code: 'NOT_FOUND', message: `Ad account ${ctx.params[0]} not found` });
	const raw = decodeURIComponent(/(?:^|&)campaigns=([^&]*)/.exec(ctx.rawQuery)?.[1] ?? '');
	const wanted = new Set([...raw.matchAll(/sponsoredCampaign:(\d+)/g)].map((m) => m[1]));
	const items = publishedAds(world, 'linkedin').filter((a) => a.accountId === account.id && (wanted.size === 0 || wanted.has(a.campaignId)));
	return json(200, {
		elements: items.map((a) => ({ id: a.creativeId, campaign: `urn:li:sponsoredCampaign:${a.campaignId}`, account: `urn:li:sponsoredAccount:${a.accountId}`, name: a.name, intendedStatus: a.status, isServing: false })),
		paging: { count: items.length, start: 0, links: [] },
		metadata: { nextPageToken: null },
	});
}

/** LinkedIn's version header is checked by the platform's `authenticate`; creatives need the ads write scope in real life. */
export const linkedinPublishRoutes: Route[] = [
	{ name: 'linkedin.creatives.createInline', method: 'POST', pattern: /^\/rest\/adAccounts\/(\d+)\/creatives$/, handler: linkedinCreateInline },
	{ name: 'linkedin.creatives', method: 'GET', pattern: /^\/rest\/adAccounts\/(\d+)\/creatives$/, handler: linkedinListCreatives },
];

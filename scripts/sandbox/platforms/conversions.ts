/**
 * Conversions sent back to the platforms (issue 22, item 3): the four endpoints with the platforms'
 * request shapes, limits and error shapes, and a record of every event received, so tests count exact
 * deliveries. Like the real platforms, each drops a repeat of an event it already has by its dedupe
 * key; the record keeps both counts: `received` (every event in every request that reached the
 * handler, repeats included) and `counted` (what the platform keeps after its dedupe).
 *
 *   Meta     POST /v{N}/{pixel_id}/events               data[] ≤ 1,000; each event needs event_name, event_time
 *            (unix s, at most 7 days old, else the whole request is refused), action_source and user_data with a
 *            match key (em/ph/external_id/fbc; em and ph 64 hex digits). → {events_received, messages, fbtrace_id}.
 *            Dedupe: event_name + event_id within 48 h of the first. Errors: Graph (#100) with error_user_title /
 *            error_user_msg naming the event's index; the whole request is refused.
 *   Google   POST /v{N}/customers/{id}:uploadClickConversions   conversions[] ≤ 2,000 (TOO_MANY_CONVERSIONS_IN_REQUEST),
 *            partialFailure must be true; per conversion: gclid (UNPARSEABLE_GCLID for one that is not a click id:
 *            the sandbox takes [A-Za-z0-9_-]{16,} and refuses any containing "invalid"), conversionAction under this
 *            customer (NO_CONVERSION_ACTION_FOUND), conversionDateTime `yyyy-mm-dd hh:mm:ss±hh:mm`
 *            (dateError INVALID_FIELD_VALUES_IN_DATE_TIME), userIdentifiers one identifier each, 64 hex digits
 *            (INVALID_USER_IDENTIFIER); a repeat of gclid + action + time is CLICK_CONVERSION_ALREADY_EXISTS and of an
 *            order id ORDER_ID_ALREADY_IN_USE (not counted). → {results[] (empty for a refused one), partialFailureError
 *            {code 3, details[GoogleAdsFailure {errors[{errorCode, message, location.fieldPathElements[conversions, i]}]}]}}.
 *   LinkedIn POST /rest/conversionEvents (X-RestLi-Method: BATCH_CREATE)   elements[] ≤ 5,000; per element: conversion
 *            `urn:lla:llaPartnerConversion:{id}`, conversionHappenedAt (ms, within 90 days), user.userIds with
 *            SHA256_EMAIL (64 hex) or LINKEDIN_FIRST_PARTY_ADS_TRACKING_UUID → {elements[{status: 201} | {status: 400,
 *            error {message, status}}]}. Dedupe: eventId per conversion rule (answered 201, not counted again).
 *   TikTok   POST /open_api/v1.3/event/track/   event_source web, event_source_id, data[] ≤ 1,000 with event,
 *            event_time, event_id and a user key (email/phone/external_id/ttclid) → {code 0, message OK}; a bad event
 *            refuses the request (code 40002 naming the field). Dedupe: event + event_id within 48 h.
 *
 * `withConversions(platforms)` adds the routes to the sandbox's Meta, Google Ads, LinkedIn and TikTok
 * platforms (server.ts), so their authentication, version checks, error replies and injected faults apply.
 */
import { bodyObject, header, json, now, type Ctx, type Platform, type Reply, type Route } from '../core';
import { GoogleAdsApiError, googleAccount, permissionDenied } from '../google-ads';
import type { World } from '../world';

export type ConversionPlatform = 'meta' | 'google_ads' | 'linkedin' | 'tiktok';

/** One event as a platform received it. */
export interface ConversionReceipt {
	platform: ConversionPlatform;
	/** Pixel id, conversion action resource, conversion rule URN, pixel code. */
	destination: string;
	/** The event's id as sent (Meta/TikTok event_id, Google order_id, LinkedIn eventId). */
	eventId: string;
	/** false: a repeat the platform dropped by its dedupe key. */
	counted: boolean;
	/** The event as sent (hashed identifiers only). */
	body: Record<string, unknown>;
	atMs: number;
}

interface State {
	receipts: ConversionReceipt[];
	/** dedupe key → first receipt time (ms). */
	firstSeen: Map<string, number>;
}

const states = new WeakMap<World, State>();
function state(world: World): State {
	let s = states.get(world);
	if (!s) {
		s = { receipts: [], firstSeen: new Map() };
		states.set(world, s);
	}
	return s;
}

/** Every event received by the conversion endpoints of this world, oldest first, repeats included (`counted` false). */
export function conversionReceipts(world: World, platform?: ConversionPlatform): ConversionReceipt[] {
	return state(world).receipts.filter((r) => platform === undefined || r.platform === platform);
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const HEX64 = /^[0-9a-f]{64}$/;

/** Records an event; true when the platform counts it (not a repeat within `windowMs` of the first). */
function record(ctx: Ctx, platform: ConversionPlatform, destination: string, eventId: string, dedupe: string, windowMs: number, body: Record<string, unknown>): boolean {
	const s = state(ctx.state.world);
	const at = now(ctx.state);
	const first = s.firstSeen.get(dedupe);
	const counted = first === undefined || at - first > windowMs;
	if (counted) s.firstSeen.set(dedupe, at);
	s.receipts.push({ platform, destination, eventId, counted, body, atMs: at });
	return counted;
}

/** Records an event the platform refused: received, not counted. */
function recordRefused(ctx: Ctx, platform: ConversionPlatform, destination: string, eventId: string, body: Record<string, unknown>): void {
	state(ctx.state.world).receipts.push({ platform, destination, eventId, counted: false, body, atMs: now(ctx.state) });
}

/** A repeat the platform has already (Google answers it as an error; the others drop it silently). */
function seen(ctx: Ctx, dedupe: string, windowMs: number): boolean {
	const first = state(ctx.state.world).firstSeen.get(dedupe);
	return first !== undefined && now(ctx.state) - first <= windowMs;
}

// ---------------------------------------------------------------------------------------------
// Meta
// ---------------------------------------------------------------------------------------------

function graphInvalid(title: string, msg: string, subcode: number): Reply {
	return json(400, { error: { message: 'Invalid parameter', type: 'OAuthException', code: 100, error_subcode: subcode, is_transient: false, error_user_title: title, error_user_msg: msg, fbtrace_id: 'AConversionsSandbox' } });
}

function metaEvents(ctx: Ctx): Reply {
	const pixel = ctx.params[0]!;
	const body = bodyObject(ctx);
	let data = body.data;
	if (typeof data === 'string') {
		try {
			data = JSON.parse(data);
		} catch {
			return graphInvalid('Invalid data', 'The data parameter must be a JSON array of events.', 2804001);
		}
	}
	if (!Array.isArray(data) || data.length === 0) return graphInvalid('Missing data', 'The data parameter is required and must hold at least one event.', 2804001);
	if (data.length > 1000) return graphInvalid('Too many events', `A request takes at most 1000 events; this one has ${data.length}.`, 2804024);
	const t = now(ctx.state);
	for (const [i, raw] of data.entries()) {
		const e = (raw ?? {}) as Record<string, unknown>;
		if (typeof e.event_name !== 'string' || e.event_name === '') return graphInvalid('Missing event name', `Event ${i}: event_name is required.`, 2804002);
		if (typeof e.event_time !== 'number') return graphInvalid('Invalid event time', `Event ${i}: event_time must be a unix timestamp in seconds.`, 2804003);
		if (t - e.event_time * 1000 > 7 * DAY) return graphInvalid('Event Timestamp Too Old', `Event ${i}: the timestamp for this event is more than 7 days in the past. Events must be sent within 7 days of when they occurred.`, 2804003);
		if (typeof e.action_source !== 'string') return graphInvalid('Missing action source', `Event ${i}: action_source is required.`, 2804050);
		const user = (e.user_data ?? {}) as Record<string, unknown>;
		const keys = ['em', 'ph', 'external_id', 'fbc', 'fbp', 'client_ip_address'].filter((k) => user[k] !== undefined);
		if (keys.length === 0) return graphInvalid('Missing customer information parameters', `Event ${i}: user_data must contain at least one customer information parameter (em, ph, external_id, fbc, …).`, 2804019);
		for (const k of ['em', 'ph'] as const) {
			const values = Array.isArray(user[k]) ? (user[k] as unknown[]) : user[k] === undefined ? [] : [user[k]];
			if (values.some((v) => typeof v !== 'string' || !HEX64.test(v))) return graphInvalid('Invalid hash', `Event ${i}: user_data.${k} must be SHA-256 hashed (64 lower-case hex digits).`, 2804007);
		}
	}
	for (const raw of data) {
		const e = raw as Record<string, unknown>;
		const id = typeof e.event_id === 'string' ? e.event_id : '';
		// without an event_id Meta cannot drop a repeat: every one counts
		record(ctx, 'meta', pixel, id, id ? `meta:${pixel}:${String(e.event_name)}:${id}` : `meta:${pixel}:anon:${state(ctx.state.world).receipts.length}`, 48 * HOUR, e);
	}
	return json(200, { events_received: data.length, messages: [], fbtrace_id: 'AConversionsSandbox' });
}

// ---------------------------------------------------------------------------------------------
// Google Ads
// ---------------------------------------------------------------------------------------------

function gError(name: [string, string], message: string, index: number, field: string): Record<string, unknown> {
	return { errorCode: { [name[0]]: name[1] }, message, location: { fieldPathElements: [{ fieldName: 'conversions', index }, { fieldName: field }] } };
}

function googleUpload(ctx: Ctx): Reply {
	const [v, customerId] = ctx.params as [string, string];
	const version = `v${v}`;
	const fail = (e: GoogleAdsApiError) => json(e.httpStatus, e.body(version));
	try {
		const login = header(ctx, 'login-customer-id');
		if (login !== undefined && login !== ctx.state.world.credentials.googleAds.loginCustomerId && login !== customerId) throw permissionDenied(customerId);
		googleAccount(ctx.state.world, customerId);
	} catch (error) {
		if (error instanceof GoogleAdsApiError) return fail(error);
		throw error;
	}
	const body = bodyObject(ctx);
	const conversions = Array.isArray(body.conversions) ? (body.conversions as Array<Record<string, unknown>>) : [];
	if (conversions.length === 0) return fail(new GoogleAdsApiError(400, [{ errorCode: { requestError: 'REQUIRED_FIELD_MISSING' }, message: 'Required field was not specified.', location: { fieldPathElements: [{ fieldName: 'conversions' }] } }]));
	if (conversions.length > 2000) return fail(new GoogleAdsApiError(400, [{ errorCode: { conversionUploadError: 'TOO_MANY_CONVERSIONS_IN_REQUEST' }, message: 'The request contains more than 2000 conversions.' }]));
	if (body.partialFailure !== true) return fail(new GoogleAdsApiError(400, [{ errorCode: { requestError: 'INVALID_INPUT' }, message: 'Partial failure mode is required for conversion uploads: set partial_failure to true.' }]));
	const errors: Array<Record<string, unknown>> = [];
	const results: Array<Record<string, unknown>> = [];
	const inRequest = new Set<string>();
	for (const [i, c] of conversions.entries()) {
		const gclid = typeof c.gclid === 'string' ? c.gclid : '';
		const action = typeof c.conversionAction === 'string' ? c.conversionAction : '';
		const time = typeof c.conversionDateTime === 'string' ? c.conversionDateTime : '';
		const orderId = typeof c.orderId === 'string' ? c.orderId : '';
		const ids = Array.isArray(c.userIdentifiers) ? (c.userIdentifiers as Array<Record<string, unknown>>) : [];
		let error: Record<string, unknown> | undefined;
		if (!/^[A-Za-z0-9_-]{16,}$/.test(gclid) || /invalid/i.test(gclid)) error = gError(['conversionUploadError', 'UNPARSEABLE_GCLID'], 'The click ID could not be decoded.', i, 'gclid');
		else if (!new RegExp(`^customers/${customerId}/conversionActions/\\d+$`).test(action)) error = gError(['conversionUploadError', 'NO_CONVERSION_ACTION_FOUND'], 'The conversion action specified in the upload request cannot be found. Make sure it is available in this account.', i, 'conversion_action');
		else if (!/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$/.test(time)) error = gError(['dateError', 'INVALID_FIELD_VALUES_IN_DATE_TIME'], 'The field values in the date time are invalid.', i, 'conversion_date_time');
		else if (ids.some((u) => Object.keys(u).length !== 1 || !Object.values(u).every((x) => typeof x === 'string' && HEX64.test(x)))) error = gError(['conversionUploadError', 'INVALID_USER_IDENTIFIER'], 'The user identifier is not valid: set one SHA-256 hashed identifier per UserIdentifier.', i, 'user_identifiers');
		else {
			const clickKey = `google:${action}:${gclid}:${time}`;
			const orderKey = orderId ? `google:${action}:order:${orderId}` : '';
			if (inRequest.has(clickKey)) error = gError(['conversionUploadError', 'DUPLICATE_CLICK_CONVERSION_IN_REQUEST'], 'The request contains duplicate click conversions.', i, 'gclid');
			else if (seen(ctx, clickKey, Number.POSITIVE_INFINITY)) error = gError(['conversionUploadError', 'CLICK_CONVERSION_ALREADY_EXISTS'], 'The click conversion has already been uploaded.', i, 'gclid');
			else if (orderKey && seen(ctx, orderKey, Number.POSITIVE_INFINITY)) error = gError(['conversionUploadError', 'ORDER_ID_ALREADY_IN_USE'], 'The order ID was already used for a conversion of this conversion action.', i, 'order_id');
			inRequest.add(clickKey);
			if (error) record(ctx, 'google_ads', action, orderId || gclid, clickKey, Number.POSITIVE_INFINITY, c);
			else {
				record(ctx, 'google_ads', action, orderId || gclid, clickKey, Number.POSITIVE_INFINITY, c);
				if (orderKey) state(ctx.state.world).firstSeen.set(orderKey, now(ctx.state));
			}
		}
		if (error && !/ALREADY_EXISTS|ALREADY_IN_USE|DUPLICATE_CLICK/.test(JSON.stringify(error.errorCode))) recordRefused(ctx, 'google_ads', action, orderId || gclid, c);
		if (error) {
			errors.push(error);
			results.push({});
		} else results.push({ gclid, conversionAction: action, conversionDateTime: time });
	}
	return json(200, {
		results,
		...(errors.length
			? { partialFailureError: { code: 3, message: `Multiple errors in 'details'. First error: ${String(errors[0]!.message)}`, details: [{ '@type': `type.googleapis.com/google.ads.googleads.${version}.errors.GoogleAdsFailure`, errors }] } }
			: {}),
		jobId: String(1000 + state(ctx.state.world).receipts.length),
	});
}

// ---------------------------------------------------------------------------------------------
// LinkedIn
// ---------------------------------------------------------------------------------------------

function linkedinEvents(ctx: Ctx): Reply {
	if ((header(ctx, 'x-restli-method') ?? '').toUpperCase() !== 'BATCH_CREATE') {
		return json(400, { status: 400, code: 'ILLEGAL_ARGUMENT', message: 'A batch of conversion events needs the header X-RestLi-Method: BATCH_CREATE' });
	}
	const elements = Array.isArray(bodyObject(ctx).elements) ? (bodyObject(ctx).elements as Array<Record<string, unknown>>) : [];
	if (elements.length === 0) return json(400, { status: 400, code: 'ILLEGAL_ARGUMENT', message: 'elements is required' });
	if (elements.length > 5000) return json(400, { status: 400, code: 'ILLEGAL_ARGUMENT', message: `Batch size ${elements.length} exceeds the maximum of 5000` });
	const t = now(ctx.state);
	const out = elements.map((e) => {
		const bad = (message: string) => ({ status: 400, error: { status: 400, code: 'ILLEGAL_ARGUMENT', message } });
		const urn = typeof e.conversion === 'string' ? e.conversion : '';
		if (!/^urn:lla:llaPartnerConversion:\d+$/.test(urn)) return bad(`/conversion: "${urn}" is not a conversion rule URN (urn:lla:llaPartnerConversion:{id})`);
		const at = e.conversionHappenedAt;
		if (typeof at !== 'number' || at > t + HOUR || t - at > 90 * DAY) return bad('/conversionHappenedAt: must be epoch milliseconds within the last 90 days');
		const ids = ((e.user as { userIds?: Array<{ idType?: string; idValue?: string }> } | undefined)?.userIds ?? []).filter((u) => u.idType === 'SHA256_EMAIL' ? HEX64.test(u.idValue ?? '') : u.idType === 'LINKEDIN_FIRST_PARTY_ADS_TRACKING_UUID' ? Boolean(u.idValue) : false);
		if (ids.length === 0) return bad('/user/userIds: at least one of SHA256_EMAIL (a SHA-256 digest) or LINKEDIN_FIRST_PARTY_ADS_TRACKING_UUID is required');
		const id = typeof e.eventId === 'string' ? e.eventId : '';
		record(ctx, 'linkedin', urn, id, id ? `linkedin:${urn}:${id}` : `linkedin:${urn}:anon:${state(ctx.state.world).receipts.length}`, Number.POSITIVE_INFINITY, e);
		return { status: 201 };
	});
	return json(200, { elements: out });
}

// ---------------------------------------------------------------------------------------------
// TikTok
// ---------------------------------------------------------------------------------------------

function tiktokTrack(ctx: Ctx): Reply {
	const tt = (code: number, message: string) => json(200, { code, message, request_id: `conv${state(ctx.state.world).receipts.length}`, data: {} });
	if (ctx.params[0] !== 'v1.3') return tt(40051, `Invalid API version ${ctx.params[0]}.`);
	const body = bodyObject(ctx);
	if (body.event_source !== 'web') return tt(40002, 'event_source: must be one of web, app, offline, crm.');
	const pixel = typeof body.event_source_id === 'string' ? body.event_source_id : '';
	if (!pixel) return tt(40002, 'event_source_id: Field required.');
	const data = Array.isArray(body.data) ? (body.data as Array<Record<string, unknown>>) : [];
	if (data.length === 0) return tt(40002, 'data: Field required.');
	if (data.length > 1000) return tt(40002, `data: at most 1000 events per request, got ${data.length}.`);
	for (const [i, e] of data.entries()) {
		if (typeof e.event !== 'string' || !e.event) return tt(40002, `data[${i}].event: Field required.`);
		if (typeof e.event_time !== 'number') return tt(40002, `data[${i}].event_time: must be a unix timestamp in seconds.`);
		const user = (e.user ?? {}) as Record<string, unknown>;
		if (!['email', 'phone', 'external_id', 'ttclid'].some((k) => typeof user[k] === 'string' && user[k] !== '')) return tt(40002, `data[${i}].user: at least one of email, phone, external_id or ttclid is required.`);
		for (const k of ['email', 'phone'] as const) if (user[k] !== undefined && !HEX64.test(String(user[k]))) return tt(40002, `data[${i}].user.${k}: must be SHA-256 hashed.`);
	}
	for (const e of data) {
		const id = typeof e.event_id === 'string' ? e.event_id : '';
		record(ctx, 'tiktok', pixel, id, id ? `tiktok:${pixel}:${String(e.event)}:${id}` : `tiktok:${pixel}:anon:${state(ctx.state.world).receipts.length}`, 48 * HOUR, e);
	}
	return tt(0, 'OK');
}

const ROUTES: Record<string, Route[]> = {
	meta: [{ name: 'meta.conversions', method: 'POST', pattern: /^\/v\d+(?:\.\d+)?\/(\d+)\/events$/, handler: metaEvents }],
	googleads: [{ name: 'googleads.uploadClickConversions', method: 'POST', pattern: /^\/v(\d+)\/customers\/(\d+):uploadClickConversions$/, handler: googleUpload }],
	linkedin: [{ name: 'linkedin.conversionEvents', method: 'POST', pattern: /^\/rest\/conversionEvents$/, handler: linkedinEvents }],
	tiktok: [{ name: 'tiktok.eventTrack', method: 'POST', pattern: /^\/open_api\/(v\d+\.\d+)\/event\/track\/$/, handler: tiktokTrack }],
};

/** The platforms with the conversion endpoints ahead of their own routes. */
export function withConversions(platforms: Platform[]): Platform[] {
	return platforms.map((p) => (ROUTES[p.name] ? { ...p, routes: [...ROUTES[p.name]!, ...p.routes] } : p));
}

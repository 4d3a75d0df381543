/**
 * Klaviyo API (JSON:API) under `/klaviyo/api/…`. Auth with
 * `Authorization: Klaviyo-API-Key pk_…` and a `revision` header. Reporting
 * endpoints aggregate the world's daily email results over the timeframe
 * (dates compared in the account's timezone, taken as the date part of the
 * timestamps).
 */
import { randomUUID } from 'node:crypto';
import { header, json, now, type Ctx, type Platform, type Reply, type Route } from '../core';
import { addDays, roundMoney } from '../rng';
import type { KlaviyoDaily, KlaviyoMessageSource } from '../world';

function kError(status: number, code: string, title: string, detail: string, pointer?: string): Reply {
	return json(status, { errors: [{ id: randomUUID(), status, code, title, detail, source: pointer ? { pointer } : {}, links: {}, meta: {} }] });
}

type KlaviyoCounts = Omit<KlaviyoDaily, 'date'>;

const COUNT_STATS: Record<string, keyof KlaviyoCounts> = {
	recipients: 'recipients',
	delivered: 'delivered',
	opens: 'opens',
	opens_unique: 'opensUnique',
	clicks: 'clicks',
	clicks_unique: 'clicksUnique',
	conversions: 'conversions',
	conversion_uniques: 'conversionUniques',
	conversion_value: 'conversionValue',
	unsubscribes: 'unsubscribes',
	bounced: 'bounced',
};

/** Rate statistics: numerator / denominator of the counts, 6 decimals, 0 when the denominator is 0. */
const RATE_STATS: Record<string, [keyof KlaviyoCounts, keyof KlaviyoCounts]> = {
	open_rate: ['opensUnique', 'delivered'],
	click_rate: ['clicksUnique', 'delivered'],
	conversion_rate: ['conversionUniques', 'delivered'],
	revenue_per_recipient: ['conversionValue', 'delivered'],
	average_order_value: ['conversionValue', 'conversions'],
	delivery_rate: ['delivered', 'recipients'],
	bounce_rate: ['bounced', 'recipients'],
	unsubscribe_rate: ['unsubscribes', 'delivered'],
};

function stat(name: string, t: KlaviyoCounts): number {
	if (!Object.hasOwn(RATE_STATS, name)) return t[COUNT_STATS[name]!];
	const [a, b] = RATE_STATS[name]!.map((key) => t[key]) as [number, number];
	return b > 0 ? Math.round((a / b) * 1e6) / 1e6 : 0;
}

function accounts(ctx: Ctx): Reply {
	const k = ctx.state.world.klaviyo;
	const self = `${ctx.origin}/klaviyo/api/accounts/`;
	return json(200, {
		data: [
			{
				type: 'account',
				id: k.id,
				attributes: {
					test_account: false,
					contact_information: {
						default_sender_name: k.name,
						default_sender_email: 'hello@northwind.example',
						website_url: 'https://northwind.example',
						organization_name: k.name,
						street_address: { address1: '1 Harbor Way', address2: '', city: 'Portland', region: 'OR', country: 'US', zip: '97201' },
					},
					industry: 'Apparel & Accessories',
					timezone: k.timezone,
					preferred_currency: k.currency,
					public_api_key: k.id,
					locale: 'en-US',
				},
				links: { self: `${self}${k.id}/` },
			},
		],
		links: { self, next: null, prev: null },
	});
}

function metrics(ctx: Ctx): Reply {
	const k = ctx.state.world.klaviyo;
	const self = `${ctx.origin}/klaviyo/api/metrics/`;
	return json(200, {
		data: k.metrics.map((m) => ({
			type: 'metric',
			id: m.id,
			attributes: {
				name: m.name,
				created: `${ctx.state.world.firstDate}T00:00:00+00:00`,
				updated: `${ctx.state.world.firstDate}T00:00:00+00:00`,
				integration: m.name === 'Placed Order' ? { object: 'integration', id: '0eMvjm', key: 'shopify', name: 'Shopify', category: 'eCommerce' } : { object: 'integration', id: '0rG4eQ', key: 'klaviyo', name: 'Klaviyo', category: 'Internal' },
			},
			relationships: {},
			links: { self: `${self}${m.id}/` },
		})),
		links: { self, next: null, prev: null },
	});
}

const PAGE_SIZE = 10;

/**
 * `GET /api/campaigns/` and `/api/flows/`: JSON:API lists paged by
 * `page[cursor]` (Klaviyo pages campaigns 10 at a time). Campaigns need the
 * `messages.channel` filter, as on the real API.
 */
function list(kind: 'campaign' | 'flow') {
	return (ctx: Ctx): Reply => {
		const k = ctx.state.world.klaviyo;
		const path = `${ctx.origin}/klaviyo/api/${kind}s/`;
		const filter = ctx.query.get('filter') ?? '';
		if (kind === 'campaign') {
			const channel = /^equals\(messages\.channel,'(email|sms|mobile_push)'\)$/.exec(filter)?.[1];
			if (!channel) return kError(400, 'invalid', 'Invalid input.', "A channel filter is required: filter=equals(messages.channel,'email').", '/filter');
			if (channel !== 'email') return json(200, { data: [], links: { self: path, next: null, prev: null } });
		} else if (filter) {
			return kError(400, 'invalid', 'Invalid input.', `Unsupported filter '${filter}'.`, '/filter');
		}
		const sources = kind === 'campaign' ? k.campaigns : k.flows;
		const cursor = ctx.query.get('page[cursor]');
		const start = cursor ? Number(Buffer.from(cursor, 'base64url').toString('utf8')) : 0;
		if (!Number.isInteger(start) || start < 0 || start > sources.length) return kError(400, 'invalid', 'Invalid input.', 'Invalid page cursor.', '/page/cursor');
		const page = sources.slice(start, start + PAGE_SIZE);
		const next = start + PAGE_SIZE < sources.length ? `${path}?${new URLSearchParams({ ...(filter ? { filter } : {}), 'page[cursor]': Buffer.from(String(start + PAGE_SIZE)).toString('base64url') }).toString()}` : null;
		return json(200, {
			data: page.map((src) => ({
				type: kind,
				id: src.id,
				attributes:
					kind === 'campaign'
						? { name: src.name, status: 'Sent', archived: false, send_time: src.sendDate ? `${src.sendDate}T09:00:00+00:00` : null, created_at: `${ctx.state.world.firstDate}T00:00:00+00:00` }
						: { name: src.name, status: 'live', archived: false, trigger_type: 'Added to List', created: `${ctx.state.world.firstDate}T00:00:00+00:00` },
				links: { self: `${path}${src.id}/` },
			})),
			links: { self: path, next, prev: null },
		});
	};
}

/**
 * Klaviyo's published limits of the values-report endpoints (API reference of
 * Query Campaign Values / Query Flow Values: burst 1/s, steady 2/m, daily
 * 225/d), per account and per endpoint. Klaviyo counts fixed windows (its
 * rate-limit guide: "a fixed-window rate limiting algorithm with two distinct
 * windows: burst (1-second window) and steady (1-minute window)"); the daily
 * window is the UTC day here.
 */
export const KLAVIYO_REPORT_LIMITS = [
	{ name: 'burst', points: 1, windowMs: 1_000 },
	{ name: 'steady', points: 2, windowMs: 60_000 },
	{ name: 'daily', points: 225, windowMs: 86_400_000 },
] as const;

/**
 * Klaviyo's headers on every non-429 answer: the state of the steady
 * (one-minute) window after this request.
 */
export function reportLimitHeaders(ctx: Ctx, endpoint: string): Record<string, string> {
	if (!ctx.state.enforceLimits) return {};
	const t = now(ctx.state);
	const steady = KLAVIYO_REPORT_LIMITS[1];
	const start = Math.floor(t / steady.windowMs) * steady.windowMs;
	const used = ctx.state.rateWindows?.[`${endpoint}:${steady.name}@${start}`] ?? 0;
	return { 'ratelimit-limit': String(steady.points), 'ratelimit-remaining': String(Math.max(0, steady.points - used)), 'ratelimit-reset': String(Math.ceil((start + steady.windowMs - t) / 1000)) };
}

/**
 * Counts a values-report request; answers Klaviyo's 429 (JSON:API `throttled`
 * error, `Retry-After` = whole seconds until the full window reopens) when a
 * window is used up. Refused requests are not counted.
 */
export function reportLimit(ctx: Ctx, endpoint: string): Reply | undefined {
	if (!ctx.state.enforceLimits) return undefined;
	const t = now(ctx.state);
	const windows = (ctx.state.rateWindows ??= {});
	let waitMs = 0;
	for (const w of KLAVIYO_REPORT_LIMITS) {
		const start = Math.floor(t / w.windowMs) * w.windowMs;
		if ((windows[`${endpoint}:${w.name}@${start}`] ?? 0) >= w.points) waitMs = Math.max(waitMs, start + w.windowMs - t);
	}
	if (waitMs > 0) {
		const seconds = Math.max(1, Math.ceil(waitMs / 1000));
		return { ...kError(429, 'throttled', 'Request was throttled.', `Request was throttled. Expected available in ${seconds} second${seconds === 1 ? '' : 's'}.`), headers: { 'retry-after': String(seconds) } };
	}
	for (const w of KLAVIYO_REPORT_LIMITS) {
		const start = Math.floor(t / w.windowMs) * w.windowMs;
		const key = `${endpoint}:${w.name}@${start}`;
		windows[key] = (windows[key] ?? 0) + 1;
	}
	// forget closed windows so a long run keeps the map small
	for (const key of Object.keys(windows)) {
		const [name, at] = key.split('@') as [string, string];
		const w = KLAVIYO_REPORT_LIMITS.find((x) => name.endsWith(`:${x.name}`));
		if (w && Number(at) + w.windowMs <= t) delete windows[key];
	}
	return undefined;
}

const TIMEFRAME_KEYS: Record<string, [number, number]> = { today: [0, 0], yesterday: [-1, -1], last_7_days: [-7, -1], last_30_days: [-30, -1], last_90_days: [-90, -1], last_365_days: [-365, -1] };

function report(kind: 'campaign' | 'flow') {
	return (ctx: Ctx): Reply => {
		const type = `${kind}-values-report`;
		const endpoint = `${ctx.state.world.klaviyo.id}:${type}s`;
		const limited = reportLimit(ctx, endpoint);
		if (limited) return limited;
		const reply = answerReport(ctx, kind, type);
		reply.headers = { ...reply.headers, ...reportLimitHeaders(ctx, endpoint) };
		return reply;
	};
}

function answerReport(ctx: Ctx, kind: 'campaign' | 'flow', type: string): Reply {
	{
		const body = ctx.body as { data?: { type?: unknown; attributes?: Record<string, unknown> } } | undefined;
		if (ctx.bodyError || !body?.data) return kError(400, 'invalid', 'Invalid input.', 'Request body must be a JSON:API document with a data object.', '/data');
		if (body.data.type !== type) return kError(409, 'conflict', 'Conflict.', `The type "${String(body.data.type)}" does not match the expected type "${type}".`, '/data/type');
		const attrs = body.data.attributes ?? {};
		const statistics = attrs.statistics;
		if (!Array.isArray(statistics) || statistics.length === 0) return kError(400, 'invalid', 'Invalid input.', 'statistics must be a non-empty list.', '/data/attributes/statistics');
		for (const s of statistics) if (typeof s !== 'string' || (!Object.hasOwn(COUNT_STATS, s) && !Object.hasOwn(RATE_STATS, s))) return kError(400, 'invalid', 'Invalid input.', `'${String(s)}' is not a valid statistic.`, '/data/attributes/statistics');
		const k = ctx.state.world.klaviyo;
		if (attrs.conversion_metric_id !== k.placedOrderMetricId && !k.metrics.some((m) => m.id === attrs.conversion_metric_id)) {
			return kError(400, 'invalid', 'Invalid input.', `Metric '${String(attrs.conversion_metric_id)}' does not exist.`, '/data/attributes/conversion_metric_id');
		}
		const tf = attrs.timeframe as { key?: unknown; start?: unknown; end?: unknown } | undefined;
		let since: string;
		let until: string;
		if (tf && typeof tf.key === 'string') {
			const range = Object.hasOwn(TIMEFRAME_KEYS, tf.key) ? TIMEFRAME_KEYS[tf.key] : undefined;
			if (!range) return kError(400, 'invalid', 'Invalid input.', `'${tf.key}' is not a valid timeframe key.`, '/data/attributes/timeframe/key');
			since = addDays(ctx.state.world.today, range[0]);
			until = addDays(ctx.state.world.today, range[1]);
		} else if (tf && typeof tf.start === 'string' && typeof tf.end === 'string') {
			const s = Date.parse(tf.start);
			const e = Date.parse(tf.end);
			if (Number.isNaN(s) || Number.isNaN(e)) return kError(400, 'invalid', 'Invalid input.', 'timeframe.start and timeframe.end must be ISO 8601 datetimes.', '/data/attributes/timeframe');
			if (e <= s) return kError(400, 'invalid', 'Invalid input.', 'timeframe.end must be after timeframe.start.', '/data/attributes/timeframe');
			if (e - s > 366 * 86_400_000) return kError(400, 'invalid', 'Invalid input.', 'The timeframe cannot be longer than one year.', '/data/attributes/timeframe');
			since = tf.start.slice(0, 10);
			// The end is exclusive when it falls on midnight.
			until = /T00:00(:00(\.0+)?)?(Z|[+-]00:00)?$/.test(tf.end) ? addDays(tf.end.slice(0, 10), -1) : tf.end.slice(0, 10);
		} else return kError(400, 'invalid', 'Invalid input.', 'timeframe must be {"key": ...} or {"start": ..., "end": ...}.', '/data/attributes/timeframe');
		const sources: KlaviyoMessageSource[] = kind === 'campaign' ? k.campaigns : k.flows;
		const results = [];
		for (const src of sources) {
			const t: Omit<KlaviyoDaily, 'date'> = { recipients: 0, delivered: 0, opens: 0, opensUnique: 0, clicks: 0, clicksUnique: 0, conversions: 0, conversionUniques: 0, conversionValue: 0, unsubscribes: 0, bounced: 0 };
			let any = false;
			for (const d of src.daily) {
				if (d.date < since || d.date > until) continue;
				for (const key of Object.keys(t) as Array<keyof typeof t>) t[key] += d[key];
				if (d.recipients || d.opens || d.conversions) any = true;
			}
			if (!any) continue;
			t.conversionValue = roundMoney(t.conversionValue, k.currency);
			results.push({
				groupings: kind === 'campaign' ? { send_channel: 'email', campaign_id: src.id, campaign_message_id: src.messageId } : { flow_id: src.id, send_channel: 'email', flow_message_id: src.messageId },
				statistics: Object.fromEntries((statistics as string[]).map((s) => [s, stat(s, t)])),
			});
		}
		const id = randomUUID();
		const relation = kind === 'campaign' ? 'campaigns' : 'flows';
		const reportUrl = `${ctx.origin}/klaviyo/api/${kind}-values-reports/${id}`;
		return json(200, {
			data: {
				type,
				id,
				attributes: { results },
				// Klaviyo's RelationshipLinks: both links are required (its OpenAPI; test/contract/spec-shapes.test.ts).
				relationships: { [relation]: { data: results.map((r) => ({ type: kind, id: (r.groupings as unknown as Record<string, string>)[`${kind}_id`] })), links: { self: `${reportUrl}/relationships/${relation}/`, related: `${reportUrl}/${relation}/` } } },
				links: { self: `${ctx.origin}/klaviyo/api/${kind}-values-reports/` },
			},
			links: { self: `${ctx.origin}/klaviyo/api/${kind}-values-reports/` },
		});
	}
}

function authenticate(ctx: Ctx): Reply | undefined {
	const auth = header(ctx, 'authorization');
	if (!auth) return kError(401, 'not_authenticated', 'Authentication credentials were not provided.', 'Missing or invalid authorization scheme. Please use Klaviyo-API-Key.');
	const m = /^Klaviyo-API-Key\s+(\S+)$/.exec(auth.trim());
	if (!m) return kError(401, 'not_authenticated', 'Authentication credentials were not provided.', 'Missing or invalid authorization scheme. Please use Klaviyo-API-Key.');
	if (m[1] !== ctx.state.world.credentials.klaviyo.apiKey) return kError(401, 'not_authenticated', 'Incorrect authentication credentials.', 'Missing or invalid private key.');
	const revision = header(ctx, 'revision');
	if (!revision) return kError(400, 'invalid', 'Invalid input.', 'A revision header is required. Use a date like 2025-07-15.');
	if (!/^\d{4}-\d{2}-\d{2}(\.pre)?$/.test(revision)) return kError(400, 'invalid', 'Invalid input.', `Invalid revision '${revision}'.`);
	return undefined;
}

const routes: Route[] = [
	{ name: 'klaviyo.accounts', method: 'GET', pattern: /^\/api\/accounts\/?$/, handler: accounts },
	{ name: 'klaviyo.metrics', method: 'GET', pattern: /^\/api\/metrics\/?$/, handler: metrics },
	{ name: 'klaviyo.campaigns', method: 'GET', pattern: /^\/api\/campaigns\/?$/, handler: list('campaign') },
	{ name: 'klaviyo.flows', method: 'GET', pattern: /^\/api\/flows\/?$/, handler: list('flow') },
	{ name: 'klaviyo.campaignReport', method: 'POST', pattern: /^\/api\/campaign-values-reports\/?$/, handler: report('campaign') },
	{ name: 'klaviyo.flowReport', method: 'POST', pattern: /^\/api\/flow-values-reports\/?$/, handler: report('flow') },
];

export const klaviyo: Platform = {
	name: 'klaviyo',
	prefix: '/klaviyo',
	routes,
	authenticate,
	errorReply(status, kind, message, retryAfter) {
		if (kind === 'rate_limit') return { ...kError(429, 'throttled', 'Request was throttled.', `Request was throttled. Expected available in ${retryAfter ?? 1} second. ${message}`.trim()), headers: { 'retry-after': String(retryAfter ?? 1) } };
		if (kind === 'server') return kError(status, 'error', 'A server error occurred.', message || 'A server error occurred.');
		if (kind === 'not_found') return kError(404, 'not_found', 'Not found.', message);
		return kError(400, 'invalid', 'Invalid input.', message);
	},
	decorate(_ctx, reply) {
		reply.headers = { 'content-type': 'application/vnd.api+json', ...reply.headers };
	},
};

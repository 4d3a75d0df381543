/**
 * One posted event: its zod schema, and its row for `marketing_events` with
 * the identifiers hashed (identity.ts). What is not in the schema is dropped,
 * so raw identifiers under names we do not know are never stored.
 *
 * ```json
 * { "event_id": "ord-1001", "type": "purchase", "time": "2025-06-17T10:00:00Z",
 *   "value": 49.9, "currency": "EUR", "platform": "<a platform id>", "campaign_id": "1202…",
 *   "user": { "id": "u-42", "email": "Ana@Example.com", "phone": "+49 151 2345678" },
 *   "click_ids": { "gclid": "…", "fbclid": "…", "li_fat_id": "…", "ttclid": "…" },
 *   "utm": { "source": "newsletter", "medium": "email", "campaign": "june" },
 *   "consent": { "ad_storage": true, "ad_user_data": true, "ad_personalization": false, "analytics": true } }
 * ```
 * `type` custom needs a `name`; a `value` needs a `currency`; `time` is
 * ISO-8601 with a zone, or epoch seconds / milliseconds.
 */
import { z } from 'zod';
import { PLATFORM_IDS } from '../platforms/registry';
import { hashIdentity, redactEmails, sha256, type Normalized } from './identity';
import { CLICK_ID_FIELDS, CONSENT_FIELDS, EVENT_TYPES, UTM_FIELDS, type marketingEventRow } from './rows';

export type MarketingEventRow = z.input<typeof marketingEventRow>;

const text = (max: number) => z.string().trim().min(1, 'must not be empty').max(max, `must be at most ${max} characters`);
const clickId = z
	.string()
	.trim()
	.min(1, 'must not be empty')
	.max(500, 'must be at most 500 characters')
	.regex(/^[A-Za-z0-9._~-]+$/, 'must be a click id (letters, digits, . _ ~ -)');
const optionalText = z.string().nullish();

/** Epoch numbers below this are seconds, above milliseconds (1e11 s is the year 5138). */
const SECONDS_BELOW = 1e11;

export const eventInput = z
	.object({
		// Above 2^53 a JSON number is already rounded when parsed: two ids would collapse into one and the second be
		// dropped as its duplicate, so such ids are refused and must be sent as strings.
		event_id: z.union([
			text(200),
			z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER, 'as a number must be at most 9007199254740991; send larger ids as strings').transform(String),
		]),
		type: z.enum(EVENT_TYPES),
		name: text(100).optional(),
		time: z.union([
			z.string().datetime({ offset: true, message: 'must be an ISO-8601 timestamp with a time zone' }).transform((s) => new Date(s)),
			z.number().finite().positive().transform((n) => new Date(n < SECONDS_BELOW ? n * 1000 : n)),
		]).refine((d) => !Number.isNaN(d.getTime()), 'is beyond the dates a timestamp can hold'),
		value: z.number().finite().nonnegative().max(1e12).optional(),
		currency: z
			.string()
			.trim()
			.regex(/^[A-Za-z]{3}$/, 'must be an ISO-4217 code like EUR')
			.transform((c) => c.toUpperCase())
			.optional(),
		platform: z.enum(PLATFORM_IDS).optional(),
		campaign_id: text(200).optional(),
		user: z
			.object({ id: optionalText, email: optionalText, phone: optionalText, email_sha256: optionalText, phone_sha256: optionalText, external_id_sha256: optionalText })
			.optional(),
		click_ids: z.object(Object.fromEntries(CLICK_ID_FIELDS.map((f) => [f, clickId.optional()])) as Record<(typeof CLICK_ID_FIELDS)[number], z.ZodOptional<typeof clickId>>).optional(),
		utm: z.object(Object.fromEntries(UTM_FIELDS.map((f) => [f, text(500).optional()])) as Record<(typeof UTM_FIELDS)[number], z.ZodOptional<z.ZodString>>).optional(),
		consent: z.object(Object.fromEntries(CONSENT_FIELDS.map((f) => [f, z.boolean().optional()])) as Record<(typeof CONSENT_FIELDS)[number], z.ZodOptional<z.ZodBoolean>>).optional(),
	})
	.superRefine((e, ctx) => {
		if (e.type === 'custom' && !e.name) ctx.addIssue({ code: 'custom', path: ['name'], message: 'a custom event needs a name' });
		if (e.value !== undefined && e.value > 0 && !e.currency) ctx.addIssue({ code: 'custom', path: ['currency'], message: 'a value needs its currency' });
	});

export type EventInput = z.output<typeof eventInput>;

export interface RowOptions {
	source: string;
	/** Digits, e.g. "49": phones written without + or 00 take it. */
	defaultCountryCode?: string;
	/** An event more than this far in the future is refused (default 1 hour). */
	maxFutureMs?: number;
	now: Date;
}

/** Words for a zod issue that never repeat the value given. */
function issueText(issue: z.ZodIssue): string {
	const where = issue.path.length ? issue.path.join('.') : 'event';
	switch (issue.code) {
		case 'invalid_enum_value':
			return `${where} must be one of ${issue.options.join(', ')}`;
		case 'invalid_type':
			return issue.received === 'undefined' ? `${where} is missing` : `${where} must be ${issue.expected}, not ${issue.received}`;
		case 'invalid_union': {
			if (where === 'time') return 'time must be an ISO-8601 timestamp with a time zone, or epoch seconds or milliseconds';
			// a value of one of the union's types that breaks that type's rule (a 300-character id): that rule, not "wrong type"
			const issues = issue.unionErrors.flatMap((e) => e.issues);
			if (issues.every((i) => i.code === 'invalid_type' && i.received === 'undefined')) return `${where} is missing`;
			const broken = issues.find((i) => i.code !== 'invalid_type');
			return broken ? issueText(broken) : `${where} has the wrong type`;
		}
		default:
			return `${where} ${issue.message}`;
	}
}

/** A marketing_events row for one posted event, or why it cannot be stored. */
export function eventRow(raw: unknown, opts: RowOptions): Normalized<MarketingEventRow> {
	const parsed = eventInput.safeParse(raw);
	if (!parsed.success) return { ok: false, reason: redactEmails(parsed.error.issues.slice(0, 3).map(issueText).join('; ')) };
	const e = parsed.data;
	if (e.event_id.includes('@') && redactEmails(e.event_id) !== e.event_id) {
		return { ok: false, reason: 'event_id looks like an e-mail address: use an opaque id (an order number, a UUID)' };
	}
	if (e.time.getTime() > opts.now.getTime() + (opts.maxFutureMs ?? 3_600_000)) return { ok: false, reason: 'time is in the future' };
	const identity = hashIdentity(e.user ?? undefined, { defaultCountryCode: opts.defaultCountryCode });
	if (!identity.ok) return identity;
	const free = (v: string | undefined) => (v === undefined ? null : redactEmails(v));
	return {
		ok: true,
		value: {
			source: opts.source,
			event_id: e.event_id,
			event_type: e.type,
			event_name: free(e.name),
			event_time: e.time.toISOString(),
			value: e.value ?? null,
			currency: e.currency ?? null,
			platform: e.platform ?? null,
			campaign_id: free(e.campaign_id),
			...identity.value,
			gclid: e.click_ids?.gclid ?? null,
			fbclid: e.click_ids?.fbclid ?? null,
			li_fat_id: e.click_ids?.li_fat_id ?? null,
			ttclid: e.click_ids?.ttclid ?? null,
			utm_source: free(e.utm?.source),
			utm_medium: free(e.utm?.medium),
			utm_campaign: free(e.utm?.campaign),
			utm_term: free(e.utm?.term),
			utm_content: free(e.utm?.content),
			consent_ad_storage: e.consent?.ad_storage ?? null,
			consent_ad_user_data: e.consent?.ad_user_data ?? null,
			consent_ad_personalization: e.consent?.ad_personalization ?? null,
			consent_analytics: e.consent?.analytics ?? null,
			received_at: opts.now.toISOString(),
		},
	};
}

const KNOWN_FIELDS = ['event_id', 'type', 'name', 'time', 'value', 'currency', 'platform', 'campaign_id'] as const;
const GROUPS = { click_ids: CLICK_ID_FIELDS, utm: UTM_FIELDS, consent: CONSENT_FIELDS } as const;

function isObject(v: unknown): v is Record<string, unknown> {
	return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function safeValue(v: unknown): unknown {
	if (typeof v === 'string') return redactEmails(v).slice(0, 200);
	if (typeof v === 'number' || typeof v === 'boolean' || v === null) return v;
	if (v === undefined) return undefined;
	return Array.isArray(v) ? '[list removed]' : '[object removed]';
}

/**
 * What event_quarantine keeps of a refused event: its known fields (free text
 * with e-mail addresses removed), the user's identifiers as digests where they
 * normalise and as "[removed]" where they do not, and the names (not values)
 * of fields we do not know.
 */
export function safePayload(raw: unknown, opts: Pick<RowOptions, 'defaultCountryCode'> = {}): Record<string, unknown> {
	if (!isObject(raw)) return { body: Array.isArray(raw) ? '[list removed]' : raw === null ? null : `[${typeof raw} removed]` };
	const out: Record<string, unknown> = {};
	for (const f of KNOWN_FIELDS) if (f in raw) out[f] = safeValue(raw[f]);
	for (const [group, fields] of Object.entries(GROUPS)) {
		const value = raw[group];
		if (value === undefined) continue;
		if (!isObject(value)) {
			out[group] = safeValue(value);
			continue;
		}
		out[group] = Object.fromEntries((fields as readonly string[]).filter((f) => f in value).map((f) => [f, safeValue(value[f])]));
	}
	if (raw.user !== undefined) {
		const user: Record<string, unknown> = {};
		if (isObject(raw.user)) {
			for (const [field, v] of Object.entries(raw.user)) {
				if (!['id', 'email', 'phone', 'email_sha256', 'phone_sha256', 'external_id_sha256'].includes(field)) continue;
				const one = typeof v === 'string' ? hashIdentity({ [field]: v }, opts) : undefined;
				if (one?.ok) {
					for (const [k, digest] of Object.entries(one.value)) if (digest) user[k] = digest;
				} else {
					user[field] = '[removed]';
				}
			}
		} else {
			user.value = '[removed]';
		}
		out.user = user;
	}
	const unknown = Object.keys(raw).filter((k) => !(KNOWN_FIELDS as readonly string[]).includes(k) && !(k in GROUPS) && k !== 'user');
	if (unknown.length) out.unknown_fields = unknown.slice(0, 20).map((k) => redactEmails(k).slice(0, 60));
	return out;
}

/** Nesting kept by contentHash; deeper parts hash as one marker (JSON.parse takes any depth, a recursive stringify does not). */
const HASH_DEPTH = 32;

/** `v` with its object keys sorted, cut at HASH_DEPTH levels. */
function canonical(v: unknown, depth: number): unknown {
	if (typeof v !== 'object' || v === null) return v;
	if (depth >= HASH_DEPTH) return '[nested too deeply]';
	if (Array.isArray(v)) return v.map((x) => canonical(x, depth + 1));
	const o = v as Record<string, unknown>;
	return Object.fromEntries(Object.keys(o).sort().map((k) => [k, canonical(o[k], depth + 1)]));
}

/**
 * SHA-256 of the event as posted (keys sorted), to keep a bad event once however often it is posted.
 * Events differing only below HASH_DEPTH levels of nesting share a hash (both are counted, one row is kept).
 */
export function contentHash(raw: unknown): string {
	return sha256(JSON.stringify(canonical(raw, 0)) ?? 'undefined');
}

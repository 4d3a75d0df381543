/**
 * Google Ads as its REST API speaks it, over the sandbox world.
 *
 * The package's Google Ads client is `google-ads-api`; its REST calls go to
 * `{apiBaseUrl}/v{N}/customers/{id}/googleAds:search|searchStream` with an
 * OAuth2 access token, exactly as they would to googleads.googleapis.com.
 * This module is the world side of those routes (the HTTP side is
 * `platforms/googleads.ts` and `platforms/googleoauth.ts`):
 *
 * - GAQL over `campaign`, `campaign_budget` and `customer` (the fields in
 *   `FIELD_TYPES`), rows rendered as the REST API renders them: lowerCamelCase
 *   keys, INT64 as strings, enums as names, `resourceName` of every selected
 *   resource, rows with `segments.date` only for days with impressions.
 * - GAQL over `change_event` (the account's change history, from the world's
 *   change log: budget changes as CAMPAIGN_BUDGET events with old and new
 *   `amount_micros`, status changes as CAMPAIGN events), with Google's rules:
 *   a finite range on `change_event.change_date_time` (the account's time
 *   zone), a start at most 30 days back, a LIMIT of at most 10,000.
 * - `search` pages of a fixed size (10,000 in the real API since v17;
 *   `googleAdsPageSize` makes it small for tests) with opaque page tokens;
 *   `searchStream` batches of the same size; summary rows on request.
 * - `campaigns:mutate` / `campaignBudgets:mutate` with `update` operations on
 *   `status` / `amountMicros`, honouring `updateMask` and `validateOnly`;
 *   applied changes are recorded in the change log (client GOOGLE_ADS_API).
 * - Errors in Google's REST error shape: `{error: {code, message, status,
 *   details: [GoogleAdsFailure]}}`, `errorCode` values as enum names.
 */
import { zonedTimeToIso } from '../../nodes/shared/platforms/campaign-state';
import { wallClock } from '../../nodes/shared/text/dates';
import { changeLog, recordedChange, type RecordedChange } from './platforms/change-history';
import { addDays, fnv1a, isIsoDate, toMinor, fromMinor } from './rng';
import { findAccount, type AdAccount, type Campaign, type World } from './world';

/** Google Ads' fixed page size for `search` and batch size for `searchStream` (API v17+). */
export const GOOGLE_ADS_PAGE_SIZE = 10_000;

// ---- errors ----------------------------------------------------------------------

/** One entry of a `GoogleAdsFailure`, REST form: `{ errorCode: { quotaError: 'RESOURCE_EXHAUSTED' }, message, details? }`. */
export interface GoogleAdsErrorEntry {
	errorCode: Record<string, string>;
	message: string;
	trigger?: Record<string, unknown>;
	location?: Record<string, unknown>;
	details?: Record<string, unknown>;
}

/** gRPC canonical status of each HTTP status Google Ads answers with, and its generic message. */
const CANONICAL: Record<number, [string, string]> = {
	400: ['INVALID_ARGUMENT', 'Request contains an invalid argument.'],
	401: ['UNAUTHENTICATED', 'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.'],
	403: ['PERMISSION_DENIED', 'The caller does not have permission'],
	404: ['NOT_FOUND', 'Requested entity was not found.'],
	429: ['RESOURCE_EXHAUSTED', 'Resource has been exhausted (e.g. check quota).'],
	500: ['INTERNAL', 'Internal error encountered.'],
	501: ['UNIMPLEMENTED', 'Operation is not implemented, or supported, or enabled.'],
	503: ['UNAVAILABLE', 'The service is currently unavailable.'],
	504: ['DEADLINE_EXCEEDED', 'The request deadline was exceeded.'],
};

let requestSeq = 0;

/** A request id shaped like Google's (22 url-safe characters). */
export function googleRequestId(): string {
	requestSeq += 1;
	let s = '';
	for (let i = 0; s.length < 22; i++) s += fnv1a(`gads-${requestSeq}-${i}`).toString(36);
	return s.slice(0, 22);
}

/** A Google Ads API error; `errors` become the `GoogleAdsFailure` detail (none: a bare transport-level error). */
export class GoogleAdsApiError extends Error {
	constructor(
		readonly httpStatus: number,
		readonly errors: GoogleAdsErrorEntry[] | undefined,
		message?: string,
	) {
		super(message ?? CANONICAL[httpStatus]?.[1] ?? 'Unknown error.');
	}

	/** Google's REST error body; `version` is the API version of the request (`v25`). */
	body(version = 'v25'): { error: Record<string, unknown> } {
		const [status, generic] = CANONICAL[this.httpStatus] ?? ['UNKNOWN', 'Unknown error.'];
		return {
			error: {
				code: this.httpStatus,
				message: this.errors ? generic : this.message,
				status,
				...(this.errors
					? { details: [{ '@type': `type.googleapis.com/google.ads.googleads.${version}.errors.GoogleAdsFailure`, errors: this.errors, requestId: googleRequestId() }] }
					: {}),
			},
		};
	}
}

const gadsError = (httpStatus: number, category: string, name: string, message: string, details?: Record<string, unknown>): GoogleAdsApiError =>
	new GoogleAdsApiError(httpStatus, [{ errorCode: { [category]: name }, message, ...(details ? { details } : {}) }]);

const queryError = (name: string, message: string): GoogleAdsApiError => gadsError(400, 'queryError', name, message);

export function quotaError(retryDelaySeconds: number): GoogleAdsApiError {
	return gadsError(429, 'quotaError', 'RESOURCE_EXHAUSTED', `Too many requests. Retry in ${retryDelaySeconds} seconds.`, {
		quotaErrorDetails: { rateScope: 'DEVELOPER', rateName: 'Number of operations for basic access', retryDelay: `${retryDelaySeconds}s` },
	});
}

export function internalError(): GoogleAdsApiError {
	return gadsError(500, 'internalError', 'INTERNAL_ERROR', 'An internal error has occurred.');
}

/** Bare 401 (no GoogleAdsFailure), as Google's front end answers for a missing, invalid or expired access token. */
export function unauthenticated(missing: boolean): GoogleAdsApiError {
	return new GoogleAdsApiError(
		401,
		undefined,
		missing
			? 'Request is missing required authentication credential. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.'
			: undefined,
	);
}

export function developerTokenError(missing: boolean): GoogleAdsApiError {
	return missing
		? gadsError(400, 'requestError', 'DEVELOPER_TOKEN_PARAMETER_MISSING', 'Developer token parameter is missing.')
		: gadsError(401, 'authenticationError', 'DEVELOPER_TOKEN_INVALID', 'The developer token is not valid.');
}

export function permissionDenied(customerId: string): GoogleAdsApiError {
	return gadsError(
		403,
		'authorizationError',
		'USER_PERMISSION_DENIED',
		`User doesn't have permission to access customer ${customerId}. Note: If you're accessing a client customer, the manager's customer id must be set in the 'login-customer-id' header. See https://developers.google.com/google-ads/api/docs/concepts/call-structure#cid`,
	);
}

export function requestError(name: string, message: string): GoogleAdsApiError {
	return gadsError(400, 'requestError', name, message);
}

// ---- GAQL ------------------------------------------------------------------------

type Token = { t: 'id' | 'str' | 'num' | 'op' | 'punct'; v: string };

function tokenize(q: string): Token[] {
	const out: Token[] = [];
	let i = 0;
	while (i < q.length) {
		const c = q[i]!;
		if (/\s/.test(c)) {
			i++;
			continue;
		}
		if (c === "'" || c === '"') {
			let j = i + 1;
			let s = '';
			while (j < q.length && q[j] !== c) s += q[j++];
			if (j >= q.length) throw queryError('UNEXPECTED_END_OF_QUERY', 'Unterminated string literal.');
			out.push({ t: 'str', v: s });
			i = j + 1;
			continue;
		}
		if (/[(),]/.test(c)) {
			out.push({ t: 'punct', v: c });
			i++;
			continue;
		}
		const op = /^(>=|<=|!=|=|>|<)/.exec(q.slice(i));
		if (op) {
			out.push({ t: 'op', v: op[1]! });
			i += op[1]!.length;
			continue;
		}
		const m = /^[A-Za-z_][A-Za-z0-9_.]*|^-?\d+(\.\d+)?/.exec(q.slice(i));
		if (!m) throw queryError('UNEXPECTED_END_OF_QUERY', `Unexpected character '${c}' in query.`);
		out.push({ t: /^-?\d/.test(m[0]) ? 'num' : 'id', v: m[0] });
		i += m[0].length;
	}
	return out;
}

interface Condition {
	field: string;
	op: string;
	values: string[];
}

export interface ParsedGaql {
	fields: string[];
	resource: string;
	conditions: Condition[];
	orderBy: Array<{ field: string; desc: boolean }>;
	limit?: number;
}

export function parseGaql(query: string): ParsedGaql {
	const toks = tokenize(query);
	let i = 0;
	const peek = (): Token | undefined => toks[i];
	const kw = (word: string): boolean => {
		const t = peek();
		if (t?.t === 'id' && t.v.toUpperCase() === word) {
			i++;
			return true;
		}
		return false;
	};
	const expectId = (): string => {
		const t = toks[i++];
		if (t?.t !== 'id') throw queryError('UNEXPECTED_END_OF_QUERY', `Expected a field name near token ${i}.`);
		return t.v;
	};
	if (!kw('SELECT')) throw queryError('UNEXPECTED_END_OF_QUERY', 'Query must start with SELECT.');
	const fields: string[] = [expectId()];
	while (peek()?.v === ',') {
		i++;
		fields.push(expectId());
	}
	if (!kw('FROM')) throw queryError('UNEXPECTED_END_OF_QUERY', 'Expected FROM.');
	const resource = expectId();
	const conditions: Condition[] = [];
	if (kw('WHERE')) {
		for (;;) {
			const field = expectId();
			const t = toks[i++];
			if (!t) throw queryError('UNEXPECTED_END_OF_QUERY', 'Incomplete condition.');
			const lit = (): string => {
				const x = toks[i++];
				if (!x || (x.t !== 'str' && x.t !== 'num' && x.t !== 'id')) throw queryError('UNEXPECTED_END_OF_QUERY', `Expected a value for ${field}.`);
				return x.v;
			};
			if (t.t === 'op') conditions.push({ field, op: t.v, values: [lit()] });
			else if (t.t === 'id' && t.v.toUpperCase() === 'BETWEEN') {
				const a = lit();
				if (!kw('AND')) throw queryError('UNEXPECTED_END_OF_QUERY', 'BETWEEN needs AND.');
				conditions.push({ field, op: 'BETWEEN', values: [a, lit()] });
			} else if (t.t === 'id' && t.v.toUpperCase() === 'DURING') conditions.push({ field, op: 'DURING', values: [lit().toUpperCase()] });
			else if (t.t === 'id' && (t.v.toUpperCase() === 'IN' || (t.v.toUpperCase() === 'NOT' && kw('IN')))) {
				const negate = t.v.toUpperCase() === 'NOT';
				if (toks[i++]?.v !== '(') throw queryError('UNEXPECTED_END_OF_QUERY', 'IN needs a list.');
				const values = [lit()];
				while (peek()?.v === ',') {
					i++;
					values.push(lit());
				}
				if (toks[i++]?.v !== ')') throw queryError('UNEXPECTED_END_OF_QUERY', 'Unclosed IN list.');
				conditions.push({ field, op: negate ? 'NOT IN' : 'IN', values });
			} else throw queryError('UNEXPECTED_END_OF_QUERY', `Unsupported operator ${t.v}.`);
			if (!kw('AND')) break;
		}
	}
	const orderBy: ParsedGaql['orderBy'] = [];
	if (kw('ORDER')) {
		if (!kw('BY')) throw queryError('UNEXPECTED_END_OF_QUERY', 'Expected BY after ORDER.');
		for (;;) {
			const field = expectId();
			const desc = kw('DESC');
			if (!desc) kw('ASC');
			orderBy.push({ field, desc });
			if (peek()?.v !== ',') break;
			i++;
		}
	}
	let limit: number | undefined;
	if (kw('LIMIT')) {
		const t = toks[i++];
		if (t?.t !== 'num') throw queryError('UNEXPECTED_END_OF_QUERY', 'LIMIT needs a number.');
		limit = Number(t.v);
	}
	kw('PARAMETERS');
	return { fields, resource, conditions, orderBy, ...(limit !== undefined ? { limit } : {}) };
}

type Scalar = string | number | boolean;
/** A nested REST message (change_event.old_resource), rendered as is. */
type Message = { [key: string]: string | number | boolean | Message };
/** `message`: a nested resource already in REST form (change_event's old/new resource); `mask`: a FieldMask (REST: comma-separated paths). */
type FieldType = 'int64' | 'double' | 'string' | 'enum' | 'bool' | 'message' | 'mask';

/** The fields the sandbox serves and their proto types (INT64 is a string in REST JSON). */
export const FIELD_TYPES: Record<string, FieldType> = {
	'campaign.resource_name': 'string',
	'campaign.id': 'int64',
	'campaign.name': 'string',
	'campaign.status': 'enum',
	'campaign.campaign_budget': 'string',
	'campaign.advertising_channel_type': 'enum',
	'campaign.start_date_time': 'string',
	'campaign_budget.resource_name': 'string',
	'campaign_budget.id': 'int64',
	'campaign_budget.amount_micros': 'int64',
	'campaign_budget.total_amount_micros': 'int64',
	'campaign_budget.period': 'enum',
	'campaign_budget.explicitly_shared': 'bool',
	'campaign_budget.reference_count': 'int64',
	'customer.resource_name': 'string',
	'customer.id': 'int64',
	'customer.descriptive_name': 'string',
	'customer.currency_code': 'string',
	'customer.time_zone': 'string',
	'customer.status': 'enum',
	'segments.date': 'string',
	'change_event.resource_name': 'string',
	'change_event.change_date_time': 'string',
	'change_event.change_resource_type': 'enum',
	'change_event.change_resource_name': 'string',
	'change_event.client_type': 'enum',
	'change_event.user_email': 'string',
	'change_event.old_resource': 'message',
	'change_event.new_resource': 'message',
	'change_event.changed_fields': 'mask',
	'change_event.resource_change_operation': 'enum',
	'change_event.campaign': 'string',
	'change_event.ad_group': 'string',
	'change_event.asset': 'string',
	'metrics.cost_micros': 'int64',
	'metrics.impressions': 'int64',
	'metrics.clicks': 'int64',
	'metrics.conversions': 'double',
	'metrics.conversions_value': 'double',
	'metrics.ctr': 'double',
	'metrics.average_cpc': 'double',
};

const CHANNEL: Record<string, string> = { SEARCH: 'SEARCH', PERFORMANCE_MAX: 'PERFORMANCE_MAX', SHOPPING: 'SHOPPING' };

/** `cost_micros` → `costMicros`, `campaign_budget` → `campaignBudget`. */
export function lowerCamel(snake: string): string {
	return snake.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
}

/** Request bodies may use proto field names or lowerCamelCase (both are valid proto3 JSON): normalise keys to lowerCamelCase. */
export function camelizeKeys(value: unknown): unknown {
	if (Array.isArray(value)) return value.map(camelizeKeys);
	if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k.startsWith('@') ? k : lowerCamel(k), camelizeKeys(v)]));
	return value;
}

/** Rows inside the sandbox: proto field names, numbers as numbers, enums as names. */
type InternalRow = Record<string, Record<string, Scalar | Message>>;
/** A row as the REST API sends it. */
export type RestRow = Record<string, Record<string, string | number | boolean | Message>>;

function render(row: InternalRow): RestRow {
	const out: RestRow = {};
	for (const [res, fields] of Object.entries(row)) {
		const o: Record<string, string | number | boolean | Message> = {};
		for (const [key, value] of Object.entries(fields)) o[lowerCamel(key)] = FIELD_TYPES[`${res}.${key}`] === 'int64' ? String(Math.round(Number(value))) : value;
		out[lowerCamel(res)] = o;
	}
	return out;
}

function dateWindow(cond: Condition, today: string): [string, string] {
	if (cond.op === 'BETWEEN') return [cond.values[0]!, cond.values[1]!];
	if (cond.op === 'DURING') {
		const y = addDays(today, -1);
		const map: Record<string, [string, string]> = {
			TODAY: [today, today],
			YESTERDAY: [y, y],
			LAST_7_DAYS: [addDays(today, -7), y],
			LAST_14_DAYS: [addDays(today, -14), y],
			LAST_30_DAYS: [addDays(today, -30), y],
		};
		const w = map[cond.values[0]!];
		if (!w) throw queryError('INVALID_VALUE_WITH_DURING_OPERATOR', `Unsupported DURING ${cond.values[0]}.`);
		return w;
	}
	const v = cond.values[0]!;
	if (cond.op === '=') return [v, v];
	if (cond.op === '>=') return [v, '9999-12-31'];
	if (cond.op === '>') return [addDays(v, 1), '9999-12-31'];
	if (cond.op === '<=') return ['0000-01-01', v];
	if (cond.op === '<') return ['0000-01-01', addDays(v, -1)];
	throw queryError('BAD_OPERATOR', `Unsupported operator ${cond.op} on segments.date.`);
}

export function googleAccount(world: World, customerId: string): AdAccount {
	const account = findAccount(world, 'google', customerId);
	if (!account) throw permissionDenied(customerId);
	return account;
}

export interface GoogleAdsQueryResult {
	/** Rows in the REST shape. */
	rows: RestRow[];
	/** `fieldMask` of the response: the selected fields, lowerCamelCase paths. */
	fieldMask: string;
	/** Totals over all rows (only the selected metrics), for `returnSummaryRow`. */
	summaryRow?: RestRow;
}

/**
 * The rows a GAQL query over `campaign`, `campaign_budget` or `customer`
 * returns for one customer. Rows with metrics and `segments.date` exist only
 * for days with impressions, as in Google Ads.
 */
export function googleAdsQuery(world: World, customerId: string, query: string, nowMs = Date.now()): GoogleAdsQueryResult {
	const account = googleAccount(world, customerId);
	const q = parseGaql(query);
	if (!['campaign', 'customer', 'campaign_budget', 'change_event'].includes(q.resource)) throw queryError('BAD_RESOURCE_TYPE_IN_FROM_CLAUSE', `The sandbox serves FROM campaign, campaign_budget, customer and change_event, not ${q.resource}.`);
	for (const f of [...q.fields, ...q.conditions.map((c) => c.field)]) if (!Object.hasOwn(FIELD_TYPES, f)) throw queryError('UNRECOGNIZED_FIELD', `Unrecognized field in the query: '${f}'.`);
	if (q.resource === 'change_event') return changeEventQuery(world, account, q, nowMs);
	const hasMetrics = q.fields.some((f) => f.startsWith('metrics.'));
	const byDate = q.fields.includes('segments.date');
	const dateConds = q.conditions.filter((c) => c.field === 'segments.date');
	if (byDate && dateConds.length === 0) throw queryError('EXPECTED_FILTERS_ON_DATE_RANGE', 'Filters on segments.date are required when segments.date is selected.');
	let since = '0000-01-01';
	let until = '9999-12-31';
	for (const c of dateConds) {
		const [s, u] = dateWindow(c, world.today);
		for (const d of [s, u]) if (!isIsoDate(d) && d !== '0000-01-01' && d !== '9999-12-31') throw queryError('INVALID_DATE_FORMAT', `Invalid date '${d}'.`);
		if (s > since) since = s;
		if (u < until) until = u;
	}
	const customer = (): Record<string, Scalar> => customerResource(account);
	const pick = (row: InternalRow): InternalRow => pickFields(q, row);
	const metricRow = (days: Campaign['daily']): Record<string, number> => {
		let cost = 0;
		let impressions = 0;
		let clicks = 0;
		let conversions = 0;
		let value = 0;
		for (const d of days) {
			cost += toMinor(d.spend, account.currency);
			impressions += d.impressions;
			clicks += d.clicks;
			conversions += d.conversions;
			value += d.revenue;
		}
		const costMicros = Math.round(fromMinor(cost, account.currency) * 1_000_000);
		return {
			cost_micros: costMicros,
			impressions,
			clicks,
			conversions,
			conversions_value: Math.round(value * 100) / 100,
			ctr: impressions ? clicks / impressions : 0,
			average_cpc: clicks ? costMicros / clicks : 0,
		};
	};
	const rows: InternalRow[] = [];
	const delivered: Campaign['daily'] = [];
	if (q.resource === 'customer' && !q.fields.some((f) => f.startsWith('campaign'))) {
		rows.push(pick({ customer: customer() }));
	} else {
		const matches = (c: Campaign): boolean =>
			q.conditions.every((cond) => {
				if (cond.field === 'segments.date') return true;
				const value = cond.field === 'campaign.id' ? c.id : cond.field === 'campaign.status' ? (c.status === 'ACTIVE' ? 'ENABLED' : 'PAUSED') : cond.field === 'campaign.name' ? c.name : undefined;
				return value === undefined || compare(cond, value);
			});
		for (const c of account.campaigns.filter(matches)) {
			const base = campaignResources(account, c);
			const days = c.daily.filter((d) => d.date >= since && d.date <= until && d.impressions > 0);
			if (byDate) {
				for (const d of days) rows.push(pick({ ...base, customer: customer(), segments: { date: d.date }, metrics: metricRow([d]) }));
				delivered.push(...days);
			} else if (hasMetrics) {
				if (days.length > 0) {
					rows.push(pick({ ...base, customer: customer(), metrics: metricRow(days) }));
					delivered.push(...days);
				}
			} else rows.push(pick({ ...base, customer: customer() }));
		}
	}
	orderRows(q, rows);
	const limited = q.limit !== undefined ? rows.slice(0, q.limit) : rows;
	const fieldMask = q.fields.map((f) => f.split('.').map(lowerCamel).join('.')).join(',');
	let summaryRow: RestRow | undefined;
	if (hasMetrics) {
		const totals = metricRow(delivered);
		const metrics: Record<string, Scalar> = {};
		for (const f of q.fields) if (f.startsWith('metrics.')) metrics[f.slice(8)] = totals[f.slice(8)]!;
		summaryRow = render({ metrics });
	}
	return { rows: limited.map(render), fieldMask, ...(summaryRow ? { summaryRow } : {}) };
}

/** A WHERE condition (=, !=, IN, NOT IN) on a field's value. */
function compare(cond: Condition, value: string): boolean {
	switch (cond.op) {
		case '=':
			return value === cond.values[0];
		case '!=':
			return value !== cond.values[0];
		case 'IN':
			return cond.values.includes(value);
		case 'NOT IN':
			return !cond.values.includes(value);
		default:
			throw queryError('BAD_OPERATOR', `Unsupported operator ${cond.op} on ${cond.field}.`);
	}
}

function customerResource(account: AdAccount): Record<string, Scalar> {
	return {
		resource_name: `customers/${account.id}`,
		id: Number(account.id),
		descriptive_name: account.name,
		currency_code: account.currency,
		time_zone: account.timezone,
		status: 'ENABLED',
	};
}

/** The selected fields of a row, with the resource names of the selected resources (the API always includes them). */
function pickFields(q: ParsedGaql, row: InternalRow): InternalRow {
	const out: InternalRow = {};
	for (const f of q.fields) {
		const [res, key] = f.split('.') as [string, string];
		const src = row[res];
		if (!src || !(key in src)) continue;
		(out[res] ??= {})[key] = src[key]!;
	}
	for (const res of Object.keys(out)) if (res !== 'segments' && res !== 'metrics' && row[res]?.resource_name) out[res]!.resource_name = row[res]!.resource_name!;
	return out;
}

/** Sorts rows by the query's ORDER BY (last key first, stable). */
function orderRows(q: ParsedGaql, rows: InternalRow[]): void {
	for (const o of [...q.orderBy].reverse()) {
		const [res, key] = o.field.split('.') as [string, string];
		rows.sort((a, b) => {
			const va = a[res]?.[key] as Scalar;
			const vb = b[res]?.[key] as Scalar;
			const c = va < vb ? -1 : va > vb ? 1 : 0;
			return o.desc ? -c : c;
		});
	}
}

// ---- change_event ----------------------------------------------------------------

/** How far back `change_event` reaches (Google: "It cannot be older than 30 days"). */
export const CHANGE_EVENT_DAYS = 30;
/** The largest LIMIT a change_event query may have. */
export const CHANGE_EVENT_MAX_LIMIT = 10_000;

const changeEventError = (name: string, message: string): GoogleAdsApiError => gadsError(400, 'changeEventError', name, message);

/** Where a recorded change was made → Google's `ChangeClientType`. */
function clientType(c: RecordedChange): string {
	if (!c.manual) return 'GOOGLE_ADS_API';
	const via = c.via.toLowerCase();
	if (via.includes('editor')) return 'GOOGLE_ADS_EDITOR';
	if (via.includes('mobile')) return 'GOOGLE_ADS_MOBILE_APP';
	if (via.includes('script')) return 'GOOGLE_ADS_SCRIPTS';
	if (via.includes('bulk')) return 'GOOGLE_ADS_BULK_UPLOAD';
	if (via.includes('rule')) return 'GOOGLE_ADS_AUTOMATED_RULE';
	return 'GOOGLE_ADS_WEB_CLIENT';
}

/** An instant as change_date_time writes it: the account's wall clock, `2026-03-02 09:12:07.123000`. */
function changeDateTime(ms: number, timeZone: string): string {
	const w = wallClock(timeZone, ms);
	const pad = (n: number) => String(n).padStart(2, '0');
	return `${w.date} ${pad(w.hour === 24 ? 0 : w.hour)}:${pad(w.minute)}:${pad(w.second)}.${String(((ms % 1000) + 1000) % 1000).padStart(3, '0')}000`;
}

/**
 * `FROM change_event`: the account's recorded changes of the last 30 days,
 * one event per changed resource. Google's rules: a finite range filter on
 * `change_event.change_date_time` (a date or `yyyy-MM-dd HH:mm:ss[.ffffff]`
 * in the account's time zone), a start at most 30 days back, a LIMIT of at
 * most 10,000.
 */
function changeEventQuery(world: World, account: AdAccount, q: ParsedGaql, nowMs: number): GoogleAdsQueryResult {
	const tz = account.timezone;
	const instant = (v: string): number => {
		const iso = zonedTimeToIso(v, tz);
		if (!iso) throw queryError('INVALID_DATE_FORMAT', `Invalid date time '${v}' for change_event.change_date_time: expected yyyy-MM-dd or yyyy-MM-dd HH:mm:ss.`);
		const frac = /\.(\d{1,6})$/.exec(v.trim());
		return Date.parse(iso) + (frac ? Math.floor(Number(`0.${frac[1]}`) * 1000) : 0);
	};
	let lower = Number.NEGATIVE_INFINITY;
	let upper = Number.POSITIVE_INFINITY;
	for (const c of q.conditions.filter((x) => x.field === 'change_event.change_date_time')) {
		const v = c.values;
		if (c.op === '>=' || c.op === '>') lower = Math.max(lower, instant(v[0]!) + (c.op === '>' ? 1 : 0));
		else if (c.op === '<=' || c.op === '<') upper = Math.min(upper, instant(v[0]!) - (c.op === '<' ? 1 : 0));
		else if (c.op === '=') {
			lower = Math.max(lower, instant(v[0]!));
			upper = Math.min(upper, instant(v[0]!));
		} else if (c.op === 'BETWEEN') {
			lower = Math.max(lower, instant(v[0]!));
			upper = Math.min(upper, instant(v[1]!));
		} else if (c.op === 'DURING') {
			const [s, u] = dateWindow(c, wallClock(tz, nowMs).date);
			lower = Math.max(lower, instant(s));
			upper = Math.min(upper, instant(addDays(u, 1)) - 1);
		} else throw queryError('BAD_OPERATOR', `Unsupported operator ${c.op} on change_event.change_date_time.`);
	}
	if (!Number.isFinite(lower) || !Number.isFinite(upper)) throw changeEventError('CHANGE_DATE_RANGE_INFINITE', 'The change_event search request must specify a finite range filter on change_date_time.');
	if (lower > upper) throw changeEventError('CHANGE_DATE_RANGE_NEGATIVE', 'The change event search request has specified invalid date time filters that can never logically produce any valid results (for example, start time after end time).');
	if (wallClock(tz, lower).date < addDays(wallClock(tz, nowMs).date, -CHANGE_EVENT_DAYS)) throw changeEventError('START_DATE_TOO_OLD', `The requested start date is too old. It cannot be older than ${CHANGE_EVENT_DAYS} days.`);
	if (q.limit === undefined) throw changeEventError('LIMIT_NOT_SPECIFIED', 'The change_event search request must specify a LIMIT.');
	if (q.limit > CHANGE_EVENT_MAX_LIMIT) throw changeEventError('INVALID_LIMIT_CLAUSE', 'The LIMIT specified by change_event request should be less than or equal to 10K.');
	const log = changeLog(world);
	const rows: InternalRow[] = [];
	log.forEach((c, index) => {
		if (c.platform !== 'google_ads' || c.accountId !== account.id || c.atMs < lower || c.atMs > upper) return;
		const campaign = account.campaigns.find((x) => x.id === c.campaignId);
		if (!campaign) return;
		const resources = campaignResources(account, campaign);
		const campaignRn = `customers/${account.id}/campaigns/${campaign.id}`;
		const budget = c.kind === 'budget';
		const value = (v: number | string): Message => (budget ? { campaignBudget: { amountMicros: String(Math.round(Number(v) * 1_000_000)) } } : { campaign: { status: v === 'ACTIVE' ? 'ENABLED' : 'PAUSED' } });
		const event: Record<string, Scalar | Message> = {
			resource_name: `customers/${account.id}/changeEvents/${c.atMs * 1000}~${index}~0`,
			change_date_time: changeDateTime(c.atMs, tz),
			change_resource_type: budget ? 'CAMPAIGN_BUDGET' : 'CAMPAIGN',
			change_resource_name: budget ? String(resources.campaign_budget!.resource_name) : campaignRn,
			client_type: clientType(c),
			user_email: c.who,
			old_resource: value(c.before),
			new_resource: value(c.after),
			changed_fields: budget ? 'amountMicros' : 'status',
			resource_change_operation: 'UPDATE',
			campaign: campaignRn,
		};
		rows.push({ change_event: event, campaign: resources.campaign!, customer: customerResource(account) });
	});
	const matches = (row: InternalRow): boolean =>
		q.conditions.every((cond) => {
			if (cond.field === 'change_event.change_date_time') return true;
			const [res, key] = cond.field.split('.') as [string, string];
			const raw = row[res]?.[key];
			return raw !== undefined && typeof raw !== 'object' && compare(cond, String(raw));
		});
	const selected = rows.filter(matches);
	orderRows(q, selected);
	const fieldMask = q.fields.map((f) => f.split('.').map(lowerCamel).join('.')).join(',');
	return { rows: selected.slice(0, q.limit).map((r) => render(pickFields(q, r))), fieldMask };
}

function campaignResources(account: AdAccount, c: Campaign): InternalRow {
	const budgetRn = `customers/${account.id}/campaignBudgets/${c.budgetId}`;
	return {
		campaign: {
			resource_name: `customers/${account.id}/campaigns/${c.id}`,
			id: Number(c.id),
			name: c.name,
			status: c.status === 'ACTIVE' ? 'ENABLED' : 'PAUSED',
			campaign_budget: budgetRn,
			advertising_channel_type: CHANNEL[c.objective] ?? 'SEARCH',
			// in the account's time zone, as Google Ads reports it
			start_date_time: `${c.createdDate} 00:00:00`,
		},
		campaign_budget: { resource_name: budgetRn, id: Number(c.budgetId), amount_micros: Math.round(c.dailyBudget * 1_000_000), period: 'DAILY', explicitly_shared: false, reference_count: 1 },
	};
}

// ---- search / searchStream ---------------------------------------------------------

interface SearchBody {
	query?: unknown;
	pageToken?: unknown;
	pageSize?: unknown;
	validateOnly?: unknown;
	searchSettings?: { returnSummaryRow?: unknown; returnTotalResultsCount?: unknown; omitResults?: unknown };
	summaryRowSetting?: unknown;
}

function queryOf(body: SearchBody): string {
	if (typeof body.query !== 'string' || body.query.trim() === '') throw requestError('REQUIRED_FIELD_MISSING', 'The query is required.');
	return body.query;
}

function pageToken(customerId: string, query: string, offset: number): string {
	return Buffer.from(JSON.stringify({ c: customerId, q: fnv1a(query), o: offset })).toString('base64url');
}

function pageOffset(token: string, customerId: string, query: string): number {
	try {
		const t = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { c?: unknown; q?: unknown; o?: unknown };
		if (t.c === customerId && t.q === fnv1a(query) && typeof t.o === 'number' && Number.isInteger(t.o) && t.o > 0) return t.o;
	} catch {
		// fall through
	}
	throw requestError('INVALID_PAGE_TOKEN', 'Page token is invalid.');
}

/** `GoogleAdsService.Search`, REST body `{query, pageToken?, searchSettings?, validateOnly?}` → one page. */
export function googleAdsSearch(world: World, customerId: string, rawBody: unknown, pageSize = GOOGLE_ADS_PAGE_SIZE, nowMs = Date.now()): Record<string, unknown> {
	const body = camelizeKeys(rawBody ?? {}) as SearchBody;
	const query = queryOf(body);
	if (body.pageSize !== undefined && body.pageSize !== null && body.pageSize !== 0) throw requestError('PAGE_SIZE_NOT_SUPPORTED', "Setting the page size is not supported. Search Responses will have fixed page size of '10000' rows.");
	const settings = body.searchSettings ?? {};
	const result = googleAdsQuery(world, customerId, query, nowMs);
	if (body.validateOnly === true) {
		if (body.pageToken) throw requestError('VALIDATE_ONLY_REQUEST_HAS_PAGE_TOKEN', 'Validate only requests cannot have a page token.');
		return { fieldMask: result.fieldMask };
	}
	const offset = typeof body.pageToken === 'string' && body.pageToken !== '' ? pageOffset(body.pageToken, customerId, query) : 0;
	if (offset > result.rows.length) throw requestError('INVALID_PAGE_TOKEN', 'Page token is invalid.');
	const page = settings.omitResults === true ? [] : result.rows.slice(offset, offset + pageSize);
	const next = offset + pageSize < result.rows.length && settings.omitResults !== true ? pageToken(customerId, query, offset + pageSize) : undefined;
	if (settings.returnSummaryRow === true && !result.summaryRow) throw requestError('CANNOT_RETURN_SUMMARY_ROW_FOR_REQUEST_WITHOUT_METRICS', 'Summary row can only be returned for requests that select metrics.');
	return {
		...(page.length ? { results: page } : {}),
		...(settings.returnTotalResultsCount === true ? { totalResultsCount: String(result.rows.length) } : {}),
		fieldMask: result.fieldMask,
		...(next ? { nextPageToken: next } : {}),
		...(settings.returnSummaryRow === true && !next ? { summaryRow: result.summaryRow } : {}),
		queryResourceConsumption: String(10 + result.rows.length),
	};
}

/** `GoogleAdsService.SearchStream`, REST body `{query, summaryRowSetting?}` → the JSON array of response batches. */
export function googleAdsSearchStream(world: World, customerId: string, rawBody: unknown, batchSize = GOOGLE_ADS_PAGE_SIZE, nowMs = Date.now()): Array<Record<string, unknown>> {
	const body = camelizeKeys(rawBody ?? {}) as SearchBody;
	const query = queryOf(body);
	const setting = body.summaryRowSetting === undefined ? 'NO_SUMMARY_ROW' : String(body.summaryRowSetting);
	if (!['NO_SUMMARY_ROW', 'SUMMARY_ROW_WITH_RESULTS', 'SUMMARY_ROW_ONLY', '0', '1', '2', '3', '4'].includes(setting)) throw requestError('INVALID_ENUM_VALUE', `Invalid summary_row_setting ${setting}.`);
	const result = googleAdsQuery(world, customerId, query, nowMs);
	const requestId = googleRequestId();
	const withSummary = setting === 'SUMMARY_ROW_WITH_RESULTS' || setting === 'SUMMARY_ROW_ONLY' || setting === '3' || setting === '4';
	if (withSummary && !result.summaryRow) throw requestError('CANNOT_RETURN_SUMMARY_ROW_FOR_REQUEST_WITHOUT_METRICS', 'Summary row can only be returned for requests that select metrics.');
	const rows = setting === 'SUMMARY_ROW_ONLY' || setting === '4' ? [] : result.rows;
	const batches: Array<Record<string, unknown>> = [];
	for (let i = 0; i < rows.length; i += batchSize) batches.push({ results: rows.slice(i, i + batchSize), fieldMask: result.fieldMask, requestId, queryResourceConsumption: String(10 + result.rows.length) });
	if (batches.length === 0) batches.push({ fieldMask: result.fieldMask, requestId, queryResourceConsumption: String(10 + result.rows.length) });
	if (withSummary) batches.push({ summaryRow: result.summaryRow, fieldMask: result.fieldMask, requestId });
	return batches;
}

// ---- mutations -----------------------------------------------------------------

export type MutableCollection = 'campaigns' | 'campaignBudgets';

/** The e-mail of the user the sandbox's OAuth refresh token stands for (change_event.user_email of API changes). */
export const GOOGLE_ADS_API_USER = 'adops-api@sandbox.example';

const STATUS_NUMBERS: Record<string, string> = { '2': 'ENABLED', '3': 'PAUSED', '4': 'REMOVED' };

interface Change {
	campaign: Campaign;
	resourceName: string;
	status?: 'ENABLED' | 'PAUSED';
	amountMicros?: number;
}

function maskPaths(mask: unknown): string[] | undefined {
	if (typeof mask === 'string') return mask.split(',').map((p) => p.trim().split('.').map(lowerCamel).join('.')).filter(Boolean);
	if (mask && typeof mask === 'object' && Array.isArray((mask as { paths?: unknown }).paths)) return ((mask as { paths: unknown[] }).paths).map((p) => String(p).split('.').map(lowerCamel).join('.'));
	return undefined;
}

/**
 * `CampaignService.MutateCampaigns` / `CampaignBudgetService.MutateCampaignBudgets`
 * in REST form: `{operations: [{update: {...}, updateMask: "status"}], validateOnly?}`.
 * All operations are validated before any is applied (the API is atomic
 * without `partialFailure`); `validateOnly` applies nothing and answers `{}`.
 */
export function applyGoogleAdsMutation(world: World, customerId: string, collection: MutableCollection, rawBody: unknown, atMs = Date.now()): Record<string, unknown> {
	const account = googleAccount(world, customerId);
	const body = camelizeKeys(rawBody ?? {}) as { operations?: unknown; validateOnly?: unknown; partialFailure?: unknown };
	if (!Array.isArray(body.operations) || body.operations.length === 0) throw requestError('OPERATION_REQUIRED', 'At least one operation is required.');
	if (body.operations.length > 10_000) throw requestError('TOO_MANY_MUTATE_OPERATIONS', 'Too many mutate operations.');
	const changes: Change[] = [];
	for (const raw of body.operations as unknown[]) {
		const op = (raw ?? {}) as { update?: Record<string, unknown>; create?: unknown; remove?: unknown; updateMask?: unknown };
		if (!op.update) throw gadsError(400, 'mutateError', 'MUTATE_NOT_ALLOWED', `The sandbox simulates update operations on ${collection}, not ${op.create ? 'create' : op.remove ? 'remove' : 'empty'} operations.`);
		const resourceName = op.update.resourceName;
		if (typeof resourceName !== 'string') throw requestError('RESOURCE_NAME_MISSING', 'Resource name is missing.');
		const paths = maskPaths(op.updateMask);
		if (!paths) throw gadsError(400, 'fieldMaskError', 'FIELD_MASK_MISSING', 'The field mask is missing.');
		const pattern = collection === 'campaigns' ? /^customers\/(\d+)\/campaigns\/(\d+)$/ : /^customers\/(\d+)\/campaignBudgets\/(\d+)$/;
		const m = pattern.exec(resourceName);
		if (!m) throw requestError('RESOURCE_NAME_MALFORMED', `Resource name '${resourceName}' is malformed.`);
		if (m[1] !== customerId) throw requestError('INVALID_CUSTOMER_ID', `Resource ${resourceName} does not belong to customer ${customerId}.`);
		const campaign = account.campaigns.find((c) => (collection === 'campaigns' ? c.id === m[2] : c.budgetId === m[2]));
		if (!campaign) throw gadsError(404, 'mutateError', 'RESOURCE_NOT_FOUND', `Resource was not found: ${resourceName}`);
		const change: Change = { campaign, resourceName };
		const allowed = collection === 'campaigns' ? 'status' : 'amountMicros';
		for (const path of paths) {
			if (path === 'resourceName') continue; // identifies the resource; the library puts it in its masks
			if (path !== allowed) throw gadsError(400, 'mutateError', 'MUTATE_NOT_ALLOWED', `The sandbox simulates updates of ${collection === 'campaigns' ? 'campaign.status' : 'campaign_budget.amount_micros'} only, not ${path}.`);
		}
		if (paths.includes('status')) {
			const value = op.update.status;
			const name = typeof value === 'number' ? STATUS_NUMBERS[String(value)] : typeof value === 'string' ? (STATUS_NUMBERS[value] ?? value) : undefined;
			if (name !== 'ENABLED' && name !== 'PAUSED') {
				if (name === 'REMOVED') throw gadsError(400, 'campaignError', 'INVALID_STATUS_CHANGE', 'The sandbox models ENABLED and PAUSED campaigns only.');
				throw requestError('INVALID_ENUM_VALUE', `Invalid value for campaign.status: ${String(value)}.`);
			}
			change.status = name;
		}
		if (paths.includes('amountMicros')) {
			const value = op.update.amountMicros;
			const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value : '';
			if (!/^-?\d+$/.test(text)) throw gadsError(400, 'fieldError', 'REQUIRED', 'campaign_budget.amount_micros must be an integer.');
			const micros = Number(text);
			const unit = account.currency === 'JPY' ? 1_000_000 : 10_000;
			if (micros <= 0) throw gadsError(400, 'rangeError', 'TOO_LOW', 'Too low.');
			if (micros % unit !== 0) throw gadsError(400, 'campaignBudgetError', 'NON_MULTIPLE_OF_MINIMUM_CURRENCY_UNIT', 'The budget amount must be a multiple of the minimum currency unit.');
			change.amountMicros = micros;
		}
		changes.push(change);
	}
	if (body.validateOnly === true) return {};
	for (const ch of changes) {
		const change = {
			...(ch.status ? { status: ch.status === 'ENABLED' ? ('ACTIVE' as const) : ('PAUSED' as const) } : {}),
			...(ch.amountMicros !== undefined ? { dailyBudget: ch.amountMicros / 1_000_000 } : {}),
		};
		// change_event lists it: the OAuth user's e-mail, client GOOGLE_ADS_API
		recordedChange(world, 'google_ads', account, ch.campaign, change, { who: GOOGLE_ADS_API_USER, via: 'Google Ads API', manual: false, atMs });
	}
	return { results: changes.map((c) => ({ resourceName: c.resourceName })) };
}

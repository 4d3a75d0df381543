/**
 * Google Ads through `google-ads-api`'s documented seams.
 *
 * The library hard-codes googleads.googleapis.com (REST for reports, gRPC for
 * mutations), so the sandbox cannot stand in by base URL. Instead:
 *
 *   const customer = client.Customer(
 *     { customer_id, refresh_token, login_customer_id },
 *     createGoogleAdsHooks({ url: sandbox.url }),
 *   );
 *   await customer.query(gaql);            // → rows from the sandbox world
 *   await customer.report({...});          // → same
 *   await customer.campaigns.update([...]) // → applied to the sandbox world
 *
 * `onQueryStart` sends the GAQL to the sandbox (`POST /googleads/query`) and
 * `cancel(rows)` makes the library return those rows; `onMutationStart` does
 * the same for mutations (`POST /googleads/mutate`). Rows are in the library's
 * parsed shape (snake_case keys, INT64 as numbers, enums as numbers). Errors
 * come back as `errors.GoogleAdsFailure`, like the library throws them,
 * including `quota_error: RESOURCE_EXHAUSTED` with `retry_delay` when a `429`
 * fault is injected on route `googleads.query` / `googleads.mutate`.
 *
 * Limits: `reportStream`/`queryStream` cannot be served (the stream hook can
 * only cancel, not supply rows): use `query`/`report`. `mutateResources` does
 * not expose its `validate_only` option to hooks; pass `validateOnly: true` to
 * `createGoogleAdsHooks` for a validate-only customer.
 *
 * The enum numbers below are google-ads-api v25's (checked against the library
 * in the contract test); the library itself is loaded only by the hooks, so
 * the server starts without its protobuf bundle.
 */
import type { Hooks } from 'google-ads-api';
import { addDays, isIsoDate, toMinor, fromMinor } from './rng';
import { applyCampaignChange, type AdAccount, type Campaign, type World } from './world';

/** Enum numbers as `google-ads-api` (API v25) parses them. */
export const GADS_ENUMS = {
	CampaignStatus: { ENABLED: 2, PAUSED: 3, REMOVED: 4 } as Record<string, number>,
	AdvertisingChannelType: { SEARCH: 2, SHOPPING: 4, PERFORMANCE_MAX: 10 } as Record<string, number>,
	QueryError: { UNEXPECTED_END_OF_QUERY: 9, UNRECOGNIZED_FIELD: 32, BAD_RESOURCE_TYPE_IN_FROM_CLAUSE: 45, EXPECTED_FILTERS_ON_DATE_RANGE: 55 },
	QuotaError: { RESOURCE_EXHAUSTED: 2 },
	InternalError: { INTERNAL_ERROR: 2 },
	MutateError: { RESOURCE_NOT_FOUND: 3 },
	RangeError: { TOO_LOW: 2 },
	AuthorizationError: { DEVELOPER_TOKEN_PROHIBITED: 4 },
	RequestError: { INVALID_CUSTOMER_ID: 16 },
	CampaignBudgetError: { NON_MULTIPLE_OF_MINIMUM_CURRENCY_UNIT: 16 },
} as const;

const enums = { CampaignStatus: GADS_ENUMS.CampaignStatus, AdvertisingChannelType: GADS_ENUMS.AdvertisingChannelType };
const errors = {
	QueryErrorEnum: { QueryError: GADS_ENUMS.QueryError },
	QuotaErrorEnum: { QuotaError: GADS_ENUMS.QuotaError },
	InternalErrorEnum: { InternalError: GADS_ENUMS.InternalError },
	MutateErrorEnum: { MutateError: GADS_ENUMS.MutateError },
	RangeErrorEnum: { RangeError: GADS_ENUMS.RangeError },
	AuthorizationErrorEnum: { AuthorizationError: GADS_ENUMS.AuthorizationError },
	RequestErrorEnum: { RequestError: GADS_ENUMS.RequestError },
	CampaignBudgetErrorEnum: { CampaignBudgetError: GADS_ENUMS.CampaignBudgetError },
};

export interface GoogleAdsFailureJson {
	errors: Array<{
		error_code: Record<string, number>;
		message: string;
		location?: unknown;
		details?: Record<string, unknown>;
	}>;
	request_id?: string;
}

export class GaqlError extends Error {
	constructor(
		readonly failure: GoogleAdsFailureJson,
		readonly httpStatus = 400,
	) {
		super(failure.errors[0]?.message ?? 'GoogleAdsFailure');
	}
}

function failure(code: Record<string, number>, message: string, details?: Record<string, unknown>): GoogleAdsFailureJson {
	return { errors: [{ error_code: code, message, ...(details ? { details } : {}) }], request_id: `sandbox-${Math.abs(hashCode(message)).toString(36)}` };
}

function hashCode(s: string): number {
	let h = 0;
	for (let i = 0; i < s.length; i++) h = (Math.imul(31, h) + s.charCodeAt(i)) | 0;
	return h;
}

const queryError = (name: keyof typeof errors.QueryErrorEnum.QueryError, message: string): GaqlError => new GaqlError(failure({ query_error: errors.QueryErrorEnum.QueryError[name] as number }, message));

export function quotaFailure(retryDelaySeconds: number): GoogleAdsFailureJson {
	return failure({ quota_error: errors.QuotaErrorEnum.QuotaError.RESOURCE_EXHAUSTED as number }, `Too many requests. Retry in ${retryDelaySeconds} seconds.`, {
		quota_error_details: { rate_scope: 2, rate_name: 'Number of operations for basic access', retry_delay: { seconds: retryDelaySeconds } },
	});
}

export function internalFailure(): GoogleAdsFailureJson {
	return failure({ internal_error: errors.InternalErrorEnum.InternalError.INTERNAL_ERROR as number }, 'An internal error has occurred.');
}

export function authFailure(): GoogleAdsFailureJson {
	return failure({ authorization_error: errors.AuthorizationErrorEnum.AuthorizationError.DEVELOPER_TOKEN_PROHIBITED as number }, 'Developer token is not allowed with the project sent in the request.');
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

const KNOWN_FIELDS = new Set([
	'campaign.id',
	'campaign.name',
	'campaign.status',
	'campaign.resource_name',
	'campaign.campaign_budget',
	'campaign.advertising_channel_type',
	'campaign_budget.id',
	'campaign_budget.amount_micros',
	'campaign_budget.resource_name',
	'customer.id',
	'customer.descriptive_name',
	'customer.currency_code',
	'customer.time_zone',
	'customer.resource_name',
	'segments.date',
	'metrics.cost_micros',
	'metrics.impressions',
	'metrics.clicks',
	'metrics.conversions',
	'metrics.conversions_value',
	'metrics.ctr',
	'metrics.average_cpc',
]);

const CHANNEL: Record<string, string> = { SEARCH: 'SEARCH', PERFORMANCE_MAX: 'PERFORMANCE_MAX', SHOPPING: 'SHOPPING' };

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
		if (!w) throw queryError('UNEXPECTED_END_OF_QUERY', `Unsupported DURING ${cond.values[0]}.`);
		return w;
	}
	const v = cond.values[0]!;
	if (cond.op === '=') return [v, v];
	if (cond.op === '>=') return [v, '9999-12-31'];
	if (cond.op === '>') return [addDays(v, 1), '9999-12-31'];
	if (cond.op === '<=') return ['0000-01-01', v];
	if (cond.op === '<') return ['0000-01-01', addDays(v, -1)];
	throw queryError('UNEXPECTED_END_OF_QUERY', `Unsupported operator ${cond.op} on segments.date.`);
}

type Row = Record<string, Record<string, unknown>>;

/**
 * The rows a GAQL query over `campaign` (or `customer`) returns for one
 * customer, in `google-ads-api`'s parsed shape. Rows with metrics and
 * `segments.date` exist only for days with impressions, as in Google Ads.
 */
export function googleAdsRows(world: World, customerId: string, query: string): Row[] {
	const account = world.accounts.find((a) => a.platform === 'google' && a.id === customerId.replace(/-/g, ''));
	if (!account) throw new GaqlError(failure({ request_error: errors.RequestErrorEnum.RequestError.INVALID_CUSTOMER_ID as number }, `Customer ${customerId} is not accessible with these credentials.`));
	const q = parseGaql(query);
	if (!['campaign', 'customer', 'campaign_budget'].includes(q.resource)) throw queryError('BAD_RESOURCE_TYPE_IN_FROM_CLAUSE', `The sandbox serves FROM campaign, campaign_budget and customer, not ${q.resource}.`);
	for (const f of [...q.fields, ...q.conditions.map((c) => c.field)]) if (!KNOWN_FIELDS.has(f)) throw queryError('UNRECOGNIZED_FIELD', `Unrecognized field in the query: '${f}'.`);
	const hasMetrics = q.fields.some((f) => f.startsWith('metrics.'));
	const byDate = q.fields.includes('segments.date');
	const dateConds = q.conditions.filter((c) => c.field === 'segments.date');
	if (byDate && dateConds.length === 0) throw new GaqlError(failure({ query_error: errors.QueryErrorEnum.QueryError.EXPECTED_FILTERS_ON_DATE_RANGE as number }, 'Filters on segments.date are required when segments.date is selected.'));
	let since = '0000-01-01';
	let until = '9999-12-31';
	for (const c of dateConds) {
		const [s, u] = dateWindow(c, world.today);
		if (!isIsoDate(s) && s !== '0000-01-01') throw queryError('UNEXPECTED_END_OF_QUERY', `Invalid date ${s}.`);
		if (s > since) since = s;
		if (u < until) until = u;
	}
	const customer = (): Record<string, unknown> => ({
		resource_name: `customers/${account.id}`,
		id: Number(account.id),
		descriptive_name: account.name,
		currency_code: account.currency,
		time_zone: account.timezone,
	});
	const pick = (row: Row): Row => {
		const out: Row = {};
		for (const f of q.fields) {
			const [res, key] = f.split('.') as [string, string];
			const src = row[res];
			if (!src || !(key in src)) continue;
			(out[res] ??= {})[key] = src[key];
		}
		// The API always includes resource names of the selected resources.
		for (const res of Object.keys(out)) if (res !== 'segments' && res !== 'metrics' && row[res]?.resource_name) out[res]!.resource_name = row[res]!.resource_name;
		return out;
	};
	if (q.resource === 'customer' && !q.fields.some((f) => f.startsWith('campaign'))) {
		return [pick({ customer: customer() })];
	}
	const matches = (c: Campaign): boolean =>
		q.conditions.every((cond) => {
			if (cond.field === 'segments.date') return true;
			const value = cond.field === 'campaign.id' ? c.id : cond.field === 'campaign.status' ? (c.status === 'ACTIVE' ? 'ENABLED' : 'PAUSED') : cond.field === 'campaign.name' ? c.name : undefined;
			if (value === undefined) return true;
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
					throw queryError('UNEXPECTED_END_OF_QUERY', `Unsupported operator ${cond.op} on ${cond.field}.`);
			}
		});
	const rows: Row[] = [];
	for (const c of account.campaigns.filter(matches)) {
		const base = campaignResources(account, c);
		const metricRow = (days: typeof c.daily): Record<string, unknown> => {
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
		const days = c.daily.filter((d) => d.date >= since && d.date <= until);
		if (byDate) {
			for (const d of days) if (d.impressions > 0) rows.push(pick({ ...base, customer: customer(), segments: { date: d.date }, metrics: metricRow([d]) }));
		} else if (hasMetrics) {
			const m = metricRow(days);
			if ((m.impressions as number) > 0) rows.push(pick({ ...base, customer: customer(), metrics: m }));
		} else rows.push(pick({ ...base, customer: customer() }));
	}
	for (const o of [...q.orderBy].reverse()) {
		const [res, key] = o.field.split('.') as [string, string];
		rows.sort((a, b) => {
			const va = a[res]?.[key] as string | number;
			const vb = b[res]?.[key] as string | number;
			const c = va < vb ? -1 : va > vb ? 1 : 0;
			return o.desc ? -c : c;
		});
	}
	return q.limit !== undefined ? rows.slice(0, q.limit) : rows;
}

function campaignResources(account: AdAccount, c: Campaign): Row {
	const budgetRn = `customers/${account.id}/campaignBudgets/${c.budgetId}`;
	return {
		campaign: {
			resource_name: `customers/${account.id}/campaigns/${c.id}`,
			id: Number(c.id),
			name: c.name,
			status: c.status === 'ACTIVE' ? enums.CampaignStatus.ENABLED : enums.CampaignStatus.PAUSED,
			campaign_budget: budgetRn,
			advertising_channel_type: enums.AdvertisingChannelType[CHANNEL[c.objective] ?? 'SEARCH'],
		},
		campaign_budget: { resource_name: budgetRn, id: Number(c.budgetId), amount_micros: Math.round(c.dailyBudget * 1_000_000) },
	};
}

// ---- mutations -----------------------------------------------------------------

interface Change {
	kind: 'campaign' | 'campaign_budget';
	resourceName: string;
	status?: number;
	amountMicros?: number;
}

function findByResource(world: World, customerId: string, change: Change): { account: AdAccount; campaign: Campaign } {
	const account = world.accounts.find((a) => a.platform === 'google' && a.id === customerId);
	const m = change.kind === 'campaign' ? /^customers\/(\d+)\/campaigns\/(\d+)$/.exec(change.resourceName) : /^customers\/(\d+)\/campaignBudgets\/(\d+)$/.exec(change.resourceName);
	const campaign = account && m && m[1] === customerId ? account.campaigns.find((c) => (change.kind === 'campaign' ? c.id === m[2] : c.budgetId === m[2])) : undefined;
	if (!account || !campaign) throw new GaqlError(failure({ mutate_error: errors.MutateErrorEnum.MutateError.RESOURCE_NOT_FOUND as number }, `Resource was not found: ${change.resourceName}`));
	return { account, campaign };
}

/** Validates and (unless validateOnly) applies campaign status / budget updates. */
export function applyGoogleAdsMutation(world: World, customerId: string, method: string, payload: { request?: Record<string, unknown>; mutations?: unknown[] }, validateOnly: boolean): Record<string, unknown> {
	const changes: Change[] = [];
	const fromUpdate = (kind: Change['kind'], r: Record<string, unknown>): void => {
		if (typeof r.resource_name !== 'string') throw new GaqlError(failure({ field_error: 2 }, 'resource_name is required for update.'));
		changes.push({
			kind,
			resourceName: r.resource_name,
			...(r.status !== undefined ? { status: typeof r.status === 'string' ? enums.CampaignStatus[r.status] : Number(r.status) } : {}),
			...(r.amount_micros !== undefined ? { amountMicros: Number(r.amount_micros) } : {}),
		});
	};
	if (method === 'GoogleAdsService.mutate') {
		for (const op of (payload.mutations ?? []) as Array<{ entity?: string; operation?: string; resource?: Record<string, unknown> }>) {
			if ((op.entity !== 'campaign' && op.entity !== 'campaign_budget') || op.operation !== 'update' || !op.resource) throw new GaqlError(failure({ mutate_error: errors.MutateErrorEnum.MutateError.RESOURCE_NOT_FOUND as number }, `The sandbox supports update operations on campaign and campaign_budget, got ${op.entity}.${op.operation}.`));
			fromUpdate(op.entity, op.resource);
		}
	} else if (method === 'CampaignService.mutateCampaigns' || method === 'CampaignBudgetService.mutateCampaignBudgets') {
		const kind = method.startsWith('CampaignService') ? 'campaign' : 'campaign_budget';
		for (const op of ((payload.request?.operations ?? []) as Array<{ operation?: string; update?: Record<string, unknown> }>)) {
			if (op.operation !== 'update' || !op.update) throw new GaqlError(failure({ mutate_error: errors.MutateErrorEnum.MutateError.RESOURCE_NOT_FOUND as number }, `The sandbox supports update operations only, got ${op.operation}.`));
			fromUpdate(kind, op.update);
		}
	} else throw new GaqlError(failure({ request_error: 3 }, `The sandbox does not simulate ${method}.`));
	const resolved = changes.map((ch) => {
		const target = findByResource(world, customerId, ch);
		if (ch.status !== undefined && ch.status !== enums.CampaignStatus.ENABLED && ch.status !== enums.CampaignStatus.PAUSED) throw new GaqlError(failure({ campaign_error: 3 }, 'The sandbox models ENABLED and PAUSED campaigns only.'));
		if (ch.amountMicros !== undefined) {
			const unit = target.account.currency === 'JPY' ? 1_000_000 : 10_000;
			if (ch.amountMicros <= 0) throw new GaqlError(failure({ range_error: errors.RangeErrorEnum.RangeError.TOO_LOW as number }, 'Budget amount is too low.'));
			if (ch.amountMicros % unit !== 0) throw new GaqlError(failure({ campaign_budget_error: errors.CampaignBudgetErrorEnum.CampaignBudgetError.NON_MULTIPLE_OF_MINIMUM_CURRENCY_UNIT as number }, 'Budget amount must be a multiple of the minimum currency unit.'));
		}
		return { ...target, ch };
	});
	if (validateOnly) return method === 'GoogleAdsService.mutate' ? { mutate_operation_responses: [], partial_failure_error: null } : { results: [], partial_failure_error: null };
	for (const { campaign, ch } of resolved) {
		applyCampaignChange(world, campaign, {
			...(ch.status !== undefined ? { status: ch.status === enums.CampaignStatus.ENABLED ? 'ACTIVE' : 'PAUSED' } : {}),
			...(ch.amountMicros !== undefined ? { dailyBudget: ch.amountMicros / 1_000_000 } : {}),
		});
	}
	if (method === 'GoogleAdsService.mutate') {
		return { mutate_operation_responses: changes.map((c) => ({ [`${c.kind}_result`]: { resource_name: c.resourceName } })), partial_failure_error: null };
	}
	return { results: changes.map((c) => ({ resource_name: c.resourceName })), partial_failure_error: null };
}

// ---- hooks -------------------------------------------------------------------

export interface GoogleAdsHooksOptions {
	/** The sandbox's root URL (`sandbox.url`). */
	url: string;
	/** Sent as `developer-token`; defaults to the sandbox's accepted token. */
	developerToken?: string;
	/** Run every mutation as validate-only. */
	validateOnly?: boolean;
}

async function call(options: GoogleAdsHooksOptions, path: string, body: unknown): Promise<unknown> {
	const res = await fetch(`${options.url.replace(/\/$/, '')}/googleads/${path}`, {
		method: 'POST',
		headers: { 'content-type': 'application/json', 'developer-token': options.developerToken ?? 'sandbox-google-ads-developer-token' },
		body: JSON.stringify(body),
	});
	const text = await res.text();
	let data: { rows?: unknown; response?: unknown; failure?: GoogleAdsFailureJson };
	try {
		data = JSON.parse(text);
	} catch {
		throw new Error(`Google Ads sandbox returned an unparseable body (HTTP ${res.status}): ${text.slice(0, 120)}`);
	}
	if (data.failure) {
		const lib = await import('google-ads-api');
		throw new lib.errors.GoogleAdsFailure(data.failure as never);
	}
	if (!res.ok) throw new Error(`Google Ads sandbox HTTP ${res.status}`);
	return path === 'query' ? data.rows : data.response;
}

/** Hooks that route `query`/`report` and mutations of a real `Customer` to the sandbox. */
export function createGoogleAdsHooks(options: GoogleAdsHooksOptions): Hooks {
	return {
		onQueryStart: async ({ credentials, query, cancel }) => {
			const rows = await call(options, 'query', { customer_id: credentials.customer_id, login_customer_id: credentials.login_customer_id, query });
			cancel(rows);
		},
		onMutationStart: async (args) => {
			const body: Record<string, unknown> = { customer_id: args.credentials.customer_id, method: args.method, validate_only: !!options.validateOnly };
			if (args.isServiceCall) {
				body.request = args.mutation;
				if ((args.mutation as { validate_only?: boolean })?.validate_only) body.validate_only = true;
			} else body.mutations = args.mutations;
			const response = await call(options, 'mutate', body);
			args.cancel(response);
		},
		onStreamStart: async () => {
			throw new Error('The Google Ads sandbox serves query() and report(); reportStream/queryStream cannot be simulated through hooks.');
		},
	};
}

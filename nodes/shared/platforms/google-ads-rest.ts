/**
 * `google-ads-api` against a configurable API base URL and OAuth token URL.
 *
 * The library hard-codes https://googleads.googleapis.com (REST for reports,
 * gRPC for mutations) and asks Google's OAuth endpoint for access tokens
 * itself. When the Google Ads credential names other endpoints (a proxy, a
 * regional gateway, a test double), the adapter keeps the library's `Customer`
 * as its API surface and routes its calls through the library's documented
 * hooks:
 *
 * - `onQueryStart` (`query`, `report`) makes the REST request the library
 *   would make — same path below the base URL, same headers
 *   (`Authorization`, `developer-token`, `login-customer-id`,
 *   `linked-customer-id`), same JSON body, `googleAds:searchStream` unless
 *   report options ask for pages or a summary, then `googleAds:search` page
 *   by page — parses the answer with the library's own REST parser (the
 *   `Customer`'s `decamelizeKeysIfNeeded`) exactly as its `search` /
 *   `useStreamToImitateRegularSearch` do, and returns the rows through
 *   `cancel(rows)`. Errors become the same `GoogleAdsFailure` the library
 *   throws, except that `quota_error_details.retry_delay` is kept: the
 *   library's REST parser drops it (it reads the JSON duration `"30s"` as an
 *   enum name), and the retry delay is what a quota stop must report.
 * - `onMutationStart` sends per-service mutations (`customer.campaigns.update`,
 *   `campaignBudgets.update`, …) as REST `…/{collection}:mutate` with the
 *   request the library would send over gRPC (validate_only included), and
 *   returns the response message the gRPC call would have returned.
 *   `mutateResources` is refused: its options (validate_only) are not visible
 *   to hooks, and a validate-only request must never run for real.
 * - Streams (`queryStream`/`reportStream`) and other gRPC services are refused
 *   with an explanation instead of silently going to googleads.googleapis.com.
 *
 * Access tokens come from a standard OAuth 2.0 refresh-token grant at the
 * token URL and are cached (per token URL, client and refresh token) until
 * shortly before they expire; a 401 with a cached token refreshes once. In
 * n8n the node first hands over the token n8n stores with the credential
 * (`useGoogleAccessToken`, after n8n's OAuth2 helper renewed it if it had
 * expired), so a run exchanges nothing while that token is valid.
 */
import axios, { type AxiosResponse } from 'axios';
import { errors, googleAdsVersion, services, type Customer, type Hooks } from 'google-ads-api';

export const GOOGLE_ADS_API_BASE_URL = 'https://googleads.googleapis.com';
export const GOOGLE_OAUTH_TOKEN_URL = 'https://oauth2.googleapis.com/token';
/** The Google Ads API version `google-ads-api` is built for (`v25`). */
export const GOOGLE_ADS_LIBRARY_API_VERSION: string = googleAdsVersion;

/** Refresh this long before the token's stated expiry. */
const EXPIRY_SKEW_MS = 60_000;

export function normalizeBaseUrl(url: string): string {
	return url.trim().replace(/\/+$/, '');
}

/** The token endpoint refused or failed the refresh-token grant. */
export class GoogleOAuthError extends Error {
	override readonly name = 'GoogleOAuthError';
	constructor(
		message: string,
		/** HTTP status of the token endpoint; undefined for transport failures. */
		readonly httpStatus?: number,
		/** OAuth error code (`invalid_grant`, `invalid_client`, …). */
		readonly oauthError?: string,
		/** Transport error code (`ECONNREFUSED`, `ETIMEDOUT`, …). */
		readonly code?: string,
	) {
		super(message);
	}
}

/** A Google Ads REST response that is not Google's error JSON (a proxy's HTML page, a cut-off body). */
export class GoogleAdsHttpError extends Error {
	override readonly name = 'GoogleAdsHttpError';
	constructor(
		message: string,
		readonly httpStatus: number,
	) {
		super(message);
	}
}

export interface OAuthTokenSourceOptions {
	tokenUrl: string;
	clientId: string;
	clientSecret: string;
	refreshToken: string;
	timeoutMs?: number;
	now?: () => number;
}

interface CachedToken {
	token: string;
	expiresAt: number;
}

const tokenCache = new Map<string, CachedToken>();
const inflight = new Map<string, Promise<CachedToken>>();

/** Forget every cached access token (tests; a credential was reconnected). */
export function clearGoogleAccessTokenCache(): void {
	tokenCache.clear();
	inflight.clear();
}

/** OAuth 2.0 refresh-token grant (RFC 6749 §6) with a process-wide cache. */
/** The cache key of a refresh token's access tokens: token URL, client and refresh token. */
function tokenKey(options: Pick<OAuthTokenSourceOptions, 'tokenUrl' | 'clientId' | 'refreshToken'>): string {
	return `${normalizeBaseUrl(options.tokenUrl)}\u0000${options.clientId}\u0000${options.refreshToken}`;
}

/**
 * The cheapest call a Google Ads access token must pass (`GET /<version>/customers:listAccessibleCustomers`:
 * no customer, no login customer), without the token: what the nodes send through n8n's OAuth2 helper, so
 * that n8n renews an expired token and stores it with the credential before the adapter runs
 * (nodes/common/platforms.ts), as for LinkedIn.
 */
export function googleAdsTokenCheck(config: { apiBaseUrl?: string; apiVersion?: string; developerToken: string }): { method: 'GET'; url: string; headers: Record<string, string> } {
	return {
		method: 'GET',
		url: `${normalizeBaseUrl(config.apiBaseUrl || GOOGLE_ADS_API_BASE_URL)}/${config.apiVersion || GOOGLE_ADS_LIBRARY_API_VERSION}/customers:listAccessibleCustomers`,
		headers: { 'developer-token': config.developerToken },
	};
}

/**
 * Hands the REST transport the access token n8n holds for this refresh token (the credential's stored token,
 * which Google has just accepted or n8n has just renewed): the adapters of this refresh token use it instead of
 * exchanging the refresh token themselves, until `expiresAt` or until Google refuses it (then one exchange
 * of their own, as without it).
 */
export function useGoogleAccessToken(source: Pick<OAuthTokenSourceOptions, 'tokenUrl' | 'clientId' | 'refreshToken'>, token: string, expiresAt: number): void {
	tokenCache.set(tokenKey(source), { token, expiresAt });
}

export class OAuthTokenSource {
	private readonly key: string;
	private readonly now: () => number;

	constructor(private readonly options: OAuthTokenSourceOptions) {
		this.key = tokenKey(options);
		this.now = options.now ?? Date.now;
	}

	/** A valid access token and whether it came from the cache. */
	async get(signal?: AbortSignal): Promise<{ token: string; cached: boolean }> {
		const hit = tokenCache.get(this.key);
		if (hit && hit.expiresAt - EXPIRY_SKEW_MS > this.now()) return { token: hit.token, cached: true };
		let pending = inflight.get(this.key);
		if (!pending) {
			pending = this.fetch(signal).finally(() => inflight.delete(this.key));
			inflight.set(this.key, pending);
		}
		const fresh = await pending;
		return { token: fresh.token, cached: false };
	}

	/** Drop `token` from the cache (the API said it is no longer valid). */
	invalidate(token: string): void {
		if (tokenCache.get(this.key)?.token === token) tokenCache.delete(this.key);
	}

	private async fetch(signal?: AbortSignal): Promise<CachedToken> {
		const { tokenUrl, clientId, clientSecret, refreshToken, timeoutMs } = this.options;
		const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken, client_id: clientId, client_secret: clientSecret });
		let response: AxiosResponse<string>;
		try {
			response = await axios.post<string>(tokenUrl, form.toString(), {
				headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
				responseType: 'text',
				transformResponse: (x: unknown) => x,
				validateStatus: () => true,
				timeout: timeoutMs ?? 30_000,
				...(signal ? { signal } : {}),
			});
		} catch (error) {
			const e = error as { code?: string; message?: string };
			throw new GoogleOAuthError(`the OAuth token endpoint could not be reached: ${e.message ?? String(error)}`, undefined, undefined, e.code);
		}
		let body: { access_token?: unknown; expires_in?: unknown; error?: unknown; error_description?: unknown } = {};
		try {
			body = JSON.parse(response.data) as typeof body;
		} catch {
			// not JSON: reported below with the status
		}
		if (response.status !== 200 || typeof body.access_token !== 'string' || body.access_token === '') {
			const code = typeof body.error === 'string' ? body.error : undefined;
			const description = typeof body.error_description === 'string' ? body.error_description : undefined;
			const what = code ? `${code}${description ? ` (${description})` : ''}` : `HTTP ${response.status}${response.status === 200 ? ' without an access_token' : ''}`;
			throw new GoogleOAuthError(`the OAuth token endpoint refused the refresh token: ${what}`, response.status, code);
		}
		const expiresIn = Number(body.expires_in);
		const cached: CachedToken = { token: body.access_token, expiresAt: this.now() + (Number.isFinite(expiresIn) && expiresIn > 0 ? expiresIn : 3600) * 1000 };
		tokenCache.set(this.key, cached);
		return cached;
	}
}

/** The library's REST row parser, taken from the `Customer` it belongs to (honours `disable_parsing`). */
export type RestParser = (input: unknown) => unknown;

export function libraryRestParser(customer: Customer): RestParser {
	const fn = (customer as unknown as { decamelizeKeysIfNeeded?: unknown }).decamelizeKeysIfNeeded;
	if (typeof fn !== 'function') throw new Error('google-ads-api no longer exposes its REST parser (Customer.decamelizeKeysIfNeeded): the custom apiBaseUrl path needs updating for this library version');
	return (input) => (fn as (x: unknown) => unknown).call(customer, input);
}

/** `"1.5s"` (JSON Duration) → `{seconds, nanos}` (the protobuf Duration the gRPC path yields). */
export function jsonDurationToProto(value: unknown): { seconds: number; nanos: number } | undefined {
	if (typeof value !== 'string') return undefined;
	const m = /^(-?\d+)(?:\.(\d{1,9}))?s$/.exec(value.trim());
	if (!m) return undefined;
	return { seconds: Number(m[1]), nanos: m[2] ? Number(m[2].padEnd(9, '0')) : 0 };
}

interface RestFailureDetail {
	errors?: Array<{ details?: { quotaErrorDetails?: { retryDelay?: unknown } } }>;
}

/**
 * `error.details[0]` of a Google Ads REST error → the `GoogleAdsFailure` the
 * library throws (`new GoogleAdsFailure(decamelizeKeys(detail))`), with the
 * retry delay the library's parser loses put back as a Duration.
 */
export function googleAdsFailureFromRest(detail: unknown, parse: RestParser): errors.GoogleAdsFailure {
	const parsed = parse(detail) as { errors?: Array<{ details?: { quota_error_details?: Record<string, unknown> } }> };
	const raw = (detail ?? {}) as RestFailureDetail;
	(raw.errors ?? []).forEach((e, i) => {
		const delay = jsonDurationToProto(e?.details?.quotaErrorDetails?.retryDelay);
		const target = parsed.errors?.[i]?.details?.quota_error_details;
		if (delay && target && target.retry_delay === undefined) target.retry_delay = delay;
	});
	return new errors.GoogleAdsFailure(parsed as errors.IGoogleAdsFailure);
}

/** The error the library throws for a failed REST call, given the HTTP status and the raw body text. */
export function restCallError(status: number, text: string, stream: boolean, parse: RestParser): Error | errors.GoogleAdsFailure {
	let body: unknown;
	try {
		body = JSON.parse(text);
	} catch {
		return new GoogleAdsHttpError(`Google Ads answered HTTP ${status} with a body that is not JSON: ${text.slice(0, 200)}`, status);
	}
	// searchStream sends its error as the first element of a JSON array.
	const envelope = (stream && Array.isArray(body) ? body[0] : body) as { error?: { details?: unknown[]; message?: unknown } } | undefined;
	const error = envelope?.error;
	if (!error) return new GoogleAdsHttpError(`Google Ads answered HTTP ${status} without an error object`, status);
	if (error.details?.[0]) return googleAdsFailureFromRest(error.details[0], parse);
	// As the library: the status object travels as the cause (code, message, status).
	return new Error(typeof error.message === 'string' ? error.message : 'Unknown GoogleAdsFailure', { cause: error });
}

export interface GoogleAdsRestOptions {
	apiBaseUrl: string;
	apiVersion: string;
	developerToken: string;
	tokens: OAuthTokenSource;
	timeoutMs?: number;
}

export interface RestCallObserver {
	/** Called with the number of pages / stream batches each successful query read. */
	onPages?: (pages: number) => void;
	signal?: AbortSignal;
}

type CustomerCredentials = { customer_id: string; login_customer_id?: string; linked_customer_id?: string };

const lowerFirst = (s: string): string => s.charAt(0).toLowerCase() + s.slice(1);
const camel = (s: string): string => s.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
const snake = (s: string): string => s.replace(/(?<!(^|_))([A-Z])/g, '_$2').toLowerCase();

/** A proto-JSON object (proto field names) → REST JSON: lowerCamelCase keys, FieldMasks as comma-separated camelCase paths. */
export function toRestJson(value: unknown, key?: string): unknown {
	if (Array.isArray(value)) return value.map((v) => toRestJson(v));
	if (value && typeof value === 'object') {
		const paths = (value as { paths?: unknown }).paths;
		if (key !== undefined && /_mask$/.test(key) && Array.isArray(paths)) return paths.map((p) => String(p).split('.').map(camel).join('.')).join(',');
		return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [camel(k), toRestJson(v, k)]));
	}
	return value;
}

function snakeKeys(value: unknown): unknown {
	if (Array.isArray(value)) return value.map(snakeKeys);
	if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k.startsWith('@') ? k : snake(k), snakeKeys(v)]));
	return value;
}

interface ProtoType {
	fromObject(o: unknown): unknown;
	toObject(m: unknown, o: { enums: unknown; longs: unknown }): Record<string, unknown>;
}

/** REST path of a per-service mutate method: `mutateCampaignBudgets` → `campaignBudgets:mutate`. */
export function restMutatePath(method: string): string {
	const name = method.split('.').pop() ?? '';
	if (!/^mutate[A-Z]/.test(name)) throw new Error(`${method} is not a mutate method`);
	const collection = lowerFirst(name.slice('mutate'.length));
	// CustomerService.MutateCustomer is the one singular resource: POST customers/{id}:mutate
	return collection === 'customer' ? ':mutate' : `/${collection}:mutate`;
}

function protoType(name: string): ProtoType | undefined {
	const t = (services as unknown as Record<string, unknown>)[name];
	return t && typeof (t as ProtoType).fromObject === 'function' ? (t as ProtoType) : undefined;
}

/** Makes the library's REST and mutate calls against `options.apiBaseUrl`. */
export class GoogleAdsRestClient {
	/** The API base URL every call goes to. */
	readonly base: string;
	readonly tokensSeen = new Set<string>();

	constructor(private readonly options: GoogleAdsRestOptions) {
		this.base = normalizeBaseUrl(options.apiBaseUrl);
	}

	/** Hooks for one `Customer`; `parse` is that customer's REST parser. */
	hooks(getParser: () => RestParser, observer: RestCallObserver = {}): Hooks {
		return {
			onQueryStart: async ({ credentials, query, reportOptions, cancel }) => {
				// Same choice as Customer.paginatedSearch; report() request options as buildQuery picks them.
				const ro = (reportOptions ?? {}) as Record<string, unknown>;
				const requestOptions: Record<string, unknown> = {};
				for (const k of ['page_size', 'page_token', 'validate_only', 'search_settings']) if (ro[k] !== undefined) requestOptions[k] = ro[k];
				const parse = getParser();
				const rows =
					requestOptions.page_size === undefined && requestOptions.search_settings === undefined
						? await this.searchStream(credentials, query, requestOptions, parse, observer)
						: await this.paginatedSearch(credentials, query, requestOptions, parse, observer);
				cancel(rows);
			},
			onStreamStart: () => {
				throw new Error('queryStream/reportStream cannot be routed to a custom Google Ads API base URL (google-ads-api stream hooks can only cancel): use query() or report()');
			},
			onMutationStart: async (args) => {
				if (!args.isServiceCall) {
					throw new Error('mutateResources cannot be routed to a custom Google Ads API base URL: its options (validate_only) are not visible to hooks. Use the per-service methods (customer.campaigns.update, customer.campaignBudgets.update, …)');
				}
				args.cancel(await this.mutate(args.credentials, args.method, args.mutation, getParser(), observer));
			},
			onServiceStart: ({ method }) => {
				throw new Error(`${method} is a gRPC-only call of google-ads-api and cannot be routed to a custom Google Ads API base URL`);
			},
		};
	}

	private url(credentials: CustomerCredentials, suffix: string): string {
		return `${this.base}/${this.options.apiVersion}/customers/${credentials.customer_id}${suffix}`;
	}

	/** POST with the library's headers (the customer's login and linked customer ids). */
	private post(credentials: CustomerCredentials, url: string, data: unknown, signal?: AbortSignal): Promise<{ status: number; text: string }> {
		const headers: Record<string, string> = {};
		if (credentials.login_customer_id) headers['login-customer-id'] = credentials.login_customer_id;
		if (credentials.linked_customer_id) headers['linked-customer-id'] = credentials.linked_customer_id;
		return this.send({ method: 'POST', url, data, headers }, signal);
	}

	/** One request with the token and developer token, the body as text; one refresh-and-retry when a cached token is refused. */
	private async send(request: { method: 'GET' | 'POST'; url: string; data?: unknown; headers?: Record<string, string> }, signal?: AbortSignal): Promise<{ status: number; text: string }> {
		for (let attempt = 0; ; attempt++) {
			const { token, cached } = await this.options.tokens.get(signal);
			this.tokensSeen.add(token);
			const response = await axios.request<string>({
				method: request.method,
				url: request.url,
				...(request.data === undefined ? {} : { data: request.data }),
				headers: { Authorization: `Bearer ${token}`, 'developer-token': this.options.developerToken, ...request.headers },
				responseType: 'text',
				transformResponse: (x: unknown) => x,
				validateStatus: () => true,
				timeout: this.options.timeoutMs ?? 120_000,
				...(signal ? { signal } : {}),
			});
			if (response.status === 401 && cached && attempt === 0) {
				this.options.tokens.invalidate(token);
				continue;
			}
			return { status: response.status, text: typeof response.data === 'string' ? response.data : String(response.data ?? '') };
		}
	}

	/** As Customer.useStreamToImitateRegularSearch: one searchStream call, batches flattened, summary row first. */
	async searchStream(credentials: CustomerCredentials, query: string, requestOptions: Record<string, unknown>, parse: RestParser, observer: RestCallObserver = {}): Promise<unknown[]> {
		const { status, text } = await this.post(credentials, this.url(credentials, '/googleAds:searchStream'), { query, ...requestOptions }, observer.signal);
		if (status >= 400) throw restCallError(status, text, true, parse);
		let batches: unknown;
		try {
			batches = JSON.parse(text);
		} catch {
			throw new GoogleAdsHttpError(`Google Ads searchStream answered HTTP ${status} with a body that is not JSON: ${text.slice(0, 200)}`, status);
		}
		if (!Array.isArray(batches)) throw new GoogleAdsHttpError(`Google Ads searchStream answered HTTP ${status} with a body that is not a JSON array of batches`, status);
		const accumulator: unknown[] = [];
		let foundSummaryRow: unknown;
		for (const { results, summaryRow } of batches as Array<{ results?: unknown[]; summaryRow?: unknown }>) {
			if (summaryRow) foundSummaryRow = parse(summaryRow);
			accumulator.push(...(results ?? []).map((row) => parse(row)));
			if (foundSummaryRow) accumulator.unshift(foundSummaryRow);
		}
		observer.onPages?.(batches.length);
		return accumulator;
	}

	/** As Customer.paginatedSearch over Customer.search: pages until no nextPageToken, summary row first. */
	async paginatedSearch(credentials: CustomerCredentials, query: string, requestOptions: Record<string, unknown>, parse: RestParser, observer: RestCallObserver = {}): Promise<unknown[]> {
		const response: unknown[] = [];
		let summaryRow: unknown;
		let pageToken: string | undefined;
		let pages = 0;
		do {
			const { status, text } = await this.post(credentials, this.url(credentials, '/googleAds:search'), { query, ...requestOptions, ...(pageToken ? { page_token: pageToken } : {}) }, observer.signal);
			if (status >= 400) throw restCallError(status, text, false, parse);
			let page: { results?: unknown[]; summaryRow?: unknown; nextPageToken?: unknown };
			try {
				page = JSON.parse(text) as typeof page;
			} catch {
				throw new GoogleAdsHttpError(`Google Ads search answered HTTP ${status} with a body that is not JSON: ${text.slice(0, 200)}`, status);
			}
			pages += 1;
			response.push(...(page.results ?? []).map((row) => parse(row)));
			if (page.summaryRow) summaryRow = parse(page.summaryRow);
			pageToken = typeof page.nextPageToken === 'string' && page.nextPageToken !== '' ? page.nextPageToken : undefined;
		} while (pageToken);
		if (summaryRow) response.unshift(summaryRow);
		observer.onPages?.(pages);
		return response;
	}

	/** A per-service mutate (the request the library would send over gRPC) as REST `…:mutate`; returns the gRPC-shaped response. */
	async mutate(credentials: CustomerCredentials, method: string, request: unknown, parse: RestParser, observer: RestCallObserver = {}): Promise<unknown> {
		const name = method.split('.').pop() ?? '';
		const typeName = `${name.charAt(0).toUpperCase()}${name.slice(1)}`;
		const Request = protoType(`${typeName}Request`);
		const Response = protoType(`${typeName}Response`);
		if (!Request || !Response) throw new Error(`${method} has no REST mapping in google-ads-api's services`);
		const path = restMutatePath(method);
		// The wire form of the library's request: enums as names, int64 as strings, proto field names.
		const wire = Request.toObject(Request.fromObject(request), { enums: String, longs: String });
		delete wire.customer_id;
		const { status, text } = await this.post(credentials, this.url(credentials, path), toRestJson(wire), observer.signal);
		if (status >= 400) throw restCallError(status, text, false, parse);
		let body: Record<string, unknown>;
		try {
			body = JSON.parse(text) as Record<string, unknown>;
		} catch {
			throw new GoogleAdsHttpError(`Google Ads ${method} answered HTTP ${status} with a body that is not JSON: ${text.slice(0, 200)}`, status);
		}
		const { partialFailureError, ...rest } = body as { partialFailureError?: { details?: unknown[] } } & Record<string, unknown>;
		const response = Response.fromObject(snakeKeys(rest)) as Record<string, unknown>;
		// As Service.decodePartialFailureError: the failure, decoded.
		if (partialFailureError?.details?.[0]) response.partial_failure_error = googleAdsFailureFromRest(partialFailureError.details[0], parse);
		return response;
	}

	/** `GET /vN/customers:listAccessibleCustomers`: the customers the OAuth user reaches directly, as ids. */
	async listAccessibleCustomers(signal?: AbortSignal): Promise<string[]> {
		const { status, text } = await this.send({ method: 'GET', url: `${this.base}/${this.options.apiVersion}/customers:listAccessibleCustomers` }, signal);
		let body: { resourceNames?: unknown; error?: { message?: unknown } } | undefined;
		try {
			body = JSON.parse(text) as typeof body;
		} catch {
			throw new GoogleAdsHttpError(`Google Ads listAccessibleCustomers answered HTTP ${status} with a body that is not JSON: ${text.slice(0, 200)}`, status);
		}
		if (status >= 400) throw new GoogleAdsHttpError(`Google Ads listAccessibleCustomers answered HTTP ${status}: ${typeof body?.error?.message === 'string' ? body.error.message : text.slice(0, 200)}`, status);
		const names = Array.isArray(body?.resourceNames) ? body.resourceNames : [];
		return names.filter((n): n is string => typeof n === 'string').map((n) => n.replace(/^customers\//, ''));
	}
}

/** Compose the caller's hooks with the routing hooks: a caller's `cancel` in a start hook wins. */
export function composeHooks(user: Hooks | undefined, routing: Hooks): Hooks {
	if (!user) return routing;
	const out: Hooks = { ...user };
	for (const name of ['onQueryStart', 'onStreamStart', 'onMutationStart', 'onServiceStart'] as const) {
		const mine = routing[name] as ((a: { cancel: (res?: unknown) => void }) => unknown) | undefined;
		const theirs = user[name] as ((a: { cancel: (res?: unknown) => void }) => unknown) | undefined;
		if (!mine) continue;
		if (!theirs) {
			(out as Record<string, unknown>)[name] = mine;
			continue;
		}
		(out as Record<string, unknown>)[name] = async (args: { cancel: (res?: unknown) => void }) => {
			let cancelled = false;
			await theirs({
				...args,
				cancel: (res?: unknown) => {
					cancelled = true;
					args.cancel(res);
				},
			});
			if (!cancelled) await mine(args);
		};
	}
	return out;
}

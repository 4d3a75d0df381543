/**
 * Helpers shared by the adapters' campaign-control side (`CampaignControl` in
 * types.ts): platform timestamps to ISO instants, statuses in one vocabulary,
 * and the checks every `setDailyBudget` makes before it calls a platform.
 */
import type { CallStats } from '../resilience/call-policy';
import { PlatformApiError, type PlatformId } from '../resilience/errors';
import { currencyExponent } from './currency';
import { majorToScaled } from './money';
import { wallClock } from '../text/dates';
import { toCallMeta, type AccountInfo, type CampaignState, type CampaignStates } from './types';

/** Offset of `timeZone` from UTC at instant `ms` (positive east of Greenwich), in ms. */
function zoneOffsetMs(timeZone: string, ms: number): number {
	const p = wallClock(timeZone, ms);
	const wall = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
	return wall - (ms - (((ms % 1000) + 1000) % 1000));
}

/**
 * A wall-clock time in an IANA zone (`2025-03-01 08:30:00`, `2025-03-01T08:30`,
 * `2025-03-01`) → ISO-8601 UTC; null when it cannot be read or the zone is
 * unknown. A time that does not exist (skipped by a DST change) moves forward
 * with the offset before the change, as most calendars do.
 */
export function zonedTimeToIso(local: unknown, timeZone: string | null | undefined): string | null {
	if (typeof local !== 'string' || !timeZone) return null;
	const m = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?$/.exec(local.trim());
	if (!m) return null;
	const fields = [Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0)] as const;
	const wall = Date.UTC(...fields);
	if (!Number.isFinite(wall)) return null;
	// Date.UTC rolls over (month 13, day 40, hour 25): a wall clock that is not a calendar time is no time
	const d = new Date(wall);
	if ([d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds()].some((v, i) => v !== fields[i])) return null;
	try {
		const o1 = zoneOffsetMs(timeZone, wall);
		const t1 = wall - o1;
		const o2 = zoneOffsetMs(timeZone, t1);
		let t = t1;
		if (o2 !== o1) {
			const t2 = wall - o2;
			// consistent with its own offset: the right instant; neither is: a skipped time, moved forward by the gap
			t = zoneOffsetMs(timeZone, t2) === o2 ? t2 : Math.max(t1, t2);
		}
		return new Date(t).toISOString();
	} catch {
		return null;
	}
}

/**
 * A platform timestamp → ISO-8601 UTC, or null: ISO strings with `Z` or an
 * offset (Meta writes `+0000` without the colon), epoch milliseconds
 * (LinkedIn's audit stamps).
 */
export function instantToIso(value: unknown): string | null {
	if (typeof value === 'number') return Number.isFinite(value) && value > 0 ? new Date(value).toISOString() : null;
	if (typeof value !== 'string') return null;
	const text = value.trim().replace(/([+-]\d{2})(\d{2})$/, '$1:$2');
	if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(text)) return null;
	const ms = Date.parse(text);
	return Number.isFinite(ms) ? new Date(ms).toISOString() : null;
}

/** `ENABLED` → `ACTIVE`; other values upper-cased as they are (`PAUSED`, `ARCHIVED`, `REMOVED`); null/empty → `UNKNOWN`. */
export function campaignStatus(value: unknown): string {
	const s = value === null || value === undefined ? '' : String(value).trim().toUpperCase();
	if (s === '') return 'UNKNOWN';
	return s === 'ENABLED' ? 'ACTIVE' : s;
}

/** An error raised before any request: the change cannot be expressed for this account (nothing was sent). */
export function refusedChange(platform: PlatformId, accountId: string, call: string, message: string, hint: string): PlatformApiError {
	return new PlatformApiError({ platform, accountId, call, kind: 'config', retryable: false, platformMessage: message, hint });
}

/**
 * The account's info from `cache`, read with `read` on first use (currency
 * and time zone do not change between a listing and a change); a failed read
 * is forgotten, so the next call asks again.
 */
export function cachedAccountInfo(cache: Map<string, Promise<AccountInfo>>, accountId: string, read: () => Promise<AccountInfo>): Promise<AccountInfo> {
	let info = cache.get(accountId);
	if (!info) {
		info = read();
		cache.set(accountId, info);
		info.catch(() => cache.delete(accountId));
	}
	return info;
}

/** A campaign id made of digits only (it goes into a URL path or a query); throws a PlatformApiError naming where to find it otherwise. */
export function digitsCampaignId(platform: PlatformId, accountId: string, call: string, campaignId: unknown, where: string): string {
	const id = String(campaignId ?? '').trim();
	if (!/^\d+$/.test(id)) throw refusedChange(platform, accountId, call, `campaign id must be digits, got "${id}"`, `pass the campaign id shown in ${where}`);
	return id;
}

/** Checks a requested status: only `ACTIVE` (Google Ads: enabled) and `PAUSED` are ever sent. */
export function checkStatusInput(platform: PlatformId, accountId: string, call: string, status: unknown, hint: string): void {
	if (status !== 'ACTIVE' && status !== 'PAUSED') throw refusedChange(platform, accountId, call, `status must be ACTIVE or PAUSED, got ${String(status)}`, hint);
}

/**
 * Checks a daily budget before it is sent: a positive finite amount in the
 * account's currency with at most the currency's ISO 4217 digits. Throws a
 * PlatformApiError naming account and call otherwise.
 */
export function checkBudgetInput(platform: PlatformId, accountId: string, call: string, amount: number, currency: string, accountCurrency: string | null): void {
	if (typeof amount !== 'number' || !Number.isFinite(amount) || amount <= 0) {
		throw refusedChange(platform, accountId, call, `the daily budget must be a positive number, got ${String(amount)}`, 'pass the new daily budget in major units of the account currency (12.5 = 12.50)');
	}
	if (!accountCurrency) {
		throw refusedChange(platform, accountId, call, 'the account does not report its currency', 'check the account in the platform; a budget is never written without knowing its currency');
	}
	if (currency !== accountCurrency) {
		throw refusedChange(platform, accountId, call, `the budget is in ${currency}, the account budgets in ${accountCurrency}`, `plan the budget in ${accountCurrency}: a budget is never converted silently`);
	}
	const exponent = currencyExponent(accountCurrency);
	if (exponent === undefined) {
		throw refusedChange(platform, accountId, call, `unknown currency ${accountCurrency}`, 'check the account currency in the platform');
	}
	try {
		majorToScaled(amount, exponent);
	} catch {
		throw refusedChange(platform, accountId, call, `${amount} ${accountCurrency} has more than ${exponent} decimals`, `round the budget to ${exponent} decimals`);
	}
}

/** What a campaign's state takes from the platform's campaign object; the rest comes from its account. */
export type CampaignStateFields = Pick<CampaignState, 'platform' | 'campaignId' | 'name' | 'platformStatus' | 'dailyBudget' | 'budgetNote' | 'createdAt' | 'raw'> & {
	/** The status in the one vocabulary when the platform needs its own mapping (default: `campaignStatus(platformStatus)`). */
	status?: string;
};

/**
 * A campaign's state on its account: the account's currency and time zone, and
 * the budget editable when there is a daily budget and no note stands against it.
 */
export function campaignStateOf(account: Pick<AccountInfo, 'accountId' | 'currency' | 'timezone'>, c: CampaignStateFields): CampaignState {
	return {
		platform: c.platform,
		accountId: account.accountId,
		campaignId: c.campaignId,
		name: c.name,
		status: c.status ?? campaignStatus(c.platformStatus),
		platformStatus: c.platformStatus,
		dailyBudget: c.dailyBudget,
		budgetEditable: c.dailyBudget !== null && c.budgetNote === null,
		budgetNote: c.budgetNote,
		currency: account.currency,
		timezone: account.timezone,
		createdAt: c.createdAt,
		raw: c.raw,
	};
}

/** The parts of an adapter `pagedCampaignStates` uses. */
export interface PagingAdapter<C> {
	readonly http: { readonly executor: { readonly stats: CallStats } };
	describeAccount(accountId: string, signal?: AbortSignal): Promise<AccountInfo>;
	campaignState(campaign: C, account: AccountInfo): CampaignState;
}

/**
 * `listCampaignStates` of an adapter that pages through an account's
 * campaigns: the account is read fresh (and kept in `cache` for the changes
 * that follow), every campaign of every page becomes a state, and the meta
 * counts the calls made from the start.
 */
export async function pagedCampaignStates<P, C>(
	adapter: PagingAdapter<C>,
	cache: Map<string, Promise<AccountInfo>>,
	accountId: string,
	signal: AbortSignal | undefined,
	pages: () => AsyncIterable<P>,
	campaigns: (page: P) => readonly C[] | undefined,
): Promise<CampaignStates> {
	const before = { ...adapter.http.executor.stats };
	const account = await adapter.describeAccount(accountId, signal);
	cache.set(accountId, Promise.resolve(account));
	const states: CampaignState[] = [];
	let count = 0;
	for await (const page of pages()) {
		count += 1;
		for (const c of campaigns(page) ?? []) states.push(adapter.campaignState(c, account));
	}
	return { account, campaigns: states, meta: toCallMeta(before, adapter.http.executor.stats, count) };
}

/**
 * The ad accounts a credential reaches, for the account pickers of the nodes
 * ("From list"). Adapters that can ask the platform which accounts the token
 * may use implement `listAdAccounts` (Meta `me/adaccounts`, LinkedIn
 * `adAccounts?q=search`, Google Ads `customers:listAccessibleCustomers`,
 * Klaviyo the key's account). TikTok lists an app's advertisers only with the
 * app's id and secret (`oauth2/advertiser/get`), which its credential does not
 * hold: there the advertisers listed in the credential are described one by
 * one, so the list still shows names, currencies and time zones.
 */
import { accountUrl } from './account-url';
import type { AccountInfo, PlatformAdapter } from './types';

export interface AccountLister {
	listAdAccounts(signal?: AbortSignal): Promise<AccountInfo[]>;
}

export function canListAccounts(adapter: PlatformAdapter): adapter is PlatformAdapter & AccountLister {
	return typeof (adapter as Partial<AccountLister>).listAdAccounts === 'function';
}

/** Described at most this many credential-listed accounts when the platform cannot list them. */
export const MAX_DESCRIBED_ACCOUNTS = 50;

export async function listAccounts(adapter: PlatformAdapter, configuredIds: readonly string[], signal?: AbortSignal): Promise<AccountInfo[]> {
	if (canListAccounts(adapter)) return adapter.listAdAccounts(signal);
	const out: AccountInfo[] = [];
	for (const id of configuredIds.slice(0, MAX_DESCRIBED_ACCOUNTS)) out.push(await adapter.describeAccount(id, signal));
	return out;
}

export interface AccountChoice {
	name: string;
	value: string;
	url: string;
}

/** Accounts as picker entries ("Northwind US · 1029384756001 · USD"), those whose name or id contains `filter` (any case), by name. */
export function accountChoices(accounts: readonly AccountInfo[], filter = ''): AccountChoice[] {
	const needle = filter.trim().toLowerCase();
	return accounts
		.filter((a) => !needle || a.accountId.toLowerCase().includes(needle) || (a.name ?? '').toLowerCase().includes(needle))
		.map((a) => ({ name: [a.name ?? a.accountId, a.name ? a.accountId : null, a.currency].filter(Boolean).join(' · '), value: a.accountId, url: accountUrl(a.platform, a.accountId) }))
		.sort((x, y) => x.name.localeCompare(y.name, 'en'));
}

/**
 * Builds a platform adapter from plain settings (what a credential holds plus
 * per-run options), so node files, scripts and tests construct adapters the
 * same way. No n8n types here: the node layer maps credentials into these.
 *
 * API versions: a blank version in the settings is the registry's pin
 * (platforms/registry.ts), so every adapter built here sends a current
 * version even when the adapter's own default lags behind.
 */
import type { ExecutorOptions } from '../resilience/call-policy';
import { GoogleAdsAdapter, type GoogleAdsAdapterConfig } from './google-ads';
import { KlaviyoAdapter } from './klaviyo';
import { LinkedInAdsAdapter } from './linkedin';
import { MetaAdsAdapter } from './meta';
import { PLATFORM_REGISTRY } from './registry';
import { TikTokAdsAdapter } from './tiktok';
import type { PlatformAdapter } from './types';

export type PlatformSettings =
	| {
			platform: typeof PLATFORM_REGISTRY.meta.id;
			accessToken: string;
			appSecret?: string;
			apiVersion?: string;
			baseUrl?: string;
			accountIds: string[];
			purchaseActionTypes?: string[];
			leadActionTypes?: string[];
	  }
	| { platform: typeof PLATFORM_REGISTRY.linkedin.id; accessToken: string; linkedInVersion?: string; baseUrl?: string; accountIds: string[] }
	| {
			platform: typeof PLATFORM_REGISTRY.klaviyo.id;
			apiKey: string;
			revision?: string;
			baseUrl?: string;
			conversionMetricId?: string;
			conversionMetricName?: string;
	  }
	| ({ platform: typeof PLATFORM_REGISTRY.google_ads.id; accountIds: string[] } & Omit<GoogleAdsAdapterConfig, keyof ExecutorOptions>)
	| { platform: typeof PLATFORM_REGISTRY.tiktok.id; accessToken: string; apiVersion?: string; baseUrl?: string; accountIds: string[] };

/** Splits a comma/whitespace/newline separated id list, dropping blanks and duplicates. */
export function parseIdList(text: string | readonly string[] | undefined | null): string[] {
	const parts = Array.isArray(text) ? text : String(text ?? '').split(/[\s,;]+/);
	return [...new Set(parts.map((p) => String(p).trim()).filter(Boolean))];
}

function blankToUndefined(value: string | undefined): string | undefined {
	const v = value?.trim();
	return v ? v : undefined;
}

export function createPlatformAdapter(settings: PlatformSettings, options: ExecutorOptions & { timeoutMs?: number } = {}): PlatformAdapter {
	switch (settings.platform) {
		case PLATFORM_REGISTRY.meta.id:
			if (!settings.accessToken) throw new Error('The Meta access token is empty: fill in the AdOps Meta Ads credential');
			return new MetaAdsAdapter({
				...options,
				accessToken: settings.accessToken,
				appSecret: blankToUndefined(settings.appSecret),
				apiVersion: blankToUndefined(settings.apiVersion) ?? PLATFORM_REGISTRY.meta.api.version,
				baseUrl: blankToUndefined(settings.baseUrl),
				purchaseActionTypes: settings.purchaseActionTypes?.length ? settings.purchaseActionTypes : undefined,
				leadActionTypes: settings.leadActionTypes?.length ? settings.leadActionTypes : undefined,
			});
		case PLATFORM_REGISTRY.linkedin.id:
			if (!settings.accessToken) throw new Error('The LinkedIn credential has no access token: connect it (OAuth2) in n8n');
			return new LinkedInAdsAdapter({
				...options,
				accessToken: settings.accessToken,
				linkedInVersion: blankToUndefined(settings.linkedInVersion) ?? PLATFORM_REGISTRY.linkedin.api.version,
				baseUrl: blankToUndefined(settings.baseUrl),
			});
		case PLATFORM_REGISTRY.klaviyo.id:
			if (!settings.apiKey) throw new Error('The Klaviyo private API key is empty: fill in the AdOps Klaviyo credential');
			return new KlaviyoAdapter({
				...options,
				apiKey: settings.apiKey,
				revision: blankToUndefined(settings.revision) ?? PLATFORM_REGISTRY.klaviyo.api.version,
				baseUrl: blankToUndefined(settings.baseUrl),
				conversionMetricId: blankToUndefined(settings.conversionMetricId),
				conversionMetricName: blankToUndefined(settings.conversionMetricName),
			});
		case PLATFORM_REGISTRY.google_ads.id: {
			const { platform: _p, accountIds: _a, ...config } = settings;
			for (const field of ['clientId', 'clientSecret', 'developerToken', 'refreshToken'] as const) {
				if (!config[field]) throw new Error(`The Google Ads credential has no ${field}: ${field === 'refreshToken' ? 'connect it (OAuth2) in n8n' : 'fill it in'}`);
			}
			return new GoogleAdsAdapter({ ...options, ...config });
		}
		case PLATFORM_REGISTRY.tiktok.id:
			if (!settings.accessToken) throw new Error('The TikTok access token is empty: fill in the AdOps TikTok Ads credential');
			return new TikTokAdsAdapter({
				...options,
				accessToken: settings.accessToken,
				apiVersion: blankToUndefined(settings.apiVersion),
				baseUrl: blankToUndefined(settings.baseUrl),
			});
		default:
			throw new Error(`Unknown platform "${(settings as { platform: string }).platform}"`);
	}
}

/** The accounts a setting names; a credential that belongs to one account (Klaviyo's key) names none (resolved by describeAccount). */
export function settingsAccountIds(settings: PlatformSettings): string[] {
	return 'accountIds' in settings && !PLATFORM_REGISTRY[settings.platform].ingest.accountFromCredential ? settings.accountIds : [];
}


// The platform settings that point each real adapter at the sandbox, written
// once for the contract tests (optimizer run, faults, outside changes).
import { createPlatformAdapter, type PlatformSettings } from '../../nodes/shared/platforms/factory';
import type { PlatformAdapter } from '../../nodes/shared/platforms/types';
import { pinnedApiVersion, type PlatformId } from '../../nodes/shared/platforms/registry';
import type { Sandbox } from '../../scripts/sandbox';

/** What the settings need of a sandbox (a child process gets only these, as JSON). */
export type SandboxRef = Pick<Sandbox, 'urls' | 'credentials'>;

/** One platform's settings against the sandbox, no account ids configured. */
export function sandboxPlatformSettings(sb: SandboxRef, platform: PlatformId): PlatformSettings {
	const c = sb.credentials;
	switch (platform) {
		case 'meta':
			return { platform, accessToken: c.meta.accessToken, appSecret: c.meta.appSecret, apiVersion: pinnedApiVersion('meta'), baseUrl: sb.urls.meta, accountIds: [] };
		case 'linkedin':
			return { platform, accessToken: c.linkedin.accessToken, baseUrl: sb.urls.linkedin, accountIds: [] };
		case 'klaviyo':
			return { platform, apiKey: c.klaviyo.apiKey, baseUrl: sb.urls.klaviyo };
		case 'tiktok':
			return { platform, accessToken: c.tiktok.accessToken, baseUrl: sb.urls.tiktok, accountIds: [] };
		case 'google_ads':
			return {
				platform,
				clientId: c.googleAds.clientId,
				clientSecret: c.googleAds.clientSecret,
				developerToken: c.googleAds.developerToken,
				refreshToken: c.googleAds.refreshToken,
				loginCustomerId: c.googleAds.loginCustomerId,
				apiBaseUrl: sb.urls.googleAds,
				tokenUrl: sb.urls.googleOAuthToken,
				accountIds: [],
			};
	}
}

/** The real adapters of `platforms`, keyed by platform id, pointed at the sandbox. */
export function sandboxAdapters(sb: SandboxRef, platforms: readonly PlatformId[], options: Parameters<typeof createPlatformAdapter>[1]): Partial<Record<PlatformId, PlatformAdapter>> {
	return Object.fromEntries(platforms.map((p) => [p, createPlatformAdapter(sandboxPlatformSettings(sb, p), options)]));
}

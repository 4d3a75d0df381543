// n8n glue for the platform credentials: credential values → core settings,
// and the credential tests (a cheap read of each configured account).
import type { ICredentialDataDecryptedObject, ICredentialTestFunctions, ICredentialsDecrypted, IExecuteFunctions, IHttpRequestOptions, INodeCredentialTestResult } from 'n8n-workflow';
import { createPlatformAdapter, parseIdList, settingsAccountIds, type PlatformSettings } from '../shared/platforms/factory';
import type { AccountInfo, PlatformAdapter } from '../shared/platforms/types';
import { linkedInTokenCheck } from '../shared/platforms/linkedin';
import { GOOGLE_OAUTH_TOKEN_URL, googleAdsTokenCheck, useGoogleAccessToken } from '../shared/platforms/google-ads-rest';
import { optionalCredentials, type CredentialSource } from './credentials';
import { limitsFromNode } from './shared-limits';
import { PLATFORM_DEFINITIONS, PLATFORM_REGISTRY, platformsWith, type PlatformId } from '../shared/platforms/registry';

/** The platform choices of node parameters, alphabetical as n8n's lint wants; from the platform registry. */
export const PLATFORM_OPTIONS: Array<{ name: string; value: PlatformId }> = PLATFORM_DEFINITIONS.map((p) => ({ name: p.productLabel, value: p.id })).sort((a, b) => a.name.localeCompare(b.name, 'en'));

/** Platform id → the n8n credential type its nodes use (the registry's first credential). */
export const PLATFORM_CREDENTIAL = Object.fromEntries(PLATFORM_DEFINITIONS.map((p) => [p.id, p.credentials[0].name])) as Readonly<Record<PlatformId, string>>;

function str(value: unknown): string {
	return typeof value === 'string' ? value.trim() : value === undefined || value === null ? '' : String(value).trim();
}

function oauthToken(data: ICredentialDataDecryptedObject, field: 'access_token' | 'refresh_token'): string {
	const token = data.oauthTokenData as Record<string, unknown> | undefined;
	return str(token?.[field]);
}

export function platformSettings(platform: PlatformId, data: ICredentialDataDecryptedObject): PlatformSettings {
	switch (platform) {
		case PLATFORM_REGISTRY.meta.id:
			return {
				platform,
				accessToken: str(data.accessToken),
				appSecret: str(data.appSecret),
				apiVersion: str(data.apiVersion),
				baseUrl: str(data.baseUrl),
				accountIds: parseIdList(str(data.adAccountIds)),
			};
		case PLATFORM_REGISTRY.linkedin.id:
			return {
				platform,
				accessToken: oauthToken(data, 'access_token'),
				linkedInVersion: str(data.linkedInVersion),
				baseUrl: str(data.baseUrl),
				accountIds: parseIdList(str(data.adAccountIds)),
			};
		case PLATFORM_REGISTRY.klaviyo.id:
			return { platform, apiKey: str(data.apiKey), revision: str(data.revision), baseUrl: str(data.baseUrl) };
		case PLATFORM_REGISTRY.google_ads.id:
			return {
				platform,
				clientId: str(data.clientId),
				clientSecret: str(data.clientSecret),
				developerToken: str(data.developerToken),
				refreshToken: oauthToken(data, 'refresh_token'),
				loginCustomerId: str(data.loginCustomerId) || undefined,
				apiBaseUrl: str(data.apiBaseUrl) || undefined,
				tokenUrl: str(data.accessTokenUrl) || undefined,
				accountIds: parseIdList(str(data.customerIds)),
			};
		case PLATFORM_REGISTRY.tiktok.id:
			return { platform, accessToken: str(data.accessToken), apiVersion: str(data.apiVersion), baseUrl: str(data.baseUrl), accountIds: parseIdList(str(data.advertiserIds)) };
	}
}

/** A context whose `helpers` may carry n8n's authenticated request (execute and load-options contexts do). */
type AuthSource = CredentialSource & { helpers?: Partial<Pick<IExecuteFunctions['helpers'], 'httpRequestWithAuthentication'>> };

/**
 * The cheapest call an OAuth2 platform's access token must pass, without the
 * token: LinkedIn's first ad account, Google Ads' accessible customers.
 */
function oauthTokenCheck(settings: PlatformSettings): IHttpRequestOptions | undefined {
	switch (settings.platform) {
		case PLATFORM_REGISTRY.linkedin.id:
			return linkedInTokenCheck(settings);
		case PLATFORM_REGISTRY.google_ads.id:
			return googleAdsTokenCheck(settings);
		default:
			return undefined;
	}
}

/** How long a Google access token n8n stored without its expiry is taken to live (Google's last an hour; a refusal before then makes the adapter exchange once itself). */
const GOOGLE_TOKEN_ASSUMED_MS = 50 * 60_000;

/**
 * The access tokens of the OAuth2 credentials (LinkedIn: 60 days, Google Ads:
 * an hour) expire; the adapters send the stored one. When the credential holds
 * a refresh token, one cheap call (`oauthTokenCheck`) goes through n8n's own
 * OAuth2 helper first: on a 401 n8n exchanges the refresh token at the
 * credential's Access Token URL, stores the new token with the credential and
 * repeats the call; the credential is then read again, so the adapter gets the
 * fresh token, and the next run (another process too) the stored one. Google
 * Ads' adapter takes that token over (`useGoogleAccessToken`) instead of
 * exchanging the refresh token itself. A refusal of the check (or a credential
 * without a stored access token, which n8n cannot send) is left to the adapter,
 * which explains it per account (Google Ads: its own exchange, as before).
 */
async function renewedOAuthCredential(ctx: AuthSource, platform: PlatformId, data: ICredentialDataDecryptedObject): Promise<ICredentialDataDecryptedObject> {
	const credential = PLATFORM_REGISTRY[platform].credentials[0];
	const request = ctx.helpers?.httpRequestWithAuthentication;
	if (credential.kind !== 'oauth2' || !request || !oauthToken(data, 'refresh_token')) return data;
	const check = oauthTokenCheck(platformSettings(platform, data));
	if (!check) return data;
	try {
		await request.call(ctx as IExecuteFunctions, credential.name, { ...check, json: true });
	} catch {
		return data;
	}
	const renewed = await ctx.getCredentials<ICredentialDataDecryptedObject>(credential.name);
	const settings = platformSettings(platform, renewed);
	const token = oauthToken(renewed, 'access_token');
	if (settings.platform === PLATFORM_REGISTRY.google_ads.id && token) {
		const stored = Number((renewed.oauthTokenData as Record<string, unknown> | undefined)?.n8n_expires_at);
		useGoogleAccessToken({ tokenUrl: settings.tokenUrl || GOOGLE_OAUTH_TOKEN_URL, clientId: settings.clientId, refreshToken: settings.refreshToken }, token, Number.isFinite(stored) && stored > 0 ? stored : Date.now() + GOOGLE_TOKEN_ASSUMED_MS);
	}
	return renewed;
}

/** The platform credential's values, with an OAuth2 access token (LinkedIn, Google Ads) renewed through n8n when it has expired. */
export async function platformCredentials(ctx: AuthSource, platform: PlatformId, data?: ICredentialDataDecryptedObject): Promise<ICredentialDataDecryptedObject> {
	const values = data ?? (await ctx.getCredentials<ICredentialDataDecryptedObject>(PLATFORM_CREDENTIAL[platform]));
	return renewedOAuthCredential(ctx, platform, values);
}

export async function platformSettingsFromNode(ctx: AuthSource, platform: PlatformId): Promise<PlatformSettings> {
	return platformSettings(platform, await platformCredentials(ctx, platform));
}

function describe(info: AccountInfo): string {
	return `${info.name ?? info.accountId} (${info.accountId}, ${info.currency ?? '?'}, ${info.timezone ?? '?'})`;
}

/**
 * Reads every configured account (at most 5) and reports each one's name or
 * what is wrong. For the token and API-key credentials (Meta, Klaviyo, TikTok) only: n8n 2.x
 * answers an OAuth2 credential's test from its stored token and never calls a
 * node's test method for it; the OAuth connect flow is the check there, and
 * the Ingest node explains a rejected token per account at run time.
 */
async function testPlatform(platform: PlatformId, credential: ICredentialsDecrypted): Promise<INodeCredentialTestResult> {
	try {
		const settings = platformSettings(platform, credential.data ?? {});
		const adapter = createPlatformAdapter(settings, { retry: { maxRetries: 1 }, breaker: false, timeoutMs: 20_000 });
		const ids = PLATFORM_REGISTRY[platform].ingest.accountFromCredential ? [''] : settingsAccountIds(settings);
		if (ids.length === 0) return { status: 'Error', message: 'Add at least one account ID to the credential, so the test can read it.' };
		const seen: string[] = [];
		for (const id of ids.slice(0, 5)) {
			seen.push(describe(await adapter.describeAccount(id)));
		}
		const more = ids.length > 5 ? ` (and ${ids.length - 5} more not tested)` : '';
		return { status: 'OK', message: `Connected: ${seen.join('; ')}${more}` };
	} catch (error) {
		// A PlatformApiError's message names the call and ends with its hint; secrets are scrubbed.
		return { status: 'Error', message: error instanceof Error ? error.message : String(error) };
	}
}

export async function adOpsMetaAdsApiTest(this: ICredentialTestFunctions, credential: ICredentialsDecrypted): Promise<INodeCredentialTestResult> {
	return testPlatform(PLATFORM_REGISTRY.meta.id, credential);
}

export async function adOpsKlaviyoApiTest(this: ICredentialTestFunctions, credential: ICredentialsDecrypted): Promise<INodeCredentialTestResult> {
	return testPlatform(PLATFORM_REGISTRY.klaviyo.id, credential);
}

export async function adOpsTikTokAdsApiTest(this: ICredentialTestFunctions, credential: ICredentialsDecrypted): Promise<INodeCredentialTestResult> {
	return testPlatform(PLATFORM_REGISTRY.tiktok.id, credential);
}

/**
 * The credential-test methods of the token and API-key platform credentials, by method name
 * (`<credential type>Test`, as n8n looks them up in a node's `methods.credentialTest`). OAuth2
 * credentials have none: n8n checks them by their connect flow.
 */
export const PLATFORM_CREDENTIAL_TESTS = { adOpsMetaAdsApiTest, adOpsKlaviyoApiTest, adOpsTikTokAdsApiTest };

/** A platform credential slot's `testedBy`: its test method, or nothing for a credential without one (OAuth2). */
export function platformCredentialTest(credential: string): { testedBy?: string } {
	const name = `${credential}Test`;
	return name in PLATFORM_CREDENTIAL_TESTS ? { testedBy: name } : {};
}

/**
 * The platforms the optimizer can change, with their credential types: the
 * registry's platforms with the `optimizer` capability.
 */
export const CONTROLLED_CREDENTIALS = platformsWith('optimizer').map((platform) => ({
	platform,
	credential: PLATFORM_REGISTRY[platform].credentials[0].name,
	label: `AdOps ${PLATFORM_REGISTRY[platform].productLabel}`,
}));

export type ControlledPlatformId = (typeof CONTROLLED_CREDENTIALS)[number]['platform'];

/**
 * Adapters (with campaign control) for every platform whose credential is
 * selected on the node, and the account ids each credential lists. Platforms
 * without a selected credential are left out.
 */
export async function controlledAdaptersFromNode(
	ctx: AuthSource,
	options: { maxRetries?: number } = {},
): Promise<{ adapters: Partial<Record<ControlledPlatformId, PlatformAdapter>>; accounts: Partial<Record<ControlledPlatformId, string[]>> }> {
	const adapters: Partial<Record<ControlledPlatformId, PlatformAdapter>> = {};
	const accounts: Partial<Record<ControlledPlatformId, string[]>> = {};
	// the quotas and circuits the AdOps Store credential keeps (in-process, PostgreSQL or Redis)
	const limits = await limitsFromNode(ctx);
	for (const { platform, credential } of CONTROLLED_CREDENTIALS) {
		const data = await optionalCredentials(ctx, credential);
		if (!data) continue;
		const settings = platformSettings(platform, await platformCredentials(ctx, platform, data));
		adapters[platform] = createPlatformAdapter(settings, { retry: { maxRetries: options.maxRetries ?? 3 }, limits });
		accounts[platform] = settingsAccountIds(settings);
	}
	return { adapters, accounts };
}

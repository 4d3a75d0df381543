/**
 * The n8n credentials that point this package's nodes at a running sandbox,
 * with the ids the exported workflows in `workflows/` reference. Used by the
 * demo and the e2e tests; a real installation creates the same credentials in
 * the n8n editor with real tokens and the default API URLs.
 */
import type { Sandbox } from './server';
import { pinnedApiVersion } from '../../nodes/shared/platforms/registry';
import { DATABOX_SANDBOX_API_KEY } from './platforms/databox';
import { LINKEDIN_SANDBOX_OAUTH } from './platforms/linkedin';

export interface N8nCredential {
	id: string;
	name: string;
	type: string;
	data: Record<string, unknown>;
}

/** The verify token the sandbox's Meta credential carries for the moderation webhook. */
export const SANDBOX_META_VERIFY_TOKEN = 'adops-sandbox-verify-token';

/** Credential ids the exported workflows use. */
export const WORKFLOW_CREDENTIAL_IDS = {
	slack: 'adopsSlackCred01',
	store: 'adopsStoreCred01',
	meta: 'adopsMetaCred0001',
	linkedin: 'adopsLinkedInCred1',
	googleAds: 'adopsGoogleCred01',
	klaviyo: 'adopsKlaviyoCred01',
	notion: 'adopsNotionCred01',
	openai: 'adopsOpenAiCred01',
	tiktok: 'adopsTikTokCred01',
	databox: 'adopsDataboxCrd1',
	events: 'adopsEventsCred01',
} as const;

/** The secret the sandbox's AdOps Events credential signs with (HMAC-SHA256 of the body). */
export const SANDBOX_EVENTS_SECRET = 'adops-sandbox-events-secret-0001';

/** Every platform and Slack credential for the sandbox, plus the AdOps Store credential given. */
export function sandboxN8nCredentials(sandbox: Sandbox, store: Record<string, unknown>): N8nCredential[] {
	const c = sandbox.credentials;
	const urls = sandbox.urls;
	const ids = WORKFLOW_CREDENTIAL_IDS;
	const metaAccounts = sandbox.world.accounts.filter((a) => a.platform === 'meta').map((a) => `act_${a.id}`);
	const linkedinAccounts = sandbox.world.accounts.filter((a) => a.platform === 'linkedin').map((a) => a.id);
	const googleAccounts = sandbox.world.accounts.filter((a) => a.platform === 'google').map((a) => a.id.replace(/^(\d{3})(\d{3})(\d{4})$/, '$1-$2-$3'));
	return [
		{ id: ids.store, name: 'AdOps Store', type: 'adOpsStoreApi', data: store },
		{ id: ids.slack, name: 'AdOps Slack', type: 'adOpsSlackApi', data: { botToken: c.slack.botToken, signingSecret: c.slack.signingSecret, defaultChannel: '#adops-alerts', apiUrl: urls.slack } },
		// The database id, as a person copies it from the database's URL; the node resolves its data source.
		{ id: ids.notion, name: 'AdOps Notion', type: 'adOpsNotionApi', data: { token: c.notion.token, dataSourceId: sandbox.world.notion.approvalDatabaseId, baseUrl: urls.notion } },
		{
			id: ids.meta,
			name: 'AdOps Meta Ads',
			type: 'adOpsMetaAdsApi',
			data: { accessToken: c.meta.accessToken, appSecret: c.meta.appSecret, webhookVerifyToken: SANDBOX_META_VERIFY_TOKEN, adAccountIds: metaAccounts.join(', '), apiVersion: pinnedApiVersion('meta'), baseUrl: urls.meta },
		},
		{
			id: ids.linkedin,
			name: 'AdOps LinkedIn Ads',
			type: 'adOpsLinkedInAdsOAuth2Api',
			// n8n keeps the OAuth2 tokens it obtained in oauthTokenData.
			// The refresh token lets n8n's OAuth2 helper renew an expired access token at the sandbox's token endpoint.
			data: {
				clientId: LINKEDIN_SANDBOX_OAUTH.clientId,
				clientSecret: LINKEDIN_SANDBOX_OAUTH.clientSecret,
				accessTokenUrl: `${urls.linkedin}/oauth/v2/accessToken`,
				// the credential type's hidden default (client id and secret in the token request's body), as n8n fills it in
				authentication: 'body',
				oauthTokenData: { access_token: c.linkedin.accessToken, refresh_token: LINKEDIN_SANDBOX_OAUTH.refreshToken },
				adAccountIds: linkedinAccounts.join(', '),
				baseUrl: urls.linkedin,
			},
		},
		{
			id: ids.googleAds,
			name: 'AdOps Google Ads',
			type: 'adOpsGoogleAdsOAuth2Api',
			data: {
				clientId: c.googleAds.clientId,
				clientSecret: c.googleAds.clientSecret,
				oauthTokenData: { refresh_token: c.googleAds.refreshToken },
				developerToken: c.googleAds.developerToken,
				loginCustomerId: c.googleAds.loginCustomerId,
				customerIds: googleAccounts.join(', '),
				apiBaseUrl: urls.googleAds,
				accessTokenUrl: urls.googleOAuthToken,
			},
		},
		{ id: ids.openai, name: 'AdOps OpenAI', type: 'adOpsOpenAiApi', data: { apiKey: c.openai.apiKey, baseUrl: urls.openai, chatModel: 'gpt-4o-mini', embeddingModel: 'text-embedding-3-small' } },
		{ id: ids.klaviyo, name: 'AdOps Klaviyo', type: 'adOpsKlaviyoApi', data: { apiKey: c.klaviyo.apiKey, baseUrl: urls.klaviyo } },
		{
			id: ids.tiktok,
			name: 'AdOps TikTok Ads',
			type: 'adOpsTikTokAdsApi',
			data: { accessToken: c.tiktok.accessToken, advertiserIds: sandbox.world.tiktok.advertisers.map((a) => a.id).join(', '), baseUrl: urls.tiktok },
		},
		{ id: ids.databox, name: 'AdOps Databox', type: 'adOpsDataboxApi', data: { apiMode: 'datasets', apiKey: DATABOX_SANDBOX_API_KEY, baseUrl: urls.databox } },
		{ id: ids.events, name: 'AdOps Events', type: 'adOpsEventsApi', data: { authMode: 'hmac', secret: SANDBOX_EVENTS_SECRET } },
	];
}

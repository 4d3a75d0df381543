/** Public surface of the sandbox for tests, the demo and later capabilities. */
export { startSandbox, isLoopback, type Sandbox, type SandboxOptions, type SandboxUrls } from './server';
export { registerResponder, globalResponders, embed, cosine, moderate, type Responder, type ResponderInput } from './openai-model';
export { googleAdsQuery, googleAdsSearch, googleAdsSearchStream, applyGoogleAdsMutation, parseGaql, quotaError, GOOGLE_ADS_PAGE_SIZE, type RestRow } from './google-ads';
export { checkGoogleAccessToken, issueGoogleAccessToken } from './platforms/googleoauth';
export {
	SANDBOX_CREDENTIALS,
	HISTORY_DAYS,
	accountTotals,
	findAccount,
	findCampaign,
	budgetOn,
	statusOn,
	type World,
	type AdAccount,
	type Campaign,
	type DailyMetrics,
	type KlaviyoAccount,
	type MetaComment,
	type NotionPage,
	type SlackMessage,
} from './world';
export type { FaultSpec, FaultKind, RequestLogEntry, SlackResponse, EffectReceipt } from './core';
export { slackResponseUrl, RESPONSE_URL_MAX_USES } from './platforms/slack';
export { MAX_EFFECT_HOLD_MS } from './platforms/effects';
export { sandboxN8nCredentials, WORKFLOW_CREDENTIAL_IDS, type N8nCredential } from './n8n-credentials';
export { metaCommentDelivery, metaJson, type SandboxDelivery } from './meta-webhook';

/**
 * Public surface of the sandbox for tests and the demo. Internals (the Google
 * Ads query engine, responders, world builders) are imported from their own
 * modules where a test needs them.
 */
export { startSandbox, isLoopback, type Sandbox } from './server';
export { cosine } from './openai-model';
export { accountTotals, findAccount, type AdAccount, type Campaign } from './world';
export type { SlackResponse, EffectReceipt } from './core';
export { slackResponseUrl, RESPONSE_URL_MAX_USES } from './platforms/slack';
export { sandboxN8nCredentials, type N8nCredential } from './n8n-credentials';
export { metaCommentDelivery } from './meta-webhook';

// n8n glue for Meta comments: the AdOps Meta Ads credential → the comments client.
import type { ICredentialDataDecryptedObject } from 'n8n-workflow';
import type { PlatformSettings } from '../shared/platforms/factory';
import { MetaCommentsClient } from '../shared/platforms/meta-comments';
import { platformSettings } from './platforms';

export interface MetaCommentSettings {
	client: MetaCommentsClient;
	accountIds: string[];
	appSecret: string;
	verifyToken: string;
}

export function metaCommentSettings(data: ICredentialDataDecryptedObject): MetaCommentSettings {
	// The same reading of the credential as AdOps Ingest's.
	const meta = platformSettings('meta', data) as Extract<PlatformSettings, { platform: 'meta' }>;
	return {
		client: new MetaCommentsClient({ accessToken: meta.accessToken, appSecret: meta.appSecret || undefined, apiVersion: meta.apiVersion || undefined, baseUrl: meta.baseUrl || undefined }),
		accountIds: meta.accountIds,
		appSecret: meta.appSecret ?? '',
		verifyToken: String(data.webhookVerifyToken ?? '').trim(),
	};
}

// n8n glue for Meta comments: the AdOps Meta Ads credential → the comments client.
import type { ICredentialDataDecryptedObject } from 'n8n-workflow';
import { MetaCommentsClient } from '../shared/platforms/meta-comments';
import { parseIdList } from '../shared/platforms/factory';

export interface MetaCommentSettings {
	client: MetaCommentsClient;
	accountIds: string[];
	appSecret: string;
	verifyToken: string;
}

export function metaCommentSettings(data: ICredentialDataDecryptedObject): MetaCommentSettings {
	const str = (v: unknown) => String(v ?? '').trim();
	return {
		client: new MetaCommentsClient({ accessToken: str(data.accessToken), appSecret: str(data.appSecret) || undefined, apiVersion: str(data.apiVersion) || undefined, baseUrl: str(data.baseUrl) || undefined }),
		accountIds: parseIdList(str(data.adAccountIds)),
		appSecret: str(data.appSecret),
		verifyToken: str(data.webhookVerifyToken),
	};
}

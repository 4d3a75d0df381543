// n8n glue for Meta comments: the AdOps Meta Ads credential → the comments client.
import type { ICredentialDataDecryptedObject } from 'n8n-workflow';
import type { PlatformSettings } from '../shared/platforms/factory';
import { accountTimeZones } from '../shared/platforms/meta-timezones';
import type { Store } from '../shared/store';
import { MetaCommentsClient } from '../shared/platforms/meta-comments';
import { COMMENT_PLATFORM, type CommentPlatform } from '../shared/moderation/platform';
import { platformSettings } from './platforms';

/** The AdOps Meta Ads credential as platform settings (the comment platform is Meta). */
type MetaSettings = Extract<PlatformSettings, { platform: CommentPlatform }>;

export interface MetaCommentSettings {
	client: MetaCommentsClient;
	accountIds: string[];
	appSecret: string;
	verifyToken: string;
}

export function metaCommentSettings(data: ICredentialDataDecryptedObject): MetaCommentSettings {
	// The same reading of the credential as AdOps Ingest's.
	const meta = platformSettings(COMMENT_PLATFORM, data) as MetaSettings;
	return {
		client: new MetaCommentsClient({ accessToken: meta.accessToken, appSecret: meta.appSecret || undefined, apiVersion: meta.apiVersion || undefined, baseUrl: meta.baseUrl || undefined }),
		accountIds: meta.accountIds,
		appSecret: meta.appSecret ?? '',
		verifyToken: String(data.webhookVerifyToken ?? '').trim(),
	};
}

/** Each ad account's time zone for the comment signal (nodes/shared/platforms/meta-timezones.ts), from the credential. */
export function metaAccountTimeZones(data: ICredentialDataDecryptedObject, store: Store, now = new Date()): Promise<{ zones: Record<string, string>; warnings: string[] }> {
	return accountTimeZones(platformSettings(COMMENT_PLATFORM, data) as MetaSettings, store, now);
}

// The real platform adapters against the sandbox: every row they return equals
// the sandbox's ground truth, for every platform, through the same factory
// the n8n node uses. Catches drift between the adapters and the simulated APIs.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { startSandbox, type Sandbox } from '../../scripts/sandbox';
import { addDays } from '../../scripts/sandbox/rng';
import { createPlatformAdapter, type PlatformSettings } from '../../nodes/shared/platforms/factory';
import type { DailyMetricRow } from '../../nodes/shared/platforms/types';

const TODAY = '2026-03-02';
const SINCE = addDays(TODAY, -10);
const UNTIL = addDays(TODAY, -1);

describe('platform adapters against the sandbox', () => {
	let sandbox: Sandbox;
	before(async () => {
		sandbox = await startSandbox({ seed: 5, today: TODAY });
	});
	after(() => sandbox?.close());

	function settings(platform: PlatformSettings['platform']): PlatformSettings {
		const c = sandbox.credentials;
		const urls = sandbox.urls as unknown as Record<string, string>;
		switch (platform) {
			case 'meta':
				return { platform, accessToken: c.meta.accessToken, appSecret: c.meta.appSecret, apiVersion: 'v21.0', baseUrl: urls.meta, accountIds: [] };
			case 'linkedin':
				return { platform, accessToken: c.linkedin.accessToken, baseUrl: urls.linkedin, accountIds: [] };
			case 'klaviyo':
				return { platform, apiKey: c.klaviyo.apiKey, baseUrl: urls.klaviyo };
			case 'google_ads':
				return {
					platform,
					clientId: c.googleAds.clientId,
					clientSecret: c.googleAds.clientSecret,
					developerToken: c.googleAds.developerToken,
					refreshToken: c.googleAds.refreshToken,
					loginCustomerId: c.googleAds.loginCustomerId,
					apiBaseUrl: urls.googleAds,
					tokenUrl: urls.googleOAuthToken,
					accountIds: [],
				};
		}
	}

	function key(r: { campaignId: string; date: string }): string {
		return `${r.campaignId}|${r.date}`;
	}

	for (const platform of ['meta', 'linkedin', 'google_ads'] as const) {
		test(`${platform}: every day with delivery, to the cent, in the account currency`, async () => {
			const adapter = createPlatformAdapter(settings(platform), { retry: { maxRetries: 0 } });
			const worldPlatform = platform === 'google_ads' ? 'google' : platform;
			const accounts = sandbox.world.accounts.filter((a) => a.platform === worldPlatform);
			assert.ok(accounts.length >= 2);
			for (const account of accounts) {
				const { rows } = await adapter.fetchDailyMetrics({ accountId: account.id, since: SINCE, until: UNTIL });
				const got = new Map(rows.map((r: DailyMetricRow) => [key(r), r]));
				let expected = 0;
				for (const campaign of account.campaigns) {
					for (const d of campaign.daily.filter((x) => x.date >= SINCE && x.date <= UNTIL && x.impressions > 0)) {
						expected++;
						const row = got.get(key({ campaignId: campaign.id, date: d.date }));
						assert.ok(row, `${platform} ${account.id} ${campaign.id} ${d.date} is returned`);
						assert.equal(row.currency, account.currency);
						assert.equal(row.spend, d.spend, `spend ${campaign.id} ${d.date}`);
						assert.equal(row.impressions, d.impressions);
						assert.equal(row.clicks, d.clicks);
						assert.equal(row.conversions, d.conversions);
						if (platform !== 'linkedin' || d.revenue > 0) assert.equal(row.revenue, d.revenue, `revenue ${campaign.id} ${d.date}`);
					}
				}
				assert.equal(rows.length, expected, `${account.id}: no extra rows`);
			}
		});
	}

	test('klaviyo: campaigns and flows per day, revenue to the cent', async () => {
		const adapter = createPlatformAdapter(settings('klaviyo'), { retry: { maxRetries: 0 } });
		const account = await adapter.describeAccount('');
		assert.equal(account.accountId, sandbox.world.klaviyo.id);
		const { rows } = await adapter.fetchDailyMetrics({ accountId: account.accountId, since: SINCE, until: UNTIL });
		const k = sandbox.world.klaviyo;
		const sources = [...k.campaigns.map((c) => ({ id: c.id, daily: c.daily })), ...k.flows.map((f) => ({ id: `flow:${f.id}`, daily: f.daily }))];
		let expected = 0;
		for (const src of sources) {
			for (const d of src.daily.filter((x) => x.date >= SINCE && x.date <= UNTIL && (x.recipients || x.opens || x.conversions))) {
				expected++;
				const row = rows.find((r) => r.campaignId === src.id && r.date === d.date);
				assert.ok(row, `klaviyo ${src.id} ${d.date} is returned`);
				assert.equal(row.spend, 0);
				assert.equal(row.impressions, d.delivered);
				assert.equal(row.clicks, d.clicksUnique);
				assert.equal(row.conversions, d.conversions);
				assert.equal(row.revenue, Math.round(d.conversionValue * 100) / 100);
			}
		}
		assert.ok(expected > 0, 'the window has email activity');
		assert.equal(rows.length, expected);
	});
});

// Values of the resource locators (issue 16): "By URL" addresses of each platform's web app, Slack and
// Notion, "By ID" lists, the plain strings older workflows hold, and a foreign address named as such.
import { test } from 'vitest';
import assert from 'node:assert/strict';
import { accountUrl, accountUrlExample, parseAccountUrl } from '../../nodes/shared/platforms/account-url';
import { accountChoices } from '../../nodes/shared/platforms/listing';
import { PLATFORM_REGISTRY, platformsWith } from '../../nodes/shared/platforms/registry';
import { accountIdsFromLocator, locatorValue, notionDatabaseFromLocator, slackChannelFromLocator } from '../../nodes/common/list-search';
import { ParameterError } from '../../nodes/common/params';

const rl = (mode: string, value: string) => ({ __rl: true, mode, value });

test('By URL: each platform\'s account address gives the canonical account id', () => {
	const cases: Array<[Parameters<typeof parseAccountUrl>[0], string, string]> = [
		['meta', 'https://adsmanager.facebook.com/adsmanager/manage/campaigns?act=1029384756001&business_id=77', '1029384756001'],
		['meta', 'https://business.facebook.com/adsmanager/manage/ads?act=act_123&nav_entry_point=bm', '123'],
		['google_ads', 'https://ads.google.com/aw/campaigns?ocid=99&euid=1&__u=2&uscid=3&__c=4&authuser=0&__e=1234567890', '1234567890'],
		['linkedin', 'https://www.linkedin.com/campaignmanager/accounts/508123456/campaigns?campaignGroupIds=1', '508123456'],
		['tiktok', 'https://ads.tiktok.com/i18n/dashboard?aadvid=7010000000001', '7010000000001'],
	];
	for (const [platform, url, id] of cases) assert.deepEqual(parseAccountUrl(platform, url), { accountId: id }, url);
	// The link a picked account opens parses back to it.
	for (const platform of platformsWith('ingest').filter((p) => !PLATFORM_REGISTRY[p].ingest.accountFromCredential)) {
		const id = PLATFORM_REGISTRY[platform].accountId.example;
		assert.deepEqual(parseAccountUrl(platform, accountUrl(platform, id)), { accountId: id }, platform);
		assert.equal(accountUrlExample(platform), accountUrl(platform, id));
	}
});

test('By URL: another platform\'s address, no id, not a URL, or Klaviyo are refused with what is expected', () => {
	const foreign = parseAccountUrl('meta', 'https://www.linkedin.com/campaignmanager/accounts/508123456/campaigns');
	assert.ok('problem' in foreign && /is not a Meta Ads account address; expected one like https:\/\/adsmanager\.facebook\.com/.test(foreign.problem));
	assert.ok('problem' in parseAccountUrl('google_ads', 'https://ads.google.com/aw/overview?ocid=123'));
	assert.ok('problem' in parseAccountUrl('tiktok', 'ads.tiktok.com?aadvid=1'));
	assert.ok('problem' in parseAccountUrl('meta', 'https://adsmanager.facebook.com/?act=12ab'));
	const klaviyo = parseAccountUrl('klaviyo', 'https://www.klaviyo.com/dashboard');
	assert.ok('problem' in klaviyo && /leave the account empty/.test(klaviyo.problem));
});

test('account locator values: list, several ids, URL, plain text of version 1, empty', () => {
	assert.deepEqual(accountIdsFromLocator('meta', rl('list', '123')), ['123']);
	assert.deepEqual(accountIdsFromLocator('meta', rl('id', 'act_1, 2 ,,3')), ['act_1', '2', '3']);
	assert.deepEqual(accountIdsFromLocator('linkedin', rl('url', 'https://www.linkedin.com/campaignmanager/accounts/508123456')), ['508123456']);
	assert.deepEqual(accountIdsFromLocator('meta', 'act_9, act_8'), ['act_9', 'act_8']);
	assert.deepEqual(accountIdsFromLocator('meta', rl('list', '')), []);
	assert.deepEqual(accountIdsFromLocator('meta', undefined), []);
	assert.throws(() => accountIdsFromLocator('meta', rl('url', 'https://example.com/?x=1')), (e: unknown) => e instanceof ParameterError && /^Ad Account: "https:\/\/example\.com/.test(e.message));
	assert.deepEqual(locatorValue({ __rl: true, mode: 'list', value: 42 }), { mode: 'list', value: '42' });
});

test('Slack channel locator: id or #name as given, the id of a channel address, foreign addresses refused', () => {
	assert.equal(slackChannelFromLocator(rl('list', 'C0ADOPSAPR')), 'C0ADOPSAPR');
	assert.equal(slackChannelFromLocator(rl('id', '#ad-ops')), '#ad-ops');
	assert.equal(slackChannelFromLocator('#ad-ops'), '#ad-ops');
	assert.equal(slackChannelFromLocator(rl('list', '')), '');
	assert.equal(slackChannelFromLocator(rl('url', 'https://app.slack.com/client/T0123ABC/C0456DEF')), 'C0456DEF');
	assert.equal(slackChannelFromLocator(rl('url', 'https://northwind.slack.com/archives/G0PRIVATE1/p1700000000000100')), 'G0PRIVATE1');
	assert.throws(() => slackChannelFromLocator(rl('url', 'https://slack.example.com/channels/general')), /Channel: .* is not a Slack channel address/);
});

test('Notion database locator: the id in a database address (dashed), ids as given, foreign addresses refused', () => {
	const id = '0123456789abcdef0123456789abcdef';
	const dashed = '01234567-89ab-cdef-0123-456789abcdef';
	assert.equal(notionDatabaseFromLocator(rl('url', `https://www.notion.so/northwind/AdOps-Approvals-${id}?v=fedcba9876543210fedcba9876543210`)), dashed);
	assert.equal(notionDatabaseFromLocator(rl('url', `https://www.notion.so/${id}`)), dashed);
	assert.equal(notionDatabaseFromLocator(rl('url', `https://northwind.notion.site/Approvals-${dashed}`)), dashed);
	assert.equal(notionDatabaseFromLocator(rl('id', id)), id);
	assert.equal(notionDatabaseFromLocator(''), '');
	assert.throws(() => notionDatabaseFromLocator(rl('url', `https://example.com/${id}`)), /Approval Database: .* is not a Notion database address/);
	assert.throws(() => notionDatabaseFromLocator(rl('url', 'https://www.notion.so/northwind/Approvals')), /is not a Notion database address/);
});

test('account choices: named, filtered by name or id in any case, sorted, linking to the account', () => {
	const info = (accountId: string, name: string | null, currency: string | null) => ({ platform: 'meta' as const, accountId, name, currency, timezone: null, status: null, raw: null });
	const accounts = [info('2', 'Northwind EU', 'EUR'), info('1', 'Northwind US', 'USD'), info('3', null, null)];
	assert.deepEqual(
		accountChoices(accounts).map((c) => c.name),
		['3', 'Northwind EU · 2 · EUR', 'Northwind US · 1 · USD'],
	);
	assert.deepEqual(accountChoices(accounts, 'us').map((c) => c.value), ['1']);
	assert.deepEqual(accountChoices(accounts, '3').map((c) => c.value), ['3']);
	assert.equal(accountChoices(accounts, 'EU')[0]!.url, accountUrl('meta', '2'));
});

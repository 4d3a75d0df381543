// Campaign locators (issue 16): "By URL" addresses of each platform's campaign manager (Meta Ads
// Manager selected_campaign_ids, Google Ads campaignId, LinkedIn Campaign Manager paths), checked by
// the editor's regex (n8n anchors it ^…$) and parsed by the node; "By ID"; plain strings of version-1
// nodes; several campaigns or a foreign address refused in words; list pages.
import { test, expect } from 'vitest';
import { accountUrl, campaignUrl, campaignUrlExample, campaignUrlPattern, parseCampaignUrl } from '../../nodes/shared/platforms/account-url';
import { campaignAccountChoices, campaignChoices } from '../../nodes/shared/creative/campaigns';
import { accountIdFromLocator, campaignFromLocator, campaignModes, listPage, LIST_PAGE_SIZE } from '../../nodes/common/list-search';
import { ParameterError } from '../../nodes/common/params';
import type { PlatformId } from '../../nodes/shared/platforms/registry';
import type { INodePropertyMode } from 'n8n-workflow';

/** The regex check of a mode (the editor's `validation`). */
const regexOf = (mode: INodePropertyMode | undefined) => (mode!.validation![0] as unknown as { properties: { regex: string; errorMessage: string } }).properties;

const rl = (mode: string, value: string) => ({ __rl: true, mode, value });
/** The editor's check of a "By URL" value: the mode's regex, anchored as n8n anchors it. */
const editorAccepts = (platform: PlatformId, url: string) => {
	return new RegExp(`^${regexOf(campaignModes([platform]).find((m) => m.name === 'url')).regex}$`).test(url);
};

const REAL: Array<[PlatformId, string, string, string | null]> = [
	['meta', 'https://adsmanager.facebook.com/adsmanager/manage/adsets?act=1029384756001&business_id=77&selected_campaign_ids=120210000000123&nav_entry_point=lep_237', '120210000000123', '1029384756001'],
	['meta', 'https://business.facebook.com/adsmanager/manage/ads?act=act_998877&selected_campaign_ids=120210000000124', '120210000000124', '998877'],
	['google_ads', 'https://ads.google.com/aw/adgroups?ocid=99&workspaceId=0&euid=1&__u=2&uscid=3&__c=4&authuser=0&__e=1234567890&campaignId=20123456789', '20123456789', '1234567890'],
	['google_ads', 'https://ads.google.com/aw/ads?campaignId=20123456790', '20123456790', null],
	['linkedin', 'https://www.linkedin.com/campaignmanager/accounts/508123456/campaigns/612345678/details', '612345678', '508123456'],
	['linkedin', 'https://linkedin.com/campaignmanager/accounts/508123456/campaigns/612345679?campaignGroupIds=%5B1%5D', '612345679', '508123456'],
];

test('By URL: each platform\'s campaign address gives the campaign and, where it holds one, the account', () => {
	for (const [platform, url, campaignId, accountId] of REAL) {
		expect(parseCampaignUrl(platform, url), url).toEqual({ campaignId, accountId });
		expect(editorAccepts(platform, url), url).toBe(true);
		expect(campaignFromLocator(platform, rl('url', url))).toEqual({ campaignId, accountId });
	}
	// the link a listed campaign opens parses back to it, and is what the placeholder shows
	for (const platform of ['meta', 'google_ads', 'linkedin'] as const) {
		const url = campaignUrl(platform, '508123456', '612345678');
		expect(parseCampaignUrl(platform, url)).toMatchObject({ campaignId: '612345678' });
		expect(editorAccepts(platform, campaignUrlExample(platform))).toBe(true);
	}
});

test('By URL: an account page, another platform\'s campaign, several campaigns or no URL are refused with what is expected', () => {
	const account = 'https://adsmanager.facebook.com/adsmanager/manage/campaigns?act=1029384756001';
	expect(editorAccepts('meta', account)).toBe(false);
	expect(parseCampaignUrl('meta', account)).toEqual({ problem: expect.stringMatching(/is not the address of a Meta Ads campaign; expected one like https:\/\/adsmanager\.facebook\.com\/.*selected_campaign_ids=/) });
	const linkedIn = REAL[4]![1];
	expect(editorAccepts('google_ads', linkedIn)).toBe(false);
	expect(parseCampaignUrl('google_ads', linkedIn)).toMatchObject({ problem: expect.stringMatching(/not the address of a Google Ads campaign/) });
	const several = 'https://adsmanager.facebook.com/adsmanager/manage/adsets?act=1&selected_campaign_ids=120210000000123%2C120210000000124';
	expect(parseCampaignUrl('meta', several)).toEqual({ problem: expect.stringMatching(/selects 2 campaigns; open one campaign/) });
	expect(parseCampaignUrl('linkedin', 'campaign 612345678')).toMatchObject({ problem: expect.stringMatching(/not the address/) });
	expect(parseCampaignUrl('tiktok', 'https://ads.tiktok.com/')).toMatchObject({ problem: expect.stringMatching(/give the campaign ID/) });
	expect(campaignUrlPattern('klaviyo')).toBe('');
	// one locator for the three creative platforms takes an address of any of them
	const all = regexOf(campaignModes(['meta', 'google_ads', 'linkedin']).find((m) => m.name === 'url'));
	for (const [, url] of REAL) expect(new RegExp(`^${all.regex}$`).test(url), url).toBe(true);
	expect(new RegExp(`^${all.regex}$`).test(account)).toBe(false);
	expect(all.errorMessage).toMatch(/^Not the address of a Meta Ads, Google Ads or LinkedIn Ads campaign/);
	// from an expression the editor never checks: the node names the parameter
	expect(() => campaignFromLocator('meta', rl('url', account))).toThrow(ParameterError);
	expect(() => campaignFromLocator('meta', rl('url', account))).toThrow(/^Campaign: /);
});

test('By ID and version 1 text: the value as given; By ID is digits (or an expression) for the editor', () => {
	expect(campaignFromLocator('meta', '120210000000123')).toEqual({ campaignId: '120210000000123', accountId: null });
	expect(campaignFromLocator('meta', rl('id', ' 120210000000123 '))).toEqual({ campaignId: '120210000000123', accountId: null });
	expect(campaignFromLocator('meta', rl('list', '120210000000123'))).toEqual({ campaignId: '120210000000123', accountId: null });
	expect(campaignFromLocator('meta', rl('id', ''))).toEqual({ campaignId: '', accountId: null });
	const id = regexOf(campaignModes(['google_ads']).find((m) => m.name === 'id'));
	const ok = (v: string) => new RegExp(`^${id.regex}$`).test(v);
	expect([ok('20123456789'), ok('={{ $json.campaignId }}'), ok('camp-1'), ok('')]).toEqual([true, true, false, false]);
	// one account: a list is refused in words, an address gives its id
	expect(accountIdFromLocator('meta', 'act_123')).toBe('123');
	expect(() => accountIdFromLocator('meta', '123, 456')).toThrow(/Ad Account: give one account, not 2 \(123, 456\)/);
	expect(accountIdFromLocator('linkedin', rl('url', 'https://www.linkedin.com/campaignmanager/accounts/508123456/campaigns'))).toBe('508123456');
});

test('list pages: 100 entries a page, the next page\'s token while there are more', () => {
	const all = Array.from({ length: 250 }, (_, i) => ({ name: `Campaign ${i}`, value: String(i) }));
	const first = listPage(all);
	expect(first.results).toHaveLength(LIST_PAGE_SIZE);
	expect(first.paginationToken).toBe('100');
	const third = listPage(all, listPage(all, first.paginationToken).paginationToken);
	expect(third.results.map((r) => r.value)).toEqual(all.slice(200).map((r) => r.value));
	expect(third.paginationToken).toBeUndefined();
	expect(listPage([], undefined)).toEqual({ results: [] });
});

test('stored campaign and account entries (nodes/shared/creative/campaigns.ts): named, filtered, sorted, linked to the manager', () => {
	const row = (accountId: string, campaignId: string, campaignName: string | null) => ({ platform: 'meta' as const, accountId, campaignId, campaignName, spend: 10, currency: 'USD', lastDate: '2026-01-01' });
	const rows = [row('111', '902', 'Spring Sale'), row('111', '901', null), row('222', '903', 'Autumn Push')];
	expect(campaignChoices(rows, { accountNamed: true })).toEqual([
		{ name: '901 · account 111', value: '901', url: campaignUrl('meta', '111', '901') },
		{ name: 'Autumn Push · 903 · account 222', value: '903', url: campaignUrl('meta', '222', '903') },
		{ name: 'Spring Sale · 902 · account 111', value: '902', url: campaignUrl('meta', '111', '902') },
	]);
	expect(campaignChoices(rows, { filter: ' SPRING ' }).map((c) => c.name)).toEqual(['Spring Sale · 902']);
	expect(campaignChoices(rows, { filter: '903' }).map((c) => c.value)).toEqual(['903']);
	expect(campaignAccountChoices(rows)).toEqual([
		{ name: '111 · USD · 2 campaigns with spend', value: '111', url: accountUrl('meta', '111') },
		{ name: '222 · USD · 1 campaign with spend', value: '222', url: accountUrl('meta', '222') },
	]);
	expect(campaignAccountChoices(rows, '22').map((a) => a.value)).toEqual(['222']);
});

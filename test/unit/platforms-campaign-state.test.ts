// Campaign state as the optimizer reads it, per platform, from the platforms'
// own shapes: which budgets may be changed (shared, lifetime, ad-set budgets
// may not), statuses in one vocabulary, creation times as UTC instants.
import assert from 'node:assert/strict';
import { describe, test } from 'vitest';
import { enums, type Hooks } from 'google-ads-api';
import { campaignStatus, checkBudgetInput, instantToIso, zonedTimeToIso } from '../../nodes/shared/platforms/campaign-state';
import { GoogleAdsAdapter } from '../../nodes/shared/platforms/google-ads';
import { LinkedInAdsAdapter } from '../../nodes/shared/platforms/linkedin';
import { MetaAdsAdapter } from '../../nodes/shared/platforms/meta';
import type { AccountInfo } from '../../nodes/shared/platforms/types';
import { PlatformApiError } from '../../nodes/shared/resilience/errors';

const account = (platform: AccountInfo['platform'], currency: string, timezone: string): AccountInfo => ({ platform, accountId: '42', name: 'A', currency, timezone, status: 'ACTIVE', raw: {} });

describe('campaign state helpers', () => {
	test('zonedTimeToIso: account-local wall clock → UTC, across time zones and DST', () => {
		assert.equal(zonedTimeToIso('2025-01-01 00:00:00', 'Asia/Tokyo'), '2024-12-31T15:00:00.000Z');
		assert.equal(zonedTimeToIso('2025-07-01 00:00:00', 'America/New_York'), '2025-07-01T04:00:00.000Z');
		assert.equal(zonedTimeToIso('2025-01-15 00:00:00', 'America/New_York'), '2025-01-15T05:00:00.000Z');
		assert.equal(zonedTimeToIso('2025-03-30 12:30', 'Europe/Berlin'), '2025-03-30T10:30:00.000Z', 'the day DST starts, after the switch');
		assert.equal(zonedTimeToIso('2025-03-09 02:30:00', 'America/New_York'), '2025-03-09T07:30:00.000Z', 'a skipped time moves forward (03:30 EDT)');
		assert.equal(zonedTimeToIso('2025-03-09 03:30:00', 'America/New_York'), '2025-03-09T07:30:00.000Z');
		assert.equal(zonedTimeToIso('2025-11-02 01:30:00', 'America/New_York'), '2025-11-02T05:30:00.000Z', 'a repeated time is its first occurrence (EDT)');
		assert.equal(zonedTimeToIso('2025-11-02 03:00:00', 'America/New_York'), '2025-11-02T08:00:00.000Z');
		assert.equal(zonedTimeToIso('2025-10-26 12:00:00', 'Australia/Lord_Howe'), '2025-10-26T01:00:00.000Z', 'half-hour DST');
		assert.equal(zonedTimeToIso('2025-06-01', 'UTC'), '2025-06-01T00:00:00.000Z');
		assert.equal(zonedTimeToIso('2025-06-01 00:00:00', 'Mars/Olympus'), null);
		assert.equal(zonedTimeToIso('yesterday', 'UTC'), null);
		assert.equal(zonedTimeToIso('2025-06-01', null), null);
		for (const notATime of ['2026-13-40 25:00:00', '2025-02-29', '2025-06-31 00:00:00', '2025-06-01 24:00:00', '2025-06-01 12:60:00', '2025-06-01 12:00:61'])
			assert.equal(zonedTimeToIso(notATime, 'UTC'), null, `${notATime} rolls over instead of being refused`);
		assert.equal(zonedTimeToIso('2024-02-29 23:59:59', 'UTC'), '2024-02-29T23:59:59.000Z');
	});

	test('instantToIso: Meta offsets without a colon, epoch ms, nothing else', () => {
		assert.equal(instantToIso('2025-09-26T08:00:00+0000'), '2025-09-26T08:00:00.000Z');
		assert.equal(instantToIso('2025-09-26T08:00:00-0700'), '2025-09-26T15:00:00.000Z');
		assert.equal(instantToIso('2025-09-26T08:00:00Z'), '2025-09-26T08:00:00.000Z');
		assert.equal(instantToIso(1_758_873_600_000), '2025-09-26T08:00:00.000Z');
		assert.equal(instantToIso('2025-09-26 08:00'), null, 'no zone: not an instant');
		assert.equal(instantToIso(0), null);
		assert.equal(instantToIso(undefined), null);
	});

	test('campaignStatus: ENABLED is ACTIVE; everything else kept upper-case', () => {
		assert.deepEqual(['ENABLED', 'active', 'PAUSED', 'REMOVED', 'ARCHIVED', null, ''].map(campaignStatus), ['ACTIVE', 'ACTIVE', 'PAUSED', 'REMOVED', 'ARCHIVED', 'UNKNOWN', 'UNKNOWN']);
	});

	test('checkBudgetInput: positive, in the account currency, within its decimals', () => {
		assert.doesNotThrow(() => checkBudgetInput('meta', '42', 'setDailyBudget campaign 1', 12.5, 'USD', 'USD'));
		assert.doesNotThrow(() => checkBudgetInput('meta', '42', 'setDailyBudget campaign 1', 1.234, 'KWD', 'KWD'));
		const refused = (fn: () => void, pattern: RegExp) =>
			assert.throws(fn, (e: unknown) => e instanceof PlatformApiError && e.kind === 'config' && /setDailyBudget campaign 1 \(account 42\)/.test(e.message) && pattern.test(e.message));
		refused(() => checkBudgetInput('meta', '42', 'setDailyBudget campaign 1', 1000.5, 'JPY', 'JPY'), /more than 0 decimals/);
		refused(() => checkBudgetInput('meta', '42', 'setDailyBudget campaign 1', 10, 'EUR', 'USD'), /budget is in EUR, the account budgets in USD/);
		refused(() => checkBudgetInput('meta', '42', 'setDailyBudget campaign 1', 10, 'USD', null), /does not report its currency/);
		refused(() => checkBudgetInput('meta', '42', 'setDailyBudget campaign 1', 0, 'USD', 'USD'), /positive/);
		refused(() => checkBudgetInput('meta', '42', 'setDailyBudget campaign 1', Number.NaN, 'USD', 'USD'), /positive/);
	});
});

describe('campaign state per platform', () => {
	const google = new GoogleAdsAdapter({ clientId: 'id', clientSecret: 'secret', developerToken: 'dev', refreshToken: 'refresh', apiBaseUrl: 'http://127.0.0.1:9' });
	const googleRow = (budget: Record<string, unknown>, campaign: Record<string, unknown> = {}) => ({
		customer: { currency_code: 'JPY', time_zone: 'Asia/Tokyo' },
		campaign: { id: 7, name: 'C', status: enums.CampaignStatus.ENABLED, start_date_time: '2025-03-01 00:00:00', campaign_budget: 'customers/42/campaignBudgets/9', ...campaign },
		campaign_budget: { amount_micros: 5_000_000_000, period: enums.BudgetPeriod.DAILY, explicitly_shared: false, reference_count: 1, ...budget },
	});

	test('google ads: daily budget in major units, start in the account zone, library enums named', () => {
		const s = google.campaignState(googleRow({}), '42');
		assert.deepEqual({ ...s, raw: null }, {
			platform: 'google_ads',
			accountId: '42',
			campaignId: '7',
			name: 'C',
			status: 'ACTIVE',
			platformStatus: 'ENABLED',
			dailyBudget: 5000,
			budgetEditable: true,
			budgetNote: null,
			currency: 'JPY',
			timezone: 'Asia/Tokyo',
			createdAt: '2025-02-28T15:00:00.000Z',
			raw: null,
		});
		assert.equal(google.campaignState(googleRow({}, { status: enums.CampaignStatus.PAUSED }), '42').status, 'PAUSED');
	});

	test('google ads: a budget beyond 2^53 micros is refused before any mutation (it could not be sent exactly)', async () => {
		const mutations: string[] = [];
		const hooks: Hooks = {
			onQueryStart: ({ cancel }) => cancel([{ ...googleRow({}), customer: { currency_code: 'USD', time_zone: 'America/New_York' } }]),
			onMutationStart: ({ method, cancel }) => {
				mutations.push(method);
				cancel({ results: [] });
			},
		};
		const adapter = new GoogleAdsAdapter({ clientId: 'id', clientSecret: 'secret', developerToken: 'dev', refreshToken: 'refresh', apiBaseUrl: 'http://127.0.0.1:9', hooks });
		await assert.rejects(adapter.setDailyBudget({ accountId: '42', campaignId: '7', dailyBudget: 10_000_000_000, currency: 'USD' }), (e: unknown) => e instanceof PlatformApiError && e.kind === 'config' && /too large/.test(e.message));
		assert.deepEqual(mutations, []);
		const ok = await adapter.setDailyBudget({ accountId: '42', campaignId: '7', dailyBudget: 9_000_000_000, currency: 'USD' });
		assert.equal(ok.request.platformAmount, '9000000000000000 micros');
		assert.equal(mutations.length, 1);
	});

	test('google ads: a shared or non-daily budget is not editable, with the reason', () => {
		const shared = google.campaignState(googleRow({ reference_count: 3 }), '42');
		assert.equal(shared.dailyBudget, 5000, 'the amount in force is still reported');
		assert.equal(shared.budgetEditable, false);
		assert.match(shared.budgetNote!, /shared budget used by 3 campaigns/);
		assert.equal(google.campaignState(googleRow({ explicitly_shared: true }), '42').budgetEditable, false);
		const custom = google.campaignState(googleRow({ period: enums.BudgetPeriod.CUSTOM_PERIOD }), '42');
		assert.equal(custom.dailyBudget, null);
		assert.match(custom.budgetNote!, /period is CUSTOM_PERIOD/);
		const none = google.campaignState(googleRow({}, { campaign_budget: undefined }), '42');
		assert.equal(none.budgetEditable, false);
		assert.match(none.budgetNote!, /no campaign budget/);
	});

	test('meta: minor units by Meta\'s offset table; lifetime and ad-set budgets are not campaign daily budgets', () => {
		const meta = new MetaAdsAdapter({ accessToken: 'token-123456' });
		const usd = account('meta', 'USD', 'America/Los_Angeles');
		const s = meta.campaignState({ id: '1', account_id: '42', name: 'N', status: 'PAUSED', effective_status: 'CAMPAIGN_PAUSED', daily_budget: '12345', created_time: '2025-09-26T08:00:00-0700' }, usd);
		assert.deepEqual([s.status, s.platformStatus, s.dailyBudget, s.budgetEditable, s.createdAt, s.timezone], ['PAUSED', 'PAUSED', 123.45, true, '2025-09-26T15:00:00.000Z', 'America/Los_Angeles']);
		assert.equal(meta.campaignState({ id: '1', status: 'ACTIVE', daily_budget: '5000' }, account('meta', 'JPY', 'Asia/Tokyo')).dailyBudget, 5000, 'JPY has offset 1');
		const lifetime = meta.campaignState({ id: '1', status: 'ACTIVE', lifetime_budget: '900000' }, usd);
		assert.deepEqual([lifetime.dailyBudget, lifetime.budgetEditable, lifetime.budgetNote], [null, false, 'the campaign has a lifetime budget, not a daily one']);
		const adsets = meta.campaignState({ id: '1', status: 'ACTIVE' }, usd);
		assert.match(adsets.budgetNote!, /set on the ad sets/);
		assert.equal(meta.campaignState({ id: '1', status: 'ACTIVE', daily_budget: 'lots' }, usd).budgetEditable, false);
	});

	test('linkedin: daily budget in the account currency only; total-only budgets are not daily', () => {
		const li = new LinkedInAdsAdapter({ accessToken: 'token-123456' });
		const usd = account('linkedin', 'USD', 'UTC');
		const s = li.campaignState({ id: 301, name: 'L', status: 'ACTIVE', dailyBudget: { amount: '150.50', currencyCode: 'USD' }, changeAuditStamps: { created: { time: 1_758_873_600_000 } } }, usd);
		assert.deepEqual([s.campaignId, s.status, s.dailyBudget, s.budgetEditable, s.createdAt], ['301', 'ACTIVE', 150.5, true, '2025-09-26T08:00:00.000Z']);
		const total = li.campaignState({ id: 1, status: 'ACTIVE', totalBudget: { amount: '5000', currencyCode: 'USD' } }, usd);
		assert.match(total.budgetNote!, /total budget only/);
		const other = li.campaignState({ id: 1, status: 'ACTIVE', dailyBudget: { amount: '100', currencyCode: 'EUR' } }, usd);
		assert.deepEqual([other.dailyBudget, other.budgetEditable], [null, false]);
		assert.match(other.budgetNote!, /in EUR, the account in USD/);
		assert.equal(li.campaignState({ id: 1, status: 'DRAFT' }, usd).status, 'DRAFT');
	});
});

// The real platform adapters against the sandbox: every row they return equals
// the sandbox's ground truth, for every platform, through the same factory
// the n8n node uses. Catches drift between the adapters and the simulated APIs.
import { test, beforeAll, afterAll, describe } from 'vitest';
import assert from 'node:assert/strict';
import { startSandbox, type Sandbox } from '../../scripts/sandbox';
import { addDays } from '../../scripts/sandbox/rng';
import { createPlatformAdapter, type PlatformSettings } from '../../nodes/shared/platforms/factory';
import { hasCampaignControl, type CampaignControl, type DailyMetricRow } from '../../nodes/shared/platforms/types';
import { PlatformApiError } from '../../nodes/shared/resilience/errors';
import { sandboxPlatformSettings } from '../helpers/sandbox-adapters';

const TODAY = '2026-03-02';
const SINCE = addDays(TODAY, -10);
const UNTIL = addDays(TODAY, -1);

describe('platform adapters against the sandbox', () => {
	let sandbox: Sandbox;
	beforeAll(async () => {
		sandbox = await startSandbox({ seed: 5, today: TODAY });
	});
	afterAll(() => sandbox?.close());

	const settings = (platform: PlatformSettings['platform']) => sandboxPlatformSettings(sandbox, platform);

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

/** The wall clock of an ISO instant in a zone: `YYYY-MM-DD HH:MM`. */
function wallClock(iso: string, timeZone: string): string {
	const p: Record<string, string> = {};
	for (const part of new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' }).formatToParts(Date.parse(iso))) p[part.type] = part.value;
	return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}`;
}

describe('campaign control (optimization) against the sandbox', () => {
	let sandbox: Sandbox;
	beforeAll(async () => {
		sandbox = await startSandbox({ seed: 5, today: TODAY });
	});
	afterAll(() => sandbox?.close());

	const PLATFORMS = ['meta', 'linkedin', 'google_ads'] as const;
	type P = (typeof PLATFORMS)[number];
	const worldPlatform = (p: P) => (p === 'google_ads' ? 'google' : p);
	function control(platform: P): CampaignControl {
		const adapter = createPlatformAdapter(sandboxPlatformSettings(sandbox, platform), { retry: { maxRetries: 0 } });
		assert.ok(hasCampaignControl(adapter), `${platform} adapter controls campaigns`);
		return adapter;
	}
	const writes = () => sandbox.requests().filter((r) => r.method === 'POST' && /meta\.update|linkedin\.campaignUpdate|googleads\.campaign(s|Budgets)\.mutate/.test(r.route));

	test('klaviyo has no campaign control (email sends have no budget or status to change)', () => {
		assert.equal(hasCampaignControl(createPlatformAdapter(sandboxPlatformSettings(sandbox, 'klaviyo'))), false);
	});

	for (const platform of PLATFORMS) {
		test(`${platform}: listCampaignStates equals the world (status, daily budget, currency, time zone, creation)`, async () => {
			sandbox.reset({ seed: 5, today: TODAY });
			const adapter = control(platform);
			const accounts = sandbox.world.accounts.filter((a) => a.platform === worldPlatform(platform));
			for (const account of accounts) {
				const { account: info, campaigns } = await adapter.listCampaignStates(account.id);
				assert.equal(info.currency, account.currency);
				assert.deepEqual(campaigns.map((c) => c.campaignId).sort(), account.campaigns.map((c) => c.id).sort());
				for (const c of account.campaigns) {
					const state = campaigns.find((s) => s.campaignId === c.id)!;
					assert.equal(state.platform, platform);
					assert.equal(state.accountId, account.id);
					assert.equal(state.name, c.name);
					assert.equal(state.status, c.status, `${c.id} status`);
					assert.equal(state.dailyBudget, c.dailyBudget, `${c.id} budget in major units`);
					assert.equal(state.budgetEditable, true);
					assert.equal(state.budgetNote, null);
					assert.equal(state.currency, account.currency);
					assert.equal(state.timezone, platform === 'linkedin' ? 'UTC' : account.timezone);
					assert.ok(state.createdAt, `${c.id} has a creation time`);
					if (platform === 'google_ads') assert.equal(wallClock(state.createdAt, account.timezone), `${c.createdDate} 00:00`, 'start_date_time is account-local');
					else assert.equal(state.createdAt.slice(0, 10), c.createdDate);
				}
				// Google's ENABLED is ACTIVE; the platform's own word is kept beside it
				if (platform === 'google_ads') assert.ok(campaigns.every((s) => s.platformStatus === (s.status === 'ACTIVE' ? 'ENABLED' : 'PAUSED')));
			}
		});

		test(`${platform}: getCampaignState re-reads one campaign as the list does; an unknown campaign is null`, async () => {
			sandbox.reset({ seed: 5, today: TODAY });
			const adapter = control(platform);
			const account = sandbox.world.accounts.find((a) => a.platform === worldPlatform(platform))!;
			const { campaigns } = await adapter.listCampaignStates(account.id);
			const one = await adapter.getCampaignState(account.id, campaigns[1]!.campaignId);
			assert.deepEqual({ ...one, raw: null }, { ...campaigns[1], raw: null });
			assert.equal(await adapter.getCampaignState(account.id, '999000111'), null);
			// a campaign of another account of the same platform is not this account's
			const other = sandbox.world.accounts.filter((a) => a.platform === worldPlatform(platform))[1]!;
			assert.equal(await adapter.getCampaignState(account.id, other.campaigns[0]!.id), null);
		});

		test(`${platform}: setStatus and setDailyBudget change the campaign; validate-only ${platform === 'linkedin' ? 'is refused before any request' : 'changes nothing'}`, async () => {
			sandbox.reset({ seed: 5, today: TODAY });
			const adapter = control(platform);
			const account = sandbox.world.accounts.find((a) => a.platform === worldPlatform(platform))!;
			const campaign = account.campaigns.find((c) => c.status === 'ACTIVE')!;
			const target = { accountId: account.id, campaignId: campaign.id };
			const budget = campaign.dailyBudget;

			const writesBefore = writes().length;
			if (adapter.canValidateOnly) {
				const checked = await adapter.setDailyBudget({ ...target, dailyBudget: 77.7, currency: account.currency, validateOnly: true });
				assert.equal(checked.validateOnly, true);
				await adapter.setStatus({ ...target, status: 'PAUSED', validateOnly: true });
				assert.equal(writes().length, writesBefore + 2, 'the checks reached the platform');
			} else {
				await assert.rejects(adapter.setStatus({ ...target, status: 'PAUSED', validateOnly: true }), (e: unknown) => e instanceof PlatformApiError && e.kind === 'config' && /validate-only/.test(e.message));
				assert.equal(writes().length, writesBefore, 'nothing was sent');
			}
			assert.equal(campaign.dailyBudget, budget, 'validate-only changed nothing');
			assert.equal(campaign.status, 'ACTIVE');

			const raised = await adapter.setDailyBudget({ ...target, dailyBudget: 77.7, currency: account.currency });
			assert.equal(raised.validateOnly, false);
			assert.equal(raised.request.dailyBudget, 77.7);
			assert.equal(campaign.dailyBudget, 77.7);
			assert.equal((await adapter.getCampaignState(account.id, campaign.id))!.dailyBudget, 77.7);
			await adapter.setStatus({ ...target, status: 'PAUSED' });
			assert.equal(campaign.status, 'PAUSED');
			assert.equal((await adapter.getCampaignState(account.id, campaign.id))!.status, 'PAUSED');
			await adapter.setStatus({ ...target, status: 'ACTIVE' });
			assert.equal(campaign.status, 'ACTIVE');
			if (platform === 'meta') {
				const update = writes().at(-3)!;
				assert.equal((update.body as Record<string, string>).daily_budget, '7770', 'Meta budgets travel in minor units');
				assert.ok(!update.path.includes('access_token') && !JSON.stringify(update.query).includes('access_token'), 'the token travels in the body, not the URL');
			}
		});

		test(`${platform}: a budget in another currency or with too many decimals is refused before any request, naming account, call and remedy`, async () => {
			sandbox.reset({ seed: 5, today: TODAY });
			const adapter = control(platform);
			const account = sandbox.world.accounts.find((a) => a.platform === worldPlatform(platform))!;
			const campaign = account.campaigns[0]!;
			await adapter.listCampaignStates(account.id);
			const writesBefore = writes().length;
			const other = account.currency === 'EUR' ? 'USD' : 'EUR';
			await assert.rejects(adapter.setDailyBudget({ accountId: account.id, campaignId: campaign.id, dailyBudget: 50, currency: other }), (e: unknown) => {
				assert.ok(e instanceof PlatformApiError);
				assert.equal(e.kind, 'config');
				assert.match(e.message, new RegExp(`setDailyBudget campaign ${campaign.id} \\(account ${account.id}\\)`));
				assert.match(e.message, new RegExp(`budget is in ${other}, the account budgets in ${account.currency}`));
				assert.match(e.hint, /never converted/);
				return true;
			});
			await assert.rejects(adapter.setDailyBudget({ accountId: account.id, campaignId: campaign.id, dailyBudget: 50.005, currency: account.currency }), /more than 2 decimals/);
			await assert.rejects(adapter.setDailyBudget({ accountId: account.id, campaignId: campaign.id, dailyBudget: -5, currency: account.currency }), /positive/);
			assert.equal(writes().length, writesBefore, 'nothing was sent');
			assert.equal(campaign.dailyBudget, sandbox.world.accounts.find((a) => a.id === account.id)!.campaigns[0]!.dailyBudget);
		});
	}

	test('platform refusals name the account and the campaign call and say what to do', async () => {
		sandbox.reset({ seed: 5, today: TODAY });
		const meta = control('meta');
		const metaAccount = sandbox.world.accounts.find((a) => a.platform === 'meta' && a.currency === 'USD')!;
		await assert.rejects(meta.setDailyBudget({ accountId: metaAccount.id, campaignId: metaAccount.campaigns[0]!.id, dailyBudget: 0.5, currency: 'USD' }), (e: unknown) => {
			assert.ok(e instanceof PlatformApiError);
			assert.equal(e.subcode, 1885272);
			assert.match(e.message, new RegExp(`^Meta setDailyBudget campaign ${metaAccount.campaigns[0]!.id} → daily budget 50 \\(minor units\\) \\(account ${metaAccount.id}\\) failed with HTTP 400`));
			assert.match(e.message, /Budget Too Low|at least/);
			return true;
		});
		const linkedin = control('linkedin');
		const li = sandbox.world.accounts.find((a) => a.platform === 'linkedin')!;
		await assert.rejects(linkedin.setDailyBudget({ accountId: li.id, campaignId: li.campaigns[0]!.id, dailyBudget: 5, currency: li.currency }), (e: unknown) => {
			assert.ok(e instanceof PlatformApiError);
			assert.equal(e.httpStatus, 422);
			assert.match(e.message, new RegExp(`LinkedIn setDailyBudget campaign ${li.campaigns[0]!.id} → daily budget 5.00 ${li.currency} \\(account ${li.id}\\)`));
			assert.match(e.hint, /minimum daily budget/);
			return true;
		});
		const google = control('google_ads');
		const jp = sandbox.world.accounts.find((a) => a.platform === 'google' && a.currency === 'JPY')!;
		await assert.rejects(google.setDailyBudget({ accountId: jp.id, campaignId: jp.campaigns[0]!.id, dailyBudget: 1000.5, currency: 'JPY' }), /has more than 0 decimals/);
		await assert.rejects(google.setDailyBudget({ accountId: jp.id, campaignId: '999000111', dailyBudget: 1000, currency: 'JPY' }), (e: unknown) => e instanceof PlatformApiError && e.kind === 'not_found' && new RegExp(`campaign 999000111 was not found in customer ${jp.id}`).test(e.message));
		await assert.rejects(meta.setStatus({ accountId: metaAccount.id, campaignId: 'act_1; DROP', status: 'PAUSED' }), /campaign id must be digits/);
	});
});

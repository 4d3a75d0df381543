import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { GoogleAdsApi, enums, errors } from 'google-ads-api';
import { accountTotals, createGoogleAdsHooks, findAccount, startSandbox, type Sandbox } from '../../../scripts/sandbox';
import { GADS_ENUMS } from '../../../scripts/sandbox/google-ads';

const GAQL = `SELECT campaign.id, campaign.name, segments.date, metrics.cost_micros, metrics.impressions, metrics.clicks, metrics.conversions, metrics.conversions_value, customer.currency_code, customer.time_zone FROM campaign WHERE segments.date BETWEEN '2025-02-01' AND '2025-02-28'`;

describe('sandbox: Google Ads through google-ads-api hooks', () => {
	let sb: Sandbox;
	let client: GoogleAdsApi;
	before(async () => {
		sb = await startSandbox({ seed: 5, today: '2025-03-10' });
		const g = sb.credentials.googleAds;
		client = new GoogleAdsApi({ client_id: g.clientId, client_secret: g.clientSecret, developer_token: g.developerToken });
	});
	after(() => sb.close());

	const customer = (id: string, extra: Partial<Parameters<typeof createGoogleAdsHooks>[0]> = {}) =>
		client.Customer({ customer_id: id, refresh_token: sb.credentials.googleAds.refreshToken, login_customer_id: sb.credentials.googleAds.loginCustomerId }, createGoogleAdsHooks({ url: sb.url, ...extra }));

	it('Customer.query returns the world as GAQL rows (micros, zero-decimal JPY) in the library shape', async () => {
		for (const id of ['1234567890', '9876543210']) {
			const rows = await customer(id).query(GAQL);
			const account = findAccount(sb.world, 'google', id)!;
			const truth = accountTotals(account, '2025-02-01', '2025-02-28');
			assert.ok(rows.length > 20);
			const r = rows[0]!;
			assert.equal(typeof r.campaign!.id, 'number');
			assert.equal(r.customer!.currency_code, account.currency);
			assert.equal(r.customer!.time_zone, account.timezone);
			assert.match(r.segments!.date!, /^2025-02-\d\d$/);
			const micros = rows.reduce((s, x) => s + Number(x.metrics!.cost_micros), 0);
			assert.equal(micros, Math.round(truth.spend * 1_000_000));
			if (account.currency === 'JPY') for (const x of rows) assert.equal(Number(x.metrics!.cost_micros) % 1_000_000, 0);
			assert.equal(rows.reduce((s, x) => s + Number(x.metrics!.impressions), 0), truth.impressions);
			assert.equal(rows.reduce((s, x) => s + Number(x.metrics!.conversions), 0), truth.conversions);
		}
	});

	it('Customer.report builds GAQL the sandbox understands; a bad field is a GoogleAdsFailure', async () => {
		const rows = await customer('1234567890').report({
			entity: 'campaign',
			attributes: ['campaign.id', 'campaign.name', 'campaign.status'],
			metrics: ['metrics.cost_micros'],
			segments: ['segments.date'],
			from_date: '2025-03-01',
			to_date: '2025-03-09',
		});
		assert.ok(rows.length > 0);
		assert.ok(rows.every((r) => r.campaign!.status === enums.CampaignStatus.ENABLED || r.campaign!.status === enums.CampaignStatus.PAUSED));
		const err = await customer('1234567890').query('SELECT campaign.bogus FROM campaign').catch((e: unknown) => e);
		assert.ok(err instanceof errors.GoogleAdsFailure);
		assert.equal(err.errors[0]!.error_code!.query_error, errors.QueryErrorEnum.QueryError.UNRECOGNIZED_FIELD);
	});

	it('mutations through the gRPC services and mutateResources change the world; validate_only does not', async () => {
		const account = findAccount(sb.world, 'google', '1234567890')!;
		const c = account.campaigns.find((x) => x.status === 'ACTIVE')!;
		const cus = customer(account.id);
		const validated = await cus.campaigns.update([{ resource_name: `customers/${account.id}/campaigns/${c.id}`, status: enums.CampaignStatus.PAUSED }], { validate_only: true });
		assert.deepEqual(validated.results, []);
		assert.equal(c.status, 'ACTIVE');
		const paused = await cus.campaigns.update([{ resource_name: `customers/${account.id}/campaigns/${c.id}`, status: enums.CampaignStatus.PAUSED }]);
		assert.equal(paused.results[0]!.resource_name, `customers/${account.id}/campaigns/${c.id}`);
		assert.equal(c.status, 'PAUSED');
		await cus.campaignBudgets.update([{ resource_name: `customers/${account.id}/campaignBudgets/${c.budgetId}`, amount_micros: 123_450_000 }]);
		assert.equal(c.dailyBudget, 123.45);
		const res = await cus.mutateResources([{ entity: 'campaign', operation: 'update', resource: { resource_name: `customers/${account.id}/campaigns/${c.id}`, status: enums.CampaignStatus.ENABLED } }]);
		assert.equal(res.mutate_operation_responses![0]!.campaign_result!.resource_name, `customers/${account.id}/campaigns/${c.id}`);
		assert.equal(c.status, 'ACTIVE');
		const rows = await cus.query(`SELECT campaign.id, campaign.status, campaign_budget.amount_micros FROM campaign WHERE campaign.id = ${c.id}`);
		assert.equal(rows[0]!.campaign_budget!.amount_micros, 123_450_000);
		const bad = await cus.campaignBudgets.update([{ resource_name: `customers/${account.id}/campaignBudgets/${c.budgetId}`, amount_micros: 1_234 }]).catch((e: unknown) => e);
		assert.ok(bad instanceof errors.GoogleAdsFailure);
	});

	it('the enum numbers the sandbox writes are the library\'s', () => {
		const lib: Record<string, Record<string, unknown>> = {
			CampaignStatus: enums.CampaignStatus,
			AdvertisingChannelType: enums.AdvertisingChannelType,
			QueryError: errors.QueryErrorEnum.QueryError,
			QuotaError: errors.QuotaErrorEnum.QuotaError,
			InternalError: errors.InternalErrorEnum.InternalError,
			MutateError: errors.MutateErrorEnum.MutateError,
			RangeError: errors.RangeErrorEnum.RangeError,
			AuthorizationError: errors.AuthorizationErrorEnum.AuthorizationError,
			RequestError: errors.RequestErrorEnum.RequestError,
			CampaignBudgetError: errors.CampaignBudgetErrorEnum.CampaignBudgetError,
		};
		for (const [group, values] of Object.entries(GADS_ENUMS)) for (const [name, n] of Object.entries(values)) assert.equal(lib[group]![name], n, `${group}.${name}`);
	});

	it('an injected 429 raises RESOURCE_EXHAUSTED with the retry delay; wrong developer token is refused', async () => {
		sb.injectFault({ route: 'googleads.query', kind: '429', retryAfter: 42 });
		const err = await customer('1234567890').query(GAQL).catch((e: unknown) => e);
		assert.ok(err instanceof errors.GoogleAdsFailure);
		const e0 = err.errors[0]!;
		assert.equal(e0.error_code!.quota_error, errors.QuotaErrorEnum.QuotaError.RESOURCE_EXHAUSTED);
		assert.equal(Number(e0.details!.quota_error_details!.retry_delay!.seconds), 42);
		assert.ok((await customer('1234567890').query(GAQL)).length > 0, 'next call succeeds');
		const denied = await customer('1234567890', { developerToken: 'wrong' }).query(GAQL).catch((e: unknown) => e);
		assert.ok(denied instanceof errors.GoogleAdsFailure);
		assert.ok(denied.errors[0]!.error_code!.authorization_error);
	});
});

/**
 * The sandbox's Google Ads `change_event` (issue 13, outside changes): GAQL
 * `FROM change_event` over the world's change log, in Google's REST shape,
 * with Google's own refusals of a query it does not answer (no or an
 * unbounded `change_date_time` range, a start older than 30 days, no LIMIT or
 * one above 10,000); manual edits through the admin route and the sandbox's
 * own mutations are both listed, told apart by `clientType`.
 */
import assert from 'node:assert/strict';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { errors } from 'google-ads-api';
import { startSandbox, type AdAccount, type Campaign, type Sandbox } from '../../../scripts/sandbox';
import { addDays } from '../../../scripts/sandbox/rng';

const TODAY = '2026-03-02';
const HOUR = 3_600_000;
const sandboxNow = () => Date.now() + Date.parse(TODAY) - Date.parse(new Date().toISOString().slice(0, 10));

type Json = Record<string, unknown>;
type Failure = { errorCode: Record<string, string>; message: string };

const FIELDS =
	'change_event.resource_name, change_event.change_date_time, change_event.change_resource_type, change_event.change_resource_name, change_event.client_type, ' +
	'change_event.user_email, change_event.old_resource, change_event.new_resource, change_event.changed_fields, change_event.resource_change_operation, change_event.campaign';

/** The account's wall clock for an instant, as GAQL takes it. */
function wall(ms: number, timeZone: string): string {
	const p = Object.fromEntries(new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' }).formatToParts(ms).map((x) => [x.type, x.value]));
	return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second}`;
}

describe('sandbox: Google Ads change_event', () => {
	let sb: Sandbox;
	let token: string;
	let account: AdAccount;
	let campaign: Campaign;
	const search = async (query: string): Promise<{ status: number; body: Json }> => {
		const res = await fetch(`${sb.urls.googleAds}/v25/customers/${account.id}/googleAds:search`, {
			method: 'POST',
			headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'developer-token': sb.credentials.googleAds.developerToken },
			body: JSON.stringify({ query }),
		});
		return { status: res.status, body: (await res.json()) as Json };
	};
	const failure = (body: Json): Failure => (body.error as { details: Array<{ errors: Failure[] }> }).details[0]!.errors[0]!;
	const range = (fromMs: number, toMs: number) => `change_event.change_date_time >= '${wall(fromMs, account.timezone)}' AND change_event.change_date_time <= '${wall(toMs, account.timezone)}'`;

	beforeAll(async () => {
		sb = await startSandbox({ seed: 13, today: TODAY });
		const g = sb.credentials.googleAds;
		const res = await fetch(sb.urls.googleOAuthToken, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: g.refreshToken, client_id: g.clientId, client_secret: g.clientSecret }) });
		token = ((await res.json()) as { access_token: string }).access_token;
		account = sb.world.accounts.find((a) => a.platform === 'google' && a.campaigns.some((c) => c.status === 'ACTIVE'))!;
		campaign = account.campaigns.find((c) => c.status === 'ACTIVE')!;
	});
	afterAll(() => sb.close());

	it("lists a person's edit (admin route) and the API's own change in Google's REST shape, newest first", async () => {
		const start = campaign.dailyBudget;
		const editAt = sandboxNow() - 3 * HOUR;
		const edit = await fetch(`${sb.urls.googleAds}/_admin/campaigns/${campaign.id}/edit`, {
			method: 'POST',
			headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'developer-token': sb.credentials.googleAds.developerToken },
			body: JSON.stringify({ dailyBudget: start + 15, who: 'jane.doe@example.com', at: new Date(editAt).toISOString() }),
		});
		assert.equal(edit.status, 200, await edit.text());
		const mutate = await fetch(`${sb.urls.googleAds}/v25/customers/${account.id}/campaigns:mutate`, {
			method: 'POST',
			headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'developer-token': sb.credentials.googleAds.developerToken },
			body: JSON.stringify({ operations: [{ update: { resourceName: `customers/${account.id}/campaigns/${campaign.id}`, status: 'PAUSED' }, updateMask: 'status' }] }),
		});
		assert.equal(mutate.status, 200, await mutate.text());
		const { status, body } = await search(`SELECT ${FIELDS}, customer.time_zone FROM change_event WHERE ${range(sandboxNow() - 24 * HOUR, sandboxNow() + HOUR)} ORDER BY change_event.change_date_time DESC LIMIT 100`);
		assert.equal(status, 200, JSON.stringify(body));
		const rows = (body.results as Array<{ changeEvent: Json; customer: Json }>).filter((r) => r.changeEvent.campaign === `customers/${account.id}/campaigns/${campaign.id}`);
		assert.equal(rows.length, 2);
		const [api, manual] = rows as [{ changeEvent: Json; customer: Json }, { changeEvent: Json; customer: Json }];
		assert.equal(api.changeEvent.changeResourceType, 'CAMPAIGN');
		assert.equal(api.changeEvent.clientType, 'GOOGLE_ADS_API');
		assert.deepEqual(api.changeEvent.oldResource, { campaign: { status: 'ENABLED' } });
		assert.deepEqual(api.changeEvent.newResource, { campaign: { status: 'PAUSED' } });
		assert.equal(api.changeEvent.changedFields, 'status');
		assert.equal(manual.changeEvent.changeResourceType, 'CAMPAIGN_BUDGET');
		assert.equal(manual.changeEvent.changeResourceName, `customers/${account.id}/campaignBudgets/${campaign.budgetId}`);
		assert.equal(manual.changeEvent.clientType, 'GOOGLE_ADS_WEB_CLIENT');
		assert.equal(manual.changeEvent.userEmail, 'jane.doe@example.com');
		assert.equal(manual.changeEvent.resourceChangeOperation, 'UPDATE');
		assert.deepEqual(manual.changeEvent.oldResource, { campaignBudget: { amountMicros: String(Math.round(start * 1_000_000)) } }, 'INT64 as a string, as REST JSON writes it');
		assert.deepEqual(manual.changeEvent.newResource, { campaignBudget: { amountMicros: String(Math.round((start + 15) * 1_000_000)) } });
		assert.match(String(manual.changeEvent.changeDateTime), /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{6}$/, "the account's wall clock with microseconds");
		assert.equal(String(manual.changeEvent.changeDateTime).slice(0, 19), wall(editAt, account.timezone));
		assert.match(String(manual.changeEvent.resourceName), new RegExp(`^customers/${account.id}/changeEvents/\\d+~\\d+~0$`));
		assert.equal(api.customer.timeZone, account.timezone);
		// a range that ends before the edit lists neither; a type filter keeps the budget event only
		const none = await search(`SELECT ${FIELDS} FROM change_event WHERE ${range(sandboxNow() - 24 * HOUR, sandboxNow() - 4 * HOUR)} LIMIT 100`);
		assert.equal(((none.body.results as unknown[] | undefined) ?? []).length, 0);
		const budgets = await search(`SELECT ${FIELDS} FROM change_event WHERE ${range(sandboxNow() - 24 * HOUR, sandboxNow() + HOUR)} AND change_event.change_resource_type IN ('CAMPAIGN_BUDGET') LIMIT 100`);
		assert.deepEqual((budgets.body.results as Array<{ changeEvent: Json }>).map((r) => r.changeEvent.changeResourceType), ['CAMPAIGN_BUDGET']);
	});

	it("refuses a query Google refuses, with Google's changeEventError codes and messages", async () => {
		const cases: Array<[string, string, string]> = [
			[`SELECT ${FIELDS} FROM change_event LIMIT 10`, 'CHANGE_DATE_RANGE_INFINITE', 'The change_event search request must specify a finite range filter on change_date_time.'],
			[`SELECT ${FIELDS} FROM change_event WHERE change_event.change_date_time >= '${addDays(TODAY, -2)}' LIMIT 10`, 'CHANGE_DATE_RANGE_INFINITE', 'The change_event search request must specify a finite range filter on change_date_time.'],
			[`SELECT ${FIELDS} FROM change_event WHERE ${range(sandboxNow() - HOUR, sandboxNow() - 2 * HOUR)} LIMIT 10`, 'CHANGE_DATE_RANGE_NEGATIVE', 'The change event search request has specified invalid date time filters that can never logically produce any valid results (for example, start time after end time).'],
			[`SELECT ${FIELDS} FROM change_event WHERE change_event.change_date_time >= '${addDays(TODAY, -32)}' AND change_event.change_date_time <= '${TODAY}' LIMIT 10`, 'START_DATE_TOO_OLD', 'The requested start date is too old. It cannot be older than 30 days.'],
			[`SELECT ${FIELDS} FROM change_event WHERE ${range(sandboxNow() - HOUR, sandboxNow())}`, 'LIMIT_NOT_SPECIFIED', 'The change_event search request must specify a LIMIT.'],
			[`SELECT ${FIELDS} FROM change_event WHERE ${range(sandboxNow() - HOUR, sandboxNow())} LIMIT 10001`, 'INVALID_LIMIT_CLAUSE', 'The LIMIT specified by change_event request should be less than or equal to 10K.'],
		];
		for (const [query, code, message] of cases) {
			const { status, body } = await search(query);
			assert.equal(status, 400, query);
			assert.equal((body.error as Json).status, 'INVALID_ARGUMENT');
			const f = failure(body);
			assert.deepEqual(f.errorCode, { changeEventError: code }, query);
			assert.equal(f.message, message);
			// the code is one the library's own enum knows
			assert.equal(typeof (errors as unknown as Record<string, Record<string, Record<string, unknown>>>).ChangeEventErrorEnum!.ChangeEventError![code], 'number');
		}
		// exactly 30 days back and a LIMIT of 10,000 are answered
		const edge = await search(`SELECT ${FIELDS} FROM change_event WHERE change_event.change_date_time >= '${addDays(TODAY, -30)}' AND change_event.change_date_time <= '${addDays(TODAY, 1)}' LIMIT 10000`);
		assert.equal(edge.status, 200, JSON.stringify(edge.body));
	});
});

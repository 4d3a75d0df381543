import assert from 'node:assert/strict';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { APIErrorCode, Client, LogLevel, isFullPage, type PageObjectResponse } from '@notionhq/client';
import { startSandbox, type Sandbox } from '../../../scripts/sandbox';

const text = (content: string) => [{ type: 'text' as const, text: { content } }];

describe('sandbox: Notion API with @notionhq/client v5', () => {
	let sb: Sandbox;
	let notion: Client;
	let dsId: string;
	beforeAll(async () => {
		sb = await startSandbox({ seed: 1, today: '2025-03-10' });
		notion = new Client({ auth: sb.credentials.notion.token, baseUrl: sb.urls.notion, logLevel: LogLevel.ERROR, retry: { maxRetries: 2, initialRetryDelayMs: 10, maxRetryDelayMs: 2000 } });
		dsId = sb.world.notion.approvalDataSourceId;
	});
	afterAll(() => sb.close());

	const card = (title: string, kind: string, status: string, proposalId: string) => ({
		parent: { type: 'data_source_id' as const, data_source_id: dsId },
		properties: {
			Name: { title: text(title) },
			Kind: { select: { name: kind } },
			Status: { status: { name: status } },
			'Proposal ID': { rich_text: text(proposalId) },
			'Requested at': { date: { start: '2025-03-10T08:00:00.000Z' } },
		},
	});

	it('users, database and data source reads', async () => {
		const me = await notion.users.me({});
		assert.equal(me.type, 'bot');
		const users = await notion.users.list({});
		assert.ok(users.results.some((u) => u.name === 'Maya Lopez'));
		const db = await notion.databases.retrieve({ database_id: sb.world.notion.approvalDatabaseId });
		assert.ok('data_sources' in db && db.data_sources[0]!.id === dsId);
		const ds = await notion.dataSources.retrieve({ data_source_id: dsId });
		assert.ok('properties' in ds);
		assert.equal(ds.properties.Status!.type, 'status');
	});

	it('creates pages, queries with compound filters and sorts, pages through, updates', async () => {
		const a = await notion.pages.create(card('Scale winners +15%', 'optimization', 'Pending', 'p-1'));
		await notion.pages.create(card('New headline set', 'creative', 'Pending', 'p-2'));
		await notion.pages.create(card('Hide spam comment', 'moderation', 'Approved', 'p-3'));
		assert.ok(isFullPage(a));
		assert.equal((a as PageObjectResponse).parent.type, 'data_source_id');

		const pending = await notion.dataSources.query({
			data_source_id: dsId,
			filter: { and: [{ property: 'Status', status: { equals: 'Pending' } }, { or: [{ property: 'Kind', select: { equals: 'optimization' } }, { property: 'Name', title: { contains: 'headline' } }] }] },
			sorts: [{ property: 'Proposal ID', direction: 'ascending' }],
		});
		const ids = pending.results.map((p) => ((p as PageObjectResponse).properties['Proposal ID'] as { rich_text: Array<{ plain_text: string }> }).rich_text[0]!.plain_text);
		assert.deepEqual(ids, ['p-1', 'p-2']);

		const first = await notion.dataSources.query({ data_source_id: dsId, page_size: 2 });
		assert.equal(first.has_more, true);
		const second = await notion.dataSources.query({ data_source_id: dsId, page_size: 2, start_cursor: first.next_cursor! });
		const total = sb.world.notion.pages.filter((p) => p.parent.type === 'data_source_id').length;
		assert.equal(first.results.length + second.results.length, Math.min(4, total));

		const updated = (await notion.pages.update({ page_id: a.id, properties: { Status: { status: { name: 'Executed' } } } })) as PageObjectResponse;
		assert.equal((updated.properties.Status as { status: { name: string } }).status.name, 'Executed');
		assert.equal(updated.last_edited_by.id, sb.world.notion.botUserId);
		assert.match(updated.last_edited_time, /:00\.000Z$/, 'rounded to the minute like Notion');

		const bad = await notion.pages.update({ page_id: a.id, properties: { Status: { status: { name: 'Shipped' } } } }).catch((e: unknown) => e);
		assert.equal((bad as { code: string }).code, APIErrorCode.ValidationError);
		const tooLong = await notion.pages.create(card('x'.repeat(2001), 'creative', 'Pending', 'p-9')).catch((e: unknown) => e);
		assert.equal((tooLong as { code: string }).code, APIErrorCode.ValidationError);
	});

	it('an admin click records the person as last_edited_by and is visible to pollers', async () => {
		const page = await notion.pages.create(card('Pause competitor campaign', 'optimization', 'Pending', 'p-click'));
		const maya = sb.world.notion.users.find((u) => u.name === 'Maya Lopez')!;
		const res = await fetch(`${sb.url}/_admin/notion/pages/${page.id}/edit`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ user: 'Maya Lopez', properties: { Status: { status: { name: 'Approved' } }, 'Decided by': { people: [{ id: maya.id }] } } }),
		});
		assert.equal(res.status, 200);
		const approved = await notion.dataSources.query({
			data_source_id: dsId,
			filter: { and: [{ property: 'Status', status: { equals: 'Approved' } }, { property: 'Decided by', people: { contains: maya.id } }, { timestamp: 'last_edited_time', last_edited_time: { on_or_after: '2000-01-01T00:00:00Z' } }] },
		});
		assert.deepEqual(approved.results.map((p) => p.id), [page.id]);
		const fetched = (await notion.pages.retrieve({ page_id: page.id })) as PageObjectResponse;
		assert.equal(fetched.last_edited_by.id, maya.id);
	});

	it('the approval data source has a Result text property that pages.update can set', async () => {
		const ds = await notion.dataSources.retrieve({ data_source_id: dsId });
		assert.ok('properties' in ds);
		assert.deepEqual(ds.properties.Result, { id: 'rslt', name: 'Result', type: 'rich_text', rich_text: {} });
		const names = Object.keys(ds.properties);
		assert.equal(names.indexOf('Result'), names.indexOf('Proposal ID') + 1, 'listed after Proposal ID');

		const historic = (await notion.dataSources.query({ data_source_id: dsId, filter: { property: 'Proposal ID', rich_text: { starts_with: 'historic-' } } })).results as PageObjectResponse[];
		assert.equal(historic.length, 3);
		for (const p of historic) assert.deepEqual(p.properties.Result, { id: 'rslt', type: 'rich_text', rich_text: [] });

		const page = await notion.pages.create(card('Raise budget on Spring Sale', 'optimization', 'Approved', 'p-result'));
		assert.deepEqual((page as PageObjectResponse).properties.Result, { id: 'rslt', type: 'rich_text', rich_text: [] }, 'empty until set');
		const updated = (await notion.pages.update({ page_id: page.id, properties: { Status: { status: { name: 'Executed' } }, Result: { rich_text: text('Budget 50.00 → 57.50 USD (receipt 1)') } } })) as PageObjectResponse;
		const result = updated.properties.Result as { type: string; rich_text: Array<{ plain_text: string }> };
		assert.equal(result.type, 'rich_text');
		assert.equal(result.rich_text.map((t) => t.plain_text).join(''), 'Budget 50.00 → 57.50 USD (receipt 1)');
		const executed = await notion.dataSources.query({ data_source_id: dsId, filter: { property: 'Result', rich_text: { contains: 'receipt 1' } } });
		assert.deepEqual(executed.results.map((p) => p.id), [page.id]);
	});

	it('creates a database with an initial data source; rejects a bad token; honours 429 Retry-After', async () => {
		const db = await notion.databases.create({
			parent: { type: 'page_id', page_id: sb.world.notion.workspacePageId },
			title: text('Provisioned approvals'),
			initial_data_source: { properties: { Name: { title: {} }, Kind: { select: { options: [{ name: 'creative' }] } }, Score: { number: {} }, Done: { checkbox: {} } } },
		});
		assert.ok('data_sources' in db && db.data_sources.length === 1);
		const ds = await notion.dataSources.retrieve({ data_source_id: db.data_sources[0]!.id });
		assert.deepEqual(Object.keys((ds as { properties: object }).properties).sort(), ['Done', 'Kind', 'Name', 'Score']);

		const wrong = new Client({ auth: 'ntn_wrong', baseUrl: sb.urls.notion, logLevel: LogLevel.ERROR, retry: false });
		const err = await wrong.users.me({}).catch((e: unknown) => e);
		assert.equal((err as { code: string }).code, APIErrorCode.Unauthorized);

		sb.injectFault({ route: 'notion.query', kind: '429', retryAfter: 1 });
		const started = Date.now();
		const res = await notion.dataSources.query({ data_source_id: dsId, page_size: 1 });
		assert.equal(res.results.length, 1);
		assert.ok(Date.now() - started >= 950);
		assert.deepEqual(sb.requests({ route: 'notion.query' }).slice(-2).map((e) => e.status), [429, 200]);
	});
});

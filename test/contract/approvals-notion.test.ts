/**
 * The approval loop against the sandbox's Notion API (through
 * @notionhq/client v5) and a real store: PGlite always, PostgreSQL when
 * DATABASE_URL is set (fresh random schema, dropped afterwards).
 *
 * Decisions are made the way a person makes them: the sandbox's admin route
 * edits a card as a named Notion user (`last_edited_by` is that user).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, test } from 'vitest';
import { promisify } from 'node:util';
import { Pool } from 'pg';
import { renderAlert } from '../../nodes/shared/alerts/message';
import { proposalAlert } from '../../nodes/shared/alerts/proposal';
import { alertEventFor, ApprovalQueue, ExecutorRegistry, type ApprovalEvent, type ProposalInput } from '../../nodes/shared/approvals';
import { textsOf } from '../helpers/blocks';
import type { Json } from '../../nodes/shared/schema/rows';
import { openStore, type Store } from '../../nodes/shared/store';
import { startSandbox, type Sandbox } from '../../scripts/sandbox';
import { provisionApprovalDatabase } from '../../scripts/notion/approval-database';

const DATABASE_URL = process.env.DATABASE_URL;
const KIND = 'test.echo';
/** One PGlite database for the file (its first open runs initdb, ~5 s); suites use distinct proposal ids and data sources. */
const pgliteDir = mkdtempSync(join(tmpdir(), 'adops-approvals-'));

type Person = 'Maya Lopez' | 'Sam Okafor' | 'Priya Nair' | 'Casey Contractor';

/** A store whose chosen method throws once: a crash at that point. */
function crashingStore(store: Store, method: 'completeAction' | 'update', when: (args: unknown[]) => boolean): Store {
	let crashed = false;
	return new Proxy(store, {
		get(target, prop, receiver) {
			const value = Reflect.get(target, prop, receiver) as unknown;
			if (prop !== method || typeof value !== 'function') return typeof value === 'function' ? value.bind(target) : value;
			return async (...args: unknown[]) => {
				if (!crashed && when(args)) {
					crashed = true;
					throw new Error(`simulated crash in ${method}`);
				}
				return (value as (...a: unknown[]) => unknown).apply(target, args);
			};
		},
	});
}

function registerSuite(name: string, open: () => Promise<Store>): void {
	describe(`approval loop against the sandbox's Notion (${name})`, () => {
		let sb: Sandbox;
		let store: Store;
		let dataSourceId: string;
		let queue: ApprovalQueue;
		let registry: ExecutorRegistry;
		/** Side effects performed, by proposal id. */
		const calls = new Map<string, number>();
		/** Proposals whose executor throws on its next call. */
		const failNext = new Set<string>();
		let seq = 0;

		const userId = (name: Person) => sb.world.notion.users.find((u) => u.name === name)!.id;
		const userEmail = (name: Person) => sb.world.notion.users.find((u) => u.name === name)!.email!;

		const proposal = (overrides: Partial<ProposalInput> = {}): ProposalInput => {
			seq++;
			const id = `test-${randomBytes(3).toString('hex')}-${seq}`;
			return {
				id,
				kind: KIND,
				title: `Raise budget of campaign ${seq} by 10%`,
				payload: { action: 'set_budget', campaignId: `c-${seq}`, amount: 110 + seq },
				evidence: { rule: 'scale-winners', roas7d: 4.1 },
				platform: 'meta',
				accountId: '998877',
				entity: `campaign c-${seq}`,
				proposedChange: `Daily budget 100.00 → ${110 + seq}.00 USD`,
				impact: '+10% spend',
				...overrides,
			};
		};

		/** A person clicking on the card in Notion. */
		async function click(pageId: string, user: Person, properties: Record<string, unknown>): Promise<void> {
			const res = await fetch(`${sb.url}/_admin/notion/pages/${pageId}/edit`, {
				method: 'POST',
				headers: { 'content-type': 'application/json' },
				body: JSON.stringify({ user, properties }),
			});
			assert.equal(res.status, 200, await res.text());
		}
		const setStatus = (pageId: string, user: Person, status: string, extra: Record<string, unknown> = {}) => click(pageId, user, { Status: { select: { name: status } }, ...extra });

		function card(pageId: string) {
			const page = sb.world.notion.pages.find((p) => p.id === pageId)!;
			const status = (page.properties.Status?.select as { name: string } | null)?.name;
			const decidedBy = ((page.properties['Decided by']?.people as Array<{ id: string }>) ?? []).map((u) => u.id);
			return { status, decidedBy, lastEditedBy: page.lastEditedBy };
		}

		async function queued(overrides: Partial<ProposalInput> = {}): Promise<{ id: string; pageId: string }> {
			const [event] = await queue.enqueue([proposal(overrides)]);
			assert.equal(event!.type, 'queued');
			return { id: event!.proposalId, pageId: event!.pageId! };
		}

		const mine = (events: ApprovalEvent[], id: string) => events.filter((e) => e.proposalId === id);
		const ledger = async (id: string) => (await store.select('action_ledger', { where: { target: id } }));

		beforeAll(async () => {
			sb = await startSandbox({ seed: 7 });
			store = await open();
			const db = await provisionApprovalDatabase({ token: sb.credentials.notion.token, baseUrl: sb.urls.notion, parentPageId: sb.world.notion.workspacePageId, title: 'Approvals under test' });
			dataSourceId = db.dataSourceId;
			registry = new ExecutorRegistry();
			registry.register(KIND, async (payload, ctx) => {
				if (failNext.delete(ctx.proposal.id)) throw new Error('platform said 503');
				calls.set(ctx.proposal.id, (calls.get(ctx.proposal.id) ?? 0) + 1);
				return { applied: payload, attempt: ctx.attempt };
			});
			queue = new ApprovalQueue({
				store,
				notion: { token: sb.credentials.notion.token, baseUrl: sb.urls.notion, dataSourceId, retry: { maxRetries: 3, initialRetryDelayMs: 10, maxRetryDelayMs: 2000 } },
				approvers: [userId('Maya Lopez'), userEmail('Sam Okafor')],
			});
		});
		afterAll(async () => {
			await store?.close();
			await sb?.close();
		});

		test('enqueue creates one card per proposal with every property, and re-running never duplicates it', async () => {
			const a = proposal();
			const b = proposal();
			const first = await queue.enqueue([a, b]);
			assert.deepEqual(first.map((e) => [e.type, e.created]), [['queued', true], ['queued', true]]);
			const again = await queue.enqueue([a, b]);
			assert.deepEqual(again.map((e) => [e.type, e.created, e.pageId]), first.map((e) => ['queued', false, e.pageId]));

			// A crash after creating the card but before recording its id: the card is found by Proposal ID.
			await store.update('approvals', { proposal_id: a.id }, { notion_page_id: null });
			const recovered = await queue.enqueue([a]);
			assert.equal(recovered[0]!.created, false);
			assert.equal(recovered[0]!.pageId, first[0]!.pageId);
			const cards = sb.world.notion.pages.filter((p) => p.parent.type === 'data_source_id' && p.parent.dataSourceId === dataSourceId && JSON.stringify(p.properties['Proposal ID']).includes(a.id));
			assert.equal(cards.length, 1);

			const props = cards[0]!.properties;
			const text = (k: string) => ((props[k]?.title ?? props[k]?.rich_text) as Array<{ plain_text: string }>).map((t) => t.plain_text).join('');
			assert.equal(text('Name'), a.title);
			assert.equal((props.Kind!.select as { name: string }).name, KIND);
			assert.equal((props.Status!.select as { name: string }).name, 'Pending');
			assert.equal((props.Platform!.select as { name: string }).name, 'meta');
			assert.equal(text('Account'), '998877');
			assert.equal(text('Proposed change'), a.proposedChange);
			assert.equal(text('Evidence'), 'roas7d: 4.1\nrule: scale-winners');
			assert.equal(text('Impact'), '+10% spend');
			assert.equal(text('Proposal ID'), a.id);
			assert.ok((props['Requested at']!.date as { start: string }).start);
			assert.ok((props['Expires at']!.date as { start: string }).start > (props['Requested at']!.date as { start: string }).start);

			await assert.rejects(queue.enqueue([{ ...a, payload: { action: 'set_budget', amount: 9999 } }]), /already queued with a different payload/);
			const stored = await queue.get(a.id);
			assert.equal(stored!.status, 'pending');
			assert.equal(stored!.notionPageId, first[0]!.pageId);
		});

		test('approve in Notion → sync records who decided → executes exactly once, however often it runs', async () => {
			const { id, pageId } = await queued();
			await setStatus(pageId, 'Maya Lopez', 'Approved');
			const sync = await queue.syncDecisions();
			const [approved] = mine(sync.events, id);
			assert.equal(approved!.type, 'approved');
			assert.deepEqual(approved!.decidedBy, { source: 'notion', id: userId('Maya Lopez'), name: 'Maya Lopez', email: userEmail('Maya Lopez') });
			assert.match(approved!.message, /Maya Lopez .* approved/);
			assert.equal((await queue.get(id))!.decidedBy, `notion:${userId('Maya Lopez')}`);
			assert.deepEqual(card(pageId).decidedBy, [userId('Maya Lopez')], 'the card shows who decided');
			assert.deepEqual(mine((await queue.syncDecisions()).events, id), [], 're-reading the card (overlapping window) is a no-op');

			const [run1, run2] = await Promise.all([queue.executeApproved(registry), queue.executeApproved(registry)]);
			const runs = [...mine(run1!, id), ...mine(run2!, id)];
			assert.equal(runs.filter((e) => e.type === 'executed' && e.executedNow).length, 1, JSON.stringify(runs));
			assert.deepEqual(mine(await queue.executeApproved(registry), id), []);
			assert.equal(calls.get(id), 1);
			const p = (await queue.get(id))!;
			assert.equal(p.status, 'executed');
			assert.deepEqual((p.result as { attempt: number }).attempt, 1);
			assert.equal(card(pageId).status, 'Executed');
			const entries = await ledger(id);
			assert.equal(entries.length, 1);
			assert.equal(entries[0]!.idempotency_key, `approval:${id}:${p.payloadHash}`);
			assert.deepEqual([entries[0]!.status, entries[0]!.attempts], ['succeeded', 1]);
		});

		test('the executed event and its Slack alert name the approver with name and email; the stored id when Notion does not know the person', async () => {
			const named = await queued();
			await setStatus(named.pageId, 'Maya Lopez', 'Approved');
			await queue.syncDecisions();
			const unknown = await queued();
			await setStatus(unknown.pageId, 'Maya Lopez', 'Approved');
			await queue.syncDecisions();
			const ghost = '0f3c9d1e-5b7a-4c2e-9a8b-1d2e3f4a5b6c';
			await store.update('approvals', { proposal_id: unknown.id }, { decided_by: `notion:${ghost}` });

			const events = await queue.executeApproved(registry, { proposalIds: [named.id, unknown.id] });
			const [executed] = mine(events, named.id);
			assert.equal(executed!.type, 'executed');
			assert.deepEqual(executed!.decidedBy, { source: 'notion', id: userId('Maya Lopez'), name: 'Maya Lopez', email: userEmail('Maya Lopez') });
			const alert = alertEventFor(executed!, (await queue.get(named.id))!);
			assert.equal(alert?.type === 'executed' && alert.decidedBy, `Maya Lopez <${userEmail('Maya Lopez')}>`);
			const shown = renderAlert(proposalAlert(alert!)).blocks.flatMap(textsOf).join('\n');
			assert.match(shown, new RegExp(`Approved by\\*\\nMaya Lopez &lt;${userEmail('Maya Lopez').replace(/\./g, '\\.')}&gt;`));
			assert.doesNotMatch(shown, new RegExp(userId('Maya Lopez')));

			const [fallback] = mine(events, unknown.id);
			assert.deepEqual(fallback!.decidedBy, { source: 'notion', id: ghost });
			const fallbackAlert = alertEventFor(fallback!, (await queue.get(unknown.id))!);
			assert.equal(fallbackAlert?.type === 'executed' && fallbackAlert.decidedBy, `Notion user ${ghost}`);
		});

		test('an executor that fails is not retried by itself; an explicit retry runs it once more', async () => {
			const { id, pageId } = await queued();
			failNext.add(id);
			await setStatus(pageId, 'Sam Okafor', 'Approved');
			await queue.syncDecisions();
			const [failed] = mine(await queue.executeApproved(registry), id);
			assert.equal(failed!.type, 'failed');
			assert.match(failed!.error!, /503/);
			assert.equal(card(pageId).status, 'Failed');
			assert.deepEqual(mine(await queue.executeApproved(registry), id), [], 'no automatic retry');
			assert.deepEqual(mine(await queue.executeApproved(registry, { retryFailed: ['someone-else'] }), id), []);

			const [retried] = mine(await queue.executeApproved(registry, { retryFailed: [id] }), id);
			assert.deepEqual([retried!.type, retried!.attempts, retried!.executedNow], ['executed', 2, true]);
			assert.deepEqual(mine(await queue.executeApproved(registry, { retryFailed: true }), id), []);
			assert.equal(calls.get(id), 1, 'the side effect happened once');
			assert.equal(card(pageId).status, 'Executed');
			const [entry] = await ledger(id);
			assert.deepEqual([entry!.status, entry!.attempts], ['succeeded', 2]);
		});

		test('a crash between the side effect and the write-back never executes again; the open claim is reported', async () => {
			const { id, pageId } = await queued();
			await setStatus(pageId, 'Maya Lopez', 'Approved');
			await queue.syncDecisions();
			const crashing = new ApprovalQueue({ store: crashingStore(store, 'completeAction', () => true), notion: { client: queue.notion, dataSourceId } });
			await assert.rejects(crashing.executeApproved(registry, { proposalIds: [id] }), /simulated crash/);
			assert.equal(calls.get(id), 1);

			const [stuck] = mine(await queue.executeApproved(registry), id);
			assert.equal(stuck!.type, 'stuck');
			assert.match(stuck!.message, /not run again automatically/);
			assert.deepEqual(mine(await queue.executeApproved(registry, { retryFailed: true }), id).map((e) => e.type), ['stuck']);
			assert.equal(calls.get(id), 1, 'never executed twice');
			assert.equal((await ledger(id))[0]!.status, 'claimed');

			// A person checked the platform: it did happen.
			const resolved = await queue.resolveStuck(id, { status: 'succeeded', result: { checked: true } });
			assert.deepEqual([resolved.type, resolved.executedNow], ['executed', false]);
			assert.equal((await queue.get(id))!.status, 'executed');
			assert.equal(card(pageId).status, 'Executed');
			assert.equal(calls.get(id), 1);
		});

		test('a crash after the ledger write but before the proposal write-back is finished from the ledger, not re-run', async () => {
			const { id, pageId } = await queued();
			await setStatus(pageId, 'Maya Lopez', 'Approved');
			await queue.syncDecisions();
			const crashing = new ApprovalQueue({
				store: crashingStore(store, 'update', (args) => (args[2] as { status?: string }).status === 'executed'),
				notion: { client: queue.notion, dataSourceId },
			});
			await assert.rejects(crashing.executeApproved(registry, { proposalIds: [id] }), /simulated crash/);
			assert.equal((await queue.get(id))!.status, 'executing');
			const [finished] = mine(await queue.executeApproved(registry), id);
			assert.deepEqual([finished!.type, finished!.executedNow], ['executed', false]);
			assert.deepEqual((finished!.result as { attempt: number }).attempt, 1);
			assert.equal(calls.get(id), 1);
			assert.equal(card(pageId).status, 'Executed');
		});

		test('a crash after a failure was recorded in the ledger reports the failure; it is not retried by itself', async () => {
			const { id, pageId } = await queued();
			failNext.add(id);
			await setStatus(pageId, 'Maya Lopez', 'Approved');
			await queue.syncDecisions();
			const crashing = new ApprovalQueue({
				store: crashingStore(store, 'update', (args) => (args[2] as { status?: string }).status === 'failed'),
				notion: { client: queue.notion, dataSourceId },
			});
			await assert.rejects(crashing.executeApproved(registry, { proposalIds: [id] }), /simulated crash/);
			const [failed] = mine(await queue.executeApproved(registry), id);
			assert.deepEqual([failed!.type, failed!.status, failed!.error], ['failed', 'failed', 'platform said 503']);
			assert.equal(card(pageId).status, 'Failed');
			assert.equal(calls.get(id), undefined, 'not re-run without an explicit retry');
			assert.deepEqual(mine(await queue.executeApproved(registry, { retryFailed: [id] }), id).map((e) => e.type), ['executed']);
			assert.equal(calls.get(id), 1);
		});

		test('a card edited after it was queued is refused, flagged and rejected; approving it again changes nothing', async () => {
			const { id, pageId } = await queued();
			await click(pageId, 'Priya Nair', { 'Proposed change': { rich_text: [{ type: 'text', text: { content: 'Daily budget 100.00 → 900.00 USD' } }] } });
			await setStatus(pageId, 'Maya Lopez', 'Approved');
			const [refused] = mine((await queue.syncDecisions()).events, id);
			assert.deepEqual([refused!.type, refused!.reason, refused!.flagged, refused!.status], ['refused', 'edited_after_queue', true, 'rejected']);
			assert.deepEqual(refused!.changedFields, ['proposedChange']);
			assert.match(refused!.message, /edited after it was queued \(proposedChange changed\).*nothing executed/);
			assert.equal(card(pageId).status, 'Rejected');
			const p = (await queue.get(id))!;
			assert.deepEqual([p.status, p.flag], ['rejected', 'edited_after_queue']);

			await setStatus(pageId, 'Maya Lopez', 'Approved');
			const [again] = mine((await queue.syncDecisions()).events, id);
			assert.deepEqual([again!.type, again!.reason], ['refused', 'already_decided']);
			assert.deepEqual(mine(await queue.executeApproved(registry), id), []);
			assert.equal(calls.get(id), undefined);
			assert.deepEqual(await ledger(id), []);
		});

		test('an approver not on the allow-list is refused (also when naming someone else in Decided by); an approver on it then counts', async () => {
			const { id, pageId } = await queued();
			await setStatus(pageId, 'Casey Contractor', 'Approved', { 'Decided by': { people: [{ id: userId('Maya Lopez') }] } });
			const [refused] = mine((await queue.syncDecisions()).events, id);
			assert.deepEqual([refused!.type, refused!.reason, refused!.status, refused!.decidedBy?.name], ['refused', 'approver_not_allowed', 'pending', 'Casey Contractor']);
			assert.match(refused!.message, /Casey Contractor .* is not on the approver allow-list; .*nothing executed/);
			assert.deepEqual([card(pageId).status, card(pageId).decidedBy], ['Pending', []]);
			assert.deepEqual(mine(await queue.executeApproved(registry), id), []);
			assert.equal((await queue.get(id))!.flag, 'approver_not_allowed');

			await setStatus(pageId, 'Sam Okafor', 'Approved'); // allow-listed by email
			assert.deepEqual(mine((await queue.syncDecisions()).events, id).map((e) => e.type), ['approved']);
			assert.deepEqual(mine(await queue.executeApproved(registry), id).map((e) => e.type), ['executed']);
			assert.equal(calls.get(id), 1);
		});

		test('a rejected proposal never executes, even when its card is approved later', async () => {
			const { id, pageId } = await queued();
			await setStatus(pageId, 'Priya Nair', 'Rejected'); // anyone may stop a proposal
			const [rejected] = mine((await queue.syncDecisions()).events, id);
			assert.deepEqual([rejected!.type, rejected!.decidedBy?.name], ['rejected', 'Priya Nair']);
			await setStatus(pageId, 'Maya Lopez', 'Approved');
			const [refused] = mine((await queue.syncDecisions()).events, id);
			assert.deepEqual([refused!.type, refused!.reason], ['refused', 'already_decided']);
			assert.match(refused!.message, /already rejected; a rejected proposal never executes/);
			assert.equal(card(pageId).status, 'Rejected');
			assert.deepEqual(mine(await queue.executeApproved(registry), id), []);
			assert.equal(calls.get(id), undefined);
		});

		test('expiry: pending past expiry becomes Expired; approvals after expiry never execute', async () => {
			const now = Date.now();
			const { id, pageId } = await queued({ expiresAt: new Date(now + 120_000).toISOString() });
			const expired = mine(await queue.expire(new Date(now + 180_000)), id);
			assert.deepEqual(expired.map((e) => [e.type, e.status]), [['expired', 'expired']]);
			assert.equal(card(pageId).status, 'Expired');
			await setStatus(pageId, 'Maya Lopez', 'Approved');
			assert.deepEqual(mine((await queue.syncDecisions()).events, id).map((e) => e.reason), ['already_decided']);

			// Approved in Notion after the expiry, before anything expired it in the store.
			const late = await queued({ requestedAt: new Date(now - 600_000).toISOString(), expiresAt: new Date(now - 300_000).toISOString() });
			await setStatus(late.pageId, 'Maya Lopez', 'Approved');
			const [refused] = mine((await queue.syncDecisions()).events, late.id);
			assert.deepEqual([refused!.type, refused!.reason, refused!.status], ['refused', 'approved_after_expiry', 'expired']);
			assert.equal(card(late.pageId).status, 'Expired');
			assert.deepEqual([...mine(await queue.executeApproved(registry), id), ...mine(await queue.executeApproved(registry), late.id)], []);
			assert.equal(calls.get(id), undefined);
			assert.equal(calls.get(late.id), undefined);
		});

		test('Notion 429 with Retry-After is honoured; a sync that fails outright loses no decision', async () => {
			const { id, pageId } = await queued();
			await setStatus(pageId, 'Maya Lopez', 'Approved');
			sb.injectFault({ route: 'notion.query', kind: '429', retryAfter: 1 });
			const started = Date.now();
			const sync = await queue.syncDecisions();
			assert.ok(Date.now() - started >= 950, 'waited for Retry-After');
			assert.deepEqual(mine(sync.events, id).map((e) => e.type), ['approved']);
			assert.deepEqual(sb.requests({ route: 'notion.query' }).slice(-2).map((e) => e.status), [429, 200]);

			// Retries exhausted (here: none allowed): the pass throws, the cursor stays, the next pass finds the decision.
			const second = await queued();
			await setStatus(second.pageId, 'Maya Lopez', 'Approved');
			const impatient = new ApprovalQueue({ store, notion: { token: sb.credentials.notion.token, baseUrl: sb.urls.notion, dataSourceId, retry: false }, approvers: [userId('Maya Lopez')] });
			const cursorBefore = await store.getState(`approvals.sync.${dataSourceId.replace(/-/g, '')}`);
			sb.injectFault({ route: 'notion.query', kind: '429', retryAfter: 1 });
			await assert.rejects(impatient.syncDecisions(), /rate limited/i);
			assert.deepEqual(await store.getState(`approvals.sync.${dataSourceId.replace(/-/g, '')}`), cursorBefore);
			assert.deepEqual(mine((await impatient.syncDecisions()).events, second.id).map((e) => e.type), ['approved']);
			const executed = await queue.executeApproved(registry);
			assert.deepEqual([...mine(executed, id), ...mine(executed, second.id)].map((e) => e.type), ['executed', 'executed']);
		});

		test('the poll cursor overlaps the minute-rounded last_edited_time and only moves forward', async () => {
			const key = `approvals.sync.${dataSourceId.replace(/-/g, '')}`;
			const result = await queue.syncDecisions();
			const cursor = (await store.getState<{ since: string }>(key))!.since;
			assert.equal(cursor, result.cursor);
			assert.ok(Date.parse(cursor) <= Math.floor(Date.now() / 60_000) * 60_000 - 5 * 60_000);
			assert.ok(result.since && result.since <= cursor);
			const { id, pageId } = await queued();
			await setStatus(pageId, 'Maya Lopez', 'Approved');
			const page = sb.world.notion.pages.find((p) => p.id === pageId)!;
			assert.match(page.lastEditedTime, /:00\.000Z$/);
			assert.deepEqual(mine((await queue.syncDecisions()).events, id).map((e) => e.type), ['approved']);
		});
	});
}

describe('approvals against the seeded sandbox database (Status as a Notion status property)', () => {
	let sb: Sandbox;
	let store: Store;
	beforeAll(async () => {
		sb = await startSandbox({ seed: 3 });
		store = await openStore({ kind: 'embedded', path: pgliteDir });
	});
	afterAll(async () => {
		await store?.close();
		await sb?.close();
	});

	test('enqueue, approve, execute once; history cards of other tools are ignored', async () => {
		const registry = new ExecutorRegistry();
		const seen: Json[] = [];
		registry.register(KIND, async (payload) => {
			seen.push(payload);
			return { ok: true };
		});
		const queue = new ApprovalQueue({ store, notion: { token: sb.credentials.notion.token, baseUrl: sb.urls.notion, dataSourceId: sb.world.notion.approvalDataSourceId } });
		const [q] = await queue.enqueue([{ id: 'seeded-1', kind: KIND, title: 'Pause "US | Competitors"', payload: { action: 'pause', campaignId: 'x' }, proposedChange: 'Status ENABLED → PAUSED' }]);
		assert.deepEqual((await queue.enqueue([{ id: 'seeded-1', kind: KIND, title: 'Pause "US | Competitors"', payload: { action: 'pause', campaignId: 'x' }, proposedChange: 'Status ENABLED → PAUSED' }])).map((e) => e.created), [false]);
		const res = await fetch(`${sb.url}/_admin/notion/pages/${q!.pageId}/edit`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user: 'Priya Nair', properties: { Status: { status: { name: 'Approved' } } } }) });
		assert.equal(res.status, 200);
		const sync = await queue.syncDecisions();
		assert.deepEqual(sync.events.map((e) => [e.proposalId, e.type]), [['seeded-1', 'approved']]);
		assert.ok(sync.unknown >= 1, 'the seeded history card (Rejected) is not ours');
		assert.deepEqual((await queue.executeApproved(registry)).map((e) => e.type), ['executed']);
		assert.deepEqual(await queue.executeApproved(registry), []);
		assert.deepEqual(seen, [{ action: 'pause', campaignId: 'x' }]);
		const page = sb.world.notion.pages.find((p) => p.id === q!.pageId)!;
		assert.equal((page.properties.Status!.status as { name: string }).name, 'Executed');
	});
});

describe('scripts/notion/provision.ts', () => {
	let sb: Sandbox;
	beforeAll(async () => {
		sb = await startSandbox({ seed: 5 });
	});
	afterAll(() => sb?.close());

	test('creates the approval database under a page and prints its ids', async () => {
		const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'scripts/notion/provision.ts', '--notion-url', sb.urls.notion, '--token', sb.credentials.notion.token, '--parent-page', sb.world.notion.workspacePageId, '--json'], { cwd: join(__dirname, '..', '..') });
		const out = JSON.parse(stdout) as { databaseId: string; dataSourceId: string; properties: string[] };
		const ds = sb.world.notion.dataSources.find((d) => d.id === out.dataSourceId)!;
		assert.equal(ds.databaseId, out.databaseId);
		assert.equal(sb.world.notion.databases.find((d) => d.id === out.databaseId)!.parentPageId, sb.world.notion.workspacePageId);
		assert.deepEqual(ds.properties.Status!.options!.map((o) => o.name), ['Pending', 'Approved', 'Rejected', 'Expired', 'Executing', 'Executed', 'Failed']);
		assert.equal(ds.properties['Decided by']!.type, 'people');

		const bad = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'scripts/notion/provision.ts', '--notion-url', sb.urls.notion, '--token', 'ntn_wrong', '--parent-page', sb.world.notion.workspacePageId], { cwd: join(__dirname, '..', '..') }).catch((e: { code: number; stderr: string }) => e);
		assert.equal((bad as { code: number }).code, 1);
		assert.match((bad as { stderr: string }).stderr, /provision: .*(invalid|unauthorized)/i);
		assert.doesNotMatch((bad as { stderr: string }).stderr, /ntn_wrong/);
	});
});

registerSuite('PGlite', () => openStore({ kind: 'embedded', path: pgliteDir }));
afterAll(() => rmSync(pgliteDir, { recursive: true, force: true }));

if (DATABASE_URL) {
	const schema = `adops_approvals_${randomBytes(5).toString('hex')}`;
	registerSuite(`PostgreSQL (schema ${schema})`, () => openStore({ kind: 'postgres', connectionString: DATABASE_URL, ssl: 'disable', schema }));
	afterAll(async () => {
		const admin = new Pool({ connectionString: DATABASE_URL, max: 1 });
		await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
		await admin.end();
	});
}

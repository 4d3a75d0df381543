/**
 * Approving and rejecting from Slack: a signed interaction request (built by
 * the sandbox's independent signer) goes through `handleSlackInteraction`
 * into the queue's decision path, against the sandbox's Notion and a real
 * store: PGlite always, PostgreSQL when DATABASE_URL is set.
 *
 * The buttons clicked are the ones `proposalAlert` puts on the awaiting
 * alert, so the value format is the one Slack really echoes back.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, test } from 'vitest';
import { Pool } from 'pg';
import { APPROVE_ACTION_ID, REJECT_ACTION_ID } from '../../nodes/shared/alerts/interaction';
import { proposalAlert } from '../../nodes/shared/alerts/proposal';
import { alertEventFor, ApprovalQueue, ExecutorRegistry, handleSlackInteraction, payloadHash, type ApprovalEvent, type ProposalInput, type SlackInteractionAnswer } from '../../nodes/shared/approvals';
import { openStore, type Store } from '../../nodes/shared/store';
import { startSandbox, type Sandbox } from '../../scripts/sandbox';
import { blockActionsPayload, signedInteraction } from '../../scripts/sandbox/slack-interaction';
import { provisionApprovalDatabase } from '../../scripts/notion/approval-database';

const DATABASE_URL = process.env.DATABASE_URL;
const KIND = 'test.echo';
const pgliteDir = mkdtempSync(join(tmpdir(), 'adops-approvals-slack-'));

/** Slack users of the sandbox workspace (scripts/sandbox/world.ts), and one more lead who has no Notion account. */
const SLACK = {
	maya: { id: 'U0MAYA0001', name: 'maya' },
	sam: { id: 'U0SAM00002', name: 'sam' },
	priya: { id: 'U0PRIYA003', name: 'priya' },
	lee: { id: 'U0LEE00004', name: 'lee' },
} as const;
type SlackPerson = keyof typeof SLACK;
type Person = 'Maya Lopez' | 'Sam Okafor' | 'Priya Nair' | 'Casey Contractor';

function registerSuite(name: string, open: () => Promise<Store>): void {
	describe(`approving from Slack (${name})`, () => {
		let sb: Sandbox;
		let store: Store;
		let dataSourceId: string;
		let queue: ApprovalQueue;
		let registry: ExecutorRegistry;
		let signingSecret: string;
		const calls = new Map<string, number>();
		let seq = 0;

		const userId = (n: Person) => sb.world.notion.users.find((u) => u.name === n)!.id;
		const userEmail = (n: Person) => sb.world.notion.users.find((u) => u.name === n)!.email!;

		const proposal = (overrides: Partial<ProposalInput> = {}): ProposalInput => {
			seq++;
			return {
				id: `slack-${randomBytes(3).toString('hex')}-${seq}`,
				kind: KIND,
				title: `Pause ad set ${seq}`,
				payload: { action: 'pause', adSetId: `as-${seq}` },
				evidence: { rule: 'cpa-guard', cpa7d: 88 },
				platform: 'meta',
				accountId: '998877',
				entity: `ad set as-${seq}`,
				proposedChange: 'Status ACTIVE → PAUSED',
				...overrides,
			};
		};

		interface Queued {
			id: string;
			pageId: string;
			hash: string;
			/** The value both buttons of the awaiting alert carry. */
			value: string;
		}

		async function queued(overrides: Partial<ProposalInput> = {}): Promise<Queued> {
			const [event] = await queue.enqueue([proposal(overrides)]);
			const p = (await queue.get(event!.proposalId))!;
			const alert = proposalAlert({ type: 'awaiting', proposal: { proposalId: p.id, kind: p.kind, title: p.title, payloadHash: p.payloadHash } });
			const buttons = alert.actions!;
			assert.deepEqual(
				buttons.map((b) => b.actionId),
				[APPROVE_ACTION_ID, REJECT_ACTION_ID],
			);
			return { id: p.id, pageId: event!.pageId!, hash: p.payloadHash, value: buttons[0]!.value };
		}

		/** A click as Slack sends it: the raw body and headers, signed. */
		function click(q: Pick<Queued, 'value'>, who: SlackPerson, decision: 'approve' | 'reject', options: { timestamp?: number; secret?: string } = {}) {
			const payload = blockActionsPayload({
				actionId: decision === 'approve' ? APPROVE_ACTION_ID : REJECT_ACTION_ID,
				value: q.value,
				userId: SLACK[who].id,
				userName: SLACK[who].name,
				messageTs: '1760000000.000100',
				responseUrl: 'https://hooks.slack.com/actions/T0ADOPS001/1/test',
			});
			return signedInteraction({ payload, timestamp: options.timestamp, signingSecret: options.secret ?? signingSecret });
		}

		const send = (req: { headers: Record<string, string>; body: string | Uint8Array }, q: ApprovalQueue = queue) => handleSlackInteraction({ queue: q, signingSecret, headers: req.headers, rawBody: req.body });

		function card(pageId: string) {
			const page = sb.world.notion.pages.find((p) => p.id === pageId)!;
			const status = (page.properties.Status?.select as { name: string } | null)?.name;
			const decidedBy = ((page.properties['Decided by']?.people as Array<{ id: string }>) ?? []).map((u) => u.id);
			return { status, decidedBy, lastEditedBy: page.lastEditedBy };
		}

		async function setStatus(pageId: string, user: Person, status: string): Promise<void> {
			const res = await fetch(`${sb.url}/_admin/notion/pages/${pageId}/edit`, {
				method: 'POST',
				headers: { 'content-type': 'application/json' },
				body: JSON.stringify({ user, properties: { Status: { select: { name: status } } } }),
			});
			assert.equal(res.status, 200, await res.text());
		}

		const mine = (events: ApprovalEvent[], id: string) => events.filter((e) => e.proposalId === id);
		const ledger = (id: string) => store.select('action_ledger', { where: { target: id } });
		/** A sync that reads every decided card again (fresh cursor): the strictest "would a sync decide this again?". */
		const fullSync = () => new ApprovalQueue({ store, notion: { client: queue.notion, dataSourceId }, approvers: [userId('Maya Lopez')], cursorKey: `fresh-${randomBytes(4).toString('hex')}` }).syncDecisions();

		async function assertUntouched(q: Queued, answer: SlackInteractionAnswer): Promise<void> {
			assert.deepEqual(answer.events, []);
			const p = (await queue.get(q.id))!;
			assert.deepEqual([p.status, p.decidedBy, p.decidedAt, p.flag], ['pending', null, null, null]);
			assert.deepEqual([card(q.pageId).status, card(q.pageId).decidedBy], ['Pending', []]);
		}

		beforeAll(async () => {
			sb = await startSandbox({ seed: 11 });
			store = await open();
			signingSecret = sb.credentials.slack.signingSecret;
			const db = await provisionApprovalDatabase({ token: sb.credentials.notion.token, baseUrl: sb.urls.notion, parentPageId: sb.world.notion.workspacePageId, title: 'Slack approvals under test' });
			dataSourceId = db.dataSourceId;
			registry = new ExecutorRegistry();
			registry.register(KIND, async (payload, ctx) => {
				calls.set(ctx.proposal.id, (calls.get(ctx.proposal.id) ?? 0) + 1);
				return { applied: payload };
			});
			queue = new ApprovalQueue({
				store,
				notion: { token: sb.credentials.notion.token, baseUrl: sb.urls.notion, dataSourceId, retry: { maxRetries: 3, initialRetryDelayMs: 10, maxRetryDelayMs: 2000 } },
				// Maya by Slack id, Sam by email (through the Slack → Notion mapping), Lee by Slack id with no Notion account; Maya also by Notion id for card clicks.
				approvers: [SLACK.maya.id, userEmail('Sam Okafor'), `slack:${SLACK.lee.id}`, userId('Maya Lopez')],
				slackUsers: { [SLACK.maya.id]: userId('Maya Lopez'), [SLACK.sam.id]: userEmail('Sam Okafor') },
			});
		});
		afterAll(async () => {
			await store?.close();
			await sb?.close();
		});

		test('a signed Approve click: approved in the store and on the card, executed exactly once; later clicks and syncs change nothing', async () => {
			const q = await queued();
			const answer = await send(click(q, 'maya', 'approve'));
			assert.equal(answer.status, 200);
			assert.equal(answer.outcome, 'decided');
			assert.deepEqual(answer.events.map((e) => [e.type, e.status, e.decidedBy]), [['approved', 'approved', { source: 'slack', id: SLACK.maya.id, name: 'maya' }]]);
			assert.equal(answer.reply?.url, 'https://hooks.slack.com/actions/T0ADOPS001/1/test');
			assert.deepEqual(answer.body, answer.reply?.message);
			assert.equal(answer.reply?.message.response_type, 'ephemeral');
			assert.match(answer.reply!.message.text, /@maya \(Slack U0MAYA0001\) approved "Pause ad set \d+" in Slack; it will execute once/);

			const p = (await queue.get(q.id))!;
			assert.equal(p.status, 'approved');
			assert.equal(p.decidedBy, `slack:${SLACK.maya.id}`);
			assert.ok(p.decidedAt);
			assert.deepEqual([card(q.pageId).status, card(q.pageId).decidedBy, card(q.pageId).lastEditedBy], ['Approved', [userId('Maya Lopez')], sb.world.notion.botUserId], 'the card shows the decision and the person');

			assert.deepEqual(mine((await queue.syncDecisions()).events, q.id), [], 'our own card edit is not a second decision');
			assert.deepEqual(mine((await fullSync()).events, q.id), []);

			const [run1, run2] = await Promise.all([queue.executeApproved(registry), queue.executeApproved(registry)]);
			const runs = [...mine(run1!, q.id), ...mine(run2!, q.id)];
			assert.equal(runs.filter((e) => e.type === 'executed' && e.executedNow).length, 1, JSON.stringify(runs));
			assert.deepEqual(mine(await queue.executeApproved(registry), q.id), []);
			assert.equal(calls.get(q.id), 1);
			assert.equal(card(q.pageId).status, 'Executed');
			assert.equal((await ledger(q.id)).length, 1);

			const again = await send(click(q, 'maya', 'approve'));
			assert.deepEqual([again.status, again.outcome], [200, 'unchanged']);
			assert.deepEqual(again.events.map((e) => [e.type, e.reason, e.status]), [['unchanged', 'already_decided', 'executed']]);
			assert.match(again.events[0]!.message, /already approved by Slack user U0MAYA0001 at .* and executed; this click changed nothing/);
			const late = await send(click(q, 'sam', 'reject'));
			assert.deepEqual(late.events.map((e) => [e.type, e.status]), [['unchanged', 'executed']]);
			assert.deepEqual(mine((await fullSync()).events, q.id), []);
			assert.equal(calls.get(q.id), 1);
			assert.equal((await queue.get(q.id))!.status, 'executed');
		});

		test('a stored Slack decider is shown with the email of the person it maps to (slackUsers); the Slack id alone without a mapping', async () => {
			assert.deepEqual(await queue.storedDecider(`slack:${SLACK.sam.id}`), { source: 'slack', id: SLACK.sam.id, email: userEmail('Sam Okafor') }, 'mapped to an email');
			assert.deepEqual(await queue.storedDecider(`slack:${SLACK.maya.id}`), { source: 'slack', id: SLACK.maya.id, email: userEmail('Maya Lopez') }, 'mapped to a Notion user: that user\'s email');
			assert.deepEqual(await queue.storedDecider(`slack:${SLACK.lee.id}`), { source: 'slack', id: SLACK.lee.id });
			assert.deepEqual(await queue.storedDecider(`notion:${userId('Sam Okafor')}`), { source: 'notion', id: userId('Sam Okafor'), name: 'Sam Okafor', email: userEmail('Sam Okafor') });
			assert.equal(await queue.storedDecider(null), undefined);
			assert.equal(await queue.storedDecider('a person'), undefined);

			const q = await queued();
			await send(click(q, 'sam', 'approve'));
			const [executed] = (await queue.executeApproved(registry, { proposalIds: [q.id] })).filter((e) => e.proposalId === q.id);
			assert.deepEqual(executed!.decidedBy, { source: 'slack', id: SLACK.sam.id, email: userEmail('Sam Okafor') });
			const alert = alertEventFor(executed!, (await queue.get(q.id))!);
			assert.equal(alert?.type === 'executed' && alert.decidedBy, `${userEmail('Sam Okafor')} (Slack)`);
		});

		test('a signed Reject click (anyone may stop a proposal): rejected, shown on the card, never executes; approving later changes nothing', async () => {
			const q = await queued();
			const answer = await send(click(q, 'priya', 'reject'));
			assert.deepEqual([answer.status, answer.outcome], [200, 'decided']);
			assert.deepEqual(answer.events.map((e) => [e.type, e.status]), [['rejected', 'rejected']]);
			assert.match(answer.reply!.message.text, /^:no_entry_sign: @priya \(Slack U0PRIYA003\) rejected .*; it will not execute\.$/);
			const p = (await queue.get(q.id))!;
			assert.deepEqual([p.status, p.decidedBy], ['rejected', `slack:${SLACK.priya.id}`]);
			assert.deepEqual([card(q.pageId).status, card(q.pageId).decidedBy], ['Rejected', []], 'Priya has no Notion mapping: Decided by stays empty, never someone else');

			assert.deepEqual(mine((await fullSync()).events, q.id), [], 'a sync neither decides again nor refuses the card we set');
			const second = await send(click(q, 'maya', 'approve'));
			assert.deepEqual(second.events.map((e) => [e.type, e.reason, e.status]), [['unchanged', 'already_decided', 'rejected']]);
			assert.match(second.events[0]!.message, /already rejected by Slack user U0PRIYA003 .*never executes; this click changed nothing/);
			assert.deepEqual(mine(await queue.executeApproved(registry), q.id), []);
			assert.equal(calls.get(q.id), undefined);
			assert.deepEqual(await ledger(q.id), []);
			assert.equal(card(q.pageId).status, 'Rejected');
		});

		test('a forged signature, a stale or future timestamp, missing headers and a body altered by one byte: 401 and nothing decided', async () => {
			const q = await queued();
			const cases: Array<[string, { headers: Record<string, string>; body: string | Uint8Array }, string]> = [];
			cases.push(['another secret', click(q, 'maya', 'approve', { secret: 'not-the-signing-secret' }), 'bad_signature']);
			cases.push(['6 minutes old', click(q, 'maya', 'approve', { timestamp: Math.floor(Date.now() / 1000) - 6 * 60 }), 'stale_timestamp']);
			cases.push(['6 minutes ahead', click(q, 'maya', 'approve', { timestamp: Math.floor(Date.now() / 1000) + 6 * 60 }), 'stale_timestamp']);
			const good = click(q, 'priya', 'approve');
			const { 'x-slack-signature': _sig, ...unsigned } = good.headers;
			cases.push(['no signature header', { headers: unsigned, body: good.body }, 'missing_headers']);
			// One byte: Priya (not allowed) passing herself off as Maya.
			assert.ok(good.body.includes('U0PRIYA003'));
			cases.push(['user id altered', { headers: good.headers, body: good.body.replace('U0PRIYA003', 'U0PRIYA001') }, 'bad_signature']);
			const bytes = new TextEncoder().encode(good.body);
			bytes[bytes.length - 1] ^= 0x01;
			cases.push(['last byte flipped (Uint8Array body)', { headers: good.headers, body: bytes }, 'bad_signature']);
			for (const [label, req, reason] of cases) {
				const answer = await send(req);
				assert.deepEqual([answer.status, answer.outcome, answer.reason], [401, 'unauthorized', reason], label);
				assert.equal(answer.reply, undefined, label);
				assert.equal(answer.interaction, undefined, `${label}: an unverified body is never parsed`);
				await assertUntouched(q, answer);
			}
			// The same request, unaltered, is accepted (and refused only for who Priya is).
			assert.deepEqual((await send(good)).events.map((e) => e.reason), ['approver_not_allowed']);
		});

		test('an Approve click whose payload hash differs from the stored one is refused; the proposal is rejected, flagged and never executes', async () => {
			const q = await queued();
			const other = { value: JSON.stringify({ id: q.id, hash: payloadHash(KIND, { action: 'delete', adSetId: 'as-1' }) }) };
			const answer = await send(click(other, 'maya', 'approve'));
			assert.deepEqual([answer.status, answer.outcome], [200, 'refused']);
			assert.deepEqual(answer.events.map((e) => [e.type, e.reason, e.flagged, e.status]), [['refused', 'hash_mismatch', true, 'rejected']]);
			assert.match(answer.events[0]!.message, /button was posted for payload [0-9a-f]{12}… while the stored payload is [0-9a-f]{12}…/);
			const p = (await queue.get(q.id))!;
			assert.deepEqual([p.status, p.flag], ['rejected', 'hash_mismatch']);
			assert.equal(card(q.pageId).status, 'Rejected');
			assert.deepEqual(mine(await queue.executeApproved(registry), q.id), []);
			assert.deepEqual(mine((await fullSync()).events, q.id), []);
			assert.deepEqual((await send(click(q, 'maya', 'approve'))).events.map((e) => e.type), ['unchanged'], 'the right button cannot revive it');
			assert.equal(calls.get(q.id), undefined);

			// A stored payload changed behind the queue's back: the button matches the stored hash, the payload does not.
			const t = await queued();
			await store.update('approvals', { proposal_id: t.id }, { payload: { action: 'pause', adSetId: 'someone-elses' } });
			const tampered = await send(click(t, 'maya', 'approve'));
			assert.deepEqual(tampered.events.map((e) => [e.type, e.reason, e.status]), [['refused', 'payload_tampered', 'rejected']]);
			assert.deepEqual(mine(await queue.executeApproved(registry), t.id), []);
		});

		test('an Approve click by a Slack user not on the allow-list is refused and the proposal stays pending; allowed users then count', async () => {
			const q = await queued();
			const answer = await send(click(q, 'priya', 'approve'));
			assert.deepEqual([answer.status, answer.outcome], [200, 'refused']);
			assert.deepEqual(answer.events.map((e) => [e.type, e.reason, e.status, e.decidedBy?.id]), [['refused', 'approver_not_allowed', 'pending', SLACK.priya.id]]);
			assert.match(answer.reply!.message.text, /^:warning: @priya .* is not on the approver allow-list; .*nothing executed/);
			const p = (await queue.get(q.id))!;
			assert.deepEqual([p.status, p.decidedBy, p.flag], ['pending', null, 'approver_not_allowed']);
			assert.deepEqual([card(q.pageId).status, card(q.pageId).decidedBy], ['Pending', []]);
			assert.deepEqual(mine(await queue.executeApproved(registry), q.id), []);

			// Sam is allowed by email through the Slack → Notion mapping; the card names his Notion user.
			const sam = await send(click(q, 'sam', 'approve'));
			assert.deepEqual(sam.events.map((e) => e.type), ['approved']);
			assert.deepEqual([card(q.pageId).status, card(q.pageId).decidedBy], ['Approved', [userId('Sam Okafor')]]);
			assert.deepEqual(mine(await queue.executeApproved(registry), q.id).map((e) => e.type), ['executed']);
			assert.equal(calls.get(q.id), 1);

			// Lee is allowed by Slack id and has no Notion account: the card shows Approved with nobody in Decided by, and a full sync leaves it alone.
			const l = await queued();
			assert.deepEqual((await send(click(l, 'lee', 'approve'))).events.map((e) => e.type), ['approved']);
			assert.deepEqual([card(l.pageId).status, card(l.pageId).decidedBy], ['Approved', []]);
			assert.deepEqual(mine((await fullSync()).events, l.id), []);
			assert.equal((await queue.get(l.id))!.status, 'approved');
		});

		test('clicks at once: exactly one decides, the others are no-ops, and the card agrees with the store', async () => {
			const rounds: Array<Array<[SlackPerson, 'approve' | 'reject']>> = [
				[['maya', 'approve'], ['sam', 'reject'], ['lee', 'approve']],
				// Lee has no Notion account: the winning card edit names nobody, and the other clicks must not take it for an anonymous card approval.
				[['lee', 'approve'], ['lee', 'approve'], ['maya', 'approve'], ['lee', 'approve']],
				[['lee', 'approve'], ['priya', 'reject'], ['lee', 'approve'], ['maya', 'approve'], ['sam', 'approve']],
			];
			for (const round of rounds) {
				const q = await queued();
				const answers = await Promise.all(round.map(([who, decision]) => send(click(q, who, decision))));
				const types = answers.flatMap((a) => a.events.map((e) => e.type)).sort();
				assert.equal(types.filter((t) => t === 'approved' || t === 'rejected').length, 1, JSON.stringify(types));
				assert.equal(types.filter((t) => t === 'unchanged').length, round.length - 1, JSON.stringify(types));
				const p = (await queue.get(q.id))!;
				assert.equal(p.flag, null);
				assert.equal(card(q.pageId).status, p.status === 'approved' ? 'Approved' : 'Rejected');
				assert.deepEqual(mine((await fullSync()).events, q.id), []);
				await queue.executeApproved(registry);
				assert.equal(calls.get(q.id) ?? 0, p.status === 'approved' ? 1 : 0);
			}

			// Without a card read in between (no card recorded), the store's conditional update alone keeps it to one decision.
			const bare = await queued();
			await store.update('approvals', { proposal_id: bare.id }, { notion_page_id: null });
			const decisions: Array<'approve' | 'reject'> = ['approve', 'reject', 'approve', 'reject', 'approve', 'approve'];
			const events = (await Promise.all(decisions.map((decision, i) => queue.decide(bare.id, { decision, source: 'slack', payloadHash: bare.hash, actor: { slackUserId: i % 2 ? SLACK.sam.id : SLACK.maya.id } })))).flat();
			assert.equal(events.filter((e) => e.type === 'approved' || e.type === 'rejected').length, 1, JSON.stringify(events.map((e) => e.type)));
			assert.match(events.find((e) => e.type === 'approved' || e.type === 'rejected')!.cardError ?? '', /No Notion card is recorded/);
		});

		test('a click that read the proposal before a concurrent click decided it does not take that click\'s card edit for a card decision', async () => {
			const q = await queued();
			let reached!: () => void;
			const atCard = new Promise<void>((r) => (reached = r));
			let open!: () => void;
			const gate = new Promise<void>((r) => (open = r));
			const pages = queue.notion.pages;
			const slowCardRead = new Proxy(queue.notion, {
				get(target, prop, receiver) {
					if (prop !== 'pages') return Reflect.get(target, prop, receiver) as unknown;
					return {
						...pages,
						retrieve: async (args: Parameters<typeof pages.retrieve>[0]) => {
							reached();
							await gate;
							return pages.retrieve(args);
						},
					};
				},
			});
			const other = new ApprovalQueue({ store, notion: { client: slowCardRead, dataSourceId }, approvers: [SLACK.lee.id] });
			const late = send(click(q, 'lee', 'approve'), other);
			await atCard; // it has read the proposal as pending
			const first = await send(click(q, 'lee', 'approve'));
			assert.deepEqual(first.events.map((e) => e.type), ['approved']);
			assert.deepEqual([card(q.pageId).status, card(q.pageId).decidedBy], ['Approved', []], 'approved by our integration, nobody named');
			open();
			const second = await late;
			assert.deepEqual(second.events.map((e) => [e.type, e.status]), [['unchanged', 'approved']]);
			const p = (await queue.get(q.id))!;
			assert.deepEqual([p.status, p.flag], ['approved', null]);
			assert.equal(card(q.pageId).status, 'Approved');
		});

		test('a Notion card approval racing a Slack rejection: exactly one wins, and it is final', async () => {
			const winners: string[] = [];
			for (let i = 0; i < 6; i++) {
				const q = await queued();
				// Round 0: the card was approved just before the click. Later rounds: the card edit is in flight with the click, a little later each time.
				if (i === 0) await setStatus(q.pageId, 'Maya Lopez', 'Approved');
				const notionSide = async () => {
					if (i > 0) {
						await new Promise((r) => setTimeout(r, [0, 0, 10, 25, 50, 100][i]));
						await setStatus(q.pageId, 'Maya Lopez', 'Approved');
					}
					return queue.syncDecisions();
				};
				const [sync, answer] = await Promise.all([notionSide(), send(click(q, 'sam', 'reject'))]);
				const decisions = [...mine(sync.events, q.id), ...answer.events].filter((e) => e.type === 'approved' || e.type === 'rejected');
				assert.equal(decisions.length, 1, JSON.stringify([sync.events, answer.events]));
				const winner = decisions[0]!.type;
				winners.push(`${winner} via ${decisions[0]!.decidedBy?.source}`);
				const p = (await queue.get(q.id))!;
				assert.equal(p.status, winner);
				assert.equal(card(q.pageId).status, winner === 'approved' ? 'Approved' : 'Rejected');
				assert.deepEqual(mine((await fullSync()).events, q.id), [], 'settled: nothing left to decide');

				await queue.executeApproved(registry);
				assert.equal(calls.get(q.id) ?? 0, winner === 'approved' ? 1 : 0);
				// The loser's side cannot undo it.
				assert.deepEqual((await send(click(q, 'sam', 'reject'))).events.map((e) => e.type), ['unchanged']);
				assert.deepEqual((await send(click(q, 'maya', 'approve'))).events.map((e) => e.type), ['unchanged']);
				await setStatus(q.pageId, 'Maya Lopez', winner === 'approved' ? 'Rejected' : 'Approved');
				await queue.syncDecisions();
				await queue.executeApproved(registry);
				assert.equal((await queue.get(q.id))!.status, winner === 'approved' ? 'executed' : 'rejected');
				assert.equal(calls.get(q.id) ?? 0, winner === 'approved' ? 1 : 0);
			}
			assert.equal(winners.length, 6, winners.join(', '));
			assert.equal(winners[0], 'approved via notion', 'a card decision made before the click came first and wins');
		});

		test('a Notion approval not yet synced came first: the Slack rejection is applied after it and changes nothing', async () => {
			const q = await queued();
			await setStatus(q.pageId, 'Maya Lopez', 'Approved');
			const answer = await send(click(q, 'priya', 'reject'));
			assert.deepEqual(answer.events.map((e) => [e.type, e.decidedBy?.source, e.status]), [
				['approved', 'notion', 'approved'],
				['unchanged', 'slack', 'approved'],
			]);
			assert.match(answer.events[1]!.message, /already approved by Maya Lopez \(Notion\) .*To stop it before it runs, set its Notion card to Rejected/);
			assert.equal((await queue.get(q.id))!.decidedBy, `notion:${userId('Maya Lopez')}`);
			assert.deepEqual(mine((await queue.syncDecisions()).events, q.id), []);
			assert.deepEqual(mine(await queue.executeApproved(registry), q.id).map((e) => e.type), ['executed']);
			assert.equal(calls.get(q.id), 1);

			// And the other order: the Slack rejection first, a Notion approval afterwards is refused.
			const r = await queued();
			assert.deepEqual((await send(click(r, 'sam', 'reject'))).events.map((e) => e.type), ['rejected']);
			await setStatus(r.pageId, 'Maya Lopez', 'Approved');
			assert.deepEqual(mine((await queue.syncDecisions()).events, r.id).map((e) => [e.type, e.reason]), [['refused', 'already_decided']]);
			assert.equal(card(r.pageId).status, 'Rejected');
			assert.deepEqual(mine(await queue.executeApproved(registry), r.id), []);
		});

		test('an Approve click after expiry is refused and the proposal is expired', async () => {
			const now = Date.now();
			const q = await queued({ requestedAt: new Date(now - 600_000).toISOString(), expiresAt: new Date(now - 60_000).toISOString() });
			const answer = await send(click(q, 'maya', 'approve'));
			assert.deepEqual(answer.events.map((e) => [e.type, e.reason, e.status]), [['refused', 'approved_after_expiry', 'expired']]);
			assert.equal(card(q.pageId).status, 'Expired');
			assert.deepEqual(mine(await queue.executeApproved(registry), q.id), []);
		});

		test('a slow Notion never delays the answer past the budget: the store decides, the card follows', async () => {
			const q = await queued();
			sb.injectFault({ route: 'notion.page', kind: 'latency', latencyMs: 1200 });
			sb.injectFault({ route: 'notion.updatePage', kind: 'latency', latencyMs: 1200 });
			const started = Date.now();
			const answer = await handleSlackInteraction({ queue, signingSecret, ...(() => {
				const r = click(q, 'maya', 'approve');
				return { headers: r.headers, rawBody: r.body };
			})(), notionBudgetMs: 200 });
			const elapsed = Date.now() - started;
			assert.ok(elapsed < 1000, `answered in ${elapsed} ms`);
			assert.deepEqual(answer.events.map((e) => e.type), ['approved']);
			assert.match(answer.events[0]!.cardError ?? '', /did not answer within 200 ms/);
			assert.match(answer.reply!.message.text, /The Notion card was not updated/);
			assert.equal((await queue.get(q.id))!.status, 'approved');
			// The card write goes on in the background and lands.
			for (let i = 0; i < 60 && card(q.pageId).status !== 'Approved'; i++) await new Promise((r) => setTimeout(r, 100));
			assert.equal(card(q.pageId).status, 'Approved');
		});

		test('requests that are not approval clicks, unknown proposals and a failing store get an answer, never an exception', async () => {
			const q = await queued();
			const foreign = signedInteraction({ signingSecret, payload: blockActionsPayload({ actionId: 'someone_elses_button', value: 'x', messageTs: '1760000000.000100' }) });
			assert.deepEqual(await send(foreign).then((a) => [a.status, a.outcome, a.body]), [200, 'ignored', '']);
			const shortcut = signedInteraction({ signingSecret, payload: { type: 'shortcut', callback_id: 'x' } });
			assert.deepEqual(await send(shortcut).then((a) => [a.status, a.outcome]), [200, 'ignored']);
			const garbage = signedInteraction({ signingSecret, payload: '{not json' });
			assert.deepEqual(await send(garbage).then((a) => [a.status, a.outcome, a.reason]), [400, 'bad_request', 'malformed']);
			const unreadable = await send(click({ value: 'not-our-format' }, 'maya', 'approve'));
			assert.deepEqual([unreadable.status, unreadable.outcome, unreadable.reason], [400, 'bad_request', 'invalid_value']);

			const unknown = await send(click({ value: JSON.stringify({ id: 'no-such-proposal', hash: q.hash }) }, 'maya', 'approve'));
			assert.deepEqual([unknown.status, unknown.outcome, unknown.events], [200, 'unknown_proposal', []]);
			assert.match(unknown.reply!.message.text, /not in the approval queue/);

			const broken = new Proxy(store, {
				get(target, prop, receiver) {
					if (prop === 'select') return async () => Promise.reject(new Error('connection refused'));
					const v = Reflect.get(target, prop, receiver) as unknown;
					return typeof v === 'function' ? v.bind(target) : v;
				},
			});
			const down = new ApprovalQueue({ store: broken, notion: { client: queue.notion, dataSourceId } });
			const failed = await send(click(q, 'maya', 'approve'), down);
			assert.deepEqual([failed.status, failed.outcome, failed.reason], [200, 'error', 'store_error']);
			assert.match(failed.reply!.message.text, /could not be recorded \(connection refused\); nothing was decided/);
			assert.equal((await queue.get(q.id))!.status, 'pending');
			await assert.doesNotReject(handleSlackInteraction({ queue, signingSecret, headers: undefined, rawBody: undefined as unknown as string }));
		});
	});
}

registerSuite('PGlite', () => openStore({ kind: 'embedded', path: pgliteDir }));
afterAll(() => rmSync(pgliteDir, { recursive: true, force: true }));

if (DATABASE_URL) {
	const schema = `adops_approvals_slack_${randomBytes(5).toString('hex')}`;
	registerSuite(`PostgreSQL (schema ${schema})`, () => openStore({ kind: 'postgres', connectionString: DATABASE_URL, ssl: 'disable', schema }));
	afterAll(async () => {
		const admin = new Pool({ connectionString: DATABASE_URL, max: 1 });
		await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
		await admin.end();
	});
}

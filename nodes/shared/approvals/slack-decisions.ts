/**
 * Decisions from Slack buttons (`decide`): the same checks as a card
 * (`checkDecision`), the same conditional store update, then the card is
 * written to match.
 */
import { isFullPage } from '@notionhq/client';
import { CARD_STATUS, PROPS, readSelect, type CardPage } from './card';
import type { ApprovalEvent, Decider, RefusalReason } from './events';
import { proposalFromRow, type Proposal, type ProposalStatus } from './proposal';
import { checkDecision } from './check-decision';
import { ProposalStore } from './proposal-store';
import { ApprovalError, SLACK_USER_ID, describeDecider, type SchemaInfo, type SlackDecisionInput } from './queue-types';

export class SlackDecisions extends ProposalStore {
	async decide(proposalId: string, input: SlackDecisionInput): Promise<ApprovalEvent[]> {
		if (
			!input ||
			input.source !== 'slack' ||
			(input.decision !== 'approve' && input.decision !== 'reject') ||
			typeof input.payloadHash !== 'string' ||
			typeof input.actor?.slackUserId !== 'string' ||
			!SLACK_USER_ID.test(input.actor.slackUserId)
		) {
			throw new ApprovalError('decide() needs { decision: "approve" | "reject", source: "slack", payloadHash, actor: { slackUserId: "U…" } }', proposalId, 'invalid_decision');
		}
		const budget = input.notionBudgetMs;
		const row = await this._row(proposalId);
		if (!row) throw new ApprovalError(`No proposal ${proposalId} is in the approval queue`, proposalId, 'unknown_proposal');
		let p = proposalFromRow(row);
		const decider: Decider = { source: 'slack', id: input.actor.slackUserId, ...(input.actor.slackUserName ? { name: input.actor.slackUserName } : {}) };
		const events: ApprovalEvent[] = [];
		const schema = await this._within(this._loadSchema(), budget).catch(() => undefined);

		// A decision made on the card before this click, not synced yet, came first.
		if (p.status === 'pending' && p.notionPageId && schema) {
			const pageId = p.notionPageId;
			const applied = await this._within(
				(async () => {
					const page = await this.notion.pages.retrieve({ page_id: pageId });
					if (!isFullPage(page)) return undefined;
					const card = page as unknown as CardPage;
					const status = readSelect(card, PROPS.status);
					if (status !== 'Approved' && status !== 'Rejected') return undefined;
					// The proposal is read after its card: a decision written by a concurrent click (store first, card second) is then seen as made, never mistaken for a card edit.
					const current = await this._row(proposalId);
					if (!current || current.status !== 'pending') return undefined;
					return this._applyCard(proposalFromRow(current), card, status, schema);
				})(),
				budget,
			).catch(() => undefined);
			if (applied && applied !== 'repaired') events.push(applied);
			p = proposalFromRow((await this._row(p.id))!);
		}
		if (p.status !== 'pending') {
			events.push(await this._unchanged(p, decider, input.decision, budget));
			return events;
		}

		const now = this._now();
		const decidedAt = now.toISOString();
		const decidedBy = `slack:${decider.id}`;
		if (input.decision === 'reject') {
			const updated = await this.store.update('approvals', { proposal_id: p.id, status: 'pending' }, { status: 'rejected', decided_by: decidedBy, decided_at: decidedAt });
			if (updated.updated === 0) return [...events, await this._unchangedAfterRace(p.id, decider, input.decision, budget)];
			const cardError = await this._writeDecisionCard(p, schema, 'Rejected', decider, budget);
			const note = input.payloadHash !== p.payloadHash ? ' (The button was posted for a different payload than the one stored; a rejection counts either way.)' : '';
			events.push(this._event('rejected', { ...p, status: 'rejected', decidedBy, decidedAt }, `${describeDecider(decider)} rejected "${p.title}" in Slack; it will not execute.${note}`, { decidedBy: decider, cardError }));
			return events;
		}

		const facts = { proposal: p, decidedAtMs: now.getTime(), nowMs: now.getTime(), buttonPayloadHash: input.payloadHash };
		const check = checkDecision(facts);
		if (!check.ok) {
			if (check.reason === 'hash_mismatch') {
				const message = `${describeDecider(decider)} approved "${p.title}" in Slack, but the button was posted for payload ${input.payloadHash.slice(0, 12)}… while the stored payload is ${p.payloadHash.slice(0, 12)}…; the approval does not cover what would run. Refused and rejected, nothing executed; queue a new proposal if the change is wanted.`;
				return [...events, await this._refuseSlackFinal(p, schema, 'rejected', 'hash_mismatch', decider, message, budget)];
			}
			if (check.reason === 'payload_tampered') {
				const message = `${describeDecider(decider)} approved "${p.title}" in Slack, but its stored payload no longer matches the queued payload hash; refused and rejected, nothing executed.`;
				return [...events, await this._refuseSlackFinal(p, schema, 'rejected', 'payload_tampered', decider, message, budget)];
			}
			if (check.reason === 'approved_after_expiry') {
				const message = `${describeDecider(decider)} approved "${p.title}" in Slack after it expired at ${p.expiresAt}; it is expired and nothing executed.`;
				return [...events, await this._refuseSlackFinal(p, schema, 'expired', 'approved_after_expiry', decider, message, budget)];
			}
			return [...events, await this._unchanged(p, decider, input.decision, budget)];
		}
		// The approver is looked up only when everything else holds.
		const approverCheck = checkDecision({ ...facts, approver: (await this._slackApproverAllowed(decider.id, budget)) ? 'allowed' : 'not_allowed' });
		if (!approverCheck.ok) {
			await this._flag(p, 'approver_not_allowed');
			events.push(
				this._event('refused', p, `${describeDecider(decider)} approved "${p.title}" in Slack but is not on the approver allow-list; the approval is refused and nothing executed. It is still pending for an approver.`, {
					reason: 'approver_not_allowed',
					flagged: true,
					decidedBy: decider,
				}),
			);
			return events;
		}
		const updated = await this.store.update('approvals', { proposal_id: p.id, status: 'pending' }, { status: 'approved', decided_by: decidedBy, decided_at: decidedAt });
		if (updated.updated === 0) return [...events, await this._unchangedAfterRace(p.id, decider, input.decision, budget)];
		const cardError = await this._writeDecisionCard(p, schema, 'Approved', decider, budget);
		events.push(this._event('approved', { ...p, status: 'approved', decidedBy, decidedAt }, `${describeDecider(decider)} approved "${p.title}" in Slack; it will execute once.`, { decidedBy: decider, cardError }));
		return events;
	}

	protected async _refuseSlackFinal(p: Proposal, schema: SchemaInfo | undefined, status: 'rejected' | 'expired', reason: RefusalReason, decider: Decider, message: string, budget: number | undefined): Promise<ApprovalEvent> {
		const now = this._now().toISOString();
		if (!(await this._storeFinalRefusal(p, status, reason, message, `slack:${decider.id}`, now, now))) return this._unchangedAfterRace(p.id, decider, 'approve', budget);
		const cardError = await this._writeDecisionCard(p, schema, CARD_STATUS[status], undefined, budget);
		return this._event('refused', { ...p, status }, message, { reason, flagged: true, decidedBy: decider, cardError });
	}

	/** Another decision moved the proposal out of pending between our read and our write. */
	protected async _unchangedAfterRace(proposalId: string, decider: Decider, decision: 'approve' | 'reject', budget: number | undefined): Promise<ApprovalEvent> {
		const row = await this._row(proposalId);
		return this._unchanged(proposalFromRow(row!), decider, decision, budget);
	}

	protected async _unchanged(p: Proposal, decider: Decider, decision: 'approve' | 'reject', budget: number | undefined): Promise<ApprovalEvent> {
		const by = p.decidedBy ? ` by ${await this._describeStoredDecider(p.decidedBy, budget)}` : '';
		const when = p.decidedAt ? ` at ${p.decidedAt}` : '';
		const state: Record<ProposalStatus, string> = {
			pending: 'pending',
			approved: `already approved${by}${when} and waiting to execute`,
			executing: `already approved${by}${when} and executing`,
			executed: `already approved${by}${when} and executed`,
			failed: `already approved${by}${when}; its execution failed`,
			rejected: `already rejected${by}${when}; a rejected proposal never executes`,
			expired: `already expired${when}; an expired proposal never executes`,
		};
		const hint = decision === 'reject' && p.status === 'approved' ? ' To stop it before it runs, set its Notion card to Rejected.' : '';
		return this._event('unchanged', p, `${describeDecider(decider)} clicked ${decision === 'approve' ? 'Approve' : 'Reject'} on "${p.title}", which was ${state[p.status]}; this click changed nothing.${hint}`, {
			reason: 'already_decided',
			decidedBy: decider,
		});
	}

	/**
	 * The person behind a stored `decided_by` (`notion:<id>`, `slack:<id>`),
	 * which holds the platform id only: a Notion user's name and email from
	 * Notion; a Slack user's email through `slackUsers` (the mapped email, or
	 * the mapped Notion user's). What Notion does not say (no user-information
	 * capability, an unknown user, no answer within `budget` ms) is left out:
	 * the id is always there. Undefined when nothing identifies a person.
	 */
}

/**
 * The proposal state machine on the store: enqueue (with its card), decisions
 * read back from cards (every approval checked by `checkDecision`), refusals
 * counted once, expiry. Notion details live in notion-cards.ts.
 */
import { isFullPage } from '@notionhq/client';
import type { RowInput } from '../schema/rows';
import type { Where } from '../store/types';
import { CARD_STATUS, PROPS, cardContent, cardHash, cardProperties, changedFields, readCardContent, readSelect, readText, type CardPage, type CardStatus } from './card';
import type { ApprovalEvent, Decider, RefusalReason } from './events';
import { unknownOutcomeText } from '../resilience/outcome';
import { createProposal, proposalFromRow, proposalToRow, type Proposal, type ProposalInput } from './proposal';
import { checkDecision, type ApproverStatus } from './check-decision';
import { NotionCards, notionWriteOutcome } from './notion-cards';
import { ApprovalError, MINUTE_MS, compactId, describeDecider, errorMessage, type SchemaInfo, type SyncResult } from './queue-types';

export class ProposalStore extends NotionCards {
	async enqueue(inputs: ReadonlyArray<ProposalInput | Proposal>): Promise<ApprovalEvent[]> {
		const now = this._now();
		const proposals = inputs.map((input) => ('payloadHash' in input && 'status' in input ? (input as Proposal) : createProposal(input as ProposalInput, now)));
		const seen = new Set<string>();
		for (const p of proposals) {
			if (seen.has(p.id)) throw new ApprovalError(`Proposal ${p.id} appears twice in one enqueue call`, p.id);
			seen.add(p.id);
		}
		const schema = await this._loadSchema();
		const events: ApprovalEvent[] = [];
		for (const input of proposals) {
			const fresh = { ...input, cardHash: cardHash(cardContent(input), input.payloadHash) };
			await this.store.upsert('approvals', [proposalToRow({ ...fresh, status: 'pending', decidedBy: null, decidedAt: null, result: null, error: null, notionPageId: null, flag: null })], { onConflict: 'ignore' });
			const row = (await this._row(fresh.id))!;
			const stored = proposalFromRow(row);
			if (stored.payloadHash !== fresh.payloadHash || stored.kind !== fresh.kind) {
				throw new ApprovalError(`Proposal ${fresh.id} is already queued with a different ${stored.kind !== fresh.kind ? 'kind' : 'payload'}; use a new proposal id for a new proposal`, fresh.id);
			}
			let pageId = stored.notionPageId;
			let url: string | undefined;
			let created = false;
			let adopted = false;
			let reconciled: string | undefined;
			if (!pageId) {
				// The card is built from the stored row; its hash must describe exactly that card.
				const hash = cardHash(cardContent(stored), stored.payloadHash);
				if (stored.cardHash !== hash) {
					await this.store.update('approvals', { proposal_id: stored.id }, { card_hash: hash });
					stored.cardHash = hash;
				}
				// A card found by Proposal ID is one an earlier run created without learning of it (a crash, a lost answer):
				// for alerts it counts as new (the store never announced it); the Slack post is keyed, so never doubled.
				const existing = await this._findCards(stored.id);
				if (existing.length > 0) {
					pageId = existing[0]!.id;
					url = existing[0]!.url;
					adopted = true;
				} else {
					try {
						const page = await this.notion.pages.create({
							parent: { type: 'data_source_id', data_source_id: this.dataSourceId },
							properties: cardProperties(stored, schema.titleProperty, schema.status) as never,
						});
						pageId = page.id;
						url = isFullPage(page) ? page.url : undefined;
						created = true;
					} catch (error) {
						// Notion's client never retries a POST after a 5xx or a timeout; a lost answer may still have created the card: look before anything else.
						if (notionWriteOutcome(error) === 'failed') throw error;
						const found = await this._findCards(stored.id).catch(() => []);
						if (found.length === 0) {
							throw new ApprovalError(`${unknownOutcomeText(`Creating the Notion card of "${stored.title}"`, errorMessage(error))}; no card with its Proposal ID is visible yet, so the next enqueue looks again before creating one`, stored.id);
						}
						pageId = found[0]!.id;
						url = found[0]!.url;
						created = true;
						reconciled = `the answer to creating the card was lost (${errorMessage(error)}); the card was found by its Proposal ID`;
					}
				}
				await this.store.update('approvals', { proposal_id: stored.id }, { notion_page_id: pageId });
			}
			events.push(
				this._event(
					'queued',
					{ ...stored, notionPageId: pageId },
					created ? `Queued "${stored.title}" for approval in Notion.` : adopted ? `"${stored.title}" already had its approval card (created earlier, its answer lost); it was found by Proposal ID, nothing duplicated.` : `"${stored.title}" already has its approval card; nothing duplicated.`,
					{ created, url, ...(adopted ? { adopted } : {}), ...(reconciled ? { resolution: reconciled } : {}) },
				),
			);
		}
		return events;
	}

	async syncDecisions(): Promise<SyncResult> {
		const startedAt = this._now();
		const schema = await this._loadSchema();
		const state = await this.store.getState<{ since?: string }>(this._cursorKey);
		const since = typeof state?.since === 'string' ? state.since : undefined;
		const statusFilter = (name: CardStatus) => ({ property: PROPS.status, [schema.status.type]: { equals: name } });
		const decided = { or: [statusFilter('Approved'), statusFilter('Rejected')] };
		const filter = since ? { and: [decided, { timestamp: 'last_edited_time', last_edited_time: { on_or_after: since } }] } : decided;
		const result: SyncResult = { events: [], scanned: 0, unknown: 0, repaired: 0, cursor: since ?? '', since };
		let cursor: string | undefined;
		do {
			const res = await this.notion.dataSources.query({
				data_source_id: this.dataSourceId,
				filter: filter as never,
				sorts: [{ timestamp: 'last_edited_time', direction: 'ascending' }],
				page_size: 100,
				...(cursor ? { start_cursor: cursor } : {}),
			});
			for (const r of res.results) {
				if (!isFullPage(r as never)) continue;
				result.scanned++;
				await this._processCard(r as unknown as CardPage, schema, result);
			}
			cursor = res.has_more && res.next_cursor ? res.next_cursor : undefined;
		} while (cursor);
		const next = new Date(Math.floor(startedAt.getTime() / MINUTE_MS) * MINUTE_MS - this._overlapMs).toISOString();
		result.cursor = since && since > next ? since : next;
		await this.store.setState(this._cursorKey, { since: result.cursor, lastPollAt: startedAt.toISOString() });
		return result;
	}

	protected async _processCard(page: CardPage, schema: SchemaInfo, result: SyncResult): Promise<void> {
		const proposalId = readText(page, PROPS.proposalId).trim();
		const cardStatus = readSelect(page, PROPS.status);
		const row = proposalId ? await this._row(proposalId) : undefined;
		if (!row) {
			result.unknown++;
			return;
		}
		let p = proposalFromRow(row);
		if (p.notionPageId && compactId(p.notionPageId) !== compactId(page.id)) {
			// A copy of the card (Notion's Duplicate keeps Proposal ID): it never decides anything.
			if (cardStatus === 'Approved') {
				const cardError = await this._setCard(page.id, schema, 'Rejected');
				result.events.push(
					this._event('refused', p, `A card that is not the queued card for "${p.title}" was approved (a duplicated card?); it was marked Rejected and nothing was executed. The queued card is ${p.notionPageId}.`, {
						reason: 'not_the_queued_card',
						flagged: true,
						pageId: page.id,
						url: page.url,
						cardError,
					}),
				);
			}
			return;
		}
		if (!p.notionPageId) {
			await this.store.update('approvals', { proposal_id: p.id }, { notion_page_id: page.id });
			p = { ...p, notionPageId: page.id };
		}
		const event = await this._applyCard(p, page, cardStatus, schema);
		if (event === 'repaired') result.repaired++;
		else if (event) result.events.push(event);
	}

	/** Applies what a decided card says to its proposal; returns the event, `repaired`, or nothing. */
	protected async _applyCard(p: Proposal, page: CardPage, cardStatus: string, schema: SchemaInfo): Promise<ApprovalEvent | 'repaired' | undefined> {
		const extra = { url: page.url };
		switch (p.status) {
			case 'pending':
				return cardStatus === 'Rejected' ? this._recordRejection(p, page, schema) : this._recordApproval(p, page, schema);
			case 'approved': {
				if (cardStatus !== 'Rejected') return undefined;
				// Rejected before it ran: the approval is withdrawn.
				const decider = await this._decider(page);
				const updated = await this.store.update('approvals', { proposal_id: p.id, status: 'approved' }, { status: 'rejected', decided_by: decider ? `notion:${decider.id}` : p.decidedBy, decided_at: this._now().toISOString() });
				if (updated.updated === 0) return undefined; // it started executing meanwhile
				return this._event('rejected', { ...p, status: 'rejected' }, `${describeDecider(decider)} rejected "${p.title}" after it had been approved, before it ran; it will not execute.`, { decidedBy: decider, ...extra });
			}
			case 'rejected':
			case 'expired': {
				if (cardStatus !== 'Approved') return undefined;
				const decider = await this._decider(page);
				const cardError = await this._setCard(page.id, schema, CARD_STATUS[p.status]);
				await this._flag(p, 'already_decided');
				return this._event('refused', p, `${describeDecider(decider)} approved "${p.title}", which was already ${p.status}; a ${p.status} proposal never executes. The card was set back to ${CARD_STATUS[p.status]}.`, {
					reason: 'already_decided',
					flagged: true,
					decidedBy: decider,
					cardError,
					...extra,
				});
			}
			default: {
				// executing, executed, failed: the store is the truth; repair a card that says otherwise.
				const want = CARD_STATUS[p.status];
				if (cardStatus === want || !schema.status.options.has(want)) return undefined;
				await this._setCard(page.id, schema, want);
				return 'repaired';
			}
		}
	}

	protected async _recordRejection(p: Proposal, page: CardPage, schema: SchemaInfo): Promise<ApprovalEvent | undefined> {
		const decider = await this._decider(page);
		const decidedAt = page.last_edited_time;
		const updated = await this.store.update(
			'approvals',
			{ proposal_id: p.id, status: 'pending' },
			{ status: 'rejected', decided_by: decider ? `notion:${decider.id}` : null, decided_at: decidedAt },
		);
		if (updated.updated === 0) return undefined;
		const cardError = decider ? await this._setCard(page.id, schema, undefined, decider.id, page) : undefined;
		return this._event('rejected', { ...p, status: 'rejected', decidedAt }, `${describeDecider(decider)} rejected "${p.title}"; it will not execute.`, { decidedBy: decider, url: page.url, cardError });
	}

	protected async _recordApproval(p: Proposal, page: CardPage, schema: SchemaInfo): Promise<ApprovalEvent | undefined> {
		const decider = await this._decider(page);
		const url = page.url;
		const current = readCardContent(page, schema.titleProperty);
		const approver: ApproverStatus = !decider ? 'unidentified' : decider.type === 'bot' && !this._onAllowList(decider) ? 'integration' : this._approvers && !this._onAllowList(decider) ? 'not_allowed' : 'allowed';
		const check = checkDecision({ proposal: p, decidedAtMs: Date.parse(page.last_edited_time), nowMs: this._now().getTime(), shownCardHash: p.cardHash ? cardHash(current, p.payloadHash) : undefined, graceMs: MINUTE_MS, approver });
		if (!check.ok) {
			switch (check.reason) {
				case 'edited_after_queue': {
					const fields = changedFields(cardContent(p), current);
					return this._refuseFinal(p, page, schema, 'rejected', 'edited_after_queue', decider, `"${p.title}" was approved by ${describeDecider(decider)}, but its card was edited after it was queued (${fields.join(', ') || 'content'} changed); the approval is refused, the proposal rejected and nothing executed. Queue a new proposal if the change is wanted.`, { changedFields: fields });
				}
				case 'payload_tampered':
					return this._refuseFinal(p, page, schema, 'rejected', 'payload_tampered', decider, `"${p.title}" was approved, but its stored payload no longer matches the queued payload hash; refused and rejected, nothing executed.`);
				case 'approved_after_expiry':
					return this._refuseFinal(p, page, schema, 'expired', 'approved_after_expiry', decider, `"${p.title}" was approved by ${describeDecider(decider)} after it expired at ${p.expiresAt}; it is expired and nothing executed.`);
				case 'unknown_approver':
					return decider
						? this._refusePending(p, page, schema, 'unknown_approver', decider, `"${p.title}" was set to Approved by the integration ${describeDecider(decider)}, not by a person; the approval does not count. The card is Pending again.`)
						: this._refusePending(p, page, schema, 'unknown_approver', undefined, `"${p.title}" was set to Approved by no identifiable person; the approval does not count. The card is Pending again.`);
				case 'approver_not_allowed':
					return this._refusePending(p, page, schema, 'approver_not_allowed', decider, `${describeDecider(decider)} approved "${p.title}" but is not on the approver allow-list; the approval is refused and nothing executed. The card is Pending again for an approver.`);
				default:
					return undefined; // already decided: applyCard only brings pending proposals here
			}
		}
		if (!decider) return undefined; // unreachable: an unidentified approver is refused above
		const decidedAt = page.last_edited_time;
		const updated = await this.store.update('approvals', { proposal_id: p.id, status: 'pending' }, { status: 'approved', decided_by: `notion:${decider.id}`, decided_at: decidedAt });
		if (updated.updated === 0) return undefined;
		const cardError = await this._setCard(page.id, schema, undefined, decider.id, page);
		return this._event('approved', { ...p, status: 'approved', decidedAt }, `${describeDecider(decider)} approved "${p.title}"; it will execute once.`, { decidedBy: this._publicDecider(decider), url, cardError });
	}

	protected async _refuseFinal(
		p: Proposal,
		page: CardPage,
		schema: SchemaInfo,
		status: 'rejected' | 'expired',
		reason: RefusalReason,
		decider: (Decider & { type?: string }) | undefined,
		message: string,
		extra: Partial<ApprovalEvent> = {},
	): Promise<ApprovalEvent | undefined> {
		if (!(await this._storeFinalRefusal(p, status, reason, message, decider ? `notion:${decider.id}` : null, page.last_edited_time, this._now().toISOString()))) return undefined;
		const cardError = await this._setCard(page.id, schema, CARD_STATUS[status]);
		return this._event('refused', { ...p, status }, message, { reason, flagged: true, decidedBy: this._publicDecider(decider), url: page.url, cardError, ...extra });
	}

	/** Moves a still pending proposal to `status` with the refusal recorded; false when another decision moved it first. */
	protected async _storeFinalRefusal(p: Proposal, status: 'rejected' | 'expired', reason: RefusalReason, message: string, decidedBy: string | null, decidedAt: string, flaggedAt: string): Promise<boolean> {
		return this._countRefusal(p.id, { status: 'pending' }, { status, flag: reason, flagged_at: flaggedAt, error: message, decided_by: decidedBy, decided_at: decidedAt });
	}

	protected async _refusePending(p: Proposal, page: CardPage, schema: SchemaInfo, reason: RefusalReason, decider: (Decider & { type?: string }) | undefined, message: string): Promise<ApprovalEvent> {
		await this._flag(p, reason);
		const cardError = await this._setCard(page.id, schema, 'Pending', null);
		return this._event('refused', p, message, { reason, flagged: true, decidedBy: this._publicDecider(decider), url: page.url, cardError });
	}

	protected async _flag(p: Proposal, reason: RefusalReason): Promise<void> {
		await this._countRefusal(p.id, {}, { flag: reason, flagged_at: this._now().toISOString() });
	}

	/**
	 * Writes `patch` with the refusal counter one higher, when the row still
	 * matches `match`; false when it no longer does. The counter is compared
	 * and set in one conditional update, retried when another writer counted
	 * first, so concurrent refusals (two mains, a Slack click during a sync)
	 * never lose an increment: the trigger emits one refusal per count.
	 */
	protected async _countRefusal(proposalId: string, match: Where<'approvals'>, patch: Partial<RowInput<'approvals'>>): Promise<boolean> {
		for (let attempt = 0; attempt < 20; attempt++) {
			const row = await this._row(proposalId);
			if (!row) return false;
			const refusals = row.refusals ?? 0;
			const { updated } = await this.store.update('approvals', { ...match, proposal_id: proposalId, refusals }, { ...patch, refusals: refusals + 1 });
			if (updated > 0) return true;
			// either the row no longer matches (another decision moved it) or another refusal was counted first: read again
			const again = await this._row(proposalId);
			if (!again || !Object.entries(match).every(([k, v]) => (again as Record<string, unknown>)[k] === v)) return false;
		}
		throw new ApprovalError(`could not record a refusal of proposal ${proposalId}: its row kept changing (20 attempts)`);
	}

	async expire(now: Date = this._now()): Promise<ApprovalEvent[]> {
		const rows = await this.store.select('approvals', { where: { status: 'pending', expires_at: { lt: now.toISOString() } }, order: { column: 'expires_at' } });
		const schema = await this._loadSchema();
		const events: ApprovalEvent[] = [];
		for (const row of rows) {
			let p = proposalFromRow(row);
			if (p.notionPageId) {
				const page = await this.notion.pages.retrieve({ page_id: p.notionPageId }).catch(() => undefined);
				if (page && isFullPage(page)) {
					const card = page as unknown as CardPage;
					const status = readSelect(card, PROPS.status);
					if (status === 'Approved' || status === 'Rejected') {
						// Read after the card: a Slack decision made meanwhile (store first, card second) is not taken for a card edit.
						const current = await this._row(p.id);
						if (!current || current.status !== 'pending') continue;
						p = proposalFromRow(current);
						const event = await this._applyCard(p, card, status, schema);
						if (event && event !== 'repaired') events.push(event);
						const after = await this._row(p.id);
						if (!after || after.status !== 'pending') continue;
						p = proposalFromRow(after);
					}
				}
			}
			const updated = await this.store.update('approvals', { proposal_id: p.id, status: 'pending' }, { status: 'expired', decided_at: now.toISOString() });
			if (updated.updated === 0) continue;
			const cardError = p.notionPageId ? await this._setCard(p.notionPageId, schema, 'Expired') : undefined;
			events.push(this._event('expired', { ...p, status: 'expired' }, `"${p.title}" expired at ${p.expiresAt} without a decision; it will not execute.`, { cardError }));
		}
		return events;
	}

	// ---- Notion helpers -------------------------------------------------------

}

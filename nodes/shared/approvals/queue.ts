/**
 * The Notion approval queue: cards for proposals, decisions read back into
 * the store, approved proposals executed exactly once through the action
 * ledger, and expiry.
 *
 * The store is the source of truth. A card is what a person sees and clicks;
 * what the click means is decided here:
 * - only a pending proposal can be decided; a rejected, expired or executed
 *   one never changes because its card changed later (the card is repaired);
 * - an approval counts when the card still shows what was queued (card hash),
 *   the stored payload still matches its hash, the approver is a person on the
 *   allow-list (when one is set) and the proposal had not expired;
 * - a rejection always counts (stopping is always safe);
 * - execution claims the ledger key `approval:<proposal id>:<payload hash>`
 *   first, so a retry, a second worker or a crash can never run it twice.
 *
 * Decisions arrive from two places and take the same path: a card synced
 * from Notion (`syncDecisions`) or a Slack button click (`decide`). Whichever
 * moves the stored proposal out of `pending` first wins (a conditional
 * update); the other is a no-op or, when it contradicts, a refusal.
 */
import { randomUUID } from 'node:crypto';
import type { Json } from '../schema/rows';
import type { ActionLedgerEntry } from '../store/types';
import { resultText } from './card';
import type { ApprovalEvent } from './events';
import { executionOutcome, type Executor, type ExecutorRegistry, type ReconcileResult } from './executors';
import { failpoint } from '../resilience/failpoints';
import { unknownOutcomeText } from '../resilience/outcome';
import { ledgerKey, payloadIntact, proposalFromRow, type Proposal, type ProposalStatus } from './proposal';
import { SlackDecisions } from './slack-decisions';
import { ApprovalError, HOST, LIVE_RUNS, errorMessage, pidAlive, type ExecuteOptions, type RunInfo, type SchemaInfo } from './queue-types';

export { ApprovalError, type ApprovalErrorCode, type ApprovalQueueOptions, type NotionQueueConfig, type SyncResult, type ExecuteOptions, type SlackDecisionInput } from './queue-types';
export { notionClient, resolveApprovalDataSource, verifyApprovalDataSource } from './notion-cards';

/**
 * The approval queue: proposals on the store (proposal-store.ts), their cards
 * in Notion (notion-cards.ts), decisions from Slack (slack-decisions.ts), and
 * here the execution of approved proposals exactly once through the ledger.
 */
export class ApprovalQueue extends SlackDecisions {
	async executeApproved(registry: ExecutorRegistry, options: ExecuteOptions = {}): Promise<ApprovalEvent[]> {
		const statuses: ProposalStatus[] = ['approved', 'executing'];
		if (options.retryFailed) statuses.push('failed');
		const runId = (options.runId?.trim() || `run-${randomUUID()}`).slice(0, 200);
		const leaseMs = options.claimLeaseMs ?? this._leaseMs;
		if (!(leaseMs > 0)) throw new ApprovalError('claimLeaseMs must be positive');
		const run: RunInfo = { runId, leaseMs, claimedBy: `${runId}@${HOST}:${process.pid}` };
		LIVE_RUNS.add(runId);
		try {
			const rows = await this.store.select('approvals', {
				where: { status: { in: statuses }, ...(options.proposalIds ? { proposal_id: { in: [...options.proposalIds] } } : {}) },
				order: [{ column: 'decided_at' }, { column: 'requested_at' }],
				limit: options.limit ?? 100,
			});
			const retryIds = Array.isArray(options.retryFailed) ? new Set(options.retryFailed as readonly string[]) : undefined;
			const schema = await this._loadSchema();
			const events: ApprovalEvent[] = [];
			for (const row of rows) {
				const p = proposalFromRow(row);
				if (p.status === 'failed' && retryIds && !retryIds.has(p.id)) continue;
				const event = await this._executeOne(p, registry, schema, run);
				if (event) events.push(event);
			}
			return events;
		} finally {
			LIVE_RUNS.delete(runId);
		}
	}

	protected async _executeOne(p: Proposal, registry: ExecutorRegistry, schema: SchemaInfo, run: RunInfo): Promise<ApprovalEvent | undefined> {
		const key = ledgerKey(p);
		if (!payloadIntact(p)) {
			const message = `"${p.title}" was approved, but its stored payload no longer matches the approved payload hash; it is rejected and nothing executed.`;
			// a new decision (the system's rejection, at this time): the trigger emits it as a refusal, apart from the approval it emitted before
			const at = this._now().toISOString();
			if (!(await this._countRefusal(p.id, { status: p.status }, { status: 'rejected', flag: 'payload_tampered', flagged_at: at, decided_at: at, error: message }))) return undefined;
			const cardError = p.notionPageId ? await this._setCard(p.notionPageId, schema, 'Rejected') : undefined;
			return this._event('refused', { ...p, status: 'rejected' }, message, { reason: 'payload_tampered', flagged: true, idempotencyKey: key, cardError });
		}
		const executor = registry.get(p.kind);
		if (!executor) {
			return this._event('skipped', p, `No executor is registered for kind "${p.kind}"; "${p.title}" stays ${p.status} until one is.`, { idempotencyKey: key });
		}
		const held = executor.hold ? await executor.hold() : null;
		if (held) return this._event('skipped', p, `"${p.title}" stays ${p.status} and nothing of it ran: ${held}.`, { idempotencyKey: key, held });
		const claim = await this.store.claimAction(key, {
			kind: `approval.${p.kind}`,
			target: p.id,
			intent: { proposalId: p.id, kind: p.kind, payloadHash: p.payloadHash },
			retryFailed: p.status === 'failed',
			claimedBy: run.claimedBy,
		});
		if (!claim.claimed) return this._fromLedger(p, claim.entry, schema, executor, run);
		return this._run(p, executor, claim.entry.attempts, schema, run, true);
	}

	/** Runs the executor under a claim this run holds, and records its outcome. */
	protected async _run(p: Proposal, executor: Executor, attempts: number, schema: SchemaInfo, run: RunInfo, mayRerun: boolean): Promise<ApprovalEvent | undefined> {
		const key = ledgerKey(p);
		await this.store.update('approvals', { proposal_id: p.id }, { status: 'executing', error: null });
		if (p.notionPageId && schema.status.options.has('Executing')) await this._setCard(p.notionPageId, schema, 'Executing');
		let result: Json;
		try {
			result = ((await executor(p.payload, { proposal: Object.freeze({ ...p }), idempotencyKey: key, attempt: attempts })) ?? null) as Json;
		} catch (error) {
			const message = errorMessage(error);
			if (executionOutcome(error) === 'unknown') {
				const entry = await this.store.completeAction(key, { status: 'unknown', error: message });
				await this.store.update('approvals', { proposal_id: p.id }, { status: 'executing', error: message });
				return this._settle({ ...p, status: 'executing', error: message }, executor, entry, schema, run, mayRerun);
			}
			await this.store.completeAction(key, { status: 'failed', error: message });
			await this.store.update('approvals', { proposal_id: p.id }, { status: 'failed', error: message });
			const cardError = p.notionPageId ? await this._setCard(p.notionPageId, schema, 'Failed', undefined, undefined, resultText({ error: `attempt ${attempts}: ${message}` })) : undefined;
			return this._event('failed', { ...p, status: 'failed' }, `"${p.title}" failed (attempt ${attempts}): ${message}. It was not applied; nothing else is retried automatically; retry it explicitly.`, {
				error: message,
				attempts,
				idempotencyKey: key,
				cardError,
			});
		}
		failpoint('approval.after-executor');
		await this.store.completeAction(key, { status: 'succeeded', response: result });
		return this._writeExecuted(p, result, attempts, key, schema, true);
	}

	protected async _writeExecuted(p: Proposal, result: Json, attempts: number, key: string, schema: SchemaInfo, executedNow: boolean, how?: string): Promise<ApprovalEvent | undefined> {
		const updated = await this.store.update('approvals', { proposal_id: p.id, status: { in: ['approved', 'executing', 'failed'] } }, { status: 'executed', result, error: null });
		if (updated.updated === 0 && !executedNow) return undefined; // another run wrote it back (and reported it)
		if (updated.updated === 0) await this.store.update('approvals', { proposal_id: p.id }, { status: 'executed', result, error: null });
		const cardError = p.notionPageId ? await this._setCard(p.notionPageId, schema, 'Executed', undefined, undefined, resultText({ result })) : undefined;
		const message = executedNow
			? `"${p.title}" executed${attempts > 1 ? ` on attempt ${attempts}` : ''}.`
			: how
				? `"${p.title}" had been applied (checked: ${how}); recorded as executed without running it again.`
				: `"${p.title}" had already executed (the ledger says so); its result was written back without running it again.`;
		const decidedBy = await this.storedDecider(p.decidedBy);
		return this._event('executed', { ...p, status: 'executed' }, message, { result, attempts, idempotencyKey: key, executedNow, cardError, decidedBy, ...(how ? { resolution: how } : {}) });
	}

	/** Whether the run named in a claim is still going: `live`, or `gone` (its process died, its run ended, or the lease ran out). */
	protected _holder(entry: ActionLedgerEntry, leaseMs: number): { state: 'live' | 'gone'; who: string; since: string; why?: string } {
		const since = entry.updated_at ?? entry.created_at;
		const ageMs = this._now().getTime() - Date.parse(since);
		const who = entry.claimed_by ?? 'an unnamed run';
		const leaseOver = ageMs > leaseMs;
		const lease = `the claim is older than the ${leaseMs >= 60_000 ? `${Math.round(leaseMs / 60_000)} min` : `${Math.round(leaseMs / 1000)} s`} lease`;
		const m = /^(.*)@([^@]+):(\d+)$/.exec(entry.claimed_by ?? '');
		if (m && m[2] === HOST) {
			const pid = Number(m[3]);
			if (pid === process.pid) return LIVE_RUNS.has(m[1]!) ? { state: 'live', who, since } : { state: 'gone', who, since, why: 'that run of this process ended without recording an outcome' };
			if (!pidAlive(pid)) return { state: 'gone', who, since, why: `process ${pid} on this host is gone` };
		}
		return leaseOver ? { state: 'gone', who, since, why: lease } : { state: 'live', who, since };
	}

	protected async _fromLedger(p: Proposal, entry: ActionLedgerEntry, schema: SchemaInfo, executor: Executor | undefined, run: RunInfo): Promise<ApprovalEvent | undefined> {
		const key = entry.idempotency_key;
		if (entry.status === 'succeeded' || entry.status === 'failed') {
			// a live run that just completed the ledger writes the proposal back itself
			if (entry.claimed_by && entry.claimed_by !== run.claimedBy && this._holder(entry, run.leaseMs).state === 'live') return undefined;
		}
		if (entry.status === 'succeeded') return this._writeExecuted(p, entry.response, entry.attempts, key, schema, false, entry.resolution ?? undefined);
		if (entry.status === 'failed') {
			if (p.status === 'failed') return undefined; // reported when it failed
			const error = entry.error ?? 'failed';
			const updated = await this.store.update('approvals', { proposal_id: p.id, status: { in: ['approved', 'executing'] } }, { status: 'failed', error });
			if (updated.updated === 0) return undefined;
			const cardError = p.notionPageId ? await this._setCard(p.notionPageId, schema, 'Failed', undefined, undefined, resultText({ error })) : undefined;
			return this._event('failed', { ...p, status: 'failed' }, `"${p.title}" had failed (attempt ${entry.attempts}): ${error}. It was not applied; retry it explicitly.`, { error, attempts: entry.attempts, idempotencyKey: key, cardError });
		}
		if (entry.status === 'claimed') {
			const holder = this._holder(entry, run.leaseMs);
			if (holder.state === 'live') {
				return this._event('in_progress', p, `"${p.title}" is in progress by run ${holder.who} since ${holder.since}; this run leaves it to that run.`, {
					idempotencyKey: key,
					attempts: entry.attempts,
					claimedBy: holder.who,
					since: holder.since,
				});
			}
			if (!executor?.reconcile) {
				return this._event(
					'stuck',
					p,
					`"${p.title}" was claimed for execution by ${holder.who} at ${holder.since} and never recorded an outcome (${holder.why}): the change may or may not have been applied. It is not run again automatically, and this executor cannot check the receiver; check it, then resolve it (Resolve Stuck).`,
					{ idempotencyKey: key, attempts: entry.attempts, claimedBy: holder.who, since: holder.since },
				);
			}
		}
		return this._settle(p, executor, entry, schema, run, true);
	}

	/**
	 * Settles an `unknown` entry, or a `claimed` one whose holder is gone, by
	 * the executor's reconciler: applied → executed; not applied → failed in
	 * the ledger and, when `mayRerun`, run again once by this run; cannot tell
	 * → the proposal stays `executing` and counts as possibly applied.
	 */
	protected async _settle(p: Proposal, executor: Executor | undefined, entry: ActionLedgerEntry, schema: SchemaInfo, run: RunInfo, mayRerun: boolean): Promise<ApprovalEvent | undefined> {
		const key = entry.idempotency_key;
		const from = entry.status as 'claimed' | 'unknown';
		const cause = entry.error ?? (from === 'claimed' ? 'the run that claimed it ended without recording an outcome' : 'its answer was lost');
		let check: ReconcileResult = { state: 'unknown', how: 'the executor of this kind cannot check the receiver' };
		if (executor?.reconcile) {
			try {
				check = await executor.reconcile(p.payload, { proposal: Object.freeze({ ...p }), idempotencyKey: key, attempt: entry.attempts });
			} catch (error) {
				check = { state: 'unknown', how: `checking failed: ${errorMessage(error)}` };
			}
		}
		if (check.state === 'applied') {
			const done = await this.store.resolveAction(key, { from, status: 'succeeded', resolution: check.how, response: check.result ?? null, ...(from === 'claimed' ? { attempts: entry.attempts } : {}) });
			if (!done.resolved) return this._fromLedger(p, done.entry, schema, executor, run);
			return this._writeExecuted(p, done.entry.response, done.entry.attempts, key, schema, false, check.how);
		}
		if (check.state === 'not_applied') {
			const done = await this.store.resolveAction(key, { from, status: 'failed', resolution: check.how, ...(from === 'claimed' ? { attempts: entry.attempts } : {}) });
			if (!done.resolved) return this._fromLedger(p, done.entry, schema, executor, run);
			if (mayRerun && executor) {
				const again = await this.store.claimAction(key, { kind: `approval.${p.kind}`, target: p.id, intent: { proposalId: p.id, kind: p.kind, payloadHash: p.payloadHash }, retryFailed: true, claimedBy: run.claimedBy });
				if (!again.claimed) return this._fromLedger(p, again.entry, schema, executor, run);
				return this._run(p, executor, again.entry.attempts, schema, run, false);
			}
			const error = `${cause}; checked: ${check.how}, so it was not applied`;
			await this.store.update('approvals', { proposal_id: p.id }, { status: 'failed', error });
			const cardError = p.notionPageId ? await this._setCard(p.notionPageId, schema, 'Failed', undefined, undefined, resultText({ error })) : undefined;
			return this._event('failed', { ...p, status: 'failed' }, `"${p.title}" was not applied (${error}).`, { error, attempts: entry.attempts, idempotencyKey: key, cardError, resolution: check.how });
		}
		// cannot tell: possibly applied, never re-sent
		const text = /outcome is unknown/.test(cause) ? `"${p.title}": ${cause}` : unknownOutcomeText(`"${p.title}"`, cause);
		if (p.status !== 'executing' || p.error !== cause) await this.store.update('approvals', { proposal_id: p.id }, { status: 'executing', error: cause });
		const cardError = p.notionPageId ? await this._setCard(p.notionPageId, schema, schema.status.options.has('Executing') ? 'Executing' : undefined, undefined, undefined, `Outcome unknown, being checked: ${cause}`) : undefined;
		if (!executor?.reconcile) {
			return this._event('stuck', { ...p, status: 'executing' }, `${text}. It was never recorded as done or failed and this executor cannot check the receiver: check it, then resolve it (Resolve Stuck).`, {
				idempotencyKey: key,
				attempts: entry.attempts,
				error: cause,
				cardError,
			});
		}
		return this._event('unknown', { ...p, status: 'executing' }, `${text} (last check: ${check.how}).`, { idempotencyKey: key, attempts: entry.attempts, error: cause, cardError });
	}

	/**
	 * Records the outcome of a `stuck` (or `unknown`) proposal after a person
	 * checked the platform: `succeeded` marks it executed, `failed` marks it
	 * failed (then retryable). Never runs the executor.
	 */
	async resolveStuck(proposalId: string, outcome: { status: 'succeeded'; result?: Json } | { status: 'failed'; error: string }): Promise<ApprovalEvent> {
		const row = await this._row(proposalId);
		if (!row) throw new ApprovalError(`No proposal ${proposalId}`, proposalId);
		const p = proposalFromRow(row);
		const key = ledgerKey(p);
		const [current] = await this.store.select('action_ledger', { where: { idempotency_key: key } });
		if (!current) throw new ApprovalError(`Proposal ${proposalId} was never claimed for execution; there is nothing to resolve`, proposalId);
		let entry = current;
		if (current.status === 'claimed' || current.status === 'unknown') {
			const resolution = outcome.status === 'succeeded' ? 'a person checked the receiver: it was applied' : `a person checked the receiver: it was not applied (${outcome.error})`;
			const done = await this.store.resolveAction(key, { from: current.status, status: outcome.status, resolution, ...(outcome.status === 'succeeded' ? { response: outcome.result ?? null } : {}) });
			entry = done.entry;
			if (done.resolved && outcome.status === 'failed') {
				const error = outcome.error;
				await this.store.update('approvals', { proposal_id: p.id }, { status: 'failed', error });
				const schema = await this._loadSchema();
				const cardError = p.notionPageId ? await this._setCard(p.notionPageId, schema, 'Failed', undefined, undefined, resultText({ error })) : undefined;
				return this._event('failed', { ...p, status: 'failed' }, `"${p.title}" was recorded as not applied: ${error}. Retry it explicitly.`, { error, attempts: entry.attempts, idempotencyKey: key, cardError });
			}
		}
		if (entry.status !== 'succeeded') throw new ApprovalError(`Proposal ${proposalId} was already recorded as ${entry.status}`, proposalId);
		const event = await this._writeExecuted(p, entry.response, entry.attempts, key, await this._loadSchema(), false, entry.resolution ?? undefined);
		if (!event) throw new ApprovalError(`Proposal ${proposalId} was already recorded as executed`, proposalId);
		return event;
	}

	// ---- expiry ---------------------------------------------------------------

	/**
	 * Pending proposals past their expiry become Expired in the store and on
	 * the card. A card already decided in Notion is applied first (an approval
	 * made before the expiry still counts; one made after is refused).
	 */
}

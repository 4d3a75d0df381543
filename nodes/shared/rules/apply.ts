/**
 * Applying one planned change to an ad platform, safely: the step shared by
 * the optimizer run (run.ts) and the `optimization` executor of approved
 * proposals (executor.ts). Not pure: it uses the store's action ledger and a
 * platform adapter.
 *
 *   claim the ledger key → re-read the campaign on the platform → refuse when
 *   it changed since the evaluation → apply → record the platform's answer
 *
 * Decisions:
 * - The ledger key is the decision's idempotency key (`opt:…`), for a run and
 *   for an approved proposal alike, so one change happens at most once however
 *   it is triggered. A claim that is still open (another run, or a crash
 *   between the change and its record) is never taken over: it is reported
 *   `in_progress` and left for a person. A failed attempt may be retried
 *   (`maxAttempts`, counting the ledger's attempts).
 * - Never act on stale state: the campaign's status must still be the one the
 *   decision was planned on and, for budget changes, its daily budget must
 *   still equal the planned `budgetBefore` (to half a minor unit), in the same
 *   currency, and be editable. Otherwise nothing is sent, the ledger attempt
 *   fails with the reason (`stale: …`) and the next run plans again from the
 *   current state.
 * - Dry-run claims nothing and sends no change; it re-reads the campaign (a
 *   read) and runs the same freshness check, so its evidence says what a live
 *   run would do. With `validateOnly`, platforms that can (Meta, Google Ads)
 *   are asked to check the change without making it.
 */
import { currencyExponent } from '../platforms/currency';
import { hasCampaignControl, type CampaignChangeResult, type CampaignControl, type CampaignState, type PlatformAdapter } from '../platforms/types';
import { PlatformApiError, type PlatformId } from '../resilience/errors';
import type { Json } from '../schema/rows';
import type { ActionLedgerEntry, Store } from '../store/types';
import { normalizeStatus, toJson } from './evaluate';
import { entityKey } from './metrics';
import type { ActionType } from './model';

/** The platform adapters of a run, by platform (created by the node through `createPlatformAdapter`). */
export type OptimizerAdapters = Partial<Record<PlatformId, PlatformAdapter | CampaignControl>>;

/** The platforms whose campaigns the optimizer can change. */
export const CONTROLLED_PLATFORMS = ['meta', 'linkedin', 'google_ads'] as const;
export type ControlledPlatform = (typeof CONTROLLED_PLATFORMS)[number];

/** The adapter of `platform` that can control campaigns; throws an Error that says what to configure. */
export function controlFor(adapters: OptimizerAdapters, platform: string): CampaignControl {
	if (!(CONTROLLED_PLATFORMS as readonly string[]).includes(platform)) {
		throw new Error(`The optimizer cannot change ${platform} campaigns: only Meta, LinkedIn and Google Ads campaigns have a status and daily budget it can set`);
	}
	const adapter = adapters[platform as ControlledPlatform];
	if (!adapter) throw new Error(`No ${platform} adapter was given to the optimizer: add the ${platform} credential and its accounts`);
	if (!hasCampaignControl(adapter)) throw new Error(`The ${platform} adapter cannot read or change campaigns`);
	return adapter;
}

/** A change as planned by the evaluation (a decision, or an approved proposal's payload). */
export interface PlannedChange {
	idempotencyKey: string;
	platform: string;
	accountId: string;
	campaignId: string;
	/** The rule's action; budget actions carry the exact `budgetAfter`. */
	action: ActionType;
	/** Normalized status the change was planned on: `active` or `paused`. */
	statusBefore: string;
	budgetBefore: number | null;
	budgetAfter: number | null;
	currency: string;
	ruleId: string;
	evaluatedAt: string;
}

/** What the campaign looks like now, as the freshness check saw it. */
export interface CurrentState {
	status: string;
	dailyBudget: number | null;
	currency: string | null;
	budgetEditable: boolean;
	budgetNote: string | null;
}

export interface Freshness {
	fresh: boolean;
	/** Why the change is refused (stale or impossible), null when fresh. */
	reason: string | null;
	current: CurrentState | null;
}

const isBudget = (a: ActionType) => a === 'scale_budget' || a === 'set_budget';

/** Compares the campaign's current state with the state the change was planned on. */
export function checkFreshness(planned: PlannedChange, state: CampaignState | null): Freshness {
	if (!state) return { fresh: false, reason: `campaign ${planned.campaignId} no longer exists in account ${planned.accountId} (or is removed)`, current: null };
	const current: CurrentState = { status: state.status, dailyBudget: state.dailyBudget, currency: state.currency, budgetEditable: state.budgetEditable, budgetNote: state.budgetNote };
	const status = normalizeStatus(state.status);
	if (status !== planned.statusBefore) {
		return { fresh: false, reason: `stale: the campaign is ${state.status} on the platform now, the change was planned on ${planned.statusBefore.toUpperCase()} at ${planned.evaluatedAt}`, current };
	}
	if (isBudget(planned.action)) {
		if (state.currency !== planned.currency) return { fresh: false, reason: `stale: the account budgets in ${String(state.currency)} now, the change was planned in ${planned.currency}`, current };
		if (!state.budgetEditable || state.dailyBudget === null) return { fresh: false, reason: `the daily budget cannot be changed: ${state.budgetNote ?? 'the campaign has no daily budget'}`, current };
		const exponent = currencyExponent(planned.currency) ?? 2;
		if (planned.budgetBefore === null || Math.abs(state.dailyBudget - planned.budgetBefore) >= 0.5 / 10 ** exponent) {
			return {
				fresh: false,
				reason: `stale: the daily budget is ${state.dailyBudget} ${planned.currency} on the platform now, the change was planned on ${String(planned.budgetBefore)} ${planned.currency} at ${planned.evaluatedAt}; not overwritten (the next run plans again from ${state.dailyBudget})`,
				current,
			};
		}
	}
	return { fresh: true, reason: null, current };
}

export interface ErrorInfo {
	message: string;
	kind?: string;
	hint?: string;
	retryable?: boolean;
	httpStatus?: number;
	code?: string | number;
}

export function errorInfo(error: unknown): ErrorInfo {
	if (error instanceof PlatformApiError) {
		return { message: error.message, kind: error.kind, hint: error.hint, retryable: error.retryable, httpStatus: error.httpStatus, code: error.code };
	}
	return { message: error instanceof Error ? error.message : String(error) };
}

export type ApplyResult =
	/** Changed on the platform now (`validated`: only checked there, in a dry run). */
	| { outcome: 'executed'; at: string; response: Json; attempts: number; current: CurrentState }
	/** Dry run: nothing sent; `validation` is the platform's answer to a validate-only request, if one was made. */
	| { outcome: 'dry_run'; current: CurrentState; validation: Json | null }
	/** The ledger says it was already done (by an earlier run or an approval). */
	| { outcome: 'already_executed'; at: string; response: Json; attempts: number }
	| { outcome: 'refused'; reason: string; current: CurrentState | null; attempts: number }
	| { outcome: 'failed'; error: ErrorInfo; attempts: number; gaveUp: boolean }
	| { outcome: 'in_progress'; since: string; attempts: number };

export interface ApplyOptions {
	store: Store;
	control: CampaignControl;
	now: () => Date;
	dryRun: boolean;
	/** In a dry run, ask platforms that can (Meta, Google Ads) to validate the change. */
	validateOnly?: boolean;
	/** Attempts (ledger `attempts`) after which a failed change is not tried again; default 3. */
	maxAttempts?: number;
	/** Who asks: `run` or `approval` (recorded in the ledger intent). */
	source: 'run' | 'approval';
	proposalId?: string | null;
	signal?: AbortSignal;
}

function ledgerIntent(p: PlannedChange, source: string, proposalId: string | null | undefined): Json {
	return toJson({
		source,
		proposalId: proposalId ?? null,
		ruleId: p.ruleId,
		action: p.action,
		statusBefore: p.statusBefore,
		budgetBefore: p.budgetBefore,
		budgetAfter: p.budgetAfter,
		currency: p.currency,
		evaluatedAt: p.evaluatedAt,
	});
}

function fromLedger(entry: ActionLedgerEntry, maxAttempts: number): ApplyResult | 'retry' {
	if (entry.status === 'succeeded') {
		const recorded = entry.response && typeof entry.response === 'object' && !Array.isArray(entry.response) ? (entry.response as Record<string, Json>).executedAt : undefined;
		return { outcome: 'already_executed', at: typeof recorded === 'string' ? recorded : (entry.completed_at ?? entry.updated_at), response: entry.response, attempts: entry.attempts };
	}
	if (entry.status === 'claimed') return { outcome: 'in_progress', since: entry.updated_at ?? entry.created_at, attempts: entry.attempts };
	if (entry.attempts >= maxAttempts) return { outcome: 'failed', error: { message: `gave up after ${entry.attempts} attempts; last error: ${entry.error ?? 'unknown'}` }, attempts: entry.attempts, gaveUp: true };
	return 'retry';
}

async function send(p: PlannedChange, control: CampaignControl, validateOnly: boolean, signal?: AbortSignal): Promise<CampaignChangeResult> {
	const target = { accountId: p.accountId, campaignId: p.campaignId, validateOnly, signal };
	switch (p.action) {
		case 'pause':
			return control.setStatus({ ...target, status: 'PAUSED' });
		case 'enable':
			return control.setStatus({ ...target, status: 'ACTIVE' });
		case 'scale_budget':
		case 'set_budget':
			if (p.budgetAfter === null) throw new Error(`the ${p.action} change of campaign ${p.campaignId} has no planned budget`);
			return control.setDailyBudget({ ...target, dailyBudget: p.budgetAfter, currency: p.currency });
		default:
			throw new Error(`${p.action} does not change a campaign`);
	}
}

/**
 * Applies one planned change (pause, enable, budget) through the ledger with
 * the freshness check; see the module doc. Store errors propagate (the ledger
 * then shows the claim as open, which `in_progress` reports on the next try).
 */
export async function applyPlannedChange(p: PlannedChange, o: ApplyOptions): Promise<ApplyResult> {
	if (o.dryRun) {
		const state = await o.control.getCampaignState(p.accountId, p.campaignId, o.signal);
		const fresh = checkFreshness(p, state);
		if (!fresh.fresh) return { outcome: 'refused', reason: fresh.reason as string, current: fresh.current, attempts: 0 };
		let validation: Json | null = null;
		if (o.validateOnly && o.control.canValidateOnly) {
			try {
				validation = toJson((await send(p, o.control, true, o.signal)).response);
			} catch (error) {
				return { outcome: 'failed', error: errorInfo(error), attempts: 0, gaveUp: false };
			}
		}
		return { outcome: 'dry_run', current: fresh.current as CurrentState, validation };
	}

	const maxAttempts = o.maxAttempts ?? 3;
	const intent = { kind: 'optimization', target: entityKey(p.platform, p.accountId, p.campaignId), intent: ledgerIntent(p, o.source, o.proposalId) };
	let claim = await o.store.claimAction(p.idempotencyKey, intent);
	if (!claim.claimed) {
		const known = fromLedger(claim.entry, maxAttempts);
		if (known !== 'retry') return known;
		claim = await o.store.claimAction(p.idempotencyKey, { ...intent, retryFailed: true });
		if (!claim.claimed) {
			const now = fromLedger(claim.entry, maxAttempts);
			return now === 'retry' ? { outcome: 'in_progress', since: claim.entry.updated_at, attempts: claim.entry.attempts } : now;
		}
	}
	const attempts = claim.entry.attempts;

	let state: CampaignState | null;
	try {
		state = await o.control.getCampaignState(p.accountId, p.campaignId, o.signal);
	} catch (error) {
		const info = errorInfo(error);
		await o.store.completeAction(p.idempotencyKey, { status: 'failed', error: `re-reading the campaign failed: ${info.message}` });
		return { outcome: 'failed', error: { ...info, message: `re-reading the campaign before the change failed: ${info.message}` }, attempts, gaveUp: false };
	}
	const fresh = checkFreshness(p, state);
	if (!fresh.fresh) {
		await o.store.completeAction(p.idempotencyKey, { status: 'failed', error: fresh.reason as string, response: toJson({ current: fresh.current }) });
		return { outcome: 'refused', reason: fresh.reason as string, current: fresh.current, attempts };
	}

	let result: CampaignChangeResult;
	try {
		result = await send(p, o.control, false, o.signal);
	} catch (error) {
		const info = errorInfo(error);
		await o.store.completeAction(p.idempotencyKey, { status: 'failed', error: info.message, response: toJson({ error: info }) });
		return { outcome: 'failed', error: info, attempts, gaveUp: false };
	}
	const response = toJson({ call: result.call, request: result.request, response: result.response, requests: result.meta.requests, retries: result.meta.retries });
	// the run's clock, the one evaluations, cooldowns and the 24 h cap use
	const at = o.now().toISOString();
	await o.store.completeAction(p.idempotencyKey, { status: 'succeeded', response: toJson({ ...(response as Record<string, Json>), executedAt: at }) });
	return { outcome: 'executed', at, response, attempts, current: fresh.current as CurrentState };
}

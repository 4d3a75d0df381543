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
 *
 * Three outcomes (issue 12). A change whose answer was lost or late (5xx,
 * timeout, malformed answer: `sideEffectOutcome`) is **unknown**: the ledger
 * entry ends `unknown`, the caller's record (the `optimization_actions` row)
 * says `unknown` with `action_taken` at the attempt's time and target value,
 * so every gate counts it as applied, and nothing is sent again under its key
 * until `reconcileOptimizationActions` has read the campaign back: budget (to
 * half a minor unit) or status equal to the target → succeeded (`executed`),
 * equal to the value before → failed (may be tried again), anything else →
 * stays unknown and blocks the campaign until a person looks. A claim whose
 * holder is gone (its process died, or older than the lease) is settled the
 * same way. A retry of a key always applies the ledger intent's target, never
 * a value re-planned from a budget the first attempt may already have raised.
 * Texts never advise a retry.
 *
 * The ledger completion and the caller's record commit in one transaction on
 * SQL stores; on Supabase (no transactions) the record follows the ledger and
 * the run's repair pass rebuilds a missing one from the ledger intent
 * (`repairOptimizationRecords`). Failpoints: `optimizer.after-platform` (the
 * platform answered, the ledger is still `claimed`) and
 * `optimizer.after-ledger` (the ledger and, on SQL stores, the record are
 * committed; on Supabase the record is not written yet).
 */
import { hostname } from 'node:os';
import { currencyExponent } from '../platforms/currency';
import { hasAdControl, hasCampaignControl, type AdControl, type AdState, type CampaignChangeResult, type CampaignControl, type CampaignState, type PlatformAdapter } from '../platforms/types';
import { platformList, platformsWith } from '../platforms/registry';
import { PlatformApiError, type PlatformId } from '../resilience/errors';
import { failpoint } from '../resilience/failpoints';
import { sideEffectOutcome, unknownOutcomeText } from '../resilience/outcome';
import type { Json, RowInput } from '../schema/rows';
import type { ActionLedgerEntry, CompleteOutcome, Store } from '../store/types';
import { normalizeStatus, toJson, type ActionRecord } from './evaluate';
import { entityKey } from './metrics';
import { ACTION_TYPES, type ActionType } from './model';

/** The platform adapters of a run, by platform (created by the node through `createPlatformAdapter`). */
export type OptimizerAdapters = Partial<Record<PlatformId, PlatformAdapter | CampaignControl>>;

/** The platforms whose campaigns the optimizer can change: the registry's platforms with the `optimizer` capability. */
export const CONTROLLED_PLATFORMS: readonly PlatformId[] = platformsWith('optimizer');
export type ControlledPlatform = PlatformId;

/** The adapter of `platform` that can control campaigns; throws an Error that says what to configure. */
export function controlFor(adapters: OptimizerAdapters, platform: string): CampaignControl {
	if (!(CONTROLLED_PLATFORMS as readonly string[]).includes(platform)) {
		throw new Error(`The optimizer cannot change ${platform} campaigns: only ${platformList(CONTROLLED_PLATFORMS)} campaigns have a status and daily budget it can set`);
	}
	const adapter = adapters[platform as ControlledPlatform];
	if (!adapter) throw new Error(`No ${platform} adapter was given to the optimizer: add the ${platform} credential and its accounts`);
	if (!hasCampaignControl(adapter)) throw new Error(`The ${platform} adapter cannot read or change campaigns`);
	return adapter;
}

/** The adapter of `platform` that can read and set one ad's status (rules of level `ad`); throws an Error that says what is missing. */
export function adControlFor(adapters: OptimizerAdapters, platform: string): AdControl {
	const adapter = controlFor(adapters, platform);
	if (!hasAdControl(adapter)) throw new Error(`The ${platform} adapter cannot read or change ads: rules of level "ad" are not available on ${platform}`);
	return adapter;
}

/**
 * An ad's state in the shape the freshness check and the reconciliation read
 * (status only: an ad has no budget of its own here).
 */
export function adStateAsEntity(ad: AdState, campaignId: string, currency: string | null): CampaignState {
	return { platform: ad.platform, accountId: ad.accountId, campaignId: ad.campaignId ?? campaignId, name: ad.name, status: ad.status, platformStatus: ad.platformStatus, dailyBudget: null, budgetEditable: false, budgetNote: 'an ad has no budget of its own', currency, timezone: null, createdAt: null, raw: ad.raw };
}

/** "ad 123 of campaign 9" / "campaign 9": what a change is about, in words. */
export function changeSubject(t: { platform?: string; campaignId: string; adId?: string | null }): string {
	const platform = t.platform ? `${t.platform} ` : '';
	return t.adId ? `${platform}ad ${t.adId} of campaign ${t.campaignId}` : `${platform}campaign ${t.campaignId}`;
}

/** A change as planned by the evaluation (a decision, or an approved proposal's payload). */
export interface PlannedChange {
	idempotencyKey: string;
	platform: string;
	accountId: string;
	campaignId: string;
	/** A change of one ad of the campaign (rules of level `ad`): pause or enable only. */
	adId?: string | null;
	/** The ad's ad group (Google Ads addresses the ad as `adGroupAds/{group}~{ad}`). */
	adGroupId?: string | null;
	/** The rule's action; budget actions carry the exact `budgetAfter`. */
	action: ActionType;
	/** Normalized status the change was planned on: `active` or `paused`. */
	statusBefore: string;
	budgetBefore: number | null;
	budgetAfter: number | null;
	currency: string;
	ruleId: string;
	evaluatedAt: string;
	/** The rule's name (kept in the ledger intent for the record a repair or reconciliation writes). */
	ruleName?: string | null;
	/** The record's `action_details` (kept in the ledger intent, so a lost record can be rebuilt). */
	details?: Json;
	/** The rule's own action type (`scale_budget` for a budget change proposed as `set_budget`). */
	requestedType?: ActionType;
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
	if (!state) return { fresh: false, reason: `${changeSubject(planned).replace(`${planned.platform} `, '')} no longer exists in account ${planned.accountId} (or is removed)`, current: null };
	const current: CurrentState = { status: state.status, dailyBudget: state.dailyBudget, currency: state.currency, budgetEditable: state.budgetEditable, budgetNote: state.budgetNote };
	const status = normalizeStatus(state.status);
	if (status !== planned.statusBefore) {
		return { fresh: false, reason: `stale: the ${planned.adId ? 'ad' : 'campaign'} is ${state.status} on the platform now, the change was planned on ${planned.statusBefore.toUpperCase()} at ${planned.evaluatedAt}`, current };
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
	/** The ledger says it was already done (by an earlier run or an approval), or the campaign already shows the target. */
	| { outcome: 'already_executed'; at: string; response: Json; attempts: number }
	| { outcome: 'refused'; reason: string; current: CurrentState | null; attempts: number }
	/** Known not to have been applied (refused by the platform, or never sent). */
	| { outcome: 'failed'; error: ErrorInfo; attempts: number; gaveUp: boolean }
	/**
	 * The answer was lost or late: the change may have been applied. `at` is
	 * the attempt's time (it counts from then for every gate). `pending`: the
	 * ledger already had it unknown and nothing was sent now.
	 */
	| { outcome: 'unknown'; at: string; error: ErrorInfo; attempts: number; pending: boolean }
	/** Another run holds the claim (`by`, since `since`) and has not finished. */
	| { outcome: 'in_progress'; since: string; by: string | null; attempts: number };

/** The record of a live result (the `optimization_actions` row), written with the ledger completion (one transaction where the store has them). */
export type ApplyRecord = (store: Store, result: ApplyResult) => Promise<void>;

export interface ApplyOptions {
	store: Store;
	control: CampaignControl;
	/** The ad control of the same platform, for changes of one ad (`PlannedChange.adId`); default: `control` when it has one. */
	ads?: AdControl;
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
	/** Who claims (a run id, an n8n execution id): shown to concurrent runs as "in progress by …". Default: `holderId()`. */
	claimedBy?: string;
	/** Writes the record of a live result; with the ledger completion in one transaction on SQL stores. */
	record?: ApplyRecord;
}

/** `<run id> (<host>:<pid>)`: who holds a claim, and how a later run tells whether that process is still alive. */
export function holderId(runId?: string | null): string {
	const where = `${hostname()}:${process.pid}`;
	return runId ? `${String(runId).slice(0, 300)} (${where})` : where;
}

/** The run id part of a holder id (`run-1 (host:42)` → `run-1`), or the whole text. */
export function holderRun(by: string | null | undefined): string | null {
	if (!by) return null;
	const m = /^(.*) \(([^()]*):(\d+)\)$/.exec(by);
	return m ? m[1] : by;
}

/** Whether the process that holds `by` is known to be gone: same host and its pid no longer exists. */
export function holderProcessGone(by: string | null | undefined): boolean {
	if (!by) return false;
	const m = /(?:^|\()([^()\s]+):(\d+)\)?$/.exec(by);
	if (!m || m[1] !== hostname()) return false;
	const pid = Number(m[2]);
	if (pid === process.pid) return false;
	try {
		process.kill(pid, 0);
		return false;
	} catch (error) {
		return (error as NodeJS.ErrnoException).code === 'ESRCH';
	}
}

/** The target of a change as the ledger intent holds it. */
export interface IntentTarget {
	source: string;
	proposalId: string | null;
	ruleId: string;
	ruleName: string | null;
	platform: string;
	accountId: string;
	campaignId: string;
	/** A change of one ad (rules of level `ad`). */
	adId: string | null;
	adGroupId: string | null;
	action: ActionType;
	requestedType: ActionType;
	statusBefore: string;
	statusAfter: string;
	budgetBefore: number | null;
	budgetAfter: number | null;
	currency: string;
	evaluatedAt: string;
	attemptedAt: string | null;
	runId: string | null;
	details: Json;
}

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
const numOrNull = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const isAction = (v: unknown): v is ActionType => typeof v === 'string' && (ACTION_TYPES as readonly string[]).includes(v);
const statusAfterOf = (action: ActionType, before: string) => (action === 'pause' ? 'paused' : action === 'enable' ? 'active' : before);

/** Reads an `optimization` ledger intent (null when it is not one this module wrote). */
export function intentTarget(entry: Pick<ActionLedgerEntry, 'intent' | 'target'>): IntentTarget | null {
	const i = (entry.intent && typeof entry.intent === 'object' && !Array.isArray(entry.intent) ? entry.intent : {}) as Record<string, Json>;
	const [tPlatform, tAccount, ...tCampaign] = String(entry.target ?? '').split('|');
	const action = i.action;
	if (!isAction(action)) return null;
	const platform = str(i.platform) ?? tPlatform;
	const accountId = str(i.accountId) ?? tAccount;
	const campaignId = str(i.campaignId) ?? tCampaign.join('|');
	if (!platform || !accountId || !campaignId) return null;
	const statusBefore = str(i.statusBefore) ?? 'active';
	return {
		source: str(i.source) ?? 'run',
		proposalId: str(i.proposalId),
		ruleId: str(i.ruleId) ?? '',
		ruleName: str(i.ruleName),
		platform,
		accountId,
		campaignId,
		adId: str(i.adId),
		adGroupId: str(i.adGroupId),
		action,
		requestedType: isAction(i.requestedType) ? i.requestedType : action,
		statusBefore,
		statusAfter: statusAfterOf(action, statusBefore),
		budgetBefore: numOrNull(i.budgetBefore),
		budgetAfter: numOrNull(i.budgetAfter),
		currency: str(i.currency) ?? '',
		evaluatedAt: str(i.evaluatedAt) ?? '',
		attemptedAt: str(i.attemptedAt),
		runId: str(i.runId),
		details: i.details ?? null,
	};
}

function ledgerIntent(p: PlannedChange, source: string, proposalId: string | null | undefined, attemptedAt: string, by: string): Json {
	return toJson({
		source,
		proposalId: proposalId ?? null,
		ruleId: p.ruleId,
		ruleName: p.ruleName ?? null,
		platform: p.platform,
		accountId: p.accountId,
		campaignId: p.campaignId,
		...(p.adId ? { adId: p.adId, adGroupId: p.adGroupId ?? null } : {}),
		action: p.action,
		requestedType: p.requestedType ?? p.action,
		statusBefore: p.statusBefore,
		budgetBefore: p.budgetBefore,
		budgetAfter: p.budgetAfter,
		currency: p.currency,
		evaluatedAt: p.evaluatedAt,
		attemptedAt,
		runId: by,
		details: p.details ?? null,
	});
}

const recordObj = (v: Json | undefined): Record<string, Json> => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, Json>) : {});

/** When an unknown entry's attempt happened (run clock), from its completion or its intent. */
function attemptTime(entry: ActionLedgerEntry): string {
	const response = recordObj(entry.response);
	return str(response.attemptedAt) ?? str(response.executedAt) ?? intentTarget(entry)?.attemptedAt ?? entry.completed_at ?? entry.updated_at;
}

function fromLedger(entry: ActionLedgerEntry, maxAttempts: number): ApplyResult | 'retry' {
	if (entry.status === 'succeeded') {
		const recorded = recordObj(entry.response).executedAt;
		return { outcome: 'already_executed', at: typeof recorded === 'string' ? recorded : (entry.completed_at ?? entry.updated_at), response: entry.response, attempts: entry.attempts };
	}
	if (entry.status === 'claimed') return { outcome: 'in_progress', since: entry.updated_at ?? entry.created_at, by: entry.claimed_by ?? null, attempts: entry.attempts };
	if (entry.status === 'unknown') {
		return {
			outcome: 'unknown',
			at: attemptTime(entry),
			error: { message: unknownOutcomeText('the change was tried before', `${entry.error ?? 'its answer was lost'}; not reconciled yet`) },
			attempts: entry.attempts,
			pending: true,
		};
	}
	if (entry.attempts >= maxAttempts) return { outcome: 'failed', error: { message: `gave up after ${entry.attempts} attempts; last error: ${entry.error ?? 'unknown'}` }, attempts: entry.attempts, gaveUp: true };
	return 'retry';
}

/** The ad control of an ad's change (`o.ads`, else the campaign control when it has one). */
function adsOf(p: PlannedChange, o: Pick<ApplyOptions, 'control' | 'ads'>): AdControl {
	const ads = o.ads ?? (hasAdControl(o.control) ? o.control : null);
	if (!ads) throw new Error(`The ${p.platform} adapter cannot read or change ads (ad ${String(p.adId)})`);
	return ads;
}

/** The entity's state now: the campaign, or the ad (as a CampaignState without budget); null when it is gone. */
async function readState(p: PlannedChange, o: Pick<ApplyOptions, 'control' | 'ads' | 'signal'>): Promise<CampaignState | null> {
	if (!p.adId) return o.control.getCampaignState(p.accountId, p.campaignId, o.signal);
	const ad = await adsOf(p, o).getAdState(p.accountId, p.adId, o.signal);
	return ad ? adStateAsEntity(ad, p.campaignId, p.currency || null) : null;
}

type SentChange = Omit<CampaignChangeResult, 'platform' | 'accountId' | 'campaignId' | 'call' | 'request' | 'validateOnly'> & { call: CampaignChangeResult['call'] | 'setAdStatus'; request: unknown };

async function send(p: PlannedChange, o: Pick<ApplyOptions, 'control' | 'ads'>, validateOnly: boolean, signal?: AbortSignal): Promise<SentChange> {
	const control = o.control;
	if (p.adId) {
		if (p.action !== 'pause' && p.action !== 'enable') throw new Error(`${p.action} does not change an ad (ad ${p.adId}: pause or enable only)`);
		return adsOf(p, o).setAdStatus({ accountId: p.accountId, adId: p.adId, adGroupId: p.adGroupId ?? null, status: p.action === 'pause' ? 'PAUSED' : 'ACTIVE', validateOnly, signal });
	}
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

/** Why an answer counts as lost, in words (the platform error's own hint talks about retries: it stays in the error details). */
function lostCause(error: unknown): string {
	if (error instanceof PlatformApiError) {
		const status = error.httpStatus ? ` (HTTP ${error.httpStatus})` : '';
		switch (error.kind) {
			case 'timeout':
				return `${error.call}: no answer within the client's timeout`;
			case 'malformed_response':
				return `${error.call}: the answer${status} was not the expected JSON`;
			case 'server':
				return `${error.call}: the platform answered with a server error${status}`;
			default:
				return `${error.call}: ${error.kind}${status}${error.code !== undefined ? ` [code ${String(error.code)}]` : ''}, after an earlier attempt whose answer was lost`;
		}
	}
	return error instanceof Error ? error.message : String(error);
}

/** Whether `store` can write the ledger and a record in one transaction. */
const transactional = (store: Store) => store.kind !== 'supabase';

/**
 * Completes the ledger entry and writes the record together: one transaction
 * on SQL stores, ledger then record on Supabase (a crash between them is
 * repaired by `repairOptimizationRecords`).
 */
async function commit(o: ApplyOptions, key: string, outcome: CompleteOutcome, result: ApplyResult): Promise<ApplyResult> {
	if (o.record && transactional(o.store)) {
		await o.store.transaction(async (tx) => {
			await tx.completeAction(key, outcome);
			await o.record!(tx, result);
		});
		failpoint('optimizer.after-ledger');
		return result;
	}
	await o.store.completeAction(key, outcome);
	failpoint('optimizer.after-ledger');
	if (o.record) await o.record(o.store, result);
	return result;
}

const half = (currency: string) => 0.5 / 10 ** (currencyExponent(currency) ?? 2);

/** Whether the campaign shows the change's target (status or budget to half a minor unit). */
function showsTarget(t: Pick<IntentTarget, 'action' | 'budgetAfter' | 'currency' | 'statusAfter'>, state: CampaignState): boolean {
	if (isBudget(t.action)) return t.budgetAfter !== null && state.dailyBudget !== null && Math.abs(state.dailyBudget - t.budgetAfter) < half(t.currency);
	return normalizeStatus(state.status) === t.statusAfter;
}

/** Whether the campaign still shows the value before the change. */
function showsBefore(t: Pick<IntentTarget, 'action' | 'budgetBefore' | 'currency' | 'statusBefore'>, state: CampaignState): boolean {
	if (isBudget(t.action)) return t.budgetBefore !== null && state.dailyBudget !== null && Math.abs(state.dailyBudget - t.budgetBefore) < half(t.currency);
	return normalizeStatus(state.status) === t.statusBefore;
}

function observedText(t: Pick<IntentTarget, 'action' | 'currency'>, state: CampaignState): string {
	return isBudget(t.action) ? `daily budget ${state.dailyBudget === null ? 'none' : state.dailyBudget.toFixed(currencyExponent(t.currency) ?? 2)} ${t.currency}` : `status ${state.status}`;
}

function targetText(t: Pick<IntentTarget, 'action' | 'currency' | 'budgetAfter' | 'statusAfter'>): string {
	return isBudget(t.action) ? `${t.budgetAfter === null ? '?' : t.budgetAfter.toFixed(currencyExponent(t.currency) ?? 2)} ${t.currency}` : t.statusAfter.toUpperCase();
}

/**
 * Applies one planned change (pause, enable, budget) through the ledger with
 * the freshness check; see the module doc. Store errors propagate (the ledger
 * then shows the claim as open, which `in_progress` reports on the next try).
 */
export async function applyPlannedChange(planned: PlannedChange, o: ApplyOptions): Promise<ApplyResult> {
	let p = planned;
	/** A retry's first target (the ledger intent of key K). */
	let first: IntentTarget | null = null;
	if (o.dryRun) {
		const state = await readState(p, o);
		const fresh = checkFreshness(p, state);
		if (!fresh.fresh) return { outcome: 'refused', reason: fresh.reason as string, current: fresh.current, attempts: 0 };
		let validation: Json | null = null;
		if (o.validateOnly && o.control.canValidateOnly) {
			try {
				validation = toJson((await send(p, o, true, o.signal)).response);
			} catch (error) {
				return { outcome: 'failed', error: errorInfo(error), attempts: 0, gaveUp: false };
			}
		}
		return { outcome: 'dry_run', current: fresh.current as CurrentState, validation };
	}

	const maxAttempts = o.maxAttempts ?? 3;
	const by = o.claimedBy ?? holderId();
	const attemptedAt = o.now().toISOString();
	const intent = { kind: 'optimization', target: entityKey(p.platform, p.accountId, p.campaignId, p.adId), intent: ledgerIntent(p, o.source, o.proposalId, attemptedAt, by), claimedBy: by };
	let claim = await o.store.claimAction(p.idempotencyKey, intent);
	if (!claim.claimed) {
		const known = fromLedger(claim.entry, maxAttempts);
		if (known !== 'retry') return recordKnown(o, known);
		claim = await o.store.claimAction(p.idempotencyKey, { ...intent, retryFailed: true });
		if (!claim.claimed) {
			const now = fromLedger(claim.entry, maxAttempts);
			return recordKnown(o, now === 'retry' ? { outcome: 'in_progress', since: claim.entry.updated_at, by: claim.entry.claimed_by ?? null, attempts: claim.entry.attempts } : now);
		}
		const t = intentTarget(claim.entry);
		if (t && t.platform === p.platform && t.campaignId === p.campaignId && t.adId === (p.adId ?? null)) first = t;
	}
	const attempts = claim.entry.attempts;

	let state: CampaignState | null;
	try {
		state = await readState(p, o);
	} catch (error) {
		const info = errorInfo(error);
		const noun = p.adId ? 'ad' : 'campaign';
		const message = `re-reading the ${noun} before the change failed: ${info.message}`;
		return commit(o, p.idempotencyKey, { status: 'failed', error: `re-reading the ${noun} failed: ${info.message}` }, { outcome: 'failed', error: { ...info, message }, attempts, gaveUp: false });
	}
	if (first && state && showsTarget(first, state)) {
		// the campaign shows key K's first target: an earlier attempt (recorded failed) did reach it; record it, send nothing
		const resolution = `observed: ${observedText(first, state)} equals the target at ${attemptedAt}; nothing sent again`;
		const response = toJson({ observed: resolution, executedAt: attemptedAt });
		return commit(o, p.idempotencyKey, { status: 'succeeded', response }, { outcome: 'already_executed', at: attemptedAt, response, attempts });
	}
	// a retry of key K applies K's first target while the campaign still shows the value it was planned on, never a value
	// re-planned from a budget an earlier attempt may have raised; when someone else changed the campaign since (none of
	// K's attempts is on it: they all ended failed), the plan from the current state stands and is checked as usual
	if (first && state && showsBefore(first, state)) {
		p = { ...p, action: first.action, statusBefore: first.statusBefore, budgetBefore: first.budgetBefore, budgetAfter: first.budgetAfter, currency: first.currency || p.currency };
	}
	const fresh = checkFreshness(p, state);
	if (!fresh.fresh) {
		return commit(o, p.idempotencyKey, { status: 'failed', error: fresh.reason as string, response: toJson({ current: fresh.current }) }, { outcome: 'refused', reason: fresh.reason as string, current: fresh.current, attempts });
	}

	let result: SentChange;
	try {
		result = await send(p, o, false, o.signal);
	} catch (error) {
		failpoint('optimizer.after-platform');
		const info = errorInfo(error);
		if (sideEffectOutcome(error) === 'unknown') {
			const what = `${isBudget(p.action) ? `daily budget → ${targetText({ action: p.action, currency: p.currency, budgetAfter: p.budgetAfter, statusAfter: '' })}` : p.action} of ${changeSubject(p)}`;
			const message = unknownOutcomeText(what, lostCause(error));
			const unknown: ErrorInfo = { ...info, message, retryable: false };
			return commit(o, p.idempotencyKey, { status: 'unknown', error: message, response: toJson({ error: info, attemptedAt }) }, { outcome: 'unknown', at: attemptedAt, error: unknown, attempts, pending: false });
		}
		return commit(o, p.idempotencyKey, { status: 'failed', error: info.message, response: toJson({ error: info }) }, { outcome: 'failed', error: info, attempts, gaveUp: false });
	}
	failpoint('optimizer.after-platform');
	const response = toJson({ call: result.call, request: result.request, response: result.response, requests: result.meta.requests, retries: result.meta.retries });
	// the run's clock, the one evaluations, cooldowns and the 24 h cap use
	const at = o.now().toISOString();
	return commit(o, p.idempotencyKey, { status: 'succeeded', response: toJson({ ...(response as Record<string, Json>), executedAt: at }) }, { outcome: 'executed', at, response, attempts, current: fresh.current as CurrentState });
}

/** A result the ledger already decided (nothing sent): its record is written on its own. */
async function recordKnown(o: ApplyOptions, result: ApplyResult): Promise<ApplyResult> {
	if (o.record) await o.record(o.store, result);
	return result;
}

// ---------------------------------------------------------------------------------------------
// Reconciliation: settle unknown outcomes (and abandoned claims) by reading the platform
// ---------------------------------------------------------------------------------------------

/** Default lease of a claim: a claim older than this whose holder cannot be seen alive is treated as abandoned. */
export const CLAIM_LEASE_MS = 10 * 60_000;

export interface ReconcileOptions {
	now?: () => Date;
	/** Campaign states already read (the run's listing), by `entityKey`; others are listed per account. */
	states?: ReadonlyMap<string, CampaignState>;
	/** Only entries of these accounts (`platform` + `accountId`, as the listings name them). */
	accounts?: ReadonlyArray<{ platform: string; accountId: string }>;
	/** Only these ledger keys (the approval executor: the proposal's key). */
	keys?: readonly string[];
	/** A claim older than this (wall clock) whose holder is not this process is taken over (default 10 min). */
	leaseMs?: number;
	/** This run's holder id: its own claims are never taken over. */
	claimedBy?: string;
	signal?: AbortSignal;
}

export interface ReconciledEntry {
	key: string;
	target: IntentTarget;
	from: 'unknown' | 'claimed';
	/** `succeeded` / `failed`: settled now; `unknown`: still open (see `reason`); `in_progress`: a live claim of another run. */
	status: 'succeeded' | 'failed' | 'unknown' | 'in_progress';
	/** How it was settled, or why it stays open, in words. */
	reason: string;
	/** The attempt's time (run clock) when known. */
	at: string;
	by: string | null;
	since: string;
	attempts: number;
}

export interface ReconcileResult {
	/** Settled now (succeeded or failed). */
	resolved: ReconciledEntry[];
	/** Still open: unknown (could not be decided) or claimed by a live run. */
	open: ReconciledEntry[];
	/** Entries this call could not read (an account listing failed). */
	errors: string[];
}

/** The `optimization_actions` patch of a settled (or still unknown) entry. */
function recordPatch(e: ReconciledEntry): Partial<RowInput<'optimization_actions'>> {
	if (e.status === 'succeeded') return { outcome: 'executed', action_taken: true, executed_at: e.at, error: null, platform_response: toJson({ resolution: e.reason, attempts: e.attempts }) };
	if (e.status === 'failed') return { outcome: 'failed', action_taken: false, executed_at: null, error: e.reason, platform_response: toJson({ resolution: e.reason, attempts: e.attempts }) };
	return { outcome: 'unknown', action_taken: true, executed_at: e.at, error: e.reason };
}


const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The `optimization_actions` row of a ledger entry, from its intent (a record lost in a crash, or never written). */
export function recordFromLedger(key: string, t: IntentTarget, patch: Partial<RowInput<'optimization_actions'>>): RowInput<'optimization_actions'> {
	const details = { ...recordObj(t.details), ...(t.adId ? { level: 'ad', adId: t.adId, adGroupId: t.adGroupId } : {}), ruleId: t.ruleId, ruleName: t.ruleName, idempotencyKey: key, evaluatedAt: t.evaluatedAt, statusBefore: t.statusBefore, statusAfter: t.statusAfter, budgetBefore: t.budgetBefore, budgetAfter: t.budgetAfter, currency: t.currency, runId: t.runId, repaired: true };
	return {
		idempotency_key: key,
		platform: t.platform as RowInput<'optimization_actions'>['platform'],
		account_id: t.accountId,
		campaign_id: t.campaignId,
		rule_id: UUID.test(t.ruleId) ? t.ruleId : null,
		rule_key: t.ruleId || null,
		action_type: t.requestedType,
		decision: t.proposalId ? 'propose' : 'execute',
		action_details: toJson(details),
		service_time_met: true,
		evaluated_at: t.evaluatedAt || null,
		proposal_id: t.proposalId,
		dry_run: false,
		...patch,
	};
}

/** Updates the record of `key` with `patch`, or writes it from the ledger intent when it is missing. */
async function writeRecord(store: Store, key: string, t: IntentTarget, patch: Partial<RowInput<'optimization_actions'>>): Promise<void> {
	const { updated } = await store.update('optimization_actions', { idempotency_key: key }, patch);
	if (updated === 0) await store.upsert('optimization_actions', [recordFromLedger(key, t, patch)], { onConflict: 'ignore' });
}

/**
 * Settles the `optimization` ledger entries whose outcome is unknown, and the
 * claims whose holder is gone (its process no longer exists on this host, or
 * the claim is older than the lease), by reading each campaign on its
 * platform (one listing per account, or the states the run already read):
 * the target observed → `succeeded` (the record becomes `executed` at the
 * attempt's time), the value before observed → `failed` (it may be tried
 * again), anything else → stays open, and the campaign is blocked until a
 * person looks. Each resolution is a compare-and-set with the words of how it
 * was observed, and is written with its record in one transaction where the
 * store allows it. Run it before planning (the run does) and on demand.
 */
export async function reconcileOptimizationActions(store: Store, adapters: OptimizerAdapters, options: ReconcileOptions = {}): Promise<ReconcileResult> {
	const now = options.now ?? (() => new Date());
	const lease = options.leaseMs ?? CLAIM_LEASE_MS;
	const result: ReconcileResult = { resolved: [], open: [], errors: [] };
	if (options.keys && options.keys.length === 0) return result;
	const entries = await store.select('action_ledger', { where: { kind: 'optimization', status: { in: ['unknown', 'claimed'] }, ...(options.keys ? { idempotency_key: { in: [...options.keys] } } : {}) } });
	const inScope = options.accounts ? new Set(options.accounts.map((a) => `${a.platform}|${a.accountId}`)) : null;

	const toCheck: Array<{ entry: ActionLedgerEntry; target: IntentTarget; from: 'unknown' | 'claimed' }> = [];
	for (const entry of entries) {
		const target = intentTarget(entry);
		if (!target) continue;
		if (inScope && !inScope.has(`${target.platform}|${target.accountId}`)) continue;
		const base = { key: entry.idempotency_key, target, by: entry.claimed_by ?? null, since: entry.updated_at, attempts: entry.attempts };
		if (entry.status === 'claimed') {
			const age = Date.now() - Date.parse(entry.updated_at);
			const own = options.claimedBy !== undefined && entry.claimed_by === options.claimedBy;
			if (own || !(holderProcessGone(entry.claimed_by) || age > lease)) {
				result.open.push({ ...base, from: 'claimed', status: 'in_progress', reason: inProgressText(entry.claimed_by ?? null, entry.updated_at), at: target.attemptedAt ?? now().toISOString() });
				continue;
			}
		}
		toCheck.push({ entry, target, from: entry.status === 'claimed' ? 'claimed' : 'unknown' });
	}
	if (toCheck.length === 0) return result;

	// campaign states: the run's, else one listing per account
	const states = new Map<string, CampaignState>(options.states ?? []);
	const listed = new Set<string>();
	const failedAccounts = new Map<string, string>();
	const failedAds = new Map<string, string>();
	for (const { target } of toCheck) {
		if (target.adId) {
			// an ad's change is read back from the ad itself (one read per ad with an open change)
			const key = entityKey(target.platform, target.accountId, target.campaignId, target.adId);
			if (states.has(key) || failedAds.has(key)) continue;
			try {
				const ad = await adControlFor(adapters, target.platform).getAdState(target.accountId, target.adId, options.signal);
				if (ad) states.set(key, adStateAsEntity(ad, target.campaignId, target.currency || null));
			} catch (error) {
				failedAds.set(key, errorInfo(error).message);
			}
			continue;
		}
		const key = entityKey(target.platform, target.accountId, target.campaignId);
		const account = `${target.platform}|${target.accountId}`;
		if (states.has(key) || listed.has(account) || failedAccounts.has(account)) continue;
		listed.add(account);
		try {
			const control = controlFor(adapters, target.platform);
			const list = await control.listCampaignStates(target.accountId, options.signal);
			for (const s of list.campaigns) {
				states.set(entityKey(s.platform, s.accountId, s.campaignId), s);
				// the listing may spell the account differently (act_ prefix, dashes): index under the intent's spelling too
				states.set(entityKey(target.platform, target.accountId, s.campaignId), s);
			}
		} catch (error) {
			failedAccounts.set(account, errorInfo(error).message);
		}
	}

	for (const { entry, target, from } of toCheck) {
		const key = entry.idempotency_key;
		const state = states.get(entityKey(target.platform, target.accountId, target.campaignId, target.adId));
		const readAt = now().toISOString();
		const attemptAt = from === 'unknown' ? attemptTime(entry) : entry.attempts === 1 && target.attemptedAt ? target.attemptedAt : readAt;
		const base = { key, target, from, by: entry.claimed_by ?? null, since: entry.updated_at, attempts: entry.attempts, at: attemptAt };
		const adError = target.adId ? failedAds.get(entityKey(target.platform, target.accountId, target.campaignId, target.adId)) : undefined;
		const accountError = adError ?? failedAccounts.get(`${target.platform}|${target.accountId}`);
		const noun = target.adId ? 'ad' : 'campaign';
		let status: 'succeeded' | 'failed' | null = null;
		let reason: string;
		if (accountError !== undefined) {
			reason = adError !== undefined ? `not reconciled: reading ${changeSubject(target)} failed (${adError}); the change counts as applied and the ad is left alone until it is read` : `not reconciled: reading ${target.platform} account ${target.accountId} failed (${accountError}); the change counts as applied and the campaign is left alone until it is read`;
			result.errors.push(`${key}: ${accountError}`);
		} else if (!state) {
			reason = `not reconciled: ${changeSubject(target)} is not in account ${target.accountId} any more (removed?); a person must check it`;
		} else if (showsTarget(target, state)) {
			status = 'succeeded';
			reason = `observed: ${observedText(target, state)} equals the target at ${readAt}`;
		} else if (showsBefore(target, state)) {
			status = 'failed';
			reason = `observed not applied: ${observedText(target, state)} is still the value before the change at ${readAt}`;
		} else {
			reason = `not reconciled: the ${noun} shows ${observedText(target, state)} at ${readAt}, neither the target ${targetText(target)} nor the value before the change; it counts as applied and no rule changes this ${noun} until a person checks it and resolves ledger entry ${key}`;
		}
		if (status === null) {
			result.open.push({ ...base, status: 'unknown', reason });
			continue;
		}
		const settled: ReconciledEntry = { ...base, status, reason };
		const resolve = async (s: Store) => {
			const r = await s.resolveAction(key, { from, status: status!, resolution: reason, ...(from === 'claimed' ? { attempts: entry.attempts } : {}), ...(status === 'succeeded' ? { response: toJson({ ...recordObj(entry.response), observed: reason, executedAt: attemptAt }) } : {}) });
			if (r.resolved) await writeRecord(s, key, target, recordPatch(settled));
			return r;
		};
		const r = transactional(store) ? await store.transaction(resolve) : await resolve(store);
		if (r.resolved) result.resolved.push(settled);
		else if (r.entry.status === 'unknown' || r.entry.status === 'claimed') result.open.push({ ...base, status: r.entry.status === 'claimed' ? 'in_progress' : 'unknown', reason: r.entry.status === 'claimed' ? inProgressText(r.entry.claimed_by ?? null, r.entry.updated_at) : reason });
		// else: another reconciler settled it first
	}
	return result;
}

/** "in progress by run X since T": a claim another run holds. */
export function inProgressText(by: string | null, since: string): string {
	const run = holderRun(by);
	return `in progress by ${run ? `run ${run}` : 'another run'} since ${since}: that run applies it and records its outcome; not repeated here`;
}

/** The action record of an open entry, for the gates: it counts as applied at its attempt's time, at its target. */
export function openEntryRecord(e: ReconciledEntry): ActionRecord {
	return { platform: e.target.platform, accountId: e.target.accountId, campaignId: e.target.campaignId, ...(e.target.adId ? { adId: e.target.adId } : {}), at: e.at, action: e.target.requestedType, budgetBefore: e.target.budgetBefore, budgetAfter: e.target.budgetAfter, ruleId: e.target.ruleId || null, idempotencyKey: e.key, unknown: e.status === 'unknown' };
}

/**
 * Supabase has no transactions: a run that died between the ledger's
 * completion and its record leaves a change no gate sees. This pass rebuilds
 * the missing `optimization_actions` rows from the `succeeded` / `unknown`
 * ledger entries of kind `optimization` attempted since `since` (run clock),
 * from their intent. Returns the keys it rebuilt.
 */
export async function repairOptimizationRecords(store: Store, options: { since: string; accounts?: ReadonlyArray<{ platform: string; accountId: string }> }): Promise<string[]> {
	const sinceMs = Date.parse(options.since);
	// the ledger's completed_at is the database's clock: read a day more than the run-clock window to cover skew
	const lookback = new Date(Math.min(sinceMs, Date.now() - 48 * 3_600_000)).toISOString();
	const entries = await store.select('action_ledger', { where: { kind: 'optimization', status: { in: ['succeeded', 'unknown'] }, completed_at: { gte: lookback } } });
	const inScope = options.accounts ? new Set(options.accounts.map((a) => `${a.platform}|${a.accountId}`)) : null;
	const candidates = entries
		.map((entry) => ({ entry, target: intentTarget(entry) }))
		.filter((c): c is { entry: ActionLedgerEntry; target: IntentTarget } => c.target !== null && (!inScope || inScope.has(`${c.target.platform}|${c.target.accountId}`)));
	if (candidates.length === 0) return [];
	const rows = await store.selectColumns('optimization_actions', ['idempotency_key', 'action_taken'], { where: { idempotency_key: { in: candidates.map((c) => c.entry.idempotency_key) } } });
	const recorded = new Set(rows.filter((r) => r.action_taken).map((r) => r.idempotency_key));
	const repaired: string[] = [];
	for (const { entry, target } of candidates) {
		if (recorded.has(entry.idempotency_key)) continue;
		const at = attemptTime(entry);
		if (Date.parse(at) < sinceMs) continue;
		const patch: Partial<RowInput<'optimization_actions'>> =
			entry.status === 'succeeded'
				? { outcome: 'executed', action_taken: true, executed_at: at, error: null, platform_response: entry.response }
				: { outcome: 'unknown', action_taken: true, executed_at: at, error: entry.error };
		await writeRecord(store, entry.idempotency_key, target, patch);
		repaired.push(entry.idempotency_key);
	}
	return repaired;
}

/**
 * One creative generation run against the store and OpenAI: what the
 * `AdOps Creative` node calls.
 *
 * `runCreative` records a `creative_runs` row, pulls grounding from
 * `campaign_performance`, generates with `generateVariants` (platform rules,
 * policy lint, bounded regeneration, token budget), checks every variant
 * that passed against all past copy of the account and against the other
 * variants of the run (`checkNovelty`), stores each variant under its
 * natural key and returns an approval proposal for each novel one.
 * `checkNoveltyOfCopy` is the *Check novelty* operation for hand-written
 * copy. `markCreativeDecision` applies an approval decision to the variant.
 *
 * Decisions:
 * - Past copy = every `creative_variants` row of the account on the
 *   platform (account ids are per platform), every campaign and status
 *   except `rejected_policy` (drafts that broke a rule were never shown to
 *   anyone). Compared text = headlines, primary text and descriptions (the
 *   call to action is boilerplate from a short list and would only add
 *   noise), newline-joined the same way for rows and candidates.
 * - A variant whose natural key (platform, campaign, content hash) is
 *   already stored is `already_stored`: the stored row is never overwritten
 *   (upserts use ON CONFLICT DO NOTHING, which also settles two concurrent
 *   runs), it gets no new proposal and costs no embedding. That is how a
 *   second run with the same copy queues nothing. The same copy twice in one
 *   run is stored once; the second is reported as a duplicate of the first.
 * - The index of past copy is kept between runs of one process
 *   (`novelty-cache.ts`): a run reads the account's variant ids and what
 *   changed, and adds only the new variants; the results are those of a
 *   fresh build (membership, order and changed rows are checked against the
 *   store, anything else rebuilds). `deps.noveltyCache` null or
 *   `ADOPS_NOVELTY_CACHE=0` turns it off.
 * - Embeddings are computed once per text and model and cached in the store
 *   (`embedding`, `embedding_model`): for past rows that had none (or one of
 *   another model) and for every stored candidate. Within a run a text
 *   already cached is never sent again, also when a candidate repeats past
 *   copy word for word.
 * - Statuses: novel → `pending_approval` (+ proposal, `proposal_id` on the
 *   row); near-duplicate or duplicate → `rejected_duplicate` with the
 *   nearest variant's id (`nearest_variant_id`, also when the neighbour is
 *   an earlier variant of the same run) and both scores; still breaking a
 *   hard rule or a blocking policy finding after its attempts (or when the
 *   budget ran out before it could be regenerated) → `rejected_policy` with
 *   the reasons. Variants the model never produced are reported `missing`,
 *   and stored nowhere.
 * - Nothing unvalidated is stored or queued: only variants that passed
 *   `creativeVariant` (the zod schema) reach this module, and only those
 *   that also passed the rules, the policy and the novelty check are queued.
 *   If the novelty check cannot run (embedding call failed), the passing
 *   variants are reported `not_checked` and neither stored nor queued; the
 *   run ends `error`.
 * - Each run first applies decisions already made in the approval queue to
 *   `pending_approval` rows of the account (`approvals` status approved /
 *   executing / executed → `approved`, rejected → `rejected`; expired stays
 *   pending), and offers again the proposal of any `pending_approval`
 *   variant of the campaign that never reached the queue (no `approvals`
 *   row, or a pending one without a Notion card: the enqueue after the last
 *   run failed). Same proposal id and payload, so enqueueing it is safe.
 * - Grounding: campaigns of the account on the platform over the last
 *   `groundingDays` (default 90) days, ranked by the chosen metric with the
 *   core's minimum volumes (`selectGrounding`). The store has no per-ad
 *   performance, so there are no variant entries. A grounding error (CPA
 *   across currencies) is a warning and the run goes on without grounding.
 * - Banned claims join the banned words (with their reason) so they reach
 *   the model only as data, never in the system prompt.
 * - The token budget (`maxTokens`) counts chat tokens (prompt + completion),
 *   as `generateVariants` does; embedding tokens are recorded separately.
 * - Store errors are not swallowed: the run row is marked `error` with the
 *   message, and the error is thrown to the node.
 */
import type OpenAI from 'openai';
import { sha256Hex, type ProposalInput } from '../approvals/proposal';
import { NoveltyThresholdError, offlineEmbedder, resolveThresholds, similarityText, type Embedder, type NoveltyResult, type NoveltyThresholds, type NoveltyThresholdsInput, type Verdict } from '../novelty';
import { type CreativeRunStatus, type CreativeVariantRecord, type CreativeVariantStatus, type Json, type RowInput } from '../schema/rows';
import type { Store } from '../store/types';
import { truncateVisibly } from '../text/graphemes';
import { MAX_ATTEMPTS, MAX_BRIEF_LENGTH, MAX_COUNT, generateVariants, problemsOf, type GenerationResult, type RequestOutcome, type VariantOutcome } from './generate';
import { GROUNDING_METRICS, GroundingError, selectGrounding, withVariantResults, type Grounding, type GroundingEntry, type GroundingMetric, type PerformanceRecord } from './grounding';
import { learnFromVariants, readVariantResults } from './learning';
import { completeWithOpenAI, defaultEmbeddingDimensions, embedderWithOpenAI, type ChatCallRecord, type EmbeddingUsage } from './openai';
import { CreativeConfigError, platformRules, type PlatformRuleOverrides, type RuleViolation } from './platform-rules';
import type { BannedWord, BannedWordInput, PolicyFinding, PolicyOptions } from './policy';
import { roundAmount, roundMetric } from '../metrics';
import { creativeBatchProposalInput, creativeProposalInput, splitLines, variantContentHash, variantToRow, type BatchVariant } from './stage';
import { CREATIVE_PLATFORMS, type CreativePlatform, type CreativeVariant } from './variant';
import { checkStoredPast, defaultNoveltyCache, openStoredPast, rowNoveltyText, type NoveltyIndexCache, type StoredPastOutput } from './novelty-cache';

export { rowNoveltyText };

// ---------------------------------------------------------------------------
// Types
// ---------------------------------------------------------------------------

/** A banned claim: a phrase this account never uses, with why. */
export interface BannedClaim {
	claim: string;
	reason?: string;
}

export interface CreativeRunInput {
	/** What to advertise; untrusted text. */
	brief: string;
	accountId: string;
	campaignId: string;
	/** Shown on the approval card; default: the campaign's name in `campaign_performance`, else its id. */
	campaignName?: string | null;
	platform: CreativePlatform;
	placement?: string | null;
	tone?: string | null;
	bannedWords?: readonly BannedWordInput[];
	bannedClaims?: ReadonlyArray<string | BannedClaim>;
	/** Grounding metric: best and worst campaigns by ROAS, CPA or CTR. */
	metric: GroundingMetric;
	/** Variants wanted, 1–50. */
	count: number;
	/** Attempts per variant (rounds), 1–10. Default 3. */
	maxAttempts?: number;
	/** Chat token budget of the run (prompt + completion); null or absent: none. */
	maxTokens?: number | null;
	/** Novelty thresholds over the defaults. */
	thresholds?: NoveltyThresholdsInput;
	/** Hours an approval waits for a decision; default: the approval loop's (24 h). */
	expiresInHours?: number | null;
	/**
	 * One approval proposal (one Notion card, one Slack request) for all the
	 * novel variants of this run (default true); false: one per variant.
	 */
	batchApprovals?: boolean;
	/** Days of `campaign_performance` the grounding reads. Default 90. */
	groundingDays?: number;
	/** Per-run adjustments of the platform rules. */
	rules?: PlatformRuleOverrides;
	/** Policy options other than banned words (disabled rules, substantiation on file). */
	policy?: Omit<PolicyOptions, 'bannedWords' | 'acceptCitationMarkers'>;
}

/** The part of an `OpenAI` client a run uses. */
export type CreativeOpenAIClient = Pick<OpenAI, 'chat' | 'embeddings'>;

export interface CreativeRunDeps {
	store: Store;
	/** `new OpenAI({ apiKey, baseURL, maxRetries })`; its own retries handle 429 and 5xx. */
	openai: CreativeOpenAIClient;
	chatModel: string;
	/** OpenAI embedding model, or null for the offline embedder (no network). */
	embeddingModel: string | null;
	/** Shortened embedding length; default 512 for text-embedding-3-*, see `defaultEmbeddingDimensions`. */
	embeddingDimensions?: number | null;
	/** Sampling options for the chat model. */
	chat?: { temperature?: number; seed?: number };
	now?: () => Date;
	/**
	 * Built novelty indexes kept between runs (novelty-cache.ts); default the
	 * process's (`defaultNoveltyCache`, off with `ADOPS_NOVELTY_CACHE=0`),
	 * null for none. Results are the same either way.
	 */
	noveltyCache?: NoveltyIndexCache | null;
}

/** The nearest past (or earlier in-run) variant of a candidate. */
export interface NearestVariant {
	/** `creative_variants.id`; null when the neighbour is an in-run variant that was not stored. */
	id: string | null;
	text: string;
	/** Trigram Jaccard of normalized text, 0–1. */
	lexical: number;
	/** Embedding cosine; null without vectors. */
	semantic: number | null;
	verdict: Verdict;
	/** `past`: stored before this run; `batch`: generated earlier in this run (`slot`). */
	source: 'past' | 'batch';
	slot: number | null;
	campaignId: string | null;
	status: string | null;
}

export type CreativeItemStatus = 'pending_approval' | 'rejected_duplicate' | 'rejected_policy' | 'already_stored' | 'missing' | 'not_checked';

export interface CreativeRunItem {
	/** Position in the run (0-based). */
	slot: number;
	/**
	 * `pending_approval`, `rejected_duplicate`, `rejected_policy`: stored by
	 * this run with that status. `already_stored`: the same copy is stored for
	 * this campaign (see `storedStatus`); nothing written, nothing queued.
	 * `missing`: the model never produced a valid variant for this slot.
	 * `not_checked`: passed the rules but the novelty check could not run.
	 */
	status: CreativeItemStatus;
	/** `creative_variants.id` of the stored row (also for `already_stored`). */
	variantId: string | null;
	/** The row's status as stored after the run. */
	storedStatus: string | null;
	variant: CreativeVariant | null;
	contentHash: string | null;
	verdict: Verdict | null;
	/** The neighbour that decided the verdict (for novel copy: the closest past variant, if any). */
	nearest: NearestVariant | null;
	violations: RuleViolation[];
	findings: PolicyFinding[];
	/** Variants received for this slot (1 + regenerations). */
	attempts: number;
	proposal: ProposalInput | null;
	reason: string;
}

/** A `pending_approval` variant whose proposal never reached the queue, offered again. */
export interface RequeuedVariant {
	variantId: string;
	proposal: ProposalInput;
	reason: string;
}

export interface CreativeRequestRecord extends RequestOutcome {
	/** From the OpenAI adapter: finish reason, parse problem, request id. */
	finishReason: string | null;
	requestId: string | null;
	detail: string | null;
}

export interface CreativeRunResult {
	runId: string;
	status: Exclude<CreativeRunStatus, 'running'>;
	message: string;
	platform: CreativePlatform;
	accountId: string;
	campaignId: string;
	items: CreativeRunItem[];
	requeued: RequeuedVariant[];
	/** Every proposal to enqueue (new and re-offered), in item order. */
	proposals: ProposalInput[];
	counts: { requested: number; queued: number; duplicate: number; policy: number; existing: number; missing: number; notChecked: number; requeued: number };
	usage: { promptTokens: number; completionTokens: number; totalTokens: number; embeddingTokens: number };
	requests: { chat: number; embeddings: number; details: CreativeRequestRecord[] };
	budget: { maxTokens: number; remaining: number } | null;
	embeddingModel: string;
	/** Past variants whose embedding this run computed and cached. */
	embeddingsCached: number;
	grounding: CreativeGroundingEvidence | null;
	/** Decisions from the approval queue applied to stored variants before generating. */
	reconciled: { approved: number; rejected: number };
	warnings: string[];
	startedAt: string;
	finishedAt: string;
}

/** Grounding numbers as evidence: what the prompt saw, with campaign ids. */
export interface CreativeGroundingEvidence {
	metric: GroundingMetric;
	lowerIsBetter: boolean;
	days: number;
	best: GroundingEvidenceEntry[];
	worst: GroundingEvidenceEntry[];
	skipped: Grounding['skipped'];
}

export interface GroundingEvidenceEntry {
	campaignId: string;
	name: string | null;
	value: number;
	currency: string | null;
	spend: number;
	impressions: number;
	clicks: number;
	conversions: number;
	revenue: number | null;
}

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

const DEFAULT_ATTEMPTS = 3;
const DEFAULT_GROUNDING_DAYS = 90;
const IN_CHUNK = 200;

/** The text the novelty check compares for a variant: headlines, primary text, descriptions. */
export function variantNoveltyText(v: Pick<CreativeVariant, 'headlines' | 'primaryText' | 'descriptions'>): string {
	return [v.headlines.join('\n'), v.primaryText ?? '', v.descriptions.join('\n')].filter((s) => s.trim() !== '').join('\n');
}

/** The variant stored in a row (the inverse of `variantToRow` for the copy). */
export function rowToVariant(row: CreativeVariantRecord): CreativeVariant {
	return {
		headlines: splitLines(row.headline),
		descriptions: splitLines(row.description),
		primaryText: row.primary_text,
		callToAction: row.call_to_action,
		copyAngle: row.copy_angle ?? '',
		rationale: row.rationale ?? '',
	};
}

function chunks<T>(items: readonly T[], size: number): T[][] {
	const out: T[][] = [];
	for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
	return out;
}

const round4 = (x: number | null): number | null => (x === null ? null : Math.round(x * 1e4) / 1e4);
const clamp = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));

function errorText(error: unknown): string {
	return truncateVisibly(error instanceof Error ? error.message : String(error), 1000).text;
}

function checkText(name: string, value: unknown): string {
	if (typeof value !== 'string' || value.trim() === '') throw new CreativeConfigError(`${name} must not be empty`);
	return value.trim();
}

function checkPlatform(platform: unknown): void {
	if (!(CREATIVE_PLATFORMS as readonly unknown[]).includes(platform)) throw new CreativeConfigError(`platform must be google_ads, meta or linkedin, got "${String(platform)}"`);
}

/** `resolveThresholds` (the embedder's own calibrated semantic thresholds unless the user set theirs) with its error as a `CreativeConfigError`. */
function checkThresholds(input: NoveltyThresholdsInput | undefined, embedder?: Embedder): NoveltyThresholds {
	try {
		return resolveThresholds(input, embedder);
	} catch (error) {
		if (error instanceof NoveltyThresholdError) throw new CreativeConfigError(`novelty thresholds: ${error.message}`);
		throw error;
	}
}

interface Resolved {
	accountId: string;
	campaignId: string;
	maxAttempts: number;
	maxTokens: number | null;
	groundingDays: number;
	expiresInHours: number | null;
	bannedWords: BannedWordInput[];
	thresholds: NoveltyThresholds;
}

function resolveInput(input: CreativeRunInput): Resolved {
	const accountId = checkText('accountId', input.accountId);
	const campaignId = checkText('campaignId', input.campaignId);
	checkText('brief', input.brief);
	if (input.brief.length > MAX_BRIEF_LENGTH) throw new CreativeConfigError(`brief is ${input.brief.length} characters; at most ${MAX_BRIEF_LENGTH}`);
	checkPlatform(input.platform);
	if (!(GROUNDING_METRICS as readonly string[]).includes(input.metric)) throw new CreativeConfigError(`metric must be roas, cpa or ctr, got "${String(input.metric)}"`);
	if (!Number.isSafeInteger(input.count) || input.count < 1 || input.count > MAX_COUNT) throw new CreativeConfigError(`count must be a whole number from 1 to ${MAX_COUNT}`);
	const maxAttempts = input.maxAttempts ?? DEFAULT_ATTEMPTS;
	if (!Number.isSafeInteger(maxAttempts) || maxAttempts < 1 || maxAttempts > MAX_ATTEMPTS) throw new CreativeConfigError(`maxAttempts must be a whole number from 1 to ${MAX_ATTEMPTS}`);
	const maxTokens = input.maxTokens ?? null;
	if (maxTokens !== null && (!Number.isSafeInteger(maxTokens) || maxTokens < 1)) throw new CreativeConfigError('maxTokens must be a whole number ≥ 1 (or empty for no budget)');
	const groundingDays = input.groundingDays ?? DEFAULT_GROUNDING_DAYS;
	if (!Number.isSafeInteger(groundingDays) || groundingDays < 1 || groundingDays > 3660) throw new CreativeConfigError('groundingDays must be a whole number from 1 to 3660');
	const expiresInHours = input.expiresInHours ?? null;
	if (expiresInHours !== null && (!Number.isFinite(expiresInHours) || expiresInHours <= 0 || expiresInHours > 24 * 366)) throw new CreativeConfigError('expiresInHours must be a number of hours above 0 (at most a year)');
	const thresholds = checkThresholds(input.thresholds);
	platformRules(input.platform, input.rules); // throws CreativeConfigError for bad overrides
	const claims: BannedWord[] = (input.bannedClaims ?? []).map((c) => {
		const claim = typeof c === 'string' ? c : c.claim;
		if (typeof claim !== 'string' || claim.trim() === '') throw new CreativeConfigError('a banned claim must not be empty');
		return { term: claim.trim(), reason: (typeof c === 'string' ? undefined : c.reason) ?? 'This account does not make this claim.', severity: 'block' };
	});
	return { accountId, campaignId, maxAttempts, maxTokens, groundingDays, expiresInHours, bannedWords: [...(input.bannedWords ?? []), ...claims], thresholds };
}

/** `deps.noveltyCache`, or the process's when it is not given. */
function noveltyCacheOf(deps: Pick<CreativeRunDeps, 'noveltyCache'>): NoveltyIndexCache | null {
	return deps.noveltyCache === undefined ? defaultNoveltyCache() : deps.noveltyCache;
}

function makeEmbedder(deps: Pick<CreativeRunDeps, 'openai' | 'embeddingModel' | 'embeddingDimensions'>): { embedder: Embedder; usage: EmbeddingUsage } {
	if (typeof deps.embeddingModel === 'string' && deps.embeddingModel.trim() === '') throw new CreativeConfigError('the embedding model name is empty; pass null for the offline embedder');
	if (deps.embeddingModel === null || deps.embeddingModel === undefined) {
		return { embedder: offlineEmbedder(), usage: { requests: 0, texts: 0, promptTokens: 0, sent: [] } };
	}
	const dimensions = deps.embeddingDimensions === undefined ? defaultEmbeddingDimensions(deps.embeddingModel) : deps.embeddingDimensions;
	const e = embedderWithOpenAI(deps.openai, deps.embeddingModel, { dimensions });
	return { embedder: e, usage: e.usage };
}

function groundingEvidence(g: Grounding, days: number): CreativeGroundingEvidence {
	// money to the currency's minor unit (2 decimals when the rows mix currencies), the metric to its shown digits
	const entry = (e: GroundingEntry): GroundingEvidenceEntry => ({
		campaignId: e.id,
		name: e.label,
		value: roundMetric(g.metric, e.value)!,
		currency: e.currency,
		spend: roundAmount(e.spend, e.currency),
		impressions: e.impressions,
		clicks: e.clicks,
		conversions: Math.round(e.conversions * 100) / 100,
		revenue: e.revenue === null ? null : roundAmount(e.revenue, e.currency),
	});
	return { metric: g.metric, lowerIsBetter: g.lowerIsBetter, days, best: g.campaigns.best.map(entry), worst: g.campaigns.worst.map(entry), skipped: g.skipped };
}

function isoDaysBefore(now: Date, days: number): string {
	return new Date(now.getTime() - days * 86_400_000).toISOString().slice(0, 10);
}

interface GroundingLoad {
	grounding: Grounding | null;
	evidence: CreativeGroundingEvidence | null;
	campaignName: string | null;
	warning: string | null;
}

async function loadGrounding(store: Store, input: CreativeRunInput, r: Resolved, now: Date): Promise<GroundingLoad> {
	const rows = await store.select('campaign_performance', {
		where: { platform: input.platform, account_id: r.accountId, date: { gte: isoDaysBefore(now, r.groundingDays) } },
		order: [{ column: 'date', ascending: false }],
	});
	const campaignName = rows.find((row) => row.campaign_id === r.campaignId && row.campaign_name)?.campaign_name ?? null;
	const records: PerformanceRecord[] = rows.map((row) => ({
		kind: 'campaign',
		id: row.campaign_id,
		label: row.campaign_name,
		currency: row.currency,
		spend: row.spend,
		impressions: row.impressions,
		clicks: row.clicks,
		conversions: row.conversions,
		revenue: row.revenue,
	}));
	try {
		const g = selectGrounding(records, { metric: input.metric });
		if (g.campaigns.best.length === 0 && g.campaigns.worst.length === 0) {
			return { grounding: null, evidence: null, campaignName, warning: rows.length ? `no campaign of the account has enough volume to rank by ${input.metric.toUpperCase()} (${g.skipped.belowMinimum} below the minimum, ${g.skipped.noMetric} without the metric); generated without grounding` : null };
		}
		// The account's own published variants, ranked per angle by their ads' results (learning.ts): the
		// prompt gains their best/worst lines when any has enough volume, and is unchanged otherwise.
		const learning = learnFromVariants(await readVariantResults(store, { platform: input.platform, accountId: r.accountId }));
		return { grounding: withVariantResults(g, learning), evidence: groundingEvidence(g, r.groundingDays), campaignName, warning: null };
	} catch (error) {
		if (error instanceof GroundingError) return { grounding: null, evidence: null, campaignName, warning: `grounding skipped: ${error.message}` };
		throw error;
	}
}

// ---------------------------------------------------------------------------
// Decisions from the approval queue
// ---------------------------------------------------------------------------

const DECIDED: Record<string, CreativeVariantStatus | undefined> = { approved: 'approved', executing: 'approved', executed: 'approved', rejected: 'rejected' };

interface Reconciled {
	approved: number;
	rejected: number;
	/** pending_approval rows of the campaign whose proposal never reached the queue. */
	orphans: CreativeVariantRecord[];
}

async function reconcile(store: Store, platform: CreativePlatform, accountId: string, campaignId: string): Promise<Reconciled> {
	const pending = await store.select('creative_variants', { where: { platform, account_id: accountId, status: 'pending_approval' } });
	const withProposal = pending.filter((row) => row.proposal_id);
	const approvals = new Map<string, { status: string; notion_page_id: string | null }>();
	for (const ids of chunks([...new Set(withProposal.map((row) => row.proposal_id!))], IN_CHUNK)) {
		for (const a of await store.select('approvals', { where: { proposal_id: { in: ids } } })) approvals.set(a.proposal_id, a);
	}
	const out: Reconciled = { approved: 0, rejected: 0, orphans: [] };
	for (const row of withProposal) {
		const a = approvals.get(row.proposal_id!);
		const next = a ? DECIDED[a.status] : undefined;
		if (next) {
			const res = await store.update('creative_variants', { id: row.id, status: 'pending_approval' }, { status: next });
			if (next === 'approved') out.approved += res.updated;
			else out.rejected += res.updated;
		} else if (row.campaign_id === campaignId && (!a || (a.status === 'pending' && !a.notion_page_id))) {
			out.orphans.push(row);
		}
	}
	return out;
}

// ---------------------------------------------------------------------------
// The run
// ---------------------------------------------------------------------------

interface Candidate {
	outcome: VariantOutcome;
	variant: CreativeVariant;
	hash: string;
	text: string;
	/** Index in the novelty batch. */
	batchIndex: number;
}

function noveltyReason(verdict: Verdict, nearest: NearestVariant | null, thresholds: NoveltyThresholds): string {
	const limit = verdict === 'duplicate' ? 'duplicate' : 'nearDuplicate';
	const limits = `thresholds lexical ${thresholds.lexical[limit]}, semantic ${thresholds.semantic[limit]}`;
	if (verdict === 'novel') {
		if (!nearest) return 'Novel: shares nothing with any past variant of the account.';
		return `Novel: the closest ${nearest.source === 'past' ? `past variant ${nearest.id}` : `variant of this run (#${(nearest.slot ?? 0) + 1})`} scores ${similarityText(nearest)}, below the near-duplicate thresholds (lexical ${thresholds.lexical.nearDuplicate}, semantic ${thresholds.semantic.nearDuplicate}).`;
	}
	const label = verdict === 'duplicate' ? 'Duplicate' : 'Near-duplicate';
	if (!nearest) return `${label}.`;
	if (nearest.source === 'past') return `${label} of past variant ${nearest.id}${nearest.campaignId ? ` (campaign ${nearest.campaignId}, ${nearest.status})` : ''}: ${similarityText(nearest)}; ${limits}. Nearest copy: "${truncateVisibly(nearest.text.replace(/\n/g, ' / '), 160).text}"`;
	return `${label} of variant #${(nearest.slot ?? 0) + 1} of this run${nearest.id ? ` (${nearest.id})` : ''}: ${similarityText(nearest)}; ${limits}.`;
}

/** The neighbour that decided the verdict: the past match when it is as bad as the verdict, else the batch match. */
function decidingNeighbour(r: NoveltyResult, rowOf: StoredPastOutput['rowOf'], batchTexts: ReadonlyArray<{ text: string; slot: number }>): NearestVariant | null {
	const past: NearestVariant | null = r.nearest
		? {
				id: r.nearest.id,
				text: r.nearest.text,
				lexical: r.nearest.lexical,
				semantic: r.nearest.semantic,
				verdict: r.nearest.verdict,
				source: 'past',
				slot: null,
				campaignId: rowOf.get(r.nearest.id)?.campaign_id ?? null,
				status: rowOf.get(r.nearest.id)?.status ?? null,
			}
		: null;
	const other = r.batch ? batchTexts[r.batch.index] : undefined;
	const batch: NearestVariant | null =
		r.batch && other
			? { id: null, text: other.text, lexical: r.batch.lexical, semantic: r.batch.semantic, verdict: r.batch.verdict, source: 'batch', slot: other.slot, campaignId: null, status: null }
			: null;
	if (r.verdict !== 'novel') return past && past.verdict === r.verdict ? past : (batch ?? past);
	if (past && batch) {
		const c = (m: NearestVariant) => Math.max(m.lexical, m.semantic ?? 0);
		return c(batch) > c(past) ? batch : past;
	}
	return past ?? batch;
}

function noveltyEvidence(verdict: Verdict | null, nearest: NearestVariant | null, reason: string, model: string): Json {
	return {
		verdict,
		reason,
		embeddingModel: model,
		nearest: nearest
			? { id: nearest.id, source: nearest.source, slot: nearest.slot, campaignId: nearest.campaignId, status: nearest.status, text: nearest.text, lexical: round4(nearest.lexical), semantic: round4(nearest.semantic), verdict: nearest.verdict }
			: null,
	};
}

function policyReason(o: VariantOutcome, stoppedEarly: string | null): string {
	const problems = problemsOf({ ok: false, violations: o.violations, findings: o.findings });
	const tries = `${o.attempts.length} attempt${o.attempts.length === 1 ? '' : 's'}`;
	return `Held back after ${tries}: ${problems.join('; ')}${stoppedEarly ? ` (${stoppedEarly})` : ''}`;
}

/**
 * Generates, checks and stores creative variants for one campaign and
 * returns the proposals of the novel ones (see the module comment). Throws
 * `CreativeConfigError` for invalid input and store errors; everything
 * OpenAI does ends in the result.
 */
export async function runCreative(input: CreativeRunInput, deps: CreativeRunDeps): Promise<CreativeRunResult> {
	const r = resolveInput(input);
	const now = deps.now ?? (() => new Date());
	if (typeof deps.chatModel !== 'string' || deps.chatModel.trim() === '') throw new CreativeConfigError('the chat model name is empty');
	const { store } = deps;
	const { embedder: baseEmbedder, usage: embeddingUsage } = makeEmbedder(deps);
	const startedAt = now().toISOString();

	const { ids } = await store.insert('creative_runs', [
			{
				platform: input.platform,
				account_id: r.accountId,
				campaign_id: r.campaignId,
				placement: input.placement ?? null,
				tone: input.tone ?? null,
				brief_hash: sha256Hex(input.brief),
				metric: input.metric,
				chat_model: deps.chatModel,
				embedding_model: baseEmbedder.model,
				variants_requested: input.count,
				max_attempts: r.maxAttempts,
				token_budget: r.maxTokens,
				status: 'running',
				started_at: startedAt,
			},
		]);
	const runId = ids[0]!;

	try {
		return await execute(input, deps, r, { runId, startedAt, now, baseEmbedder, embeddingUsage });
	} catch (error) {
		await store
			.update('creative_runs', { id: runId }, { status: 'error', message: `the run failed: ${errorText(error)}`, finished_at: now().toISOString() })
			.catch(() => undefined);
		throw error;
	}
}

interface RunContext {
	runId: string;
	startedAt: string;
	now: () => Date;
	baseEmbedder: Embedder;
	embeddingUsage: EmbeddingUsage;
}

async function execute(input: CreativeRunInput, deps: CreativeRunDeps, r: Resolved, ctx: RunContext): Promise<CreativeRunResult> {
	const { store } = deps;
	const { runId } = ctx;
	const thresholds = checkThresholds(input.thresholds, ctx.baseEmbedder);
	const platform = input.platform;
	const warnings: string[] = [];

	// 1. Decisions already made; proposals that never reached the queue.
	const rec = await reconcile(store, platform, r.accountId, r.campaignId);

	// 2. Grounding.
	const g = await loadGrounding(store, input, r, ctx.now());
	if (g.warning) warnings.push(g.warning);
	const campaignName = input.campaignName ?? g.campaignName;

	// 3. Generation.
	const calls: ChatCallRecord[] = [];
	const generation: GenerationResult = await generateVariants(
		{
			brief: input.brief,
			platform,
			placement: input.placement ?? null,
			tone: input.tone ?? null,
			bannedWords: r.bannedWords,
			grounding: g.grounding,
			campaign: { id: r.campaignId, name: campaignName },
			count: input.count,
			maxAttempts: r.maxAttempts,
			budget: r.maxTokens !== null ? { maxTokens: r.maxTokens } : null,
			rules: input.rules,
			policy: input.policy,
		},
		{ complete: completeWithOpenAI(deps.openai, deps.chatModel, { ...deps.chat, onCall: (c) => calls.push(c) }) },
	);
	const details: CreativeRequestRecord[] = generation.requests.map((req) => {
		const call = calls.find((c) => c.round === req.round);
		return { ...req, finishReason: call?.finishReason ?? null, requestId: call?.requestId ?? null, detail: call?.detail ?? null };
	});
	const stoppedEarly = generation.status === 'budget_exhausted' ? 'the token budget ran out before it could be regenerated' : generation.status === 'error' ? 'generation stopped by an error before it could be regenerated' : null;

	// One reading of the clock: the expiry is exactly `expiresInHours` after the request time.
	const requestedMs = ctx.now().getTime();
	const requestedAt = new Date(requestedMs).toISOString();
	const expiresAt = r.expiresInHours !== null ? new Date(requestedMs + r.expiresInHours * 3_600_000).toISOString() : undefined;
	const proposalFor = (variant: CreativeVariant, evidence: { novelty: Json; violations: readonly RuleViolation[]; findings: readonly PolicyFinding[]; grounding: Json }): ProposalInput =>
		creativeProposalInput(variant, {
			platform,
			accountId: r.accountId,
			campaignId: r.campaignId,
			campaignName,
			grounding: evidence.grounding,
			novelty: evidence.novelty,
			violations: evidence.violations,
			findings: evidence.findings,
			requestedAt,
			...(expiresAt ? { expiresAt } : {}),
		});

	const batching = input.batchApprovals !== false;
	/** One proposal for several variants; sorted by content hash so the same set always gives the same payload (a re-offer is the same proposal). */
	const batchFor = (entries: readonly BatchVariant[], grounding: Json, id?: string): ProposalInput =>
		creativeBatchProposalInput(
			[...entries].sort((a, b) => (variantContentHash(a.variant) < variantContentHash(b.variant) ? -1 : 1)),
			{ platform, accountId: r.accountId, campaignId: r.campaignId, campaignName, grounding, requestedAt, ...(expiresAt ? { expiresAt } : {}) },
			id,
		);

	// 4. Which variants are new for this campaign.
	const items: CreativeRunItem[] = generation.variants.map((o) => ({
		slot: o.slot,
		status: 'missing',
		variantId: null,
		storedStatus: null,
		variant: o.variant,
		contentHash: o.variant ? variantContentHash(o.variant) : null,
		verdict: null,
		nearest: null,
		violations: o.violations,
		findings: o.findings,
		attempts: o.attempts.length,
		proposal: null,
		reason: '',
	}));
	const hashes = [...new Set(items.map((i) => i.contentHash).filter((h): h is string => h !== null))];
	const existing = new Map<string, CreativeVariantRecord>();
	for (const part of chunks(hashes, IN_CHUNK)) {
		for (const row of await store.select('creative_variants', { where: { platform, campaign_id: r.campaignId, content_hash: { in: part } } })) existing.set(row.content_hash, row);
	}

	const firstSlotOfHash = new Map<string, number>();
	const candidates: Candidate[] = [];
	const lastProblem = [...generation.requests].reverse().find((q) => q.outcome !== 'ok');
	for (const [k, o] of generation.variants.entries()) {
		const item = items[k]!;
		if (o.status === 'missing' || !o.variant) {
			item.reason = `No valid variant was produced for this slot${lastProblem ? ` (last problem: ${lastProblem.outcome}${lastProblem.message ? ` "${lastProblem.message}"` : ''})` : ''}${stoppedEarly && generation.status === 'budget_exhausted' ? '; the token budget ran out' : ''}.`;
			continue;
		}
		const hash = item.contentHash!;
		const stored = existing.get(hash);
		if (stored) {
			item.status = 'already_stored';
			item.variantId = stored.id;
			item.storedStatus = stored.status;
			item.verdict = 'duplicate';
			item.nearest = { id: stored.id, text: rowNoveltyText(stored), lexical: 1, semantic: 1, verdict: 'duplicate', source: 'past', slot: null, campaignId: stored.campaign_id, status: stored.status };
			item.reason = `The same copy is already stored for this campaign as variant ${stored.id} (${stored.status}); not stored or queued again.`;
			continue;
		}
		const earlier = firstSlotOfHash.get(hash);
		if (earlier !== undefined) {
			item.status = 'rejected_duplicate';
			item.verdict = 'duplicate';
			item.nearest = { id: null, text: variantNoveltyText(o.variant), lexical: 1, semantic: 1, verdict: 'duplicate', source: 'batch', slot: earlier, campaignId: r.campaignId, status: null };
			item.reason = `Exact duplicate of variant #${earlier + 1} of this run; stored once.`;
			continue;
		}
		firstSlotOfHash.set(hash, k);
		if (o.status === 'failed') {
			item.status = 'rejected_policy';
			item.reason = policyReason(o, stoppedEarly);
			continue;
		}
		candidates.push({ outcome: o, variant: o.variant, hash, text: variantNoveltyText(o.variant), batchIndex: candidates.length });
	}

	// 5. Novelty against every past variant of the account and within the run.
	let embeddingsCached = 0;
	let noveltyError: string | null = null;
	let results: NoveltyResult[] = [];
	let candidateVectors: Array<Float32Array | null> = [];
	let pastById: StoredPastOutput['rowOf'] = new Map();
	if (candidates.length > 0) {
		const past = await openStoredPast({ store, accountId: r.accountId, platform, embedder: ctx.baseEmbedder, texts: candidates.map((c) => c.text), cache: noveltyCacheOf(deps) });
		try {
			const out = await checkStoredPast(past, thresholds);
			({ results, candidateVectors, rowOf: pastById, embeddingsCached } = out);
		} catch (error) {
			noveltyError = errorText(error);
		}
	}

	// 6. Rows and proposals.
	const rows: Array<RowInput<'creative_variants'>> = [];
	/** content hash → slot of each row written by this run. */
	const rowSlot = new Map<string, number>();
	const groundingJson = (g.evidence ?? null) as Json;
	const batchTexts = candidates.map((c) => ({ text: c.text, slot: c.outcome.slot }));
	/** The novel variants of the run: one proposal for all of them when batching. */
	const batched: Array<{ item: CreativeRunItem; entry: BatchVariant }> = [];
	for (const c of candidates) {
		const item = items[c.outcome.slot]!;
		if (noveltyError !== null) {
			item.status = 'not_checked';
			item.reason = `Passed the rules and the policy, but the novelty check failed, so it was neither stored nor queued: ${noveltyError}`;
			continue;
		}
		const res = results[c.batchIndex]!;
		const nearest = decidingNeighbour(res, pastById, batchTexts);
		const reason = noveltyReason(res.verdict, nearest, thresholds);
		const novelty = noveltyEvidence(res.verdict, nearest, reason, ctx.baseEmbedder.model);
		const vector = candidateVectors[c.batchIndex];
		item.verdict = res.verdict;
		item.nearest = nearest;
		item.reason = reason;
		const status: CreativeVariantStatus = res.verdict === 'novel' ? 'pending_approval' : 'rejected_duplicate';
		item.status = status;
		if (status === 'pending_approval') {
			item.proposal = proposalFor(c.variant, { novelty, violations: c.outcome.violations, findings: c.outcome.findings, grounding: groundingJson });
			batched.push({ item, entry: { variant: c.variant, novelty, violations: c.outcome.violations, findings: c.outcome.findings } });
		}
		rowSlot.set(c.hash, c.outcome.slot);
		rows.push({
			...variantToRow(c.variant, {
				platform,
				accountId: r.accountId,
				campaignId: r.campaignId,
				status,
				similarityScore: nearest ? round4(clamp(Math.max(nearest.lexical, nearest.semantic ?? -1), -1, 1)) : null,
				nearestVariantId: nearest?.source === 'past' ? nearest.id : null,
				embedding: vector ? Array.from(vector) : null,
			}),
			lexical_score: nearest ? round4(clamp(nearest.lexical, 0, 1)) : null,
			semantic_score: nearest && nearest.semantic !== null ? round4(clamp(nearest.semantic, -1, 1)) : null,
			verdict: res.verdict,
			embedding_model: vector ? ctx.baseEmbedder.model : null,
			run_id: runId,
			proposal_id: item.proposal?.id ?? null,
			placement: input.placement ?? null,
			tone: input.tone ?? null,
			model: deps.chatModel,
			grounding: groundingJson,
			evidence: { novelty, violations: c.outcome.violations as unknown as Json, findings: c.outcome.findings as unknown as Json, attempts: c.outcome.attempts.length, rationale: c.variant.rationale },
			rejection_reason: status === 'rejected_duplicate' ? reason : null,
		});
	}
	let batch: ProposalInput | null = null;
	if (batching && batched.length > 1) {
		batch = batchFor(batched.map((b) => b.entry), groundingJson);
		const single = new Set(batched.map((b) => b.item.proposal!.id));
		for (const b of batched) b.item.proposal = batch;
		for (const row of rows) if (row.proposal_id && single.has(row.proposal_id)) row.proposal_id = batch.id;
	}
	for (const item of items) {
		if (item.status !== 'rejected_policy' || !item.variant || !item.contentHash) continue;
		rowSlot.set(item.contentHash, item.slot);
		rows.push({
			...variantToRow(item.variant, { platform, accountId: r.accountId, campaignId: r.campaignId, status: 'rejected_policy' }),
			run_id: runId,
			placement: input.placement ?? null,
			tone: input.tone ?? null,
			model: deps.chatModel,
			grounding: groundingJson,
			evidence: { violations: item.violations as unknown as Json, findings: item.findings as unknown as Json, attempts: item.attempts, rationale: item.variant.rationale },
			rejection_reason: item.reason,
		});
	}
	if (rows.length > 0) await store.upsert('creative_variants', rows, { onConflict: 'ignore' });

	// 7. Ids of what is stored now; rows another run stored first are `already_stored`.
	const byHash = new Map<string, CreativeVariantRecord>();
	for (const part of chunks([...rowSlot.keys()], IN_CHUNK)) {
		for (const row of await store.select('creative_variants', { where: { platform, campaign_id: r.campaignId, content_hash: { in: part } } })) byHash.set(row.content_hash, row);
	}
	for (const [hash, slot] of rowSlot) {
		const item = items[slot]!;
		const row = byHash.get(hash);
		if (!row) throw new Error(`creative_variants: the row of variant #${slot + 1} (${hash}) is missing right after it was written`);
		if (row.run_id !== runId) {
			item.status = 'already_stored';
			item.proposal = null;
			item.reason = `Another run stored the same copy first as variant ${row.id} (${row.status}); not queued again.`;
		}
		item.variantId = row.id;
		item.storedStatus = row.status;
	}
	for (const item of items) {
		if (item.nearest?.source !== 'batch' || item.nearest.slot === null) continue;
		const other = items[item.nearest.slot];
		item.nearest.id = other?.variantId ?? null;
		if (item.nearest.id && item.contentHash && rowSlot.get(item.contentHash) === item.slot && item.status === 'rejected_duplicate') {
			item.reason = noveltyReason(item.verdict ?? 'duplicate', item.nearest, thresholds);
			await store.update('creative_variants', { id: item.variantId!, run_id: runId }, { nearest_variant_id: item.nearest.id, rejection_reason: item.reason });
		} else if (item.nearest.id && item.status === 'rejected_duplicate' && item.verdict === 'duplicate' && item.variantId === null) {
			item.reason = `Exact duplicate of variant #${item.nearest.slot + 1} of this run (${item.nearest.id}); stored once.`;
		}
	}

	// A variant another run stored first left the batch: the batch keeps its id (its rows carry it) and lists the rest.
	if (batch) {
		const kept = batched.filter((b) => b.item.proposal !== null);
		const rebuilt = kept.length > 0 && kept.length < batched.length ? batchFor(kept.map((b) => b.entry), groundingJson, batch.id) : batch;
		for (const b of kept) b.item.proposal = rebuilt;
	}

	// 8. Proposals that never reached the queue (a batch's rows offer their batch again, once).
	const orphanGroups = new Map<string, CreativeVariantRecord[]>();
	for (const row of rec.orphans.filter((o) => !items.some((i) => i.variantId === o.id && i.proposal))) orphanGroups.set(row.proposal_id!, [...(orphanGroups.get(row.proposal_id!) ?? []), row]);
	const entryOf = (row: CreativeVariantRecord) => {
		const evidence = (row.evidence ?? {}) as { novelty?: Json; violations?: RuleViolation[]; findings?: PolicyFinding[] };
		return { variant: rowToVariant(row), novelty: evidence.novelty ?? null, violations: evidence.violations ?? [], findings: evidence.findings ?? [], grounding: row.grounding };
	};
	const requeued: RequeuedVariant[] = [...orphanGroups].map(([id, rows]) => {
		const proposal = rows.length > 1 || id.includes(':batch:') ? batchFor(rows.map(entryOf), rows[0]!.grounding, id) : { ...proposalFor(entryOf(rows[0]!).variant, entryOf(rows[0]!)), id };
		const what = rows.length > 1 ? `${rows.length} variants (${rows.map((x) => x.id).join(', ')}) wait` : `Variant ${rows[0]!.id} waits`;
		return { variantId: rows[0]!.id, proposal, reason: `${what} for approval but proposal ${id} never reached the queue; offered again (same id and payload).` };
	});

	// 9. Summary.
	const count = (s: CreativeItemStatus) => items.filter((i) => i.status === s).length;
	const counts = {
		requested: input.count,
		queued: count('pending_approval'),
		duplicate: count('rejected_duplicate'),
		policy: count('rejected_policy'),
		existing: count('already_stored'),
		missing: count('missing'),
		notChecked: count('not_checked'),
		requeued: requeued.length,
	};
	const status: CreativeRunResult['status'] = noveltyError !== null ? 'error' : generation.status;
	const parts = [
		`${counts.queued} queued for approval`,
		counts.duplicate ? `${counts.duplicate} refused as near-duplicate or duplicate` : null,
		counts.policy ? `${counts.policy} held back by the platform rules or the policy` : null,
		counts.existing ? `${counts.existing} already stored (not queued again)` : null,
		counts.missing ? `${counts.missing} not produced` : null,
		counts.notChecked ? `${counts.notChecked} not checked for novelty` : null,
		counts.requeued ? `${counts.requeued} earlier proposal(s) offered again` : null,
	].filter(Boolean);
	const message = `${noveltyError !== null ? `Novelty check failed: ${noveltyError}. ` : ''}${parts.join(', ')}. Generation: ${generation.message}.`;
	const finishedAt = ctx.now().toISOString();
	const usage = { ...generation.usage, embeddingTokens: ctx.embeddingUsage.promptTokens };

	await store.update(
		'creative_runs',
		{ id: runId },
		{
			status,
			message: truncateVisibly(message, 4000).text,
			prompt_tokens: generation.usage.promptTokens,
			completion_tokens: generation.usage.completionTokens,
			embedding_tokens: ctx.embeddingUsage.promptTokens,
			chat_requests: generation.requests.length,
			embedding_requests: ctx.embeddingUsage.requests,
			variants_queued: counts.queued,
			variants_duplicate: counts.duplicate,
			variants_policy: counts.policy,
			variants_existing: counts.existing,
			variants_missing: counts.missing,
			embeddings_cached: embeddingsCached,
			details: {
				requests: details.map((d) => ({ round: d.round, outcome: d.outcome, requested: d.requested, repairs: d.repairs, received: d.received, accepted: d.accepted, usage: d.usage as unknown as Json, message: d.message, issues: d.issues, finishReason: d.finishReason, requestId: d.requestId, detail: d.detail })),
				grounding: groundingJson,
				warnings,
				reconciled: { approved: rec.approved, rejected: rec.rejected },
				requeued: requeued.map((q) => q.proposal.id),
				...(noveltyError !== null ? { noveltyError } : {}),
			} as unknown as Json,
			finished_at: finishedAt,
		},
	);

	return {
		runId,
		status,
		message,
		platform,
		accountId: r.accountId,
		campaignId: r.campaignId,
		items,
		requeued,
		proposals: [...new Map([...items.flatMap((i) => (i.proposal ? [i.proposal] : [])), ...requeued.map((q) => q.proposal)].map((p) => [p.id, p])).values()],
		counts,
		usage,
		requests: { chat: generation.requests.length, embeddings: ctx.embeddingUsage.requests, details },
		budget: generation.budget,
		embeddingModel: ctx.baseEmbedder.model,
		embeddingsCached,
		grounding: g.evidence,
		reconciled: { approved: rec.approved, rejected: rec.rejected },
		warnings,
		startedAt: ctx.startedAt,
		finishedAt,
	};
}

// ---------------------------------------------------------------------------
// Check novelty of hand-written copy
// ---------------------------------------------------------------------------

export interface CopyNoveltyInput {
	accountId: string;
	/** Past copy of this platform only; omitted: every platform of the account id. */
	platform?: CreativePlatform | null;
	/** The copy to check, one text per ad (headline and body together). 1–500. */
	texts: readonly string[];
	thresholds?: NoveltyThresholdsInput;
}

export type CopyNoveltyDeps = Pick<CreativeRunDeps, 'store' | 'embeddingModel' | 'embeddingDimensions' | 'noveltyCache'> & { openai?: CreativeOpenAIClient | null };

export interface CopyNoveltyItem {
	index: number;
	text: string;
	verdict: Verdict;
	/** The neighbour that decided the verdict (past variant, or an earlier text of this call). */
	nearest: NearestVariant | null;
	reason: string;
}

export interface CopyNoveltyResult {
	items: CopyNoveltyItem[];
	embeddingModel: string;
	/** Past variants whose embedding this call computed and cached. */
	embeddingsCached: number;
	usage: { embeddingTokens: number; embeddingRequests: number };
	pastVariants: number;
}

export const MAX_NOVELTY_TEXTS = 500;

/**
 * The *Check novelty* operation: hand-written copy against every past
 * variant of the account and against the other texts of the call. Stores
 * nothing but the embeddings it computed for past variants.
 */
export async function checkNoveltyOfCopy(input: CopyNoveltyInput, deps: CopyNoveltyDeps): Promise<CopyNoveltyResult> {
	const accountId = checkText('accountId', input.accountId);
	if (!Array.isArray(input.texts) || input.texts.length === 0 || input.texts.length > MAX_NOVELTY_TEXTS) throw new CreativeConfigError(`texts must hold 1 to ${MAX_NOVELTY_TEXTS} copy texts`);
	if (input.texts.some((t) => typeof t !== 'string')) throw new CreativeConfigError('every copy text must be a string');
	if (input.platform) checkPlatform(input.platform);
	checkThresholds(input.thresholds);
	if (deps.embeddingModel && !deps.openai) throw new CreativeConfigError('an OpenAI client is needed for the embedding model; pass embeddingModel: null for the offline embedder');
	const { embedder, usage } = makeEmbedder({ openai: deps.openai as CreativeOpenAIClient, embeddingModel: deps.embeddingModel, embeddingDimensions: deps.embeddingDimensions });
	const thresholds = checkThresholds(input.thresholds, embedder);
	const past = await openStoredPast({ store: deps.store, accountId, platform: input.platform ?? null, embedder, texts: input.texts, cache: noveltyCacheOf(deps) });
	const { results, rowOf: pastById, embeddingsCached, pastCount } = await checkStoredPast(past, thresholds);
	const batchTexts = input.texts.map((text, slot) => ({ text, slot }));
	const items = results.map((res, i): CopyNoveltyItem => {
		const nearest = decidingNeighbour(res, pastById, batchTexts);
		let reason = noveltyReason(res.verdict, nearest, thresholds).replace(/variant #(\d+) of this run/g, 'text #$1 of this check').replace(/variant of this run \(#(\d+)\)/g, 'text #$1 of this check');
		if (input.texts[i]!.trim() === '') reason = 'Empty copy: nothing to compare.';
		return { index: i, text: input.texts[i]!, verdict: res.verdict, nearest, reason };
	});
	return { items, embeddingModel: embedder.model, embeddingsCached, usage: { embeddingTokens: usage.promptTokens, embeddingRequests: usage.requests }, pastVariants: pastCount };
}

// ---------------------------------------------------------------------------
// Decisions
// ---------------------------------------------------------------------------

export interface CreativeDecisionResult {
	proposalId: string;
	decision: 'approved' | 'rejected';
	/** Variants linked to the proposal. */
	found: number;
	/** Variants changed by this call (0 when already decided). */
	updated: number;
	variants: Array<{ id: string; status: string; contentHash: string; campaignId: string; platform: string }>;
}

/**
 * Marks the variant(s) of an approval proposal `approved` or `rejected`.
 * Only `pending_approval` rows change; a row already carrying the decision
 * is left as it is (idempotent), a row in another status is reported
 * unchanged so the caller can tell.
 */
export async function markCreativeDecision(store: Store, proposalId: string, decision: 'approved' | 'rejected'): Promise<CreativeDecisionResult> {
	if (typeof proposalId !== 'string' || proposalId.trim() === '') throw new CreativeConfigError('proposalId must not be empty');
	if (decision !== 'approved' && decision !== 'rejected') throw new CreativeConfigError(`decision must be "approved" or "rejected", got "${String(decision)}"`);
	const { updated } = await store.update('creative_variants', { proposal_id: proposalId, status: 'pending_approval' }, { status: decision });
	const rows = await store.select('creative_variants', { where: { proposal_id: proposalId } });
	return {
		proposalId,
		decision,
		found: rows.length,
		updated,
		variants: rows.map((row) => ({ id: row.id, status: row.status, contentHash: row.content_hash, campaignId: row.campaign_id, platform: row.platform })),
	};
}

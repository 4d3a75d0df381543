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
import { hostname } from 'node:os';
import { Client, isFullPage, LogLevel, type RetryOptions } from '@notionhq/client';
import type { Approval, Json, RowInput } from '../schema/rows';
import type { ActionLedgerEntry, Store, Where } from '../store/types';
import {
	CARD_STATUS,
	PROPS,
	cardContent,
	cardHash,
	cardProperties,
	changedFields,
	readCardContent,
	readPeople,
	readSelect,
	readText,
	resultText,
	richText,
	statusValue,
	type CardPage,
	type CardStatus,
	type StatusProperty,
} from './card';
import { deciderFromStored } from './alerting';
import type { ApprovalEvent, Decider, RefusalReason } from './events';
import { executionOutcome, type Executor, type ExecutorRegistry, type ReconcileResult } from './executors';
import { failpoint } from '../resilience/failpoints';
import { unknownOutcomeText } from '../resilience/outcome';
import { createProposal, ledgerKey, payloadIntact, proposalFromRow, proposalToRow, type Proposal, type ProposalInput, type ProposalStatus } from './proposal';

export interface NotionQueueConfig {
	/** Notion integration token (ignored when `client` is given). */
	token?: string;
	/** API base URL (default Notion's); the sandbox's `urls.notion` in tests. */
	baseUrl?: string;
	/** The approval database's data source. */
	dataSourceId: string;
	/** Passed to `@notionhq/client`, which honours 429 Retry-After itself (default 5 retries, ≤ 60 s each). */
	retry?: RetryOptions | false;
	timeoutMs?: number;
	/** A ready client (tests, custom fetch). */
	client?: Client;
}

export interface ApprovalQueueOptions {
	store: Store;
	notion: NotionQueueConfig;
	/**
	 * Who may approve; empty or unset: every person. Entries are Notion user
	 * ids, emails (matched against Notion users, and against Slack users
	 * through `slackUsers`) and Slack user ids (`U0MAYA0001`, or
	 * `slack:U0MAYA0001`). Rejections always count, from anyone.
	 */
	approvers?: readonly string[];
	/**
	 * Slack user id → that person's Notion user id or email. Used to show the
	 * person in the card's Decided by after a Slack decision (unmapped: Decided
	 * by is left empty and the event names the Slack user) and to match them
	 * against Notion ids and emails on the allow-list.
	 */
	slackUsers?: Readonly<Record<string, string>>;
	/** Clock (tests). */
	now?: () => Date;
	/**
	 * How far each decision poll reaches back before the previous poll's start
	 * (default 5 minutes). Notion rounds `last_edited_time` down to the minute,
	 * so windows must overlap; re-reading a card is a no-op.
	 */
	cursorOverlapMs?: number;
	/** app_state key of the poll cursor (default `approvals.sync.<data source id>`). */
	cursorKey?: string;
	/**
	 * How long an execution claim counts as held by a live run when the
	 * holder cannot be checked directly (another host; default 10 minutes).
	 * Only an older claim is reconciled. Keep it above the longest executor
	 * call (the webhook timeout).
	 */
	claimLeaseMs?: number;
}

interface RunInfo {
	runId: string;
	leaseMs: number;
	/** `runId@host:pid`, as recorded in the ledger's claimed_by. */
	claimedBy: string;
}

const HOST = hostname();
/** Runs of executeApproved going on in this process. */
const LIVE_RUNS = new Set<string>();
/** Default claim lease. */
export const DEFAULT_CLAIM_LEASE_MS = 10 * 60_000;

function pidAlive(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch (error) {
		return (error as { code?: string }).code === 'EPERM';
	}
}

export interface SyncResult {
	events: ApprovalEvent[];
	/** Decided cards read in this pass. */
	scanned: number;
	/** Cards with no proposal in the store (other tools' cards, history). */
	unknown: number;
	/** Cards whose status was set back to what the store says. */
	repaired: number;
	/** Cursor stored for the next pass (`last_edited_time` on or after). */
	cursor: string;
	/** Cursor this pass used (undefined: first pass, every decided card). */
	since?: string;
}

export interface ExecuteOptions {
	/** Re-run proposals whose executor failed: `true` for all, or these proposal ids. Default: none. */
	retryFailed?: boolean | readonly string[];
	/** Only these proposals. */
	proposalIds?: readonly string[];
	/** Who runs this execution (the n8n execution id, a run id): recorded with each claim and shown to concurrent runs. Default: a random run id. */
	runId?: string;
	/** The claim lease for this call (default the queue's `claimLeaseMs`). */
	claimLeaseMs?: number;
	/** At most this many proposals per call (default 100). */
	limit?: number;
}

export type ApprovalErrorCode = 'unknown_proposal' | 'invalid_decision';

export class ApprovalError extends Error {
	constructor(
		message: string,
		readonly proposalId?: string,
		readonly code?: ApprovalErrorCode,
	) {
		super(message);
		this.name = 'ApprovalError';
	}
}

interface SchemaInfo {
	titleProperty: string;
	status: StatusProperty;
	/** The optional Result property exists (rich text). */
	hasResult: boolean;
}

interface UserInfo {
	id: string;
	type?: string;
	name?: string;
	email?: string;
}

/** A Slack decision: what `parseApprovalInteraction` read from a verified button click. */
export interface SlackDecisionInput {
	decision: 'approve' | 'reject';
	source: 'slack';
	/** The payload hash the clicked button carried. */
	payloadHash: string;
	actor: { slackUserId: string; slackUserName?: string };
	/**
	 * Longest wait for each Notion call made by this decision (reading the
	 * card, writing it back). The store decides; a slow Notion never delays
	 * or changes the decision, it only leaves the card to be updated later
	 * (reported as `cardError`). Default: no limit besides the client's.
	 */
	notionBudgetMs?: number;
}

const SLACK_USER_ID = /^[UW][A-Z0-9]{2,30}$/;
const MINUTE_MS = 60_000;
const DEFAULT_OVERLAP_MS = 5 * MINUTE_MS;

function compactId(id: string): string {
	return id.replace(/-/g, '').toLowerCase();
}

function errorMessage(error: unknown): string {
	return error instanceof Error ? error.message : String(error);
}

function describeDecider(d: Decider | undefined): string {
	if (!d) return 'an unidentified editor';
	if (d.source === 'slack') return d.name ? `@${d.name} (Slack ${d.id})` : `Slack user ${d.id}`;
	return d.name ? `${d.name}${d.email ? ` <${d.email}>` : ''}` : `Notion user ${d.id}`;
}

/** The Notion client the queue uses: API version 2025-09-03, 429/529 retried by the client itself honouring Retry-After. */
export function notionClient(config: Omit<NotionQueueConfig, 'dataSourceId'>): Client {
	return (
		config.client ??
		new Client({
			auth: config.token,
			baseUrl: config.baseUrl,
			notionVersion: '2025-09-03',
			logLevel: LogLevel.ERROR,
			timeoutMs: config.timeoutMs,
			retry: config.retry ?? { maxRetries: 5, initialRetryDelayMs: 1000, maxRetryDelayMs: 60_000 },
		})
	);
}

/** A Notion write's error: `failed` when Notion refused it (4xx answer, 429, a connection never made), else `unknown` (5xx, timeout, unreadable answer). */
function notionWriteOutcome(error: unknown): 'failed' | 'unknown' {
	const status = notionStatus(error);
	if (status !== undefined && status >= 400 && status < 500 && status !== 408) return 'failed';
	const code = (error as { code?: unknown; cause?: { code?: unknown } } | undefined)?.cause?.code;
	if (code === 'ECONNREFUSED' || code === 'ENOTFOUND') return 'failed';
	return 'unknown';
}

function notionStatus(error: unknown): number | undefined {
	const status = (error as { status?: unknown } | undefined)?.status;
	return typeof status === 'number' ? status : undefined;
}

/**
 * The data source id of an approval database: `id` may be the data source's
 * own id or its database's id (Notion shows the database id in the page URL;
 * since API version 2025-09-03 rows live in the database's data source).
 */
export async function resolveApprovalDataSource(client: Client, id: string): Promise<string> {
	const wanted = id.trim();
	if (!wanted) throw new ApprovalError('The approval database or data source id is empty');
	try {
		const ds = (await client.dataSources.retrieve({ data_source_id: wanted })) as { id: string };
		return ds.id;
	} catch (error) {
		if (notionStatus(error) !== 404 && notionStatus(error) !== 400) throw error;
	}
	let db: { data_sources?: Array<{ id: string; name?: string }> };
	try {
		db = (await client.databases.retrieve({ database_id: wanted })) as typeof db;
	} catch (error) {
		if (notionStatus(error) === 404) {
			throw new ApprovalError(`Notion has no data source or database ${wanted} that this integration can see: check the id and share the database with the integration (database menu → Connections)`);
		}
		throw error;
	}
	const first = db.data_sources?.[0];
	if (!first) throw new ApprovalError(`The Notion database ${wanted} has no data source`);
	return first.id;
}

/** Reads the approval data source's schema and checks that every property the queue needs is there. */
async function loadApprovalSchema(client: Client, dataSourceId: string): Promise<SchemaInfo> {
	const ds = (await client.dataSources.retrieve({ data_source_id: dataSourceId })) as { properties?: Record<string, { type: string; name?: string; select?: { options?: Array<{ name: string }> }; status?: { options?: Array<{ name: string }> } }> };
	const props = ds.properties ?? {};
	const titleProperty = Object.entries(props).find(([, v]) => v.type === 'title')?.[0];
	const required: Array<[string, string[]]> = [
		[PROPS.kind, ['select']],
		[PROPS.status, ['status', 'select']],
		[PROPS.platform, ['select']],
		[PROPS.account, ['rich_text']],
		[PROPS.entity, ['rich_text']],
		[PROPS.proposedChange, ['rich_text']],
		[PROPS.evidence, ['rich_text']],
		[PROPS.impact, ['rich_text']],
		[PROPS.requestedAt, ['date']],
		[PROPS.expiresAt, ['date']],
		[PROPS.decidedBy, ['people']],
		[PROPS.proposalId, ['rich_text']],
	];
	const problems = required.filter(([name, types]) => !props[name] || !types.includes(props[name]!.type)).map(([name, types]) => `${name} (${types.join(' or ')})`);
	if (!titleProperty) problems.unshift('a title property');
	if (problems.length) throw new ApprovalError(`The approval data source ${dataSourceId} lacks ${problems.join(', ')}; create it with scripts/notion/provision.ts`);
	const statusProp = props[PROPS.status]!;
	const type = statusProp.type as 'status' | 'select';
	const options = new Set((statusProp[type]?.options ?? []).map((o) => o.name));
	const missing = ['Pending', 'Approved', 'Rejected', 'Expired', 'Executed', 'Failed'].filter((o) => !options.has(o));
	if (missing.length) throw new ApprovalError(`The Status property of data source ${dataSourceId} lacks the option(s) ${missing.join(', ')}`);
	return { titleProperty: titleProperty!, status: { type, options }, hasResult: props[PROPS.result]?.type === 'rich_text' };
}

/** Checks that a data source has every approval property; throws an ApprovalError naming what is missing. */
export async function verifyApprovalDataSource(client: Client, dataSourceId: string): Promise<{ titleProperty: string; statusType: 'status' | 'select'; hasResult: boolean }> {
	const schema = await loadApprovalSchema(client, dataSourceId);
	return { titleProperty: schema.titleProperty, statusType: schema.status.type, hasResult: schema.hasResult };
}

export class ApprovalQueue {
	readonly store: Store;
	readonly dataSourceId: string;
	readonly notion: Client;
	readonly #approvers: { ids: Set<string>; emails: Set<string>; slack: Set<string> } | undefined;
	readonly #slackUsers: ReadonlyMap<string, string>;
	#notionByEmail: Promise<Map<string, string>> | undefined;
	readonly #now: () => Date;
	readonly #overlapMs: number;
	readonly #cursorKey: string;
	readonly #leaseMs: number;
	#schema: Promise<SchemaInfo> | undefined;
	#botId: Promise<string | undefined> | undefined;
	readonly #users = new Map<string, Promise<UserInfo>>();

	constructor(options: ApprovalQueueOptions) {
		this.store = options.store;
		this.dataSourceId = options.notion.dataSourceId;
		if (!this.dataSourceId) throw new ApprovalError('The approval data source id is required');
		this.notion = notionClient(options.notion);
		const approvers = (options.approvers ?? []).map((a) => a.trim()).filter(Boolean);
		const slackId = (a: string) => a.replace(/^slack:/, '');
		const isSlack = (a: string) => SLACK_USER_ID.test(slackId(a));
		this.#approvers = approvers.length
			? {
					ids: new Set(approvers.filter((a) => !a.includes('@') && !isSlack(a)).map((a) => compactId(a.replace(/^notion:/, '')))),
					emails: new Set(approvers.filter((a) => a.includes('@')).map((a) => a.toLowerCase())),
					slack: new Set(approvers.filter(isSlack).map(slackId)),
				}
			: undefined;
		this.#slackUsers = new Map(
			Object.entries(options.slackUsers ?? {})
				.map(([k, v]) => [k.trim(), String(v).trim()] as const)
				.filter(([k, v]) => {
					if (!SLACK_USER_ID.test(k)) throw new ApprovalError(`slackUsers: "${k}" is not a Slack user id (U… or W…)`);
					return v.length > 0;
				}),
		);
		this.#now = options.now ?? (() => new Date());
		this.#overlapMs = options.cursorOverlapMs ?? DEFAULT_OVERLAP_MS;
		if (!(this.#overlapMs >= MINUTE_MS)) throw new ApprovalError('cursorOverlapMs must be at least one minute (Notion rounds last_edited_time to the minute)');
		this.#cursorKey = options.cursorKey ?? `approvals.sync.${compactId(this.dataSourceId)}`;
		this.#leaseMs = options.claimLeaseMs ?? DEFAULT_CLAIM_LEASE_MS;
		if (!(this.#leaseMs > 0)) throw new ApprovalError('claimLeaseMs must be positive');
	}

	// ---- reading ------------------------------------------------------------

	async get(proposalId: string): Promise<Proposal | undefined> {
		const row = await this.#row(proposalId);
		return row ? proposalFromRow(row) : undefined;
	}

	async #row(proposalId: string): Promise<Approval | undefined> {
		const rows = await this.store.select('approvals', { where: { proposal_id: proposalId } });
		return rows[0];
	}

	// ---- enqueue ------------------------------------------------------------

	/**
	 * Stores each proposal (first write wins) and makes sure it has exactly one
	 * card: the store's page id, else a card found by Proposal ID, else a new
	 * card. Re-running never duplicates a card. A proposal id that is already
	 * stored with a different payload is an error, never an overwrite.
	 */
	async enqueue(inputs: ReadonlyArray<ProposalInput | Proposal>): Promise<ApprovalEvent[]> {
		const now = this.#now();
		const proposals = inputs.map((input) => ('payloadHash' in input && 'status' in input ? (input as Proposal) : createProposal(input as ProposalInput, now)));
		const seen = new Set<string>();
		for (const p of proposals) {
			if (seen.has(p.id)) throw new ApprovalError(`Proposal ${p.id} appears twice in one enqueue call`, p.id);
			seen.add(p.id);
		}
		const schema = await this.#loadSchema();
		const events: ApprovalEvent[] = [];
		for (const input of proposals) {
			const fresh = { ...input, cardHash: cardHash(cardContent(input), input.payloadHash) };
			await this.store.upsert('approvals', [proposalToRow({ ...fresh, status: 'pending', decidedBy: null, decidedAt: null, result: null, error: null, notionPageId: null, flag: null })], { onConflict: 'ignore' });
			const row = (await this.#row(fresh.id))!;
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
				const existing = await this.#findCards(stored.id);
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
						const found = await this.#findCards(stored.id).catch(() => []);
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
				this.#event(
					'queued',
					{ ...stored, notionPageId: pageId },
					created ? `Queued "${stored.title}" for approval in Notion.` : adopted ? `"${stored.title}" already had its approval card (created earlier, its answer lost); it was found by Proposal ID, nothing duplicated.` : `"${stored.title}" already has its approval card; nothing duplicated.`,
					{ created, url, ...(adopted ? { adopted } : {}), ...(reconciled ? { resolution: reconciled } : {}) },
				),
			);
		}
		return events;
	}

	async #findCards(proposalId: string): Promise<CardPage[]> {
		const res = await this.notion.dataSources.query({
			data_source_id: this.dataSourceId,
			filter: { property: PROPS.proposalId, rich_text: { equals: proposalId } } as never,
			page_size: 10,
		});
		return res.results.filter((r) => isFullPage(r as never)).map((r) => r as unknown as CardPage).filter((p) => readText(p, PROPS.proposalId) === proposalId);
	}

	// ---- decisions ----------------------------------------------------------

	/**
	 * Reads decided cards (Status Approved or Rejected) edited since the stored
	 * cursor minus the overlap, applies each decision once and stores the new
	 * cursor only after the whole pass succeeded, so an error (after the
	 * client's own 429/529 retries) never loses a decision: the next pass reads
	 * the same cards again.
	 */
	async syncDecisions(): Promise<SyncResult> {
		const startedAt = this.#now();
		const schema = await this.#loadSchema();
		const state = await this.store.getState<{ since?: string }>(this.#cursorKey);
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
				await this.#processCard(r as unknown as CardPage, schema, result);
			}
			cursor = res.has_more && res.next_cursor ? res.next_cursor : undefined;
		} while (cursor);
		const next = new Date(Math.floor(startedAt.getTime() / MINUTE_MS) * MINUTE_MS - this.#overlapMs).toISOString();
		result.cursor = since && since > next ? since : next;
		await this.store.setState(this.#cursorKey, { since: result.cursor, lastPollAt: startedAt.toISOString() });
		return result;
	}

	async #processCard(page: CardPage, schema: SchemaInfo, result: SyncResult): Promise<void> {
		const proposalId = readText(page, PROPS.proposalId).trim();
		const cardStatus = readSelect(page, PROPS.status);
		const row = proposalId ? await this.#row(proposalId) : undefined;
		if (!row) {
			result.unknown++;
			return;
		}
		let p = proposalFromRow(row);
		if (p.notionPageId && compactId(p.notionPageId) !== compactId(page.id)) {
			// A copy of the card (Notion's Duplicate keeps Proposal ID): it never decides anything.
			if (cardStatus === 'Approved') {
				const cardError = await this.#setCard(page.id, schema, 'Rejected');
				result.events.push(
					this.#event('refused', p, `A card that is not the queued card for "${p.title}" was approved (a duplicated card?); it was marked Rejected and nothing was executed. The queued card is ${p.notionPageId}.`, {
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
		const event = await this.#applyCard(p, page, cardStatus, schema);
		if (event === 'repaired') result.repaired++;
		else if (event) result.events.push(event);
	}

	/** Applies what a decided card says to its proposal; returns the event, `repaired`, or nothing. */
	async #applyCard(p: Proposal, page: CardPage, cardStatus: string, schema: SchemaInfo): Promise<ApprovalEvent | 'repaired' | undefined> {
		const extra = { url: page.url };
		switch (p.status) {
			case 'pending':
				return cardStatus === 'Rejected' ? this.#recordRejection(p, page, schema) : this.#recordApproval(p, page, schema);
			case 'approved': {
				if (cardStatus !== 'Rejected') return undefined;
				// Rejected before it ran: the approval is withdrawn.
				const decider = await this.#decider(page);
				const updated = await this.store.update('approvals', { proposal_id: p.id, status: 'approved' }, { status: 'rejected', decided_by: decider ? `notion:${decider.id}` : p.decidedBy, decided_at: this.#now().toISOString() });
				if (updated.updated === 0) return undefined; // it started executing meanwhile
				return this.#event('rejected', { ...p, status: 'rejected' }, `${describeDecider(decider)} rejected "${p.title}" after it had been approved, before it ran; it will not execute.`, { decidedBy: decider, ...extra });
			}
			case 'rejected':
			case 'expired': {
				if (cardStatus !== 'Approved') return undefined;
				const decider = await this.#decider(page);
				const cardError = await this.#setCard(page.id, schema, CARD_STATUS[p.status]);
				await this.#flag(p, 'already_decided');
				return this.#event('refused', p, `${describeDecider(decider)} approved "${p.title}", which was already ${p.status}; a ${p.status} proposal never executes. The card was set back to ${CARD_STATUS[p.status]}.`, {
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
				await this.#setCard(page.id, schema, want);
				return 'repaired';
			}
		}
	}

	async #recordRejection(p: Proposal, page: CardPage, schema: SchemaInfo): Promise<ApprovalEvent | undefined> {
		const decider = await this.#decider(page);
		const decidedAt = page.last_edited_time;
		const updated = await this.store.update(
			'approvals',
			{ proposal_id: p.id, status: 'pending' },
			{ status: 'rejected', decided_by: decider ? `notion:${decider.id}` : null, decided_at: decidedAt },
		);
		if (updated.updated === 0) return undefined;
		const cardError = decider ? await this.#setCard(page.id, schema, undefined, decider.id, page) : undefined;
		return this.#event('rejected', { ...p, status: 'rejected', decidedAt }, `${describeDecider(decider)} rejected "${p.title}"; it will not execute.`, { decidedBy: decider, url: page.url, cardError });
	}

	async #recordApproval(p: Proposal, page: CardPage, schema: SchemaInfo): Promise<ApprovalEvent | undefined> {
		const decider = await this.#decider(page);
		const url = page.url;
		// 1. The card must show what was queued.
		const queued = cardContent(p);
		const current = readCardContent(page, schema.titleProperty);
		if (!p.cardHash || cardHash(current, p.payloadHash) !== p.cardHash) {
			const fields = changedFields(queued, current);
			return this.#refuseFinal(p, page, schema, 'rejected', 'edited_after_queue', decider, `"${p.title}" was approved by ${describeDecider(decider)}, but its card was edited after it was queued (${fields.join(', ') || 'content'} changed); the approval is refused, the proposal rejected and nothing executed. Queue a new proposal if the change is wanted.`, { changedFields: fields });
		}
		// 2. The stored payload must still be the one whose hash was queued.
		if (!payloadIntact(p)) {
			return this.#refuseFinal(p, page, schema, 'rejected', 'payload_tampered', decider, `"${p.title}" was approved, but its stored payload no longer matches the queued payload hash; refused and rejected, nothing executed.`);
		}
		// 3. Approvals after expiry do not count. last_edited_time is rounded down to the minute, so give it the full minute.
		const now = this.#now();
		const expiresMs = Date.parse(p.expiresAt);
		const editedMs = Date.parse(page.last_edited_time);
		if (now.getTime() > expiresMs && !(editedMs + MINUTE_MS <= expiresMs)) {
			return this.#refuseFinal(p, page, schema, 'expired', 'approved_after_expiry', decider, `"${p.title}" was approved by ${describeDecider(decider)} after it expired at ${p.expiresAt}; it is expired and nothing executed.`);
		}
		// 4. A person must have approved, and one on the allow-list when there is one.
		if (!decider) {
			return this.#refusePending(p, page, schema, 'unknown_approver', undefined, `"${p.title}" was set to Approved by no identifiable person; the approval does not count. The card is Pending again.`);
		}
		if (decider.type === 'bot' && !this.#onAllowList(decider)) {
			return this.#refusePending(p, page, schema, 'unknown_approver', decider, `"${p.title}" was set to Approved by the integration ${describeDecider(decider)}, not by a person; the approval does not count. The card is Pending again.`);
		}
		if (this.#approvers && !this.#onAllowList(decider)) {
			return this.#refusePending(p, page, schema, 'approver_not_allowed', decider, `${describeDecider(decider)} approved "${p.title}" but is not on the approver allow-list; the approval is refused and nothing executed. The card is Pending again for an approver.`);
		}
		const decidedAt = page.last_edited_time;
		const updated = await this.store.update('approvals', { proposal_id: p.id, status: 'pending' }, { status: 'approved', decided_by: `notion:${decider.id}`, decided_at: decidedAt });
		if (updated.updated === 0) return undefined;
		const cardError = await this.#setCard(page.id, schema, undefined, decider.id, page);
		return this.#event('approved', { ...p, status: 'approved', decidedAt }, `${describeDecider(decider)} approved "${p.title}"; it will execute once.`, { decidedBy: this.#publicDecider(decider), url, cardError });
	}

	async #refuseFinal(
		p: Proposal,
		page: CardPage,
		schema: SchemaInfo,
		status: 'rejected' | 'expired',
		reason: RefusalReason,
		decider: (Decider & { type?: string }) | undefined,
		message: string,
		extra: Partial<ApprovalEvent> = {},
	): Promise<ApprovalEvent | undefined> {
		if (!(await this.#storeFinalRefusal(p, status, reason, message, decider ? `notion:${decider.id}` : null, page.last_edited_time, this.#now().toISOString()))) return undefined;
		const cardError = await this.#setCard(page.id, schema, CARD_STATUS[status]);
		return this.#event('refused', { ...p, status }, message, { reason, flagged: true, decidedBy: this.#publicDecider(decider), url: page.url, cardError, ...extra });
	}

	/** Moves a still pending proposal to `status` with the refusal recorded; false when another decision moved it first. */
	async #storeFinalRefusal(p: Proposal, status: 'rejected' | 'expired', reason: RefusalReason, message: string, decidedBy: string | null, decidedAt: string, flaggedAt: string): Promise<boolean> {
		return this.#countRefusal(p.id, { status: 'pending' }, { status, flag: reason, flagged_at: flaggedAt, error: message, decided_by: decidedBy, decided_at: decidedAt });
	}

	async #refusePending(p: Proposal, page: CardPage, schema: SchemaInfo, reason: RefusalReason, decider: (Decider & { type?: string }) | undefined, message: string): Promise<ApprovalEvent> {
		await this.#flag(p, reason);
		const cardError = await this.#setCard(page.id, schema, 'Pending', null);
		return this.#event('refused', p, message, { reason, flagged: true, decidedBy: this.#publicDecider(decider), url: page.url, cardError });
	}

	async #flag(p: Proposal, reason: RefusalReason): Promise<void> {
		await this.#countRefusal(p.id, {}, { flag: reason, flagged_at: this.#now().toISOString() });
	}

	/**
	 * Writes `patch` with the refusal counter one higher, when the row still
	 * matches `match`; false when it no longer does. The counter is compared
	 * and set in one conditional update, retried when another writer counted
	 * first, so concurrent refusals (two mains, a Slack click during a sync)
	 * never lose an increment: the trigger emits one refusal per count.
	 */
	async #countRefusal(proposalId: string, match: Where<'approvals'>, patch: Partial<RowInput<'approvals'>>): Promise<boolean> {
		for (let attempt = 0; attempt < 20; attempt++) {
			const row = await this.#row(proposalId);
			if (!row) return false;
			const refusals = row.refusals ?? 0;
			const { updated } = await this.store.update('approvals', { ...match, proposal_id: proposalId, refusals }, { ...patch, refusals: refusals + 1 });
			if (updated > 0) return true;
			// either the row no longer matches (another decision moved it) or another refusal was counted first: read again
			const again = await this.#row(proposalId);
			if (!again || !Object.entries(match).every(([k, v]) => (again as Record<string, unknown>)[k] === v)) return false;
		}
		throw new ApprovalError(`could not record a refusal of proposal ${proposalId}: its row kept changing (20 attempts)`);
	}

	#publicDecider(d: (Decider & { type?: string }) | undefined): Decider | undefined {
		if (!d) return undefined;
		const { type: _type, ...rest } = d;
		return rest;
	}

	#onAllowList(d: Decider & { email?: string }): boolean {
		if (!this.#approvers) return true;
		return this.#approvers.ids.has(compactId(d.id)) || (!!d.email && this.#approvers.emails.has(d.email.toLowerCase()));
	}

	/**
	 * Who decided: the card's `last_edited_by` (set by Notion, not forgeable
	 * through the card), or — when the last edit was this integration's own —
	 * the single person in Decided by.
	 */
	async #decider(page: CardPage): Promise<(Decider & { type?: string }) | undefined> {
		const botId = await this.#bot();
		const editor = page.last_edited_by?.id;
		let id: string | undefined;
		if (editor && (!botId || compactId(editor) !== compactId(botId))) id = editor;
		else {
			const people = readPeople(page, PROPS.decidedBy);
			if (people.length === 1) id = people[0];
		}
		if (!id) return undefined;
		const info = await this.#user(id);
		return { source: 'notion', id, ...(info.name ? { name: info.name } : {}), ...(info.email ? { email: info.email } : {}), ...(info.type ? { type: info.type } : {}) };
	}

	#bot(): Promise<string | undefined> {
		this.#botId ??= this.notion.users.me({}).then(
			(me) => me.id,
			() => undefined,
		);
		return this.#botId;
	}

	#user(id: string): Promise<UserInfo> {
		let info = this.#users.get(id);
		if (!info) {
			info = this.notion.users.retrieve({ user_id: id }).then(
				(u) => {
					const full = u as { type?: string; name?: string | null; person?: { email?: string } };
					return { id, type: full.type, name: full.name ?? undefined, email: full.person?.email };
				},
				// Without the user-information capability Notion refuses; the id still identifies the person.
				() => ({ id }),
			);
			this.#users.set(id, info);
		}
		return info;
	}

	// ---- Slack decisions ------------------------------------------------------

	/**
	 * Applies a click on Approve or Reject in a Slack alert (the request
	 * already verified and parsed, see `handleSlackInteraction`). It takes the
	 * card's decision path:
	 * - a decision already made on the Notion card but not synced yet came
	 *   first and is applied first (through the same code as `syncDecisions`);
	 * - only a pending proposal can be decided; any click on one that is no
	 *   longer pending is an `unchanged` event and writes nothing;
	 * - a rejection always counts, from anyone;
	 * - an approval counts when the button's payload hash is the stored one
	 *   (else `hash_mismatch`: refused, rejected, flagged), the stored payload
	 *   still matches it (`payload_tampered`), the proposal has not expired
	 *   (`approved_after_expiry`) and the Slack user is on the allow-list when
	 *   one is set (`approver_not_allowed`: refused, stays pending);
	 * - the store is written first (`decided_by` = `slack:<user id>`), with a
	 *   conditional update, so a racing card decision and a Slack click can
	 *   never both win; then the card is set to the outcome with Decided by
	 *   (the Notion person mapped through `slackUsers`, else empty). A later
	 *   sync reads that card as already applied.
	 *
	 * Throws `ApprovalError` (code `unknown_proposal`) for a proposal id that
	 * is not stored, and on store errors; Notion errors never throw here (the
	 * event carries `cardError`).
	 */
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
		const row = await this.#row(proposalId);
		if (!row) throw new ApprovalError(`No proposal ${proposalId} is in the approval queue`, proposalId, 'unknown_proposal');
		let p = proposalFromRow(row);
		const decider: Decider = { source: 'slack', id: input.actor.slackUserId, ...(input.actor.slackUserName ? { name: input.actor.slackUserName } : {}) };
		const events: ApprovalEvent[] = [];
		const schema = await this.#within(this.#loadSchema(), budget).catch(() => undefined);

		// A decision made on the card before this click, not synced yet, came first.
		if (p.status === 'pending' && p.notionPageId && schema) {
			const pageId = p.notionPageId;
			const applied = await this.#within(
				(async () => {
					const page = await this.notion.pages.retrieve({ page_id: pageId });
					if (!isFullPage(page)) return undefined;
					const card = page as unknown as CardPage;
					const status = readSelect(card, PROPS.status);
					if (status !== 'Approved' && status !== 'Rejected') return undefined;
					// The proposal is read after its card: a decision written by a concurrent click (store first, card second) is then seen as made, never mistaken for a card edit.
					const current = await this.#row(proposalId);
					if (!current || current.status !== 'pending') return undefined;
					return this.#applyCard(proposalFromRow(current), card, status, schema);
				})(),
				budget,
			).catch(() => undefined);
			if (applied && applied !== 'repaired') events.push(applied);
			p = proposalFromRow((await this.#row(p.id))!);
		}
		if (p.status !== 'pending') {
			events.push(await this.#unchanged(p, decider, input.decision, budget));
			return events;
		}

		const now = this.#now();
		const decidedAt = now.toISOString();
		const decidedBy = `slack:${decider.id}`;
		if (input.decision === 'reject') {
			const updated = await this.store.update('approvals', { proposal_id: p.id, status: 'pending' }, { status: 'rejected', decided_by: decidedBy, decided_at: decidedAt });
			if (updated.updated === 0) return [...events, await this.#unchangedAfterRace(p.id, decider, input.decision, budget)];
			const cardError = await this.#writeDecisionCard(p, schema, 'Rejected', decider, budget);
			const note = input.payloadHash !== p.payloadHash ? ' (The button was posted for a different payload than the one stored; a rejection counts either way.)' : '';
			events.push(this.#event('rejected', { ...p, status: 'rejected', decidedBy, decidedAt }, `${describeDecider(decider)} rejected "${p.title}" in Slack; it will not execute.${note}`, { decidedBy: decider, cardError }));
			return events;
		}

		// 1. The button must be for the payload that is stored.
		if (input.payloadHash !== p.payloadHash) {
			const message = `${describeDecider(decider)} approved "${p.title}" in Slack, but the button was posted for payload ${input.payloadHash.slice(0, 12)}… while the stored payload is ${p.payloadHash.slice(0, 12)}…; the approval does not cover what would run. Refused and rejected, nothing executed; queue a new proposal if the change is wanted.`;
			return [...events, await this.#refuseSlackFinal(p, schema, 'rejected', 'hash_mismatch', decider, message, budget)];
		}
		// 2. The stored payload must still be the one whose hash was queued.
		if (!payloadIntact(p)) {
			const message = `${describeDecider(decider)} approved "${p.title}" in Slack, but its stored payload no longer matches the queued payload hash; refused and rejected, nothing executed.`;
			return [...events, await this.#refuseSlackFinal(p, schema, 'rejected', 'payload_tampered', decider, message, budget)];
		}
		// 3. Approvals after expiry do not count.
		if (now.getTime() > Date.parse(p.expiresAt)) {
			const message = `${describeDecider(decider)} approved "${p.title}" in Slack after it expired at ${p.expiresAt}; it is expired and nothing executed.`;
			return [...events, await this.#refuseSlackFinal(p, schema, 'expired', 'approved_after_expiry', decider, message, budget)];
		}
		// 4. The approver must be on the allow-list when there is one.
		if (!(await this.#slackApproverAllowed(decider.id, budget))) {
			await this.#flag(p, 'approver_not_allowed');
			events.push(
				this.#event('refused', p, `${describeDecider(decider)} approved "${p.title}" in Slack but is not on the approver allow-list; the approval is refused and nothing executed. It is still pending for an approver.`, {
					reason: 'approver_not_allowed',
					flagged: true,
					decidedBy: decider,
				}),
			);
			return events;
		}
		const updated = await this.store.update('approvals', { proposal_id: p.id, status: 'pending' }, { status: 'approved', decided_by: decidedBy, decided_at: decidedAt });
		if (updated.updated === 0) return [...events, await this.#unchangedAfterRace(p.id, decider, input.decision, budget)];
		const cardError = await this.#writeDecisionCard(p, schema, 'Approved', decider, budget);
		events.push(this.#event('approved', { ...p, status: 'approved', decidedBy, decidedAt }, `${describeDecider(decider)} approved "${p.title}" in Slack; it will execute once.`, { decidedBy: decider, cardError }));
		return events;
	}

	async #refuseSlackFinal(p: Proposal, schema: SchemaInfo | undefined, status: 'rejected' | 'expired', reason: RefusalReason, decider: Decider, message: string, budget: number | undefined): Promise<ApprovalEvent> {
		const now = this.#now().toISOString();
		if (!(await this.#storeFinalRefusal(p, status, reason, message, `slack:${decider.id}`, now, now))) return this.#unchangedAfterRace(p.id, decider, 'approve', budget);
		const cardError = await this.#writeDecisionCard(p, schema, CARD_STATUS[status], undefined, budget);
		return this.#event('refused', { ...p, status }, message, { reason, flagged: true, decidedBy: decider, cardError });
	}

	/** Another decision moved the proposal out of pending between our read and our write. */
	async #unchangedAfterRace(proposalId: string, decider: Decider, decision: 'approve' | 'reject', budget: number | undefined): Promise<ApprovalEvent> {
		const row = await this.#row(proposalId);
		return this.#unchanged(proposalFromRow(row!), decider, decision, budget);
	}

	async #unchanged(p: Proposal, decider: Decider, decision: 'approve' | 'reject', budget: number | undefined): Promise<ApprovalEvent> {
		const by = p.decidedBy ? ` by ${await this.#describeStoredDecider(p.decidedBy, budget)}` : '';
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
		return this.#event('unchanged', p, `${describeDecider(decider)} clicked ${decision === 'approve' ? 'Approve' : 'Reject'} on "${p.title}", which was ${state[p.status]}; this click changed nothing.${hint}`, {
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
	async storedDecider(decidedBy: string | null | undefined, budget?: number): Promise<Decider | undefined> {
		const stored = deciderFromStored(decidedBy);
		if (!stored) return undefined;
		const lookup = async (notionId: string): Promise<UserInfo | undefined> => {
			try {
				return await this.#within(this.#user(notionId), budget);
			} catch {
				return undefined; // the id still identifies the person
			}
		};
		if (stored.source === 'notion') {
			const info = await lookup(stored.id);
			return { ...stored, ...(info?.name ? { name: info.name } : {}), ...(info?.email ? { email: info.email } : {}) };
		}
		const mapped = this.#slackUsers.get(stored.id);
		if (!mapped) return stored;
		const email = mapped.includes('@') ? mapped : (await lookup(mapped))?.email;
		return email ? { ...stored, email } : stored;
	}

	async #describeStoredDecider(decidedBy: string, budget: number | undefined): Promise<string> {
		if (decidedBy.startsWith('slack:')) return `Slack user ${decidedBy.slice(6)}`;
		if (decidedBy.startsWith('notion:')) {
			const id = decidedBy.slice(7);
			const info = await this.#within(this.#user(id), budget).catch(() => undefined);
			return info?.name ? `${info.name} (Notion)` : `Notion user ${id}`;
		}
		return decidedBy;
	}

	/**
	 * Sets the card to a Slack decision's outcome (with Decided by when the
	 * decider is given); returns an error message instead of throwing.
	 */
	async #writeDecisionCard(p: Proposal, schema: SchemaInfo | undefined, status: CardStatus, decider: Decider | undefined, budget: number | undefined): Promise<string | undefined> {
		if (!p.notionPageId) return `No Notion card is recorded for "${p.title}"; the decision is in the store only.`;
		if (!schema) return `Notion did not answer in time; the card of "${p.title}" was not updated (the decision is recorded in the store).`;
		const pageId = p.notionPageId;
		try {
			return await this.#within(
				(async () => {
					const notionId = decider ? await this.#notionIdForSlack(decider.id).catch(() => undefined) : undefined;
					return this.#setCard(pageId, schema, status, decider ? (notionId ?? null) : undefined);
				})(),
				budget,
			);
		} catch (error) {
			return `Notion card ${pageId} not updated: ${errorMessage(error)}`;
		}
	}

	async #slackApproverAllowed(slackUserId: string, budget: number | undefined): Promise<boolean> {
		const list = this.#approvers;
		if (!list) return true;
		if (list.slack.has(slackUserId)) return true;
		const mapped = this.#slackUsers.get(slackUserId);
		if (!mapped) return false;
		if (mapped.includes('@')) {
			if (list.emails.has(mapped.toLowerCase())) return true;
			const id = await this.#within(this.#notionIdByEmail(mapped), budget).catch(() => undefined);
			return !!id && list.ids.has(compactId(id));
		}
		if (list.ids.has(compactId(mapped))) return true;
		const info = await this.#within(this.#user(mapped), budget).catch(() => undefined);
		return !!info?.email && list.emails.has(info.email.toLowerCase());
	}

	/** The Notion user a Slack user is mapped to (`slackUsers`), if any. */
	async #notionIdForSlack(slackUserId: string): Promise<string | undefined> {
		const mapped = this.#slackUsers.get(slackUserId);
		if (!mapped) return undefined;
		return mapped.includes('@') ? this.#notionIdByEmail(mapped) : mapped;
	}

	async #notionIdByEmail(email: string): Promise<string | undefined> {
		this.#notionByEmail ??= (async () => {
			const byEmail = new Map<string, string>();
			let cursor: string | undefined;
			do {
				const res = await this.notion.users.list({ page_size: 100, ...(cursor ? { start_cursor: cursor } : {}) });
				for (const u of res.results as Array<{ id: string; type?: string; person?: { email?: string } }>) {
					if (u.type === 'person' && u.person?.email) byEmail.set(u.person.email.toLowerCase(), u.id);
				}
				cursor = res.has_more && res.next_cursor ? res.next_cursor : undefined;
			} while (cursor);
			return byEmail;
		})();
		this.#notionByEmail.catch(() => (this.#notionByEmail = undefined));
		return (await this.#notionByEmail).get(email.toLowerCase());
	}

	/** `promise`, or a rejection after `ms` (the work goes on; its outcome is then ignored). */
	#within<T>(promise: Promise<T>, ms: number | undefined): Promise<T> {
		if (ms === undefined) return promise;
		promise.catch(() => undefined);
		let timer: ReturnType<typeof setTimeout> | undefined;
		const timeout = new Promise<never>((_, reject) => {
			timer = setTimeout(() => reject(new Error(`Notion did not answer within ${ms} ms`)), ms);
		});
		return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
	}

	// ---- execution ------------------------------------------------------------

	/**
	 * Runs each approved proposal's executor at most once. The ledger claim
	 * comes first and names its holder (`runId@host:pid`). An entry already
	 * `succeeded` or `failed` only finishes the write-back. An open `claimed`
	 * entry held by a live run is reported `in_progress` ("in progress by run
	 * X since …") and left alone; one whose holder is gone (a dead process on
	 * this host, a run of this process that threw, or a claim older than the
	 * lease) and an `unknown` entry (the executor's answer was lost) are
	 * reconciled through the executor's `reconcile` before anything acts:
	 * applied → executed, not applied → run again, cannot tell → `unknown`
	 * (no reconciler: `stuck`, for a person). A failed execution runs again
	 * only when asked (`retryFailed`).
	 */
	async executeApproved(registry: ExecutorRegistry, options: ExecuteOptions = {}): Promise<ApprovalEvent[]> {
		const statuses: ProposalStatus[] = ['approved', 'executing'];
		if (options.retryFailed) statuses.push('failed');
		const runId = (options.runId?.trim() || `run-${randomUUID()}`).slice(0, 200);
		const leaseMs = options.claimLeaseMs ?? this.#leaseMs;
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
			const schema = await this.#loadSchema();
			const events: ApprovalEvent[] = [];
			for (const row of rows) {
				const p = proposalFromRow(row);
				if (p.status === 'failed' && retryIds && !retryIds.has(p.id)) continue;
				const event = await this.#executeOne(p, registry, schema, run);
				if (event) events.push(event);
			}
			return events;
		} finally {
			LIVE_RUNS.delete(runId);
		}
	}

	async #executeOne(p: Proposal, registry: ExecutorRegistry, schema: SchemaInfo, run: RunInfo): Promise<ApprovalEvent | undefined> {
		const key = ledgerKey(p);
		if (!payloadIntact(p)) {
			const message = `"${p.title}" was approved, but its stored payload no longer matches the approved payload hash; it is rejected and nothing executed.`;
			// a new decision (the system's rejection, at this time): the trigger emits it as a refusal, apart from the approval it emitted before
			const at = this.#now().toISOString();
			if (!(await this.#countRefusal(p.id, { status: p.status }, { status: 'rejected', flag: 'payload_tampered', flagged_at: at, decided_at: at, error: message }))) return undefined;
			const cardError = p.notionPageId ? await this.#setCard(p.notionPageId, schema, 'Rejected') : undefined;
			return this.#event('refused', { ...p, status: 'rejected' }, message, { reason: 'payload_tampered', flagged: true, idempotencyKey: key, cardError });
		}
		const executor = registry.get(p.kind);
		if (!executor) {
			return this.#event('skipped', p, `No executor is registered for kind "${p.kind}"; "${p.title}" stays ${p.status} until one is.`, { idempotencyKey: key });
		}
		const claim = await this.store.claimAction(key, {
			kind: `approval.${p.kind}`,
			target: p.id,
			intent: { proposalId: p.id, kind: p.kind, payloadHash: p.payloadHash },
			retryFailed: p.status === 'failed',
			claimedBy: run.claimedBy,
		});
		if (!claim.claimed) return this.#fromLedger(p, claim.entry, schema, executor, run);
		return this.#run(p, executor, claim.entry.attempts, schema, run, true);
	}

	/** Runs the executor under a claim this run holds, and records its outcome. */
	async #run(p: Proposal, executor: Executor, attempts: number, schema: SchemaInfo, run: RunInfo, mayRerun: boolean): Promise<ApprovalEvent | undefined> {
		const key = ledgerKey(p);
		await this.store.update('approvals', { proposal_id: p.id }, { status: 'executing', error: null });
		if (p.notionPageId && schema.status.options.has('Executing')) await this.#setCard(p.notionPageId, schema, 'Executing');
		let result: Json;
		try {
			result = ((await executor(p.payload, { proposal: Object.freeze({ ...p }), idempotencyKey: key, attempt: attempts })) ?? null) as Json;
		} catch (error) {
			const message = errorMessage(error);
			if (executionOutcome(error) === 'unknown') {
				const entry = await this.store.completeAction(key, { status: 'unknown', error: message });
				await this.store.update('approvals', { proposal_id: p.id }, { status: 'executing', error: message });
				return this.#settle({ ...p, status: 'executing', error: message }, executor, entry, schema, run, mayRerun);
			}
			await this.store.completeAction(key, { status: 'failed', error: message });
			await this.store.update('approvals', { proposal_id: p.id }, { status: 'failed', error: message });
			const cardError = p.notionPageId ? await this.#setCard(p.notionPageId, schema, 'Failed', undefined, undefined, resultText({ error: `attempt ${attempts}: ${message}` })) : undefined;
			return this.#event('failed', { ...p, status: 'failed' }, `"${p.title}" failed (attempt ${attempts}): ${message}. It was not applied; nothing else is retried automatically; retry it explicitly.`, {
				error: message,
				attempts,
				idempotencyKey: key,
				cardError,
			});
		}
		failpoint('approval.after-executor');
		await this.store.completeAction(key, { status: 'succeeded', response: result });
		return this.#writeExecuted(p, result, attempts, key, schema, true);
	}

	async #writeExecuted(p: Proposal, result: Json, attempts: number, key: string, schema: SchemaInfo, executedNow: boolean, how?: string): Promise<ApprovalEvent | undefined> {
		const updated = await this.store.update('approvals', { proposal_id: p.id, status: { in: ['approved', 'executing', 'failed'] } }, { status: 'executed', result, error: null });
		if (updated.updated === 0 && !executedNow) return undefined; // another run wrote it back (and reported it)
		if (updated.updated === 0) await this.store.update('approvals', { proposal_id: p.id }, { status: 'executed', result, error: null });
		const cardError = p.notionPageId ? await this.#setCard(p.notionPageId, schema, 'Executed', undefined, undefined, resultText({ result })) : undefined;
		const message = executedNow
			? `"${p.title}" executed${attempts > 1 ? ` on attempt ${attempts}` : ''}.`
			: how
				? `"${p.title}" had been applied (checked: ${how}); recorded as executed without running it again.`
				: `"${p.title}" had already executed (the ledger says so); its result was written back without running it again.`;
		const decidedBy = await this.storedDecider(p.decidedBy);
		return this.#event('executed', { ...p, status: 'executed' }, message, { result, attempts, idempotencyKey: key, executedNow, cardError, decidedBy, ...(how ? { resolution: how } : {}) });
	}

	/** Whether the run named in a claim is still going: `live`, or `gone` (its process died, its run ended, or the lease ran out). */
	#holder(entry: ActionLedgerEntry, leaseMs: number): { state: 'live' | 'gone'; who: string; since: string; why?: string } {
		const since = entry.updated_at ?? entry.created_at;
		const ageMs = this.#now().getTime() - Date.parse(since);
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

	async #fromLedger(p: Proposal, entry: ActionLedgerEntry, schema: SchemaInfo, executor: Executor | undefined, run: RunInfo): Promise<ApprovalEvent | undefined> {
		const key = entry.idempotency_key;
		if (entry.status === 'succeeded' || entry.status === 'failed') {
			// a live run that just completed the ledger writes the proposal back itself
			if (entry.claimed_by && entry.claimed_by !== run.claimedBy && this.#holder(entry, run.leaseMs).state === 'live') return undefined;
		}
		if (entry.status === 'succeeded') return this.#writeExecuted(p, entry.response, entry.attempts, key, schema, false, entry.resolution ?? undefined);
		if (entry.status === 'failed') {
			if (p.status === 'failed') return undefined; // reported when it failed
			const error = entry.error ?? 'failed';
			const updated = await this.store.update('approvals', { proposal_id: p.id, status: { in: ['approved', 'executing'] } }, { status: 'failed', error });
			if (updated.updated === 0) return undefined;
			const cardError = p.notionPageId ? await this.#setCard(p.notionPageId, schema, 'Failed', undefined, undefined, resultText({ error })) : undefined;
			return this.#event('failed', { ...p, status: 'failed' }, `"${p.title}" had failed (attempt ${entry.attempts}): ${error}. It was not applied; retry it explicitly.`, { error, attempts: entry.attempts, idempotencyKey: key, cardError });
		}
		if (entry.status === 'claimed') {
			const holder = this.#holder(entry, run.leaseMs);
			if (holder.state === 'live') {
				return this.#event('in_progress', p, `"${p.title}" is in progress by run ${holder.who} since ${holder.since}; this run leaves it to that run.`, {
					idempotencyKey: key,
					attempts: entry.attempts,
					claimedBy: holder.who,
					since: holder.since,
				});
			}
			if (!executor?.reconcile) {
				return this.#event(
					'stuck',
					p,
					`"${p.title}" was claimed for execution by ${holder.who} at ${holder.since} and never recorded an outcome (${holder.why}): the change may or may not have been applied. It is not run again automatically, and this executor cannot check the receiver; check it, then resolve it (Resolve Stuck).`,
					{ idempotencyKey: key, attempts: entry.attempts, claimedBy: holder.who, since: holder.since },
				);
			}
		}
		return this.#settle(p, executor, entry, schema, run, true);
	}

	/**
	 * Settles an `unknown` entry, or a `claimed` one whose holder is gone, by
	 * the executor's reconciler: applied → executed; not applied → failed in
	 * the ledger and, when `mayRerun`, run again once by this run; cannot tell
	 * → the proposal stays `executing` and counts as possibly applied.
	 */
	async #settle(p: Proposal, executor: Executor | undefined, entry: ActionLedgerEntry, schema: SchemaInfo, run: RunInfo, mayRerun: boolean): Promise<ApprovalEvent | undefined> {
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
			if (!done.resolved) return this.#fromLedger(p, done.entry, schema, executor, run);
			return this.#writeExecuted(p, done.entry.response, done.entry.attempts, key, schema, false, check.how);
		}
		if (check.state === 'not_applied') {
			const done = await this.store.resolveAction(key, { from, status: 'failed', resolution: check.how, ...(from === 'claimed' ? { attempts: entry.attempts } : {}) });
			if (!done.resolved) return this.#fromLedger(p, done.entry, schema, executor, run);
			if (mayRerun && executor) {
				const again = await this.store.claimAction(key, { kind: `approval.${p.kind}`, target: p.id, intent: { proposalId: p.id, kind: p.kind, payloadHash: p.payloadHash }, retryFailed: true, claimedBy: run.claimedBy });
				if (!again.claimed) return this.#fromLedger(p, again.entry, schema, executor, run);
				return this.#run(p, executor, again.entry.attempts, schema, run, false);
			}
			const error = `${cause}; checked: ${check.how}, so it was not applied`;
			await this.store.update('approvals', { proposal_id: p.id }, { status: 'failed', error });
			const cardError = p.notionPageId ? await this.#setCard(p.notionPageId, schema, 'Failed', undefined, undefined, resultText({ error })) : undefined;
			return this.#event('failed', { ...p, status: 'failed' }, `"${p.title}" was not applied (${error}).`, { error, attempts: entry.attempts, idempotencyKey: key, cardError, resolution: check.how });
		}
		// cannot tell: possibly applied, never re-sent
		const text = /outcome is unknown/.test(cause) ? `"${p.title}": ${cause}` : unknownOutcomeText(`"${p.title}"`, cause);
		if (p.status !== 'executing' || p.error !== cause) await this.store.update('approvals', { proposal_id: p.id }, { status: 'executing', error: cause });
		const cardError = p.notionPageId ? await this.#setCard(p.notionPageId, schema, schema.status.options.has('Executing') ? 'Executing' : undefined, undefined, undefined, `Outcome unknown, being checked: ${cause}`) : undefined;
		if (!executor?.reconcile) {
			return this.#event('stuck', { ...p, status: 'executing' }, `${text}. It was never recorded as done or failed and this executor cannot check the receiver: check it, then resolve it (Resolve Stuck).`, {
				idempotencyKey: key,
				attempts: entry.attempts,
				error: cause,
				cardError,
			});
		}
		return this.#event('unknown', { ...p, status: 'executing' }, `${text} (last check: ${check.how}).`, { idempotencyKey: key, attempts: entry.attempts, error: cause, cardError });
	}

	/**
	 * Records the outcome of a `stuck` (or `unknown`) proposal after a person
	 * checked the platform: `succeeded` marks it executed, `failed` marks it
	 * failed (then retryable). Never runs the executor.
	 */
	async resolveStuck(proposalId: string, outcome: { status: 'succeeded'; result?: Json } | { status: 'failed'; error: string }): Promise<ApprovalEvent> {
		const row = await this.#row(proposalId);
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
				const schema = await this.#loadSchema();
				const cardError = p.notionPageId ? await this.#setCard(p.notionPageId, schema, 'Failed', undefined, undefined, resultText({ error })) : undefined;
				return this.#event('failed', { ...p, status: 'failed' }, `"${p.title}" was recorded as not applied: ${error}. Retry it explicitly.`, { error, attempts: entry.attempts, idempotencyKey: key, cardError });
			}
		}
		if (entry.status !== 'succeeded') throw new ApprovalError(`Proposal ${proposalId} was already recorded as ${entry.status}`, proposalId);
		const event = await this.#writeExecuted(p, entry.response, entry.attempts, key, await this.#loadSchema(), false, entry.resolution ?? undefined);
		if (!event) throw new ApprovalError(`Proposal ${proposalId} was already recorded as executed`, proposalId);
		return event;
	}

	// ---- expiry ---------------------------------------------------------------

	/**
	 * Pending proposals past their expiry become Expired in the store and on
	 * the card. A card already decided in Notion is applied first (an approval
	 * made before the expiry still counts; one made after is refused).
	 */
	async expire(now: Date = this.#now()): Promise<ApprovalEvent[]> {
		const rows = await this.store.select('approvals', { where: { status: 'pending', expires_at: { lt: now.toISOString() } }, order: { column: 'expires_at' } });
		const schema = await this.#loadSchema();
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
						const current = await this.#row(p.id);
						if (!current || current.status !== 'pending') continue;
						p = proposalFromRow(current);
						const event = await this.#applyCard(p, card, status, schema);
						if (event && event !== 'repaired') events.push(event);
						const after = await this.#row(p.id);
						if (!after || after.status !== 'pending') continue;
						p = proposalFromRow(after);
					}
				}
			}
			const updated = await this.store.update('approvals', { proposal_id: p.id, status: 'pending' }, { status: 'expired', decided_at: now.toISOString() });
			if (updated.updated === 0) continue;
			const cardError = p.notionPageId ? await this.#setCard(p.notionPageId, schema, 'Expired') : undefined;
			events.push(this.#event('expired', { ...p, status: 'expired' }, `"${p.title}" expired at ${p.expiresAt} without a decision; it will not execute.`, { cardError }));
		}
		return events;
	}

	// ---- Notion helpers -------------------------------------------------------

	#loadSchema(): Promise<SchemaInfo> {
		this.#schema ??= loadApprovalSchema(this.notion, this.dataSourceId);
		this.#schema.catch(() => (this.#schema = undefined));
		return this.#schema;
	}

	/**
	 * Sets a card's Status and/or Decided by; returns an error message instead
	 * of throwing (the store already holds the truth and the next sync repairs
	 * the card).
	 */
	async #setCard(pageId: string, schema: SchemaInfo, status: CardStatus | undefined, decidedBy?: string | null, page?: CardPage, result?: string): Promise<string | undefined> {
		const properties: Record<string, unknown> = {};
		if (status) properties[PROPS.status] = statusValue(schema.status, status);
		if (result !== undefined && schema.hasResult) properties[PROPS.result] = { rich_text: richText(result) };
		if (decidedBy === null) properties[PROPS.decidedBy] = { people: [] };
		else if (decidedBy !== undefined) {
			const current = page ? readPeople(page, PROPS.decidedBy).map(compactId) : [];
			if (!(current.length === 1 && current[0] === compactId(decidedBy))) properties[PROPS.decidedBy] = { people: [{ id: decidedBy }] };
		}
		if (Object.keys(properties).length === 0) return undefined;
		try {
			await this.notion.pages.update({ page_id: pageId, properties: properties as never });
			return undefined;
		} catch (error) {
			return `Notion card ${pageId} not updated: ${errorMessage(error)}`;
		}
	}

	#event(type: ApprovalEvent['type'], p: Proposal, message: string, extra: Partial<ApprovalEvent> = {}): ApprovalEvent {
		const event: ApprovalEvent = {
			type,
			proposalId: p.id,
			kind: p.kind,
			status: p.status,
			message,
			at: this.#now().toISOString(),
			title: p.title,
			...(p.notionPageId ? { pageId: p.notionPageId } : {}),
		};
		for (const [k, v] of Object.entries(extra)) if (v !== undefined) (event as unknown as Record<string, unknown>)[k] = v;
		if (event.decidedBy) event.decidedBy = this.#publicDecider(event.decidedBy);
		return event;
	}
}

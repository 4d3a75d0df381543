/**
 * Options, results and small helpers shared by the parts of the approval queue
 * (notion-cards.ts, proposal-store.ts, slack-decisions.ts, queue.ts).
 */
import { hostname } from 'node:os';
import { Client, type RetryOptions } from '@notionhq/client';
import type { Store } from '../store/types';
import { type StatusProperty } from './card';
import type { ApprovalEvent, Decider } from './events';

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

export interface RunInfo {
	runId: string;
	leaseMs: number;
	/** `runId@host:pid`, as recorded in the ledger's claimed_by. */
	claimedBy: string;
}

export const HOST = hostname();
/** Runs of executeApproved going on in this process. */
export const LIVE_RUNS = new Set<string>();
/** Default claim lease. */
export const DEFAULT_CLAIM_LEASE_MS = 10 * 60_000;

export function pidAlive(pid: number): boolean {
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

export interface SchemaInfo {
	titleProperty: string;
	status: StatusProperty;
	/** The optional Result property exists (rich text). */
	hasResult: boolean;
}

export interface UserInfo {
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

export const SLACK_USER_ID = /^[UW][A-Z0-9]{2,30}$/;
export const MINUTE_MS = 60_000;
export const DEFAULT_OVERLAP_MS = 5 * MINUTE_MS;

export function compactId(id: string): string {
	return id.replace(/-/g, '').toLowerCase();
}

export function errorMessage(error: unknown): string {
	return error instanceof Error ? error.message : String(error);
}

export function describeDecider(d: Decider | undefined): string {
	if (!d) return 'an unidentified editor';
	if (d.source === 'slack') return d.name ? `@${d.name} (Slack ${d.id})` : `Slack user ${d.id}`;
	return d.name ? `${d.name}${d.email ? ` <${d.email}>` : ''}` : `Notion user ${d.id}`;
}

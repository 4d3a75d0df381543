/**
 * The Notion side of the approval queue: the client, the approval database's
 * schema, cards (find, write, repair) and the people behind them (who edited
 * a card, Notion users by email, the Slack users mapped to them), plus the
 * state every part shares. The proposal state machine (proposal-store.ts),
 * Slack decisions (slack-decisions.ts) and execution (queue.ts) build on it.
 */
import { createHash } from 'node:crypto';
import { Client, isFullPage, LogLevel } from '@notionhq/client';
import type { RateLimiter } from '../resilience/rate-limiter';
import type { Approval } from '../schema/rows';
import type { Store } from '../store/types';
import { PROPS, readPeople, readText, richText, statusValue, type CardPage, type CardStatus } from './card';
import { deciderFromStored } from './alerting';
import type { ApprovalEvent, Decider } from './events';
import { proposalFromRow, type Proposal } from './proposal';
import { ApprovalError, DEFAULT_CLAIM_LEASE_MS, DEFAULT_OVERLAP_MS, MINUTE_MS, SLACK_USER_ID, compactId, errorMessage, type ApprovalQueueOptions, type NotionQueueConfig, type SchemaInfo, type UserInfo } from './queue-types';

type NotionFetch = NonNullable<NonNullable<ConstructorParameters<typeof Client>[0]>['fetch']>;

/** The limits key of an integration's requests: Notion's about three a second hold per integration (token). */
export function notionLimitsKey(token: string | undefined): string {
	return `notion:${createHash('sha256').update(token ?? '', 'utf8').digest('hex').slice(0, 16)}`;
}

/**
 * The Notion client the queue uses: API version 2025-09-03, 429/529 retried
 * by the client itself honouring Retry-After. With `limits` (the AdOps Store
 * credential's Shared Limits), every request, reads and writes and the
 * client's own retries, first takes one call of the integration's budget
 * (DEFAULT_QUOTAS 'notion': about three a second), in this process or across
 * every process sharing the limits.
 */
export function notionClient(config: Omit<NotionQueueConfig, 'dataSourceId'>, options: { limits?: RateLimiter } = {}): Client {
	if (config.client) return config.client;
	const limits = options.limits;
	const key = notionLimitsKey(config.token);
	return new Client({
		auth: config.token,
		baseUrl: config.baseUrl,
		notionVersion: '2025-09-03',
		logLevel: LogLevel.ERROR,
		timeoutMs: config.timeoutMs,
		retry: config.retry ?? { maxRetries: 5, initialRetryDelayMs: 1000, maxRetryDelayMs: 60_000 },
		...(limits
			? {
					fetch: (async (url, init) => {
						await limits.acquire(key, 1, (init as { signal?: AbortSignal } | undefined)?.signal);
						return (fetch as unknown as NotionFetch)(url, init);
					}) satisfies NotionFetch,
				}
			: {}),
	});
}

/** A Notion write's error: `failed` when Notion refused it (4xx answer, 429, a connection never made), else `unknown` (5xx, timeout, unreadable answer). */
export function notionWriteOutcome(error: unknown): 'failed' | 'unknown' {
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

/** Shared state and the Notion card adapter. */
export class NotionCards {
	readonly store: Store;
	readonly dataSourceId: string;
	readonly notion: Client;
	protected readonly _approvers: { ids: Set<string>; emails: Set<string>; slack: Set<string> } | undefined;
	protected readonly _slackUsers: ReadonlyMap<string, string>;
	protected _notionByEmail: Promise<Map<string, string>> | undefined;
	protected readonly _now: () => Date;
	protected readonly _overlapMs: number;
	protected readonly _cursorKey: string;
	protected readonly _leaseMs: number;
	protected _schema: Promise<SchemaInfo> | undefined;
	protected _botId: Promise<string | undefined> | undefined;
	protected readonly _users = new Map<string, Promise<UserInfo>>();

	constructor(options: ApprovalQueueOptions) {
		this.store = options.store;
		this.dataSourceId = options.notion.dataSourceId;
		if (!this.dataSourceId) throw new ApprovalError('The approval data source id is required');
		this.notion = notionClient(options.notion);
		const approvers = (options.approvers ?? []).map((a) => a.trim()).filter(Boolean);
		const slackId = (a: string) => a.replace(/^slack:/, '');
		const isSlack = (a: string) => SLACK_USER_ID.test(slackId(a));
		this._approvers = approvers.length
			? {
					ids: new Set(approvers.filter((a) => !a.includes('@') && !isSlack(a)).map((a) => compactId(a.replace(/^notion:/, '')))),
					emails: new Set(approvers.filter((a) => a.includes('@')).map((a) => a.toLowerCase())),
					slack: new Set(approvers.filter(isSlack).map(slackId)),
				}
			: undefined;
		this._slackUsers = new Map(
			Object.entries(options.slackUsers ?? {})
				.map(([k, v]) => [k.trim(), String(v).trim()] as const)
				.filter(([k, v]) => {
					if (!SLACK_USER_ID.test(k)) throw new ApprovalError(`slackUsers: "${k}" is not a Slack user id (U… or W…)`);
					return v.length > 0;
				}),
		);
		this._now = options.now ?? (() => new Date());
		this._overlapMs = options.cursorOverlapMs ?? DEFAULT_OVERLAP_MS;
		if (!(this._overlapMs >= MINUTE_MS)) throw new ApprovalError('cursorOverlapMs must be at least one minute (Notion rounds last_edited_time to the minute)');
		this._cursorKey = options.cursorKey ?? `approvals.sync.${compactId(this.dataSourceId)}`;
		this._leaseMs = options.claimLeaseMs ?? DEFAULT_CLAIM_LEASE_MS;
		if (!(this._leaseMs > 0)) throw new ApprovalError('claimLeaseMs must be positive');
	}

	// ---- reading ------------------------------------------------------------

	async get(proposalId: string): Promise<Proposal | undefined> {
		const row = await this._row(proposalId);
		return row ? proposalFromRow(row) : undefined;
	}

	protected async _row(proposalId: string): Promise<Approval | undefined> {
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
	protected async _findCards(proposalId: string): Promise<CardPage[]> {
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
	protected _publicDecider(d: (Decider & { type?: string }) | undefined): Decider | undefined {
		if (!d) return undefined;
		const { type: _type, ...rest } = d;
		return rest;
	}

	protected _onAllowList(d: Decider & { email?: string }): boolean {
		if (!this._approvers) return true;
		return this._approvers.ids.has(compactId(d.id)) || (!!d.email && this._approvers.emails.has(d.email.toLowerCase()));
	}

	/**
	 * Who decided: the card's `last_edited_by` (set by Notion, not forgeable
	 * through the card), or — when the last edit was this integration's own —
	 * the single person in Decided by.
	 */
	protected async _decider(page: CardPage): Promise<(Decider & { type?: string }) | undefined> {
		const botId = await this._bot();
		const editor = page.last_edited_by?.id;
		let id: string | undefined;
		if (editor && (!botId || compactId(editor) !== compactId(botId))) id = editor;
		else {
			const people = readPeople(page, PROPS.decidedBy);
			if (people.length === 1) id = people[0];
		}
		if (!id) return undefined;
		const info = await this._user(id);
		return { source: 'notion', id, ...(info.name ? { name: info.name } : {}), ...(info.email ? { email: info.email } : {}), ...(info.type ? { type: info.type } : {}) };
	}

	protected _bot(): Promise<string | undefined> {
		this._botId ??= this.notion.users.me({}).then(
			(me) => me.id,
			() => undefined,
		);
		return this._botId;
	}

	protected _user(id: string): Promise<UserInfo> {
		let info = this._users.get(id);
		if (!info) {
			info = this.notion.users.retrieve({ user_id: id }).then(
				(u) => {
					const full = u as { type?: string; name?: string | null; person?: { email?: string } };
					return { id, type: full.type, name: full.name ?? undefined, email: full.person?.email };
				},
				// Without the user-information capability Notion refuses; the id still identifies the person.
				() => ({ id }),
			);
			this._users.set(id, info);
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
	async storedDecider(decidedBy: string | null | undefined, budget?: number): Promise<Decider | undefined> {
		const stored = deciderFromStored(decidedBy);
		if (!stored) return undefined;
		const lookup = async (notionId: string): Promise<UserInfo | undefined> => {
			try {
				return await this._within(this._user(notionId), budget);
			} catch {
				return undefined; // the id still identifies the person
			}
		};
		if (stored.source === 'notion') {
			const info = await lookup(stored.id);
			return { ...stored, ...(info?.name ? { name: info.name } : {}), ...(info?.email ? { email: info.email } : {}) };
		}
		const mapped = this._slackUsers.get(stored.id);
		if (!mapped) return stored;
		const email = mapped.includes('@') ? mapped : (await lookup(mapped))?.email;
		return email ? { ...stored, email } : stored;
	}

	protected async _describeStoredDecider(decidedBy: string, budget: number | undefined): Promise<string> {
		if (decidedBy.startsWith('slack:')) return `Slack user ${decidedBy.slice(6)}`;
		if (decidedBy.startsWith('notion:')) {
			const id = decidedBy.slice(7);
			const info = await this._within(this._user(id), budget).catch(() => undefined);
			return info?.name ? `${info.name} (Notion)` : `Notion user ${id}`;
		}
		return decidedBy;
	}

	/**
	 * Sets the card to a Slack decision's outcome (with Decided by when the
	 * decider is given); returns an error message instead of throwing.
	 */
	protected async _writeDecisionCard(p: Proposal, schema: SchemaInfo | undefined, status: CardStatus, decider: Decider | undefined, budget: number | undefined): Promise<string | undefined> {
		if (!p.notionPageId) return `No Notion card is recorded for "${p.title}"; the decision is in the store only.`;
		if (!schema) return `Notion did not answer in time; the card of "${p.title}" was not updated (the decision is recorded in the store).`;
		const pageId = p.notionPageId;
		try {
			return await this._within(
				(async () => {
					const notionId = decider ? await this._notionIdForSlack(decider.id).catch(() => undefined) : undefined;
					return this._setCard(pageId, schema, status, decider ? (notionId ?? null) : undefined);
				})(),
				budget,
			);
		} catch (error) {
			return `Notion card ${pageId} not updated: ${errorMessage(error)}`;
		}
	}

	protected async _slackApproverAllowed(slackUserId: string, budget: number | undefined): Promise<boolean> {
		const list = this._approvers;
		if (!list) return true;
		if (list.slack.has(slackUserId)) return true;
		const mapped = this._slackUsers.get(slackUserId);
		if (!mapped) return false;
		if (mapped.includes('@')) {
			if (list.emails.has(mapped.toLowerCase())) return true;
			const id = await this._within(this._notionIdByEmail(mapped), budget).catch(() => undefined);
			return !!id && list.ids.has(compactId(id));
		}
		if (list.ids.has(compactId(mapped))) return true;
		const info = await this._within(this._user(mapped), budget).catch(() => undefined);
		return !!info?.email && list.emails.has(info.email.toLowerCase());
	}

	/** The Notion user a Slack user is mapped to (`slackUsers`), if any. */
	protected async _notionIdForSlack(slackUserId: string): Promise<string | undefined> {
		const mapped = this._slackUsers.get(slackUserId);
		if (!mapped) return undefined;
		return mapped.includes('@') ? this._notionIdByEmail(mapped) : mapped;
	}

	protected async _notionIdByEmail(email: string): Promise<string | undefined> {
		this._notionByEmail ??= (async () => {
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
		this._notionByEmail.catch(() => (this._notionByEmail = undefined));
		return (await this._notionByEmail).get(email.toLowerCase());
	}

	/** `promise`, or a rejection after `ms` (the work goes on; its outcome is then ignored). */
	protected _within<T>(promise: Promise<T>, ms: number | undefined): Promise<T> {
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
	protected _loadSchema(): Promise<SchemaInfo> {
		this._schema ??= loadApprovalSchema(this.notion, this.dataSourceId);
		this._schema.catch(() => (this._schema = undefined));
		return this._schema;
	}

	/**
	 * Sets a card's Status and/or Decided by; returns an error message instead
	 * of throwing (the store already holds the truth and the next sync repairs
	 * the card).
	 */
	protected async _setCard(pageId: string, schema: SchemaInfo, status: CardStatus | undefined, decidedBy?: string | null, page?: CardPage, result?: string): Promise<string | undefined> {
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

	protected _event(type: ApprovalEvent['type'], p: Proposal, message: string, extra: Partial<ApprovalEvent> = {}): ApprovalEvent {
		const event: ApprovalEvent = {
			type,
			proposalId: p.id,
			kind: p.kind,
			status: p.status,
			message,
			at: this._now().toISOString(),
			title: p.title,
			...(p.notionPageId ? { pageId: p.notionPageId } : {}),
		};
		for (const [k, v] of Object.entries(extra)) if (v !== undefined) (event as unknown as Record<string, unknown>)[k] = v;
		if (event.decidedBy) event.decidedBy = this._publicDecider(event.decidedBy);
		return event;
	}
}


// Slack alerts for the life of a proposal: awaiting approval (with Approve and
// Reject buttons), decided, executed, refused, expired, failed. All alerts of
// one proposal share a thread (`proposalThreadKey`). Anything that came from
// data (titles, evidence, errors, approver names) goes where the renderer
// escapes it and turns off Slack's automatic linking: fields, items and the
// plain-text header, never the mrkdwn message.
import { utcMinute } from '../text/dates';
import { truncateVisibly } from '../text/graphemes';
import { APPROVE_ACTION_ID, REJECT_ACTION_ID, encodeApprovalValue } from './interaction';
import { escapeMrkdwn, type Alert } from './message';
import { keyWords, readableValue } from './readable';

/** The facts about a proposal that its alerts show. */
export interface ProposalAlertInput {
	proposalId: string;
	/** What kind of change: creative, optimization, moderation, or an executor's own kind. */
	kind: string;
	/** One line saying what would happen, e.g. "Raise daily budget of Spring Sale by 20%". */
	title: string;
	/** The hash of the exact payload that an approval executes. */
	payloadHash: string;
	platform?: string;
	account?: string;
	entity?: string;
	proposedChange?: string;
	impact?: string;
	/** Why: metric snapshot, rule, gate results. An object (key → value) or label/value pairs. */
	evidence?: Record<string, unknown> | ReadonlyArray<{ label: string; value: unknown }>;
	requestedAt?: string;
	expiresAt?: string;
	/** The proposal's card in the Notion approval queue. */
	notionUrl?: string;
	dryRun?: boolean;
}

export const PROPOSAL_REFUSAL_TEXT = {
	hash_mismatch: 'the proposed change was edited after it was queued (payload hash mismatch), so the approval does not cover it',
	edited_after_queue: 'the card was edited after it was queued, so the approval does not cover what it now says',
	approver_not_allowed: 'the person who decided is not on the approver allow-list',
	unknown_approver: 'the decision came from no identifiable person (or from another integration)',
	payload_tampered: 'the stored payload no longer matches its hash',
	not_the_queued_card: 'the approved card is not the card that was queued for this proposal',
	approved_after_expiry: 'it was approved after the proposal had expired',
	already_decided: 'the proposal had already been rejected or had expired',
	expired: 'the proposal expired before it was approved',
	rejected: 'the proposal was rejected',
} as const;
export type ProposalRefusalReason = keyof typeof PROPOSAL_REFUSAL_TEXT;

/** Refusals that point at tampering or an unauthorised approver: shown as failures, not as information. */
const SERIOUS_REFUSALS: ReadonlySet<string> = new Set(['hash_mismatch', 'edited_after_queue', 'approver_not_allowed', 'unknown_approver', 'payload_tampered', 'not_the_queued_card']);

/**
 * Who decided, as the approval loop knows them: the platform's user id, and
 * the person's name and email when known (Notion users are looked up; a
 * Slack `name` is the user's handle).
 */
export interface ProposalDecider {
	source?: 'notion' | 'slack';
	id: string;
	name?: string;
	email?: string;
}

/** A decider as alerts show it: given as text, it is shown as is. */
export type DeciderShown = string | ProposalDecider;

export type ProposalAlertEvent =
	| { type: 'awaiting'; proposal: ProposalAlertInput }
	| { type: 'decided'; proposal: ProposalAlertInput; decision: 'approve' | 'reject'; decidedBy: DeciderShown; via: 'slack' | 'notion' }
	| { type: 'executed'; proposal: ProposalAlertInput; result?: unknown; decidedBy?: DeciderShown }
	/** `reason` is one of PROPOSAL_REFUSAL_TEXT's keys, or another code that is shown as is. */
	| { type: 'refused'; proposal: ProposalAlertInput; reason: ProposalRefusalReason | (string & {}); detail?: string; decidedBy?: DeciderShown }
	| { type: 'expired'; proposal: ProposalAlertInput }
	| { type: 'failed'; proposal: ProposalAlertInput; error: string; attempt?: number; willRetry?: boolean }
	/** Execution was claimed but no outcome was recorded (a crash, or a run still going): a person must check the platform. */
	| { type: 'stuck'; proposal: ProposalAlertInput; detail: string; since?: string }
	/** The executor's answer was lost or late: possibly applied, being checked against the receiver; never re-sent blindly. */
	| { type: 'unknown'; proposal: ProposalAlertInput; detail: string };

export type ProposalAlertType = ProposalAlertEvent['type'];
export const PROPOSAL_ALERT_TYPES: readonly ProposalAlertType[] = ['awaiting', 'decided', 'executed', 'refused', 'expired', 'failed', 'stuck', 'unknown'];

/** Longest shown evidence or result value; longer ones are cut visibly. */
export const EVIDENCE_VALUE_MAX = 500;
/** Longest shown error text. */
export const ERROR_TEXT_MAX = 1500;

/** The thread every alert about one proposal is posted in. */
export function proposalThreadKey(proposalId: string): string {
	const id = proposalId.trim();
	if (!id) throw new Error('A proposal thread key needs a proposal id');
	return `proposal:${id}`;
}

/**
 * The idempotency key of a proposal alert: one message per proposal and
 * step (a decision per decision, a failure per attempt), so a rerun or a lost
 * answer never posts the same step twice.
 */
export function proposalAlertKey(event: ProposalAlertEvent): string {
	const id = proposalThreadKey(event.proposal.proposalId);
	const hash = event.proposal.payloadHash.slice(0, 12);
	switch (event.type) {
		case 'decided':
			return `${id}:${hash}:decided:${event.decision}`;
		case 'refused':
			return `${id}:${hash}:refused:${event.reason}`;
		case 'failed':
			return `${id}:${hash}:failed:${event.attempt ?? 0}`;
		default:
			return `${id}:${hash}:${event.type}`;
	}
}


/**
 * How a decider is shown: the person's name with their email when known
 * (`Maya Lopez <maya@example.com>`), a Slack handle as `@maya (Slack)`, else
 * the platform id (`Notion user 1a2b…`, `Slack user U0…`). Text is shown as is.
 */
export function deciderText(d: DeciderShown | null | undefined): string | undefined {
	if (d === null || d === undefined) return undefined;
	if (typeof d === 'string') return d.trim() ? d : undefined;
	if (typeof d !== 'object') return undefined;
	const text = (v: unknown) => (typeof v === 'string' && v.trim() ? v.trim() : undefined);
	const [id, name, email] = [text(d.id), text(d.name), text(d.email)];
	const mail = email ? `<${email}>` : undefined;
	if (d.source === 'slack') {
		const who = name ? `@${name.replace(/^@/, '')}` : email;
		if (!who) return id ? `Slack user ${id}` : undefined;
		return name && mail ? `${who} ${mail} (Slack)` : `${who} (Slack)`;
	}
	if (name) return mail ? `${name} ${mail}` : name;
	if (email) return email;
	if (!id) return undefined;
	return d.source === 'notion' ? `Notion user ${id}` : id;
}

function cut(text: string, max: number): string {
	return truncateVisibly(text, max).text;
}

/** Evidence or a result as `label: value` lines, each value cut visibly. */
function lines(data: unknown): string[] {
	if (data === undefined || data === null) return [];
	const pairs: Array<[string, unknown]> = Array.isArray(data)
		? data.map((d: unknown, i) => {
				const o = d as { label?: unknown; value?: unknown } | null;
				return o && typeof o === 'object' && 'label' in o ? [readableValue(o.label), o.value] : [String(i + 1), d];
			})
		: typeof data === 'object'
			? Object.entries(data as Record<string, unknown>).map(([k, v]): [string, unknown] => [keyWords(k), v])
			: [['value', data]];
	return pairs.map(([label, value]) => `${cut(label, 100)}: ${cut(readableValue(value), EVIDENCE_VALUE_MAX)}`);
}

function formatTime(iso: string | undefined, now: Date): string | undefined {
	if (!iso) return undefined;
	const t = new Date(iso);
	if (Number.isNaN(t.getTime())) return iso;
	const shown = utcMinute(t);
	const minutes = Math.round((t.getTime() - now.getTime()) / 60_000);
	const span = (m: number) => (m >= 48 * 60 ? `${Math.round(m / 1440)} d` : m >= 90 ? `${Math.round(m / 60)} h` : `${m} min`);
	if (minutes > 0) return `${shown} (in ${span(minutes)})`;
	if (minutes < 0) return `${shown} (${span(-minutes)} ago)`;
	return `${shown} (now)`;
}

/** The proposal's own facts (each cut to EVIDENCE_VALUE_MAX), then `extra` as given; empty ones are left out. */
function facts(p: ProposalAlertInput, extra: Array<{ label: string; value: string | undefined }> = []): Array<{ label: string; value: string }> {
	const own: Array<{ label: string; value: string | undefined }> = [
		{ label: 'Kind', value: p.kind },
		{ label: 'Mode', value: p.dryRun === undefined ? undefined : p.dryRun ? 'Dry run (nothing is changed on the platform)' : 'Live' },
		{ label: 'Platform', value: p.platform },
		{ label: 'Account', value: p.account },
		{ label: 'Entity', value: p.entity },
		{ label: 'Proposed change', value: p.proposedChange },
		{ label: 'Impact', value: p.impact },
	];
	const present = (f: { label: string; value: string | undefined }): f is { label: string; value: string } => typeof f.value === 'string' && f.value.trim().length > 0;
	return [...own.filter(present).map((f) => ({ label: f.label, value: cut(f.value, EVIDENCE_VALUE_MAX) })), ...extra.filter(present).map((f) => ({ label: f.label, value: cut(f.value, ERROR_TEXT_MAX) }))];
}

function footer(p: ProposalAlertInput): string {
	return `Proposal ${escapeMrkdwn(cut(p.proposalId, 200))} · payload ${escapeMrkdwn(p.payloadHash.slice(0, 12))}`;
}

function notionLink(p: ProposalAlertInput): Alert['link'] {
	if (!p.notionUrl) return undefined;
	let url: URL;
	try {
		url = new URL(p.notionUrl);
	} catch {
		throw new Error(`The Notion card link ${JSON.stringify(p.notionUrl.slice(0, 100))} is not a URL`);
	}
	if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error('The Notion card link must be an http(s) URL');
	return { url: p.notionUrl, text: 'Open in Notion' };
}

function base(p: ProposalAlertInput): Pick<Alert, 'title' | 'footer' | 'link'> {
	return { title: p.title, footer: footer(p), link: notionLink(p) };
}

/** Builds the Slack alert for one step of a proposal's life. */
export function proposalAlert(event: ProposalAlertEvent, options: { now?: Date } = {}): Alert {
	const now = options.now ?? new Date();
	const p = event.proposal;
	switch (event.type) {
		case 'awaiting': {
			const value = encodeApprovalValue(p.proposalId, p.payloadHash);
			const expires = formatTime(p.expiresAt, now);
			return {
				kind: 'action',
				label: p.dryRun ? 'Approval needed (dry run)' : 'Approval needed',
				...base(p),
				message: `Nothing happens until someone approves. Approve or reject here or on the Notion card${expires ? `; the proposal expires ${expires}` : ''}.`,
				fields: facts(p, [
					{ label: 'Requested', value: formatTime(p.requestedAt, now) },
					{ label: 'Expires', value: expires },
				]),
				items: lines(p.evidence).map((l) => `Evidence · ${l}`),
				actions: [
					{ text: 'Approve', actionId: APPROVE_ACTION_ID, value, style: 'primary', confirm: 'This executes the proposed change exactly as shown.' },
					{ text: 'Reject', actionId: REJECT_ACTION_ID, value, style: 'danger' },
				],
			};
		}
		case 'decided': {
			const approved = event.decision === 'approve';
			return {
				kind: 'info',
				label: approved ? 'Approved' : 'Rejected',
				...base(p),
				message: approved ? 'The decision was recorded; the change runs with the next execution.' : 'The decision was recorded; the change will not run.',
				fields: facts(p, [
					{ label: 'Decided by', value: deciderText(event.decidedBy) },
					{ label: 'Via', value: event.via === 'slack' ? 'Slack' : 'Notion' },
				]),
			};
		}
		case 'executed':
			return {
				kind: 'action',
				label: p.dryRun ? 'Executed (dry run)' : 'Executed',
				...base(p),
				message: p.dryRun ? 'Dry run: the change was computed and recorded, nothing was changed on the platform.' : 'The approved change was applied once.',
				fields: facts(p, [{ label: 'Approved by', value: deciderText(event.decidedBy) }]),
				items: lines(event.result).map((l) => `Result · ${l}`),
			};
		case 'refused': {
			const known = Object.prototype.hasOwnProperty.call(PROPOSAL_REFUSAL_TEXT, event.reason) ? PROPOSAL_REFUSAL_TEXT[event.reason as ProposalRefusalReason] : undefined;
			const serious = SERIOUS_REFUSALS.has(event.reason);
			return {
				kind: serious ? 'failure' : 'info',
				label: 'Refused',
				...base(p),
				message: 'Nothing was executed.',
				fields: facts(p, [
					{ label: 'Reason', value: known ?? `refused (${event.reason})` },
					{ label: 'Details', value: event.detail ? cut(event.detail, ERROR_TEXT_MAX) : undefined },
					{ label: 'Decided by', value: deciderText(event.decidedBy) },
				]),
			};
		}
		case 'expired':
			return {
				kind: 'info',
				label: 'Expired',
				...base(p),
				message: 'Nobody approved the proposal in time, so it will never execute. A new run may propose it again.',
				fields: facts(p, [{ label: 'Expired', value: formatTime(p.expiresAt, now) }]),
			};
		case 'failed':
			return {
				kind: 'failure',
				label: 'Failed',
				...base(p),
				message: event.willRetry ? 'The approved change failed and will be retried; it is applied at most once.' : 'The approved change failed and was not applied.',
				fields: facts(p, [
					{ label: 'Error', value: cut(event.error || 'unknown error', ERROR_TEXT_MAX) },
					{ label: 'Attempt', value: event.attempt === undefined ? undefined : String(event.attempt) },
				]),
			};
		case 'stuck':
			return {
				kind: 'failure',
				label: 'Outcome unknown',
				...base(p),
				message:
					'Execution started but its outcome was never recorded (a crash between the change and its write-back, or a run still going). It is not run again by itself: check the platform, then record the outcome with AdOps Approval → Resolve Stuck.',
				fields: facts(p, [
					{ label: 'Details', value: cut(event.detail, ERROR_TEXT_MAX) },
					{ label: 'Claimed', value: formatTime(event.since, now) },
				]),
			};
		case 'unknown':
			return {
				kind: 'failure',
				label: 'Outcome unknown',
				...base(p),
				message:
					'Outcome unknown, being checked: the change was sent but its answer was lost or came too late, so it may have been applied. It counts as applied, is not sent again, and is checked against the receiver before anything acts; this thread says how it ended.',
				fields: facts(p, [{ label: 'Details', value: cut(event.detail, ERROR_TEXT_MAX) }]),
			};
	}
}

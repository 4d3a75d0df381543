/**
 * From the approval loop's events to Slack alerts: which event deserves a
 * message, and the proposal facts the message shows. The AdOps Alert node
 * renders what `alertEventFor` returns with `proposalAlert`.
 */
import { deciderText, type ProposalAlertEvent, type ProposalAlertInput } from '../alerts/proposal';
import type { ApprovalEvent, Decider } from './events';
import type { Proposal } from './proposal';

/** The Notion web address of a page id (Notion resolves the bare id on notion.so). */
export function notionPageUrl(pageId: string): string {
	return `https://www.notion.so/${pageId.replace(/-/g, '')}`;
}

/** The facts of a proposal that its alerts show. `notionUrl` defaults to the card's notion.so address. */
export function proposalAlertInput(p: Proposal, options: { notionUrl?: string; dryRun?: boolean } = {}): ProposalAlertInput {
	const notionUrl = options.notionUrl ?? (p.notionPageId ? notionPageUrl(p.notionPageId) : undefined);
	const evidence = p.evidence && typeof p.evidence === 'object' && !Array.isArray(p.evidence) ? (p.evidence as Record<string, unknown>) : p.evidence === null ? undefined : { evidence: p.evidence };
	return {
		proposalId: p.id,
		kind: p.kind,
		title: p.title,
		payloadHash: p.payloadHash,
		...(p.platform ? { platform: p.platform } : {}),
		...(p.accountId ? { account: p.accountId } : {}),
		...(p.entity ? { entity: p.entity } : {}),
		...(p.proposedChange ? { proposedChange: p.proposedChange } : {}),
		...(p.impact ? { impact: p.impact } : {}),
		...(evidence ? { evidence } : {}),
		requestedAt: p.requestedAt,
		expiresAt: p.expiresAt,
		...(notionUrl ? { notionUrl } : {}),
		...(options.dryRun === undefined ? {} : { dryRun: options.dryRun }),
	};
}

/** A stored `decided_by` (`notion:<id>`, `slack:<id>`) as a decider, when it names one. */
export function deciderFromStored(decidedBy: string | null | undefined): Decider | undefined {
	const m = /^(notion|slack):(.+)$/.exec(decidedBy ?? '');
	return m ? { source: m[1] as 'notion' | 'slack', id: m[2]! } : undefined;
}

/**
 * The alert one approval event deserves, or undefined for events nobody needs
 * to read in Slack (`skipped`, `unchanged`, a re-run's `queued`).
 */
export function alertEventFor(event: ApprovalEvent, p: Proposal, options: { dryRun?: boolean } = {}): ProposalAlertEvent | undefined {
	const proposal = proposalAlertInput(p, { notionUrl: event.url, dryRun: options.dryRun });
	const decidedBy = deciderText(event.decidedBy) ?? deciderText(deciderFromStored(p.decidedBy));
	switch (event.type) {
		case 'queued':
			return event.created || event.adopted ? { type: 'awaiting', proposal } : undefined;
		case 'approved':
		case 'rejected':
			return { type: 'decided', proposal, decision: event.type === 'approved' ? 'approve' : 'reject', decidedBy: decidedBy ?? 'an unidentified editor', via: event.decidedBy?.source ?? deciderFromStored(p.decidedBy)?.source ?? 'notion' };
		case 'refused':
			return { type: 'refused', proposal, reason: event.reason ?? 'refused', detail: event.message, ...(decidedBy ? { decidedBy } : {}) };
		case 'expired':
			return { type: 'expired', proposal };
		case 'executed':
			return { type: 'executed', proposal, result: event.result ?? undefined, ...(decidedBy ? { decidedBy } : {}) };
		case 'failed':
			return { type: 'failed', proposal, error: event.error ?? event.message, ...(event.attempts === undefined ? {} : { attempt: event.attempts }), willRetry: false };
		case 'stuck':
			return { type: 'stuck', proposal, detail: event.message, ...(event.since ? { since: event.since } : {}) };
		case 'unknown':
			return { type: 'unknown', proposal, detail: event.error ?? event.message };
		// in_progress: another live run is executing it and reports the outcome itself
		default:
			return undefined;
	}
}

// The Slack alert of a creative variant that was held back (duplicate, policy,
// missing, not checked): why, how close the nearest copy is, and the findings.
import { escapeMrkdwn, type Alert } from '../alerts/message';
import { keyWords } from '../alerts/readable';
import { similarityText } from '../novelty';
import type { CreativeRunItem } from './run';


/** Why a variant was held back, in one sentence (for a duplicate: the copy it repeats). */
export function heldBackReason(item: CreativeRunItem): string {
	if (item.status === 'rejected_duplicate' && item.nearest) {
		const what = item.verdict === 'duplicate' ? 'Duplicate' : 'Near-duplicate';
		const of = item.nearest.source === 'past' ? `past variant ${item.nearest.id}` : `variant ${item.nearest.slot} of this run`;
		return `${what} of ${of}: "${item.nearest.text.slice(0, 200)}"`;
	}
	return item.reason;
}

/**
 * The alert for a held-back variant, or null when there is nothing to
 * announce: copy the campaign already has (`already_stored`, a rerun) is
 * reported by the node but never announced again. Copy is data: the message
 * is escaped so generated text can never become a mention or a link.
 */
export function heldBackAlert(item: CreativeRunItem, run: { platform: string; campaignId: string }): Alert | null {
	if (item.status === 'already_stored') return null;
	const nearest = item.nearest;
	return {
		kind: item.status === 'missing' ? 'failure' : 'info',
		title: `Creative held back: ${keyWords(item.status)}`,
		message: escapeMrkdwn(heldBackReason(item)),
		fields: [
			{ label: 'Platform', value: run.platform },
			{ label: 'Campaign', value: run.campaignId },
			...(nearest ? [{ label: 'Similarity', value: similarityText(nearest) }] : []),
		],
		items: [...item.violations.map((v) => v.message), ...item.findings.map((f) => f.message)].slice(0, 20),
	};
}

/**
 * One alert for the held-back variants of a campaign run (instead of one per
 * variant): why each was held back, with the nearest copy's similarity.
 * Null when none is worth announcing (copy the campaign already has is
 * reported by the node, never announced again).
 */
export function heldBackDigestAlert(items: readonly CreativeRunItem[], run: { platform: string; campaignId: string }): Alert | null {
	const shown = items.filter((i) => i.status !== 'already_stored' && i.status !== 'pending_approval');
	if (shown.length === 0) return null;
	const failed = shown.some((i) => i.status === 'missing' || i.status === 'not_checked');
	const similarity = (i: CreativeRunItem) => (i.nearest ? ` (similarity: ${similarityText(i.nearest)})` : '');
	return {
		kind: failed ? 'failure' : 'info',
		title: `Creative held back: ${shown.length} variant(s) for campaign ${run.campaignId}`,
		message: escapeMrkdwn(`${shown.length} variant(s) of this run were not queued for approval.`),
		fields: [
			{ label: 'Platform', value: run.platform },
			{ label: 'Campaign', value: run.campaignId },
		],
		items: shown.map((i) => `Variant ${i.slot + 1}, ${keyWords(i.status)}: ${heldBackReason(i).slice(0, 300)}${similarity(i)}`).slice(0, 40),
	};
}

// The Slack alert of one optimizer decision (executed, dry run, refused,
// failed, outcome unknown, reconciled or recovered from an earlier run, held by another run): the change, the rule, every condition that
// matched with its value, every gate with its numbers, and what the platform
// answered. Proposals are announced by the approval loop (Proposal Event), and
// gated decisions are stored only, so neither gets an alert here — except a
// decision blocked by a change made outside the package (a person's edit within
// the cooldown), announced once per edit (route `alert`).
import { fmtMoney } from '../platforms/currency';
import type { OptimizerItem } from './run';
import { escapeMrkdwn, type Alert } from '../alerts/message';
import { readableNumber, readableValue } from '../alerts/readable';

const TITLE: Partial<Record<OptimizerItem['outcome'], { kind: Alert['kind']; label: string }>> = {
	executed: { kind: 'action', label: 'Executed' },
	dry_run: { kind: 'info', label: 'Dry run' },
	refused: { kind: 'failure', label: 'Refused' },
	failed: { kind: 'failure', label: 'Failed' },
	// the answer was lost or late: the change may have been made; the next run reads the campaign back
	unknown: { kind: 'failure', label: 'Outcome unknown' },
	reconciled: { kind: 'action', label: 'Reconciled' },
	recovered: { kind: 'action', label: 'Recovered' },
	in_progress: { kind: 'info', label: 'In progress elsewhere' },
};

const GATE_MARK = { pass: '✓', fail: '✗', skip: '–' } as const;

/** The platform's answer in words, e.g. "id 42, daily budget 12000" (no secrets: adapters never return tokens). */
function brief(value: unknown, max = 300): string {
	const text = readableValue(value);
	return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function campaignLabel(item: OptimizerItem): string {
	const e = item.entity;
	if (e.adId) return `${e.name ? `${e.name} ` : ''}(${e.platform} ad ${e.adId}${e.adGroupId && e.adGroupId !== e.campaignId ? ` in ad group ${e.adGroupId}` : ''}, campaign ${e.campaignId}, account ${e.accountId})`;
	return `${e.name ? `${e.name} ` : ''}(${e.platform} ${e.campaignId}, account ${e.accountId})`;
}

/**
 * The alert for an optimizer item, or null when the item is not announced
 * (proposed: the approval card and its Slack request carry the evidence;
 * gated, already executed, no match: stored only). Names and reasons come
 * from the platforms and rules: the message and footer are escaped here,
 * fields and items by renderAlert, so none of it is ever mrkdwn.
 */
export function optimizerAlert(item: OptimizerItem): Alert | null {
	const outside = item.outcome === 'gated' && item.route === 'alert' && item.gates.some((g) => g.gate === 'cooldown' && g.status === 'fail' && g.values.lastChangeSource === 'outside');
	const style = TITLE[item.outcome] ?? (outside ? ({ kind: 'info', label: 'Not changed: edited outside the package' } as const) : undefined);
	if (!style) return null;
	const a = item.action;
	const fields: Alert['fields'] = [
		{ label: item.entity.adId ? 'Ad' : 'Campaign', value: campaignLabel(item) },
		{ label: 'Rule', value: `${item.rule.name} (priority ${item.rule.priority})` },
	];
	if (a) fields.push({ label: 'Change', value: a.summary });
	if (a && a.clampedBy.length > 0) fields.push({ label: 'Clamped by', value: a.clampedBy.join(', ') });
	if (item.current) {
		const c = item.current;
		fields.push({ label: 'Re-read before acting', value: `status ${c.status}${c.dailyBudget === null ? '' : `, daily budget ${c.currency ? fmtMoney(c.dailyBudget, c.currency) : readableNumber(c.dailyBudget)}`}` });
	}
	if (item.execution) fields.push({ label: 'Platform answered', value: brief(item.execution.response ?? 'ok') });
	if (item.validation) fields.push({ label: 'Validation', value: brief(item.validation) });
	if (item.error) fields.push({ label: 'Error', value: item.error.message.slice(0, 1000) });
	// the matched conditions in words (metric, window with dates, value and threshold in the metric's unit)
	if (item.evidence && item.evidence.length > 0) fields.push({ label: 'Evidence', value: item.evidence.join('; ').slice(0, 1000) });
	const met = item.conditions.filter((c) => c.result === true).map((c) => `Condition: ${c.text}`);
	const gates = item.gates.filter((g) => g.status !== 'skip').map((g) => `${GATE_MARK[g.status]} ${g.gate}: ${g.detail}`);
	const last = item.outcome === 'executed' || item.outcome === 'dry_run' ? [] : item.reasons.slice(-1);
	return {
		kind: style.kind,
		label: style.label,
		title: a?.summary ? `${a.summary.slice(0, 120)}` : item.entity.adId ? `${item.entity.platform} ad ${item.entity.adId} of campaign ${item.entity.campaignId}` : `${item.entity.platform} campaign ${item.entity.campaignId}`,
		message: escapeMrkdwn(item.text),
		fields,
		items: [...met, ...gates, ...last].slice(0, 30),
		footer: escapeMrkdwn(`${item.dryRun ? 'Dry run: nothing was changed on the platform. ' : ''}Evaluated ${item.evaluatedAt}${item.idempotencyKey ? ` · key ${item.idempotencyKey.slice(0, 20)}…` : ''}`),
	};
}

/** The alert for an ad account the optimizer could not read: its campaigns were not evaluated in this run. */
export function accountErrorAlert(account: { platform: string; accountId: string; error: { message: string } }): Alert {
	return {
		kind: 'failure',
		title: `Optimizer could not read ${account.platform} account ${account.accountId}`,
		message: escapeMrkdwn(account.error.message),
		items: ['Its campaigns were not evaluated in this run.'],
	};
}

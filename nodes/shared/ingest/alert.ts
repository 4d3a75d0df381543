// The Slack summary of an ingest run: failures first, then rows per platform
// and account, quarantined rows with their first reasons, and the quality score.
import type { Alert } from '../alerts/message';
import type { QualityReport } from './quality';
import type { IngestOutcome } from './run';
import { PLATFORM_LABEL } from '../resilience/errors';

/**
 * True when `value` has the shape of an ingest outcome, with every field the
 * summary reads (so other items can pass through a workflow, and an outcome
 * whose counts were dropped on the way is not summed as NaN).
 */
export function isIngestOutcome(value: unknown): value is IngestOutcome {
	const v = value as Partial<IngestOutcome> | null;
	return (
		!!v &&
		typeof v === 'object' &&
		typeof v.platform === 'string' &&
		Object.prototype.hasOwnProperty.call(PLATFORM_LABEL, v.platform) &&
		typeof v.accountId === 'string' &&
		typeof v.status === 'string' &&
		['success', 'partial', 'failed', 'up_to_date'].includes(v.status) &&
		Number.isFinite(v.rowsWritten) &&
		Number.isFinite(v.rowsUnchanged) &&
		Number.isFinite(v.rowsQuarantined) &&
		Array.isArray(v.quarantineReasons)
	);
}

function n(value: number): string {
	return value.toLocaleString('en-US');
}

export function ingestSummaryAlert(outcomes: readonly IngestOutcome[], report?: QualityReport): Alert {
	const failed = outcomes.filter((o) => o.status === 'failed');
	const partial = outcomes.filter((o) => o.status === 'partial');
	const written = outcomes.reduce((s, o) => s + o.rowsWritten, 0);
	const unchanged = outcomes.reduce((s, o) => s + o.rowsUnchanged, 0);
	const quarantined = outcomes.reduce((s, o) => s + o.rowsQuarantined, 0);

	const items: string[] = [];
	for (const o of failed) {
		const retry = o.error?.retryAfterMs ? ` (retry after ${Math.ceil(o.error.retryAfterMs / 1000)} s)` : '';
		items.push(`FAILED ${PLATFORM_LABEL[o.platform]} ${o.accountId}: ${o.error?.message ?? 'unknown error'}${retry}`);
	}
	for (const o of outcomes.filter((x) => x.rowsQuarantined > 0)) {
		items.push(`QUARANTINED ${PLATFORM_LABEL[o.platform]} ${o.accountId}: ${o.rowsQuarantined} row(s), e.g. ${o.quarantineReasons.slice(0, 3).join('; ')}`);
	}
	for (const o of outcomes.filter((x) => x.status !== 'failed')) {
		const window = o.window ? ` ${o.window.start}…${o.window.end}` : '';
		items.push(`${PLATFORM_LABEL[o.platform]} ${o.accountId}: ${o.status}${window}, ${n(o.rowsWritten)} written, ${n(o.rowsUnchanged)} unchanged, ${n(o.rowsQuarantined)} quarantined`);
	}

	const platforms = [...new Set(outcomes.map((o) => o.platform))];
	const fields = platforms.map((p) => {
		const mine = outcomes.filter((o) => o.platform === p);
		const bad = mine.filter((o) => o.status === 'failed').length;
		return {
			label: PLATFORM_LABEL[p],
			value: `${n(mine.reduce((s, o) => s + o.rowsWritten, 0))} written · ${n(mine.reduce((s, o) => s + o.rowsQuarantined, 0))} quarantined${bad ? ` · ${bad}/${mine.length} accounts failed` : ''}`,
		};
	});
	if (report) fields.push({ label: 'Data quality', value: `${report.score}/100 (${report.level}) for ${report.reportDate}` });

	const headline =
		failed.length > 0
			? `${failed.length} of ${outcomes.length} account(s) failed`
			: partial.length > 0 || quarantined > 0
				? `${n(quarantined)} row(s) quarantined`
				: `${outcomes.length} account(s) loaded`;
	const weakChecks = report?.checks.filter((c) => !c.passed).map((c) => `${c.name}: ${c.summary}`) ?? [];
	return {
		kind: failed.length > 0 ? 'failure' : 'summary',
		title: `Daily ingest: ${headline}`,
		message: [`*${n(written)}* rows written, *${n(unchanged)}* unchanged, *${n(quarantined)}* quarantined across ${outcomes.length} account(s).`, ...weakChecks.map((c) => `Quality check failed, ${c}`)].join('\n'),
		fields,
		items,
	};
}

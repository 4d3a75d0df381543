// A fatigue verdict in words, and the Slack alert of the fatigued ads of a run
// (alerts/message.ts shape; numbers in words, never JSON).
import { escapeMrkdwn, type Alert } from '../alerts/message';
import { roundMetric } from '../metrics';
import { PLATFORM_LABELS } from '../platforms/registry';
import type { FatigueSegment, FatigueVerdict } from './detect';

function pct(x: number): string {
	return `${(x * 100).toFixed(2)} %`;
}

function count(n: number): string {
	return Math.round(n).toLocaleString('en-US');
}

/** "fell 38 %" / "rose 4 %": the CTR's change against the ad's own past. */
function changeWords(change: number): string {
	return change < 0 ? `fell ${Math.round(-change * 100)} %` : `rose ${Math.round(change * 100)} %`;
}

/** "Frequency went from 1.8 to 3.1 impressions per person." when both segments report it. */
function frequencyWords(b: FatigueSegment, r: FatigueSegment): string | null {
	return b.frequency !== null && r.frequency !== null ? `Frequency went from ${b.frequency.toFixed(1)} to ${r.frequency.toFixed(1)} impressions per person.` : null;
}

/** "CTR fell 38 % from 1.82 % (...) to 1.13 % (...)"; the not-judged reason when there is no verdict. */
export function fatigueSentence(v: FatigueVerdict): string {
	if (v.notJudged !== null || v.baseline === null || v.recent === null || v.change === null) return `Not judged: ${v.notJudged ?? 'no verdict'}.`;
	const b = v.baseline;
	const r = v.recent;
	const parts = [
		`CTR ${changeWords(v.change)} (weekdays taken into account): from ${pct(b.ctr)} over the ${b.days} days ${b.from} to ${b.to} (${count(b.clicks)} clicks of ${count(b.impressions)} impressions) to ${pct(v.recentAdjustedCtr ?? r.ctr)} over the ${r.days} days since ${r.from} (${pct(r.ctr)} before the weekday adjustment; ${count(r.clicks)} clicks of ${count(r.impressions)} impressions).`,
	];
	const frequency = frequencyWords(b, r);
	if (frequency) parts.push(frequency);
	parts.push(`The ad is ${v.ageDays} days old.`);
	const sure = v.statistic !== null ? `evidence ${v.statistic.toFixed(1)} against a threshold of ${v.threshold}` : 'no evidence';
	parts.push(v.fatigued ? `Fatigued: ${sure}.` : `Not fatigued: ${sure}, or a drop below the minimum.`);
	return parts.join(' ');
}

export interface FatiguedAd {
	platform: string;
	accountId: string;
	campaignId: string;
	adGroupId: string;
	adId: string;
	adName: string | null;
	verdict: FatigueVerdict;
	/** The campaign's name as stored with the ad's days (null or absent: not stored). */
	campaignName?: string | null;
	/** The ad's current copy, when it was published from a stored creative variant (check.ts); null or absent: not stored. */
	copy?: FatiguedAdCopy | null;
}

/** The text of a published variant (creative_variants), as the refresh brief quotes it. */
export interface FatiguedAdCopy {
	headline: string | null;
	primaryText: string | null;
	description: string | null;
	angle: string | null;
}

/** One line of stored copy, quoted: lines joined by " / ", at most `max` characters. */
function quoted(text: string | null, max = 300): string | null {
	const line = (text ?? '')
		.split(/\r?\n/)
		.map((l) => l.trim())
		.filter(Boolean)
		.join(' / ');
	if (!line) return null;
	return `"${line.length > max ? `${line.slice(0, max - 1)}…` : line}"`;
}

/**
 * The brief that asks AdOps Creative → Generate Variants for replacements of a
 * fatigued ad (issue 20 item 3): which ad, its numbers as fatigueSentence shows
 * them (CTR then and now in percent to two decimals, never a raw ratio; the
 * days; frequency when reported; age), and the angle to move away from: the
 * ad's current copy when it was published from a stored variant.
 */
export function refreshBrief(ad: FatiguedAd): string {
	const v = ad.verdict;
	const platform = (PLATFORM_LABELS as Record<string, string>)[ad.platform] ?? ad.platform;
	const name = ad.adName?.trim() ? `"${ad.adName.trim().slice(0, 80)}" (${ad.adId})` : ad.adId;
	const campaign = ad.campaignName?.trim() ? `"${ad.campaignName.trim().slice(0, 80)}" (${ad.campaignId})` : ad.campaignId;
	const parts = [`Replacement copy for a fatigued ${platform} ad: ad ${name} in campaign ${campaign}, account ${ad.accountId}.`];
	const b = v.baseline;
	const r = v.recent;
	if (b && r && v.change !== null) {
		const now = v.recentAdjustedCtr ?? r.ctr;
		parts.push(
			`Its click-through rate ${changeWords(v.change)} against its own past: from ${pct(b.ctr)} over the ${b.days} days ${b.from} to ${b.to} to ${pct(now)} over the ${r.days} days since ${r.from} (weekdays taken into account).`,
		);
		const frequency = frequencyWords(b, r);
		if (frequency) parts.push(frequency);
	}
	parts.push(`The ad is ${v.ageDays} days old.`);
	const copy = ad.copy;
	const current = copy
		? [
				quoted(copy.headline) && `headline ${quoted(copy.headline)}`,
				quoted(copy.primaryText) && `text ${quoted(copy.primaryText)}`,
				quoted(copy.description) && `description ${quoted(copy.description)}`,
				quoted(copy.angle, 80) && `angle ${quoted(copy.angle, 80)}`,
			].filter(Boolean)
		: [];
	parts.push(
		current.length > 0
			? `Write replacements with a different angle than its current copy: ${current.join('; ')}.`
			: `Write replacements with a different angle than the ad's current one (its copy is not stored here: it was not published from AdOps Creative).`,
	);
	return parts.join(' ');
}

/** One alert for the fatigued ads of a check; null when none is fatigued. */
export function fatigueAlert(ads: ReadonlyArray<FatiguedAd>, judged: number): Alert | null {
	const fatigued = ads.filter((a) => a.verdict.fatigued);
	if (fatigued.length === 0) return null;
	return {
		kind: 'action',
		title: `Creative fatigue: ${fatigued.length} of ${judged} ad(s) judged`,
		message: escapeMrkdwn(`${fatigued.length} ad(s) lost click-through rate against their own past. Consider refreshing their copy or creative.`),
		items: fatigued.slice(0, 40).map((a) => escapeMrkdwn(`${a.platform} ad ${a.adName ? `"${a.adName.slice(0, 80)}" (${a.adId})` : a.adId} in campaign ${a.campaignId}: ${fatigueSentence(a.verdict)}`)),
	};
}

/** A segment as shown in an item: its CTR to the metric's digits (metrics/METRIC_DIGITS), frequency to one decimal. */
function shownSegment(s: FatigueSegment | null): FatigueSegment | null {
	return s && { ...s, ctr: roundMetric('ctr', s.ctr) ?? 0, frequency: s.frequency === null ? null : Math.round(s.frequency * 10) / 10 };
}

/**
 * The output item of a fatigued ad: ids, the numbers rounded as shown, the verdict in words, its alert, and
 * the refresh brief with the fields Generate Variants takes (platform, accountId, campaignId, campaignName, brief).
 */
export function fatigueItem(ad: FatiguedAd, asOf: string | null, judged: number): Record<string, unknown> {
	const v = ad.verdict;
	return {
		platform: ad.platform,
		accountId: ad.accountId,
		campaignId: ad.campaignId,
		adGroupId: ad.adGroupId,
		adId: ad.adId,
		adName: ad.adName,
		campaignName: ad.campaignName ?? null,
		asOf,
		ctrBefore: roundMetric('ctr', v.baseline?.ctr ?? null),
		ctrNow: roundMetric('ctr', v.recentAdjustedCtr),
		ctrChangePct: v.change === null ? null : Math.round(v.change * 1000) / 10,
		since: v.recent?.from ?? null,
		ageDays: v.ageDays,
		evidence: v.statistic === null ? null : Math.round(v.statistic * 10) / 10,
		threshold: v.threshold,
		baseline: shownSegment(v.baseline),
		recent: shownSegment(v.recent),
		summary: fatigueSentence(v),
		alert: fatigueAlert([ad], judged),
		// what AdOps Creative → Generate Variants reads from its item (with platform, accountId, campaignId, campaignName)
		brief: refreshBrief(ad),
	};
}

/** The one summary item's sentence when no ad is fatigued. */
export function noFatigueSentence(judged: number, notJudged: number): string {
	return `No fatigued ad among ${judged} judged (${notJudged} too young, too thin or not delivering).`;
}

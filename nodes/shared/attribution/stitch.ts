/**
 * Stored events → journeys → attributed conversions per model, platform,
 * campaign and day (issue 22, item 2).
 *
 * Stitching: events belong to one person when they share any identifier:
 * the hashed user id, e-mail or phone, or a click id (a click and the
 * purchase that carries its gclid are the same person even without a login).
 * Identifiers are joined transitively (union-find).
 *
 * Journeys: a person's impressions and clicks are touches; each conversion
 * (purchase by default) closes a journey holding the person's touches since
 * their previous conversion and within the lookback window (default 30
 * days). Touches left after a person's last conversion form one journey that
 * did not convert (the Markov and Shapley models need those).
 *
 * A touch's channel is its platform (the event's own, or the platform of its
 * click id) and campaign (the event's, else its UTM campaign); a touch with
 * neither platform nor click id is `utm:<source>/<medium>`.
 *
 * Per conversion, the rule-based models weight its touches directly. Markov
 * and Shapley give channel credits over all journeys; a conversion is split
 * over its own touches in proportion to their channels' credit per journey
 * containing them (credit share of the channel ÷ touches of that channel in
 * the journey), so each conversion still hands out exactly 1.
 */
import { CLICK_ID_FIELDS, CLICK_ID_PLATFORM } from '../events/rows';
import { ATTRIBUTION_MODELS, attribute, touchWeights, type AttributeOptions, type AttributionModel } from './index';
import { shares, type Journey, type Touchpoint } from './journey';
import type { RuleModel } from './rules';

/** The columns of marketing_events the stitching reads. */
export interface StoredEvent {
	event_id: string;
	event_type: string;
	event_time: string | number;
	value: number | string | null;
	currency: string | null;
	platform: string | null;
	campaign_id: string | null;
	external_id_sha256: string | null;
	email_sha256: string | null;
	phone_sha256: string | null;
	gclid: string | null;
	fbclid: string | null;
	li_fat_id: string | null;
	ttclid: string | null;
	utm_source: string | null;
	utm_medium: string | null;
	utm_campaign: string | null;
}

export interface StitchOptions {
	lookbackDays?: number;
	/** Event types that are conversions (default purchase). */
	conversionTypes?: readonly string[];
	/** Event types that are touches (default impression, click). */
	touchTypes?: readonly string[];
}

export interface ConversionJourney extends Journey {
	currency: string | null;
}

const DAY_MS = 86_400_000;

/** The event types that are conversions unless the caller names others. */
export const DEFAULT_CONVERSION_TYPES: readonly string[] = ['purchase'];
/** The event types that are touches unless the caller names others. */
export const DEFAULT_TOUCH_TYPES: readonly string[] = ['impression', 'click'];

/** The columns of marketing_events that make an event's touch (platform, campaign, channel, time): what `touchOf` reads. */
export const TOUCH_COLUMNS = ['event_time', 'platform', 'campaign_id', ...CLICK_ID_FIELDS, 'utm_source', 'utm_medium', 'utm_campaign'] as const;
export type TouchColumns = Pick<StoredEvent, (typeof TOUCH_COLUMNS)[number]>;

function timeOf(e: Pick<StoredEvent, 'event_time'>): number {
	return typeof e.event_time === 'number' ? e.event_time : Date.parse(e.event_time);
}

class UnionFind {
	private parent: Int32Array;
	constructor(n: number) {
		this.parent = new Int32Array(n).map((_, i) => i);
	}
	find(x: number): number {
		let r = x;
		while (this.parent[r] !== r) r = this.parent[r];
		while (this.parent[x] !== r) {
			const next = this.parent[x];
			this.parent[x] = r;
			x = next;
		}
		return r;
	}
	union(a: number, b: number): void {
		const ra = this.find(a);
		const rb = this.find(b);
		if (ra !== rb) this.parent[ra] = rb;
	}
}

/** For each event, the index of its person (events with no identifier at all are their own person). */
export function people(events: readonly StoredEvent[]): Int32Array {
	const uf = new UnionFind(events.length);
	const firstByKey = new Map<string, number>();
	const link = (key: string | null, i: number, prefix: string) => {
		if (!key) return;
		const k = prefix + key;
		const first = firstByKey.get(k);
		if (first === undefined) firstByKey.set(k, i);
		else uf.union(i, first);
	};
	for (let i = 0; i < events.length; i++) {
		const e = events[i];
		link(e.external_id_sha256, i, 'x:');
		link(e.email_sha256, i, 'e:');
		link(e.phone_sha256, i, 'p:');
		for (const f of CLICK_ID_FIELDS) link(e[f], i, `${f}:`);
	}
	const out = new Int32Array(events.length);
	for (let i = 0; i < events.length; i++) out[i] = uf.find(i);
	return out;
}

/** The touch an event is: its platform and campaign (the one definition, also for the first-party metrics in events/realtime.ts). */
export function touchOf(e: TouchColumns): Touchpoint {
	let platform = e.platform ?? undefined;
	if (!platform) for (const f of CLICK_ID_FIELDS) if (e[f]) platform = CLICK_ID_PLATFORM[f];
	const campaignId = e.campaign_id ?? e.utm_campaign ?? undefined;
	const channel = platform ? platform : `utm:${e.utm_source ?? '(none)'}/${e.utm_medium ?? '(none)'}`;
	return { channel, time: timeOf(e), platform: platform ?? channel, campaignId };
}

/** Every conversion's journey and the non-converting remainders, person by person. */
export function stitchJourneys(events: readonly StoredEvent[], opts: StitchOptions = {}): ConversionJourney[] {
	const lookback = (opts.lookbackDays ?? 30) * DAY_MS;
	const conversionTypes = new Set(opts.conversionTypes ?? DEFAULT_CONVERSION_TYPES);
	const touchTypes = new Set(opts.touchTypes ?? DEFAULT_TOUCH_TYPES);
	const person = people(events);
	const times = new Float64Array(events.length);
	for (let i = 0; i < events.length; i++) times[i] = timeOf(events[i]);
	const order = Array.from({ length: events.length }, (_, i) => i).sort((a, b) => person[a] - person[b] || times[a] - times[b]);
	const journeys: ConversionJourney[] = [];
	let touches: Touchpoint[] = [];
	for (let k = 0; k < order.length; k++) {
		const i = order[k];
		const e = events[i];
		if (k > 0 && person[order[k - 1]] !== person[i]) {
			if (touches.length) journeys.push({ touchpoints: touches, converted: false, value: 0, currency: null });
			touches = [];
		}
		if (touchTypes.has(e.event_type)) touches.push(touchOf(e));
		else if (conversionTypes.has(e.event_type)) {
			const t = times[i];
			const inWindow = touches.filter((x) => x.time >= t - lookback);
			journeys.push({ id: e.event_id, touchpoints: inWindow, converted: true, value: Number(e.value ?? 0), currency: e.currency, conversionTime: t });
			touches = [];
		}
	}
	if (touches.length) journeys.push({ touchpoints: touches, converted: false, value: 0, currency: null });
	return journeys;
}

export interface AttributedRow {
	model: AttributionModel;
	/** Conversion day (UTC). */
	date: string;
	platform: string;
	campaign_id: string;
	currency: string;
	conversions: number;
	revenue: number;
}

/** Conversions and revenue per model, day, platform, campaign and currency. Conversions without any touch are left out (nothing to credit). */
export function attributedRows(journeys: readonly ConversionJourney[], models: readonly AttributionModel[] = ATTRIBUTION_MODELS, opts: AttributeOptions = {}): AttributedRow[] {
	const acc = new Map<string, AttributedRow>();
	for (const model of models) {
		let channelShare: Map<string, number> | undefined;
		if (model === 'markov' || model === 'shapley') channelShare = shares(attribute(model, journeys, opts));
		for (const j of journeys) {
			if (!j.converted || j.touchpoints.length === 0) continue;
			const w = channelShare ? modelWeights(channelShare, j) : touchWeights(model as RuleModel, j, opts);
			const date = new Date(j.conversionTime ?? j.touchpoints[j.touchpoints.length - 1].time).toISOString().slice(0, 10);
			for (let i = 0; i < w.length; i++) {
				if (w[i] === 0) continue;
				const t = j.touchpoints[i];
				const platform = t.platform ?? t.channel;
				const campaign = t.campaignId ?? '';
				const currency = j.currency ?? '';
				const key = `${model}|${date}|${platform}|${campaign}|${currency}`;
				let row = acc.get(key);
				if (!row) {
					row = { model, date, platform, campaign_id: campaign, currency, conversions: 0, revenue: 0 };
					acc.set(key, row);
				}
				row.conversions += w[i];
				row.revenue += w[i] * j.value;
			}
		}
	}
	return [...acc.values()];
}

/** Touch weights from channel credit shares: a channel's share, split evenly over its touches in this journey, normalised. */
function modelWeights(share: Map<string, number>, j: Journey): number[] {
	const count = new Map<string, number>();
	for (const t of j.touchpoints) count.set(t.channel, (count.get(t.channel) ?? 0) + 1);
	const w = j.touchpoints.map((t) => (share.get(t.channel) ?? 0) / (count.get(t.channel) as number));
	const sum = w.reduce((a, b) => a + b, 0);
	return sum > 0 ? w.map((x) => x / sum) : j.touchpoints.map(() => 1 / j.touchpoints.length);
}

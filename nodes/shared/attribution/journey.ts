/**
 * Journeys as the attribution models read them: the touchpoints one person had
 * before converting (or not), in time order, and the conversion's value.
 *
 * A touchpoint's `channel` is what the models credit (a platform, a
 * platform:campaign pair, an e-mail flow: the caller chooses the grain);
 * `platform` and `campaignId` travel along so per-campaign results can be
 * summed up afterwards.
 */

export interface Touchpoint {
	channel: string;
	/** Milliseconds since the epoch. */
	time: number;
	platform?: string;
	campaignId?: string;
}

export interface Journey {
	id?: string;
	/** In time order (sortJourney puts them there). */
	touchpoints: Touchpoint[];
	converted: boolean;
	/** Conversion value (0 when unknown or not converted). */
	value: number;
	/** Milliseconds since the epoch; default: the last touchpoint's time. */
	conversionTime?: number;
}

/** Credit per channel: conversions and value. */
export interface ChannelCredit {
	channel: string;
	conversions: number;
	value: number;
}

/** Every channel in the journeys, sorted, and each channel's index. */
export function channelIndex(journeys: readonly Journey[]): { channels: string[]; index: Map<string, number> } {
	const set = new Set<string>();
	for (const j of journeys) for (const t of j.touchpoints) set.add(t.channel);
	const channels = [...set].sort();
	return { channels, index: new Map(channels.map((c, i) => [c, i])) };
}

/** A journey with its touchpoints sorted by time (stable for equal times). */
export function sortJourney(journey: Journey): Journey {
	const touchpoints = journey.touchpoints
		.map((t, i) => ({ t, i }))
		.sort((a, b) => a.t.time - b.t.time || a.i - b.i)
		.map((x) => x.t);
	return { ...journey, touchpoints };
}

/** Credit shares (each channel's part of the total conversions credited). */
export function shares(credit: readonly ChannelCredit[]): Map<string, number> {
	const total = credit.reduce((s, c) => s + c.conversions, 0);
	return new Map(credit.map((c) => [c.channel, total > 0 ? c.conversions / total : 0]));
}

/** Mean absolute error between two share maps over the union of their channels. */
export function shareError(a: ReadonlyMap<string, number>, b: ReadonlyMap<string, number>): number {
	const keys = new Set([...a.keys(), ...b.keys()]);
	let sum = 0;
	for (const k of keys) sum += Math.abs((a.get(k) ?? 0) - (b.get(k) ?? 0));
	return keys.size === 0 ? 0 : sum / keys.size;
}

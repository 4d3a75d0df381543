/**
 * The rule-based models: each converting journey's one conversion (and its
 * value) is split over its touchpoints by a fixed rule.
 *
 * - last-click: all to the last touchpoint.
 * - first-click: all to the first.
 * - linear: equal parts.
 * - time-decay: a touchpoint `d` before the conversion weighs 2^(-d / half-life).
 * - position-based (U-shaped): 40 % first, 40 % last, 20 % shared by the ones
 *   between; with two touchpoints 50/50, with one 100 %.
 */
import type { ChannelCredit, Journey } from './journey';

import { RULE_MODEL_IDS } from './rows';

export const RULE_MODELS = RULE_MODEL_IDS;
export type RuleModel = (typeof RULE_MODELS)[number];

export interface RuleOptions {
	/** time-decay half-life in milliseconds (default 7 days). */
	halfLifeMs?: number;
}

export const DEFAULT_HALF_LIFE_MS = 7 * 24 * 3600 * 1000;

/** The weights (summing to 1) the model gives a journey's touchpoints, in the journey's order. */
export function touchWeights(model: RuleModel, journey: Journey, opts: RuleOptions = {}): number[] {
	const n = journey.touchpoints.length;
	if (n === 0) return [];
	const w = new Array<number>(n).fill(0);
	switch (model) {
		case 'last_click':
			w[n - 1] = 1;
			return w;
		case 'first_click':
			w[0] = 1;
			return w;
		case 'linear':
			return w.fill(1 / n);
		case 'position_based':
			if (n === 1) return [1];
			if (n === 2) return [0.5, 0.5];
			w.fill(0.2 / (n - 2));
			w[0] = 0.4;
			w[n - 1] = 0.4;
			return w;
		case 'time_decay': {
			const halfLife = opts.halfLifeMs ?? DEFAULT_HALF_LIFE_MS;
			if (!(halfLife > 0)) throw new Error(`time-decay half-life must be positive, got ${halfLife}`);
			const end = journey.conversionTime ?? journey.touchpoints[n - 1].time;
			let sum = 0;
			for (let i = 0; i < n; i++) {
				const age = Math.max(0, end - journey.touchpoints[i].time);
				w[i] = Math.pow(2, -age / halfLife);
				sum += w[i];
			}
			for (let i = 0; i < n; i++) w[i] /= sum;
			return w;
		}
	}
}

/** Conversions and value per channel under a rule-based model (converting journeys only). */
export function ruleCredit(model: RuleModel, journeys: readonly Journey[], opts: RuleOptions = {}): ChannelCredit[] {
	const acc = new Map<string, ChannelCredit>();
	for (const j of journeys) {
		if (!j.converted || j.touchpoints.length === 0) continue;
		const w = touchWeights(model, j, opts);
		for (let i = 0; i < w.length; i++) {
			if (w[i] === 0) continue;
			const channel = j.touchpoints[i].channel;
			const c = acc.get(channel) ?? { channel, conversions: 0, value: 0 };
			c.conversions += w[i];
			c.value += w[i] * j.value;
			acc.set(channel, c);
		}
	}
	return [...acc.values()].sort((a, b) => a.channel.localeCompare(b.channel));
}

/**
 * The same-weekday gate of the detector, and the exact prefilter built on it.
 *
 * Gate (part of the method, applied with the minimum change): a day can be a
 * spike only if it is at least `minChange` above the LOWEST value of the same
 * weekday over the previous `weeks` weeks, and a drop only if it is at least
 * `minChange` below the HIGHEST of them. Said plainly: when every Tuesday of
 * the last four weeks was within 30 % of today, today is not unusual, whatever
 * a smooth baseline extrapolated at the end of the series says. Lowest/highest
 * (not the median) keep a past anomaly from hiding a new one: an old spike
 * only raises the highest, which makes a drop easier to pass, never harder.
 * With fewer than `weeks` past values of the weekday (a young series, gaps) the
 * gate passes: it never decides on thin evidence. A gap day never passes.
 *
 * On the quality workload the gate keeps every planted anomaly (mean F1
 * unchanged) and removes one of the four false alarms on clean series.
 *
 * Because every flagged day passed the gate, "no day of the lookback window
 * passes the gate" proves the full method (decomposition + ESD) flags nothing
 * there, so the scan skips the decomposition for such a series: an exact
 * prefilter, not an approximation. It reads only the window and `weeks`
 * weeks before it, which also lets a store scan read 31 days of every series
 * and the full history of the few that can have an anomaly (scan-store.ts).
 */

export const GATE_WEEKS = 4;

/**
 * Does day `i` pass the gate in `direction` (+1 spike, −1 drop)? `slack` widens
 * the test by a relative amount (the prefilter uses 1e-9 so sums added in
 * another order can never make it stricter than the method).
 */
export function gatePasses(values: ArrayLike<number>, i: number, direction: 1 | -1, minChange: number, weeks = GATE_WEEKS, slack = 0): boolean {
	const x = values[i];
	if (!Number.isFinite(x)) return false;
	let lo = Infinity;
	let hi = -Infinity;
	let count = 0;
	for (let k = 1; k <= weeks; k++) {
		const j = i - 7 * k;
		if (j < 0) break;
		const v = values[j];
		if (!Number.isFinite(v)) continue;
		count++;
		if (v < lo) lo = v;
		if (v > hi) hi = v;
	}
	if (count < weeks) return true;
	return direction > 0 ? x >= (1 + minChange) * lo * (1 - slack) : x <= (1 - minChange) * hi * (1 + slack);
}

/** Could any day in [from, values.length) be flagged? False proves the full method flags none of them. */
export function windowMayFlag(values: ArrayLike<number>, from: number, minChange: number, weeks = GATE_WEEKS, slack = 1e-9): boolean {
	for (let i = Math.max(0, from); i < values.length; i++) {
		if (gatePasses(values, i, 1, minChange, weeks, slack) || gatePasses(values, i, -1, minChange, weeks, slack)) return true;
	}
	return false;
}

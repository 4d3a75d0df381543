/**
 * Upper concave envelope of a sampled curve and the greedy fill over envelope segments.
 * On concave (envelope) segments, filling the budget in order of decreasing slope is the exact
 * optimum of the separable problem max sum f_i(x_i), sum x_i = B, lo_i <= x_i <= hi_i (the LP over
 * the segments has this greedy as its solution); every campaign but at most one ends on a
 * breakpoint, where the envelope equals the curve, so the gap to the curve is at most one segment.
 */

export interface Segment {
	/** Owner (campaign index). */
	owner: number;
	/** Order within the owner's envelope (0 first). */
	order: number;
	width: number;
	slope: number;
}

/** Indices of the points on the upper concave hull of (xs[i], ys[i]), xs increasing. */
export function upperHull(xs: ArrayLike<number>, ys: ArrayLike<number>): number[] {
	const hull: number[] = [];
	for (let i = 0; i < xs.length; i++) {
		while (hull.length >= 2) {
			const o = hull[hull.length - 2]!;
			const a = hull[hull.length - 1]!;
			const cross = (xs[a]! - xs[o]!) * (ys[i]! - ys[o]!) - (ys[a]! - ys[o]!) * (xs[i]! - xs[o]!);
			if (cross >= 0) hull.pop();
			else break;
		}
		hull.push(i);
	}
	return hull;
}

/** Envelope segments of one owner's samples (xs increasing). */
export function envelopeSegments(owner: number, xs: ArrayLike<number>, ys: ArrayLike<number>): Segment[] {
	const hull = upperHull(xs, ys);
	const out: Segment[] = [];
	for (let j = 1; j < hull.length; j++) {
		const a = hull[j - 1]!;
		const b = hull[j]!;
		const width = xs[b]! - xs[a]!;
		if (width > 0) out.push({ owner, order: out.length, width, slope: (ys[b]! - ys[a]!) / width });
	}
	return out;
}

/** Segments in the order the greedy fills them (slope down; an owner's own order kept on ties). */
export function fillOrder(segments: Segment[]): Segment[] {
	return segments.slice().sort((a, b) => b.slope - a.slope || a.owner - b.owner || a.order - b.order);
}

/** Adds `amount` along the ordered segments; returns what each owner gets on top of its low end. */
export function fill(ordered: Segment[], owners: number, amount: number): Float64Array {
	const add = new Float64Array(owners);
	let left = Math.max(0, amount);
	for (const s of ordered) {
		if (left <= 0) break;
		const take = Math.min(s.width, left);
		add[s.owner] += take;
		left -= take;
	}
	return add;
}

/**
 * Storage and scans of dense vectors for the novelty index (index.ts).
 *
 * The semantic score of two unit vectors is `exactDot`: the float64 sum of
 * the products q[i]·p[i] in ascending dimension order. Every path (the brute
 * force, the sparse postings, the dense filter, the batch comparison) gets
 * exactly these bits. Products of two float32 values are exact in float64,
 * so only the additions round.
 *
 * `VectorStore` keeps the unit vectors of all past variants in one
 * Float32Array, each padded with zeros to a multiple of 4 dimensions. When
 * the runtime has WebAssembly SIMD, that array lives in a WebAssembly memory
 * and `approxScores` runs simd.ts's f32x4 kernel over it: float32 dot
 * products, 4 queries × 4 dimensions per step, within `approxError` of the
 * exact score (a proven bound, below). The index uses them as a filter and
 * computes `exactDot` only where the bound leaves the outcome open.
 *
 * Error bound. The kernel rounds each product to float32 and sums, per lane,
 * stride/4 terms, then adds the 4 lanes: every term goes through at most
 * m = stride/4 + 3 float32 roundings, so (Higham, Accuracy and Stability of
 * Numerical Algorithms, §3.1) |approx − Σ q[i]p[i]| ≤ γ_m · Σ|q[i]p[i]| with
 * γ_m = m·u/(1 − m·u), u = 2⁻²⁴, plus at most 2⁻¹⁵⁰ per product from
 * underflow. The float64 exact score is within γ_dims(2⁻⁵³) of the true sum
 * too. Σ|q[i]p[i]| ≤ ‖q‖·‖p‖ ≤ (1 + 2⁻²³)² for vectors from
 * `normalizeVector`, and is 0 when either vector is zero (then both scores
 * are exactly 0). `approxError` doubles all of that, which also covers the
 * rounding of approx ± error itself.
 */
import { VectorFormatError } from './semantic';
import { WASM_MAX_PAGES, WASM_PAGE, createKernel, createMemory, type Scan4, type WasmMemory } from './simd';

/** The semantic score: float64 sum of q[i]·data[base + i], i ascending from 0 to dims − 1. */
export function exactDot(q: Float32Array, data: Float32Array, base: number, dims: number): number {
	let s = 0;
	for (let i = 0; i < dims; i++) s += q[i]! * data[base + i]!;
	return s;
}

/** Vector storage stride: dimensions rounded up to a multiple of 4. */
export function strideOf(dims: number): number {
	return (dims + 3) & ~3;
}

/**
 * Upper bound on |approx − exactDot| for two nonzero vectors from
 * `normalizeVector` with `dims` dimensions (see the top of this file).
 */
export function approxError(dims: number): number {
	const m = strideOf(dims) / 4 + 3;
	const u = 2 ** -24;
	const gamma32 = (m * u) / (1 - m * u);
	const gamma64 = (dims * 2 ** -53) / (1 - dims * 2 ** -53);
	const norms = (1 + 2 ** -23) ** 2;
	return 2 * ((gamma32 + gamma64) * norms + strideOf(dims) * 2 ** -150);
}

/** Queries per kernel call, and past vectors per block (a block of 128 × 2 KB stays in L2 while every query group passes over it). */
const GROUP = 4;
const BLOCK = 128;

/**
 * Unit vectors of past variants, zero-padded to `stride`, in one
 * Float32Array: in a WebAssembly memory when SIMD is available (and the
 * index fits its 4 GiB), otherwise in an ordinary ArrayBuffer.
 */
export class VectorStore {
	readonly stride: number;
	/** Number of vectors stored. */
	n = 0;
	private memory: WasmMemory | null = null;
	private kernel: Scan4 | null = null;
	private view: Float32Array;
	/** Indices of the nonzero components of the vector being appended. */
	private readonly nonzeroAt: Uint32Array;

	constructor(
		readonly dims: number,
		simd: boolean,
	) {
		this.stride = strideOf(dims);
		this.nonzeroAt = new Uint32Array(dims);
		const initial = 64 * this.stride * 4;
		if (simd) {
			this.memory = createMemory(initial);
			this.kernel = this.memory ? createKernel(this.memory) : null;
			if (!this.kernel) this.memory = null;
		}
		this.view = this.memory ? new Float32Array(this.memory.buffer) : new Float32Array(initial / 4);
	}

	/** Bytes of the buffer the vectors live in (its whole capacity). */
	get bytes(): number {
		return this.memory ? this.memory.buffer.byteLength : this.view.byteLength;
	}

	/** Whether `approxScores` is available (WebAssembly SIMD). */
	get simd(): boolean {
		return this.kernel !== null;
	}

	/** All stored floats (vector d at d · stride). Re-read after any append: growing replaces the buffer. */
	get data(): Float32Array {
		if (this.memory && this.view.buffer !== this.memory.buffer) this.view = new Float32Array(this.memory.buffer);
		return this.view;
	}

	/** Appends a unit vector (length `dims`), or a zero row for `null`. */
	append(unit: Float32Array | null): void {
		const at = this.n * this.stride;
		this.reserve((at + this.stride) * 4);
		const data = this.data;
		// The area past the vectors is scratch for `approxScores`: clear it.
		if (unit) {
			data.set(unit, at);
			data.fill(0, at + this.dims, at + this.stride);
		} else {
			data.fill(0, at, at + this.stride);
		}
		this.n++;
	}

	/**
	 * Appends `count` zero rows in one step (restoring an index: the caller
	 * then writes the nonzero components of each row into `data`).
	 */
	appendZeros(count: number): void {
		const at = this.n * this.stride;
		this.reserve((at + count * this.stride) * 4);
		this.data.fill(0, at, at + count * this.stride);
		this.n += count;
	}

	/**
	 * Appends v / ‖v‖, the values `normalizeVector` gives, without the
	 * intermediate copy; returns how many stored components are nonzero.
	 * Throws, storing nothing, when a component is not finite. With `nz`, the
	 * nonzero dimensions are also written there, ascending, from `nzAt` (room
	 * for `dims` entries is the caller's).
	 */
	appendNormalized(v: ArrayLike<number>, nz?: Uint32Array, nzAt = 0): number {
		const dims = this.dims;
		if (v.length !== dims) throw new VectorFormatError(`Vector has ${v.length} dimensions, the store holds ${dims}.`);
		// One pass for ‖v‖ (`norm`'s sum; adding the +0 of a zero component
		// changes nothing) and the nonzero components, a second over those only.
		const idx = this.nonzeroAt;
		let m = 0;
		let sum = 0;
		let negativeZero = false;
		for (let i = 0; i < dims; i++) {
			const x = v[i]!;
			if (x !== 0) {
				sum += x * x;
				idx[m++] = i;
			} else if (Object.is(x, -0)) {
				negativeZero = true;
			}
		}
		const length = Math.sqrt(sum);
		if (!Number.isFinite(length)) throw new VectorFormatError('Vector has a non-finite component.');
		const at = this.n * this.stride;
		this.reserve((at + this.stride) * 4);
		const data = this.data;
		data.fill(0, at, at + this.stride);
		let nonzero = 0;
		if (length !== 0) {
			for (let k = 0; k < m; k++) {
				const i = idx[k]!;
				const y = Math.fround(v[i]! / length);
				data[at + i] = y;
				if (y !== 0) {
					if (nz) nz[nzAt + nonzero] = i;
					nonzero++;
				}
			}
			// −0 / length is −0, as `normalizeVector` stores it.
			if (negativeZero) for (let i = 0; i < dims; i++) if (Object.is(v[i], -0)) data[at + i] = -0;
		}
		this.n++;
		return nonzero;
	}

	/**
	 * Makes room for `count` vectors in all at once, at the capacity doubling
	 * would reach (so a large `add` grows the buffer once, not a dozen times
	 * with a copy each: one long block of the event loop less per growth).
	 */
	reserveFor(count: number): void {
		let capacity = Math.max(1, Math.floor(this.bytes / (this.stride * 4)));
		while (capacity < count) capacity *= 2;
		this.reserve(capacity * this.stride * 4);
	}

	/**
	 * Makes room for `bytes` bytes, doubling (smaller steps measured twice as
	 * slow to fill 100,000 vectors: growing copies); moves to an ordinary
	 * buffer when the WebAssembly memory cannot grow.
	 */
	private reserve(bytes: number): boolean {
		if (this.memory) {
			const have = this.memory.buffer.byteLength;
			if (bytes <= have) return true;
			const havePages = have / WASM_PAGE;
			const minPages = Math.ceil(bytes / WASM_PAGE) - havePages;
			for (const pages of [Math.min(Math.max(minPages, havePages), WASM_MAX_PAGES - havePages), minPages]) {
				if (pages < minPages) continue;
				try {
					this.memory.grow(pages);
					return true;
				} catch {
					// try the minimum, then fall back
				}
			}
			const plain = new Float32Array(Math.ceil(bytes / 4));
			plain.set(this.data.subarray(0, this.n * this.stride));
			this.memory = null;
			this.kernel = null;
			this.view = plain;
			return false;
		}
		if (bytes > this.view.byteLength) {
			const grown = new Float32Array(Math.max(Math.ceil(bytes / 4), this.view.length * 2));
			grown.set(this.view.subarray(0, this.n * this.stride));
			this.view = grown;
		}
		return true;
	}

	/**
	 * Float32 approximations of the dot products of each query (unit
	 * vectors, length `dims`) with every stored vector: row k holds query k's,
	 * each within `approxError(dims)` of `exactDot` (0 exactly when either
	 * vector is zero). Null without SIMD. The rows are views into the store's
	 * memory: valid until the next append or call.
	 */
	approxScores(queries: readonly Float32Array[]): Float32Array[] | null {
		if (!this.kernel || queries.length === 0) return this.kernel ? [] : null;
		const { n, stride, dims } = this;
		const vecBytes = n * stride * 4;
		const groups = Math.ceil(queries.length / GROUP);
		const qBase = vecBytes; // stride · 4 is a multiple of 16
		const outBase = qBase + groups * GROUP * stride * 4;
		if (!this.reserve(outBase + groups * GROUP * n * 4) || !this.kernel) return null;
		const kernel = this.kernel;
		const data = this.data;
		data.fill(0, qBase / 4, outBase / 4);
		queries.forEach((q, k) => {
			if (q.length !== dims) throw new RangeError(`Query has ${q.length} dimensions, the store holds ${dims}.`);
			data.set(q, qBase / 4 + k * stride);
		});
		const bytes = stride * 4;
		for (let start = 0; start < n; start += BLOCK) {
			const count = Math.min(BLOCK, n - start);
			for (let g = 0; g < groups; g++) kernel(start * bytes, count, bytes, qBase + g * GROUP * bytes, outBase + (g * GROUP * n + start) * 4, n * 4);
		}
		const buffer = this.data.buffer;
		return queries.map((_, k) => new Float32Array(buffer, outBase + k * n * 4, n));
	}

	/**
	 * Exact scores (`exactDot`, bit for bit) of each query with every stored
	 * vector, in portable JavaScript: 4 queries per pass over a stored vector,
	 * one float64 accumulator each, so each sum keeps its order.
	 */
	exactScores(queries: readonly Float32Array[]): Float64Array[] {
		const { n, stride, dims } = this;
		const data = this.data;
		const out = queries.map(() => new Float64Array(n));
		const q4 = new Float64Array(GROUP * dims);
		for (let g = 0; g < queries.length; g += GROUP) {
			const k = Math.min(GROUP, queries.length - g);
			q4.fill(0);
			for (let c = 0; c < k; c++) {
				const q = queries[g + c]!;
				for (let i = 0; i < dims; i++) q4[i * GROUP + c] = q[i]!;
			}
			const o0 = out[g]!;
			const o1 = out[g + Math.min(1, k - 1)]!;
			const o2 = out[g + Math.min(2, k - 1)]!;
			const o3 = out[g + Math.min(3, k - 1)]!;
			for (let d = 0; d < n; d++) {
				const base = d * stride;
				let s0 = 0;
				let s1 = 0;
				let s2 = 0;
				let s3 = 0;
				for (let i = 0, j = 0; i < dims; i++, j += GROUP) {
					const x = data[base + i]!;
					s0 += q4[j]! * x;
					s1 += q4[j + 1]! * x;
					s2 += q4[j + 2]! * x;
					s3 += q4[j + 3]! * x;
				}
				// Written last to first so that, with fewer than 4 queries, the real one wins.
				o3[d] = s3;
				o2[d] = s2;
				o1[d] = s1;
				o0[d] = s0;
			}
		}
		return out;
	}
}

/**
 * WebAssembly SIMD kernel for the dense semantic filter (see dense.ts): the
 * float32 dot products of 4 query vectors with a run of stored vectors, 4
 * dimensions per instruction (f32x4). It is not the semantic score (that is
 * the float64 sum in `exactDot`); dense.ts bounds its rounding error and
 * completes the few pairs where the difference could matter.
 *
 * The module is assembled here from bytes (one function, ~450 bytes, no
 * toolchain, no file to ship) and compiled once per process. Without
 * WebAssembly or SIMD support `createKernel` returns null and callers use
 * the portable exact scan.
 *
 * The function, as WebAssembly text:
 *
 *   (func (export "scan4") (param $v i32) (param $count i32) (param $bytes i32)
 *         (param $q i32) (param $out i32) (param $row i32)
 *     ;; for each of $count vectors at $v, $v + $bytes, …:
 *     ;;   acc_k = Σ_j f32x4(q_k[j]) * f32x4(v[j])   k = 0..3, q_k = $q + k·$bytes
 *     ;;   out[k·$row] = ((acc_k.0 + acc_k.1) + acc_k.2) + acc_k.3; $out += 4
 *   )
 *
 * `$bytes` (bytes per vector) must be a positive multiple of 16: vectors are
 * stored padded with zeros to a multiple of 4 dimensions.
 */

/** The subset of the WebAssembly JS API used here (the project's TS libs do not declare it). */
interface WasmApi {
	Module: new (bytes: Uint8Array) => object;
	Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
	Memory: new (descriptor: { initial: number; maximum?: number }) => WasmMemory;
	validate(bytes: Uint8Array): boolean;
}

export interface WasmMemory {
	readonly buffer: ArrayBuffer;
	grow(pages: number): number;
}

/** Scores 4 queries against `count` stored vectors; all arguments are byte offsets or counts. */
export type Scan4 = (v: number, count: number, bytes: number, q: number, out: number, row: number) => void;

export const WASM_PAGE = 65_536;
/** 4 GiB, the most a 32-bit WebAssembly memory can address. */
export const WASM_MAX_PAGES = 65_536;

const wasm = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;

const uleb = (x: number): number[] => {
	const out: number[] = [];
	do {
		let b = x & 0x7f;
		x >>>= 7;
		if (x) b |= 0x80;
		out.push(b);
	} while (x);
	return out;
};
type Code = number | Code[];
const flat = (code: Code[]): number[] => code.flat(Infinity as 1) as number[];
const vec = (items: Code[][]): number[] => [...uleb(items.length), ...items.flatMap(flat)];
const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];
const name = (s: string): number[] => [...uleb(s.length), ...Array.from(s, (c) => c.charCodeAt(0))];

const I32 = 0x7f;
const V128 = 0x7b;
const op = {
	get: (i: number): Code => [0x20, ...uleb(i)],
	set: (i: number): Code => [0x21, ...uleb(i)],
	tee: (i: number): Code => [0x22, ...uleb(i)],
	i32: (x: number): Code => [0x41, ...uleb(x)], // only small non-negative constants (< 64) are used
	add: 0x6a,
	sub: 0x6b,
	eqz: 0x45,
	ltU: 0x49,
	block: [0x02, 0x40],
	loop: [0x03, 0x40],
	end: 0x0b,
	br: (depth: number): Code => [0x0c, depth],
	brIf: (depth: number): Code => [0x0d, depth],
	v128Load: [0xfd, 0x00, 0x00, 0x00], // align 1, offset 0
	v128Zero: [0xfd, 0x0c, ...new Array<number>(16).fill(0)],
	f32x4Add: [0xfd, ...uleb(228)],
	f32x4Mul: [0xfd, ...uleb(230)],
	lane: (l: number): Code => [0xfd, ...uleb(31), l], // f32x4.extract_lane
	f32Add: 0x92,
	f32Store: [0x38, 0x02, 0x00], // align 4, offset 0
};

/** The module's bytes. Exported for the tests. */
export function scan4Module(): Uint8Array {
	// Locals: params 0–5, then i32 j, q1, q2, q3, r2, r3, then v128 a0–a3, x.
	const [v, count, bytes, q, out, row, j, q1, q2, q3, r2, r3, a0, a1, a2, a3, x] = Array.from({ length: 17 }, (_, i) => i) as [number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number];
	const acc = (a: number, qp: number): Code[] => [op.get(a), op.get(qp), op.get(j), op.add, op.v128Load, op.get(x), op.f32x4Mul, op.f32x4Add, op.set(a)];
	const hsum = (a: number): Code[] => [op.get(a), op.lane(0), op.get(a), op.lane(1), op.f32Add, op.get(a), op.lane(2), op.f32Add, op.get(a), op.lane(3), op.f32Add];
	const body: Code[] = [
		[op.get(q), op.get(bytes), op.add, op.set(q1)],
		[op.get(q1), op.get(bytes), op.add, op.set(q2)],
		[op.get(q2), op.get(bytes), op.add, op.set(q3)],
		[op.get(row), op.get(row), op.add, op.set(r2)],
		[op.get(r2), op.get(row), op.add, op.set(r3)],
		op.block,
		op.loop,
		[op.get(count), op.eqz, op.brIf(1)],
		[op.v128Zero, op.set(a0), op.v128Zero, op.set(a1), op.v128Zero, op.set(a2), op.v128Zero, op.set(a3)],
		[op.i32(0), op.set(j)],
		op.loop,
		[op.get(v), op.get(j), op.add, op.v128Load, op.set(x)],
		acc(a0, q),
		acc(a1, q1),
		acc(a2, q2),
		acc(a3, q3),
		[op.get(j), op.i32(16), op.add, op.tee(j), op.get(bytes), op.ltU, op.brIf(0)],
		op.end,
		[op.get(out), hsum(a0), op.f32Store],
		[op.get(out), op.get(row), op.add, hsum(a1), op.f32Store],
		[op.get(out), op.get(r2), op.add, hsum(a2), op.f32Store],
		[op.get(out), op.get(r3), op.add, hsum(a3), op.f32Store],
		[op.get(out), op.i32(4), op.add, op.set(out)],
		[op.get(v), op.get(bytes), op.add, op.set(v)],
		[op.get(count), op.i32(1), op.sub, op.set(count)],
		op.br(0),
		op.end,
		op.end,
	];
	const fn = [...vec([[6, I32], [5, V128]].map(([n, t]) => [n!, t!])), ...flat(body), op.end];
	return new Uint8Array([
		...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
		...section(1, vec([[0x60, vec(Array.from({ length: 6 }, () => [I32])), 0x00]])), // type: (i32 × 6) → ()
		...section(2, vec([[name('env'), name('memory'), 0x02, 0x00, 0x00]])), // import env.memory, min 0 pages
		...section(3, vec([[0x00]])), // one function of type 0
		...section(7, vec([[name('scan4'), 0x00, 0x00]])), // export it
		...section(10, vec([[uleb(fn.length), fn]])),
	]);
}

let compiled: object | null | undefined;

function compiledModule(): object | null {
	if (compiled === undefined) {
		try {
			const bytes = scan4Module();
			compiled = wasm && wasm.validate(bytes) ? new wasm.Module(bytes) : null;
		} catch {
			compiled = null;
		}
	}
	return compiled;
}

/** Whether this runtime can run the kernel (WebAssembly with SIMD). */
export function simdAvailable(): boolean {
	return compiledModule() !== null;
}

/** A growable WebAssembly memory of at least `bytes`, or null when none can be had. */
export function createMemory(bytes: number): WasmMemory | null {
	if (!wasm || !simdAvailable()) return null;
	const pages = Math.max(1, Math.ceil(bytes / WASM_PAGE));
	if (pages > WASM_MAX_PAGES) return null;
	try {
		return new wasm.Memory({ initial: pages, maximum: WASM_MAX_PAGES });
	} catch {
		return null;
	}
}

/** The kernel bound to `memory`, or null without WebAssembly SIMD. */
export function createKernel(memory: WasmMemory): Scan4 | null {
	const module = compiledModule();
	if (!wasm || !module) return null;
	try {
		return new wasm.Instance(module, { env: { memory } }).exports.scan4 as Scan4;
	} catch {
		return null;
	}
}

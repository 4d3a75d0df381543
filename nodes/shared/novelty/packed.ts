/**
 * Stored vectors as bytes: the `creative_variants.embedding_f32` layout
 * (migration 20250612000000_creative_vector_bytes.sql writes it from
 * `embedding` in the database). The float32 values are those of the
 * `real[]` column, bit for bit, so a vector read from either is the same
 * `Float32Array`.
 *
 * Layout (big-endian, as PostgreSQL's float4send / int4send / int2send):
 * - byte 0: 1 = dense, 2 = sparse
 * - bytes 1–4: the number of components (int4)
 * - dense: every component, float4
 * - sparse: each component whose bits are not all zero (−0 kept), in
 *   ascending order: its 0-based position (int2), its value (float4)
 */
import { VectorFormatError } from './semantic';

export const PACKED_DENSE = 1;
export const PACKED_SPARSE = 2;

/** `\x0102…` (bytea as JSON and PostgREST give it) or bytes, as bytes. */
export function byteaBytes(value: Uint8Array | string): Uint8Array {
	if (typeof value !== 'string') return value;
	if (!value.startsWith('\\x') || value.length % 2 !== 0) throw new VectorFormatError('A packed vector must be bytes or bytea hex (\\x…).');
	return Buffer.from(value.slice(2), 'hex');
}

/** The vector of `embedding_f32` bytes. Throws VectorFormatError when they do not follow the layout. */
export function unpackStoredVector(value: Uint8Array | string): Float32Array {
	const bytes = byteaBytes(value);
	if (bytes.length < 5) throw new VectorFormatError('A packed vector has a 5-byte header.');
	const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
	const format = view.getUint8(0);
	const n = view.getInt32(1, false);
	if (n < 0) throw new VectorFormatError('A packed vector has a negative length.');
	const out = new Float32Array(n);
	if (format === PACKED_DENSE) {
		if (bytes.length !== 5 + 4 * n) throw new VectorFormatError(`A dense packed vector of ${n} components has ${5 + 4 * n} bytes, not ${bytes.length}.`);
		for (let i = 0, o = 5; i < n; i++, o += 4) out[i] = view.getFloat32(o, false);
		return out;
	}
	if (format === PACKED_SPARSE) {
		if ((bytes.length - 5) % 6 !== 0) throw new VectorFormatError('A sparse packed vector has 6 bytes per stored component.');
		let prev = -1;
		for (let o = 5; o < bytes.length; o += 6) {
			const i = view.getInt16(o, false);
			if (i <= prev || i >= n) throw new VectorFormatError('A sparse packed vector lists positions in ascending order within its length.');
			out[i] = view.getFloat32(o + 2, false);
			prev = i;
		}
		return out;
	}
	throw new VectorFormatError(`Unknown packed vector format ${format}.`);
}

/** The bytes the database stores for `vector` (the same choice of layout); for tests and tools. */
export function packStoredVector(vector: Float32Array | readonly number[]): Uint8Array {
	const v = vector instanceof Float32Array ? vector : Float32Array.from(vector);
	const bits = new Uint32Array(v.buffer, v.byteOffset, v.length);
	let nz = 0;
	for (let i = 0; i < bits.length; i++) if (bits[i] !== 0) nz++;
	const sparse = v.length <= 32767 && 6 * nz < 4 * v.length;
	const bytes = new Uint8Array(5 + (sparse ? 6 * nz : 4 * v.length));
	const view = new DataView(bytes.buffer);
	view.setUint8(0, sparse ? PACKED_SPARSE : PACKED_DENSE);
	view.setInt32(1, v.length, false);
	let o = 5;
	for (let i = 0; i < v.length; i++) {
		if (sparse) {
			if (bits[i] === 0) continue;
			view.setInt16(o, i, false);
			o += 2;
		}
		view.setFloat32(o, v[i]!, false);
		o += 4;
	}
	return bytes;
}

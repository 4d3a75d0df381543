// Node parameters as the core needs them. An expression can hand a node any
// value: n8n checks a parameter's type only when it declares `validateType`,
// so a "number" can arrive as "abc" and a "json" parameter as text. These turn
// such values into a clear error naming the parameter, never NaN or a guess.

/** A parameter value the node cannot use; the router reports it as a NodeOperationError with the item's index. */
export class ParameterError extends Error {
	override name = 'ParameterError';
}

export interface NumberBounds {
	min?: number;
	max?: number;
	integer?: boolean;
}

function describeBounds(b: NumberBounds): string {
	const kind = b.integer ? 'a whole number' : 'a number';
	if (b.min !== undefined && b.max !== undefined) return `${kind} from ${b.min} to ${b.max}`;
	if (b.min !== undefined) return `${kind} of at least ${b.min}`;
	if (b.max !== undefined) return `${kind} of at most ${b.max}`;
	return kind;
}

/**
 * A number parameter or option: a number, or text holding one. Empty
 * (undefined, null, blank text) gives `fallback`; anything else that is not a
 * number within `bounds` throws an error naming `label` and the value.
 */
export function numberParam<F extends number | undefined>(value: unknown, label: string, fallback: F, bounds: NumberBounds = {}): number | F {
	if (value === undefined || value === null || (typeof value === 'string' && !value.trim())) return fallback;
	const n = typeof value === 'number' ? value : typeof value === 'string' ? Number(value.trim()) : NaN;
	const ok = Number.isFinite(n) && (!bounds.integer || Number.isInteger(n)) && (bounds.min === undefined || n >= bounds.min) && (bounds.max === undefined || n <= bounds.max);
	const shown = typeof value === 'string' ? `"${value}"` : typeof value === 'number' ? String(value) : (JSON.stringify(value) ?? String(value));
	if (!ok) throw new ParameterError(`${label} must be ${describeBounds(bounds)}; got ${shown}`);
	return n;
}

/**
 * A JSON parameter: text is parsed (n8n hands over what was typed), any other
 * value is taken as it is (an expression's result). Blank text is undefined.
 */
export function jsonParam(value: unknown, label: string): unknown {
	if (typeof value !== 'string') return value;
	if (!value.trim()) return undefined;
	let problem: string;
	try {
		return JSON.parse(value);
	} catch (error) {
		problem = (error as Error).message;
	}
	throw new ParameterError(`${label} is not valid JSON: ${problem}`);
}

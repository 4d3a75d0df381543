/** Request headers as Node and n8n hand them over: any case, a value or a list. */
export type RequestHeaders = Record<string, string | string[] | undefined>;

/** A header's single value (case-insensitive name); undefined when absent or given more than once. */
export function requestHeader(headers: RequestHeaders | undefined, name: string): string | undefined {
	if (!headers || typeof headers !== 'object') return undefined;
	const wanted = name.toLowerCase();
	for (const [key, value] of Object.entries(headers)) {
		if (key.toLowerCase() !== wanted) continue;
		if (Array.isArray(value)) return value.length === 1 && typeof value[0] === 'string' ? value[0] : undefined;
		return typeof value === 'string' ? value : undefined;
	}
	return undefined;
}

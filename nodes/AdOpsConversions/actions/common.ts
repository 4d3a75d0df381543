import type { INodeProperties } from 'n8n-workflow';
import { DEFAULT_CONVERSION_TYPES, DEFAULT_TOUCH_TYPES } from '../../shared/attribution/stitch';
import { EVENT_TYPES } from '../../shared/events/rows';
import { ParameterError } from '../../common/params';

/** The event types that can be conversions: every type the events trigger takes except the touches (impression, click). */
export const CONVERSION_TYPE_OPTIONS = EVENT_TYPES.filter((t) => !DEFAULT_TOUCH_TYPES.includes(t)).map((t) => ({ name: t.replace(/^./, (c) => c.toUpperCase()), value: t }));

/** Conversion Types, shared by Attribute Conversions and First-Party Metrics. */
export const conversionTypes: INodeProperties = {
	displayName: 'Conversion Types',
	name: 'conversionTypes',
	type: 'multiOptions',
	default: [...DEFAULT_CONVERSION_TYPES],
	options: CONVERSION_TYPE_OPTIONS,
	description: 'Which first-party events count as conversions (a custom event counts under its type "custom")',
	displayOptions: { show: { operation: ['attribute', 'metrics'] } },
};

/** The Conversion Types parameter, checked: at least one, each a conversion type. */
export function conversionTypesOf(value: unknown): string[] {
	const list = Array.isArray(value) ? value.map(String) : typeof value === 'string' && value.trim() ? value.split(',').map((s) => s.trim()) : [];
	const allowed = CONVERSION_TYPE_OPTIONS.map((o) => o.value as string);
	const wrong = list.filter((t) => !allowed.includes(t));
	if (wrong.length) throw new ParameterError(`Conversion Types must be among ${allowed.join(', ')}; got ${wrong.map((w) => `"${w}"`).join(', ')}`);
	if (list.length === 0) throw new ParameterError(`Conversion Types is empty: choose at least one of ${allowed.join(', ')}`);
	return list;
}

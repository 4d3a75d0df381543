// The AdOps Store credential's Quotas (nodes/common/shared-limits.ts): what a person types there is
// checked before any request, and a mistake reads as one sentence naming the field and the entry
// (a bare "Unexpected token" or "Cannot read properties of null" told nobody where to look).
import { test, expect } from 'vitest';
import { parseQuotas, sharedLimitsFromCredential } from '../../nodes/common/shared-limits';

test('valid quotas pass through, an empty field is no override', () => {
	const quotas = { 'google_ads:search': { windows: [{ points: 100, durationMs: 60_000 }], source: 'test' } };
	expect(parseQuotas(JSON.stringify(quotas))).toEqual(quotas);
	expect(parseQuotas(quotas)).toEqual(quotas);
	expect(parseQuotas('')).toEqual({});
	expect(parseQuotas(undefined)).toEqual({});
});

test('text that is not JSON names the Quotas field and what is wrong', () => {
	expect(() => parseQuotas('{"meta": {windows: []}')).toThrow(/^Quotas \(AdOps Store credential\) is not valid JSON: ./);
});

test('an object of the wrong shape is refused in words', () => {
	expect(() => parseQuotas('[1, 2]')).toThrow('Quotas must be an object keyed by platform or platform:endpoint');
	expect(() => parseQuotas('"meta"')).toThrow('Quotas must be an object keyed by platform or platform:endpoint');
});

test.each([
	['no windows', { meta: { source: 'x' } }],
	['a null entry', { meta: null }],
	['a null window', { meta: { windows: [null] } }],
	['fractional points', { meta: { windows: [{ points: 1.5, durationMs: 1000 }] } }],
	['zero points', { meta: { windows: [{ points: 0, durationMs: 1000 }] } }],
	['a duration given as text', { meta: { windows: [{ points: 10, durationMs: '1000' }] } }],
	['no duration', { meta: { windows: [{ points: 10 }] } }],
])('%s: the entry is named, with the shape it needs', (_what, quotas) => {
	expect(() => parseQuotas(JSON.stringify(quotas))).toThrow(/^Quotas: "meta" needs windows like \[\{"points": 300, "durationMs": 3600000\}\]/);
});

test('the credential with bad Quotas fails before any limits are made, with the same words', () => {
	expect(() => sharedLimitsFromCredential({ sharedLimits: 'memory', quotas: '{"meta": ' })).toThrow(/^Quotas \(AdOps Store credential\) is not valid JSON/);
});

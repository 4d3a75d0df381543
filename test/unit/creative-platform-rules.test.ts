import assert from 'node:assert/strict';
import { describe, test } from 'vitest';
import fc from 'fast-check';
import {
	CreativeConfigError,
	checkPlatformRules,
	describeRules,
	duplicateKey,
	hasHardViolation,
	platformRules,
	type CreativeVariant,
	type RuleViolation,
} from '../../nodes/shared/creative';

const E_ACUTE = 'e\u0301'; // one character, two code units
const FAMILY = '👨‍👩‍👧‍👦'; // one character, eleven code units
const rep = (unit: string, n: number) => unit.repeat(n);

function googleVariant(patch: Partial<CreativeVariant> = {}): CreativeVariant {
	return {
		headlines: ['Project plans in minutes', 'Boards, docs and timelines', 'Try it free for 14 days'],
		descriptions: ['Plan, track and ship work in one place.', 'Templates for every team, set up in five minutes.'],
		primaryText: null,
		callToAction: null,
		copyAngle: 'time saved',
		rationale: 'Short, concrete benefits.',
		...patch,
	};
}

function socialVariant(patch: Partial<CreativeVariant> = {}): CreativeVariant {
	return {
		headlines: ['Plan projects in minutes'],
		descriptions: [],
		primaryText: 'Boards, timelines and docs in one place.',
		callToAction: 'Learn more',
		copyAngle: 'time saved',
		rationale: 'Concrete benefit.',
		...patch,
	};
}

const only = (vs: RuleViolation[], rule: string) => vs.filter((v) => v.rule === rule);

describe('creative platform rules: Google responsive search ads', () => {
	const rules = platformRules('google_ads');

	test('the default variant passes', () => {
		assert.deepEqual(checkPlatformRules(googleVariant(), rules), []);
	});

	for (const [n, ok] of [
		[29, true],
		[30, true],
		[31, false],
	] as const) {
		test(`headline of ${n} characters (combining marks, ${n * 2} code units) ${ok ? 'passes' : 'fails'}`, () => {
			const v = googleVariant({ headlines: ['Plans in minutes', rep(E_ACUTE, n), 'Start today'] });
			const vs = checkPlatformRules(v, rules);
			if (ok) assert.deepEqual(vs, []);
			else
				assert.deepEqual(vs, [
					{ field: 'headlines', index: 1, rule: 'max_length', severity: 'hard', limit: 30, actual: n, unit: 'google_width', message: vs[0].message },
				]);
		});
	}

	test('CJK counts twice for Google: 15 Han characters pass, 16 fail with actual 32', () => {
		assert.deepEqual(checkPlatformRules(googleVariant({ headlines: [rep('日', 15), 'B', 'C'] }), rules), []);
		const [v] = checkPlatformRules(googleVariant({ headlines: [rep('日', 16), 'B', 'C'] }), rules);
		assert.equal(v.rule, 'max_length');
		assert.equal(v.actual, 32);
		assert.equal(v.limit, 30);
		assert.match(v.message, /count as 2/);
	});

	for (const [n, ok] of [
		[89, true],
		[90, true],
		[91, false],
	] as const) {
		test(`description of ${n} characters ${ok ? 'passes' : 'fails'}`, () => {
			const vs = checkPlatformRules(googleVariant({ descriptions: ['Short one.', rep('x', n)] }), rules);
			assert.equal(vs.length, ok ? 0 : 1);
			if (!ok) assert.deepEqual([vs[0].field, vs[0].index, vs[0].rule, vs[0].severity, vs[0].limit, vs[0].actual], ['descriptions', 1, 'max_length', 'hard', 90, n]);
		});
	}

	const headlines = (n: number) => Array.from({ length: n }, (_, i) => `Headline number ${i + 1}`);
	const descriptions = (n: number) => Array.from({ length: n }, (_, i) => `Description number ${i + 1}.`);

	for (const [n, rule] of [
		[2, 'min_count'],
		[3, null],
		[15, null],
		[16, 'max_count'],
	] as const) {
		test(`${n} headlines: ${rule ?? 'ok'}`, () => {
			const vs = checkPlatformRules(googleVariant({ headlines: headlines(n) }), rules);
			if (rule === null) assert.deepEqual(vs, []);
			else assert.deepEqual(vs.map((v) => [v.field, v.index, v.rule, v.severity, v.limit, v.actual]), [['headlines', null, rule, 'hard', rule === 'min_count' ? 3 : 15, n]]);
		});
	}

	for (const [n, rule] of [
		[1, 'min_count'],
		[2, null],
		[4, null],
		[5, 'max_count'],
	] as const) {
		test(`${n} descriptions: ${rule ?? 'ok'}`, () => {
			const vs = checkPlatformRules(googleVariant({ descriptions: descriptions(n) }), rules);
			if (rule === null) assert.deepEqual(vs, []);
			else assert.deepEqual(vs.map((v) => [v.field, v.index, v.rule, v.limit, v.actual]), [['descriptions', null, rule, rule === 'min_count' ? 2 : 4, n]]);
		});
	}

	test('exact duplicates ignore case and spacing but not punctuation', () => {
		assert.equal(duplicateKey('  Save   NOW '), 'save now');
		const vs = checkPlatformRules(googleVariant({ headlines: ['Save now', 'Other headline', ' save\u00A0  NOW ', 'Save now!'] }), rules);
		assert.deepEqual(
			vs.map((v) => [v.index, v.rule, v.duplicateOf]),
			[[2, 'duplicate', 0]],
		);
		const ds = checkPlatformRules(googleVariant({ descriptions: ['Same text.', 'same TEXT.'] }), rules);
		assert.deepEqual(
			ds.map((v) => [v.field, v.index, v.rule, v.duplicateOf]),
			[['descriptions', 1, 'duplicate', 0]],
		);
	});

	test('emoji are refused in Google headlines, ™ and ® are not', () => {
		assert.deepEqual(checkPlatformRules(googleVariant({ headlines: ['Acme™ Boards®', 'B', 'C'] }), rules), []);
		const vs = checkPlatformRules(googleVariant({ headlines: ['Ship faster 🚀', 'B', 'C'] }), rules);
		assert.deepEqual(vs.map((v) => [v.index, v.rule, v.severity]), [[0, 'emoji', 'hard']]);
		assert.deepEqual(checkPlatformRules(googleVariant({ headlines: ['Ship faster 🚀', 'B', 'C'] }), platformRules('google_ads', { emojiAllowed: true })), []);
	});

	test('empty and multi-line texts are hard violations', () => {
		const vs = checkPlatformRules(googleVariant({ headlines: ['  ', 'Two\nlines', 'C'] }), rules);
		assert.deepEqual(vs.map((v) => [v.index, v.rule, v.severity]), [
			[0, 'empty', 'hard'],
			[1, 'line_break', 'hard'],
		]);
	});

	test('a primary text on a Google variant is a warning, not a failure', () => {
		const vs = checkPlatformRules(googleVariant({ primaryText: 'Not used by search ads' }), rules);
		assert.deepEqual(vs.map((v) => [v.field, v.rule, v.severity]), [['primaryText', 'unused_field', 'recommended']]);
		assert.equal(hasHardViolation(vs), false);
	});

	test('property: a headline of n characters fails exactly when n > 30, with its true length', () => {
		fc.assert(
			fc.property(fc.integer({ min: 1, max: 70 }), fc.constantFrom('a', E_ACUTE, 'Ö', 'ß'), (n, unit) => {
				const vs = checkPlatformRules(googleVariant({ headlines: [rep(unit, n), 'B', 'C'] }), rules);
				if (n <= 30) assert.deepEqual(vs, []);
				else assert.deepEqual(vs.map((v) => [v.rule, v.actual, v.limit]), [['max_length', n, 30]]);
			}),
			{ numRuns: 200 },
		);
	});
});

describe('creative platform rules: Meta', () => {
	const rules = platformRules('meta');

	test('the default variant passes', () => {
		assert.deepEqual(checkPlatformRules(socialVariant(), rules), []);
	});

	for (const [n, ok] of [
		[39, true],
		[40, true],
		[41, false],
	] as const) {
		test(`headline of ${n} family emoji (${n * 11} code units) ${ok ? 'passes' : 'fails'}`, () => {
			const vs = checkPlatformRules(socialVariant({ headlines: [rep(FAMILY, n)] }), rules);
			if (ok) assert.deepEqual(vs, []);
			else assert.deepEqual(vs.map((v) => [v.field, v.index, v.rule, v.severity, v.limit, v.actual, v.unit]), [['headlines', 0, 'max_length', 'hard', 40, n, 'graphemes']]);
		});
	}

	test('primary text: 125 ok, 126 a recommendation warning, default hard limit 2200', () => {
		assert.deepEqual(checkPlatformRules(socialVariant({ primaryText: rep('🇩🇪', 125) }), rules), []);
		const warn = checkPlatformRules(socialVariant({ primaryText: rep('🇩🇪', 126) }), rules);
		assert.deepEqual(warn.map((v) => [v.field, v.index, v.rule, v.severity, v.limit, v.actual]), [['primaryText', null, 'max_length', 'recommended', 125, 126]]);
		assert.equal(hasHardViolation(warn), false);
		assert.equal(checkPlatformRules(socialVariant({ primaryText: rep('x', 2200) }), rules)[0].severity, 'recommended');
		const hard = checkPlatformRules(socialVariant({ primaryText: rep('x', 2201) }), rules);
		assert.deepEqual(hard.map((v) => [v.severity, v.limit, v.actual]), [['hard', 2200, 2201]]);
	});

	test('the primary text hard limit is configurable, and only the hard violation is reported above it', () => {
		const custom = platformRules('meta', { primaryTextLength: { hard: 200 } });
		assert.deepEqual(checkPlatformRules(socialVariant({ primaryText: rep('y', 200) }), custom).map((v) => [v.severity, v.limit]), [['recommended', 125]]);
		assert.deepEqual(checkPlatformRules(socialVariant({ primaryText: rep('y', 201) }), custom).map((v) => [v.severity, v.limit, v.actual]), [['hard', 200, 201]]);
		const none = platformRules('meta', { primaryTextLength: { hard: null } });
		assert.equal(checkPlatformRules(socialVariant({ primaryText: rep('y', 10_000) }), none)[0].severity, 'recommended');
	});

	test('one headline, at most one description, primary text required', () => {
		assert.deepEqual(checkPlatformRules(socialVariant({ headlines: [] }), rules).map((v) => [v.rule, v.limit, v.actual]), [['min_count', 1, 0]]);
		assert.deepEqual(checkPlatformRules(socialVariant({ headlines: ['A', 'B'] }), rules).map((v) => [v.rule, v.limit, v.actual]), [['max_count', 1, 2]]);
		assert.deepEqual(checkPlatformRules(socialVariant({ descriptions: ['One'] }), rules), []);
		assert.deepEqual(checkPlatformRules(socialVariant({ descriptions: ['One', 'Two'] }), rules).map((v) => [v.field, v.rule]), [['descriptions', 'max_count']]);
		assert.deepEqual(checkPlatformRules(socialVariant({ primaryText: null }), rules).map((v) => [v.field, v.rule, v.severity]), [['primaryText', 'required', 'hard']]);
		assert.deepEqual(checkPlatformRules(socialVariant({ primaryText: ' ' }), rules).map((v) => [v.field, v.rule]), [['primaryText', 'empty']]);
	});

	test('description: 30 recommended', () => {
		assert.deepEqual(checkPlatformRules(socialVariant({ descriptions: [rep('d', 30)] }), rules), []);
		assert.deepEqual(checkPlatformRules(socialVariant({ descriptions: [rep('d', 31)] }), rules).map((v) => [v.severity, v.limit, v.actual]), [['recommended', 30, 31]]);
	});

	test('emoji are fine on Meta; primary text may have line breaks', () => {
		assert.deepEqual(checkPlatformRules(socialVariant({ headlines: ['Ship faster 🚀'], primaryText: 'Line one\nLine two' }), rules), []);
	});
});

describe('creative platform rules: LinkedIn', () => {
	const rules = platformRules('linkedin');

	for (const [n, severity] of [
		[150, null],
		[151, 'recommended'],
		[600, 'recommended'],
		[601, 'hard'],
	] as const) {
		test(`intro text of ${n} characters: ${severity ?? 'ok'}`, () => {
			const vs = checkPlatformRules(socialVariant({ primaryText: rep('👍🏽', n) }), rules);
			if (severity === null) assert.deepEqual(vs, []);
			else assert.deepEqual(vs.map((v) => [v.field, v.severity, v.limit, v.actual]), [['primaryText', severity, severity === 'hard' ? 600 : 150, n]]);
		});
	}

	for (const [n, ok] of [
		[69, true],
		[70, true],
		[71, false],
	] as const) {
		test(`headline of ${n} characters ${ok ? 'passes' : 'fails'}`, () => {
			const vs = checkPlatformRules(socialVariant({ headlines: [rep('é', n)] }), rules);
			if (ok) assert.deepEqual(vs, []);
			else assert.deepEqual(vs.map((v) => [v.rule, v.severity, v.limit, v.actual]), [['max_length', 'hard', 70, n]]);
		});
	}
});

describe('creative platform rules: configuration and guarantees', () => {
	test('invalid overrides are refused', () => {
		assert.throws(() => platformRules('meta', { primaryTextLength: { hard: 100 } }), CreativeConfigError); // below the 125 recommendation
		assert.throws(() => platformRules('google_ads', { headlineCount: { min: 5, max: 4 } }), /min \(5\) is above max/);
		assert.throws(() => platformRules('google_ads', { headlineLength: { hard: 0 } }), /positive whole number/);
		assert.throws(() => platformRules('google_ads', { headlineLength: { hard: 12.5 } }), /positive whole number/);
		assert.throws(() => platformRules('klaviyo' as never), /no creative rules/);
		assert.equal(platformRules('google_ads', { headlineLength: { hard: 25 } }).headlines.length.hard, 25);
	});

	test('checking never changes the variant, even when it fails everything', () => {
		const v = Object.freeze(
			googleVariant({
				headlines: Object.freeze([rep('x', 500), rep('x', 500), '']) as unknown as string[],
				descriptions: Object.freeze([rep('y', 900)]) as unknown as string[],
			}),
		);
		const before = JSON.stringify(v);
		const vs = checkPlatformRules(v, platformRules('google_ads'));
		assert.equal(JSON.stringify(v), before);
		assert.deepEqual(only(vs, 'max_length').map((x) => x.actual), [500, 500, 900]);
	});

	test('the prompt describes the same numbers the check uses', () => {
		const text = describeRules(platformRules('google_ads', { headlineLength: { hard: 25 } })).join('\n');
		assert.match(text, /between 3 and 15 headline\(s\), each at most 25 characters, all different/);
		assert.match(text, /between 2 and 4 description\(s\), each at most 90 characters/);
		assert.match(text, /counts as 2/);
		assert.match(describeRules(platformRules('meta')).join('\n'), /primaryText: required, at most 2200 characters, ideally at most 125/);
	});
});

import assert from 'node:assert/strict';
import { describe, test } from 'vitest';
import fc from 'fast-check';
import {
	CreativeConfigError,
	DEFAULT_POLICY_RULES,
	PolicyLinter,
	foldText,
	hasBlockingFinding,
	lintPolicy,
	type PolicyFinding,
	type PolicyOptions,
} from '../../nodes/shared/creative';

function lint(text: string, options: PolicyOptions = {}): PolicyFinding[] {
	return lintPolicy([{ field: 'primaryText', index: null, text }], options);
}
const ids = (text: string, options?: PolicyOptions) => lint(text, options).map((f) => f.ruleId);
const matches = (text: string, options?: PolicyOptions) => lint(text, options).map((f) => [f.ruleId, f.match]);

describe('creative policy: default rules', () => {
	const positives: Array<[string, string, string]> = [
		['guarantee', 'Results guaranteed in 30 days', 'guaranteed'],
		['guarantee', 'Our guarantee: you will love it', 'guarantee'],
		['guarantee', 'We GUARANTEE it', 'GUARANTEE'],
		['risk_free', 'Start a risk-free trial', 'risk-free'],
		['risk_free', 'Completely risk free', 'risk free'],
		['risk_free', 'Try it with zero risk', 'zero risk'],
		['superlative', 'The best CRM for small teams', 'best'],
		['superlative', 'The #1 CRM for small teams', '#1'],
		['superlative', 'Rated number one by users', 'number one'],
		['superlative', 'A top-rated planner', 'top-rated'],
		['superlative', 'The best-selling planner', 'best'],
		['cure', 'It cures back pain', 'cures'],
		['cure', 'A cure for tired feet', 'cure'],
		['miracle', 'A miracle for your skin', 'miracle'],
		['miracle', 'Miraculous results overnight', 'Miraculous'],
		['personal_attributes', 'Are you struggling with debt?', 'Are you struggling with debt'],
		['personal_attributes', 'Other diabetics swear by it', 'Other diabetics'],
		['personal_attributes', 'Rebuild your life after your bankruptcy', 'your bankruptcy'],
		['personal_attributes', "You're in debt and we can help", "You're in debt"],
		['personal_attributes', 'Struggling with acne? Try this.', 'Struggling with acne?'],
		['personal_attributes', 'As a diabetic, you know the drill', 'As a diabetic,'],
		['personal_attributes', 'Meet other Christian singles', 'other Christian singles'],
		['personal_attributes', 'Are you over 50?', 'Are you over 50'],
		['personal_attributes', 'You have diabetes, we have answers', 'You have diabetes'],
	];
	for (const [rule, text, match] of positives) {
		test(`${rule}: flags "${text}"`, () => {
			const found = lint(text).filter((f) => f.ruleId === rule);
			assert.equal(found.length, 1, JSON.stringify(lint(text)));
			assert.equal(found[0].match, match);
			assert.equal(found[0].severity, 'block');
			assert.equal(text.slice(found[0].start, found[0].end), match);
			assert.ok(found[0].reason.length > 20);
			assert.equal(found[0].field, 'primaryText');
			assert.ok(found[0].message.includes(match));
		});
	}

	const negatives: string[] = [
		'Secure checkout, manicure sets and procurement tools', // cure inside words
		'Curated picks, accurate estimates', // cur… inside words
		'Bestow a gift; visit the bestiary', // best inside words
		'Best practices for remote teams', // exception
		'Do your best work here', // exception
		'Ask our guarantor program team', // not guarantee*
		'Manage risk. Free demo on request', // sentence punctuation is not a phrase gap
		'Riskier bets, freestyle plans',
		'Get out of debt faster with a plan', // no reader addressed
		'Diabetes-friendly recipes for everyone',
		'Are you ready for Black Friday?',
		'Your order ships today',
		'Other teams love our boards',
		'Are you ready to pay off the loan faster?',
		'Call 8357 today', // leet digits alone are never a word
		'Greatness takes planning',
		'Room number 12 is ready',
		'Join 10,000 teams, no. 12 on the list is yours',
	];
	for (const text of negatives) {
		test(`no finding in "${text}"`, () => {
			assert.deepEqual(lint(text), []);
		});
	}

	test('several findings in one text, in order, with offsets into the original', () => {
		const text = 'Guaranteed: the best, risk-free miracle cure.';
		const found = lint(text);
		assert.deepEqual(
			found.map((f) => [f.ruleId, f.match]),
			[
				['guarantee', 'Guaranteed'],
				['superlative', 'best'],
				['risk_free', 'risk-free'],
				['miracle', 'miracle'],
				['cure', 'cure'],
			],
		);
		for (const f of found) assert.equal(text.slice(f.start, f.end), f.match);
		assert.equal(hasBlockingFinding(found), true);
	});
});

describe('creative policy: obfuscation', () => {
	const cases: Array<[string, string, string]> = [
		['leetspeak', 'gu4r4nt33d returns', 'guarantee'],
		['leet with symbols', 'Gu@r@ntee$ included', 'guarantee'],
		['leet 1 for i', 'A m1racle serum', 'miracle'],
		['leet $ and 3', 'the b3$t deal', 'superlative'],
		['spelled out with spaces', 'it is G U A R A N T E E D', 'guarantee'],
		['spelled out with dots', 'the b.e.s.t offer', 'superlative'],
		['spelled out with asterisks', 'the b*e*s*t offer', 'superlative'],
		['diacritics', 'gùarantéed results', 'guarantee'],
		['combining marks', 'cu\u0301re-all tonic', 'cure'],
		['full-width letters', 'ｂｅｓｔ price', 'superlative'],
		['zero-width space inside', 'Guar\u200Banteed', 'guarantee'],
		['soft hyphen inside', 'mir\u00ADacle', 'miracle'],
		['Cyrillic look-alike', 'the b\u0435st plan', 'superlative'],
		['no gap in a phrase', 'riskfree trial', 'risk_free'],
		['em dash in a phrase', 'risk—free trial', 'risk_free'],
		['double spaces in a phrase', 'risk   free trial', 'risk_free'],
		['full-width #1', 'ＣＲＭ ＃１', 'superlative'],
		['numero sign', 'Our №1 planner', 'superlative'],
		['no. 1', 'The No. 1 planner', 'superlative'],
		['upper case personal attribute', 'ARE YOU STRUGGLING WITH DEBT?', 'personal_attributes'],
		['curly apostrophe', 'You’re in debt? Not for long', 'personal_attributes'],
	];
	for (const [name, text, rule] of cases) {
		test(`${name}: "${text}"`, () => {
			const found = lint(text);
			assert.ok(
				found.some((f) => f.ruleId === rule),
				`expected ${rule} in ${JSON.stringify(found)}`,
			);
			for (const f of found) assert.equal(text.slice(f.start, f.end), f.match);
		});
	}

	test('a match keeps the combining marks of its last letter', () => {
		const text = 'Guaranteé\u0301 now';
		const [f] = lint(text);
		assert.equal(f.match, 'Guaranteé\u0301');
	});

	test('fold maps every folded unit back to the original', () => {
		const f = foldText('Aﬁ\u200Bé');
		assert.equal(f.text, 'afie');
		assert.deepEqual(f.starts, [0, 1, 1, 3]);
		assert.deepEqual(f.ends, [1, 2, 2, 4]);
	});

	const LEET: Record<string, string[]> = { a: ['a', 'A', '4', '@', 'á', 'Ä'], e: ['e', 'E', '3', 'é', 'ê'], i: ['i', 'I', '1', '!', 'í'], o: ['o', 'O', '0', 'ó'], s: ['s', 'S', '5', '$'], t: ['t', 'T', '7'] };
	const disguise = (word: string) =>
		fc.tuple(...Array.from(word).map((c) => fc.constantFrom(...(LEET[c] ?? [c, c.toUpperCase()])))).map((cs) => cs.join(''));

	for (const [word, rule] of [
		['guaranteed', 'guarantee'],
		['miracle', 'miracle'],
		['best', 'superlative'],
		['cure', 'cure'],
	] as const) {
		test(`property: "${word}" disguised with case, diacritics and leet is still ${rule}`, () => {
			fc.assert(
				fc.property(disguise(word), fc.constantFrom('', 'Now: ', 'The '), fc.constantFrom('', ' today', '!'), (w, before, after) => {
					const text = `${before}${w}${after}`;
					const found = lint(text).filter((f) => f.ruleId === rule);
					// a disguise made only of digits and symbols is not a word; anything with a letter is caught
					if (!/\p{L}/u.test(w)) return;
					assert.equal(found.length, 1, text);
					assert.equal(found[0].match, w);
				}),
				{ numRuns: 150 },
			);
		});
	}

	test('property: copy built from harmless look-alike words has no findings', () => {
		const words = ['secure', 'manicure', 'procure', 'curated', 'accurate', 'bestow', 'freedom', 'guardian', 'guarantor', 'riskier', 'numbered', 'greatness', 'admirable', 'debt', 'diabetes', 'planning', 'teams', 'boards', 'today', 'fast', 'simple', 'plan', 'with', 'for', 'the', 'and', 'our', 'order'];
		fc.assert(
			fc.property(fc.array(fc.constantFrom(...words), { minLength: 1, maxLength: 12 }), fc.constantFrom(' ', ', ', '. ', ' - '), (ws, sep) => {
				const text = ws.join(sep);
				assert.deepEqual(lint(text), [], text);
			}),
			{ numRuns: 300 },
		);
	});
});

describe('creative policy: substantiation of superlatives', () => {
	test('without proof a superlative blocks', () => {
		assert.deepEqual(lint('The #1 CRM for teams').map((f) => f.severity), ['block']);
	});

	test('proof on file turns it into a warning naming the proof', () => {
		const [f] = lint('The #1 CRM for teams', { substantiation: { superlative: 'G2 Grid Winter 2025' } });
		assert.equal(f.severity, 'warn');
		assert.deepEqual(f.substantiation, { by: 'proof', detail: 'G2 Grid Winter 2025' });
		assert.match(f.message, /G2 Grid Winter 2025/);
	});

	test('a citation marker after the claim in the same sentence substantiates it', () => {
		for (const [text, marker] of [
			['The #1* CRM for teams', '*'],
			['Best planner¹ of 2025', '¹'],
			['Rated best planner [2]', '[2]'],
			['The best planner (source: G2, 2025)', '(source: G2, 2025)'],
		]) {
			const [f] = lint(text);
			assert.equal(f.severity, 'warn', text);
			assert.deepEqual(f.substantiation, { by: 'citation_marker', detail: marker });
		}
	});

	test('a marker in the next sentence does not count; markers can be switched off', () => {
		assert.equal(lint('The best planner. Rated 4.8*')[0].severity, 'block');
		assert.equal(lint('The #1* CRM', { acceptCitationMarkers: false })[0].severity, 'block');
	});

	test('proof only applies to substantiable rules', () => {
		assert.equal(lint('Guaranteed results', { substantiation: { guarantee: 'contract clause 4' } })[0].severity, 'block');
	});
});

describe('creative policy: configuration', () => {
	test('user banned words: word boundaries, phrases, reasons, severities', () => {
		const options: PolicyOptions = { bannedWords: ['free', 'free trial', { term: 'cheap', reason: 'Brand voice: we are affordable, not cheap.' }, { term: 'hurry', severity: 'warn' }, '  '] };
		assert.deepEqual(matches('Freedom and carefree planning', options), []);
		assert.deepEqual(matches('Start your FREE trial', options), [
			['banned_word', 'FREE trial'],
		]);
		assert.deepEqual(matches('It is free.', options), [['banned_word', 'free']]);
		const [cheap] = lint('Cheap plans', options);
		assert.equal(cheap.reason, 'Brand voice: we are affordable, not cheap.');
		assert.equal(cheap.term, 'cheap');
		const [hurry] = lint('Hurry up', options);
		assert.equal(hurry.severity, 'warn');
		assert.match(hurry.reason, /"hurry" is on this account's banned word list/);
		assert.deepEqual(ids('ch34p plans', options), ['banned_word']);
	});

	test('banned words in scripts without spaces match inside a sentence; Cyrillic keeps word boundaries', () => {
		assert.deepEqual(matches('返金保証付きのプラン', { bannedWords: ['保証'] }), [['banned_word', '保証']]);
		assert.deepEqual(matches('Полная гарантия возврата', { bannedWords: ['гарантия'] }), [['banned_word', 'гарантия']]);
		assert.deepEqual(matches('С гарантиями', { bannedWords: ['гарантия'] }), []);
	});

	test('wildcards at the end of a word', () => {
		assert.deepEqual(matches('Unlimited storage', { bannedWords: ['unlimit*'] }), [['banned_word', 'Unlimited']]);
		assert.deepEqual(matches('Limitless', { bannedWords: ['unlimit*'] }), []);
	});

	test('rules can be disabled, replaced and extended', () => {
		assert.deepEqual(ids('The best plan', { disabledRules: ['superlative'] }), []);
		const custom = [{ id: 'urgency', reason: 'False urgency.', severity: 'warn' as const, terms: ['last chance'] }];
		assert.deepEqual(ids('Last chance: the best plan', { rules: custom }), ['urgency']);
		assert.deepEqual(ids('Last chance: the best plan', { rules: [...DEFAULT_POLICY_RULES, ...custom] }).sort(), ['superlative', 'urgency']);
		assert.deepEqual(ids('Pick me', { rules: [{ id: 'pattern', reason: 'Test pattern.', severity: 'block', patterns: [/pick\s+me/] }] }), ['pattern']);
	});

	test('invalid configurations are refused', () => {
		assert.throws(() => new PolicyLinter({ rules: [DEFAULT_POLICY_RULES[0], DEFAULT_POLICY_RULES[0]] }), CreativeConfigError);
		assert.throws(() => new PolicyLinter({ rules: [{ id: 'banned_word', reason: 'x', severity: 'block', terms: ['x'] }], bannedWords: ['y'] }), /reserved/);
		assert.throws(() => new PolicyLinter({ rules: [{ id: 'no_reason', reason: ' ', severity: 'block', terms: ['x'] }] }), /needs a reason/);
	});

	test('lintVariant reads every ad text with its field and index, not the rationale', () => {
		const linter = new PolicyLinter();
		const found = linter.lintVariant({
			headlines: ['Fine headline', 'The best one'],
			descriptions: ['Guaranteed.'],
			primaryText: 'A miracle',
			callToAction: 'Get cured',
			copyAngle: 'best angle',
			rationale: 'It is the best, guaranteed.',
		});
		assert.deepEqual(
			found.map((f) => [f.field, f.index, f.ruleId]),
			[
				['headlines', 1, 'superlative'],
				['descriptions', 0, 'guarantee'],
				['primaryText', null, 'miracle'],
				['callToAction', null, 'cure'],
			],
		);
		assert.match(found[0].message, /^headlines\[1\]: "best"/);
	});

	test('describe() lists the blocking rules for the prompt', () => {
		const lines = new PolicyLinter({ substantiation: { superlative: 'proof' } }).describe().join('\n');
		assert.match(lines, /guarantee/);
		assert.match(lines, /personal characteristic/);
		assert.doesNotMatch(lines, /Superlatives/);
		const all = new PolicyLinter().describe().join('\n');
		assert.match(all, /Do not write: "best", "#1", "no\. 1", "number one"/);
	});
});

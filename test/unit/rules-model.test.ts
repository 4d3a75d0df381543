import assert from 'node:assert/strict';
import { describe, test } from 'vitest';
import {
	MONEY_METRICS,
	RuleValidationError,
	SEED_RULES,
	conditionLeaves,
	globMatch,
	historyRequirements,
	nameMatches,
	optimizationPayloadSchema,
	parseRule,
	parseRules,
	parseSettings,
	ruleFromRow,
	ruleToRow,
	unsafeRegexReason,
	validateRules,
	type Rule,
} from '../../nodes/shared/rules';
import { optimizationRuleRow, type Row } from '../../nodes/shared/schema/rows';

const minimal = {
	id: 'r1',
	name: 'Rule one',
	conditions: { metric: 'cpa', window: 'last_7_days', op: '>', value: 50 },
	action: { type: 'pause' },
};

/** The issues of an invalid rule set, as `path: message` strings. */
function issues(rules: unknown[]): string[] {
	return validateRules(rules).map((i) => `${i.path}: ${i.message}`);
}

describe('rules model: parsing and defaults', () => {
	test('a minimal rule gets its defaults; window and op shorthands are normalized', () => {
		const r = parseRule({ ...minimal, conditions: { metric: 'cpa', window: 'last_7_days', op: 'gte', value: 50 } });
		assert.equal(r.priority, 100);
		assert.equal(r.enabled, true);
		assert.equal(r.requireApproval, false);
		assert.deepEqual(r.scope, {});
		assert.deepEqual(r.gates, {});
		assert.deepEqual(r.conditions, { metric: 'cpa', window: { kind: 'last_n_days', days: 7 }, op: '>=', value: 50, ifUndefined: 'no_match' });
		const leaves = conditionLeaves(parseRule({ ...minimal, conditions: { any: [{ metric: 'spend', window: 'today', op: '≥', value: 1 }, { all: [{ metric: 'ctr', window: 'yesterday', op: 'lt', value: 0.01 }, { metric: 'roas', window: 'lifetime', op: 'between', min: 1, max: 2 }] }] } }).conditions);
		assert.deepEqual(leaves.map((l) => [l.window.kind, l.op]), [['today', '>='], ['yesterday', '<'], ['lifetime', 'between']]);
	});

	test('schedule times become minutes; days are de-duplicated and ordered', () => {
		const r = parseRule({ ...minimal, gates: { schedule: [{ days: ['fri', 'mon', 'fri'], from: '08:30', to: '24:00' }] } });
		assert.deepEqual(r.gates.schedule, [{ days: ['mon', 'fri'], fromMinute: 510, toMinute: 1440 }]);
	});

	test('every seed rule is valid, ids are unique, and seeds cover the three practices', () => {
		const rules = parseRules([...SEED_RULES]);
		assert.deepEqual(rules.map((r) => r.id), ['stop-loss-today', 'pause-high-cpa', 'pause-abusive-comments', 'scale-winners', 'notify-cpa-spike']);
		const scale = rules.find((r) => r.id === 'scale-winners') as Rule;
		assert.equal(scale.action.type, 'scale_budget');
		assert.ok(scale.action.type === 'scale_budget' && scale.action.percent <= 20);
		assert.equal(scale.gates.maxChangePct, 20);
		// money thresholds only mean something in one currency's magnitude
		const money = (r: Rule) => conditionLeaves(r.conditions).some((l) => MONEY_METRICS.has(l.metric)) || r.gates.minData?.spend !== undefined;
		for (const r of rules.filter(money)) assert.ok(r.scope.currencies && r.scope.currencies.includes('USD'), `${r.id} is scoped to currencies`);
		// the comment rule: disabled, Meta only, every pause through a person
		const abuse = rules.find((r) => r.id === 'pause-abusive-comments') as Rule;
		assert.deepEqual([abuse.enabled, abuse.requireApproval, abuse.scope.platforms, money(abuse)], [false, true, ['meta'], false]);
		assert.deepEqual(rules.filter((r) => !r.enabled).map((r) => r.id), ['pause-abusive-comments']);
	});
});

describe('rules model: validation errors name the path', () => {
	test('missing threshold, between without bounds, unknown keys', () => {
		assert.deepEqual(issues([{ ...minimal, conditions: { all: [{ metric: 'cpa', window: 'yesterday', op: '>' }] } }]), ['rules[0].conditions.all[0].value: required for op ">"']);
		assert.deepEqual(issues([{ ...minimal, conditions: { metric: 'cpa', window: 'yesterday', op: 'between', min: 5 } }]), ['rules[0].conditions.max: required for op "between"']);
		assert.deepEqual(issues([{ ...minimal, conditions: { metric: 'cpa', window: 'yesterday', op: 'between', min: 5, max: 1 } }]), ['rules[0].conditions.min: must not exceed max (1)']);
		assert.deepEqual(issues([{ ...minimal, colour: 'red' }]), ['rules[0]: unknown key "colour"']);
		assert.deepEqual(issues([{ ...minimal, conditions: { any: [{ metric: 'cpa', window: 'yesterday', op: '>', value: 1, extra: 1 }] } }]), ['rules[0].conditions.any[0]: unknown key "extra"']);
	});

	test('deep paths through nested groups; all/any misuse; non-object condition', () => {
		const deep = { ...minimal, conditions: { all: [{ metric: 'spend', window: 'today', op: '>', value: 1 }, { any: [{ metric: 'spend', window: 'today', op: '>', value: 1 }, { metric: 'cpm', window: 'today', op: '>', value: 1 }] }] } };
		const [issue] = issues([minimal, deep]);
		assert.match(issue, /^rules\[1\]\.conditions\.all\[1\]\.any\[1\]\.metric: Invalid enum value/);
		assert.deepEqual(issues([{ ...minimal, conditions: { all: [], any: [] } }]), ['rules[0].conditions: use either "all" or "any" in one condition, not both']);
		assert.deepEqual(issues([{ ...minimal, conditions: { all: [] } }]), ['rules[0].conditions.all: needs at least one condition']);
		assert.match(issues([{ ...minimal, conditions: [1] }])[0], /^rules\[0\]\.conditions: must be a condition/);
	});

	test('windows: unknown kind lists the valid ones; bounds on days; no previous window of lifetime', () => {
		assert.match(issues([{ ...minimal, conditions: { metric: 'cpa', window: 'last_week', op: '>', value: 1 } }])[0], /^rules\[0\]\.conditions\.window\.kind: Invalid discriminator value\. Expected 'today' \| 'yesterday' \| 'last_n_days' \| 'lifetime'/);
		assert.match(issues([{ ...minimal, conditions: { metric: 'cpa', window: 'last_0_days', op: '>', value: 1 } }])[0], /^rules\[0\]\.conditions\.window\.days: /);
		assert.match(issues([{ ...minimal, conditions: { metric: 'cpa', window: { kind: 'last_n_days', days: 2.5 }, op: '>', value: 1 } }])[0], /window\.days: must be a whole number of days/);
		assert.deepEqual(issues([{ ...minimal, conditions: { metric: 'cpa', window: 'lifetime', compareTo: 'previous_window', op: '>', value: 1 } }]), ['rules[0].conditions.compareTo: a lifetime window has no previous window']);
	});

	test('actions: percent bounds, zero, amount > 0, unknown type', () => {
		assert.match(issues([{ ...minimal, action: { type: 'scale_budget', percent: -95 } }])[0], /^rules\[0\]\.action\.percent: must be at least -90 \(use pause to stop spend\)/);
		assert.deepEqual(issues([{ ...minimal, action: { type: 'scale_budget', percent: 0 } }]), ['rules[0].action.percent: must not be 0']);
		assert.deepEqual(issues([{ ...minimal, action: { type: 'set_budget', amount: 0 } }]), ['rules[0].action.amount: must be greater than 0']);
		assert.deepEqual(issues([{ ...minimal, action: { type: 'scale_budget' } }]), ['rules[0].action.percent: is required']);
		assert.match(issues([{ ...minimal, action: { type: 'delete' } }])[0], /^rules\[0\]\.action\.type: Invalid discriminator value/);
	});

	test('duplicate ids, limits on depth and leaves, rule gates, scope lists', () => {
		assert.deepEqual(issues([minimal, { ...minimal }]), ['rules[1].id: "r1" is also the id of rules[0]']);
		let deep: unknown = { metric: 'spend', window: 'today', op: '>', value: 1 };
		for (let i = 0; i < 6; i++) deep = { all: [deep] };
		assert.deepEqual(issues([{ ...minimal, conditions: deep }]), ['rules[0].conditions: nests 7 levels deep; at most 6']);
		// JSON nested far past the limit is refused before the recursive schema runs (no stack overflow)
		for (let i = 0; i < 20_000 - 7; i++) deep = { any: [deep] };
		assert.deepEqual(issues([{ ...minimal, conditions: deep }]), ['rules[0].conditions: nests 20000 levels deep; at most 6']);
		const wide = { any: Array.from({ length: 51 }, () => ({ metric: 'spend', window: 'today', op: '>', value: 1 })) };
		assert.deepEqual(issues([{ ...minimal, conditions: wide }]), ['rules[0].conditions: has 51 conditions; at most 50']);
		assert.deepEqual(issues([{ ...minimal, gates: { maxChangePct: 0 } }]), ['rules[0].gates.maxChangePct: must be greater than 0']);
		assert.deepEqual(issues([{ ...minimal, gates: { schedule: [{ from: '9:00' }] } }]), ['rules[0].gates.schedule[0].from: must be a time HH:MM (00:00 to 24:00)']);
		assert.deepEqual(issues([{ ...minimal, scope: { platforms: [] } }]), ['rules[0].scope.platforms: must not be empty (omit it to match all)']);
		assert.match(issues([{ ...minimal, scope: { platforms: ['snapchat'] } }])[0], /^rules\[0\]\.scope\.platforms\[0\]: Invalid enum value/);
		assert.deepEqual(issues([{ ...minimal, id: 'has space' }]), ['rules[0].id: may hold letters, digits and . _ : - only']);
	});

	test('parseRules throws one RuleValidationError listing every issue; parseRule names the rule', () => {
		const err = (() => {
			try {
				parseRules([{ ...minimal, priority: 1.5 }, { ...minimal, id: 'r2', action: { type: 'set_budget', amount: -1 } }]);
			} catch (e) {
				return e;
			}
			return null;
		})();
		assert.ok(err instanceof RuleValidationError);
		assert.deepEqual(err.issues, [
			{ path: 'rules[0].priority', message: 'must be a whole number' },
			{ path: 'rules[1].action.amount', message: 'must be greater than 0' },
		]);
		assert.match(err.message, /^invalid rules: rules\[0\]\.priority: must be a whole number; rules\[1\]\.action\.amount/);
		assert.throws(() => parseRule({ ...minimal, id: 'x', name: '' }), /invalid rule "x": name: must not be empty/);
		assert.throws(() => parseRules('nope' as never), /rules: must be an array of rules/);
	});

	test('settings: now is required and must carry a time zone; floor above ceiling is refused', () => {
		assert.throws(() => parseSettings({}), /settings\.now: is required/);
		assert.throws(() => parseSettings({ now: '2025-06-01 10:00' }), /settings\.now/);
		assert.throws(() => parseSettings({ now: '2025-06-01T10:00:00Z', gates: { budgetFloor: 10, budgetCeiling: 5 } }), /settings\.gates\.budgetFloor: must not exceed budgetCeiling \(5\)/);
		assert.throws(() => parseSettings({ now: '2025-06-01T10:00:00Z', currencies: { usd: {} } }), /settings\.currencies/);
		const s = parseSettings({ now: '2025-06-01T10:00:00+02:00' });
		assert.equal(s.nowMs, Date.parse('2025-06-01T08:00:00Z'));
		assert.equal(s.gates.cooldownHours, 24);
		assert.equal(s.gates.changeMode, 'clamp');
		assert.equal(s.output, 'actionable');
		assert.equal(s.killSwitch, false);
	});
});

describe('rules model: safe name patterns', () => {
	test('regexes run in linear time, so nested quantifiers are accepted; backreferences, lookaround, invalid and over-long patterns are refused with a reason', () => {
		// Before issue 12 item 7 the nested-quantifier shapes were refused by a static check (which let polynomial ones like
		// ^\w*\w*\w*\w*$ through: 45 s on one 1,024-character name); they now run on RE2, linear in the name.
		for (const nested of ['(a+)+$', '(a|aa)*', '((ab)*c)+', '(.*)*', '^\\w*\\w*\\w*\\w*$']) assert.equal(unsafeRegexReason(nested), null, nested);
		assert.deepEqual(issues([{ ...minimal, scope: { name: { regex: '(.*)*' } } }]), []);
		assert.match(unsafeRegexReason('(x)\\1') as string, /backreferences/);
		assert.match(unsafeRegexReason('foo(?=bar)') as string, /lookahead/);
		assert.match(unsafeRegexReason('(?<!x)y') as string, /lookahead or lookbehind/);
		assert.match(unsafeRegexReason('[') as string, /not a valid regular expression/);
		assert.match(unsafeRegexReason('a'.repeat(201)) as string, /at most 200/);
		for (const ok of ['^Brand \\| (US|DE)$', '(?:brand)+', '[(+*]+x', '\\d{2,3}-promo', '(abc)?def']) assert.equal(unsafeRegexReason(ok), null, ok);
		assert.deepEqual(issues([{ ...minimal, scope: { name: { regex: '(a)\\1' } } }]), ['rules[0].scope.name.regex: the name pattern /(a)\\1/ is refused: it must not use backreferences (the linear-time matcher cannot run them)']);
		assert.deepEqual(issues([{ ...minimal, scope: { name: { glob: 'a'.repeat(201) } } }]), ['rules[0].scope.name.glob: must be at most 200 characters']);
		assert.deepEqual(issues([{ ...minimal, scope: { name: { glob: 'a', regex: 'b' } } }]), ['rules[0].scope.name: give exactly one of "glob" or "regex"']);
	});

	test('glob: * and ? with literal everything else, case-insensitive by default, linear on adversarial input', () => {
		assert.equal(globMatch('brand*us', 'brand | us'), true);
		assert.equal(globMatch('b?and*', 'brand'), true);
		assert.equal(globMatch('b?and*', 'bnd'), false);
		assert.equal(globMatch('*.*', 'a.b'), true);
		assert.equal(globMatch('[x]', '[x]'), true);
		assert.equal(nameMatches({ glob: '*BRAND*', caseSensitive: false }, 'my brand campaign'), true);
		assert.equal(nameMatches({ glob: '*BRAND*', caseSensitive: true }, 'my brand campaign'), false);
		assert.equal(nameMatches({ regex: '^brand', caseSensitive: false }, 'Brand US'), true);
		assert.equal(nameMatches({ glob: '*', caseSensitive: false }, null), false);
		const t0 = performance.now();
		assert.equal(globMatch(`${'*a'.repeat(50)}b`, 'a'.repeat(1024)), false);
		assert.ok(performance.now() - t0 < 500, 'adversarial glob stays fast');
	});
});

describe('rules model: store rows', () => {
	test('ruleToRow fits optimization_rules and ruleFromRow gives the same rule back (with the row id)', () => {
		for (const seed of parseRules([...SEED_RULES, { ...minimal, id: 'meta-only', name: 'Meta only', scope: { platforms: ['meta'], name: { regex: '^Brand' } }, requireApproval: true }])) {
			const row = optimizationRuleRow.parse(ruleToRow(seed));
			assert.equal(row.rule_type, seed.action.type);
			assert.equal(row.platform, seed.id === 'meta-only' || seed.id === 'pause-abusive-comments' ? 'meta' : null);
			const stored = { ...row, id: '6b1f0c8e-2f5d-4a8e-9a51-1f7f5e6c9d10', created_at: '2025-06-01T00:00:00Z', updated_at: '2025-06-01T00:00:00Z' } as Row<'optimization_rules'>;
			const back = ruleFromRow(stored);
			assert.deepEqual({ ...back, id: seed.id }, seed);
			assert.equal(back.id, stored.id);
		}
	});

	test('ruleFromRow reports a broken stored rule with its name', () => {
		const row = { id: 'x1', rule_name: 'Broken', conditions: { when: { metric: 'cpa' } }, actions: [{ type: 'pause' }], service_time_gating: null, priority: 1, is_active: true } as unknown as Row<'optimization_rules'>;
		assert.throws(() => ruleFromRow(row), /optimization_rules\[Broken\]\.conditions\.window: is required/);
	});

	test('historyRequirements: one read covers the widest window, its previous window and the cooldown', () => {
		const rules = [
			{ ...minimal, conditions: { metric: 'cpa', window: 'last_7_days', compareTo: 'previous_window', op: '>', value: 1 }, gates: { cooldownHours: 72 } },
			{ ...minimal, id: 'r2', conditions: { metric: 'spend', window: 'last_10_days', op: '>', value: 1 } },
		];
		// span: 7 days × 2 (previous window) + 1 (yesterday back to today) = 15; minus one more for time zones
		assert.deepEqual(historyRequirements(rules, { now: '2025-06-20T12:00:00Z' }), { metricsFrom: '2025-06-04', actionsFrom: '2025-06-17T12:00:00.000Z', commentSignals: false });
		assert.equal(historyRequirements([{ ...minimal, conditions: { metric: 'spend', window: 'lifetime', op: '>', value: 1 } }], { now: '2025-06-20T12:00:00Z' }).metricsFrom, null);
		// a comment metric asks for ad_comment_signals too (same days); a disabled rule does not
		const abuse = { ...minimal, id: 'r3', conditions: { metric: 'abusive_comment_share', window: 'last_7_days', op: '>', value: 0.2 } };
		assert.equal(historyRequirements([...rules, abuse], { now: '2025-06-20T12:00:00Z' }).commentSignals, true);
		assert.equal(historyRequirements([...rules, { ...abuse, enabled: false }], { now: '2025-06-20T12:00:00Z' }).commentSignals, false);
	});

	test('optimizationPayloadSchema refuses a set_budget without its budgets', () => {
		const base = {
			version: 1, idempotencyKey: `opt:${'a'.repeat(64)}`, ruleId: 'r', ruleName: 'R', platform: 'meta', accountId: '1', campaignId: '2', campaignName: null,
			action: 'set_budget', requested: { type: 'scale_budget', percent: 10, amount: null }, statusBefore: 'active', statusAfter: 'active',
			budgetBefore: 100, budgetAfter: 110, changePct: 10, currency: 'USD', evaluatedAt: '2025-06-01T00:00:00.000Z', window: { date: '2025-06-01', start: '2025-05-25', end: '2025-05-31' },
		};
		assert.equal(optimizationPayloadSchema.parse(base).budgetAfter, 110);
		assert.throws(() => optimizationPayloadSchema.parse({ ...base, budgetAfter: null }), /set_budget needs budgetBefore and budgetAfter/);
	});
});

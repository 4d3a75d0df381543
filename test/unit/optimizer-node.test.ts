// AdOps Optimizer's translation between n8n and the core: options → run
// settings (through the core's own parsing), accounts, the three outputs, and
// the Slack alert of a decision.
import assert from 'node:assert/strict';
import { describe, test } from 'vitest';
import { accountsFor, outputsOf, settingsFromOptions } from '../../nodes/AdOpsOptimizer/actions/run.operation';
import { backtestOutputs } from '../../nodes/AdOpsOptimizer/actions/backtest.operation';
import type { BacktestRunResult } from '../../nodes/shared/rules/backtest-run';
import type { OptimizerContext } from '../../nodes/AdOpsOptimizer/actions/router';
import { optimizerAlert } from '../../nodes/shared/rules/alert';
import { alertSchema, renderAlert } from '../../nodes/shared/alerts/message';
import { parseSettings } from '../../nodes/shared/rules';
import type { OptimizerResult } from '../../nodes/shared/rules/run';
import { optimizerItem as item } from '../helpers/optimizer-item';
import { ParameterError } from '../../nodes/common/params';
import type { PlatformAdapter } from '../../nodes/shared/platforms/types';

describe('settingsFromOptions', () => {
	test('fields override the Gates JSON; zero means none for the ceiling and the approval amount', () => {
		const s = settingsFromOptions(
			{ gates: '{"cooldownHours": 6, "minData": {"spend": 50}, "approval": {"actions": ["pause"]}}', cooldownHours: 12, approvalPercent: 20, approvalAmount: 0, budgetCeiling: 0, budgetFloor: 5, maxActionsPerRun: 10, output: 'full' },
			false,
			true,
		);
		assert.deepEqual(s, {
			dryRun: false,
			killSwitch: true,
			gates: { cooldownHours: 12, minData: { spend: 50 }, approval: { actions: ['pause'], percent: 20, amount: null }, budgetCeiling: null, budgetFloor: 5 },
			maxActionsPerRun: 10,
			output: 'full',
		});
		// what the core makes of it
		const { dryRun: _dryRun, ...evaluation } = s; // the run's own setting; the rest is the evaluation's
		const parsed = parseSettings({ ...evaluation, now: '2026-03-02T10:00:00Z' });
		assert.equal(parsed.gates.cooldownHours, 12);
		assert.equal(parsed.gates.approval.percent, 20);
		assert.deepEqual(parsed.gates.approval.actions, ['pause']);
		assert.equal(parsed.killSwitch, true);
	});

	test('no options: the core defaults, dry run', () => {
		assert.deepEqual(settingsFromOptions({}, true, false), { dryRun: true, killSwitch: false, gates: {} });
	});

	test('bad values name the option', () => {
		assert.throws(() => settingsFromOptions({ gates: '{nope' }, true, false), (e: Error) => e instanceof ParameterError && /Gates \(JSON\) is not valid JSON/.test(e.message));
		assert.throws(() => settingsFromOptions({ gates: '[1]' }, true, false), /Gates \(JSON\) must be a JSON object/);
		assert.throws(() => settingsFromOptions({ approvalPercent: 'abc' }, true, false), /Approval Above \(%\) must be a number of at least 0; got "abc"/);
		assert.throws(() => settingsFromOptions({ maxAttempts: 0 }, true, false), /Max Attempts per Change must be a whole number of at least 1/);
		assert.throws(() => settingsFromOptions({ cooldownHours: -1 }, true, false), /Cooldown \(Hours\) must be a number of at least 0/);
	});
});

describe('accountsFor', () => {
	const ctx = (platforms: string[]): OptimizerContext => ({
		store: {} as OptimizerContext['store'],
		adapters: Object.fromEntries(platforms.map((p) => [p, {} as PlatformAdapter])),
		credentialAccounts: { meta: ['act_1', 'act_2'], linkedin: ['501'], google_ads: ['123-456-7890'] },
	});

	test("the credential's accounts unless the node lists its own", () => {
		assert.deepEqual(accountsFor({}, ctx(['meta', 'google_ads'])), { meta: ['act_1', 'act_2'], google_ads: ['123-456-7890'] });
		assert.deepEqual(accountsFor({ metaAccounts: 'act_9, act_8' }, ctx(['meta'])), { meta: ['act_9', 'act_8'] });
	});

	test('accounts for a platform without its credential are an error, not ignored', () => {
		assert.throws(() => accountsFor({ linkedinAccounts: '777' }, ctx(['meta'])), /Account IDs are given for linkedin but no credential for it is selected/);
	});
});


describe('optimizerAlert', () => {
	test('an executed change: the change, the rule, the met conditions, the gates with numbers, the platform answer; names escaped', () => {
		const alert = optimizerAlert(item({}))!;
		assert.ok(alertSchema.safeParse(alert).success);
		assert.equal(alert.kind, 'action');
		assert.equal(alert.label, 'Executed');
		const body = JSON.stringify(renderAlert(alert));
		assert.match(body, /Condition: roas last 7 days \(2026-02-23\.\.2026-03-01\) = 4\.2 &gt; 3 → met/);
		assert.doesNotMatch(body, /not met/, 'only the conditions that matched');
		assert.match(body, /✓ cooldown: last change 30\.0 h ago/);
		assert.doesNotMatch(body, /no schedule/, 'skipped gates are left out');
		assert.match(body, /status ACTIVE, daily budget 100.00 USD/);
		assert.match(body, /success/);
		assert.doesNotMatch(body, /<!here>/, 'a campaign name cannot mention the channel');
	});

	test('failures are failure alerts with the error; proposals and stored outcomes get none', () => {
		const failed = optimizerAlert(item({ outcome: 'failed', execution: null, error: { message: 'Meta update of campaign 42 failed: (#100) budget too low. Raise it above 1.00 USD.' }, reasons: ['x', 'budget too low'] }))!;
		assert.equal(failed.kind, 'failure');
		assert.match(JSON.stringify(renderAlert(failed)), /budget too low/);
		assert.equal(optimizerAlert(item({ outcome: 'dry_run', dryRun: true, execution: null }))!.kind, 'info');
		assert.match(optimizerAlert(item({ outcome: 'dry_run', dryRun: true, execution: null }))!.footer!, /Dry run: nothing was changed/);
		for (const outcome of ['proposed', 'gated', 'already_executed', 'no_match'] as const) assert.equal(optimizerAlert(item({ outcome })), null, outcome);
	});
});

describe('outputsOf', () => {
	test('alerts, new proposals and everything stored go to their outputs; an unreadable account is an alert; the summary is last', () => {
		const proposal = { id: 'opt-abc', kind: 'optimization', title: 't', payload: {}, proposedChange: 'c' };
		const result = {
			at: '2026-03-02T10:00:00.000Z',
			dryRun: false,
			killSwitch: false,
			items: [
				item({}),
				item({ outcome: 'proposed', route: 'approval', decision: 'propose', proposal }),
				item({ outcome: 'proposed', route: 'approval', decision: 'propose', proposal: { ...proposal, id: 'opt-old' }, proposalStatus: 'pending' }),
				item({ outcome: 'gated', route: 'stored', decision: 'gated' }),
			],
			proposals: [proposal],
			summary: { executed: 1 },
			accounts: [
				{ platform: 'meta', accountId: '111', campaigns: 3, error: null },
				{ platform: 'linkedin', accountId: '501', campaigns: 0, error: { message: 'LinkedIn token expired. Reconnect the credential.' } },
			],
			warnings: [],
			stats: {},
		} as unknown as OptimizerResult;
		const [executed, proposals, stored] = outputsOf(result, 0);
		assert.deepEqual(executed!.map((i) => i.json.outcome), ['executed', 'account_error']);
		assert.ok(executed![0]!.json.alert);
		assert.match(JSON.stringify(executed![1]!.json.alert), /could not read linkedin account 501.*token expired/);
		assert.deepEqual(proposals!.map((i) => (i.json.proposal as { id: string }).id), ['opt-abc']);
		assert.deepEqual(stored!.map((i) => i.json.outcome), ['proposed', 'gated', 'summary']);
	});
});

describe('backtestOutputs', () => {
	test('would-execute, would-propose and gated events to their outputs; the report (without the events) last', () => {
		const event = (decision: 'execute' | 'propose' | 'gated', ruleId: string) => ({ at: '2026-03-01T06:00:00.000Z', ruleId, ruleName: ruleId, entityKey: 'meta|1|2', decision, action: 'pause', budgetBefore: null, budgetAfter: null, changePct: null, statusBefore: 'active', statusAfter: 'paused', applied: decision === 'execute', failedGates: [], reasons: [], idempotencyKey: null });
		const result = {
			report: { from: '2026-03-01', to: '2026-03-02', steps: [], events: [event('execute', 'a'), event('gated', 'b'), event('propose', 'c'), event('execute', 'd')], budgetPaths: {}, byRule: {}, applied: [], finalState: [], skippedEntities: [] },
			accounts: [],
			warnings: ['w'],
			stats: { ruleRows: 0, metricRows: 10, signalRows: null, actionRows: 0, metricsFrom: null, readMs: 1, backtestMs: 1 },
		} as unknown as BacktestRunResult;
		const [executed, proposed, gated] = backtestOutputs(result, 0);
		assert.deepEqual(executed!.map((i) => i.json.ruleId), ['a', 'd']);
		assert.deepEqual(proposed!.map((i) => i.json.ruleId), ['c']);
		assert.deepEqual(gated!.map((i) => i.json.outcome), ['backtest_gated', 'backtest_report']);
		assert.equal(gated![1]!.json.events, 4);
		assert.deepEqual(gated![1]!.json.warnings, ['w']);
	});
});

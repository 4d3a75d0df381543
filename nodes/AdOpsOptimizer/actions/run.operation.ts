import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { jsonParam, numberParam, ParameterError } from '../../common/params';
import { accountErrorAlert, optimizerAlert } from '../../shared/rules/alert';
import { accountIdsFromLocator, adAccountModes, adAccountSearchMethod } from '../../common/list-search';
import { PLATFORM_REGISTRY, platformList, type PlatformId } from '../../shared/platforms/registry';
import { CONTROLLED_PLATFORMS } from '../../shared/rules/apply';
import { GATE_NODE_OPTIONS } from '../../shared/rules/gates/index';
import { runOptimizer, type OptimizerInput, type OptimizerResult, type OptimizerSettings } from '../../shared/rules/run';
import type { OptimizerContext } from './types';

const show = { show: { operation: ['run'] } };

/** A platform id in camel case + `Accounts` (googleAdsAccounts): the option that lists a platform's account ids on this node. */
export function accountOptionName(platform: PlatformId): string {
	return `${platform.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase())}Accounts`;
}

/**
 * The account option of each platform the optimizer controls, from the platform registry, in both node
 * versions under one name (so a workflow keeps its value): `option` is version 1's comma-separated text;
 * `locator` is 1.1's ad account locator ("From list" asks the platform which accounts its credential on
 * this node reaches; "By ID" takes one or several ids; "By URL" the account's address in its manager).
 */
export const ACCOUNT_OPTIONS: Array<{ platform: PlatformId; option: INodeProperties; locator: INodeProperties }> = CONTROLLED_PLATFORMS.map((platform) => {
	const p = PLATFORM_REGISTRY[platform];
	const name = accountOptionName(platform);
	const fromCredential = `empty: the ones in the ${p.credentials[0].displayName} credential`;
	return {
		platform,
		option: { displayName: `${p.label} Account IDs`, name, type: 'string', default: '', placeholder: p.accountId.example, description: `Comma-separated, each as ${p.accountId.accepted}; ${fromCredential}` },
		locator: {
			displayName: `${p.productLabel} Ad Account`,
			name,
			type: 'resourceLocator',
			default: { mode: 'list', value: '' },
			description: `The ${p.productLabel} account(s) to optimize; ${fromCredential}. By ID takes several IDs separated by commas.`,
			modes: adAccountModes(platform, adAccountSearchMethod(platform)),
		},
	};
});

/** Rules and gates are the same for a run and a backtest. */
const both = { show: { operation: ['run', 'backtest'] } };

/** The gate options Run Rules and Plan Budget share (one definition of their names, types and defaults). */
export const GATE_OPTIONS = {
	budgetCeiling: { displayName: 'Budget Ceiling', name: 'budgetCeiling', type: 'number', default: 0, typeOptions: { minValue: 0 }, description: 'No daily budget is raised above this (budget currency); 0 for none' },
	budgetFloor: { displayName: 'Budget Floor', name: 'budgetFloor', type: 'number', default: 0, typeOptions: { minValue: 0 }, description: 'No daily budget is lowered below this (budget currency)' },
	cooldownHours: { displayName: 'Cooldown (Hours)', name: 'cooldownHours', type: 'number', default: 24, typeOptions: { minValue: 0 }, description: 'Minimum time between two changes of one campaign (or one ad, for rules on ad level), by any rule' },
	gates: { displayName: 'Gates (JSON)', name: 'gates', type: 'json', default: '{}', description: 'The whole gate configuration (minData, minEntityAgeDays, schedule, changeMode, …); the fields of these options override it' },
	maxDailyChangePct: { displayName: 'Max Change per 24 h (%)', name: 'maxDailyChangePct', type: 'number', default: 50, typeOptions: { minValue: 0 }, description: 'Within any 24 hours a budget stays within ± this percent of its value at the start of those 24 hours (changes made in the platform count too)' },
} satisfies Record<string, INodeProperties>;

export const description: INodeProperties[] = [
	{
		displayName: 'Mode',
		name: 'mode',
		type: 'options',
		default: 'dryRun',
		displayOptions: show,
		options: [
			{ name: 'Dry Run', value: 'dryRun', description: 'Evaluate, re-read each campaign and record the same evidence; change nothing on any platform' },
			{ name: 'Live', value: 'live', description: 'Apply the executed decisions on the platforms, each at most once (action ledger)' },
		],
	},
	{
		displayName: 'Kill Switch',
		name: 'killSwitch',
		type: 'boolean',
		default: false,
		displayOptions: show,
		description: 'Whether every decision of this run is gated: nothing executes, nothing is proposed, every decision is stored with the reason. To stop every run and every approved change, use the Set Kill Switch operation (the stored switch) instead',
	},
	{
		displayName: 'Use Stored Rules',
		name: 'useStoredRules',
		type: 'boolean',
		default: true,
		displayOptions: both,
		description: 'Whether to evaluate the enabled rules of the optimization_rules table (supabase/seed.sql has examples)',
	},
	{
		displayName: 'Rules (JSON)',
		name: 'rules',
		type: 'json',
		default: '[]',
		displayOptions: both,
		description:
			'More rules, evaluated together with the stored ones: [{id, name, priority, level?, scope, conditions, action, gates?}] (see the README). level "ad" (or action "pause_ad" / "enable_ad") makes a rule look at each ad, with its metrics from ad_performance (AdOps Ingest, Level "Campaigns and Ads"), and pause, enable or notify about that ad only. Invalid rules stop the run with the path of each problem.',
	},
	// Version 1 lists account IDs as text, 1.1 as locators; the rest of the options are the same.
	...([1, 1.1] as const).map((version) => runOptions(version)),
];

/** The Options collection of a run and a backtest in a node version (only the account options differ). */
function runOptions(version: 1 | 1.1): INodeProperties {
	return {
		displayName: 'Options',
		name: 'runOptions',
		type: 'collection',
		default: {},
		placeholder: 'Add Option',
		displayOptions: { show: { ...both.show, '@version': version === 1 ? [1] : [{ _cnd: { gte: 1.1 } }] } },
		options: ([] as INodeProperties[]).concat([
			{ displayName: 'Approval Above (%)', name: 'approvalPercent', type: 'number', default: 20, typeOptions: { minValue: 0 }, description: 'A budget change larger than this percent becomes a proposal for the approval queue instead of executing' },
			{ displayName: 'Approval Above (Amount)', name: 'approvalAmount', type: 'number', default: 0, typeOptions: { minValue: 0 }, description: 'A budget change larger than this amount (budget currency) becomes a proposal' },
			{
				displayName: 'Always Ask Approval For',
				name: 'approvalActions',
				type: 'multiOptions',
				default: [],
				options: [
					{ name: 'Enable', value: 'enable' },
					{ name: 'Pause', value: 'pause' },
					{ name: 'Scale Budget', value: 'scale_budget' },
					{ name: 'Set Budget', value: 'set_budget' },
				],
				description: 'Actions that always become proposals',
			},
			GATE_OPTIONS.budgetCeiling,
			GATE_OPTIONS.budgetFloor,
			GATE_OPTIONS.cooldownHours,
			{ displayName: 'Currency Gates (JSON)', name: 'currencies', type: 'json', default: '{}', description: 'Money gates per budget currency, e.g. {"JPY": {"budgetFloor": 1000, "approvalAmount": 20000, "minSpend": 5000}}' },
			GATE_OPTIONS.gates,
			{ displayName: 'Max Actions per Run', name: 'maxActionsPerRun', type: 'number', default: 100, typeOptions: { minValue: 0 }, description: 'Changes (executed or proposed) one run may plan; the rest are gated' },
			{ displayName: 'Max Attempts per Change', name: 'maxAttempts', type: 'number', default: 3, typeOptions: { minValue: 1 }, description: 'Runs that may try one change before it is given up for the day' },
			{ displayName: 'Max Change per Action (%)', name: 'maxChangePct', type: 'number', default: 25, typeOptions: { minValue: 0 } },
			GATE_OPTIONS.maxDailyChangePct,
			{ displayName: 'Min Entity Age (Days)', name: 'minEntityAgeDays', type: 'number', default: 0, typeOptions: { minValue: 0 }, description: 'Learning period: campaigns younger than this are not changed' },
			{
				displayName: 'Output',
				name: 'output',
				type: 'options',
				default: 'actionable',
				options: [
					{ name: 'Actionable', value: 'actionable', description: 'Executed, proposed and gated decisions' },
					{ name: 'Full', value: 'full', description: 'Also every rule that did not match, with its condition values' },
				],
			},
			{
				displayName: 'Validate on Dry Run',
				name: 'validateOnDryRun',
				type: 'boolean',
				default: false,
				description: `Whether a dry run asks ${platformList(CONTROLLED_PLATFORMS.filter((p) => PLATFORM_REGISTRY[p].capabilities.validateOnly))} to validate each change without making it`,
			},
			// one account list per platform the optimizer controls (platform registry)
			...ACCOUNT_OPTIONS.map((o) => (version === 1 ? o.option : o.locator)),
			// the number options of gates registered later (rules/gates/index.ts), e.g. max_daily_spend
			...registryOptions(),
		] as INodeProperties[]).sort((a, b) => a.displayName.localeCompare(b.displayName)),
	};
}

/** Options this file does not spell out itself, one per number setting a registered gate offers (0 = not set). */
function registryOptions(): INodeProperties[] {
	const own = new Set(['approvalPercent', 'approvalAmount', 'budgetCeiling', 'budgetFloor', 'cooldownHours', 'maxChangePct', 'maxDailyChangePct', 'minEntityAgeDays']);
	return GATE_NODE_OPTIONS.filter((o) => o.type === 'number' && !own.has(o.name)).map((o) => ({ displayName: o.displayName, name: o.name, type: 'number' as const, default: 0, typeOptions: { minValue: 0 }, description: o.description }));
}

/** Gate options that are plain numbers, with their labels for errors. */
const NUMBER_GATES = {
	cooldownHours: 'Cooldown (Hours)',
	maxChangePct: 'Max Change per Action (%)',
	maxDailyChangePct: 'Max Change per 24 h (%)',
	minEntityAgeDays: 'Min Entity Age (Days)',
	budgetFloor: 'Budget Floor',
} as const;

function objectParam(value: unknown, label: string): Record<string, unknown> {
	const parsed = jsonParam(value, label);
	if (parsed === undefined || parsed === null) return {};
	if (typeof parsed !== 'object' || Array.isArray(parsed)) throw new ParameterError(`${label} must be a JSON object`);
	return parsed as Record<string, unknown>;
}

/** The node's options as the run's settings: the Gates JSON, overridden by the fields that are set. */
export function settingsFromOptions(o: IDataObject, dryRun: boolean, killSwitch: boolean): OptimizerSettings {
	const gates = objectParam(o.gates, 'Gates (JSON)');
	for (const [name, label] of Object.entries(NUMBER_GATES)) if (o[name] !== undefined) gates[name] = numberParam(o[name], label, undefined, { min: 0 });
	if (o.budgetCeiling !== undefined) {
		const ceiling = numberParam(o.budgetCeiling, 'Budget Ceiling', undefined, { min: 0 });
		gates.budgetCeiling = ceiling === 0 ? null : ceiling;
	}
	if (o.approvalPercent !== undefined || o.approvalAmount !== undefined || o.approvalActions !== undefined) {
		const approval = { ...((gates.approval as Record<string, unknown> | undefined) ?? {}) };
		if (o.approvalPercent !== undefined) approval.percent = numberParam(o.approvalPercent, 'Approval Above (%)', undefined, { min: 0 });
		if (o.approvalAmount !== undefined) {
			const amount = numberParam(o.approvalAmount, 'Approval Above (Amount)', undefined, { min: 0 });
			approval.amount = amount === 0 ? null : amount;
		}
		if (o.approvalActions !== undefined) approval.actions = o.approvalActions;
		gates.approval = approval;
	}
	for (const opt of registryOptions()) {
		if (o[opt.name] === undefined) continue;
		const v = numberParam(o[opt.name], opt.displayName, undefined, { min: 0 });
		gates[opt.name] = v === 0 ? null : v;
	}
	const settings: OptimizerSettings = { dryRun, killSwitch, gates };
	const currencies = objectParam(o.currencies, 'Currency Gates (JSON)');
	if (Object.keys(currencies).length > 0) settings.currencies = currencies;
	if (o.maxActionsPerRun !== undefined) settings.maxActionsPerRun = numberParam(o.maxActionsPerRun, 'Max Actions per Run', undefined, { min: 0, integer: true });
	if (o.maxAttempts !== undefined) settings.maxAttempts = numberParam(o.maxAttempts, 'Max Attempts per Change', undefined, { min: 1, integer: true });
	if (o.output === 'full') settings.output = 'full';
	if (o.validateOnDryRun === true) settings.validateOnDryRun = true;
	return settings;
}

/** Accounts per platform: the node's lists where given, else the credential's. */
export function accountsFor(o: IDataObject, ctx: OptimizerContext): OptimizerInput['accounts'] {
	const accounts: OptimizerInput['accounts'] = {};
	for (const { platform, option, locator } of ACCOUNT_OPTIONS) {
		// version 1 holds text, 1.1 a locator (or text a workflow kept from 1); errors name the option as the node shows it
		const raw = o[option.name];
		const listed = accountIdsFromLocator(platform, raw, (raw !== null && typeof raw === 'object' ? locator : option).displayName);
		if (ctx.adapters[platform]) accounts[platform] = listed.length > 0 ? listed : (ctx.credentialAccounts[platform] ?? []);
		else if (listed.length > 0) throw new ParameterError(`Account IDs are given for ${platform} but no credential for it is selected on this node`);
	}
	return accounts;
}

/** The run's result as the node's three outputs. */
export function outputsOf(result: OptimizerResult, itemIndex: number): INodeExecutionData[][] {
	const executed: INodeExecutionData[] = [];
	const proposals: INodeExecutionData[] = [];
	const stored: INodeExecutionData[] = [];
	const newProposals = new Set(result.proposals.map((p) => p.id));
	for (const item of result.items) {
		const json = { ...item, alert: optimizerAlert(item) } as unknown as IDataObject;
		const out = { json, pairedItem: { item: itemIndex } };
		if (item.route === 'alert') executed.push(out);
		else if (item.route === 'approval' && item.proposal && newProposals.has(item.proposal.id)) proposals.push(out);
		else stored.push(out);
	}
	for (const a of result.accounts) {
		if (!a.error) continue;
		executed.push({
			json: {
				outcome: 'account_error',
				platform: a.platform,
				accountId: a.accountId,
				error: a.error as unknown as IDataObject,
				alert: accountErrorAlert({ ...a, error: a.error }) as unknown as IDataObject,
			},
			pairedItem: { item: itemIndex },
		});
	}
	stored.push({ json: { outcome: 'summary', at: result.at, dryRun: result.dryRun, killSwitch: result.killSwitch, summary: result.summary, accounts: result.accounts, warnings: result.warnings, stats: result.stats } as unknown as IDataObject, pairedItem: { item: itemIndex } });
	return [executed, proposals, stored];
}

export const once = true;

/** `n8n-<execution id>` (manual runs too), or undefined when n8n gives none (the run then makes up its own id). */
export function executionRunId(fns: Pick<IExecuteFunctions, 'getExecutionId'>): string | undefined {
	try {
		const id = fns.getExecutionId();
		return id ? `n8n-${id}` : undefined;
	} catch {
		return undefined;
	}
}

export async function execute(this: IExecuteFunctions, itemIndex: number, ctx: OptimizerContext): Promise<INodeExecutionData[][]> {
	const options = this.getNodeParameter('runOptions', itemIndex, {}) as IDataObject;
	const rules = jsonParam(this.getNodeParameter('rules', itemIndex, '[]'), 'Rules (JSON)') ?? [];
	if (!Array.isArray(rules)) throw new ParameterError('Rules (JSON) must be a JSON array of rules');
	const dryRun = this.getNodeParameter('mode', itemIndex, 'dryRun') !== 'live';
	const result = await runOptimizer(
		{
			rules,
			useStoredRules: this.getNodeParameter('useStoredRules', itemIndex, true) as boolean,
			settings: settingsFromOptions(options, dryRun, this.getNodeParameter('killSwitch', itemIndex, false) as boolean),
			accounts: accountsFor(options, ctx),
		},
		// n8n's execution id names this run's ledger claims: a concurrent run reports them "in progress by run <id>"
		{ store: ctx.store, adapters: ctx.adapters, runId: executionRunId(this) },
	);
	return outputsOf(result, itemIndex);
}

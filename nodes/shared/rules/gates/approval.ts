/**
 * approval: after every gate passed, a change goes to the approval queue
 * instead of executing when the rule requires it, its action type always needs
 * approval, or the change the rule ASKED for (before any clamp by bounds or
 * caps) is strictly above the percent or amount threshold. Clamping never
 * turns an approval-needing change into an automatic one; the proposal shows
 * what was asked, what the caps allow and what executes if approved.
 */
import { z } from 'zod';
import { ACTION_TYPES, type ActionType } from '../action-types';
import { nonNegative } from '../schema-parts';
import { EPS, fmt, fmtMoney, fmtPct, minOf, type GateValue } from './common';
import type { ApprovalThreshold } from './settings';
import { defineGate } from './types';

export type { ApprovalThreshold } from './settings';

export const approvalSchema: z.ZodType<ApprovalThreshold, z.ZodTypeDef, unknown> = z
	.object({
		percent: nonNegative.nullable().default(null),
		amount: nonNegative.nullable().default(null),
		actions: z.array(z.enum(ACTION_TYPES)).default([]),
	})
	.strict();

export interface ApprovalCheck {
	required: boolean;
	reasons: string[];
	values: Record<string, GateValue>;
}

/**
 * Whether a planned change goes to the approval queue instead of executing.
 * `requestedPct` / `requestedAmount`: the change the rule asked for (before
 * clamping); the thresholds apply to it. Without them, to the planned change.
 */
export function approvalCheck(input: {
	type: ActionType;
	changePct: number | null;
	changeAmount: number | null;
	requestedPct?: number | null;
	requestedAmount?: number | null;
	currency: string;
	percent: number | null;
	amount: number | null;
	actions: readonly ActionType[];
	ruleRequires: boolean;
}): ApprovalCheck {
	const reasons: string[] = [];
	if (input.ruleRequires) reasons.push('the rule requires approval');
	if (input.actions.includes(input.type)) reasons.push(`${input.type} always needs approval`);
	const planned = input.changePct === null ? null : Math.abs(input.changePct);
	const plannedAmt = input.changeAmount === null ? null : Math.abs(input.changeAmount);
	const asked = input.requestedPct === undefined || input.requestedPct === null ? planned : Math.abs(input.requestedPct);
	const askedAmt = input.requestedAmount === undefined || input.requestedAmount === null ? plannedAmt : Math.abs(input.requestedAmount);
	const clamped = asked !== null && planned !== null && Math.abs(asked - planned) > 1e-9 * Math.max(1, asked);
	const sign = input.changePct !== null && input.changePct < 0 ? -1 : 1;
	if (asked !== null && input.percent !== null && asked > input.percent * (1 + EPS)) {
		reasons.push(
			clamped
				? `asked ${fmtPct(sign * asked)} (the caps allow ${fmtPct(sign * (planned as number))}) > approval threshold ${fmt(input.percent)}%`
				: `change ${fmt(asked)}% > approval threshold ${fmt(input.percent)}%`,
		);
	}
	if (askedAmt !== null && input.amount !== null && askedAmt > input.amount * (1 + EPS)) {
		reasons.push(
			clamped
				? `asked ${fmtMoney(askedAmt, input.currency)} (the caps allow ${fmtMoney(plannedAmt, input.currency)}) > approval threshold ${fmtMoney(input.amount, input.currency)}`
				: `change ${fmtMoney(askedAmt, input.currency)} > approval threshold ${fmtMoney(input.amount, input.currency)}`,
		);
	}
	const values: Record<string, GateValue> = { thresholdPct: input.percent, thresholdAmount: input.amount, changePct: planned, changeAmount: plannedAmt };
	if (clamped) {
		values.requestedChangePct = asked;
		values.requestedChangeAmount = askedAmt;
	}
	return { required: reasons.length > 0, reasons, values };
}

export const approval = defineGate({
	name: 'approval',
	stage: 'approval',
	appliesTo: 'change',
	meaning:
		'After every gate passed, a change is proposed for approval instead of executed when the rule requires it, its action type is listed in approval.actions, or the change the rule asked for (before any clamp) is strictly above approval.percent or approval.amount (the smaller of the operator\'s, the currency\'s and the rule\'s). The card shows what was asked, what the caps allow and what executes if approved.',
	settings: {
		node: { approval: approvalSchema.default({}) },
		rule: { approvalPercent: nonNegative.optional(), approvalAmount: nonNegative.optional() },
		currency: { approvalAmount: nonNegative.nullable().optional() },
	},
	nodeOptions: [
		{ name: 'approvalPercent', displayName: 'Approval Above (%)', type: 'number', description: 'Budget changes asked above this percent go to the approval queue (judged before clamping)' },
		{ name: 'approvalAmount', displayName: 'Approval Above (Amount)', type: 'number', description: 'Budget changes asked above this amount go to the approval queue' },
	],
	merge: ({ node, rule, currency }) => {
		const a = (node.approval ?? { percent: null, amount: null, actions: [] }) as ApprovalThreshold;
		const has = Object.prototype.hasOwnProperty.call(currency, 'approvalAmount') && currency.approvalAmount !== undefined;
		return {
			approvalPercent: minOf(a.percent, rule.approvalPercent as number | undefined),
			approvalAmount: minOf((has ? currency.approvalAmount : a.amount) as number | null, rule.approvalAmount as number | undefined),
			approvalActions: a.actions,
		};
	},
	check: () => null,
});

/**
 * The moderation policy: the only place that decides what happens to a
 * comment. It maps a classification's intent and confidence to actions,
 * each with the id of the rule that produced it and a reason.
 *
 * Comment text can never change the policy or pick an action, by
 * construction: `decide` receives `PolicyInput`, reads exactly two fields of
 * it (the intent, checked against the closed enum, and the confidence, a
 * number in 0..1) and nothing else, whatever else the object carries (text,
 * model reasons, an injected `action` field). The policy itself is the
 * user's configuration, validated and frozen; action types form a closed
 * set, and the target of every action is the comment the caller classified,
 * bound by `planActions` from the caller's own record, never from the
 * classification.
 */
import { z } from 'zod';
import { HARMFUL_INTENTS, INTENTS, type HarmfulIntent, type Intent } from './classify';

/** Everything the moderation core may ever do to a comment. */
export const ACTION_TYPES = ['hide', 'delete', 'propose_reply', 'escalate', 'human_review', 'like'] as const;
export type ActionType = (typeof ACTION_TYPES)[number];

/**
 * How an action runs: `auto` immediately (when live mode is on), `approval`
 * through the approval queue (a person decides).
 */
export const ACTION_MODES = ['auto', 'approval'] as const;
export type ActionMode = (typeof ACTION_MODES)[number];

const threshold = z.number().min(0).max(1);

/** The user's policy. Every field has a safe default; unknown keys are refused. */
export const moderationPolicySchema = z
	.object({
		/** Shown in evidence; bump when the policy changes. */
		version: z.string().trim().min(1).max(50).default('1'),
		/** Hide a harmful comment at or above this confidence; `null` never hides that intent automatically. */
		hide: z
			.object({
				spam: threshold.nullable().default(0.7),
				scam_phishing: threshold.nullable().default(0.7),
				harassment_abuse: threshold.nullable().default(0.7),
				hate: threshold.nullable().default(0.7),
			})
			.strict()
			.default({}),
		/** Deleting is irreversible: off unless the user turns it on, and then through approval by default. */
		delete: z
			.object({
				enabled: z.boolean().default(false),
				intents: z.array(z.enum(HARMFUL_INTENTS)).max(4).default(['scam_phishing']),
				minConfidence: threshold.default(0.9),
				requireApproval: z.boolean().default(true),
			})
			.strict()
			.default({}),
		/** Complaints go to a person (approval queue, and an alert). */
		escalate: z
			.object({
				complaint: z.boolean().default(true),
				/** Hate is hidden *and* brought to a person's attention. */
				hate: z.boolean().default(true),
			})
			.strict()
			.default({}),
		/** Reply proposals (drafted by the model, approved by a person). */
		reply: z
			.object({
				question: z.boolean().default(true),
				purchase_intent: z.boolean().default(true),
				complaint: z.boolean().default(false),
			})
			.strict()
			.default({}),
		/** Praise: do nothing (default), or like it automatically. */
		praise: z.enum(['none', 'like']).default('none'),
		/** Below this confidence nothing happens automatically: a person reviews the comment. */
		reviewBelow: threshold.default(0.45),
	})
	.strict();

export type ModerationPolicyInput = z.input<typeof moderationPolicySchema>;
export type ModerationPolicy = Readonly<z.output<typeof moderationPolicySchema>>;

export class PolicyError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'PolicyError';
	}
}

function deepFreeze<T>(value: T): T {
	if (value && typeof value === 'object') {
		for (const v of Object.values(value)) deepFreeze(v);
		Object.freeze(value);
	}
	return value;
}

/** Validates a user policy (defaults filled in) and freezes it. Throws `PolicyError` with every problem. */
export function resolvePolicy(input: ModerationPolicyInput = {}): ModerationPolicy {
	const parsed = moderationPolicySchema.safeParse(input ?? {});
	if (!parsed.success) {
		throw new PolicyError(`invalid moderation policy: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'policy'}: ${i.message}`).join('; ')}`);
	}
	return deepFreeze(parsed.data);
}

export const DEFAULT_POLICY: ModerationPolicy = resolvePolicy();

/** The two facts the policy reads. Anything else on the object is ignored. */
export interface PolicyInput {
	intent: Intent;
	confidence: number;
}

export interface PolicyAction {
	type: ActionType;
	mode: ActionMode;
	/** Stable id of the rule that produced the action (`hide.spam`, `reply.question`, …). */
	ruleId: string;
	/** Why, in words, built only from the intent, the confidence and the policy's numbers. */
	reason: string;
}

export interface PolicyDecision {
	/** The intent the decision was made for (`null` when the input was not a valid intent). */
	intent: Intent | null;
	confidence: number | null;
	/** What to do; empty when nothing is to be done. */
	actions: PolicyAction[];
	/** Every rule that matched, including `none.*` when no action follows. */
	ruleIds: string[];
	policyVersion: string;
}

const INTENT_SET: ReadonlySet<string> = new Set(INTENTS);
const HARMFUL_SET: ReadonlySet<string> = new Set(HARMFUL_INTENTS);

function pct(n: number): string {
	return `${Math.round(n * 100)}%`;
}

/**
 * Maps a classification to actions. Pure and total: invalid input (an
 * unknown intent, a confidence that is not a number in 0..1) becomes a human
 * review, never an automatic action.
 */
export function decide(input: PolicyInput, policy: ModerationPolicy = DEFAULT_POLICY): PolicyDecision {
	// Exactly two reads. Nothing else of `input` is looked at, ever.
	const rawIntent: unknown = input?.intent;
	const rawConfidence: unknown = input?.confidence;

	const actions: PolicyAction[] = [];
	const ruleIds: string[] = [];
	const add = (type: ActionType, mode: ActionMode, ruleId: string, reason: string) => {
		actions.push({ type, mode, ruleId, reason });
		if (!ruleIds.includes(ruleId)) ruleIds.push(ruleId);
	};
	const done = (intent: Intent | null, confidence: number | null): PolicyDecision => ({ intent, confidence, actions, ruleIds, policyVersion: policy.version });

	if (typeof rawIntent !== 'string' || !INTENT_SET.has(rawIntent) || typeof rawConfidence !== 'number' || !Number.isFinite(rawConfidence) || rawConfidence < 0 || rawConfidence > 1) {
		add('human_review', 'approval', 'review.invalid_classification', 'the classification is not a known intent with a confidence between 0 and 1');
		return done(null, null);
	}
	const intent = rawIntent as Intent;
	const confidence = rawConfidence;

	if (confidence < policy.reviewBelow) {
		add('human_review', 'approval', 'review.low_confidence', `classified as ${intent} with ${pct(confidence)} confidence, below the ${pct(policy.reviewBelow)} needed to act without a person`);
		return done(intent, confidence);
	}

	if (HARMFUL_SET.has(intent)) {
		const harmful = intent as HarmfulIntent;
		const hideAt = policy.hide[harmful];
		if (hideAt === null) {
			add('human_review', 'approval', `review.${harmful}.hide_disabled`, `classified as ${harmful} (${pct(confidence)}); automatic hiding of ${harmful} is off, so a person decides`);
		} else if (confidence >= hideAt) {
			add('hide', 'auto', `hide.${harmful}`, `classified as ${harmful} with ${pct(confidence)} confidence (policy hides at ${pct(hideAt)} or more)`);
			if (policy.delete.enabled && policy.delete.intents.includes(harmful) && confidence >= policy.delete.minConfidence) {
				add('delete', policy.delete.requireApproval ? 'approval' : 'auto', `delete.${harmful}`, `classified as ${harmful} with ${pct(confidence)} confidence (policy deletes at ${pct(policy.delete.minConfidence)} or more)`);
			}
			if (harmful === 'hate' && policy.escalate.hate) add('escalate', 'approval', 'escalate.hate', 'hate is hidden and brought to a person');
		} else {
			add('human_review', 'approval', `review.${harmful}.below_hide_threshold`, `classified as ${harmful} with ${pct(confidence)} confidence, below the ${pct(hideAt)} needed to hide it automatically`);
		}
		return done(intent, confidence);
	}

	switch (intent) {
		case 'complaint':
			if (policy.escalate.complaint) add('escalate', 'approval', 'escalate.complaint', 'complaints go to a person');
			if (policy.reply.complaint) add('propose_reply', 'approval', 'reply.complaint', 'reply to complaints is on: a drafted reply waits for approval');
			break;
		case 'question':
			if (policy.reply.question) add('propose_reply', 'approval', 'reply.question', 'questions get a drafted reply that waits for approval');
			break;
		case 'purchase_intent':
			if (policy.reply.purchase_intent) add('propose_reply', 'approval', 'reply.purchase_intent', 'purchase intent gets a drafted reply that waits for approval');
			break;
		case 'praise':
			if (policy.praise === 'like') add('like', 'auto', 'like.praise', 'the policy likes praise');
			break;
		default:
			break;
	}
	if (actions.length === 0) ruleIds.push(`none.${intent}`);
	return done(intent, confidence);
}

// ---- binding actions to a comment --------------------------------------------------

/** The comment an action applies to, from the caller's own record (never from a classification). */
export interface ActionTarget {
	/** `COMMENT_PLATFORM` (Meta) for Facebook and Instagram comments. */
	platform: string;
	/** The platform's comment id. */
	commentId: string;
}

export interface PlannedAction extends PolicyAction {
	platform: string;
	commentId: string;
	/**
	 * At most once per comment and action type: the ledger's and
	 * `moderation_actions`' idempotency key.
	 */
	idempotencyKey: string;
}

/** The idempotency key of an action type on a comment. */
export function moderationActionKey(platform: string, commentId: string, type: ActionType): string {
	return `moderation:${platform}:${commentId}:${type}`;
}

/** Binds a decision's actions to the comment they apply to. */
export function planActions(decision: PolicyDecision, target: ActionTarget): PlannedAction[] {
	return decision.actions.map((a) => ({
		...a,
		platform: target.platform,
		commentId: target.commentId,
		idempotencyKey: moderationActionKey(target.platform, target.commentId, a.type),
	}));
}

/**
 * From a checked variant to what is stored and queued: the content hash of
 * the `creative_variants` natural key, the row, and the approval proposal of
 * kind `creative`.
 *
 * Decisions:
 * - Multi-value fields go into the single text columns joined by a newline
 *   (headlines and descriptions cannot contain line breaks: a hard platform
 *   rule), so `splitLines` gives them back exactly.
 * - The content hash is the sha256 of the canonical JSON of the ad texts
 *   (headlines, descriptions, primary text, call to action) after NFC and
 *   whitespace collapsing; angle and rationale are not content. The same copy
 *   generated twice has the same hash, so the store's unique key
 *   `(platform, campaign_id, content_hash)` keeps it once.
 * - Novelty results (nearest past variant, scores, verdict) belong to
 *   `nodes/shared/novelty`; here they are passed through as evidence.
 * - The proposal id is `creative:<campaign>:<first 24 hex of the hash>`, so
 *   re-queuing the same copy for the same campaign is the same proposal.
 */
import { canonicalJson, sha256Hex, type ProposalInput } from '../approvals/proposal';
import type { Json, RowInput } from '../schema/rows';
import { truncateVisibly } from '../text/graphemes';
import type { PolicyFinding } from './policy';
import type { RuleViolation } from './platform-rules';
import type { CreativePlatform, CreativeVariant } from './variant';

const clean = (s: string) => s.normalize('NFC').replace(/\s+/gu, ' ').trim();

/** sha256 (hex) of the variant's ad texts, normalized (see the module comment). */
export function variantContentHash(variant: CreativeVariant): string {
	return sha256Hex(
		canonicalJson({
			headlines: variant.headlines.map(clean),
			descriptions: variant.descriptions.map(clean),
			primaryText: variant.primaryText === null ? null : clean(variant.primaryText),
			callToAction: variant.callToAction === null ? null : clean(variant.callToAction),
		}),
	);
}

/** Lines of a newline-joined column (`headline`, `description`). */
export function splitLines(value: string | null): string[] {
	return value === null || value === '' ? [] : value.split('\n');
}

export interface VariantRowContext {
	platform: CreativePlatform;
	accountId: string | null;
	campaignId: string;
	status: string;
	similarityScore?: number | null;
	nearestVariantId?: string | null;
	embedding?: number[] | null;
}

/** The `creative_variants` row of a variant. */
export function variantToRow(variant: CreativeVariant, ctx: VariantRowContext): RowInput<'creative_variants'> {
	return {
		platform: ctx.platform,
		account_id: ctx.accountId,
		campaign_id: ctx.campaignId,
		headline: variant.headlines.length ? variant.headlines.join('\n') : null,
		primary_text: variant.primaryText,
		description: variant.descriptions.length ? variant.descriptions.join('\n') : null,
		call_to_action: variant.callToAction,
		copy_angle: variant.copyAngle,
		rationale: variant.rationale,
		similarity_score: ctx.similarityScore ?? null,
		nearest_variant_id: ctx.nearestVariantId ?? null,
		content_hash: variantContentHash(variant),
		embedding: ctx.embedding ?? null,
		status: ctx.status,
	};
}

export interface CreativeProposalContext {
	platform: CreativePlatform;
	accountId: string | null;
	campaignId: string;
	campaignName?: string | null;
	/** Grounding numbers shown as evidence (e.g. `groundingForPrompt(g)`). */
	grounding?: Json;
	/** The novelty check's result for this variant (nearest past variant, scores, verdict). */
	novelty?: Json;
	/** Warnings that travel with the variant (recommended lengths, substantiated claims). */
	violations?: readonly RuleViolation[];
	findings?: readonly PolicyFinding[];
	requestedAt?: string;
	expiresAt?: string;
}

const PLATFORM_LABELS: Record<CreativePlatform, string> = { google_ads: 'Google Ads', meta: 'Meta', linkedin: 'LinkedIn' };

function idPart(value: string): string {
	const s = value.replace(/[^A-Za-z0-9._:@/-]+/g, '-').replace(/^[^A-Za-z0-9]+/, '');
	return (s || 'campaign').slice(0, 120);
}

/** The copy in words, as the approver reads it. */
export function describeVariant(variant: CreativeVariant): string {
	const lines: string[] = [];
	variant.headlines.forEach((h, i) => lines.push(`Headline ${i + 1}: ${h}`));
	if (variant.primaryText !== null) lines.push(`Primary text: ${variant.primaryText}`);
	variant.descriptions.forEach((d, i) => lines.push(`Description ${i + 1}: ${d}`));
	if (variant.callToAction !== null) lines.push(`Call to action: ${variant.callToAction}`);
	lines.push(`Angle: ${variant.copyAngle}`);
	return lines.join('\n');
}

/** The copy as a proposal's payload carries it. */
function variantPayload(variant: CreativeVariant) {
	return {
		headlines: [...variant.headlines],
		descriptions: [...variant.descriptions],
		primaryText: variant.primaryText,
		callToAction: variant.callToAction,
		copyAngle: variant.copyAngle,
		rationale: variant.rationale,
	};
}

/** The approval proposal (kind `creative`) of a staged variant; pass it to `createProposal`. */
export function creativeProposalInput(variant: CreativeVariant, ctx: CreativeProposalContext): ProposalInput {
	const hash = variantContentHash(variant);
	const campaign = ctx.campaignName ? `"${ctx.campaignName}"` : ctx.campaignId;
	const warnings = [...(ctx.violations ?? []).filter((v) => v.severity === 'recommended').map((v) => v.message), ...(ctx.findings ?? []).filter((f) => f.severity === 'warn').map((f) => f.message)];
	const payload = {
		action: 'approve_variant',
		platform: ctx.platform,
		accountId: ctx.accountId,
		campaignId: ctx.campaignId,
		contentHash: hash,
		variant: variantPayload(variant),
	} satisfies Json;
	return {
		id: `creative:${idPart(ctx.campaignId)}:${hash.slice(0, 24)}`,
		kind: 'creative',
		title: truncateVisibly(`New ${PLATFORM_LABELS[ctx.platform]} copy for ${campaign}: ${variant.headlines[0] ?? variant.primaryText ?? variant.copyAngle}`, 300).text,
		payload,
		evidence: {
			rationale: variant.rationale,
			copyAngle: variant.copyAngle,
			grounding: ctx.grounding ?? null,
			novelty: ctx.novelty ?? null,
			warnings,
		},
		platform: ctx.platform,
		accountId: ctx.accountId,
		entity: truncateVisibly(`campaign ${campaign}`, 500).text,
		proposedChange: truncateVisibly(describeVariant(variant), 10_000).text,
		impact: 'Approving marks the variant approved; with publish settings (AdOps Approval or AdOps Creative Publish Approved) it then goes live as a paused ad.',
		...(ctx.requestedAt ? { requestedAt: ctx.requestedAt } : {}),
		...(ctx.expiresAt ? { expiresAt: ctx.expiresAt } : {}),
	};
}

/** One variant of a batch proposal with its own evidence. */
export interface BatchVariant {
	variant: CreativeVariant;
	novelty?: Json;
	violations?: readonly RuleViolation[];
	findings?: readonly PolicyFinding[];
}

/**
 * One approval proposal (kind `creative`, payload `approve_variants`) for the
 * novel variants of one campaign run: one Notion card and one Slack request
 * per campaign instead of one per variant. Approving it approves every
 * variant it lists; rejecting it rejects them all. The id is
 * `creative:<campaign>:batch:<first 24 hex of the sha256 of the sorted
 * content hashes>`, so the same set of copy is the same proposal.
 */
export function creativeBatchProposalInput(variants: readonly BatchVariant[], ctx: Omit<CreativeProposalContext, 'novelty' | 'violations' | 'findings'>, id?: string): ProposalInput {
	if (variants.length === 0) throw new Error('a batch proposal needs at least one variant');
	const hashes = variants.map((v) => variantContentHash(v.variant));
	const campaign = ctx.campaignName ? `"${ctx.campaignName}"` : ctx.campaignId;
	const payload = {
		action: 'approve_variants',
		platform: ctx.platform,
		accountId: ctx.accountId,
		campaignId: ctx.campaignId,
		contentHashes: hashes,
		variants: variants.map(({ variant }) => variantPayload(variant)),
	} satisfies Json;
	const warnings = (v: BatchVariant) => [...(v.violations ?? []).filter((x) => x.severity === 'recommended').map((x) => x.message), ...(v.findings ?? []).filter((f) => f.severity === 'warn').map((f) => f.message)];
	const evidence: Record<string, Json> = { grounding: ctx.grounding ?? null };
	variants.forEach((v, i) => {
		evidence[`variant ${i + 1}`] = { copyAngle: v.variant.copyAngle, rationale: v.variant.rationale, novelty: v.novelty ?? null, warnings: warnings(v) };
	});
	return {
		id: id ?? `creative:${idPart(ctx.campaignId)}:batch:${sha256Hex([...hashes].sort().join('\n')).slice(0, 24)}`,
		kind: 'creative',
		title: truncateVisibly(`${variants.length} new ${PLATFORM_LABELS[ctx.platform]} copy variants for ${campaign}`, 300).text,
		payload,
		evidence,
		platform: ctx.platform,
		accountId: ctx.accountId,
		entity: truncateVisibly(`campaign ${campaign}`, 500).text,
		proposedChange: truncateVisibly(variants.map((v, i) => `Variant ${i + 1}\n${describeVariant(v.variant)}`).join('\n\n'), 10_000).text,
		impact: `Approving marks all ${variants.length} variants approved, rejecting rejects them all; with publish settings (AdOps Approval or AdOps Creative Publish Approved) they then go live as paused ads.`,
		...(ctx.requestedAt ? { requestedAt: ctx.requestedAt } : {}),
		...(ctx.expiresAt ? { expiresAt: ctx.expiresAt } : {}),
	};
}

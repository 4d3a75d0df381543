/**
 * The shape of a generated ad variant: what the model must return and what
 * the platform rules, the policy lint and the novelty check read.
 *
 * Decisions:
 * - One general shape with arrays for every platform, not one schema per
 *   platform. Google responsive search ads need 3–15 headlines and 2–4
 *   descriptions in a single ad; Meta and LinkedIn take one headline, one
 *   primary (intro) text and at most one description. The arrays carry both;
 *   how many entries a platform allows is a platform rule
 *   (`platform-rules.ts`), checked in the core and fed back to the model, not
 *   a schema constraint. A variant with two headlines for Google is then a
 *   reported rule violation ("headlines: 2, at least 3") with the copy kept,
 *   instead of an opaque schema error that loses it.
 * - It is an OpenAI strict structured-output schema as it stands: every key
 *   required, `nullable()` where a value may be absent (never `optional()`),
 *   closed objects, no `minLength`/`maxLength`/`pattern`/`minItems`, no
 *   refinements or transforms (`ZodEffects` cannot be represented), only
 *   `describe()` for guidance. JSON Schema string lengths count code points,
 *   not graphemes, so lengths could not be expressed there faithfully anyway.
 * - The lead passes `zodResponseFormat(creativeVariantBatch,
 *   CREATIVE_RESPONSE_FORMAT_NAME)` (from `openai/helpers/zod`) as
 *   `response_format` to `client.chat.completions.parse(...)` and hands
 *   `message.parsed.variants` (or `message.refusal`) to `generateVariants`,
 *   which validates again with `creativeVariant` before anything reads it.
 *   The unit tests build that response format with the real SDK helper.
 */
import { z } from 'zod';

/** Platforms this package generates copy for (Klaviyo is e-mail, not ads). */
export const CREATIVE_PLATFORMS = ['google_ads', 'meta', 'linkedin'] as const;
export type CreativePlatform = (typeof CREATIVE_PLATFORMS)[number];
export const creativePlatform = z.enum(CREATIVE_PLATFORMS);

/** Name of the structured-output schema (`json_schema.name`). */
export const CREATIVE_RESPONSE_FORMAT_NAME = 'creative_variants';

/** One ad variant as generated: the copy plus why it was written this way. */
export const creativeVariant = z
	.object({
		headlines: z
			.array(z.string())
			.describe('Headlines. Google responsive search ads: 3 to 15 distinct headlines. Meta and LinkedIn: exactly one.'),
		descriptions: z
			.array(z.string())
			.describe('Descriptions. Google responsive search ads: 2 to 4. Meta and LinkedIn: at most one (may be empty).'),
		primaryText: z
			.string()
			.nullable()
			.describe('Primary text (Meta) or introductory text (LinkedIn) shown above the media. null for Google search ads.'),
		callToAction: z.string().nullable().describe('Call to action, e.g. "Learn more", "Sign up"; null when the platform has none.'),
		copyAngle: z.string().describe('The persuasion angle in a few words, e.g. "time saved", "social proof".'),
		rationale: z.string().describe('Why this copy should work, referring to the brief and the grounding data. Not shown in the ad.'),
	})
	.strict();

export type CreativeVariant = z.infer<typeof creativeVariant>;

/** What one completion returns: a list of variants. */
export const creativeVariantBatch = z.object({ variants: z.array(creativeVariant) }).strict();
export type CreativeVariantBatch = z.infer<typeof creativeVariantBatch>;

/** Ad text fields of a variant (the ones rules and policy read); `copyAngle` and `rationale` are internal. */
export type VariantField = 'headlines' | 'descriptions' | 'primaryText' | 'callToAction';

/** One ad text of a variant with where it sits. `index` is null for single-valued fields. */
export interface VariantText {
	field: VariantField;
	index: number | null;
	text: string;
}

/** Every ad text of a variant, in a stable order (headlines, descriptions, primary text, call to action). */
export function variantTexts(variant: CreativeVariant): VariantText[] {
	const out: VariantText[] = [];
	variant.headlines.forEach((text, index) => out.push({ field: 'headlines', index, text }));
	variant.descriptions.forEach((text, index) => out.push({ field: 'descriptions', index, text }));
	if (variant.primaryText !== null) out.push({ field: 'primaryText', index: null, text: variant.primaryText });
	if (variant.callToAction !== null) out.push({ field: 'callToAction', index: null, text: variant.callToAction });
	return out;
}

/** `headlines[2]`, `primaryText`: how a field is named in messages and feedback. */
export function fieldLabel(field: string, index: number | null): string {
	return index === null ? field : `${field}[${index}]`;
}

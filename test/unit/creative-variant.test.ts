import assert from 'node:assert/strict';
import { describe, test } from 'vitest';
import { zodResponseFormat } from 'openai/helpers/zod';
import { createProposal, proposalId } from '../../nodes/shared/approvals/proposal';
import { creativeVariantRow } from '../../nodes/shared/schema/rows';
import {
	CREATIVE_RESPONSE_FORMAT_NAME,
	PolicyLinter,
	checkPlatformRules,
	creativeProposalInput,
	creativeVariant,
	creativeVariantBatch,
	platformRules,
	splitLines,
	variantContentHash,
	variantTexts,
	variantToRow,
	type CreativeVariant,
} from '../../nodes/shared/creative';

const rsa: CreativeVariant = {
	headlines: ['Project plans in minutes', 'Boards, docs and timelines', 'Start your 14-day trial'],
	descriptions: ['Plan, track and ship work in one place.', 'Templates for every team.'],
	primaryText: null,
	callToAction: null,
	copyAngle: 'time saved',
	rationale: 'The best performer led with speed (ROAS 5.0).',
};

/** Every JSON-schema node below `node`. */
function* nodes(node: unknown): Generator<Record<string, unknown>> {
	if (node && typeof node === 'object') {
		if (!Array.isArray(node)) yield node as Record<string, unknown>;
		for (const child of Object.values(node)) yield* nodes(child);
	}
}

describe('creative variant schema: OpenAI structured output', () => {
	test('the real SDK helper accepts the batch schema in strict mode', () => {
		const format = zodResponseFormat(creativeVariantBatch, CREATIVE_RESPONSE_FORMAT_NAME);
		assert.equal(format.type, 'json_schema');
		assert.equal(format.json_schema.name, 'creative_variants');
		assert.equal(format.json_schema.strict, true);
		const schema = format.json_schema.schema as Record<string, unknown>;
		let objects = 0;
		for (const n of nodes(schema)) {
			if (n.type === 'object' && n.properties) {
				objects++;
				assert.deepEqual([...(n.required as string[])].sort(), Object.keys(n.properties as object).sort(), 'every key required');
				assert.equal(n.additionalProperties, false);
			}
			for (const keyword of ['minLength', 'maxLength', 'pattern', 'format', 'minItems', 'maxItems', 'default', 'allOf', 'not', 'if']) {
				assert.ok(!(keyword in n), `keyword ${keyword} is not used`);
			}
		}
		assert.equal(objects, 2);
		const item = ((schema.properties as Record<string, { items: { properties: Record<string, { nullable?: boolean; type: unknown }> } }>).variants.items.properties);
		assert.deepEqual(Object.keys(item), ['headlines', 'descriptions', 'primaryText', 'callToAction', 'copyAngle', 'rationale']);
		assert.equal(item.primaryText.nullable, true);
		assert.equal(item.callToAction.nullable, true);
		assert.equal(item.copyAngle.nullable, undefined);
	});

	test('validation: all keys required, nulls where allowed, no extra keys', () => {
		assert.deepEqual(creativeVariant.parse(rsa), rsa);
		const { primaryText: _omit, ...withoutPrimary } = rsa;
		assert.equal(creativeVariant.safeParse(withoutPrimary).success, false);
		assert.equal(creativeVariant.safeParse({ ...rsa, extra: 1 }).success, false);
		assert.equal(creativeVariant.safeParse({ ...rsa, copyAngle: null }).success, false);
		assert.equal(creativeVariant.safeParse({ ...rsa, headlines: 'one' }).success, false);
		// counts are platform rules, not schema constraints: an empty list parses and is reported by the rules
		assert.equal(creativeVariant.safeParse({ ...rsa, headlines: [] }).success, true);
		assert.equal(checkPlatformRules({ ...rsa, headlines: [] }, platformRules('google_ads'))[0].rule, 'min_count');
	});

	test('variantTexts lists the ad texts in order; angle and rationale are not ad text', () => {
		assert.deepEqual(
			variantTexts({ ...rsa, primaryText: 'P', callToAction: 'C' }).map((t) => `${t.field}${t.index === null ? '' : `[${t.index}]`}`),
			['headlines[0]', 'headlines[1]', 'headlines[2]', 'descriptions[0]', 'descriptions[1]', 'primaryText', 'callToAction'],
		);
	});
});

describe('creative staging: content hash, row, proposal', () => {
	test('content hash: stable under spacing and Unicode form, sensitive to copy, blind to rationale', () => {
		const h = variantContentHash(rsa);
		assert.match(h, /^[0-9a-f]{64}$/);
		assert.equal(variantContentHash({ ...rsa, headlines: ['  Project plans  in minutes ', ...rsa.headlines.slice(1)] }), h);
		assert.equal(variantContentHash({ ...rsa, rationale: 'other', copyAngle: 'other' }), h);
		const cafe = { ...rsa, descriptions: ['Café plans.', 'x'] };
		assert.equal(variantContentHash({ ...rsa, descriptions: ['Cafe\u0301 plans.', 'x'] }), variantContentHash(cafe));
		assert.notEqual(variantContentHash({ ...rsa, headlines: ['Project plans in minutes!', ...rsa.headlines.slice(1)] }), h);
		assert.notEqual(variantContentHash({ ...rsa, headlines: [...rsa.headlines].reverse() }), h);
		assert.notEqual(variantContentHash({ ...rsa, primaryText: '' }), h);
	});

	test('row: valid for creative_variants, multi-value fields round-trip through newlines', () => {
		const row = variantToRow(rsa, { platform: 'google_ads', accountId: '123-456-7890', campaignId: 'c-1', status: 'pending_approval' });
		const parsed = creativeVariantRow.parse(row);
		assert.equal(parsed.status, 'pending_approval');
		assert.equal(parsed.content_hash, variantContentHash(rsa));
		assert.deepEqual(splitLines(parsed.headline), rsa.headlines);
		assert.deepEqual(splitLines(parsed.description), rsa.descriptions);
		assert.equal(parsed.primary_text, null);
		const social = variantToRow({ ...rsa, headlines: ['One'], descriptions: [], primaryText: 'Hello' }, { platform: 'meta', accountId: null, campaignId: 'c-2', status: 'rejected_duplicate', similarityScore: 0.93 });
		assert.deepEqual([social.description, social.primary_text, social.similarity_score], [null, 'Hello', 0.93]);
		assert.deepEqual(splitLines(null), []);
	});

	test('proposal: kind creative, valid for createProposal, same copy same id, warnings as evidence', () => {
		const linter = new PolicyLinter({ substantiation: { superlative: 'G2 2025' } });
		const v = { ...rsa, headlines: ['The best planner', ...rsa.headlines.slice(1)] };
		const input = creativeProposalInput(v, {
			platform: 'google_ads',
			accountId: '123',
			campaignId: 'Brand | US / search',
			campaignName: 'Brand | US',
			novelty: { verdict: 'novel', nearest: null },
			findings: linter.lintVariant(v),
			requestedAt: '2025-06-01T08:00:00.000Z',
		});
		const p = createProposal(input);
		assert.equal(p.kind, 'creative');
		assert.ok(proposalId.safeParse(p.id).success);
		assert.match(p.id, /^creative:Brand-US-\/-search:[0-9a-f]{24}$/);
		assert.equal(creativeProposalInput(v, { platform: 'google_ads', accountId: '123', campaignId: 'Brand | US / search' }).id, p.id);
		assert.match(p.proposedChange, /^Headline 1: The best planner\nHeadline 2: Boards, docs and timelines/);
		assert.match(p.title, /^New Google Ads copy for "Brand \| US": The best planner$/);
		const evidence = p.evidence as { warnings: string[]; novelty: unknown; rationale: string };
		assert.equal(evidence.warnings.length, 1);
		assert.match(evidence.warnings[0], /proof on file: G2 2025/);
		assert.deepEqual(evidence.novelty, { verdict: 'novel', nearest: null });
		assert.equal((p.payload as { contentHash: string }).contentHash, variantContentHash(v));
		assert.match(p.impact ?? '', /with publish settings \(AdOps Approval or AdOps Creative Publish Approved\) it then goes live as a paused ad/);
	});
});

/**
 * The creative platform rules come from the platform registry's creative
 * limits (issue 14): one set of numbers, every platform with limits has
 * rules, TikTok's in-feed ad text (1-100 characters, no emoji, no headline or
 * description) included.
 */
import assert from 'node:assert/strict';
import { test } from 'vitest';
import { RULE_PLATFORMS, checkPlatformRules, describeRules, hasHardViolation, platformRules, type CreativeVariant } from '../../nodes/shared/creative';
import { PLATFORM_DEFINITIONS, PLATFORM_REGISTRY } from '../../nodes/shared/platforms/registry';

const TIKTOK = PLATFORM_REGISTRY.tiktok.id;
const tiktokVariant = (primaryText: string | null, patch: Partial<CreativeVariant> = {}): CreativeVariant => ({
	headlines: [],
	descriptions: [],
	primaryText,
	callToAction: 'Shop now',
	copyAngle: 'warmth',
	rationale: 'Short caption; the video carries the hook.',
	...patch,
});

test('every platform with creative limits in the registry has rules with exactly those numbers', () => {
	assert.deepEqual(RULE_PLATFORMS, PLATFORM_DEFINITIONS.filter((p) => p.creative).map((p) => p.id));
	for (const id of RULE_PLATFORMS) {
		const c = PLATFORM_REGISTRY[id].creative!;
		const r = platformRules(id);
		assert.deepEqual(
			[r.unit, r.headlines.count, r.headlines.length, r.descriptions.count, r.descriptions.length, r.primaryText, r.emojiAllowed],
			[c.unit, { min: c.headline.min, max: c.headline.max }, { hard: c.headline.hard, recommended: c.headline.recommended }, { min: c.description.min, max: c.description.max }, { hard: c.description.hard, recommended: c.description.recommended }, { use: c.primaryText.use, length: { hard: c.primaryText.hard, recommended: c.primaryText.recommended } }, c.emojiAllowed],
			id,
		);
	}
	assert.throws(() => platformRules(PLATFORM_REGISTRY.klaviyo.id), /no creative rules for platform "klaviyo"/);
});

test('TikTok ad text: 100 characters pass, 101 fail; counted as a reader sees them', () => {
	const rules = platformRules(TIKTOK);
	assert.deepEqual(checkPlatformRules(tiktokVariant('a'.repeat(100)), rules), []);
	assert.deepEqual(checkPlatformRules(tiktokVariant('e\u0301'.repeat(100)), rules), [], '100 accented letters written with combining marks (200 code units)');
	const [v] = checkPlatformRules(tiktokVariant('a'.repeat(101)), rules);
	assert.deepEqual([v!.field, v!.rule, v!.severity, v!.limit, v!.actual], ['primaryText', 'max_length', 'hard', 100, 101]);
});

test('TikTok ad text: required, not empty, no emoji; no headline or description', () => {
	const rules = platformRules(TIKTOK);
	const rulesOf = (v: CreativeVariant) => checkPlatformRules(v, rules).map((x) => `${x.field}:${x.rule}:${x.severity}`);
	assert.deepEqual(rulesOf(tiktokVariant(null)), ['primaryText:required:hard']);
	assert.deepEqual(rulesOf(tiktokVariant('   ')), ['primaryText:empty:hard']);
	assert.deepEqual(rulesOf(tiktokVariant('Warm jackets for cold days 🔥')), ['primaryText:emoji:hard']);
	assert.deepEqual(rulesOf(tiktokVariant('Fleece™ for cold days ©2026')), [], '©, ® and ™ are ordinary characters');
	assert.deepEqual(rulesOf(tiktokVariant('Warm jackets', { headlines: ['Winter sale'] })), ['headlines:max_count:hard']);
	assert.deepEqual(rulesOf(tiktokVariant('Warm jackets', { descriptions: ['Free returns'] })), ['descriptions:max_count:hard']);
	assert.ok(hasHardViolation(checkPlatformRules(tiktokVariant('🔥'), rules)));
});

test('emoji in the primary text stay allowed where the registry allows them (Meta, LinkedIn)', () => {
	for (const id of [PLATFORM_REGISTRY.meta.id, PLATFORM_REGISTRY.linkedin.id]) {
		const v = { ...tiktokVariant('Warm jackets for cold days 🔥'), headlines: ['Winter sale'] };
		assert.deepEqual(checkPlatformRules(v, platformRules(id)), [], id);
	}
});

test('the prompt describes TikTok with the same numbers', () => {
	assert.deepEqual(describeRules(platformRules(TIKTOK)), [
		'headlines: none, an empty list (this ad format has none).',
		'descriptions: none, an empty list (this ad format has none).',
		'primaryText: required, at most 100 characters.',
		'No emoji or pictographs in headlines, descriptions or primaryText.',
		'Characters are counted as a reader sees them; an emoji counts as 1.',
		'Never cut text off to fit: rewrite it shorter.',
	]);
});

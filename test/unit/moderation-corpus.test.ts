/**
 * Issue 17, moderation half: the offline classifier on the held-out half of
 * the moderation corpus (test/fixtures/moderation-corpus, never tuned on)
 * meets the thresholds; the corpus is what its README says.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'vitest';
import { classifyOffline } from '../../nodes/shared/moderation/classify';
import { decide } from '../../nodes/shared/moderation/policy';
import { deobfuscate } from '../../nodes/shared/moderation/normalize';
import { loadCorpus, splitOf } from '../fixtures/moderation-corpus/load';
import { THRESHOLDS, failures, formatScore, scoreCorpus } from '../fixtures/moderation-corpus/score';

const corpus = loadCorpus();
const heldout = corpus.filter((c) => c.split === 'heldout');

describe('moderation corpus', () => {
	test('1,000+ comments in nine languages, every intent and the hard cases, split by a hash of the id', () => {
		assert.ok(corpus.length >= 1000, `${corpus.length} comments`);
		assert.equal(new Set(corpus.map((c) => c.id)).size, corpus.length);
		const langs = new Set(corpus.map((c) => c.language));
		for (const l of ['en', 'es', 'pt', 'fr', 'de', 'ar', 'ja', 'hi', 'id']) assert.ok(corpus.filter((c) => c.language === l).length >= 80, l);
		assert.ok(langs.size >= 8);
		for (const flag of ['sarcasm', 'hyperbole', 'obfuscated', 'injection', 'narrative', 'offplatform', 'phishing', 'emoji_only'] as const) assert.ok(corpus.filter((c) => c.flags.includes(flag)).length >= 8, flag);
		for (const c of corpus) assert.equal(c.split, splitOf(c.id));
		assert.ok(heldout.length > 400 && heldout.length < corpus.length - 400, `${heldout.length} held out`);
	});
});

describe('offline classifier on the held-out half', () => {
	const score = scoreCorpus(heldout);
	test('prints the table and meets every threshold', () => {
		console.log(`\n${formatScore('Offline classifier, held-out half', score)}\n`);
		assert.deepEqual(failures(score), []);
		assert.ok(score.macroF1 >= THRESHOLDS.macroF1);
		assert.ok(score.scamRecall >= THRESHOLDS.scamRecall);
		assert.ok(score.autoHidden > 0 && (score.autoHidePrecision ?? 0) >= THRESHOLDS.autoHidePrecision, `auto-hide ${score.autoHiddenHarmful}/${score.autoHidden}`);
		for (const [lang, q] of Object.entries(score.questionRecall)) assert.ok((q.recall ?? 0) >= THRESHOLDS.questionRecall, `${lang} question recall ${q.recall}`);
	});

	test('stays fast: under 50 ms per 1,000 comments on average after warm-up would be nice, under 2 s is required', () => {
		const texts = corpus.map((c) => c.text);
		for (const t of texts.slice(0, 100)) classifyOffline(t);
		const t0 = performance.now();
		for (const t of texts) classifyOffline(t);
		const perThousand = ((performance.now() - t0) / texts.length) * 1000;
		assert.ok(perThousand < 2000, `${perThousand.toFixed(0)} ms per 1,000 comments`);
	});

	test('injection-only comments are spam (hidden at most), and their text never selects an action', () => {
		for (const c of corpus.filter((x) => x.flags.includes('injection'))) {
			const k = classifyOffline(c.text);
			assert.ok(['spam', 'other'].includes(k.intent), `${c.id} ${k.intent}`);
			const actions = decide({ intent: k.intent, confidence: k.confidence }).actions.map((a) => a.type);
			assert.ok(actions.every((a) => a === 'hide' || a === 'human_review'), `${c.id} ${actions.join(',')}`);
		}
	});
});

describe('de-obfuscation', () => {
	test('compatibility forms, look-alike letters, spaced and dotted letters', () => {
		assert.equal(deobfuscate('𝗘𝗮𝗿𝗻 𝗺𝗼𝗻𝗲𝘆'), 'earn money');
		assert.equal(deobfuscate('Ⓕⓡⓔⓔ'), 'free');
		assert.equal(deobfuscate('ＦＲＥＥ'), 'free');
		assert.equal(deobfuscate('fr\u0435\u0435 m\u043eney'), 'free money', 'Cyrillic e and o inside Latin words');
		assert.equal(deobfuscate('привет'), 'привет', 'a word wholly in another script is left alone');
		assert.equal(deobfuscate('F R E E  F O L L O W E R S'), 'free followers');
		assert.equal(deobfuscate('b.u.y now'), 'buy now');
		assert.equal(deobfuscate('version 3.5 is out'), 'version 3.5 is out');
		assert.equal(deobfuscate('y a la playa'), 'y a la playa');
		assert.equal(classifyOffline('F R E E  F O L L O W E R S  check my profile').intent, 'spam');
	});
});

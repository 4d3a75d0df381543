/**
 * The comment signal end to end against a real store (PGlite always,
 * PostgreSQL when DATABASE_URL is set, own schema dropped afterwards):
 * migration 20250607000000_comment_signals, the signal written by the
 * moderation run (offline classifier) and by `refreshCommentSignals`, with
 * hand-counted expectations through reruns, reclassifications and a change
 * of time zone; then the rule "abusive comments over 20 % with at least 30
 * comments over the last 7 days → pause" through `runOptimizer` against the
 * sandbox's Meta Marketing API.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, test } from 'vitest';
import { Pool } from 'pg';
import { OFFLINE_MODEL, moderate, refreshCommentSignals, type AdCommentSignal } from '../../nodes/shared/moderation';
import { createPlatformAdapter } from '../../nodes/shared/platforms/factory';
import { SEED_RULES, type RuleInput } from '../../nodes/shared/rules';
import type { OptimizerAdapters } from '../../nodes/shared/rules/apply';
import { runOptimizer, type OptimizerResult } from '../../nodes/shared/rules/run';
import type { Row } from '../../nodes/shared/schema/rows';
import { openStore, type Store } from '../../nodes/shared/store';
import { embeddedExecutor } from '../../nodes/shared/store/embedded';
import { PgPoolExecutor, type SqlExecutor } from '../../nodes/shared/store/sql-runner';
import { startSandbox, type AdAccount, type Campaign, type Sandbox } from '../../scripts/sandbox';
import { addDays } from '../../scripts/sandbox/rng';
import { countingStore } from '../helpers/counting-store';
import { pinnedApiVersion } from '../../nodes/shared/platforms/registry';

const DATABASE_URL = process.env.DATABASE_URL;
const TODAY = '2026-03-02';

/** Texts the offline classifier labels as shown (checked in the first test). */
const TEXT = {
	abuse: 'You are all incompetent morons, shut up',
	abuse2: 'You are pathetic idiots, shut up and go away',
	complaint: 'The zipper broke after two days. Very disappointed.',
	complaint2: 'Shipping took three weeks and nobody answered my emails. Terrible service.',
	praise: 'Love mine, best fleece I have ever owned',
	praise2: 'Absolutely love the colour, thank you!',
	praise3: 'Great jacket, my daughter loves it',
	question: 'What sizes does the rain jacket come in?',
	question2: 'Is this made from recycled material?',
	spam: 'Follow my page for daily giveaways!!! check my profile',
} as const;

type Counts = [date: string, comments: number, negative: number, abusive: number, excluded: number, negativeShare: number | null, abusiveShare: number | null];
const counts = (s: Pick<AdCommentSignal, 'date' | 'comments' | 'negative_comments' | 'abusive_comments' | 'excluded_comments' | 'negative_share' | 'abusive_share'>): Counts => [s.date, s.comments, s.negative_comments, s.abusive_comments, s.excluded_comments, s.negative_share, s.abusive_share];

interface Backend {
	store: Store;
	exec: SqlExecutor;
	/** Schema of the tables (PGlite: the connection's current schema). */
	schema: string | null;
	cleanup: () => Promise<void>;
}

function registerSuite(name: string, open: () => Promise<Backend>): void {
	describe(`comment signals (${name})`, () => {
		let backend: Backend;
		let store: Store;
		let n = 0;
		const stamp = randomBytes(3).toString('hex');

		/** Stores comments as polling would (not moderated yet); returns their item ids in order. */
		async function stored(list: Array<{ text: string; at: string; ad: string; account: string; campaign: string | null }>): Promise<string[]> {
			const rows = list.map((c) => ({ platform: 'meta' as const, object_id: `${stamp}_${++n}`, object_type: 'facebook_comment', post_id: `post_${c.ad}`, parent_id: `post_${c.ad}`, ad_id: c.ad, account_id: c.account, campaign_id: c.campaign, text: c.text, created_time: c.at }));
			await store.upsert('social_media_items', rows);
			const back = await store.select('social_media_items', { where: { object_id: { in: rows.map((r) => r.object_id) } } });
			return rows.map((r) => back.find((b) => b.object_id === r.object_id)!.id);
		}
		const signalsOf = async (ad: string): Promise<Array<Row<'ad_comment_signals'>>> => (await store.select('ad_comment_signals', { where: { platform: 'meta', ad_id: ad }, order: { column: 'date' } }));
		const countsOf = async (ad: string) => (await signalsOf(ad)).map(counts);

		beforeAll(async () => {
			backend = await open();
			store = backend.store;
		});
		afterAll(async () => {
			await backend?.cleanup();
		});

		test('migration 20250607000000_comment_signals is recorded and adds the readers\' indexes', async () => {
			const { exec, schema } = backend;
			const table = schema ? `"${schema}".schema_migrations` : 'schema_migrations';
			const versions = (await exec.query(`SELECT version FROM ${table} ORDER BY version`)).rows.map((r) => String(r.version));
			assert.ok(versions.includes('20250607000000'), versions.join(', '));
			const { rows } = await exec.query(`SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'ad_comment_signals' AND schemaname = ${schema ? '$1' : 'current_schema()'} ORDER BY indexname`, schema ? [schema] : []);
			const defs = Object.fromEntries(rows.map((r) => [String(r.indexname), String(r.indexdef)]));
			assert.match(defs.idx_ad_comment_signals_account_date ?? '', /\(platform, account_id, date\)/);
			assert.match(defs.idx_ad_comment_signals_ad_date ?? '', /\(platform, ad_id, date\)/);
			assert.match(defs.ad_comment_signals_natural_key ?? '', /UNIQUE .*\(platform, account_id, ad_id, date\)/);
		});

		test('moderate writes the signal of the ads and days it touched, in the account\'s time zone; reruns and new comments keep it exact', async () => {
			const base = { account: '4242', campaign: 'camp-s' };
			const ad1 = { ...base, ad: `ad-s1-${stamp}` };
			const ad2 = { ...base, ad: `ad-s2-${stamp}` };
			// Berlin is UTC+1 in March: 2025-03-03T23:30Z is 03-04 00:30 there, 2025-03-04T23:30Z is 03-05 00:30.
			const ids = await stored([
				{ ...ad1, text: TEXT.question2, at: '2025-03-03T23:30:00Z' },
				{ ...ad1, text: TEXT.abuse, at: '2025-03-04T10:00:00Z' },
				{ ...ad1, text: TEXT.abuse2, at: '2025-03-04T10:30:00Z' },
				{ ...ad1, text: TEXT.complaint, at: '2025-03-04T11:00:00Z' },
				{ ...ad1, text: TEXT.praise, at: '2025-03-04T12:00:00Z' },
				{ ...ad1, text: TEXT.praise2, at: '2025-03-04T12:30:00Z' },
				{ ...ad1, text: TEXT.spam, at: '2025-03-04T13:00:00Z' },
				{ ...ad1, text: TEXT.question, at: '2025-03-04T14:00:00Z' },
				{ ...ad1, text: TEXT.praise3, at: '2025-03-04T23:30:00Z' },
				{ ...ad2, text: TEXT.abuse, at: '2025-03-04T10:00:00Z' },
			]);
			const zones = { timeZones: { act_4242: 'Europe/Berlin' } };
			const run = await moderate({ itemIds: ids, ...zones }, { store });
			assert.deepEqual(
				run.comments.map((c) => [c.classification.intent, c.classification.sentiment]),
				[
					['question', 'neutral'],
					['harassment_abuse', 'negative'],
					['harassment_abuse', 'negative'],
					['harassment_abuse', 'negative'],
					['complaint', 'negative'],
					['praise', 'positive'],
					['praise', 'positive'],
					['spam', 'neutral'],
					['question', 'neutral'],
					['praise', 'positive'],
				],
				'the offline classifier labels the texts as the expectations below assume',
			);
			// ad1, 03-04 (Berlin): question2 (00:30), abuse, abuse2, complaint, praise, praise2, question = 7 counted,
			// negative 3 (2 abuse + complaint), abusive 2, spam excluded 1 → 3/7 = 0.4286, 2/7 = 0.2857.
			// ad1, 03-05: praise3 (00:30 Berlin) = 1 counted, none negative. ad2, 03-04: one abusive comment.
			const expected1: Counts[] = [['2025-03-04', 7, 3, 2, 1, 0.4286, 0.2857], ['2025-03-05', 1, 0, 0, 0, 0, 0]];
			assert.deepEqual(await countsOf(ad1.ad), expected1);
			assert.deepEqual(await countsOf(ad2.ad), [['2025-03-04', 1, 1, 1, 0, 1, 1]]);
			assert.deepEqual(run.signals.map((s) => [s.ad_id, ...counts(s)]), [...expected1.map((c) => [ad1.ad, ...c]), [ad2.ad, '2025-03-04', 1, 1, 1, 0, 1, 1]]);
			const [row] = await signalsOf(ad1.ad);
			assert.deepEqual([row!.account_id, row!.campaign_id], ['4242', 'camp-s']);

			// The same run again: nothing left to moderate, nothing rewritten.
			const before = await store.select('ad_comment_signals', { order: [{ column: 'ad_id' }, { column: 'date' }] });
			const again = await moderate({ itemIds: ids, ...zones }, { store });
			assert.deepEqual([again.comments.length, again.signals.length], [0, 0]);
			assert.deepEqual(await store.select('ad_comment_signals', { order: [{ column: 'ad_id' }, { column: 'date' }] }), before);

			// A later comment of 03-04 recomputes that day from all its comments (8 counted, 4 negative), nothing else.
			const [late] = await stored([{ ...ad1, text: TEXT.complaint2, at: '2025-03-04T15:00:00Z' }]);
			const third = await moderate({ itemIds: [late!], ...zones }, { store });
			assert.deepEqual(third.signals.map(counts), [['2025-03-04', 8, 4, 2, 1, 0.5, 0.25]]);
			assert.deepEqual(await countsOf(ad1.ad), [['2025-03-04', 8, 4, 2, 1, 0.5, 0.25], ['2025-03-05', 1, 0, 0, 0, 0, 0]]);
			assert.deepEqual(await signalsOf(ad2.ad), before.filter((r) => r.ad_id === ad2.ad), 'the other ad is left alone');
		});

		test('refreshCommentSignals: a reclassification changes the counts and never counts twice; reruns write the same rows; a time zone change moves comments between days', async () => {
			const ad = { account: '5151', campaign: 'camp-r', ad: `ad-r-${stamp}` };
			const other = { ...ad, ad: `ad-r2-${stamp}` };
			const ids = await stored([
				{ ...ad, text: TEXT.abuse, at: '2025-04-10T09:00:00Z' },
				{ ...ad, text: TEXT.complaint, at: '2025-04-10T10:00:00Z' },
				{ ...ad, text: TEXT.praise, at: '2025-04-10T11:00:00Z' },
				{ ...ad, text: TEXT.question, at: '2025-04-10T12:00:00Z' },
				// 03:00 UTC is still 04-10 in New York (UTC-4 in April)
				{ ...ad, text: TEXT.praise2, at: '2025-04-11T03:00:00Z' },
				{ ...other, text: TEXT.abuse, at: '2025-04-10T09:00:00Z' },
			]);
			const ny = { timeZone: 'America/New_York' };
			await moderate({ itemIds: ids, ...ny }, { store });
			// 04-10 New York: abuse, complaint, praise, question, praise2 = 5; negative 2; abusive 1
			assert.deepEqual(await countsOf(ad.ad), [['2025-04-10', 5, 2, 1, 0, 0.4, 0.2]]);

			// A model's classification of the praise (hate) wins over the offline one; the complaint is reclassified offline as praise.
			await store.upsert('item_classifications', [{ item_id: ids[2]!, model: 'gpt-4o-mini', intent: 'hate', sentiment: 'negative', language: 'en', confidence_score: 0.9, source: 'llm' }]);
			await store.upsert('item_classifications', [{ item_id: ids[1]!, model: OFFLINE_MODEL, intent: 'praise', sentiment: 'positive', language: 'en', confidence_score: 0.7, source: 'offline' }]);
			const reads = new Map<string, number>();
			const refreshed = await refreshCommentSignals(countingStore(store, reads), { platform: 'meta', adIds: [ad.ad, other.ad], since: '2025-04-10', ...ny });
			// 04-10: still 5 comments; negative: abuse + hate = 2; abusive: abuse + hate = 2
			assert.deepEqual(refreshed.signals.map((s) => [s.ad_id, ...counts(s)]), [[ad.ad, '2025-04-10', 5, 2, 2, 0, 0.4, 0.4], [other.ad, '2025-04-10', 1, 1, 1, 0, 1, 1]]);
			assert.deepEqual([refreshed.cleared, refreshed.comments, refreshed.classified], [0, 6, 6]);
			assert.deepEqual(Object.fromEntries(reads), { social_media_items: 1, item_classifications: 1, ad_comment_signals: 1 }, 'one batched read per table, not one per ad');
			const rows = await signalsOf(ad.ad);
			const twice = await refreshCommentSignals(store, { platform: 'meta', adIds: [ad.ad], since: '2025-04-10', ...ny });
			assert.deepEqual(twice.signals.map(counts), rows.map(counts));
			assert.deepEqual((await signalsOf(ad.ad)).map(({ updated_at, ...r }) => (void updated_at, r)), rows.map(({ updated_at, ...r }) => (void updated_at, r)), 'the same row, updated in place');

			// A comment removed on the platform after it was classified still counts (the ad drew it).
			await store.update('social_media_items', { id: ids[0]! }, { removed_at: '2025-04-12T00:00:00Z' });
			assert.deepEqual((await refreshCommentSignals(store, { platform: 'meta', adIds: [ad.ad], ...ny })).signals.map(counts), [['2025-04-10', 5, 2, 2, 0, 0.4, 0.4]]);

			// In UTC the 03:00 comment is on 04-11: 04-10 keeps 4, 04-11 gets 1; back in New York the 04-11 row is cleared, so no comment is counted on two days.
			const utc = await refreshCommentSignals(store, { platform: 'meta', adIds: [ad.ad], since: '2025-04-01' });
			assert.deepEqual(utc.signals.map(counts), [['2025-04-10', 4, 2, 2, 0, 0.5, 0.5], ['2025-04-11', 1, 0, 0, 0, 0, 0]]);
			const back = await refreshCommentSignals(store, { platform: 'meta', adIds: [ad.ad], since: '2025-04-01', until: '2025-04-30', ...ny });
			assert.equal(back.cleared, 1);
			assert.deepEqual(await countsOf(ad.ad), [['2025-04-10', 5, 2, 2, 0, 0.4, 0.4], ['2025-04-11', 0, 0, 0, 0, null, null]]);
			// `since` is a whole local day: refreshing from 04-11 leaves 04-10 as it is
			await store.upsert('item_classifications', [{ item_id: ids[3]!, model: 'gpt-4o-mini', intent: 'hate', sentiment: 'negative', language: 'en', confidence_score: 0.9, source: 'llm' }]);
			assert.deepEqual((await refreshCommentSignals(store, { platform: 'meta', adIds: [ad.ad], since: '2025-04-11T12:00:00Z', ...ny })).signals.map(counts), [['2025-04-11', 0, 0, 0, 0, null, null]]);
			assert.deepEqual((await signalsOf(ad.ad)).map(counts)[0], ['2025-04-10', 5, 2, 2, 0, 0.4, 0.4]);
			// every ad of the platform when no ad is named
			const all = await refreshCommentSignals(store, { platform: 'meta', since: '2025-04-10', until: '2025-04-10', ...ny });
			assert.deepEqual(all.signals.filter((s) => s.ad_id === ad.ad).map(counts), [['2025-04-10', 5, 3, 3, 0, 0.6, 0.6]]);

			await assert.rejects(refreshCommentSignals(store, { platform: 'meta', since: 'yesterday' }), /since must be a date YYYY-MM-DD or an ISO-8601 instant/);
			await assert.rejects(refreshCommentSignals(store, { platform: 'meta', timeZone: 'Mars/Olympus' }), RangeError);
			await assert.rejects(refreshCommentSignals(store, { platform: '' }), /needs the platform/);
			await assert.rejects(moderate({ timeZone: 'Mars/Olympus' }, { store }), RangeError);
			assert.deepEqual(await refreshCommentSignals(store, { platform: 'meta', adIds: [] }), { signals: [], cleared: 0, comments: 0, classified: 0 });
		});

		describe('the rule "abusive comments over 20 % with at least 30 comments" through runOptimizer (sandbox Meta)', () => {
			let sb: Sandbox;
			let adapters: OptimizerAdapters;
			let A: { campaign: Campaign; account: AdAccount; ad: string };
			let B: { campaign: Campaign; account: AdAccount; ad: string };
			/** 18:00 UTC on TODAY: 10:00 in Los Angeles, 03:00 next day in Tokyo; comments at noon UTC of the 5 days before fall in every zone's last 7 days. */
			const now = new Date(`${TODAY}T18:00:00Z`);
			const abuseRule = (): RuleInput => ({
				id: 'abuse-pause',
				name: 'Pause on abusive comments',
				priority: 20,
				scope: { campaignIds: [A.campaign.id, B.campaign.id] },
				conditions: {
					all: [
						{ metric: 'abusive_comment_share', window: 'last_7_days', op: '>', value: 0.2 },
						{ metric: 'comments', window: 'last_7_days', op: '>=', value: 30 },
					],
				},
				action: { type: 'pause' },
			});
			const optimize = (rules: RuleInput[], settings: Record<string, unknown>, s: Store = store): Promise<OptimizerResult> =>
				runOptimizer({ rules, useStoredRules: false, settings, accounts: { meta: [...new Set([A.account.id, B.account.id])].map((id) => `act_${id}`) } }, { store: s, adapters, now: () => now });
			/** `total` comments under the target's ad over the 5 days before TODAY, the first `abusive` of them abusive, moderated like the node does. */
			async function comment(t: typeof A, total: number, abusive: number, offset = 0): Promise<void> {
				const texts = [TEXT.praise, TEXT.question, TEXT.praise2, TEXT.question2, TEXT.praise3];
				const list = Array.from({ length: total }, (_, i) => ({
					text: i < abusive ? (i % 2 ? TEXT.abuse2 : TEXT.abuse) : texts[i % texts.length]!,
					at: `${addDays(TODAY, -1 - ((i + offset) % 5))}T12:${String((i + offset) % 60).padStart(2, '0')}:00Z`,
					ad: t.ad,
					account: t.account.id,
					campaign: t.campaign.id,
				}));
				const ids = await stored(list);
				await moderate({ itemIds: ids, timeZones: { [t.account.id]: t.account.timezone } }, { store });
			}

			beforeAll(async () => {
				sb = await startSandbox({ seed: 11, today: TODAY });
				const c = sb.credentials;
				adapters = { meta: createPlatformAdapter({ platform: 'meta', accessToken: c.meta.accessToken, appSecret: c.meta.appSecret, apiVersion: pinnedApiVersion('meta'), baseUrl: sb.urls.meta, accountIds: [] }, { retry: { maxRetries: 0 } }) } as OptimizerAdapters;
				const targets: Array<typeof A> = [];
				for (const ad of sb.world.meta.ads) {
					const account = sb.world.accounts.find((a) => a.platform === 'meta' && a.id === ad.accountId);
					const campaign = account?.campaigns.find((x) => x.id === ad.campaignId && x.status === 'ACTIVE');
					if (account && campaign && !targets.some((t) => t.campaign.id === campaign.id)) targets.push({ campaign, account, ad: ad.id });
				}
				assert.ok(targets.length >= 2, 'the sandbox world has two active Meta campaigns with ads');
				[A, B] = targets;
			});
			afterAll(async () => {
				await sb?.close();
			});

			test('29 comments (7 abusive) and 30 comments (6 abusive, exactly 20 %) do not fire; the 30th comment pauses the campaign', async () => {
				await comment(A, 29, 7);
				await comment(B, 30, 6);
				const reads = new Map<string, number>();
				const quiet = await optimize([abuseRule()], { dryRun: false, output: 'full' }, countingStore(store, reads));
				assert.equal(reads.get('ad_comment_signals'), 1, 'one columnar read of the signal');
				assert.equal(reads.get('social_media_items'), undefined, 'the optimizer reads the stored signal, not the comments');
				assert.ok(quiet.stats.signalRows! >= 10, `signal rows read: ${quiet.stats.signalRows}`);
				assert.deepEqual(quiet.warnings.filter((w) => /ad_comment_signals/.test(w)), []);
				const leaves = (campaignId: string, r: OptimizerResult) => r.items.find((i) => i.entity.campaignId === campaignId)!.conditions.map((l) => [l.metric, l.actual, l.result]);
				assert.deepEqual(leaves(A.campaign.id, quiet), [['abusive_comment_share', 7 / 29, true], ['comments', 29, false]]);
				assert.deepEqual(leaves(B.campaign.id, quiet), [['abusive_comment_share', 0.2, false], ['comments', 30, true]]);
				assert.deepEqual(quiet.items.map((i) => i.outcome), ['no_match', 'no_match']);
				assert.equal(sb.world.accounts.flatMap((a) => a.campaigns).find((x) => x.id === A.campaign.id)!.status, 'ACTIVE');

				// The seed rule, enabled: the same numbers propose the pause once A has its 30th comment (dry run: nothing changes).
				await comment(A, 1, 0, 29);
				const seed = { ...(SEED_RULES.find((r) => (r as { id: string }).id === 'pause-abusive-comments') as Record<string, unknown>), enabled: true, scope: { campaignIds: [A.campaign.id, B.campaign.id] } };
				const proposed = await optimize([seed as RuleInput], {});
				assert.deepEqual(proposed.items.map((i) => [i.entity.campaignId, i.outcome]), [[A.campaign.id, 'proposed']]);

				// Live: 30 comments, 7 abusive = 23.3 % > 20 % → paused on the platform.
				const fired = await optimize([abuseRule()], { dryRun: false });
				assert.deepEqual(fired.items.map((i) => [i.entity.campaignId, i.outcome, i.action?.type]), [[A.campaign.id, 'executed', 'pause']]);
				assert.deepEqual(fired.items[0]!.conditions.map((l) => [l.metric, l.actual, l.result]), [['abusive_comment_share', 7 / 30, true], ['comments', 30, true]]);
				assert.match(fired.items[0]!.text, /abusive_comment_share last 7 days \(.*\) = 0\.2333 > 0\.2 → met; comments last 7 days \(.*\) = 30 >= 30 → met/);
				assert.equal(sb.world.accounts.flatMap((a) => a.campaigns).find((x) => x.id === A.campaign.id)!.status, 'PAUSED');
				assert.equal(sb.world.accounts.flatMap((a) => a.campaigns).find((x) => x.id === B.campaign.id)!.status, 'ACTIVE');
			});
		});
	});
}

const pgliteDir = mkdtempSync(join(tmpdir(), 'adops-comment-signals-'));
registerSuite('PGlite', async () => {
	const store = await openStore({ kind: 'embedded', path: pgliteDir });
	return {
		store,
		exec: (await embeddedExecutor(pgliteDir))!,
		schema: null,
		cleanup: async () => {
			await store.close();
			rmSync(pgliteDir, { recursive: true, force: true });
		},
	};
});

if (DATABASE_URL) {
	const schema = `adops_comment_signals_${randomBytes(5).toString('hex')}`;
	registerSuite(`PostgreSQL (schema ${schema})`, async () => {
		const store = await openStore({ kind: 'postgres', connectionString: DATABASE_URL, ssl: 'disable', schema });
		const admin = new Pool({ connectionString: DATABASE_URL, max: 1 });
		return {
			store,
			exec: new PgPoolExecutor(admin),
			schema,
			cleanup: async () => {
				await store.close();
				await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
				await admin.end();
			},
		};
	});
}

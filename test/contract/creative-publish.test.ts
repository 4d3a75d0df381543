/**
 * Publishing approved creative variants (issue 20, item 1) against the
 * sandbox's Meta, Google Ads and LinkedIn publish endpoints and a real store:
 * PGlite always, PostgreSQL when DATABASE_URL is set.
 *
 * - One paused ad per platform with exactly the approved text (compared field
 *   by field in the sandbox's world); a rerun creates nothing.
 * - A lost answer after the ad was created → unknown → the next call finds the
 *   ad on the platform (published, nothing created again); a lost answer of a
 *   create that never happened → unknown → not found → failed, retryable →
 *   published once.
 * - An unknown publish whose read-back fails stays unknown and sends nothing;
 *   a claim held by a live run is "in progress"; a stale one is read back.
 * - A Meta text-limit refusal and a Google policy finding → failed, with the
 *   account, the call and the fix; the variant stays approved; nothing created.
 *   Bad input (fields missing, text over limits, more headlines than the ad
 *   holds, settings missing) → failed with words; nothing created.
 * - A late answer (the ad created, the answer after the client's timeout)
 *   → unknown, one create sent → the next call finds the ad, creates nothing.
 * - For each platform, SIGKILL (a child process) between the claim and the
 *   platform call (failpoint `creative.publish.after-claim`): the next call
 *   reads the platform, finds nothing → failed, retryable → published once;
 *   SIGKILL between the platform's answer and the ledger
 *   (`creative.publish.after-platform`): the next call reconciles, one ad.
 *   Meta's two calls: SIGKILL between the ad-creative call and the ad call
 *   (`meta.publish.after-creative`): no ad → failed, retryable → the retry
 *   reuses the creative, one ad.
 *
 * Child mode (test/helpers/failpoint-child.ts): with PUBLISH_CHILD set this
 * file publishes one variant and is killed at the failpoint instead of
 * registering tests.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'pg';
import { afterAll, beforeAll, describe, test } from '../helpers/vitest-api';
import { PUBLISH_PLATFORMS, publishKey, publishUnsupportedReason, publishVariant, type PublishDeps, type PublishTarget } from '../../nodes/shared/creative/publish';
import type { AdPublisher, CreateAdInput } from '../../nodes/shared/platforms/ad-publish';
import type { PlatformId } from '../../nodes/shared/platforms/registry';
import { openStore, type Store, type StoreConfig } from '../../nodes/shared/store';
import { startSandbox, type Sandbox } from '../../scripts/sandbox';
import type { FaultSpec } from '../../scripts/sandbox/core';
import { googleAdGroupId, metaAdSetId, metaImageHash, publishedAds } from '../../scripts/sandbox/platforms/publish';
import { assertKilledAt, runChildJob, runFailpointChild } from '../helpers/failpoint-child';
import { sandboxAdapters, type SandboxRef } from '../helpers/sandbox-adapters';
import { claimHolder } from '../../nodes/shared/moderation/reconcile';

const DATABASE_URL = process.env.DATABASE_URL;
const TODAY = '2026-03-02';
const LINK = 'https://northwind.example/winter';
const PLATFORMS = ['meta', 'google_ads', 'linkedin'] as const;
type Pub = (typeof PLATFORMS)[number];
const WORLD: Record<Pub, 'meta' | 'google' | 'linkedin'> = { meta: 'meta', google_ads: 'google', linkedin: 'linkedin' };
const CREATE_ROUTE: Record<Pub, string> = { meta: 'meta.ads.create', google_ads: 'googleads.adGroupAds.mutate', linkedin: 'linkedin.creatives.createInline' };

function adapters(sb: SandboxRef): PublishDeps['adapters'] {
	return sandboxAdapters(sb, PLATFORMS, { retry: { maxRetries: 2, initialDelayMs: 1, maxDelayMs: 5 }, timeoutMs: 400, breaker: false });
}

interface Copy {
	headlines: string[];
	descriptions: string[];
	primaryText: string | null;
	callToAction: string | null;
}

const COPY: Record<Pub, Copy> = {
	meta: { headlines: ['Warmth that weighs nothing'], descriptions: ['Free returns for 60 days'], primaryText: 'Our lightest down jacket keeps the cold out on every commute.', callToAction: 'Shop now' },
	google_ads: { headlines: ['Light Down Jackets', 'Free 60-Day Returns', 'Warm Without the Bulk'], descriptions: ['Our lightest down jacket keeps the cold out.', 'Order today, free returns for 60 days.'], primaryText: null, callToAction: null },
	linkedin: { headlines: ['Outfit your team for winter'], descriptions: [], primaryText: 'Northwind jackets for field teams: warm, light and built for daily wear.', callToAction: 'Learn more' },
};

// ------------------------------------------------------------------------------------------------
// Child mode: publish one variant, killed at the failpoint (ADOPS_FAILPOINTS)
// ------------------------------------------------------------------------------------------------
const CHILD = process.env.PUBLISH_CHILD;
if (CHILD) {
	runChildJob(async () => {
		const spec = JSON.parse(CHILD) as { sandbox: SandboxRef; store: StoreConfig; variantId: string; target: PublishTarget };
		const store = await openStore(spec.store);
		await publishVariant({ store, adapters: adapters(spec.sandbox), runId: 'child' }, { variantId: spec.variantId, target: spec.target, approvedBy: 'Priya Shah', approvedAt: '2026-03-01T10:00:00.000Z' });
		await store.close();
	});
}

function registerSuite(name: string, open: () => Promise<{ store: Store; config: StoreConfig; cleanup: () => Promise<void> }>): void {
	describe(`publishing approved variants (${name})`, () => {
		let sb: Sandbox;
		let store: Store;
		let config: StoreConfig;
		let cleanup: () => Promise<void>;
		let deps: PublishDeps;
		const used = new Set<string>();

		function campaign(p: Pub): { accountId: string; campaignId: string } {
			for (const account of sb.world.accounts.filter((a) => a.platform === WORLD[p])) {
				for (const c of account.campaigns) {
					if (used.has(c.id)) continue;
					used.add(c.id);
					return { accountId: account.id, campaignId: c.id };
				}
			}
			throw new Error(`no unused ${p} campaign left`);
		}
		/** One campaign per platform for variants that must create nothing (the seed has 7 Meta campaigns). */
		const quiet = new Map<Pub, { accountId: string; campaignId: string }>();
		function quietCampaign(p: Pub): { accountId: string; campaignId: string } {
			if (!quiet.has(p)) quiet.set(p, campaign(p));
			return quiet.get(p)!;
		}
		function target(p: Pub, c: { accountId: string; campaignId: string }): PublishTarget {
			if (p === 'meta') return { link: LINK, pageId: sb.world.meta.pages.find((x) => x.accountId === c.accountId)!.id };
			if (p === 'google_ads') return { link: LINK, parentId: googleAdGroupId(c.campaignId), pins: [{ field: 'headlines', index: 0, position: 1 }] };
			return { link: LINK, organizationId: '2414183' };
		}
		/** An approved variant in an unused campaign, or in `c` (for variants that must create nothing). */
		async function approved(p: Pub, copy: Copy = COPY[p], c = campaign(p)): Promise<{ id: string; accountId: string; campaignId: string; target: PublishTarget }> {
			const hash = randomBytes(32).toString('hex');
			await store.upsert('creative_variants', [
				{ platform: p, account_id: c.accountId, campaign_id: c.campaignId, headline: copy.headlines.join('\n'), description: copy.descriptions.length ? copy.descriptions.join('\n') : null, primary_text: copy.primaryText, call_to_action: copy.callToAction, copy_angle: 'lightness', content_hash: hash, status: 'approved' },
			]);
			const [row] = await store.select('creative_variants', { where: { content_hash: hash } });
			return { id: row!.id, ...c, target: target(p, c) };
		}
		const publish = (v: { id: string; target: PublishTarget }, d: PublishDeps = deps) => publishVariant(d, { variantId: v.id, target: v.target, approvedBy: 'Priya Shah', approvedAt: '2026-03-01T10:00:00.000Z' });
		const adsOf = (p: Pub, campaignId: string) => publishedAds(sb.world, p).filter((a) => a.campaignId === campaignId);
		const row = async (id: string) => (await store.select('creative_variants', { where: { id } }))[0]!;
		const ledger = async (id: string) => (await store.select('action_ledger', { where: { idempotency_key: publishKey(id) } }))[0];
		const creates = (p: Pub) => sb.requests({ route: CREATE_ROUTE[p] }).filter((r) => r.method === 'POST' && !(r.body as { validateOnly?: unknown } | undefined)?.validateOnly).length;
		/** The real adapters, with `spec` injected right before the real (not validate-only) create call. */
		function faultOnCreate(spec: FaultSpec): PublishDeps {
			const base = adapters(sb);
			const wrapped: PublishDeps['adapters'] = {};
			for (const p of PLATFORMS) {
				const a = base[p] as AdPublisher;
				wrapped[p as PlatformId] = {
					platform: p,
					adPublishing: a.adPublishing,
					createAd: (i: CreateAdInput) => {
						if (!i.validateOnly) sb.injectFault({ ...spec, route: CREATE_ROUTE[p] });
						return a.createAd(i);
					},
					findAd: (i: CreateAdInput) => a.findAd(i),
				};
			}
			return { ...deps, adapters: wrapped };
		}

		beforeAll(async () => {
			sb = await startSandbox({ seed: 21, today: TODAY });
			({ store, config, cleanup } = await open());
			deps = { store, adapters: adapters(sb) };
		});
		afterAll(async () => {
			await store?.close();
			await sb?.close();
			await cleanup?.();
		});

		test("the platforms tested here are the registry's creativePublish platforms (a new one needs its fixtures here)", () => {
			assert.deepEqual([...PUBLISH_PLATFORMS].sort(), [...PLATFORMS].sort());
		});

		for (const p of PLATFORMS) {
			test(`${p}: an approved variant becomes exactly one paused ad with exactly the approved text; a rerun creates nothing`, async () => {
				const v = await approved(p);
				const result = await publish(v);
				assert.equal(result.outcome, 'published', result.text);
				assert.ok(result.outcome === 'published' && result.how === 'created');
				const ads = adsOf(p, v.campaignId);
				assert.equal(ads.length, 1);
				const ad = ads[0]!;
				assert.equal(ad.status, 'PAUSED');
				assert.equal(ad.accountId, v.accountId);
				const copy = COPY[p];
				if (p === 'google_ads') {
					assert.deepEqual(ad.text.headlines, copy.headlines.map((text, i) => (i === 0 ? { text, pinnedField: 'HEADLINE_1' } : { text })));
					assert.deepEqual(ad.text.descriptions, copy.descriptions.map((text) => ({ text })));
					assert.equal(ad.parentId, googleAdGroupId(v.campaignId));
					const calls = sb.requests({ route: CREATE_ROUTE[p] }).map((r) => (r.body as { validateOnly?: boolean }).validateOnly === true);
					assert.deepEqual(calls.slice(-2), [true, false], 'validate_only first, then the create');
				} else {
					assert.equal(ad.text.message, copy.primaryText);
					assert.equal(ad.text.headline, copy.headlines[0]);
					assert.equal(ad.text.link, LINK);
					if (p === 'meta') {
						assert.equal(ad.text.description, copy.descriptions[0]);
						assert.equal(ad.text.callToAction, 'SHOP_NOW');
						assert.equal(ad.parentId, metaAdSetId(v.campaignId), "the campaign's ad set");
						assert.ok(sb.world.meta.ads.some((x) => x.id === ad.id && x.status === 'PAUSED'), 'listed among the account ads');
					}
				}
				const r = await row(v.id);
				assert.equal(r.status, 'published');
				assert.equal(r.platform_ad_id, result.outcome === 'published' ? result.adId : null);
				assert.equal(r.platform_status, 'PAUSED');
				assert.equal(r.approved_by, 'Priya Shah');
				assert.equal(Date.parse(r.approved_at!), Date.parse('2026-03-01T10:00:00.000Z'));
				assert.ok(r.published_at);
				assert.equal((await ledger(v.id))?.status, 'succeeded');

				const before = creates(p);
				const again = await publish(v);
				assert.equal(again.outcome, 'published');
				assert.ok(again.outcome === 'published' && again.how === 'already_published', again.text);
				assert.match(again.text, /nothing was created/);
				assert.equal(creates(p), before, 'a rerun sends no create');
				assert.equal(adsOf(p, v.campaignId).length, 1);
			});

			test(`${p}: a lost answer after the ad was created is unknown, then reconciled by reading the platform: published, one ad`, async () => {
				const v = await approved(p);
				const first = await publish(v, faultOnCreate({ route: '', kind: '5xx', afterEffect: true, count: 1 }));
				sb.clearFaults();
				assert.equal(first.outcome, 'unknown', first.text);
				assert.match(first.text, /outcome is unknown/);
				assert.doesNotMatch(first.text, /retry|try again/i);
				assert.equal(adsOf(p, v.campaignId).length, 1, 'the platform did create it');
				const r1 = await row(v.id);
				assert.equal(r1.status, 'approved');
				assert.equal(r1.publish_outcome, 'unknown');
				assert.equal((await ledger(v.id))?.status, 'unknown');

				const sent = creates(p);
				const second = await publish(v);
				assert.equal(second.outcome, 'published', second.text);
				assert.ok(second.outcome === 'published' && second.how === 'reconciled');
				assert.equal(second.adId.endsWith(adsOf(p, v.campaignId)[0]!.id), true, `${second.adId} is the created ad`);
				assert.equal(creates(p), sent, 'reconciling sends no create');
				assert.equal(adsOf(p, v.campaignId).length, 1);
				const r2 = await row(v.id);
				assert.equal(r2.status, 'published');
				assert.equal(r2.platform_parent_id, p === 'meta' ? metaAdSetId(v.campaignId) : p === 'google_ads' ? googleAdGroupId(v.campaignId) : null, 'the reconciled row says where the ad is');
				assert.equal((await ledger(v.id))?.status, 'succeeded');
				assert.match((await ledger(v.id))!.resolution!, /found on the platform/);
			});

			test(`${p}: a lost answer of a create that never happened is unknown, then not found: failed and retryable; the retry publishes once`, async () => {
				const v = await approved(p);
				const first = await publish(v, faultOnCreate({ route: '', kind: '5xx', count: 1 }));
				sb.clearFaults();
				assert.equal(first.outcome, 'unknown', first.text);
				assert.equal(adsOf(p, v.campaignId).length, 0);
				const second = await publish(v);
				assert.equal(second.outcome, 'failed', second.text);
				assert.ok(second.outcome === 'failed' && second.retryable);
				assert.match(second.text, /created nothing/);
				assert.equal((await row(v.id)).status, 'approved');
				const third = await publish(v);
				assert.equal(third.outcome, 'published', third.text);
				assert.equal(adsOf(p, v.campaignId).length, 1);
			});

			test(`${p}: a late answer (it arrives after the client gave up) is unknown, never a second create; reading back reconciles it: published, one ad`, async () => {
				const v = await approved(p);
				const sent = creates(p);
				const first = await publish(v, faultOnCreate({ route: '', kind: 'latency', latencyMs: 1_500, afterEffect: true, count: 1 }));
				assert.equal(first.outcome, 'unknown', first.text);
				assert.match(first.text, /outcome is unknown/);
				assert.doesNotMatch(first.text, /retry|try again/i);
				assert.equal(creates(p) - sent, 1, 'the create was sent once: a timed-out create is not retried');
				assert.equal((await ledger(v.id))?.status, 'unknown');
				assert.equal((await row(v.id)).publish_outcome, 'unknown');
				await new Promise((r) => setTimeout(r, 1_600)); // the late answer arrives: nobody listens
				sb.clearFaults();
				assert.equal(adsOf(p, v.campaignId).length, 1, 'the platform did create it');

				const second = await publish(v);
				assert.equal(second.outcome, 'published', second.text);
				assert.ok(second.outcome === 'published' && second.how === 'reconciled', second.text);
				assert.equal(creates(p) - sent, 1, 'reconciling sends no second create');
				assert.equal(adsOf(p, v.campaignId).length, 1);
				assert.equal((await row(v.id)).status, 'published');
				assert.equal((await ledger(v.id))?.status, 'succeeded');
			});
		}

		test('an unknown publish whose platform cannot be read back stays unknown and sends nothing; once it can be read, it is reconciled: one ad', async () => {
			const v = await approved('linkedin');
			const first = await publish(v, faultOnCreate({ route: '', kind: '5xx', afterEffect: true, count: 1 }));
			sb.clearFaults();
			assert.equal(first.outcome, 'unknown', first.text);
			const sent = creates('linkedin');
			sb.injectFault({ route: 'linkedin.creatives', kind: '5xx', count: 10 });
			const second = await publish(v);
			sb.clearFaults();
			assert.equal(second.outcome, 'unknown', second.text);
			assert.match(second.text, /answer was lost, and the platform could not be read/);
			assert.equal(creates('linkedin'), sent, 'nothing is sent while the platform cannot be read');
			assert.equal((await ledger(v.id))?.status, 'unknown');
			assert.equal((await row(v.id)).status, 'approved');
			const third = await publish(v);
			assert.equal(third.outcome, 'published', third.text);
			assert.ok(third.outcome === 'published' && third.how === 'reconciled');
			assert.equal(creates('linkedin'), sent);
			assert.equal(adsOf('linkedin', v.campaignId).length, 1);
		});

		test('a publish held by a live run is in progress: unknown, nothing sent; once the claim is stale, the platform is read (not there): failed, retryable', async () => {
			const v = await approved('google_ads');
			const claim = await store.claimAction(publishKey(v.id), { kind: 'creative.publish', target: 'google_ads', intent: { variantId: v.id }, claimedBy: claimHolder('other-run') });
			assert.ok(claim.claimed);
			const sent = creates('google_ads');
			const busy = await publish(v);
			assert.equal(busy.outcome, 'unknown', busy.text);
			assert.match(busy.text, /in progress by run other-run .*nothing was sent/);
			assert.equal(creates('google_ads'), sent);
			assert.equal((await ledger(v.id))?.status, 'claimed');
			const stale = await publish(v, { ...deps, staleClaimMs: 0, now: () => new Date(Date.now() + 1_000) });
			assert.equal(stale.outcome, 'failed', stale.text);
			assert.match(stale.text, /stopped while publishing.*created nothing/);
			assert.equal(creates('google_ads'), sent, 'reading back sends no create');
			assert.equal(adsOf('google_ads', v.campaignId).length, 0);
		});

		test('Meta: a headline over the text limit is refused: failed with the account, the call and the fix; the variant stays approved', async () => {
			const v = await approved('meta', { ...COPY.meta, headlines: ['Warm '.repeat(60).trim()] }, quietCampaign('meta'));
			const result = await publish(v);
			assert.equal(result.outcome, 'failed', result.text);
			assert.ok(result.outcome === 'failed' && result.retryable);
			assert.match(result.text, new RegExp(`account ${v.accountId}`));
			assert.match(result.text, /create ad creative/);
			assert.match(result.text, /The headline \(name\) has 299 characters; at most 255 are allowed/);
			assert.match(result.text, /change what Meta names/);
			assert.match(result.text, /stays approved/);
			assert.equal(adsOf('meta', v.campaignId).length, 0);
			const r = await row(v.id);
			assert.equal(r.status, 'approved');
			assert.equal(r.publish_outcome, 'failed');
			assert.equal((await ledger(v.id))?.status, 'failed');
		});

		test('Google Ads: a policy finding is refused by the validate-only check: failed naming the policy, the text and that it is exemptible; nothing created', async () => {
			const v = await approved('google_ads', { ...COPY.google_ads, headlines: ['Guaranteed Warmth', 'Free 60-Day Returns', 'Light Down Jackets'] }, quietCampaign('google_ads'));
			const before = sb.requests({ route: CREATE_ROUTE.google_ads }).length;
			const result = await publish(v);
			assert.equal(result.outcome, 'failed', result.text);
			assert.match(result.text, /headlines\[0\]\.text: "Guaranteed Warmth" violates Unsubstantiated claims \(UNSUBSTANTIATED_CLAIMS, exemptible\)/);
			assert.match(result.text, /request a policy exemption/);
			assert.match(result.text, /validate-only/);
			assert.equal(sb.requests({ route: CREATE_ROUTE.google_ads }).length - before, 1, 'only the validate-only call was sent');
			assert.equal(adsOf('google_ads', v.campaignId).length, 0);
			assert.equal((await row(v.id)).status, 'approved');
		});

		let googleShared: { accountId: string; campaignId: string } | undefined; // the next two tests count their own ads
		test("Google Ads without a chosen ad group: the campaign's best by conversions then clicks over 30 days, kept in the ledger's intent; the ad carries its variant's tag", async () => {
			googleShared ??= campaign('google_ads');
			const v = await approved('google_ads', COPY.google_ads, googleShared);
			const result = await publish({ ...v, target: { ...v.target, parentId: undefined } });
			assert.equal(result.outcome, 'published', result.text);
			assert.match(result.text, /the campaign's best of 2 by conversions then clicks over the last 30 days \(\d+(\.\d+)? conversions, \d+ clicks\)/);
			const ad = adsOf('google_ads', v.campaignId).find((a) => a.customParameters?.[0]?.value === v.id.replace(/-/g, ''))!;
			assert.equal(ad.parentId, googleAdGroupId(v.campaignId, 1), 'the …01 ad group holds three fifths of the conversions');
			assert.deepEqual(ad.customParameters, [{ key: 'adopsvariant', value: v.id.replace(/-/g, '') }]);
			assert.equal(((await ledger(v.id))!.intent as { parentId?: string }).parentId, googleAdGroupId(v.campaignId, 1));
		});

		test('Google Ads reconciles by the tag, not by the text: the same copy published for another variant in the same ad group is not taken for this one', async () => {
			googleShared ??= campaign('google_ads');
			const c = googleShared;
			const before = adsOf('google_ads', c.campaignId).length;
			const a = await approved('google_ads', COPY.google_ads, c);
			assert.equal((await publish(a)).outcome, 'published');
			// b: the same text (another content hash), its create lost before it happened
			const b = await approved('google_ads', COPY.google_ads, c);
			const first = await publish(b, faultOnCreate({ route: '', kind: '5xx', count: 1 }));
			sb.clearFaults();
			assert.equal(first.outcome, 'unknown', first.text);
			const second = await publish(b);
			assert.equal(second.outcome, 'failed', `a's ad carries a's tag, so b's create is known not to have happened: ${second.text}`);
			const third = await publish(b);
			assert.equal(third.outcome, 'published', third.text);
			assert.equal(adsOf('google_ads', c.campaignId).length - before, 2);
		});

		let metaShared: { accountId: string; campaignId: string } | undefined;
		const adsNamed = (id: string) => publishedAds(sb.world, 'meta').filter((a) => a.name === `AdOps variant ${id}`);
		test("Meta: a lost answer of the ad-creative create leaves the creative on the platform; the retry reuses it (no orphan, no second creative), then makes the one ad", async () => {
			metaShared ??= campaign('meta');
			const v = await approved('meta', COPY.meta, metaShared);
			const creativeCalls = () => sb.requests({ route: 'meta.adcreatives.create' }).length;
			const before = creativeCalls();
			sb.injectFault({ route: 'meta.adcreatives.create', kind: '5xx', afterEffect: true, count: 1 });
			const first = await publish(v);
			sb.clearFaults();
			assert.equal(first.outcome, 'unknown', first.text);
			assert.equal(creativeCalls() - before, 1);
			assert.equal(adsNamed(v.id).length, 0, 'no ad: the creative call lost its answer');
			const second = await publish(v);
			assert.equal(second.outcome, 'failed', second.text);
			const third = await publish(v);
			assert.equal(third.outcome, 'published', third.text);
			assert.equal(creativeCalls() - before, 1, 'the creative made by the lost call was read back and reused');
			const ads = adsNamed(v.id);
			assert.equal(ads.length, 1);
			assert.equal(ads[0]!.creativeId, third.outcome === 'published' ? third.creativeId : null);
		});

		test('Meta: a late answer of the ad-creative create (the creative made, the answer after the client gave up) is unknown, sent once; no ad; the retry reuses that creative: one creative, one ad', async () => {
			metaShared ??= campaign('meta');
			const v = await approved('meta', COPY.meta, metaShared);
			const creativeCalls = () => sb.requests({ route: 'meta.adcreatives.create' }).length;
			const before = creativeCalls();
			const sent = creates('meta');
			sb.injectFault({ route: 'meta.adcreatives.create', kind: 'latency', latencyMs: 1_500, afterEffect: true, count: 1 });
			const first = await publish(v);
			assert.equal(first.outcome, 'unknown', first.text);
			assert.doesNotMatch(first.text, /retry|try again/i);
			assert.equal(creativeCalls() - before, 1, 'a timed-out create is not retried');
			assert.equal(creates('meta'), sent, 'no ad call after a lost creative answer');
			await new Promise((r) => setTimeout(r, 1_600)); // the late answer arrives: nobody listens
			sb.clearFaults();
			const second = await publish(v);
			assert.equal(second.outcome, 'failed', second.text);
			assert.match(second.text, /answer was lost.*created nothing/);
			const third = await publish(v);
			assert.equal(third.outcome, 'published', third.text);
			assert.equal(creativeCalls() - before, 1, 'the late creative was read back and reused');
			assert.equal(creates('meta') - sent, 1);
			const ads = adsNamed(v.id);
			assert.equal(ads.length, 1);
			assert.equal(ads[0]!.creativeId, third.outcome === 'published' ? third.creativeId : null);
		});

		test("Meta: the campaign's existing image (its ads' image hash) or a given hash goes on the link ad; a hash not in the account is refused with the field and the fix", async () => {
			metaShared ??= campaign('meta');
			const v = await approved('meta', COPY.meta, metaShared);
			const seeded = sb.world.meta.ads.find((a) => a.campaignId === v.campaignId);
			assert.ok(seeded, 'the campaign has seeded ads with images');
			const fromCampaign = await publish({ ...v, target: { ...v.target, image: { fromCampaign: true } } });
			assert.equal(fromCampaign.outcome, 'published', fromCampaign.text);
			assert.equal(adsNamed(v.id)[0]!.text.imageHash, metaImageHash(seeded.creativeId));
			const w = await approved('meta', COPY.meta, quietCampaign('meta'));
			const bad = await publish({ ...w, target: { ...w.target, image: { hash: '0123456789abcdef0123456789abcdef' } } });
			assert.equal(bad.outcome, 'failed', bad.text);
			assert.match(bad.text, /image with hash 0123456789abcdef0123456789abcdef is not in ad account/);
			assert.equal(adsNamed(w.id).length, 0);
		});

		test('bad input (a variant missing fields, text over the limits, copy the ad cannot hold, settings missing) is failed with words naming the field; nothing is created, nothing crashes', async () => {
			// `sent`: create calls that reached the platform and were refused there (LinkedIn has no validate-only call)
			const cases: Array<{ p: Pub; copy?: Copy; target?: (t: PublishTarget) => PublishTarget; words: RegExp; sent?: 1 }> = [
				{ p: 'google_ads', copy: { ...COPY.google_ads, headlines: ['Light Down Jackets'] }, words: /headlines: A responsive search ad needs at least 3 headlines/ },
				{ p: 'google_ads', copy: { ...COPY.google_ads, headlines: ['Light Down Jackets That Weigh Nothing', 'Free 60-Day Returns', 'Warm Without the Bulk'] }, words: /headlines\[0\]\.text.*30/ },
				{ p: 'google_ads', copy: { ...COPY.google_ads, headlines: [], descriptions: [] }, words: /at least 3 headlines/ },
				{ p: 'meta', copy: { ...COPY.meta, primaryText: null }, words: /primary text/i },
				{ p: 'meta', copy: { ...COPY.meta, headlines: ['Warmth that weighs nothing', 'Free returns'] }, words: /it has 2 headlines and a Meta ad takes 1.*would not carry the approved text/ },
				{ p: 'meta', target: (t) => ({ ...t, pageId: undefined }), words: /set the Page ID/ },
				{ p: 'linkedin', copy: { ...COPY.linkedin, primaryText: null }, words: /introductory text/ },
				{ p: 'linkedin', copy: { ...COPY.linkedin, primaryText: 'Warm and light. '.repeat(40) }, words: /commentary has 640 characters; at most 600/, sent: 1 },
				{ p: 'linkedin', copy: { ...COPY.linkedin, descriptions: ['One', 'Two'] }, words: /it has 2 descriptions and a LinkedIn ad takes 1/ },
			];
			for (const c of cases) {
				const v = await approved(c.p, c.copy, quietCampaign(c.p)); // nothing is created: one campaign per platform
				const sent = creates(c.p);
				const result = await publish(c.target ? { ...v, target: c.target(v.target) } : v);
				assert.equal(result.outcome, 'failed', `${c.p} ${String(c.words)}: ${result.text}`);
				assert.match(result.text, c.words);
				assert.match(result.text, new RegExp(`account ${v.accountId}`));
				assert.match(result.text, /stays approved/);
				assert.equal(creates(c.p) - sent, c.sent ?? 0, `${c.p} ${String(c.words)}: create calls sent`);
				assert.equal(adsOf(c.p, v.campaignId).length, 0);
				const r = await row(v.id);
				assert.equal(r.status, 'approved');
				assert.notEqual(r.publish_outcome, 'published');
			}
			const missing = await publish({ id: '00000000-0000-4000-8000-000000000000', target: { link: LINK } });
			assert.equal(missing.outcome, 'failed');
			assert.match(missing.text, /No creative variant 00000000-0000-4000-8000-000000000000/);
		});

		test('TikTok is not supported, with the reason; nothing is claimed', async () => {
			assert.match(publishUnsupportedReason('tiktok')!, /not supported for publishing: a TikTok ad is text on a video/);
			assert.equal(publishUnsupportedReason('meta'), null);
			const hash = randomBytes(32).toString('hex');
			await store.upsert('creative_variants', [{ platform: 'tiktok', account_id: '7010000000001', campaign_id: '1790000000001', headline: 'Light down jackets', primary_text: 'Warm without the bulk', content_hash: hash, status: 'approved' }]);
			const [r] = await store.select('creative_variants', { where: { content_hash: hash } });
			const result = await publish({ id: r!.id, target: { link: LINK } });
			assert.equal(result.outcome, 'not_supported');
			assert.match(result.text, /TikTok is not supported for publishing: .*video.*nothing was created/);
			assert.equal(await ledger(r!.id), undefined);
		});

		/** Publishes `v` in a child process that SIGKILLs itself at failpoint `point`; the store is reopened after. */
		async function killedAt(point: string, v: { id: string; target: PublishTarget }): Promise<void> {
			const embedded = config.kind === 'embedded';
			if (embedded) await store.close();
			const run = await runFailpointChild(join(__dirname, 'creative-publish.test.ts'), 'PUBLISH_CHILD', { sandbox: { urls: sb.urls, credentials: sb.credentials }, store: config, variantId: v.id, target: v.target }, point);
			assertKilledAt(run, point);
			if (embedded) store = await openStore(config);
			deps = { store, adapters: adapters(sb) };
		}

		/** One campaign per platform shared by the kill tests (the seed has too few for one each): ads counted per variant. */
		const killed = new Map<Pub, { accountId: string; campaignId: string }>();
		function killCampaign(p: Pub): { accountId: string; campaignId: string } {
			if (!killed.has(p)) killed.set(p, p === 'meta' ? (metaShared ??= campaign('meta')) : campaign(p));
			return killed.get(p)!;
		}
		/** The ads made for variant `v`: by the ad's name (Meta, LinkedIn) or its `adopsvariant` tag (Google Ads). */
		const adsOfVariant = (p: Pub, v: { id: string; campaignId: string }) =>
			adsOf(p, v.campaignId).filter((a) => a.name === `AdOps variant ${v.id}` || (a.customParameters ?? []).some((c) => c.key === 'adopsvariant' && c.value === v.id.replace(/-/g, '')));
		for (const p of PLATFORMS) {
			test(`${p}: SIGKILL between the claim and the platform call: nothing was sent; the next call reads the platform (not there): failed, retryable; the retry publishes one ad`, async () => {
				const v = await approved(p, COPY[p], killCampaign(p));
				const sent = creates(p);
				await killedAt('creative.publish.after-claim', v);
				assert.equal(creates(p), sent, 'the child died before sending the create');
				assert.equal(adsOfVariant(p, v).length, 0);
				assert.equal((await ledger(v.id))?.status, 'claimed');
				assert.equal((await row(v.id)).status, 'approved');
				const second = await publish(v);
				assert.equal(second.outcome, 'failed', second.text);
				assert.ok(second.outcome === 'failed' && second.retryable);
				assert.match(second.text, /stopped while publishing.*created nothing/);
				assert.equal(creates(p), sent, 'reading back sends no create');
				assert.equal((await ledger(v.id))?.status, 'failed');
				const third = await publish(v);
				assert.equal(third.outcome, 'published', third.text);
				assert.ok(third.outcome === 'published' && third.how === 'created');
				assert.equal(creates(p) - sent, 1);
				assert.equal(adsOfVariant(p, v).length, 1);
				assert.equal((await row(v.id)).status, 'published');
			});

			test(`${p}: SIGKILL between the platform answer and the ledger: the next call reconciles it, one ad`, async () => {
				const v = await approved(p, COPY[p], killCampaign(p));
				const sent = creates(p);
				await killedAt('creative.publish.after-platform', v);
				assert.equal(adsOfVariant(p, v).length, 1, 'the child created the ad before it died');
				assert.equal((await ledger(v.id))?.status, 'claimed');
				assert.equal((await row(v.id)).status, 'approved');
				const result = await publish(v);
				assert.equal(result.outcome, 'published', result.text);
				assert.ok(result.outcome === 'published' && result.how === 'reconciled');
				assert.match(result.text, /stopped while publishing/);
				assert.equal(creates(p) - sent, 1, 'reconciling sends no second create');
				assert.equal(adsOfVariant(p, v).length, 1);
				const r = await row(v.id);
				assert.equal(r.status, 'published');
				assert.equal(r.platform_ad_id, result.outcome === 'published' ? result.adId : null);
			});
		}

		test("Meta: SIGKILL between the ad-creative call and the ad call: no ad, the creative on the platform; the next call reads the platform (no ad): failed, retryable; the retry reuses the creative and makes one ad", async () => {
			metaShared ??= campaign('meta');
			const v = await approved('meta', COPY.meta, metaShared);
			const creativeCalls = () => sb.requests({ route: 'meta.adcreatives.create' }).length;
			const before = creativeCalls();
			const sent = creates('meta');
			await killedAt('meta.publish.after-creative', v);
			assert.equal(creativeCalls() - before, 1, 'the child made the creative');
			assert.equal(creates('meta'), sent, 'the child died before the ad call');
			assert.equal(adsNamed(v.id).length, 0);
			assert.equal((await ledger(v.id))?.status, 'claimed');
			const second = await publish(v);
			assert.equal(second.outcome, 'failed', second.text);
			assert.ok(second.outcome === 'failed' && second.retryable);
			assert.match(second.text, /stopped while publishing.*created nothing/);
			assert.equal(creates('meta'), sent, 'reading back sends no create');
			const third = await publish(v);
			assert.equal(third.outcome, 'published', third.text);
			assert.equal(creativeCalls() - before, 1, "the killed run's creative was read back and reused: no orphan, no second creative");
			assert.equal(creates('meta') - sent, 1);
			const ads = adsNamed(v.id);
			assert.equal(ads.length, 1);
			assert.equal(ads[0]!.creativeId, third.outcome === 'published' ? third.creativeId : null);
			assert.equal((await row(v.id)).status, 'published');
		});
	});
}

const pgliteDir = CHILD ? '' : mkdtempSync(join(tmpdir(), 'adops-creative-publish-'));
if (!CHILD) {
	registerSuite('PGlite', async () => {
		const config: StoreConfig = { kind: 'embedded', path: pgliteDir };
		return { store: await openStore(config), config, cleanup: async () => rmSync(pgliteDir, { recursive: true, force: true }) };
	});
}

if (DATABASE_URL && !CHILD) {
	const schema = `adops_publish_${randomBytes(5).toString('hex')}`;
	registerSuite(`PostgreSQL (schema ${schema})`, async () => {
		const config: StoreConfig = { kind: 'postgres', connectionString: DATABASE_URL, ssl: 'disable', schema };
		return {
			store: await openStore(config),
			config,
			cleanup: async () => {
				const admin = new Pool({ connectionString: DATABASE_URL, max: 1 });
				await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
				await admin.end();
			},
		};
	});
}

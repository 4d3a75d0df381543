// Publishing approved creative variants on n8n-core against the sandbox (issue 20, item 1): a creative
// proposal is queued with AdOps Approval, approved in Notion, and AdOps Approval's Execute Approved (with its
// Creative Publishing settings and the platform credentials) publishes it; its Execution Alert (AdOps Alert)
// posts the outcome to Slack. For Google Ads, Meta and LinkedIn: exactly one paused ad with exactly the
// approved text (compared field by field in the sandbox's world) and the ad's link in Slack; a rerun of
// Execute Approved, a retry with Retry Failed and AdOps Creative's Publish Approved create nothing more. A
// platform validation error (Meta's text limit, Google's exemptible policy finding) comes back to Slack with
// the field and the fix, the variant stays approved. Publish Approved itself (node version 1.2) publishes an
// approved variant once and reports the best Google ad group it chose.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { INodeParameters } from 'n8n-workflow';
import { creativeProposalInput, variantToRow } from '../../nodes/shared/creative/stage';
import type { CreativeVariant } from '../../nodes/shared/creative/variant';
import { PUBLISH_PLATFORMS } from '../../nodes/shared/creative/publish';
import { PLATFORM_REGISTRY } from '../../nodes/shared/platforms/registry';
import { googleAdGroupId, metaAdSetId, publishedAds, type PublishedAd } from '../../scripts/sandbox/platforms/publish';
import { readWorkflow, startEngine, type Engine, type WorkflowJson } from './harness';
import { json, slackMessages } from './expect';
import { approvalCards, cardText, withStore } from './world';

const LINK = 'https://northwind.example/winter';
const ORGANIZATION = '2414183';
type Pub = 'meta' | 'google_ads' | 'linkedin';
const WORLD: Record<Pub, string> = { meta: 'meta', google_ads: 'google', linkedin: 'linkedin' };

const COPY: Record<Pub, CreativeVariant> = {
	meta: { headlines: ['Warmth that weighs nothing'], descriptions: ['Free returns for 60 days'], primaryText: 'Our lightest down jacket keeps the cold out on every commute.', callToAction: 'Shop now', copyAngle: 'lightness', rationale: 'lightness wins on Meta' },
	google_ads: { headlines: ['Light Down Jackets', 'Free 60-Day Returns', 'Warm Without the Bulk'], descriptions: ['Our lightest down jacket keeps the cold out.', 'Order today, free returns for 60 days.'], primaryText: null, callToAction: null, copyAngle: 'lightness', rationale: 'search intent' },
	linkedin: { headlines: ['Outfit your team for winter'], descriptions: [], primaryText: 'Northwind jackets for field teams: warm, light and built for daily wear.', callToAction: 'Learn more', copyAngle: 'teams', rationale: 'B2B angle' },
};

const approvalCreds = (engine: Engine) => ({ ...engine.credentialRef('adOpsStoreApi'), ...engine.credentialRef('adOpsNotionApi') });

/** A variant pending approval in campaign `c` with its creative proposal queued (a Notion card), as Generate Variants leaves it. */
async function queue(engine: Engine, p: Pub, copy: CreativeVariant, c: { accountId: string; campaignId: string }): Promise<{ proposalId: string; variantId: string; accountId: string; campaignId: string }> {
	const proposal = creativeProposalInput(copy, { platform: p, accountId: c.accountId, campaignId: c.campaignId });
	const row = { ...variantToRow(copy, { platform: p, accountId: c.accountId, campaignId: c.campaignId, status: 'pending_approval' }), proposal_id: proposal.id };
	await withStore(engine, (store) => store.upsert('creative_variants', [row]));
	const run = await engine.runNode({ name: 'Queue', type: 'adOpsApproval', typeVersion: 2, parameters: { resource: 'proposal', operation: 'enqueue', proposal: '={{ $json.proposal }}', queueOptions: {} }, credentials: approvalCreds(engine) }, [{ proposal }]);
	expect(run.status, run.error?.message).toBe('success');
	const [variant] = await withStore(engine, (store) => store.select('creative_variants', { where: { proposal_id: proposal.id } }));
	return { proposalId: proposal.id, variantId: variant!.id, ...c };
}

/** A person approves the proposal's Notion card; Sync Decisions records it. */
async function approve(engine: Engine, proposalId: string): Promise<void> {
	const card = (await approvalCards(engine.sandbox, 'creative')).find((x) => cardText(x, 'Proposal ID') === proposalId);
	expect(card, `card of ${proposalId}`).toBeTruthy();
	const res = await fetch(`${engine.sandbox.url}/_admin/notion/pages/${card!.id}/edit`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user: 'Maya Lopez', properties: { Status: { status: { name: 'Approved' } } } }) });
	expect(res.status, await res.text()).toBe(200);
	const synced = await engine.runNode({ name: 'Sync', type: 'adOpsApproval', typeVersion: 2, parameters: { resource: 'decision', operation: 'syncDecisions', queueOptions: {} }, credentials: approvalCreds(engine) });
	expect(synced.status, synced.error?.message).toBe('success');
}

describe('creative publishing on n8n-core: approve → Execute Approved → one paused ad → Slack', () => {
	let engine: Engine;
	const used = new Set<string>();
	let pageOf: (accountId: string) => string;

	const platformCreds = () => Object.assign({}, ...PUBLISH_PLATFORMS.map((p) => engine.credentialRef(PLATFORM_REGISTRY[p].credentials[0].name))) as Record<string, { id: string; name: string }>;

	function campaign(p: Pub): { accountId: string; campaignId: string } {
		for (const account of engine.sandbox.world.accounts.filter((a) => a.platform === WORLD[p])) {
			for (const c of account.campaigns) {
				if (used.has(c.id)) continue;
				used.add(c.id);
				return { accountId: account.id, campaignId: c.id };
			}
		}
		throw new Error(`no unused ${p} campaign left`);
	}

	const queued = (p: Pub, copy: CreativeVariant = COPY[p], c = campaign(p)) => queue(engine, p, copy, c);

	/** Manual trigger → Execute Approved (publishing settings) → Execution Alert, the Alert node as workflows/approvals.json has it. */
	function executeWorkflow(settings: INodeParameters, options: INodeParameters = {}): WorkflowJson {
		const alert = readWorkflow('approvals.json').nodes.find((n) => n.name === 'Execution Alert')!;
		return {
			name: 'creative publish',
			nodes: [
				{ id: 't', name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
				{
					id: 'x',
					name: 'Execute Approved',
					type: 'n8n-nodes-adops.adOpsApproval',
					typeVersion: 2,
					position: [200, 0],
					parameters: { resource: 'proposal', operation: 'executeApproved', webhooks: {}, executeOptions: options, queueOptions: {}, creativePublishing: settings },
					credentials: { ...approvalCreds(engine), ...platformCreds() },
				},
				{ ...alert, position: [400, 0] },
			],
			connections: { Start: { main: [[{ node: 'Execute Approved', type: 'main', index: 0 }]] }, 'Execute Approved': { main: [[{ node: 'Execution Alert', type: 'main', index: 0 }]] } },
		};
	}
	const settings = (accountId?: string) => ({ link: LINK, status: 'PAUSED', linkedinOrganizationId: ORGANIZATION, ...(accountId ? { metaPageId: pageOf(accountId) } : {}) });

	const adsOf = (p: Pub, campaignId: string): PublishedAd[] => publishedAds(engine.sandbox.world, p).filter((a) => a.campaignId === campaignId);
	const eventsOf = (items: ReturnType<typeof json>, proposalId: string) => items.filter((e) => e.proposalId === proposalId);
	const slackAbout = (since: number) => slackMessages(engine).slice(since).map((m) => m.text);

	beforeAll(async () => {
		engine = await startEngine({ seed: 21 }); // the sandbox's clock is the real one: Notion's edit times and the decision sync's cursor must agree
		pageOf = (accountId) => engine.sandbox.world.meta.pages.find((x) => x.accountId === accountId)!.id;
	});
	afterAll(async () => {
		await engine?.close();
	});

	for (const p of ['google_ads', 'meta', 'linkedin'] as const) {
		test(`${p}: approving a variant creates exactly one paused ad with exactly the approved text, Slack gets its link; reruns and retries create nothing more`, async () => {
			const v = await queued(p);
			await approve(engine, v.proposalId);
			const slackBefore = slackMessages(engine).length;
			const wf = executeWorkflow(p === 'meta' ? settings(v.accountId) : settings());
			const run = await engine.run(wf);
			expect(run.status, run.error?.message).toBe('success');
			const events = eventsOf(json(run.items('Execute Approved')), v.proposalId);
			expect(events.map((e) => e.type), JSON.stringify(json(run.items("Execute Approved")).map((e) => [e.proposalId, e.type, e.text ?? e.message]))).toEqual(["executed"]);

			const ads = adsOf(p, v.campaignId);
			expect(ads).toHaveLength(1);
			const ad = ads[0]!;
			expect(ad.status).toBe('PAUSED');
			expect(ad.accountId).toBe(v.accountId);
			const copy = COPY[p];
			if (p === 'google_ads') {
				expect(ad.text.headlines).toEqual(copy.headlines.map((text) => ({ text })));
				expect(ad.text.descriptions).toEqual(copy.descriptions.map((text) => ({ text })));
				expect(ad.text.link).toBe(LINK);
				expect(ad.parentId, "the campaign's best ad group (…01 holds three fifths of the conversions)").toBe(googleAdGroupId(v.campaignId, 1));
			} else {
				expect(ad.text.message).toBe(copy.primaryText);
				expect(ad.text.headline).toBe(copy.headlines[0]);
				expect(ad.text.link).toBe(LINK);
				if (p === 'meta') {
					expect(ad.text.description).toBe(copy.descriptions[0]);
					expect(ad.text.callToAction).toBe('SHOP_NOW');
					expect(ad.parentId).toBe(metaAdSetId(v.campaignId));
				} else {
					expect(ad.text.description).toBeUndefined();
				}
			}
			const [row] = await withStore(engine, (store) => store.select('creative_variants', { where: { id: v.variantId } }));
			expect(row!.status).toBe('published');
			expect(row!.platform_status).toBe('PAUSED');
			const [approval] = await withStore(engine, (store) => store.select('approvals', { where: { proposal_id: v.proposalId } }));
			expect(row!.approved_by, "the approval's decider").toBe(approval!.decided_by);
			expect(row!.approved_at && Date.parse(row!.approved_at)).toBe(Date.parse(approval!.decided_at!));
			expect(ad.id && row!.platform_ad_id!.endsWith(ad.id)).toBe(true);

			const posted = slackAbout(slackBefore);
			const link = p === 'meta' ? 'adsmanager.facebook.com/adsmanager/manage/ads' : p === 'google_ads' ? 'ads.google.com/aw/ads' : 'linkedin.com/campaignmanager/accounts';
			expect(posted.some((m) => m.includes('Executed') && m.includes(link) && m.includes('a paused ad') && m.includes('Maya Lopez')), posted.join('\n')).toBe(true);

			// rerun, retry of failures, and Publish Approved: nothing more is created or posted
			const again = await engine.run(wf);
			expect(eventsOf(json(again.items('Execute Approved')), v.proposalId)).toEqual([]);
			const retry = await engine.run(executeWorkflow(p === 'meta' ? settings(v.accountId) : settings(), { retryFailed: true }));
			expect(eventsOf(json(retry.items('Execute Approved')), v.proposalId)).toEqual([]);
			const direct = await engine.runNode({ name: 'Publish', type: 'adOpsCreative', typeVersion: 1.2, parameters: { operation: 'publishApproved', link: LINK, variantIds: v.variantId, publishOptions: { linkedinOrganizationId: ORGANIZATION, ...(p === 'meta' ? { metaPageId: pageOf(v.accountId) } : {}) } }, credentials: { ...engine.credentialRef('adOpsStoreApi'), ...platformCreds() } });
			expect(direct.status, direct.error?.message).toBe('success');
			expect(json(direct.items('Publish')), 'a published variant is not approved any more: Publish Approved leaves it').toEqual([]);
			expect(adsOf(p, v.campaignId)).toHaveLength(1);
		}, 420_000); // five workflow runs; 55 s alone, over 180 s measured at load average 30 on the shared machine
	}

	test("a platform's validation error comes back to Slack with the field and the fix; the variant stays approved, nothing is created (Meta text limit, Google exemptible policy finding)", async () => {
		const meta = await queued('meta', { ...COPY.meta, headlines: ['Warm '.repeat(60).trim()] });
		const google = await queued('google_ads', { ...COPY.google_ads, headlines: ['Guaranteed Warmth', 'Free 60-Day Returns', 'Light Down Jackets'] });
		await approve(engine, meta.proposalId);
		await approve(engine, google.proposalId);
		const slackBefore = slackMessages(engine).length;
		const run = await engine.run(executeWorkflow({ ...settings(meta.accountId) }));
		expect(run.status, run.error?.message).toBe('success');
		const items = json(run.items('Execute Approved'));
		expect(eventsOf(items, meta.proposalId).map((e) => e.type)).toEqual(['failed']);
		expect(eventsOf(items, google.proposalId).map((e) => e.type)).toEqual(['failed']);
		const posted = slackAbout(slackBefore);
		const metaPost = posted.find((m) => m.includes('Failed') && m.includes(meta.campaignId));
		expect(metaPost, posted.join('\n')).toBeTruthy();
		expect(metaPost).toMatch(/Headline Too Long|headline \(name\) has 299 characters; at most 255/);
		expect(metaPost).toMatch(/within Meta's limits/);
		const googlePost = posted.find((m) => m.includes('Failed') && m.includes(google.campaignId));
		expect(googlePost, posted.join('\n')).toBeTruthy();
		expect(googlePost).toMatch(/headlines\[0\]\.text: "Guaranteed Warmth" violates Unsubstantiated claims/);
		expect(googlePost).toMatch(/request a policy exemption/);
		expect(adsOf('meta', meta.campaignId)).toHaveLength(0);
		expect(adsOf('google_ads', google.campaignId)).toHaveLength(0);
		for (const v of [meta, google]) {
			const [row] = await withStore(engine, (store) => store.select('creative_variants', { where: { id: v.variantId } }));
			expect(row!.status).toBe('approved');
			expect(row!.publish_outcome).toBe('failed');
		}
	});

	test('Publish Approved (AdOps Creative 1.2) publishes an approved variant once, in the best ad group, and says which; a second run creates nothing', async () => {
		const c = campaign('google_ads');
		const row = { ...variantToRow(COPY.google_ads, { platform: 'google_ads', accountId: c.accountId, campaignId: c.campaignId, status: 'approved' }) };
		await withStore(engine, (store) => store.upsert('creative_variants', [row]));
		const node = { name: 'Publish', type: 'adOpsCreative', typeVersion: 1.2, parameters: { operation: 'publishApproved', link: LINK, publishPlatforms: ['google_ads'], publishCampaignId: c.campaignId, publishOptions: {} }, credentials: { ...engine.credentialRef('adOpsStoreApi'), ...platformCreds() } };
		const first = await engine.runNode(node);
		expect(first.status, first.error?.message).toBe('success');
		const out = json(first.items('Publish'));
		expect(out.map((o) => o.outcome)).toEqual(['published']);
		expect(String(out[0]!.text)).toMatch(/the campaign's best of 2 by conversions then clicks over the last 30 days/);
		expect(String(out[0]!.url)).toContain(`adGroupId=${googleAdGroupId(c.campaignId, 1)}`);
		expect(adsOf('google_ads', c.campaignId)).toHaveLength(1);
		const second = await engine.runNode(node);
		expect(json(second.items('Publish'))).toEqual([]);
		expect(adsOf('google_ads', c.campaignId)).toHaveLength(1);
	});
});

describe('workflows/creative.json: On Creative Decision → Creative Approved? → Publish → Published Alert', () => {
	let engine: Engine;
	beforeAll(async () => {
		engine = await startEngine({ seed: 21 });
	});
	afterAll(async () => {
		await engine?.close();
	});

	test('an approved creative decision publishes the variant once (with the Landing Page URL and Page set) and Slack gets the link; a rejected or other decision publishes nothing', async () => {
		const account = engine.sandbox.world.accounts.find((a) => a.platform === 'meta')!;
		const c = { accountId: account.id, campaignId: account.campaigns[0]!.id };
		const { proposalId } = await queue(engine, 'meta', COPY.meta, c);
		await approve(engine, proposalId);

		const wf = readWorkflow('creative.json');
		const publish = wf.nodes.find((n) => n.name === 'Publish')!;
		expect((publish.parameters.creativePublishing as { link: string }).link, 'shipped without a landing page: the user sets it').toBe('');
		publish.parameters = { ...publish.parameters, creativePublishing: { ...(publish.parameters.creativePublishing as object), link: LINK, metaPageId: engine.sandbox.world.meta.pages.find((x) => x.accountId === c.accountId)!.id } };
		const slackBefore = slackMessages(engine).length;
		const decisions = [
			{ json: { type: 'rejected', kind: 'creative', proposalId: 'creative:other:000' } },
			{ json: { type: 'approved', kind: 'optimization', proposalId: 'optimization:other:000' } },
			{ json: { type: 'approved', kind: 'creative', proposalId } },
		];
		const run = await engine.run(wf, { start: 'On Creative Decision', input: decisions });
		expect(run.status, run.error?.message).toBe('success');
		expect(json(run.items('Publish')).map((e) => [e.proposalId, e.type])).toEqual([[proposalId, 'executed']]);
		const ads = publishedAds(engine.sandbox.world, 'meta').filter((a) => a.campaignId === c.campaignId);
		expect(ads).toHaveLength(1);
		expect(ads[0]!.status).toBe('PAUSED');
		expect(ads[0]!.text.message).toBe(COPY.meta.primaryText);
		const posted = slackMessages(engine).slice(slackBefore).map((m) => m.text);
		expect(posted.some((m) => m.includes('Executed') && m.includes('adsmanager.facebook.com/adsmanager/manage/ads')), posted.join('\n')).toBe(true);
		const again = await engine.run(wf, { start: 'On Creative Decision', input: decisions });
		expect(json(again.items('Publish'))).toEqual([]);
		expect(publishedAds(engine.sandbox.world, 'meta').filter((a) => a.campaignId === c.campaignId)).toHaveLength(1);
	});
});

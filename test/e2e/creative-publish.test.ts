// Publishing approved creative variants in real n8n 2.40.7 against the sandbox (issue 20, the first "Done
// when"): for Google Ads, Meta and LinkedIn, in one n8n host, one sandbox and one store (PostgreSQL when
// DATABASE_URL is set, as in CI; PGlite otherwise).
//
// The variants are queued by workflows/creative.json's own nodes (Queue for Approval → Ask for Approval: a
// Notion card and a Slack request each), fed by a Code node with the variants Write Variants would have
// stored (fixed copy, so the ads can be compared with it field by field). A person approves the cards in the
// sandbox's Notion. creative.json's publish path runs as shipped (Creative Approved? → Publish → Published
// Alert) with the publish settings a user must fill in (Landing Page URL, Meta Page ID, LinkedIn Organization
// ID); `n8n execute` cannot start at its polling trigger, so On Creative Decision runs as the same poll in
// operation form (AdOps Approval, Poll Decisions, same consumer), as test/e2e/approvals.test.ts does.
//
//   - approving a variant creates exactly one PAUSED ad with exactly the approved text, in the sandbox's world;
//     Slack gets the Executed alert with the approver and the ad's link
//   - a rerun (the next poll) and a retried execution (n8n's Retry replays the trigger's items: the same
//     decisions), Retry Failed and AdOps Creative's Publish Approved create nothing more
//   - a platform's validation error (Meta's headline limit, Google's exemptible policy finding, LinkedIn's
//     commentary limit) comes back to Slack with the field and the fix; nothing is created
//   - n8n SIGKILLed at creative.publish.after-platform (the ad exists, the ledger and the variant never heard)
//     leaves a stuck entry; the person retries the crashed execution and it is read back from the platform:
//     executed, the same one ad, no second
import { test, beforeAll, afterAll, describe } from 'vitest';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startSandbox, sandboxN8nCredentials, type Sandbox } from '../../scripts/sandbox';
import { WORKFLOW_CREDENTIAL_IDS } from '../../scripts/sandbox/n8n-credentials';
import { publishedAds, type PublishedAd } from '../../scripts/sandbox/platforms/publish';
import { creativeProposalInput, variantToRow } from '../../nodes/shared/creative/stage';
import type { CreativeVariant } from '../../nodes/shared/creative/variant';
import { PUBLISH_PLATFORMS, publishKey } from '../../nodes/shared/creative/publish';
import { GOOGLE_AD_TAG_KEY, googleAdTag } from '../../nodes/shared/platforms/google-ads-publish';
import type { Block } from '../../nodes/shared/alerts/message';
import type { StoreConfig } from '../../nodes/shared/store';
import { startN8n, type ExecutionResult, type KilledExecution, type N8nHost, type WorkflowInput } from '../helpers/n8n';
import { testStore } from '../helpers/store';
import { withStore as withStoreAt, jsonOutput } from '../helpers/with-store';
import { textsOf } from '../helpers/blocks';
import { approvalCards, cardText } from '../engine/world';

const ROOT = join(__dirname, '..', '..');
const ALERTS = 'C0ADOPSALR';
const LINK = 'https://northwind.example/winter';
const ORGANIZATION = '2414183';
const KILL_POINT = 'creative.publish.after-platform';

type Pub = 'google_ads' | 'meta' | 'linkedin';
type Role = 'main' | 'kill' | 'invalid';
/** The sandbox's name of each platform. */
const WORLD: Record<Pub, string> = { google_ads: 'google', meta: 'meta', linkedin: 'linkedin' };
type WfNode = { name: string; type: string; parameters: Record<string, unknown>; credentials?: unknown; [k: string]: unknown };

const COPY: Record<Pub, CreativeVariant> = {
	google_ads: { headlines: ['Light Down Jackets', 'Free 60-Day Returns', 'Warm Without the Bulk'], descriptions: ['Our lightest down jacket keeps the cold out.', 'Order today, free returns for 60 days.'], primaryText: null, callToAction: null, copyAngle: 'lightness', rationale: 'search intent' },
	meta: { headlines: ['Warmth that weighs nothing'], descriptions: ['Free returns for 60 days'], primaryText: 'Our lightest down jacket keeps the cold out on every commute.', callToAction: 'Shop now', copyAngle: 'lightness', rationale: 'lightness wins on Meta' },
	linkedin: { headlines: ['Outfit your team for winter'], descriptions: [], primaryText: 'Northwind jackets for field teams: warm, light and built for daily wear.', callToAction: 'Learn more', copyAngle: 'teams', rationale: 'B2B angle' },
};
/** Other copy for the kill tests (their own ads, found again by the variant's tag or name). */
const KILL_COPY: Record<Pub, CreativeVariant> = {
	google_ads: { ...COPY.google_ads, headlines: ['Packable Down Jackets', 'Free 60-Day Returns', 'Fits In Your Pocket'] },
	meta: { ...COPY.meta, headlines: ['A jacket that packs away'], primaryText: 'Stuff it into its own pocket, pull it out when the wind turns.' },
	linkedin: { ...COPY.linkedin, headlines: ['Jackets your crews will wear'], primaryText: 'Field teams stay warm and light from the first shift to the last.' },
};
/** Copy each platform refuses: Meta's headline (name) over 255 characters, Google's exemptible policy finding, LinkedIn's commentary over 600. */
const INVALID_COPY: Record<Pub, CreativeVariant> = {
	google_ads: { ...COPY.google_ads, headlines: ['Guaranteed Warmth', 'Free 60-Day Returns', 'Light Down Jackets'] },
	meta: { ...COPY.meta, headlines: ['Warm '.repeat(60).trim()] },
	linkedin: { ...COPY.linkedin, primaryText: 'Northwind jackets for field teams, warm and light. '.repeat(14).trim() },
};
const COPIES: Record<Role, Record<Pub, CreativeVariant>> = { main: COPY, kill: KILL_COPY, invalid: INVALID_COPY };

/** What Slack must say about each refusal: the field and the fix. */
const REFUSAL: Record<Pub, { field: RegExp; fix: RegExp }> = {
	meta: { field: /headline \(name\) has 299 characters; at most 255/, fix: /within Meta's limits/ },
	google_ads: { field: /headlines\[0\]\.text: "Guaranteed Warmth" violates Unsubstantiated claims/, fix: /request a policy exemption/ },
	linkedin: { field: new RegExp(`commentary: The commentary has ${[...(INVALID_COPY.linkedin.primaryText ?? '')].length} characters; at most 600`), fix: /within LinkedIn's limits/ },
};
/** The ad's page in each platform's web app, as the Executed alert links it. */
const AD_LINK: Record<Pub, string> = { meta: 'adsmanager.facebook.com/adsmanager/manage/ads', google_ads: 'ads.google.com/aw/ads', linkedin: 'linkedin.com/campaignmanager/accounts' };

interface Queued {
	platform: Pub;
	role: Role;
	accountId: string;
	campaignId: string;
	proposalId: string;
	variantId: string;
	copy: CreativeVariant;
	/** The creative proposal Write Variants would queue for it. */
	proposal: ReturnType<typeof creativeProposalInput>;
}

describe('creative publishing in real n8n: approve in Notion → creative.json publishes one paused ad → Slack', () => {
	let sandbox: Sandbox;
	let n8n: N8nHost;
	let storeConfig: StoreConfig;
	let cleanup: () => Promise<void> = async () => undefined;
	const queued: Queued[] = [];
	const wf: Record<string, WorkflowInput> = {};
	const timings: string[] = [];
	let pageId = '';

	const withStore = <T>(fn: Parameters<typeof withStoreAt<T>>[1]) => withStoreAt(storeConfig, fn);
	const ofRole = (role: Role) => queued.filter((q) => q.role === role);
	const adsOf = (q: Queued): PublishedAd[] => publishedAds(sandbox.world, q.platform).filter((a) => a.campaignId === q.campaignId);
	const slack = () => sandbox.world.slack.channels.find((c) => c.id === ALERTS)!.messages.filter((m) => m.viaApi);
	const said = (m: { text: string; blocks?: unknown[] }) => [m.text, ...((m.blocks ?? []) as Block[]).flatMap(textsOf)].join('\n');
	const posted = (since: number) => slack().slice(since).map(said);
	const events = (r: ExecutionResult, node: string) => jsonOutput(r, node).map((e) => ({ ...e, proposalId: String(e.proposalId), type: String(e.type), message: String(e.message ?? '') }));
	const typesOf = (r: ExecutionResult, node: string, qs: Queued[]) => Object.fromEntries(qs.map((q) => [`${q.platform}/${q.role}`, events(r, node).filter((e) => e.proposalId === q.proposalId).map((e) => e.type).join(',')]));

	async function exec(id: string): Promise<ExecutionResult> {
		const r = await n8n.execute(id);
		timings.push(`${id} ${(r.ms / 1000).toFixed(1)} s`);
		assert.equal(r.status, 'success', r.error?.message);
		return r;
	}
	async function killAt(id: string): Promise<KilledExecution> {
		const killed = await n8n.executeKilled(id, { env: { ADOPS_FAILPOINTS: KILL_POINT } });
		timings.push(`${id} killed ${(killed.ms / 1000).toFixed(1)} s`);
		assert.equal(killed.signal, 'SIGKILL', `the n8n process was killed by SIGKILL\n${killed.output}`);
		assert.deepEqual(killed.failpoints, [KILL_POINT], killed.output);
		return killed;
	}

	/** A person approves the variant's card in Notion. */
	async function approve(q: Queued): Promise<void> {
		const card = (await approvalCards(sandbox, 'creative')).filter((c) => cardText(c, 'Proposal ID') === q.proposalId);
		assert.equal(card.length, 1, `one card for ${q.platform}/${q.role}`);
		const res = await fetch(`${sandbox.url}/_admin/notion/pages/${card[0]!.id}/edit`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user: 'Maya Lopez', properties: { Status: { status: { name: 'Approved' } } } }) });
		assert.equal(res.status, 200, await res.text());
	}

	/** The ad in the sandbox carries exactly the approved copy, field by field, and is paused. */
	function assertAdIsTheCopy(q: Queued, ad: PublishedAd): void {
		const where = `${q.platform}/${q.role}`;
		assert.equal(ad.status, 'PAUSED', `${where}: paused`);
		assert.equal(ad.accountId, q.accountId);
		// how a lost answer finds it again: Google Ads by the variant's tag among the ad's URL custom parameters, Meta and LinkedIn by its name
		if (q.platform === 'google_ads') assert.deepEqual(ad.customParameters, [{ key: GOOGLE_AD_TAG_KEY, value: googleAdTag(q.variantId) }], `${where}: tagged`);
		else assert.equal(ad.name, `AdOps variant ${q.variantId}`, `${where}: named`);
		if (q.platform === 'google_ads') {
			assert.deepEqual(ad.text.headlines, q.copy.headlines.map((text) => ({ text })), `${where}: headlines`);
			assert.deepEqual(ad.text.descriptions, q.copy.descriptions.map((text) => ({ text })), `${where}: descriptions`);
			assert.equal(ad.text.link, LINK);
		} else {
			assert.equal(ad.text.message, q.copy.primaryText, `${where}: primary text`);
			assert.equal(ad.text.headline, q.copy.headlines[0], `${where}: headline`);
			assert.equal(ad.text.link, LINK);
			if (q.platform === 'meta') {
				assert.equal(ad.text.description, q.copy.descriptions[0], `${where}: description`);
				assert.equal(ad.text.callToAction, 'SHOP_NOW', `${where}: call to action`);
			} else {
				assert.equal(ad.text.description, undefined, `${where}: no description`);
			}
		}
	}

	/** The variant's row says published, by whom and where. */
	async function assertPublishedRow(q: Queued, ad: PublishedAd): Promise<void> {
		await withStore(async (store) => {
			const [row] = await store.select('creative_variants', { where: { id: q.variantId } });
			const [approval] = await store.select('approvals', { where: { proposal_id: q.proposalId } });
			assert.equal(row?.status, 'published', `${q.platform}/${q.role}: ${String(row?.publish_error)}`);
			assert.equal(row!.platform_status, 'PAUSED');
			assert.ok(row!.platform_ad_id?.endsWith(ad.id), `${row!.platform_ad_id} is ad ${ad.id}`);
			assert.equal(row!.approved_by, approval!.decided_by, "the approval's decider");
			assert.equal(approval!.status, 'executed');
			const ledger = await store.select('action_ledger', { where: { idempotency_key: publishKey(q.variantId) } });
			assert.deepEqual(ledger.map((e) => e.status), ['succeeded'], 'one publish entry, succeeded');
		});
	}

	/** creative.json's nodes from `names`, with the publish settings a user fills in on Publish. */
	function shipped(creative: WorkflowInput, names: string[]): WfNode[] {
		const nodes = structuredClone(creative.nodes as unknown as WfNode[]).filter((n) => names.includes(n.name));
		for (const n of nodes) {
			if (n.name === 'Publish') n.parameters.creativePublishing = { ...(n.parameters.creativePublishing as object), link: LINK, metaPageId: pageId, linkedinOrganizationId: ORGANIZATION };
		}
		return nodes;
	}
	const start: WfNode = { parameters: {}, name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [-200, 480] };
	const to = (node: string) => ({ main: [[{ node, type: 'main', index: 0 }]] });
	const publishPath = { 'Creative Approved?': to('Publish'), Publish: to('Published Alert') };
	/** A Code node emitting `items`. */
	const code = (name: string, items: unknown[]): WfNode => ({ parameters: { jsCode: `return ${JSON.stringify(items.map((json) => ({ json })))};` }, name, type: 'n8n-nodes-base.code', typeVersion: 2, position: [0, 480] });
	/** The decisions On Creative Decision emitted for `qs`: what n8n's Retry of that execution feeds the path again. */
	const decisions = (qs: Queued[]) => code('Decisions', qs.map((q) => ({ type: 'approved', kind: 'creative', proposalId: q.proposalId })));
	const workflow = (id: string, nodes: WfNode[], connections: Record<string, unknown>): WorkflowInput => ({ id, name: `e2e ${id}`, nodes, connections, settings: { executionOrder: 'v1', timezone: 'UTC' } }) as unknown as WorkflowInput;

	beforeAll(async () => {
		assert.deepEqual([...PUBLISH_PLATFORMS].sort(), ['google_ads', 'linkedin', 'meta'], 'the platforms this file covers are those with creative publishing');
		sandbox = await startSandbox({ seed: 21 });
		const ts = await testStore('adops-e2e-creative-publish');
		storeConfig = ts.config;
		cleanup = ts.cleanup;

		// three campaigns per platform, from its first ad account (Meta: one account, so one Page for the node)
		const metaAccount = sandbox.world.accounts.find((a) => a.platform === 'meta')!;
		pageId = sandbox.world.meta.pages.find((p) => p.accountId === metaAccount.id)!.id;
		const rows: unknown[] = [];
		for (const p of PUBLISH_PLATFORMS as readonly Pub[]) {
			const account = sandbox.world.accounts.find((a) => a.platform === WORLD[p])!;
			(['main', 'kill', 'invalid'] as const).forEach((role, i) => {
				const campaignId = account.campaigns[i]!.id;
				const copy = COPIES[role][p];
				const proposal = creativeProposalInput(copy, { platform: p, accountId: account.id, campaignId });
				rows.push({ ...variantToRow(copy, { platform: p, accountId: account.id, campaignId, status: 'pending_approval' }), proposal_id: proposal.id });
				queued.push({ platform: p, role, accountId: account.id, campaignId, proposalId: proposal.id, variantId: '', copy, proposal });
			});
		}
		// the variants as Write Variants stores them (pending approval, linked to their proposal)
		await withStore(async (store) => {
			await store.upsert('creative_variants', rows as never);
			for (const q of queued) q.variantId = (await store.select('creative_variants', { where: { proposal_id: q.proposalId } }))[0]!.id;
		});

		const creative = JSON.parse(await readFile(join(ROOT, 'workflows', 'creative.json'), 'utf8')) as WorkflowInput;
		const trigger = (creative.nodes as unknown as WfNode[]).find((n) => n.name === 'On Creative Decision')!;
		assert.equal(trigger.type, 'n8n-nodes-adops.adOpsApprovalTrigger');
		// On Creative Decision's poll as an operation: same consumer, same core
		const poll: WfNode = { ...structuredClone(trigger), type: 'n8n-nodes-adops.adOpsApproval', typeVersion: 2, parameters: { resource: 'decision', operation: 'pollDecisions', consumer: (trigger.parameters.options as { consumer: string }).consumer, queueOptions: {} } };
		const [publish] = shipped(creative, ['Publish']);
		const credentials = publish!.credentials;

		wf.queue = workflow('CrPubQueue00001', [start, code('Variants', queued.map((q) => ({ proposal: q.proposal }))), ...shipped(creative, ['Queue for Approval', 'Ask for Approval'])], {
			Start: to('Variants'),
			Variants: to('Queue for Approval'),
			'Queue for Approval': to('Ask for Approval'),
		});
		wf.publish = workflow('CrPubPublish001', [start, poll, ...shipped(creative, ['Creative Approved?', 'Publish', 'Published Alert'])], { Start: to(trigger.name), [trigger.name]: to('Creative Approved?'), ...publishPath });

		// a retried execution of the first publish (its decisions again), Retry Failed, and Publish Approved
		const retryFailed: WfNode = { ...structuredClone(publish!), id: 'c2e0e2e0-0000-4000-8000-0000000000f1', name: 'Retry Failed', position: [520, 720], parameters: { ...publish!.parameters, executeOptions: { retryFailed: true, proposalIds: [...ofRole('main'), ...ofRole('invalid')].map((q) => q.proposalId).join(',') } } };
		const publishApproved: WfNode = {
			parameters: { operation: 'publishApproved', link: LINK, publishOptions: { metaPageId: pageId, linkedinOrganizationId: ORGANIZATION } },
			name: 'Publish Approved',
			type: 'n8n-nodes-adops.adOpsCreative',
			typeVersion: 1.2,
			position: [520, 960],
			credentials: { ...(credentials as Record<string, unknown>), adOpsStoreApi: { id: WORKFLOW_CREDENTIAL_IDS.store, name: 'AdOps Store' } },
		};
		const alert = shipped(creative, ['Published Alert'])[0]!;
		wf.retry = workflow('CrPubRetry00001', [start, decisions([...ofRole('main'), ...ofRole('invalid')]), ...shipped(creative, ['Creative Approved?', 'Publish', 'Published Alert']), retryFailed, { ...alert, id: 'c2e0e2e0-0000-4000-8000-0000000000f2', name: 'Retry Alert', position: [800, 720] }, publishApproved], {
			Start: { main: [[{ node: 'Decisions', type: 'main', index: 0 }, { node: 'Retry Failed', type: 'main', index: 0 }, { node: 'Publish Approved', type: 'main', index: 0 }]] },
			Decisions: to('Creative Approved?'),
			...publishPath,
			'Retry Failed': to('Retry Alert'),
		});
		// the kill tests: one retry per platform's decision, and one of all three
		for (const q of ofRole('kill')) wf[`kill-${q.platform}`] = workflow(`CrPubKill${q.platform.slice(0, 4)}01`.padEnd(15, '0'), [start, decisions([q]), ...shipped(creative, ['Creative Approved?', 'Publish', 'Published Alert'])], { Start: to('Decisions'), Decisions: to('Creative Approved?'), ...publishPath });
		wf.recover = workflow('CrPubRecover001', [start, decisions(ofRole('kill')), ...shipped(creative, ['Creative Approved?', 'Publish', 'Published Alert'])], { Start: to('Decisions'), Decisions: to('Creative Approved?'), ...publishPath });

		n8n = await startN8n();
		await n8n.importCredentials(sandboxN8nCredentials(sandbox, ts.credential));
		await n8n.importWorkflows(Object.values(wf));
	});

	afterAll(async () => {
		if (timings.length > 0) process.stdout.write(`# n8n processes: ${timings.join('; ')}\n`);
		await n8n?.dispose();
		await sandbox?.close();
		await cleanup();
	});

	test('queued with creative.json: one Notion card and one Slack approval request per variant', async () => {
		const r = await exec(wf.queue!.id as string);
		const out = events(r, 'Queue for Approval');
		assert.deepEqual(out.map((e) => e.type), queued.map(() => 'queued'));
		assert.equal((await approvalCards(sandbox, 'creative')).length, queued.length);
		assert.equal(slack().filter((m) => /Approval needed/.test(said(m))).length, queued.length);
	});

	let firstRun: ExecutionResult;
	let slackBeforeFirst = 0;

	test('approving a variant creates exactly one paused ad with exactly the approved text, per platform; Slack gets the approver and the link', async () => {
		for (const q of [...ofRole('main'), ...ofRole('invalid')]) await approve(q);
		slackBeforeFirst = slack().length;
		firstRun = await exec(wf.publish!.id as string);
		assert.deepEqual(typesOf(firstRun, 'Publish', ofRole('main')), { 'google_ads/main': 'executed', 'meta/main': 'executed', 'linkedin/main': 'executed' }, JSON.stringify(events(firstRun, 'Publish').map((e) => e.message)));
		const said = posted(slackBeforeFirst);
		for (const q of ofRole('main')) {
			const ads = adsOf(q);
			assert.equal(ads.length, 1, `${q.platform}: one ad`);
			assertAdIsTheCopy(q, ads[0]!);
			await assertPublishedRow(q, ads[0]!);
			assert.ok(said.some((m) => m.includes('Executed') && m.includes(AD_LINK[q.platform]) && m.includes(q.campaignId) && m.includes('a paused ad') && m.includes('Maya Lopez')), `${q.platform}: Slack says executed, paused, by whom, with the link:\n${said.join('\n---\n')}`);
		}
	});

	test("a platform's validation error comes back to Slack with the field and the fix; nothing is created, the variant stays approved", async () => {
		assert.deepEqual(typesOf(firstRun, 'Publish', ofRole('invalid')), { 'google_ads/invalid': 'failed', 'meta/invalid': 'failed', 'linkedin/invalid': 'failed' });
		const said = posted(slackBeforeFirst);
		for (const q of ofRole('invalid')) {
			const post = said.find((m) => m.includes('Failed') && m.includes(q.campaignId));
			assert.ok(post, `${q.platform}: a Failed alert naming campaign ${q.campaignId}:\n${said.join('\n---\n')}`);
			assert.match(post, REFUSAL[q.platform].field, `${q.platform}: the field`);
			assert.match(post, REFUSAL[q.platform].fix, `${q.platform}: the fix`);
			assert.doesNotMatch(post, /[{[]\s*"/, 'in words, no raw JSON');
			assert.equal(adsOf(q).length, 0, `${q.platform}: nothing created`);
		}
		await withStore(async (store) => {
			for (const q of ofRole('invalid')) {
				const [row] = await store.select('creative_variants', { where: { id: q.variantId } });
				assert.equal(row!.status, 'approved');
				assert.equal(row!.publish_outcome, 'failed');
			}
		});
	});

	test('a rerun, a retried execution, Retry Failed and Publish Approved create nothing more', async () => {
		const adsBefore = publishedAds(sandbox.world).length;
		const slackBefore = slack().length;
		const rerun = await exec(wf.publish!.id as string);
		assert.equal(events(rerun, 'On Creative Decision').length, 0, 'each decision is emitted once');
		assert.equal(slack().length, slackBefore, 'nothing posted');

		const retry = await exec(wf.retry!.id as string);
		assert.deepEqual(events(retry, 'Publish'), [], 'the same decisions again: nothing executed');
		// Retry Failed runs the refused ones again: refused again, nothing created
		assert.deepEqual(typesOf(retry, 'Retry Failed', ofRole('main')), { 'google_ads/main': '', 'meta/main': '', 'linkedin/main': '' });
		assert.deepEqual(typesOf(retry, 'Retry Failed', ofRole('invalid')), { 'google_ads/invalid': 'failed', 'meta/invalid': 'failed', 'linkedin/invalid': 'failed' });
		// Publish Approved: the published variants are not approved any more; the refused ones are refused again
		const direct = jsonOutput(retry, 'Publish Approved');
		assert.deepEqual(direct.map((d) => `${String(d.variantId)}:${String(d.outcome)}`).sort(), ofRole('invalid').map((q) => `${q.variantId}:failed`).sort());
		assert.equal(publishedAds(sandbox.world).length, adsBefore, 'no ad created');
		for (const q of ofRole('main')) assert.equal(adsOf(q).length, 1);
	});

	test('n8n SIGKILLed between the platform call and the write-back leaves a stuck entry; retrying the crashed execution reads the ad back: one ad per platform, never a second', { timeout: 600_000 }, async () => {
		for (const q of ofRole('kill')) await approve(q);
		// the first kill in the poll's own execution: the first of the three decisions reaches the platform
		await killAt(wf.publish!.id as string);
		const first = ofRole('kill').filter((q) => adsOf(q).length > 0);
		assert.equal(first.length, 1, 'the killed run created one ad before dying');
		const killedOrder = [first[0]!];
		// the others, each in a retry of its own decision, killed at the same point
		for (const q of ofRole('kill').filter((x) => x !== first[0])) {
			await killAt(wf[`kill-${q.platform}`]!.id as string);
			killedOrder.push(q);
		}
		for (const q of ofRole('kill')) {
			assert.equal(adsOf(q).length, 1, `${q.platform}: the ad exists`);
			assertAdIsTheCopy(q, adsOf(q)[0]!);
		}
		// the stuck entries: claimed by a dead process, the variant still approved, the proposal executing
		await withStore(async (store) => {
			for (const q of ofRole('kill')) {
				const [entry] = await store.select('action_ledger', { where: { idempotency_key: publishKey(q.variantId) } });
				assert.equal(entry?.status, 'claimed', `${q.platform}: the publish entry is stuck at claimed`);
				const [row] = await store.select('creative_variants', { where: { id: q.variantId } });
				assert.equal(row!.status, 'approved');
				assert.equal(row!.platform_ad_id, null, 'the write-back never happened');
				const [approval] = await store.select('approvals', { where: { proposal_id: q.proposalId } });
				assert.equal(approval!.status, 'executing', `${q.platform}: the proposal is stuck executing`);
			}
		});

		// the person retries the crashed execution (the same decisions): each is read back from the platform
		const slackBefore = slack().length;
		const recovered = await exec(wf.recover!.id as string);
		const out = events(recovered, 'Publish');
		assert.deepEqual(typesOf(recovered, 'Publish', ofRole('kill')), { 'google_ads/kill': 'executed', 'meta/kill': 'executed', 'linkedin/kill': 'executed' }, JSON.stringify(out.map((e) => e.message)));
		for (const e of out) assert.match(e.message, /had been applied \(checked: .*found on the platform/, e.message);
		const said = posted(slackBefore);
		for (const q of ofRole('kill')) {
			assert.equal(adsOf(q).length, 1, `${q.platform}: still one ad`);
			await assertPublishedRow(q, adsOf(q)[0]!);
			assert.ok(said.some((m) => m.includes('Executed') && m.includes(q.campaignId) && m.includes(AD_LINK[q.platform]) && /found on the platform/.test(m)), `${q.platform}: Slack says it was found, with the link:\n${said.join('\n---\n')}`);
		}
		await withStore(async (store) => {
			for (const q of ofRole('kill')) {
				const [entry] = await store.select('action_ledger', { where: { idempotency_key: publishKey(q.variantId) } });
				assert.equal(entry!.status, 'succeeded');
				assert.match(String(entry!.resolution), /found on the platform/);
			}
		});
		for (const q of queued) assert.equal(adsOf(q).length, q.role === 'invalid' ? 0 : 1, `${q.platform}/${q.role}`);
	});
});

/**
 * `npm run demo`: the daily AdOps job on embedded defaults — the local sandbox
 * stands in for Slack and the ad platforms, PGlite is the store, and a real
 * n8n 2.40.7 (installed into the cache on first use) runs the workflows from
 * `workflows/` with this package installed as a community package.
 *
 * It runs `workflows/alert-demo.json` (an alert and a threaded follow-up),
 * then `workflows/ingest.json` twice: every platform account is loaded into
 * the store, the quality report scores it and Slack gets the summary; the
 * second run re-reads the lookback days and writes nothing. Then
 * `workflows/creative.json` (Run Now) writes copy for the two campaigns with
 * the most spend: rules, policy and novelty checked, the novel variants of
 * each campaign queued as one Notion card with one Slack request, the
 * held-back ones in one Slack digest per campaign. `workflows/moderation.json`
 * (Run Now, dry run) polls the comments under the ads' posts, classifies them
 * and posts one digest of what the policy would do. `workflows/optimize.json`
 * (Run Now, dry run, then again as the next hourly run that announces nothing
 * new)
 * evaluates the seed rules of supabase/seed.sql over the ingested performance
 * and each campaign's state read from its platform, and shows what would
 * execute, what would need approval and what the gates held back, with Slack
 * getting the evidence. The approval loop (run after insights):
 * `workflows/approval-request.json` queues a proposal (a Notion card and a
 * Slack message with Approve/Reject), the demo approves the card through the
 * sandbox's Notion as a person would, `workflows/approvals.json` runs
 * published in n8n, its AdOps Approval Trigger picks the decision up on its
 * every-minute poll, the approved action runs exactly once (a webhook
 * executor POSTs it to the sandbox's receiver; the demo fails if the receiver
 * counts anything but one request) and Slack says so in the proposal's
 * thread.
 * Then `workflows/insights.json` (Run Now): before the ingest the sandbox
 * planted an anomaly on yesterday of one Meta campaign (a tracking break,
 * conversions to zero with clicks held, where a campaign converts 20 a day or
 * more; else a spend spike; see plantAnomaly) (the demo's Meta ingest backfills 59 days: detection
 * needs 28 days of history and more); Detect Anomalies, narrowed to that
 * account, finds it (and the account total it drags down), stores it and
 * posts each alert once with its PNG chart; the demo prints the alerts in
 * words and the chart's path.
 * Last, after the approval loop, `workflows/conversions.json` (issue 22
 * item 5). Its copy has the sandbox's destinations filled in (a Meta pixel, a
 * Google Ads conversion action, a LinkedIn conversion rule, a TikTok pixel;
 * the shipped file leaves them empty) and its schedules off. A stream of journeys (scripts/demo/journeys.ts: 300 people over
 * the last 5 days, impressions and clicks on the sandbox's active campaigns
 * with click ids and UTMs, leads and purchases with values, some people
 * without ad consent, a few events sent twice and one malformed) is posted in
 * signed batches to its published AdOps Events Trigger (`n8n start` again);
 * the demo prints the answers' counts and fails unless the store holds
 * posted − duplicates − quarantined events. Run Now attributes yesterday's
 * purchases, compares them with what the platforms reported and posts to
 * Slack with a chart; Send to Ad Platforms (its node behind a manual trigger)
 * runs twice: the demo prints per platform what was taken and refused, and
 * fails if the rerun sends anything.
 * It ends with a table of the Slack messages and Notion cards each workflow
 * sent (README "Messages and cards per demo run" quotes it).
 * Each later capability adds its workflow here.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startSandbox, sandboxN8nCredentials, type Campaign, type Sandbox } from './sandbox';
import { addDays } from './sandbox/rng';
import { applySeed, openStore } from '../nodes/shared/store';
import { defaultSeedFile } from '../nodes/shared/store/migrations';
import { embeddedExecutor } from '../nodes/shared/store/embedded';
import type { IngestOutcome } from '../nodes/shared/ingest';
import { PLATFORM_LABELS, PLATFORM_REGISTRY, type PlatformId } from '../nodes/shared/platforms/registry';
import { ensureN8n } from './n8n-host/install';
import { buildPackAndInstall } from './n8n-host/package';
import { createN8nHost, type N8nHost, type WorkflowInput } from './n8n-host/host';
import { conversionReceipts } from './sandbox/platforms/conversions';
import { signBody, type IngestAnswer } from '../nodes/shared/events';
import { SEND_BACK_PLATFORMS, type TargetResult } from '../nodes/shared/conversions';
import { destinationParam } from '../nodes/AdOpsConversions/actions/sendBack.operation';
import { plural } from '../nodes/shared/text/number';
import { MODEL_LABELS, type AttributionModel } from '../nodes/shared/attribution';
import { generateJourneys, type DemoCampaign } from './demo/journeys';

const ROOT = resolve(__dirname, '..');
const ALERT_CHANNEL = '#adops-alerts';
/** Demo FX rates into the reporting currency (USD); a real setup loads published rates into fx_rates. */
const DEMO_RATES: Record<string, number> = { EUR: 1.0825, GBP: 1.265, JPY: 0.006712 };


function say(message: string): void {
	process.stdout.write(`${message}\n`);
}

function step(label: string): () => void {
	const started = performance.now();
	process.stdout.write(`• ${label} … `);
	return () => process.stdout.write(`done (${((performance.now() - started) / 1000).toFixed(1)} s)\n`);
}

async function loadWorkflow(file: string): Promise<WorkflowInput> {
	return JSON.parse(await readFile(join(ROOT, 'workflows', file), 'utf8')) as WorkflowInput;
}

/** Block Kit back to readable lines, to show what a person sees in Slack. */
function blocksAsText(blocks: unknown[] | undefined, fallback: string): string[] {
	if (!blocks?.length) return [fallback];
	const lines: string[] = [];
	for (const block of blocks as Array<Record<string, unknown>>) {
		const text = (block.text as { text?: string } | undefined)?.text;
		if (block.type === 'header' && text) lines.push(`# ${text}`);
		else if (block.type === 'section') {
			if (text) lines.push(...text.split('\n'));
			for (const f of (block.fields as Array<{ text: string }> | undefined) ?? []) lines.push(f.text.replace('\n', ': '));
		} else if (block.type === 'context') {
			for (const e of (block.elements as Array<{ text: string }>) ?? []) lines.push(`(${e.text})`);
		} else if (block.type === 'actions') {
			for (const e of (block.elements as Array<{ text: { text: string }; url?: string }>) ?? []) lines.push(`[${e.text.text}] ${e.url ?? ''}`);
		}
	}
	return lines;
}

function postedCount(sandbox: Sandbox): number {
	return sandbox.world.slack.channels.find((c) => `#${c.name}` === ALERT_CHANNEL)?.messages.filter((m) => m.viaApi).length ?? 0;
}

/** What a person receives: Slack messages posted through the API (every channel) and Notion pages created by the integration. */
function tally(sandbox: Sandbox): { slack: number; notion: number } {
	const slack = sandbox.world.slack.channels.reduce((n, c) => n + c.messages.filter((m) => m.viaApi).length, 0);
	return { slack, notion: sandbox.world.notion.pages.length };
}

const counts: Array<{ label: string; slack: number; notion: number }> = [];

/** Records how many Slack messages and Notion cards `label` produced since `before`. */
function count(sandbox: Sandbox, label: string, before: { slack: number; notion: number }): void {
	const now = tally(sandbox);
	counts.push({ label, slack: now.slack - before.slack, notion: now.notion - before.notion });
}

function printCounts(): void {
	say('\nWhat one demo run sends to people:');
	say(`  ${'workflow'.padEnd(34)}${'Slack messages'.padStart(15)}${'Notion cards'.padStart(14)}`);
	for (const c of counts) say(`  ${c.label.padEnd(34)}${String(c.slack).padStart(15)}${String(c.notion).padStart(14)}`);
	const total = counts.reduce((t, c) => ({ slack: t.slack + c.slack, notion: t.notion + c.notion }), { slack: 0, notion: 0 });
	say(`  ${'total'.padEnd(34)}${String(total.slack).padStart(15)}${String(total.notion).padStart(14)}`);
}

function printChannel(sandbox: Sandbox, since: number): void {
	const channel = sandbox.world.slack.channels.find((c) => `#${c.name}` === ALERT_CHANNEL);
	if (!channel) throw new Error(`the sandbox has no ${ALERT_CHANNEL} channel`);
	const posted = channel.messages.filter((m) => m.viaApi).slice(since);
	say(`\nSlack ${ALERT_CHANNEL} received ${posted.length} message(s):`);
	for (const m of posted) {
		const indent = m.threadTs ? '    ↳ ' : '  ';
		say(`${indent}[ts ${m.ts}${m.threadTs ? `, reply in thread ${m.threadTs}` : ''}]`);
		for (const line of blocksAsText(m.blocks, m.text)) say(`${indent}  ${line}`);
	}
}

/** Queue → approve on the Notion card → the published trigger fires → executed once → Slack. */
async function approvalLoop(n8n: N8nHost, sandbox: Sandbox, request: WorkflowInput): Promise<void> {
	let seen = postedCount(sandbox);
	let done = step(`running workflow "${request.name}"`);
	const queued = await n8n.execute(request.id as string);
	done();
	const event = queued.runData['Queue Proposal']?.at(-1)?.data?.main?.[0]?.[0]?.json as { proposalId: string; pageId: string; message: string } | undefined;
	if (!event?.pageId) throw new Error('the proposal was not queued');
	say(`  ${event.message}`);
	printChannel(sandbox, seen);

	done = step('approving the card in Notion as Maya Lopez (through the sandbox)');
	const res = await fetch(`${sandbox.url}/_admin/notion/pages/${event.pageId}/edit`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ user: 'Maya Lopez', properties: { Status: { status: { name: 'Approved' } } } }),
	});
	if (!res.ok) throw new Error(`the sandbox refused the card edit: ${await res.text()}`);
	done();

	seen = postedCount(sandbox);
	done = step('starting n8n with "AdOps: approvals" published; waiting for its every-minute poll to execute the approval');
	await n8n.start();
	const deadline = Date.now() + 150_000;
	const executedNotice = () =>
		sandbox.world.slack.channels
			.find((c) => `#${c.name}` === ALERT_CHANNEL)
			?.messages.some((m) => m.viaApi && (m.blocks ?? []).some((b) => JSON.stringify(b).includes('Executed')));
	while (!(sandbox.effects('announce').length > 0 && executedNotice())) {
		if (Date.now() > deadline) throw new Error(`the approved proposal did not execute within 150 s\n${n8n.serverLog(30)}`);
		await new Promise((r) => setTimeout(r, 500));
	}
	await n8n.stop();
	done();
	const receipts = sandbox.effects('announce');
	say(`  the receiver got ${receipts.length} request(s) for ${event.proposalId} (Idempotency-Key ${receipts[0]?.idempotencyKey ?? '-'})`);
	if (receipts.length !== 1) throw new Error(`the approved action ran ${receipts.length} times; it must run exactly once`);
	const card = ((await (await fetch(`${sandbox.url}/_admin/notion/pages?data_source_id=${sandbox.world.notion.approvalDataSourceId}`)).json()) as { pages: Array<{ id: string; properties: Record<string, { status?: { name: string } }> }> }).pages.find((p) => p.id === event.pageId);
	say(`  the Notion card now says: ${card?.properties.Status?.status?.name ?? '?'}`);
	printChannel(sandbox, seen);
}

/**
 * Plants an anomaly on the account's own yesterday of a Meta campaign (the sandbox's POST /_admin/plant): a
 * tracking break (conversions to 0, clicks held) where a campaign converts enough for a zero to stand out
 * (a median of 20 a day over the last four weeks), else a spend spike (×3) on the campaign that spends most.
 * A zero among days of 2 to 12 conversions is within their noise, and the detector rightly leaves it alone:
 * seed 1's Meta campaigns convert 2 to 7 a day.
 */
async function plantAnomaly(sandbox: Sandbox): Promise<{ accountId: string; campaign: Campaign; date: string; kind: 'tracking_break' | 'spike' } | null> {
	type Pick = { accountId: string; campaign: Campaign; date: string; conversions: number; spend: number };
	const picks: Pick[] = [];
	for (const account of sandbox.world.accounts.filter((a) => a.platform === PLATFORM_REGISTRY.meta.id)) {
		// between midnight UTC and midnight in the account's zone, its "today" is still the sandbox's (UTC) yesterday
		const localToday = new Intl.DateTimeFormat('en-CA', { timeZone: account.timezone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
		const yesterday = addDays(localToday < sandbox.world.today ? localToday : sandbox.world.today, -1);
		for (const campaign of account.campaigns.filter((c) => c.status === 'ACTIVE')) {
			const weeks = campaign.daily.filter((d) => d.date < yesterday && d.date >= addDays(yesterday, -28));
			if (weeks.length < 28 || !campaign.daily.some((d) => d.date === yesterday)) continue;
			const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
			picks.push({ accountId: account.id, campaign, date: yesterday, conversions: median(weeks.map((d) => d.conversions)), spend: median(weeks.map((d) => d.spend)) });
		}
	}
	if (picks.length === 0) return null;
	const converting = [...picks].sort((a, b) => b.conversions - a.conversions)[0]!;
	const kind = converting.conversions >= 20 ? 'tracking_break' : 'spike';
	const pick = kind === 'tracking_break' ? converting : [...picks].sort((a, b) => b.spend - a.spend)[0]!;
	const res = await fetch(`${sandbox.url}/_admin/plant`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ campaignId: pick.campaign.id, kind, date: pick.date }) });
	if (!res.ok) throw new Error(`the sandbox refused the plant: ${await res.text()}`);
	return { accountId: pick.accountId, campaign: pick.campaign, date: pick.date, kind };
}

/** The insights run in words: each anomaly with its alert, where its PNG chart is, and what Pace Budgets said. */
async function showInsights(sandbox: Sandbox, runData: Awaited<ReturnType<N8nHost['execute']>>['runData'], seen: number): Promise<void> {
	type Item = { outcome: string; slack?: { status: string; fileId?: string } | null; summary?: string; problems?: string[]; label?: string; status?: string; metric?: string; direction?: string; date?: string; pattern?: string | null; actual?: number; expected?: number; score?: number; campaignName?: string | null; campaignId?: string | null; accountId?: string; alertDecision?: string; alertGroup?: string | null };
	const items = (node: string) => (runData[node]?.at(-1)?.data?.main?.[0] ?? []).map((i) => i.json as unknown as Item);
	const anomalies = items('Detect Anomalies').filter((i) => i.outcome === 'anomaly');
	say(`  Detect Anomalies: ${anomalies.length} anomal${anomalies.length === 1 ? 'y' : 'ies'}`);
	const scan = items('Detect Anomalies').find((i) => i.outcome === 'scan') as (Item & { skipped?: Array<{ campaignId: string | null; metric: string; reason: string }> }) | undefined;
	const scanned = scan as (Item & { end?: string; series?: number; scanned?: number; decomposed?: number }) | undefined;
	if (scanned) say(`    scanned ${scanned.series ?? 0} series (${scanned.scanned ?? 0} with their metrics, ${scanned.decomposed ?? 0} decomposed) up to ${scanned.end ?? '-'}`);
	if (anomalies.length === 0) for (const k of (scan?.skipped ?? []).slice(0, 3)) say(`    not judged: ${k.campaignId ?? 'account'} ${k.metric}: ${k.reason}`);
	const dir = join(tmpdir(), 'adops-demo-charts');
	await mkdir(dir, { recursive: true });
	const round = (v: number | undefined) => (v ?? 0).toLocaleString('en-US', { maximumFractionDigits: 1 });
	// one Slack message per entity and day: its lead item carries the delivery, the others are in the same message
	const slackWords = (a: Item): string => {
		if (a.slack) return a.slack.status.replace(/_/g, ' ');
		const lead = a.alertGroup ? anomalies.find((x) => x.alertGroup === a.alertGroup && x.slack) : undefined;
		return lead?.slack ? `in the same message as its ${lead.metric} (${lead.slack.status.replace(/_/g, ' ')})` : 'not posted';
	};
	for (const a of anomalies) {
		const where = a.campaignId ? `campaign ${a.campaignName ?? a.campaignId}` : `account ${a.accountId} as a whole`;
		say(`  ${a.date}, ${where}: ${a.metric} ${a.direction === 'drop' ? 'dropped' : 'spiked'} to ${round(a.actual)} against ${round(a.expected)} expected (robust score ${round(a.score)})${a.pattern ? `, named ${a.pattern.replace(/_/g, ' ')}` : ''}; alert: ${String(a.alertDecision).replace(/_/g, ' ')}, Slack: ${slackWords(a)}`);
		const file = a.slack?.fileId ? sandbox.world.slack.files?.find((f) => f.id === a.slack!.fileId) : undefined;
		if (file?.bytes) {
			const path = join(dir, file.name ?? `${file.id}.png`);
			await writeFile(path, file.bytes);
			say(`    its chart (PNG, ${file.bytes.length.toLocaleString('en-US')} bytes, the file Slack holds): ${path}`);
		}
	}
	for (const p of items('Pace Budgets')) {
		if (p.outcome === 'pacing') say(`  Pace Budgets: ${p.label} ${String(p.status).replace('_', ' ')}: ${p.summary}`);
		else for (const problem of p.problems ?? []) say(`  Pace Budgets: ${problem}`);
	}
	printChannel(sandbox, seen);
}

/** The sandbox's active campaigns on the platforms that take conversions back, with their account's currency. */
function demoCampaigns(sandbox: Sandbox): DemoCampaign[] {
	// the sandbox names Google Ads 'google'; every other world platform is named by its registry id
	const { google_ads, meta, linkedin, tiktok } = PLATFORM_REGISTRY;
	const ids = { google: google_ads.id, meta: meta.id, linkedin: linkedin.id, tiktok: tiktok.id } as const;
	return [...sandbox.world.accounts, ...sandbox.world.tiktok.advertisers].flatMap((a) =>
		a.campaigns.filter((c) => c.status === 'ACTIVE').map((c) => ({ platform: ids[a.platform], id: c.id, name: c.name, currency: a.currency })),
	);
}

/**
 * Where the demo's copy of conversions.json sends conversions back, as Send to Ad Platforms' parameters (its
 * destinationParam names): one destination the sandbox's conversion endpoints accept per platform that takes them.
 */
export function sandboxDestinations(sandbox: Sandbox): Record<string, string> {
	const google = sandbox.world.accounts.find((a) => a.platform === 'google')!;
	const { google_ads, meta, linkedin, tiktok } = PLATFORM_REGISTRY;
	const byPlatform: Partial<Record<PlatformId, string>> = {
		[meta.id]: '998877665544',
		[google_ads.id]: `customers/${google.id}/conversionActions/4455667788`,
		[linkedin.id]: 'urn:lla:llaPartnerConversion:7001',
		[tiktok.id]: 'CADOPSDEMOPIXEL01',
	};
	const missing = SEND_BACK_PLATFORMS.filter((p) => !byPlatform[p]);
	if (missing.length) throw new Error(`the demo has no sandbox destination for ${missing.join(', ')}`);
	return Object.fromEntries(SEND_BACK_PLATFORMS.map((p) => [destinationParam(p), byPlatform[p]!]));
}

const JOURNEY_DAYS = 5;

/**
 * The first-party loop of workflows/conversions.json: a generated stream of journeys posted, HMAC-signed, to its
 * published Events Trigger; Run Now (attribute yesterday, compare with what the platforms reported, Slack with a
 * chart); Send to Ad Platforms twice (the rerun must send nothing). Fails when the counts disagree.
 */
export async function conversionsLoop(n8n: N8nHost, sandbox: Sandbox, daily: WorkflowInput, sendBack: WorkflowInput, storeDir: string, secret: string): Promise<void> {
	const stream = generateJourneys({ campaigns: demoCampaigns(sandbox), people: 300, days: JOURNEY_DAYS, now: Date.now(), seed: 22, perPost: 200 });
	say(`  generated ${stream.people} people's journeys over the last ${JOURNEY_DAYS} days across the sandbox's active campaigns: ${plural(stream.impressions, 'impression')}, ${plural(stream.clicks, 'click')} (with gclid, fbclid, li_fat_id or ttclid and UTMs), ${plural(stream.leads, 'lead')}, ${plural(stream.purchases, 'purchase')} (${stream.purchasesWithoutConsent} by people who declined ad consent)`);
	say(`  ${plural(stream.posted, 'event')} in ${plural(stream.posts.length, 'post')}: ${stream.duplicates} of them sent a second time, one malformed`);

	const trigger = (daily.nodes as Array<{ type: string; webhookId?: string }>).find((n) => n.type === 'n8n-nodes-adops.adOpsEventsTrigger');
	if (!trigger?.webhookId) throw new Error(`workflow "${daily.name}" has no AdOps Events Trigger with a webhook id`);
	let done = step(`starting n8n with "${daily.name}" published; posting the events, signed with the AdOps Events credential, to its Events Trigger`);
	const { url } = await n8n.start();
	const hook = `${url}/webhook/${trigger.webhookId}/adops-events`;
	const answers: IngestAnswer[] = [];
	try {
		for (const events of stream.posts) {
			const body = JSON.stringify(events);
			const post = () => fetch(hook, { method: 'POST', headers: { 'content-type': 'application/json', 'x-adops-signature': `sha256=${signBody(secret, body)}` }, body });
			let res = await post();
			// n8n answers 503 before any node runs when its own database check is slow; a post is safe to send again (duplicates are kept once)
			for (let retry = 0; res.status === 503 && retry < 5; retry++) {
				await new Promise((r) => setTimeout(r, 2000));
				res = await post();
			}
			if (res.status !== 200) throw new Error(`the Events Trigger answered HTTP ${res.status} to a post of ${events.length} events: ${(await res.text()).slice(0, 300)}\n${n8n.serverLog(20)}`);
			answers.push((await res.json()) as IngestAnswer);
		}
	} finally {
		await n8n.stop();
	}
	done();
	const sum = (k: 'received' | 'stored' | 'duplicates' | 'quarantined') => answers.reduce((t, a) => t + a[k], 0);
	const reasons = answers.flatMap((a) => a.refused.map((r) => `${r.event_id ?? `event ${r.index}`}: ${r.reason}`));
	say(`  the trigger's answers: ${plural(sum('received'), 'event')} received, ${sum('stored').toLocaleString('en-US')} stored, ${plural(sum('duplicates'), 'duplicate')} kept once, ${sum('quarantined')} quarantined${reasons.length ? ` (${reasons.join('; ')})` : ''}`);
	const store = await openStore({ kind: 'embedded', path: storeDir });
	const stored = (await store.select('marketing_events')).length;
	await store.close();
	say(`  the store holds ${plural(stored, 'event')}`);
	const expected = sum('received') - sum('duplicates') - sum('quarantined');
	if (sum('received') !== stream.posted || stored !== expected || sum('stored') !== expected) {
		throw new Error(`the events do not add up: ${stream.posted} posted, ${sum('received')} received, ${sum('duplicates')} duplicates and ${sum('quarantined')} quarantined leave ${expected}, but the answers say ${sum('stored')} stored and the store holds ${stored}`);
	}
	if (sum('duplicates') !== stream.duplicates || sum('quarantined') !== stream.malformed) {
		throw new Error(`the trigger counted ${sum('duplicates')} duplicates and ${sum('quarantined')} quarantined; the demo sent ${stream.duplicates} duplicates and ${stream.malformed} malformed`);
	}

	let seen = postedCount(sandbox);
	done = step(`running workflow "${daily.name}" (Run Now: attribute yesterday's purchases, compare with what the platforms reported, Slack)`);
	const run = await n8n.execute(daily.id as string);
	done();
	const first = (node: string) => run.runData[node]?.at(-1)?.data?.main?.[0]?.[0]?.json as Record<string, unknown> | undefined;
	const a = first('Attribute Conversions') as { from: string; to: string; models: string[]; events: number; journeys: number; conversions: number; unattributed: number; rowsWritten: number } | undefined;
	if (a) say(`  Attribute Conversions: ${plural(a.conversions, 'purchase')} on ${a.from === a.to ? a.from : `${a.from}…${a.to}`} (${a.unattributed} without a touch in the lookback) from ${plural(a.events, 'event')} in ${plural(a.journeys, 'journey')}; ${plural(a.rowsWritten, 'attribution row')} written for ${a.models.length} models`);
	const c = first('Compare with Platforms') as { model: string; firstParty: number; platforms: unknown[]; slack?: { status: string } } | undefined;
	if (c) say(`  Compare with Platforms (${MODEL_LABELS[c.model as AttributionModel] ?? c.model}): ${c.platforms.length} platforms against ${plural(c.firstParty, 'purchase')} of your own; Slack: ${c.slack?.status.replace(/_/g, ' ') ?? 'not posted'}`);
	const message = sandbox.world.slack.channels.find((ch) => `#${ch.name}` === ALERT_CHANNEL)?.messages.filter((m) => m.viaApi).slice(seen).find((m) => m.files?.length);
	const file = message ? sandbox.world.slack.files?.find((f) => f.id === message.files![0]) : undefined;
	if (file?.bytes) {
		const dir = join(tmpdir(), 'adops-demo-charts');
		await mkdir(dir, { recursive: true });
		const path = join(dir, file.name ?? `${file.id}.png`);
		await writeFile(path, file.bytes);
		say(`  its chart (PNG, ${file.bytes.length.toLocaleString('en-US')} bytes, the file Slack holds): ${path}`);
	}
	printChannel(sandbox, seen);

	for (const label of ['first run', 'rerun'] as const) {
		seen = postedCount(sandbox);
		const receiptsBefore = conversionReceipts(sandbox.world).length;
		done = step(`running "${sendBack.name}" (${label})`);
		const sent = await n8n.execute(sendBack.id as string);
		done();
		const results = (sent.runData['Send to Ad Platforms']?.at(-1)?.data?.main?.[0] ?? []).map((i) => i.json as unknown as TargetResult);
		const received = conversionReceipts(sandbox.world).length - receiptsBefore;
		for (const r of results) say(`  ${PLATFORM_LABELS[r.platform]}: ${r.text}`);
		say(`  the sandbox's conversion endpoints received ${plural(received, 'event')} in this run; Slack ${plural(postedCount(sandbox) - seen, 'message')}`);
		if (results.length !== SEND_BACK_PLATFORMS.length) throw new Error(`Send to Ad Platforms answered for ${results.length} platforms; the demo filled in ${SEND_BACK_PLATFORMS.length} destinations`);
		if (label === 'rerun') {
			const again = results.reduce((t, r) => t + r.accepted + r.rejected + r.failed + r.unknown + r.resent + r.batches, 0);
			if (again !== 0 || received !== 0) throw new Error(`the rerun of Send to Ad Platforms sent again: ${again} events in its answers, ${received} received by the platforms; a rerun must send nothing`);
		} else if (results.some((r) => r.failed + r.unknown + r.held > 0)) {
			throw new Error(`Send to Ad Platforms did not get an answer for every event: ${results.map((r) => `${PLATFORM_LABELS[r.platform]}: ${r.text}`).join(' | ')}`);
		}
	}
}

async function main(): Promise<void> {
	const started = performance.now();
	say('AdOps demo: sandbox + embedded store (PGlite) + real n8n\n');

	let done = step('starting the sandbox (Slack, Meta, LinkedIn, Klaviyo, Notion, OpenAI, Google Ads)');
	const sandbox = await startSandbox({ seed: 1 });
	done();
	say(`  sandbox at ${sandbox.url}`);

	const planted = await plantAnomaly(sandbox);
	const plantWords = planted?.kind === 'tracking_break' ? 'a tracking break' : 'a spend spike';
	const plantEffect = planted?.kind === 'tracking_break' ? 'conversions 0, clicks as usual' : 'spend, impressions, clicks and conversions three times the usual';
	say(planted ? `  planted ${plantWords} on ${planted.date} in Meta campaign ${planted.campaign.name} (${planted.campaign.id}): ${plantEffect}` : '  no active Meta campaign with four weeks of history: the insights step will find nothing planted');

	const work = await mkdtemp(join(tmpdir(), 'adops-demo-'));
	let n8n: N8nHost | undefined;
	try {
		done = step('making sure n8n 2.40.7 is installed (first run: a few minutes)');
		const install = await ensureN8n({ log: () => undefined });
		done();

		done = step('building this package and installing it as a community package');
		const pkg = await buildPackAndInstall({ log: () => undefined });
		done();

		const storeDir = join(work, 'store');
		done = step('loading demo FX rates (EUR, GBP, JPY → USD) and supabase/seed.sql (seed optimization rules) into the embedded store');
		const store = await openStore({ kind: 'embedded', path: storeDir });
		await applySeed((await embeddedExecutor(storeDir))!, defaultSeedFile());
		const rates = [];
		for (let i = 0; i < 45; i++) {
			const day = new Date(Date.now() - i * 86_400_000).toISOString().slice(0, 10);
			for (const [base, rate] of Object.entries(DEMO_RATES)) rates.push({ base, quote: 'USD', rate_date: day, rate, source: 'demo' });
		}
		await store.upsert('fx_rates', rates);
		await store.close(); // PGlite: one process at a time, and n8n is next
		done();

		// a loaded machine can take longer than the harness's 3 minutes for the backfill
		n8n = await createN8nHost({ install, nodesDir: pkg.nodesDir, userFolder: join(work, 'n8n'), timeoutMs: 600_000 });
		done = step('importing credentials and workflows into n8n');
		const credentials = sandboxN8nCredentials(sandbox, { backend: 'embedded', embeddedPath: storeDir });
		await n8n.importCredentials(credentials);
		const [alertDemo, ingest, ingestError, request, approvals, creative, moderation, optimize, insights, conversions] = await Promise.all(
			['alert-demo.json', 'ingest.json', 'ingest-error.json', 'approval-request.json', 'approvals.json', 'creative.json', 'moderation.json', 'optimize.json', 'insights.json', 'conversions.json'].map(loadWorkflow),
		);
		// Detect Anomalies needs 28 days of history per series and the ingest's first backfill is 30 days: the demo's Meta ingest backfills 59
		for (const node of ingest!.nodes as Array<{ name: string; parameters: Record<string, unknown> }>) if (node.name === 'Ingest Meta') node.parameters.initialBackfillDays = 59;
		// insights.json as a user narrows it to the account under watch: the count and money metrics of the last day
		for (const node of insights!.nodes as Array<{ name: string; parameters: Record<string, unknown> }>) {
			if (node.name !== 'Detect Anomalies' || !planted) continue;
			node.parameters.accountId = planted.accountId;
			node.parameters.metrics = ['spend', 'impressions', 'clicks', 'conversions'];
			node.parameters.detectOptions = { lookbackDays: planted.date < addDays(sandbox.world.today, -1) ? 2 : 1 };
		}
		// The demo writes three variants for each of the two campaigns with the most spend.
		for (const node of creative!.nodes as Array<{ name: string; parameters: Record<string, unknown> }>) {
			if (node.name === 'Active Campaigns') node.parameters.limit = 2;
			if (node.name === 'Write Variants') node.parameters.count = 3;
		}
		// The demo's "announce" proposals are executed by a webhook executor: the sandbox's receiver stands in for the service that acts.
		for (const node of approvals.nodes as Array<{ name: string; parameters: Record<string, unknown> }>) {
			if (node.name === 'Execute Approved') node.parameters.webhooks = { executor: [{ kind: 'announce', url: `${sandbox.urls.effects}/announce`, timeout: 30 }] };
		}
		// conversions.json as a user sets it up: the sandbox's destinations filled in (the shipped file leaves them empty, and
		// the node refuses without one); its schedules off, as the demo runs both paths itself (published for its Events
		// Trigger, a schedule would fire during the demo's n8n starts). `n8n execute` runs the workflow's daily path (Run
		// Now), so the send-back runs from a copy of its node behind a manual trigger.
		const conversionNodes = conversions!.nodes as Array<{ name: string; type: string; disabled?: boolean; parameters: Record<string, unknown> }>;
		for (const node of conversionNodes) {
			if (node.type === 'n8n-nodes-base.scheduleTrigger') node.disabled = true;
			if (node.name === 'Send to Ad Platforms') Object.assign(node.parameters, sandboxDestinations(sandbox));
		}
		const sendBack: WorkflowInput = {
			id: 'AdOpsConvSendBack',
			name: `${conversions!.name}: Send to Ad Platforms`,
			nodes: conversionNodes.filter((n) => n.name === 'Manual Trigger (CLI)' || n.name === 'Send to Ad Platforms'),
			connections: { 'Manual Trigger (CLI)': { main: [[{ node: 'Send to Ad Platforms', type: 'main', index: 0 }]] } },
			settings: conversions!.settings,
		};
		await n8n.importWorkflows([alertDemo!, ingestError!, ingest!, request!, approvals!, creative!, moderation!, optimize!, insights!, conversions!, sendBack]);
		await n8n.publishWorkflow(approvals!.id as string);
		await n8n.publishWorkflow(conversions!.id as string);
		done();

		let seen = postedCount(sandbox);
		let before = tally(sandbox);
		done = step(`running workflow "${alertDemo.name}" in n8n`);
		const alertRun = await n8n.execute(alertDemo.id as string);
		done();
		count(sandbox, 'alert-demo', before);
		say(`  ${alertRun.status} in ${(alertRun.ms / 1000).toFixed(1)} s; nodes: ${Object.keys(alertRun.runData).join(' → ')}`);
		printChannel(sandbox, seen);

		for (const label of ['first run: backfill', 'second run: same window again']) {
			seen = postedCount(sandbox);
			before = tally(sandbox);
			done = step(`running workflow "${ingest.name}" (${label})`);
			const run = await n8n.execute(ingest.id as string);
			done();
			count(sandbox, `ingest (${label.split(':')[0]})`, before);
			const outcomes = ['Ingest Google Ads', 'Ingest Meta', 'Ingest LinkedIn', 'Ingest Klaviyo'].flatMap((node) => (run.runData[node]?.at(-1)?.data?.main?.[0] ?? []).map((i) => i.json as unknown as IngestOutcome));
			say(`\n  ${'platform'.padEnd(11)}${'account'.padEnd(16)}${'status'.padEnd(9)}${'window'.padEnd(24)}${'written'.padStart(8)}${'unchanged'.padStart(10)}${'quarantined'.padStart(12)}`);
			for (const o of outcomes) {
				const window = o.window ? `${o.window.start}…${o.window.end}` : '-';
				say(`  ${o.platform.padEnd(11)}${o.accountId.padEnd(16)}${o.status.padEnd(9)}${window.padEnd(24)}${String(o.rowsWritten).padStart(8)}${String(o.rowsUnchanged).padStart(10)}${String(o.rowsQuarantined).padStart(12)}${o.error ? `  ${o.error.message}` : ''}`);
			}
			const quality = run.runData['Data Quality']?.at(-1)?.data?.main?.[0]?.[0]?.json as { score: number; level: string; reportDate: string } | undefined;
			if (quality) say(`  data quality for ${quality.reportDate}: ${quality.score}/100 (${quality.level})`);
			printChannel(sandbox, seen);
		}
		seen = postedCount(sandbox);
		before = tally(sandbox);
		done = step(`running workflow "${creative!.name}" (Run Now: the two campaigns with the most spend)`);
		const creativeRun = await n8n.execute(creative!.id as string);
		done();
		count(sandbox, 'creative', before);
		type Written = { status?: string; slot?: number; verdict?: string | null; reason?: string; runMessage?: string; error?: string; digest?: boolean; variants?: Written[] };
		// a campaign's batch lists its variants under `variants`; the held-back digest is not a variant
		const written = [0, 1]
			.flatMap((output) => (creativeRun.runData['Write Variants']?.at(-1)?.data?.main?.[output] ?? []).map((i) => i.json as Written))
			.flatMap((w) => (Array.isArray(w.variants) ? w.variants.map((v) => ({ ...v, runMessage: w.runMessage })) : w.digest ? [] : [w]));
		if (written[0]?.runMessage) say(`  ${written[0].runMessage}`);
		for (const v of written) say(`  variant ${String(v.slot ?? '-').padEnd(3)} ${String(v.status ?? 'error').padEnd(18)} ${v.verdict ?? '-'}  ${String(v.reason ?? v.error ?? '').slice(0, 100)}`);
		printChannel(sandbox, seen);

		seen = postedCount(sandbox);
		before = tally(sandbox);
		done = step(`running workflow "${moderation!.name}" (Run Now, dry run: nothing is hidden or posted)`);
		const moderationRun = await n8n.execute(moderation!.id as string);
		done();
		count(sandbox, 'moderation (dry run)', before);
		const comments = (moderationRun.runData['Moderate']?.at(-1)?.data?.main?.[0] ?? []).map((i) => i.json as { text?: string; classification?: { intent: string; confidence: number }; actions?: Array<{ type: string; status: string }> }).filter((c) => c.classification);
		const byIntent = new Map<string, number>();
		for (const c of comments) byIntent.set(c.classification!.intent, (byIntent.get(c.classification!.intent) ?? 0) + 1);
		say(`  ${comments.length} comments classified: ${[...byIntent].map(([k, v]) => `${k} ${v}`).join(', ')}`);
		for (const c of comments.filter((x) => x.actions?.length).slice(0, 6)) say(`  "${(c.text ?? '').slice(0, 60)}" → ${c.actions!.map((a) => `${a.type} (${a.status})`).join(', ')}`);
		printChannel(sandbox, seen);

		seen = postedCount(sandbox);
		before = tally(sandbox);
		done = step(`running workflow "${optimize!.name}" (Run Now, dry run: the seed rules over the ingested performance; nothing changes)`);
		const optimizeRun = await n8n.execute(optimize!.id as string);
		done();
		count(sandbox, 'optimize (dry run, first)', before);
		const decisions = [0, 1, 2].flatMap((output) => (optimizeRun.runData['Optimizer']?.at(-1)?.data?.main?.[output] ?? []).map((i) => i.json as { outcome: string; text?: string; summary?: Record<string, number>; warnings?: string[] }));
		const summary = decisions.find((d) => d.outcome === 'summary');
		if (summary?.summary) say(`  ${Object.entries(summary.summary).filter(([, v]) => typeof v === 'number' && v > 0).map(([k, v]) => `${k} ${v}`).join(', ')}`);
		for (const w of summary?.warnings?.slice(0, 3) ?? []) say(`  warning: ${w}`);
		for (const d of decisions.filter((x) => x.text).slice(0, 8)) say(`  ${d.text!.slice(0, 180)}`);
		printChannel(sandbox, seen);

		// The optimizer runs hourly: a second run of the same day must not announce the same dry-run decisions again.
		seen = postedCount(sandbox);
		before = tally(sandbox);
		done = step(`running workflow "${optimize!.name}" again (the next hourly run of the same day)`);
		await n8n.execute(optimize!.id as string);
		done();
		count(sandbox, 'optimize (dry run, next hour)', before);
		printChannel(sandbox, seen);

		seen = postedCount(sandbox);
		before = tally(sandbox);
		done = step(`running workflow "${insights!.name}" (Run Now: anomalies of the planted account, pacing of the month's plans)`);
		const insightsRun = await n8n.execute(insights!.id as string);
		done();
		count(sandbox, 'insights', before);
		await showInsights(sandbox, insightsRun.runData, seen);

		before = tally(sandbox);
		await approvalLoop(n8n, sandbox, request!);
		count(sandbox, 'approval loop', before);

		const conversionsStarted = performance.now();
		before = tally(sandbox);
		say(`\n• conversions: a stream of journeys into "${conversions!.name}", attributed, compared and sent back to the platforms`);
		const secret = (credentials.find((c) => c.type === 'adOpsEventsApi')?.data as { secret?: string } | undefined)?.secret;
		if (!secret) throw new Error('the sandbox credentials have no AdOps Events secret');
		await conversionsLoop(n8n, sandbox, conversions!, sendBack, storeDir, secret);
		count(sandbox, 'conversions', before);
		say(`  the conversions step took ${((performance.now() - conversionsStarted) / 1000).toFixed(1)} s`);
		printCounts();
		say(`\nDemo finished in ${((performance.now() - started) / 1000).toFixed(1)} s.`);
	} finally {
		await n8n?.dispose().catch(() => undefined);
		await sandbox.close();
		await rm(work, { recursive: true, force: true });
	}
}

if (require.main === module) main().catch((error: unknown) => {
	process.stderr.write(`\nDemo failed: ${error instanceof Error ? error.message : String(error)}\n`);
	process.exit(1);
});

// workflows/conversions.json run in-process by n8n-core (test/engine/harness.ts) against the store (PGlite,
// or PostgreSQL with DATABASE_URL) and the sandbox's Slack. Events reach the store through the events
// trigger's own core (ingestEvents, what AdOps Events Trigger calls per post); the platforms' own counts are
// yesterday's campaign_performance rows, as the daily ingest stores them. The daily branch (Run Now) attributes
// yesterday and posts one Slack message comparing both per platform, with its PNG chart; a rerun posts nothing.
// Without the Slack credential, Compare with Platforms hands its alert to AdOps Alert instead. The 15-minute
// branch (its destination filled in) sends each consented purchase to Meta once. Slack's lost or refused
// completeUploadExternal answer leaves the post unknown; the next run reads the channel before posting again.
import { test, describe, beforeAll, afterAll, expect } from 'vitest';
import { ingestEvents } from '../../nodes/shared/events/ingest';
import { conversionReceipts } from '../../scripts/sandbox/platforms/conversions';
import type { RowInput } from '../../nodes/shared/schema/rows';
import { readWorkflow, startEngine, type Engine } from './harness';
import { json } from './expect';
import { withStore } from './world';

const DAY_MS = 86_400_000;
const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

describe('workflows/conversions.json on n8n-core', () => {
	let engine: Engine;
	// the workflow compares yesterday (UTC) by default, as its daily schedule does
	const YESTERDAY = day(Date.now() - DAY_MS);
	const BEFORE = day(Date.now() - 3 * DAY_MS);
	const at = (d: string, hhmm: string) => `${d}T${hhmm}:00Z`;

	beforeAll(async () => {
		engine = await startEngine({ seed: 23 });
		// what the platforms reported for yesterday: Meta 12 in two campaigns, Google Ads 5
		const perf = (platform: string, campaign: string, conversions: number) =>
			({ date: YESTERDAY, platform, account_id: `${platform}-acc`, campaign_id: campaign, campaign_name: campaign, currency: 'EUR', spend: 100, impressions: 10_000, clicks: 200, conversions, revenue: conversions * 40 }) as RowInput<'campaign_performance'>;
		await withStore(engine, (store) => store.upsert('campaign_performance', [perf('meta', 'm1', 7), perf('meta', 'm2', 5), perf('google_ads', 'g1', 5)]));
		// your own events: three buyers touched by Meta only, one by Google Ads only, one Google click without a purchase, one buyer without any touch
		const events = [
			...['A', 'B', 'C'].flatMap((u, i) => [
				{ event_id: `${u}-click`, type: 'click', time: at(BEFORE, `0${i}:00`), user: { id: u }, click_ids: { fbclid: `fb${u}` }, campaign_id: 'm1' },
				{ event_id: `${u}-buy`, type: 'purchase', time: at(YESTERDAY, `1${i}:00`), user: { id: u }, value: 40, currency: 'EUR' },
			]),
			{ event_id: 'D-click', type: 'click', time: at(BEFORE, '05:00'), user: { id: 'D' }, click_ids: { gclid: 'gD' }, campaign_id: 'g1' },
			{ event_id: 'D-buy', type: 'purchase', time: at(YESTERDAY, '15:00'), user: { id: 'D' }, value: 40, currency: 'EUR' },
			{ event_id: 'E-click', type: 'click', time: at(BEFORE, '06:00'), user: { id: 'E' }, click_ids: { gclid: 'gE' }, campaign_id: 'g1' },
			{ event_id: 'F-buy', type: 'purchase', time: at(YESTERDAY, '16:00'), user: { id: 'F' }, value: 40, currency: 'EUR' },
		];
		const answer = await withStore(engine, (store) => ingestEvents(store, { events }, { source: 'web' }));
		expect(answer).toMatchObject({ stored: events.length, quarantined: 0 });
	}, 240_000);
	afterAll(async () => {
		await engine?.close();
	});

	test("the daily branch (Run Now): yesterday attributed, one Slack message with the comparison in words and its PNG chart; a rerun posts nothing", async () => {
		const channel = engine.sandbox.world.slack.channels.find((c) => c.id === 'C0ADOPSALR')!; // the credential's default, #adops-alerts
		const before = channel.messages.length;
		const run = await engine.run('conversions.json');
		expect(run.status, JSON.stringify(run.error)).toBe('success');
		expect(run.ran('Send to Ad Platforms')).toBe(false);
		expect(json(run.items('Attribute Conversions'))[0]).toMatchObject({ outcome: 'attribution', from: YESTERDAY, to: YESTERDAY, conversions: 5, unattributed: 1 });
		const [c] = json(run.items('Compare with Platforms'));
		expect(c).toMatchObject({ outcome: 'conversionsSummary', from: YESTERDAY, to: YESTERDAY, model: 'markov', firstParty: 5, alert: null, slack: { status: 'posted', channel: 'C0ADOPSALR' } });
		const platforms = c!.platforms as Array<{ platform: string; reported: number; attributed: number; differencePct: number }>;
		expect(platforms.map((p) => [p.platform, p.reported, p.attributed, p.differencePct])).toEqual([
			['google_ads', 5, 1, -80],
			['meta', 12, 3, -75],
		]);
		const added = channel.messages.slice(before);
		expect(added).toHaveLength(1);
		expect(added[0]!.text).toContain(`Meta reported 12 conversions on ${YESTERDAY}; your own events credit Meta with 3 (Markov chain), 75 % fewer.`);
		expect(added[0]!.text).toContain(`Google Ads reported 5 conversions on ${YESTERDAY}; your own events credit Google Ads with 1 (Markov chain), 80 % fewer.`);
		expect(added[0]!.text).toContain(`Your own events hold 5 conversions on ${YESTERDAY}; Markov chain credits 4 of them to a touch.`);
		expect(added[0]!.files).toHaveLength(1);
		const file = engine.sandbox.world.slack.files!.find((f) => f.id === added[0]!.files![0])!;
		expect(Buffer.from(file.bytes!.subarray(0, 8))).toEqual(PNG);
		expect(Object.keys(run.items('Compare with Platforms')[0]!.binary ?? {})).toEqual(['chart']);

		const again = await engine.run('conversions.json');
		expect(again.status, JSON.stringify(again.error)).toBe('success');
		expect(json(again.items('Compare with Platforms'))[0]).toMatchObject({ slack: { status: 'already_posted' } });
		expect(channel.messages.length).toBe(before + 1);
	}, 240_000);

	test('without the Slack credential the comparison goes out as the item\'s alert (for AdOps Alert) with the chart; nothing is posted', async () => {
		const channel = engine.sandbox.world.slack.channels.find((c) => c.id === 'C0ADOPSALR')!;
		const before = channel.messages.length;
		const wf = readWorkflow('conversions.json');
		const compare = wf.nodes.find((n) => n.name === 'Compare with Platforms')!;
		delete (compare.credentials as Record<string, unknown>).adOpsSlackApi;
		compare.parameters.summaryModel = 'last_click';
		const run = await engine.run(wf);
		expect(run.status, JSON.stringify(run.error)).toBe('success');
		const [c] = json(run.items('Compare with Platforms'));
		expect(c).toMatchObject({ model: 'last_click', alert: { kind: 'summary', title: `Conversions on ${YESTERDAY}: platforms vs your own events` } });
		expect((c!.alert as { message: string }).message).toContain(`Meta reported 12 conversions on ${YESTERDAY}; your own events credit Meta with 3 (Last click), 75 % fewer.`);
		expect(c!.slack).toBeUndefined();
		expect(run.items('Compare with Platforms')[0]!.binary?.chart?.mimeType).toBe('image/png');
		expect(channel.messages.length).toBe(before);
	}, 240_000);

	test('the 15-minute branch with a Meta pixel filled in: each consented purchase reaches Meta once, a rerun sends nothing; the daily branch does not run', async () => {
		const ago = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();
		const consent = { ad_storage: true, ad_user_data: true };
		const events = [
			{ event_id: 'q-1', type: 'purchase', time: ago(30), click_ids: { fbclid: 'fbQ1' }, value: 10, currency: 'EUR', consent },
			{ event_id: 'q-2', type: 'purchase', time: ago(20), user: { email: 'q2@example.com' }, value: 20, currency: 'EUR', consent },
		];
		expect(await withStore(engine, (store) => ingestEvents(store, { events }, { source: 'web' }))).toMatchObject({ stored: 2 });
		const PIXEL = '998877665';
		const wf = readWorkflow('conversions.json');
		wf.nodes.find((n) => n.name === 'Send to Ad Platforms')!.parameters.metaDestination = PIXEL;
		const sent = () => conversionReceipts(engine.sandbox.world, 'meta').filter((r) => r.destination === PIXEL);
		const run = await engine.run(wf, { start: 'Every 15 Minutes' });
		expect(run.status, JSON.stringify(run.error)).toBe('success');
		expect(run.ran('Attribute Conversions')).toBe(false);
		expect(json(run.items('Send to Ad Platforms'))[0]).toMatchObject({ outcome: 'sendBack', platform: 'meta', destination: PIXEL, accepted: 2, failed: 0, unknown: 0 });
		expect(sent().map((r) => r.eventId).sort()).toEqual(['q-1', 'q-2']);
		const again = await engine.run(wf, { start: 'Every 15 Minutes' });
		expect(json(again.items('Send to Ad Platforms'))[0]).toMatchObject({ platform: 'meta', accepted: 0 });
		expect(sent()).toHaveLength(2);
	}, 240_000);

	test("Slack's answer lost after the file was shared: unknown; the next run finds it in the channel and posts nothing. Refused before: the next run posts it once", async () => {
		const channel = engine.sandbox.world.slack.channels.find((c) => c.id === 'C0ADOPSALR')!;
		const withModel = (model: string) => {
			const wf = readWorkflow('conversions.json');
			wf.nodes.find((n) => n.name === 'Compare with Platforms')!.parameters.summaryModel = model;
			return wf;
		};
		const slackOf = async (wf: ReturnType<typeof withModel>) => {
			const run = await engine.run(wf);
			expect(run.status, JSON.stringify(run.error)).toBe('success');
			return json(run.items('Compare with Platforms'))[0]!.slack as { status: string; ledger?: string };
		};
		// lost: shared in the channel, the answer never came back
		const before = channel.messages.length;
		engine.sandbox.injectFault({ route: 'slack.completeUploadExternal', kind: '5xx', status: 502, afterEffect: true });
		try {
			expect(await slackOf(withModel('first_click'))).toMatchObject({ status: 'unknown' });
		} finally {
			engine.sandbox.clearFaults();
		}
		expect(channel.messages.length).toBe(before + 1);
		expect(await slackOf(withModel('first_click'))).toMatchObject({ status: 'already_posted', ledger: 'succeeded' });
		expect(await slackOf(withModel('first_click'))).toMatchObject({ status: 'already_posted', ledger: 'succeeded' });
		expect(channel.messages.length).toBe(before + 1);
		// refused before the effect (503): nothing in the channel; the next run reads it, does not find it, posts once
		engine.sandbox.injectFault({ route: 'slack.completeUploadExternal', kind: '5xx', status: 503 });
		try {
			expect(await slackOf(withModel('linear'))).toMatchObject({ status: 'unknown' });
		} finally {
			engine.sandbox.clearFaults();
		}
		expect(channel.messages.length).toBe(before + 1);
		expect(await slackOf(withModel('linear'))).toMatchObject({ status: 'posted' });
		expect(channel.messages.length).toBe(before + 2);
		expect(channel.messages.at(-1)!.text).toContain('(Linear)');
		expect(await slackOf(withModel('linear'))).toMatchObject({ status: 'already_posted' });
		expect(channel.messages.length).toBe(before + 2);
	}, 300_000);
});

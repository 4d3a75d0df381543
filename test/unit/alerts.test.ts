import { test, describe } from 'vitest';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { renderAlert, SLACK_LIMITS, escapeMrkdwn, type Alert, type Block } from '../../nodes/shared/alerts/message';
import { textsOf } from '../helpers/blocks';
import { postAlert, describeSlackError, type SlackPoster, type ThreadRegistry } from '../../nodes/shared/alerts/post';
import { truncateVisibly, graphemeLength } from '../../nodes/shared/text/graphemes';
import { ingestSummaryAlert, isIngestOutcome } from '../../nodes/shared/ingest/alert';


function assertWithinLimits(blocks: Block[], text: string) {
	assert.ok(blocks.length <= SLACK_LIMITS.blocksPerMessage, `${blocks.length} blocks`);
	assert.ok(text.length <= SLACK_LIMITS.fallbackText, `fallback text ${text.length}`);
	for (const b of blocks) {
		if (b.type === 'header') assert.ok(b.text.text.length <= SLACK_LIMITS.headerText, `header ${b.text.text.length}`);
		if (b.type === 'section') {
			if (b.text) assert.ok(b.text.text.length <= SLACK_LIMITS.sectionText, `section ${b.text.text.length}`);
			assert.ok((b.fields ?? []).length <= SLACK_LIMITS.fieldsPerSection);
			for (const f of b.fields ?? []) assert.ok(f.text.length <= SLACK_LIMITS.fieldText, `field ${f.text.length}`);
		}
		if (b.type === 'context') for (const e of b.elements) assert.ok(e.text.length <= SLACK_LIMITS.contextText);
	}
}

describe('truncateVisibly', () => {
	test('leaves short text alone', () => {
		assert.deepEqual(truncateVisibly('hello', 10), { text: 'hello', truncated: false, omitted: 0 });
	});
	test('cuts to the limit and says how much is missing', () => {
		const t = truncateVisibly('a'.repeat(100), 50);
		assert.equal(t.truncated, true);
		assert.ok(t.text.length <= 50);
		assert.match(t.text, /truncated: \d+ more characters/);
		const kept = t.text.indexOf(' …');
		assert.equal(t.omitted, 100 - kept);
	});
	test('never splits an emoji or a flag', () => {
		const text = '👍🏽'.repeat(40) + '🇩🇪'.repeat(40);
		for (let max = 36; max < 200; max += 7) {
			const t = truncateVisibly(text, max);
			assert.ok(t.text.length <= max);
			// Every kept grapheme is whole: re-encoding round-trips without lone surrogates.
			assert.doesNotMatch(t.text, /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/);
			const kept = t.text.replace(/ …\[truncated: \d+ more characters\]$/, '');
			assert.equal(graphemeLength(kept) + t.omitted, graphemeLength(text));
		}
	});
});

describe('renderAlert', () => {
	test('a summary with fields, items, link and footer', () => {
		const m = renderAlert({
			kind: 'summary',
			title: 'Daily ingest',
			message: 'All platforms loaded.',
			fields: [
				{ label: 'Meta', value: '120 rows' },
				{ label: 'LinkedIn', value: '48 rows' },
			],
			items: ['meta act_1: 60 rows', 'meta act_2: 60 rows'],
			link: { url: 'https://example.com/run/1', text: 'Open run' },
			footer: 'workflow ingest · run 1',
		});
		assert.equal(m.truncated, false);
		assert.deepEqual(
			m.blocks.map((b) => b.type),
			['header', 'section', 'section', 'section', 'actions', 'context'],
		);
		assert.equal((m.blocks[0] as { text: { text: string } }).text.text, 'Summary: Daily ingest');
		assert.match(m.text, /^Summary: Daily ingest\nAll platforms loaded\./);
	});

	test('data in fields and items is escaped, so it cannot mention or link', () => {
		const m = renderAlert({ kind: 'info', title: 't', items: ['<!channel> <https://evil|click>'], fields: [{ label: 'a&b', value: '<@U1>' }] });
		const all = m.blocks.flatMap(textsOf).join('\n');
		assert.ok(!all.includes('<!channel>'));
		assert.ok(!all.includes('<@U1>'));
		assert.ok(all.includes(escapeMrkdwn('<!channel>')));
		assert.ok(all.includes('a&amp;b'));
	});

	test('mentions become Slack markup and unknown ones are refused', () => {
		const here = renderAlert({ kind: 'failure', title: 't', mention: '@here' });
		assert.match(textsOf(here.blocks[1]).join(''), /^<!here>/);
		assert.match(textsOf(renderAlert({ kind: 'failure', title: 't', mention: 'S0123ABC' }).blocks[1]).join(''), /^<!subteam\^S0123ABC>/);
		assert.throws(() => renderAlert({ kind: 'failure', title: 't', mention: 'everyone please' }), /Unknown mention/);
	});

	test('rejects an alert with no title', () => {
		assert.throws(() => renderAlert({ kind: 'info', title: '  ' }), /title/);
	});

	test('a long title and message are cut visibly', () => {
		const m = renderAlert({ kind: 'info', title: 'T'.repeat(400), message: 'M'.repeat(10_000) });
		assert.equal(m.truncated, true);
		assertWithinLimits(m.blocks, m.text);
		assert.match(textsOf(m.blocks[0])[0], /truncated/);
		assert.match(textsOf(m.blocks[1])[0], /truncated: \d+ more characters/);
	});

	test('thousands of items: fills the message, then says how many are not shown', () => {
		const items = Array.from({ length: 5000 }, (_, i) => `account ${i}: failed with a long explanation ${'x'.repeat(40)}`);
		const m = renderAlert({ kind: 'failure', title: 'Ingest failures', items, footer: 'f', link: { url: 'https://example.com', text: 'x' } });
		assertWithinLimits(m.blocks, m.text);
		assert.equal(m.blocks.length, SLACK_LIMITS.blocksPerMessage);
		const shown = m.blocks.flatMap(textsOf).join('\n').split('\n').filter((l) => l.startsWith('• ')).length;
		const notice = m.blocks.flatMap(textsOf).find((t) => t.includes('not shown'))!;
		const missing = Number(/(\d+) more items/.exec(notice)![1]);
		assert.equal(shown + missing, items.length);
		assert.equal(m.truncated, true);
	});

	test('property: any alert renders within every Slack limit, and anything cut is announced', () => {
		const str = fc.string({ unit: fc.constantFrom('a', 'é', '👍🏽', '🇩🇪', ' ', '*', '<', '\n'), maxLength: 4000 });
		const alertArb = fc.record({
			kind: fc.constantFrom('info', 'action', 'failure', 'summary'),
			title: str.filter((s) => s.trim().length > 0),
			message: fc.option(str, { nil: undefined }),
			fields: fc.option(fc.array(fc.record({ label: fc.string({ minLength: 1, maxLength: 3000 }), value: str }), { maxLength: 600 }), { nil: undefined }),
			items: fc.option(fc.array(str, { maxLength: 300 }), { nil: undefined }),
			footer: fc.option(str, { nil: undefined }),
		}) as fc.Arbitrary<Alert>;
		fc.assert(
			fc.property(alertArb, (alert) => {
				const m = renderAlert(alert);
				assertWithinLimits(m.blocks, m.text);
				const texts = m.blocks.flatMap(textsOf);
				const itemsShown = texts.join('\n').split('\n').filter((l) => l.startsWith('• ')).length;
				const fieldsShown = m.blocks.reduce((n, b) => n + (b.type === 'section' ? (b.fields?.length ?? 0) : 0), 0);
				const notice = texts.find((t) => t.includes('not shown')) ?? '';
				const missingItems = Number(/(\d+) more items/.exec(notice)?.[1] ?? 0);
				const missingFields = Number(/(\d+) more fields/.exec(notice)?.[1] ?? 0);
				// Nothing disappears without a count.
				assert.equal(itemsShown + missingItems, alert.items?.length ?? 0);
				assert.equal(fieldsShown + missingFields, alert.fields?.length ?? 0);
				// The flag is set exactly when something visible says a cut happened.
				assert.equal(m.truncated, texts.some((t) => /truncated: \d+ more characters|not shown/.test(t)) || m.text.includes('more characters]'));
			}),
			{ numRuns: 60 },
		);
	});
});

function fakeSlack(): SlackPoster & { calls: Array<Record<string, unknown>> } {
	const calls: Array<Record<string, unknown>> = [];
	let n = 0;
	return {
		calls,
		chat: {
			async postMessage(args) {
				calls.push(args);
				n++;
				return { ok: true, channel: 'C1', ts: `1700000000.00000${n}` };
			},
		},
	};
}

function memoryThreads(): ThreadRegistry {
	const m = new Map<string, string>();
	return {
		async find(channel, key) {
			return m.get(`${channel}|${key}`);
		},
		async remember(channel, key, ts) {
			m.set(`${channel}|${key}`, ts);
		},
	};
}

describe('postAlert', () => {
	test('the first alert of a thread key starts the thread, later ones reply in it', async () => {
		const slack = fakeSlack();
		const threads = memoryThreads();
		const first = await postAlert(slack, { kind: 'action', title: 'Budget raised' }, { channel: '#ops', threadKey: 'proposal-1', threads });
		const second = await postAlert(slack, { kind: 'info', title: 'Executed' }, { channel: '#ops', threadKey: 'proposal-1', threads });
		const other = await postAlert(slack, { kind: 'info', title: 'Other' }, { channel: '#ops', threadKey: 'proposal-2', threads });
		assert.equal(first.threadTs, undefined);
		assert.equal(slack.calls[0].thread_ts, undefined);
		assert.equal(slack.calls[1].thread_ts, first.ts);
		assert.equal(second.threadTs, first.ts);
		assert.equal(slack.calls[2].thread_ts, undefined);
		assert.equal(other.threadKey, 'proposal-2');
	});

	test('a thread key without a registry, and a missing channel, are clear errors', async () => {
		await assert.rejects(postAlert(fakeSlack(), { kind: 'info', title: 'x' }, { channel: '#ops', threadKey: 'k' }), /AdOps Store credential/);
		await assert.rejects(postAlert(fakeSlack(), { kind: 'info', title: 'x' }, { channel: ' ' }), /No Slack channel/);
	});

	test('Slack platform errors become one sentence with the channel and what to do', () => {
		const e = describeSlackError({ code: 'slack_webapi_platform_error', data: { ok: false, error: 'channel_not_found' } }, 'chat.postMessage', '#nope');
		assert.equal(e.slackError, 'channel_not_found');
		assert.match(e.message, /#nope.*channel_not_found.*invite the bot/);
		const r = describeSlackError({ code: 'slack_webapi_request_error', original: new Error('connect ECONNREFUSED 127.0.0.1:9') }, 'chat.postMessage', '#x');
		assert.match(r.message, /could not reach.*ECONNREFUSED.*API URL/);
	});
});

describe('ingest summary', () => {
	const outcome = {
		platform: 'meta',
		accountId: 'act_1',
		status: 'partial',
		runId: null,
		window: { start: '2025-06-01', end: '2025-06-02', mode: 'incremental' },
		timezone: 'UTC',
		rowsFetched: 12,
		rowsWritten: 10,
		rowsUnchanged: 1,
		rowsQuarantined: 1,
		quarantineRecordsAdded: 1,
		rowsFlagged: 0,
		duplicatesCollapsed: 0,
		quarantineReasons: ['spend: must be a number'],
		warnings: [],
		fetch: null,
	};

	test('isIngestOutcome takes an outcome, and lets other items and outcomes missing what the summary reads pass by', () => {
		assert.equal(isIngestOutcome(outcome), true);
		assert.equal(isIngestOutcome({ hello: 'world' }), false);
		assert.equal(isIngestOutcome({ ...outcome, platform: 'myspace' }), false, 'unknown platform');
		const { rowsWritten: _w, ...noCounts } = outcome;
		assert.equal(isIngestOutcome(noCounts), false, 'no rowsWritten');
		assert.equal(isIngestOutcome({ ...outcome, quarantineReasons: undefined }), false, 'no quarantineReasons');
	});

	test('the summary of accepted outcomes has real numbers and platform names', () => {
		const alert = ingestSummaryAlert(([outcome] as unknown[]).filter(isIngestOutcome));
		const text = JSON.stringify(alert);
		assert.doesNotMatch(text, /NaN|undefined/);
		assert.match(alert.message ?? '', /\*10\* rows written, \*1\* unchanged, \*1\* quarantined across 1 account/);
		assert.ok(alert.items?.some((i) => /^QUARANTINED Meta act_1: 1 row\(s\), e\.g\. spend: must be a number/.test(String(i))));
	});
});

// The events trigger's body shapes and quarantine hash (nodes/shared/events/ingest.ts, input.ts), no store.
import assert from 'node:assert/strict';
import { test } from 'vitest';
import { contentHash, EventsBodyError, eventsOfBody, MAX_EVENTS_PER_POST, prepareBatch } from '../../nodes/shared/events';

const NOW = new Date('2025-06-17T12:00:00Z');
const ev = (id: string) => ({ event_id: id, type: 'lead', time: '2025-06-17T10:00:00Z' });

test('a body is one event, a list, or {"events": [...]}; anything else is refused whole with the shape expected', () => {
	assert.deepEqual(eventsOfBody(ev('a')), [ev('a')]);
	assert.deepEqual(eventsOfBody([ev('a'), ev('b')]), [ev('a'), ev('b')]);
	assert.deepEqual(eventsOfBody({ events: [ev('a')] }), [ev('a')]);
	const refused = (body: unknown) => {
		assert.throws(() => eventsOfBody(body), EventsBodyError);
		try {
			eventsOfBody(body);
		} catch (e) {
			return (e as Error).message;
		}
		return '';
	};
	// a wrapper whose events are not a list was taken as one event without an id before
	assert.equal(refused({ events: 'x' }), '"events" must be a list of events, not string.');
	assert.equal(refused({ events: { event_id: 'a' } }), '"events" must be a list of events, not object.');
	assert.equal(refused({ events: null }), '"events" must be a list of events, not null.');
	assert.match(refused(5), /must be a JSON event, a list of events/);
	assert.match(refused('text'), /must be a JSON event, a list of events/);
	assert.match(refused([]), /holds no events/);
	assert.match(refused({ events: [] }), /holds no events/);
	assert.equal(refused(Array.from({ length: MAX_EVENTS_PER_POST + 1 }, (_, i) => ev(`e${i}`))), `A post holds at most ${MAX_EVENTS_PER_POST} events; this one has ${MAX_EVENTS_PER_POST + 1}. Split it.`);
});

test('non-object list items, deeply nested and out-of-range events are quarantined one by one, never thrown', () => {
	const deep = JSON.parse(`{"event_id":"d1","nested":${'['.repeat(50_000)}${']'.repeat(50_000)}}`) as unknown;
	const batch = prepareBatch([null, 7, 'x', [], deep, { ...ev('t'), time: 1e20 }, ev('ok')], { source: 's', now: () => NOW });
	assert.deepEqual(
		batch.rows.map((r) => r.event_id),
		['ok'],
	);
	assert.deepEqual(
		batch.refused.map((r) => [r.index, r.reason]),
		[
			[0, 'event must be object, not null'],
			[1, 'event must be object, not number'],
			[2, 'event must be object, not string'],
			[3, 'event must be object, not array'],
			[4, 'type is missing; time must be an ISO-8601 timestamp with a time zone, or epoch seconds or milliseconds'],
			[5, 'time is beyond the dates a timestamp can hold'],
		],
	);
	assert.equal(batch.quarantine.length, 6);
});

test('the quarantine hash ignores key order, tells contents apart, and takes any nesting', () => {
	assert.equal(contentHash({ a: 1, b: { c: 2, d: [1, 2] } }), contentHash({ b: { d: [1, 2], c: 2 }, a: 1 }));
	assert.notEqual(contentHash({ a: 1, b: { c: 2, d: [1, 2] } }), contentHash({ a: 1, b: { c: 2, d: [2, 1] } }));
	assert.match(contentHash(JSON.parse(`[${'['.repeat(100_000)}${']'.repeat(100_000)}]`)), /^[0-9a-f]{64}$/);
	// the same bad event twice in one post is one quarantine row, both counted as refused
	const bad = { event_id: 'b', type: 'refund', time: '2025-06-17T10:00:00Z' };
	const batch = prepareBatch([bad, { ...bad }], { source: 's', now: () => NOW });
	assert.equal(batch.refused.length, 2);
	assert.equal(batch.quarantine.length, 1);
});

/**
 * Attribution over stored events (issue 22): 1,000,000 events of about
 * 80,000 people (impressions and clicks on four platforms and e-mail, purchases;
 * identities joined through hashed user ids, e-mail digests and click ids).
 *
 *   stitched   people by union-find over every identifier, one sort by person
 *              and time, one sweep into journeys (30-day lookback), then all
 *              seven models into rows per model, day, platform, campaign
 *              (nodes/shared/attribution/stitch.ts);
 *   naive      per conversion, what a per-journey query without an index does:
 *              scan every event for ones sharing the conversion's identifiers
 *              (repeated until no new identifier turns up), keep the touches in
 *              the window after the previous conversion, then the rule models on
 *              that journey. Measured on a sample of conversions (BENCH_SAMPLE)
 *              and extrapolated to all of them; the sample's journeys are checked
 *              to hold the same touches as the stitched ones.
 * Generating the events is setup, not measured.
 *
 *   nice -n 10 node --import tsx test/bench/attribution.bench.ts
 * Options (env): BENCH_EVENTS (1000000), BENCH_SAMPLE (20: each naive journey scans all events several times).
 */
import { loadavg, availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import { attributedRows, stitchJourneys, touchOf, type StoredEvent } from '../../nodes/shared/attribution/stitch';
import { RULE_MODELS, touchWeights } from '../../nodes/shared/attribution';
import { sha256 } from '../../nodes/shared/events/identity';
import { Rng } from '../../scripts/sandbox/rng';

const N = Number(process.env.BENCH_EVENTS ?? 1_000_000);
const SAMPLE = Number(process.env.BENCH_SAMPLE ?? 20);
const DAY = 86_400_000;
const T0 = Date.UTC(2025, 3, 1);
const LOOKBACK = 30;

function generate(n: number): StoredEvent[] {
	const rng = new Rng(2025);
	const people = Math.round(n / 12.5);
	const ids = Array.from({ length: people }, (_, p) => ({ x: sha256(`user-${p}`), e: sha256(`p${p}@example.com`) }));
	const events: StoredEvent[] = [];
	const platforms = ['meta', 'google_ads', 'linkedin', 'tiktok'] as const;
	const clickField = { meta: 'fbclid', google_ads: 'gclid', linkedin: 'li_fat_id', tiktok: 'ttclid' } as const;
	let k = 0;
	while (events.length < n) {
		const p = Math.floor(rng.next() * people);
		const u = ids[p];
		const day = Math.floor(rng.next() * 90);
		const r = rng.next();
		const base: StoredEvent = {
			event_id: `e${k++}`, event_type: 'impression', event_time: T0 + day * DAY + Math.floor(rng.next() * DAY), value: null, currency: null,
			platform: null, campaign_id: null, external_id_sha256: null, email_sha256: null, phone_sha256: null,
			gclid: null, fbclid: null, li_fat_id: null, ttclid: null, utm_source: null, utm_medium: null, utm_campaign: null,
		};
		const platform = platforms[Math.floor(rng.next() * 4)];
		if (r < 0.55) events.push({ ...base, event_type: 'impression', platform, campaign_id: `${platform}-c${Math.floor(rng.next() * 20)}`, external_id_sha256: u.x });
		else if (r < 0.85) {
			// a click: known by its click id, and by the user id half of the time
			events.push({ ...base, event_type: 'click', platform, campaign_id: `${platform}-c${Math.floor(rng.next() * 20)}`, [clickField[platform]]: `ck${k}`, external_id_sha256: rng.next() < 0.5 ? u.x : null });
			if (rng.next() < 0.3) events.push({ ...base, event_id: `e${k++}`, event_type: 'lead', event_time: (base.event_time as number) + 60_000, [clickField[platform]]: `ck${k - 1}`, email_sha256: u.e });
		} else if (r < 0.93) events.push({ ...base, event_type: 'click', utm_source: 'newsletter', utm_medium: 'email', utm_campaign: `nl-${day % 12}`, email_sha256: u.e });
		else events.push({ ...base, event_type: 'purchase', value: Math.round(rng.next() * 20000) / 100, currency: 'EUR', email_sha256: u.e, external_id_sha256: rng.next() < 0.7 ? u.x : null });
	}
	return events.slice(0, n);
}

const ID_FIELDS = ['external_id_sha256', 'email_sha256', 'phone_sha256', 'gclid', 'fbclid', 'li_fat_id', 'ttclid'] as const;

/** One conversion's journey found the naive way: full scans until the identity closes. */
function naiveJourney(events: readonly StoredEvent[], conversion: StoredEvent): { touches: number; weights: number } {
	const known = new Set<string>();
	for (const f of ID_FIELDS) if (conversion[f]) known.add(`${f}:${conversion[f]}`);
	let mine: StoredEvent[] = [];
	for (let grew = true; grew; ) {
		grew = false;
		mine = [];
		for (const e of events) {
			let match = false;
			for (const f of ID_FIELDS) if (e[f] && known.has(`${f}:${e[f]}`)) match = true;
			if (!match) continue;
			mine.push(e);
			for (const f of ID_FIELDS) if (e[f] && !known.has(`${f}:${e[f]}`)) { known.add(`${f}:${e[f]}`); grew = true; }
		}
	}
	const t = conversion.event_time as number;
	const previous = Math.max(-Infinity, ...mine.filter((e) => e.event_type === 'purchase' && (e.event_time as number) < t).map((e) => e.event_time as number));
	const touches = mine
		.filter((e) => (e.event_type === 'impression' || e.event_type === 'click') && (e.event_time as number) <= t && (e.event_time as number) >= t - LOOKBACK * DAY && (e.event_time as number) > previous)
		.sort((a, b) => (a.event_time as number) - (b.event_time as number))
		.map(touchOf);
	let weights = 0;
	const journey = { touchpoints: touches, converted: true, value: Number(conversion.value), conversionTime: t };
	for (const model of RULE_MODELS) weights += touchWeights(model, journey).length;
	return { touches: touches.length, weights };
}

function main() {
	const events = generate(N);
	const conversions = events.filter((e) => e.event_type === 'purchase');
	console.log(`${N.toLocaleString('en-US')} events, ${conversions.length.toLocaleString('en-US')} purchases; load average ${loadavg().map((l) => l.toFixed(2)).join(' ')} on ${availableParallelism()} cores`);

	let t = performance.now();
	const journeys = stitchJourneys(events, { lookbackDays: LOOKBACK });
	const stitchMs = performance.now() - t;
	t = performance.now();
	const rows = attributedRows(journeys);
	const modelsMs = performance.now() - t;
	const converted = journeys.filter((j) => j.converted);
	console.log(`stitched: ${journeys.length.toLocaleString('en-US')} journeys (${converted.length.toLocaleString('en-US')} converting) in ${stitchMs.toFixed(0)} ms; seven models into ${rows.length.toLocaleString('en-US')} rows in ${modelsMs.toFixed(0)} ms; total ${(stitchMs + modelsMs).toFixed(0)} ms = ${Math.round(N / ((stitchMs + modelsMs) / 1000)).toLocaleString('en-US')} events/s`);

	const byId = new Map(converted.map((j) => [j.id, j]));
	const sample = conversions.filter((_, i) => i % Math.max(1, Math.floor(conversions.length / SAMPLE)) === 0).slice(0, SAMPLE);
	t = performance.now();
	let mismatches = 0;
	for (const c of sample) {
		const naive = naiveJourney(events, c);
		if (naive.touches !== (byId.get(c.event_id)?.touchpoints.length ?? -1)) mismatches++;
	}
	const naiveMs = performance.now() - t;
	const perConversion = naiveMs / sample.length;
	const naiveAll = perConversion * conversions.length;
	console.log(`naive: ${sample.length} conversions in ${naiveMs.toFixed(0)} ms (${perConversion.toFixed(1)} ms each, rule models only) → ${(naiveAll / 1000).toFixed(0)} s for all ${conversions.length.toLocaleString('en-US')} (extrapolated); journeys differing from the stitched ones: ${mismatches} of ${sample.length}`);
	console.log(`ratio naive / stitched (all seven models): ${(naiveAll / (stitchMs + modelsMs)).toFixed(0)}x; load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
}

main();

/**
 * Novelty check: 50 candidates against 100,000 past variants of one account.
 *
 * The past variants are realistic-length ad copy (headline-like and primary
 * texts, 6–40 words) from a seeded word generator over one shared vocabulary
 * (products, benefits, offers, calls to action), and a tenth of them are
 * mutations of earlier ones (a word swapped, clauses reordered, a sentence
 * added), so there are real near neighbours. The 50 candidates: 10 one-word
 * changes of past variants, 5 reorderings, 5 exact copies with other
 * formatting, 30 freshly generated texts.
 *
 * Printed, all in the same run: embedding time (offline embedder; in
 * production past vectors are cached in the store), index build time, query
 * time of the fast path for the 50, brute-force time (every candidate against
 * every variant, same scores), the ratio, and the number of candidates whose
 * verdict, nearest variant or scores differ between the two (must be 0).
 * Then the same for the dense strategy (what OpenAI embeddings get), on the
 * same vectors.
 *
 *   node --import tsx test/bench/novelty.bench.ts
 *
 * Options (env): BENCH_PAST (100000), BENCH_CANDIDATES (50), BENCH_DIMS (512),
 * BENCH_DENSE (1: also time the dense strategy; 0 to skip).
 */
import { NoveltyIndex, offlineEmbed, type CandidateVariant, type NoveltyResult, type PastVariant } from '../../nodes/shared/novelty';

const PAST = Number(process.env.BENCH_PAST ?? 100_000);
const CANDIDATES = Number(process.env.BENCH_CANDIDATES ?? 50);
const DIMS = Number(process.env.BENCH_DIMS ?? 512);
const DENSE = (process.env.BENCH_DENSE ?? '1') !== '0';

/** mulberry32: seeded, so every run generates the same corpus. */
function rng(seed: number): () => number {
	let s = seed >>> 0;
	return () => {
		s = (s + 0x6d2b79f5) >>> 0;
		let t = s;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

const random = rng(20250611);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
const chance = (p: number): boolean => random() < p;

/** Pseudo-words from syllables: product names, materials, features nobody else uses. */
function coin(): string {
	const syl = ['ka', 'lo', 'ri', 'ven', 'tor', 'mi', 'sa', 'dex', 'lu', 'na', 'tri', 'vo', 'zan', 'el', 'pra', 'qui', 'mar', 'tis', 'gon', 'fel', 'ash', 'bri', 'cor', 'dun'];
	const n = 2 + Math.floor(random() * 2);
	return Array.from({ length: n }, () => pick(syl)).join('');
}

/** Real ad words shared by every account, and coined ones, drawn Zipf-like so some are common. */
function slot(real: string[], coined: number): { draw: () => string; all: string[] } {
	const all = [...real, ...Array.from({ length: coined }, coin)];
	// Zipf-like: rank r drawn with probability ∝ 1/(r+1).
	const weights = all.map((_, r) => 1 / (r + 1));
	const total = weights.reduce((a, b) => a + b, 0);
	const cdf: number[] = [];
	let acc = 0;
	for (const w of weights) cdf.push((acc += w / total));
	return {
		all,
		draw: () => {
			const x = random();
			let lo = 0;
			let hi = cdf.length - 1;
			while (lo < hi) {
				const mid = (lo + hi) >> 1;
				if (cdf[mid]! < x) lo = mid + 1;
				else hi = mid;
			}
			return all[lo]!;
		},
	};
}

const V = {
	product: slot(['jacket', 'rain shell', 'vest', 'boots', 'trail runners', 'base layer', 'socks', 'daypack', 'sleeping bag', 'stove', 'headlamp', 'bottle', 'poles', 'beanie', 'softshell', 'parka', 'pants', 'gaiters', 'duffel', 'mug', 'tent', 'hammock', 'gloves', 'hoodie'], 600),
	adjective: slot(['warm', 'light', 'lightweight', 'packable', 'waterproof', 'breathable', 'durable', 'recycled', 'soft', 'rugged', 'versatile', 'cozy', 'weatherproof', 'compact', 'comfortable', 'stretchy', 'quick-drying', 'windproof', 'insulated', 'sustainable', 'bold', 'classic', 'bright', 'quiet'], 400),
	place: slot(['trail', 'summit', 'campsite', 'commute', 'city', 'ridge', 'coast', 'backcountry', 'weekend', 'morning run', 'ski lift', 'canyon', 'lake', 'forest', 'road trip', 'office', 'festival', 'beach'], 500),
	verb: slot(['stays dry', 'packs small', 'keeps you warm', 'dries fast', 'weighs less', 'lasts', 'moves with you', 'blocks the wind', 'breathes', 'fits anywhere', 'handles the cold', 'feels soft', 'shrugs off rain', 'glows at night'], 300),
	material: slot(['fleece', 'merino', 'down', 'nylon', 'canvas', 'leather', 'cotton', 'hemp', 'wool', 'ripstop'], 400),
	offer: slot(['free shipping on every order', 'free returns for 30 days', 'up to 40% off this week', '20% off your first order', 'a lifetime warranty', 'free repairs for life', 'members save an extra 10%', 'buy one, get one half off', 'price match guaranteed', 'two-day delivery', 'no-questions-asked returns'], 0),
	cta: slot(['Shop now.', 'Shop the collection.', 'Find your fit.', 'Get yours today.', 'Gear up today.', 'See the new colors.', 'Order before Friday.', 'Explore the range.', 'Try it on at home.', 'Start your adventure.'], 0),
	opener: slot(['Meet the', 'Introducing the', 'Say hello to the', 'Your next', 'The only', 'Upgrade to the', 'Built for the', 'Discover the', 'Back in stock: the', 'Just landed: the'], 0),
	audience: slot(['hikers', 'climbers', 'runners', 'commuters', 'campers', 'families', 'skiers', 'dog walkers', 'explorers', 'thru-hikers', 'cyclists', 'students'], 300),
	number: slot(['2', '3', '5', '10', '12', '25', '30', '48', '100', '365'], 0),
};

function sentence(): string {
	const a = V.adjective.draw;
	const p = V.product.draw;
	switch (Math.floor(random() * 8)) {
		case 0:
			return `${V.opener.draw()} ${a()} ${V.material.draw()} ${p()} that ${V.verb.draw()} on the ${V.place.draw()}.`;
		case 1:
			return `Made for ${V.audience.draw()} who love the ${V.place.draw()}, our ${a()} ${p()} ${V.verb.draw()}.`;
		case 2:
			return `${cap(a())}, ${a()} and ready for the ${V.place.draw()}.`;
		case 3:
			return `Enjoy ${V.offer.draw()} on the ${V.material.draw()} ${p()}.`;
		case 4:
			return `Over ${V.number.draw()},000 ${V.audience.draw()} trust our ${V.material.draw()} ${p()} on the ${V.place.draw()}.`;
		case 5:
			return `From the ${V.place.draw()} to the ${V.place.draw()}, this ${a()} ${p()} ${V.verb.draw()}.`;
		case 6:
			return `New ${V.material.draw()} ${p()} in ${a()} colors for ${V.audience.draw()}.`;
		default:
			return `Rated ${pick(['4.6', '4.7', '4.8', '4.9'])} stars by ${V.audience.draw()}: ${V.offer.draw()}.`;
	}
}

function cap(s: string): string {
	return s.charAt(0).toUpperCase() + s.slice(1);
}

function adCopy(): string {
	if (chance(0.3)) return `${cap(V.adjective.draw())} ${V.material.draw()} ${V.product.draw()} for the ${V.place.draw()}`; // headline
	const n = 1 + Math.floor(random() * 3);
	const parts = Array.from({ length: n }, sentence);
	if (chance(0.7)) parts.push(V.cta.draw());
	return parts.join(' ');
}

const ALL_WORDS = Object.values(V).flatMap((v) => v.all).join(' ').split(' ');

function swapWord(text: string): string {
	const words = text.split(' ');
	const i = Math.floor(random() * words.length);
	words[i] = pick(ALL_WORDS);
	return words.join(' ');
}

function reorder(text: string): string {
	const parts = text.split(/(?<=[.:,])\s+/);
	if (parts.length < 2) return text.split(' ').reverse().join(' ');
	for (let i = parts.length - 1; i > 0; i--) {
		const j = Math.floor(random() * (i + 1));
		[parts[i], parts[j]] = [parts[j]!, parts[i]!];
	}
	return parts.join(' ');
}

function reformat(text: string): string {
	return `${text.toUpperCase().replace(/\./g, '!')} 🔥`;
}

function mutate(text: string): string {
	const r = random();
	if (r < 0.5) return swapWord(text);
	if (r < 0.8) return reorder(text);
	return `${text} ${sentence()}`;
}

function generate(): { past: PastVariant[]; candidates: CandidateVariant[] } {
	const texts: string[] = [];
	for (let i = 0; i < PAST; i++) texts.push(i > 100 && chance(0.1) ? mutate(texts[Math.floor(random() * i)]!) : adCopy());
	const candidates: string[] = [];
	for (let i = 0; i < CANDIDATES; i++) {
		const base = texts[Math.floor(random() * texts.length)]!;
		const kind = i % 10;
		candidates.push(kind < 2 ? swapWord(base) : kind === 2 ? reorder(base) : kind === 3 ? reformat(base) : adCopy());
	}
	return { past: texts.map((text, i) => ({ id: `v${i}`, text })), candidates: candidates.map((text) => ({ text })) };
}

const ms = (t0: number): number => performance.now() - t0;
const fmt = (x: number): string => `${x.toFixed(0)} ms`;

function disagreements(a: NoveltyResult[], b: NoveltyResult[]): number {
	let n = 0;
	for (let i = 0; i < a.length; i++) {
		const x = a[i]!;
		const y = b[i]!;
		const same = x.verdict === y.verdict && x.nearest?.id === y.nearest?.id && x.nearest?.lexical === y.nearest?.lexical && x.nearest?.semantic === y.nearest?.semantic && x.batch?.index === y.batch?.index;
		if (!same) n++;
	}
	return n;
}

function run(label: string, past: PastVariant[], candidates: CandidateVariant[], sparseBelow?: number): void {
	let t0 = performance.now();
	const index = new NoveltyIndex(sparseBelow === undefined ? {} : { sparseBelow }).add(past);
	const mode = index.semanticMode; // builds the postings
	const build = ms(t0);
	t0 = performance.now();
	const fast = index.check(candidates);
	const query = ms(t0);
	t0 = performance.now();
	const brute = index.bruteForce(candidates);
	const bruteTime = ms(t0);
	const counts = { novel: 0, near_duplicate: 0, duplicate: 0 };
	for (const r of fast) counts[r.verdict]++;
	console.log(`\n${label} (semantic strategy: ${mode})`);
	console.log(`  index build (${past.length.toLocaleString('en')} variants): ${fmt(build)}`);
	console.log(`  query, ${candidates.length} candidates:      ${fmt(query)}  (${(query / candidates.length).toFixed(1)} ms each)${query < 1000 ? '  < 1 s target met' : '  ABOVE the 1 s target'}`);
	console.log(`  brute force, same run:           ${fmt(bruteTime)}`);
	console.log(`  ratio brute / fast:              ${(bruteTime / query).toFixed(1)}x`);
	console.log(`  disagreements (verdict, nearest, scores): ${disagreements(fast, brute)} of ${candidates.length}`);
	console.log(`  verdicts: ${counts.duplicate} duplicate, ${counts.near_duplicate} near-duplicate, ${counts.novel} novel`);
}

function main(): void {
	console.log(`novelty bench: ${CANDIDATES} candidates × ${PAST.toLocaleString('en')} past variants, offline embedder ${DIMS} dimensions, node ${process.version}`);
	let t0 = performance.now();
	const { past, candidates } = generate();
	const words = past.reduce((s, p) => s + p.text.split(' ').length, 0) / past.length;
	console.log(`  corpus generated in ${fmt(ms(t0))}, ${words.toFixed(1)} words per variant on average`);
	t0 = performance.now();
	for (const p of past) p.vector = offlineEmbed(p.text, DIMS);
	for (const c of candidates) c.vector = offlineEmbed(c.text, DIMS);
	console.log(`  embedded ${past.length + candidates.length} texts offline in ${fmt(ms(t0))} (once; cached in the store in production)`);
	run('sparse vectors (offline embedder)', past, candidates);
	if (DENSE) run('dense strategy on the same vectors (what OpenAI embeddings get)', past, candidates, 0);
}

main();

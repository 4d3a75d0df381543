/**
 * The demo's stream of first-party events for workflows/conversions.json: people's journeys over the last
 * few days across the sandbox's real campaigns, as a website would post them to the AdOps Events Trigger.
 *
 * Deterministic (a seeded Rng): each person gets 1 to 4 ad touches (impressions and clicks; a click carries
 * its platform's click id — gclid, fbclid, li_fat_id, ttclid — and the campaign's UTMs, some clicks come
 * from the newsletter with UTMs only), then may leave a lead or buy (value in the campaign account's
 * currency). A purchase carries the person's e-mail (hashed by the store) and the click id of their last
 * click, as a shop keeps it from the landing (one gclid cut short, which Google refuses). About one person
 * in eight declined ad consent. The stream is in time order, with a few events posted again (a sender's
 * retry: duplicates) and one malformed event (a value without its currency), and is cut into posts.
 *
 * Not the attribution simulator of nodes/shared/attribution/simulate.ts: that one spreads journeys over 30
 * days with synthetic campaign ids and no identifiers, consent or click ids, which the send-back needs.
 */
import type { z } from 'zod';
import type { eventInput } from '../../nodes/shared/events/input';
import { PLATFORM_REGISTRY, type PlatformId } from '../../nodes/shared/platforms/registry';
import { Rng } from '../sandbox/rng';

/** One event as posted (the trigger's own input type). */
export type PostedEvent = z.input<typeof eventInput>;

export interface DemoCampaign {
	platform: PlatformId;
	id: string;
	name: string;
	currency: string;
}

export interface JourneyStream {
	posts: unknown[][];
	/** Events in all posts, duplicates and the malformed one included. */
	posted: number;
	valid: number;
	duplicates: number;
	malformed: number;
	people: number;
	impressions: number;
	clicks: number;
	leads: number;
	purchases: number;
	/** Purchases of people who declined ad consent (never sent to a platform). */
	purchasesWithoutConsent: number;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const { google_ads: GOOGLE, meta: META, linkedin: LINKEDIN, tiktok: TIKTOK } = PLATFORM_REGISTRY;
/** The UTM source and medium a click of each platform carries (as the platforms' own auto-tagging and ad URLs set them). */
const UTM: Partial<Record<PlatformId, { source: string; medium: string }>> = {
	[GOOGLE.id]: { source: 'google', medium: 'cpc' },
	[META.id]: { source: 'facebook', medium: 'paid_social' },
	[LINKEDIN.id]: { source: LINKEDIN.label.toLowerCase(), medium: 'paid_social' },
	[TIKTOK.id]: { source: TIKTOK.label.toLowerCase(), medium: 'paid_social' },
};
/** How often a touch comes from each platform (the rest: the newsletter, UTMs only). */
const SHARE: Array<[PlatformId, number]> = [[GOOGLE.id, 0.34], [META.id, 0.34], [LINKEDIN.id, 0.12], [TIKTOK.id, 0.1]];
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function token(rng: Rng, length: number): string {
	let s = '';
	for (let i = 0; i < length; i++) s += ALNUM[rng.int(0, ALNUM.length - 1)];
	return s;
}

function clickId(rng: Rng, platform: PlatformId): string {
	if (platform === GOOGLE.id) return `Cj0KCQ${token(rng, 26)}`;
	if (platform === META.id) return `IwAR${token(rng, 30)}`;
	if (platform === TIKTOK.id) return `E.C.P.${token(rng, 24)}`;
	return `${token(rng, 8)}-${token(rng, 4)}-${token(rng, 4)}-${token(rng, 12)}`.toLowerCase();
}

/** `people` journeys over the last `days` days before `now` (ms), cut into posts of `perPost` events. */
export function generateJourneys(opts: { campaigns: readonly DemoCampaign[]; people: number; days: number; now: number; seed: number; perPost: number }): JourneyStream {
	const rng = new Rng(opts.seed);
	const byPlatform = new Map<PlatformId, DemoCampaign[]>();
	for (const c of opts.campaigns) byPlatform.set(c.platform, [...(byPlatform.get(c.platform) ?? []), c]);
	const shares = SHARE.filter(([p]) => byPlatform.has(p));
	const latest = opts.now - 10 * 60_000;
	const events: PostedEvent[] = [];
	let cutShort = false;
	const out: Omit<JourneyStream, 'posts' | 'posted' | 'valid' | 'duplicates' | 'malformed'> = { people: opts.people, impressions: 0, clicks: 0, leads: 0, purchases: 0, purchasesWithoutConsent: 0 };
	for (let p = 0; p < opts.people; p++) {
		const user = { id: `demo-user-${p}`, email: `shopper.${p}@example.com` };
		const consented = rng.chance(0.88);
		const consent = consented ? { ad_storage: true, ad_user_data: true, ad_personalization: true, analytics: true } : { ad_storage: false, ad_user_data: false, ad_personalization: false, analytics: true };
		let time = opts.now - opts.days * DAY + rng.next() * (opts.days - 0.25) * DAY;
		let lastClick: { platform: PlatformId; id: string } | undefined;
		let currency = 'USD';
		let clicks = 0;
		const touches = rng.int(1, 4);
		for (let t = 0; t < touches && time < latest; t++) {
			let u = rng.next();
			const pick = shares.find(([, share]) => (u -= share) < 0)?.[0];
			const id = `demo-${p}-t${t}`;
			const at = new Date(Math.round(time)).toISOString();
			if (!pick) {
				events.push({ event_id: id, type: 'click', time: at, user, utm: { source: 'newsletter', medium: 'email', campaign: 'weekly-picks' }, consent });
				out.clicks++;
				clicks++;
			} else {
				const campaign = rng.pick(byPlatform.get(pick)!);
				currency = campaign.currency;
				if (rng.chance(0.3)) {
					events.push({ event_id: id, type: 'impression', time: at, platform: pick, campaign_id: campaign.id, user, consent });
					out.impressions++;
				} else {
					const field = PLATFORM_REGISTRY[pick].clickId!;
					lastClick = { platform: pick, id: clickId(rng, pick) };
					events.push({ event_id: id, type: 'click', time: at, campaign_id: campaign.id, user, click_ids: { [field]: lastClick.id }, utm: { ...UTM[pick]!, campaign: campaign.name }, consent });
					out.clicks++;
					clicks++;
				}
			}
			time += rng.float(1, 30) * HOUR;
		}
		if (!rng.chance(Math.min(0.6, 0.12 + 0.1 * clicks))) continue;
		const at = new Date(Math.round(Math.min(time + rng.float(0.5, 12) * HOUR, latest))).toISOString();
		if (rng.chance(0.35)) {
			events.push({ event_id: `demo-${p}-lead`, type: 'lead', time: at, user, consent });
			out.leads++;
			continue;
		}
		const value = currency === 'JPY' ? Math.round(rng.float(3_000, 15_000)) : Math.round(rng.float(25, 180) * 100) / 100;
		// one shop cut a gclid short on its way through a redirect: Google cannot parse it
		const cut = consented && lastClick?.platform === GOOGLE.id && !cutShort;
		if (cut) cutShort = true;
		const click_ids = lastClick ? { [PLATFORM_REGISTRY[lastClick.platform].clickId!]: cut ? lastClick.id.slice(0, 12) : lastClick.id } : undefined;
		events.push({ event_id: `demo-${p}-order`, type: 'purchase', time: at, value, currency, user, consent, ...(click_ids ? { click_ids } : {}) });
		out.purchases++;
		if (!consented) out.purchasesWithoutConsent++;
	}
	events.sort((a, b) => Date.parse(String(a.time)) - Date.parse(String(b.time)));
	const stream: unknown[] = [];
	let duplicates = 0;
	for (const e of events) {
		stream.push(e);
		// a sender retrying a post it thinks was lost: an event it already sent, again
		if (stream.length > 20 && rng.chance(0.025)) {
			stream.push(stream[rng.int(0, stream.length - 2)]);
			duplicates++;
		}
	}
	// one malformed event: a purchase value without its currency
	stream.splice(Math.floor(stream.length / 2), 0, { event_id: 'demo-malformed-1', type: 'purchase', time: new Date(latest).toISOString(), value: 49.9, user: { id: 'demo-user-0' } });
	const posts: unknown[][] = [];
	for (let i = 0; i < stream.length; i += opts.perPost) posts.push(stream.slice(i, i + opts.perPost));
	return { posts, posted: stream.length, valid: events.length, duplicates, malformed: 1, ...out };
}

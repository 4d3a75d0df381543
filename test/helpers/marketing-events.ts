// Posts of generated first-party events for the events trigger's tests: valid events with
// e-mail, phone and user id, 5 % repeats of earlier valid events, 2 % malformed ones (several
// carrying raw e-mail addresses and phone numbers where they do not belong).
import { Rng } from '../../scripts/sandbox/rng';

export interface Generated {
	posts: unknown[][];
	validIds: Set<string>;
	duplicates: number;
	malformed: number;
	emails: string[];
	phones: string[];
}

/** Valid events with identifiers, 5 % repeats of earlier valid events, 2 % malformed ones (several holding raw PII). */
export function generateEventPosts(total: number, perPost: number, seed: number): Generated {
	const rng = new Rng(seed);
	const emails: string[] = [];
	const phones: string[] = [];
	const validIds = new Set<string>();
	const sent: unknown[] = [];
	const events: unknown[] = [];
	let duplicates = 0;
	let malformed = 0;
	for (let i = 0; i < total; i++) {
		const u = rng.next();
		if (u < 0.05 && sent.length > 0) {
			events.push(sent[Math.floor(rng.next() * sent.length)]);
			duplicates++;
			continue;
		}
		const email = `Person.${i}@Example${i % 7}.com`;
		const phone = `+49 151 ${String(2000000 + i).padStart(7, '0')}`;
		if (u < 0.07) {
			malformed++;
			emails.push(email);
			phones.push(phone);
			const kind = malformed % 6;
			const base = { event_id: `bad-${i}`, type: 'purchase', time: '2025-06-17T10:00:00Z', value: 10, currency: 'EUR', user: { email, phone } };
			if (kind === 0) events.push({ ...base, type: 'refund' });
			else if (kind === 1) events.push({ ...base, time: 'last tuesday' });
			else if (kind === 2) events.push({ ...base, user: { email: `not-an-address-${i}`, phone } });
			else if (kind === 3) events.push({ ...base, user: { email, phone: `0151 ${i}` } });
			else if (kind === 4) events.push({ ...base, currency: undefined, utm: { source: `list of ${email}` } });
			else events.push({ ...base, event_id: email.toLowerCase() });
			continue;
		}
		emails.push(email);
		phones.push(phone);
		const type = (['impression', 'click', 'lead', 'purchase'] as const)[i % 4];
		const event = {
			event_id: `ev-${i}`,
			type,
			time: new Date(Date.UTC(2025, 5, 1) + i * 60_000).toISOString(),
			...(type === 'purchase' ? { value: Math.round(rng.next() * 20000) / 100, currency: 'EUR' } : {}),
			platform: (['meta', 'google_ads', 'linkedin', 'tiktok'] as const)[i % 4],
			user: { id: `user-${i % 500}`, email, phone },
			click_ids: i % 3 === 0 ? { gclid: `Cj0K${i}abc` } : { fbclid: `IwAR${i}_x` },
			utm: { source: 'newsletter', medium: 'email', campaign: `june-${i % 5}`, content: `sent to ${email}` },
			consent: { ad_storage: i % 10 !== 0, ad_user_data: i % 10 !== 0, analytics: true },
			first_name: 'Never Stored',
		};
		validIds.add(event.event_id);
		sent.push(event);
		events.push(event);
	}
	const posts: unknown[][] = [];
	for (let i = 0; i < events.length; i += perPost) posts.push(events.slice(i, i + perPost));
	return { posts, validIds, duplicates, malformed, emails, phones };
}


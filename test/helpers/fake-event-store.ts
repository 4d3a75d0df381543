// A fake of the one read first-party metrics make (selectColumnar of marketing_events over
// event_time, both ends included), recording each query: for realtime.ts's and the rules'
// first-party tests without a database.
import type { Store } from '../../nodes/shared/store/types';

/** A stored event as the fake returns it (columns absent are null). */
export type FakeEvent = Partial<Record<'event_type' | 'event_time' | 'currency' | 'platform' | 'campaign_id' | 'gclid' | 'fbclid' | 'li_fat_id' | 'ttclid' | 'utm_source' | 'utm_medium' | 'utm_campaign', string>> & { value?: number | string | null };

export function fakeEventStore(events: FakeEvent[]): { store: Pick<Store, 'selectColumnar'>; queries: unknown[] } {
	const queries: unknown[] = [];
	const store: Pick<Store, 'selectColumnar'> = {
		// eslint-disable-next-line @typescript-eslint/no-explicit-any
		async selectColumnar(table: string, columns: readonly string[], query?: any) {
			queries.push({ table, query });
			const range = query.where.event_time as { gte: string; lte: string };
			const rows = events.filter((e) => Date.parse(e.event_time!) >= Date.parse(range.gte) && Date.parse(e.event_time!) <= Date.parse(range.lte));
			const out: Record<string, unknown[]> = {};
			for (const c of columns) out[c] = rows.map((r) => (r as Record<string, unknown>)[c] ?? null);
			return { length: rows.length, columns: out } as never;
		},
	};
	return { store, queries };
}

/**
 * Canonical account ids: the one form an account id takes in
 * `campaign_performance`, `ingest_runs` and `quarantine`, whatever form the
 * user typed. It is the form the platform adapters put on every metric row:
 *
 *   meta        `act_123` or `123`                        → `123`
 *   google_ads  `123-456-7890` or `123 456 7890`          → `1234567890`
 *   linkedin    `urn:li:sponsoredAccount:123` or `123`    → `123`
 *   klaviyo     the id as given (trimmed); an empty id is resolved from the
 *               API key's account, since a private key belongs to one account
 *
 * Pure string rules, kept here (not imported from the adapters) so the ingest
 * core does not load platform SDKs; a unit test checks that they agree with
 * the adapters' own id functions.
 */
import type { Platform } from '../schema/rows';

export function canonicalAccountId(platform: Platform | string, accountId: string): string {
	const id = accountId.trim();
	switch (platform) {
		case 'meta':
			return id.replace(/^act_/, '');
		case 'google_ads':
			return id.replace(/[\s-]/g, '');
		case 'linkedin': {
			const urn = /^urn:li:[A-Za-z]+:(.+)$/.exec(id);
			return urn ? urn[1] : id;
		}
		default:
			return id;
	}
}

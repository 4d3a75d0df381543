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
 *   tiktok      the advertiser id (trimmed)
 *
 * Pure string rules kept in the platform registry (platforms/registry.ts,
 * no SDK imports); a unit test checks that they agree with the adapters' own
 * id functions.
 */
import type { Platform } from '../schema/rows';
import { canonicalAccountIdOf } from '../platforms/registry';

/** The canonical form of an account id: the registry's rule for the platform (unknown platforms: trimmed). */
export function canonicalAccountId(platform: Platform | string, accountId: string): string {
	return canonicalAccountIdOf(platform, accountId);
}

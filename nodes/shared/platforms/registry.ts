/**
 * The platform registry: the one definition of each ad/email platform the
 * package speaks to. Everything that lists platforms derives from here:
 * schema enums (`schema/rows.ts` PLATFORMS), error labels
 * (`resilience/errors.ts` PLATFORM_LABEL / PlatformId), node options and
 * credential names (`nodes/common/platforms.ts`), canonical account ids
 * (`ingest/accounts.ts`), the credentials' version defaults and the API
 * version check (`scripts/check-api-versions.ts`).
 *
 * Adding a platform is an entry here, an adapter (`platforms/<id>.ts`) and a
 * credential. A unit test (test/unit/platform-registry.test.ts) fails when a
 * platform id literal appears anywhere else in the code.
 *
 * API versions: each entry pins the version the adapter sends with the date
 * it stops working (`sunset`), as the vendor publishes it (`published`) or,
 * where the vendor has not published it yet, as its stated policy projects it
 * (`projected`, always on the early side). `history` keeps the versions the
 * package or its tests have used, with their sunsets, so a sandbox can refuse
 * a version past its sunset the way the platform does.
 *
 * Plain data and pure functions; no imports, so any layer may read it.
 */

/** Every platform id, in the order tables and enums list them. */
export const PLATFORM_IDS = ['google_ads', 'meta', 'linkedin', 'klaviyo', 'tiktok'] as const;

export type PlatformId = (typeof PLATFORM_IDS)[number];

/** What the package can do on a platform. */
export interface PlatformCapabilities {
	/** Daily campaign metrics (AdOps Ingest). */
	ingest: boolean;
	/** Set a campaign's daily budget (CampaignControl.setDailyBudget). */
	budget: boolean;
	/** Pause / activate a campaign (CampaignControl.setStatus). */
	status: boolean;
	/** Read and moderate comments on ads. */
	comments: boolean;
	/** Publish generated ad copy (paused ads). */
	creativePublish: boolean;
	/** Read the platform's own change history of campaigns (what and how far back: `PlatformDefinition.changeHistory`). */
	changeHistory: boolean;
	/** The platform checks a change without making it (Meta execution_options, Google Ads validate_only). */
	validateOnly: boolean;
	/**
	 * The optimizer acts on it: its node offers the credential and the
	 * account ids, and the rules engine's controlled platforms
	 * (`rules/apply.ts` CONTROLLED_PLATFORMS) include it. Needs an adapter
	 * that implements `CampaignControl` (platforms/types.ts).
	 */
	optimizer: boolean;
}

export interface CredentialRef {
	/** n8n credential type name (`ICredentialType.name`). */
	name: string;
	/** Display name in n8n. */
	displayName: string;
	/** Authentication the credential carries. */
	kind: 'api_key' | 'access_token' | 'oauth2';
}

export interface AccountIdRule {
	/** The canonical form, in words (stored on every row, used in ingest_runs and quarantine). */
	canonical: string;
	/** A canonical id, as an example for placeholders and docs. */
	example: string;
	/** How users may type it (placeholders). */
	accepted: string;
	/** Any accepted form → the canonical form (pure string rule; trims). */
	canonicalize(accountId: string): string;
}

export interface MoneyRule {
	/** Where the currency comes from. */
	currency: string;
	/** How the API writes amounts (read and write). */
	apiAmounts: string;
	/** Minor units: digits of the ISO 4217 currency (platforms/currency.ts), unless `note` says otherwise. */
	minorUnits: 'iso4217';
	note?: string;
}

export interface TimeZoneRule {
	/** `account`: days are the account's calendar days; `utc`: the platform reports UTC days. */
	kind: 'account' | 'utc';
	/** The API field (or fact) the zone is read from. */
	source: string;
}

export interface TextLimit {
	/** Longer fails; null: no hard limit. */
	hard: number | null;
	/** Longer is a warning; null: none. */
	recommended: number | null;
}

/** Creative copy limits in user-perceived characters (graphemes); the creative rules read them. */
export interface CreativeLimits {
	unit: 'graphemes' | 'google_width';
	headline: TextLimit & { min: number; max: number };
	description: TextLimit & { min: number; max: number };
	primaryText: TextLimit & { use: 'required' | 'unused' };
	emojiAllowed: boolean;
	note: string;
}

export interface ApiVersion {
	version: string;
	/** First day it could be used, YYYY-MM-DD (first of the month when only the month is published). */
	released: string;
	/** First day it no longer works, YYYY-MM-DD; null when the vendor has announced none. */
	sunset: string | null;
	sunsetSource: 'published' | 'projected' | 'none';
}

export interface ApiPin extends ApiVersion {
	/** How the version is sent. */
	sentAs: string;
	/** The vendor's page that publishes versions and sunsets. */
	reference: string;
	/** Why this sunset date (policy, projection). */
	note: string;
	/** Versions with known sunsets (older pins, versions tests use), newest first. */
	history: readonly ApiVersion[];
}

/** How ingest treats the platform's rows and accounts. */
export interface IngestRules {
	/** A credential belongs to one account, which the API names: an empty account id is resolved from it (Klaviyo). */
	accountFromCredential: boolean;
	/** Clicks may exceed "impressions" (email: delivered), a flag rather than a quarantine. */
	laggedEngagement: boolean;
}

/** The platform's change history of campaigns, which the optimizer reads for changes made outside the package. */
export interface ChangeHistoryRule {
	/** Where it is read. */
	source: string;
	/** How many days back the platform keeps it (the run reads no further back); null: only the last modification, of any age. */
	days: number | null;
	/** What it tells. */
	detail: string;
}

/**
 * Sending first-party conversions back to the platform (nodes/shared/conversions): where, how many per
 * request, which identifiers it matches on, and how long it drops a repeat of the same event id.
 */
export interface ConversionApiRule {
	/** The request, as the platform documents it. */
	endpoint: string;
	/** The product's name ("Conversions API"). */
	product: string;
	/** What one destination is (a pixel, a conversion action), and the form the package expects. */
	destination: { label: string; accepted: string; pattern: RegExp };
	/** Most events in one request (the platform refuses more). */
	batchLimit: number;
	/** The hashed identifiers it matches on (marketing_events digest columns). */
	identifiers: ReadonlyArray<'email_sha256' | 'phone_sha256' | 'phone_e164_sha256' | 'external_id_sha256'>;
	/** true: an event needs the platform's click id (Google click conversions need the gclid); false: the click id or a hashed identifier. */
	clickIdRequired: boolean;
	/** The field the platform drops repeats by (what the package sends as the event's stable id). */
	dedupeKey: string;
	/**
	 * How long after the first receipt the platform drops a repeat with the same dedupe key, in hours. A
	 * send whose answer was lost is sent again (same ids) only within this window; past it, it is left for
	 * a person. Where the platform documents no window, the package takes a short one (see `dedupeNote`).
	 */
	dedupeWindowHours: number;
	dedupeNote: string;
	/** Oldest event the platform accepts, in days after the event happened. */
	maxEventAgeDays: number;
	/** Where the limits come from. */
	reference: string;
}

export interface PlatformDefinition<Id extends PlatformId = PlatformId> {
	id: Id;
	/** Short name in texts and alerts ("Meta"). */
	label: string;
	/** Name in option lists ("Meta Ads"). */
	productLabel: string;
	credentials: readonly CredentialRef[];
	capabilities: PlatformCapabilities;
	accountId: AccountIdRule;
	money: MoneyRule;
	timeZone: TimeZoneRule;
	ingest: IngestRules;
	/** null: the package writes no ad copy for this platform. */
	creative: CreativeLimits | null;
	api: ApiPin;
	/** With `capabilities.changeHistory`: the change history's source and depth. */
	changeHistory?: ChangeHistoryRule;
	/** With `capabilities.creativePublish` off: why approved copy cannot be published there, in words. */
	publishUnsupported?: string;
	/** The click id the platform's ads add to the landing page's URL (first-party events join on it); absent: none. */
	clickId?: string;
	/** Sending conversions back (AdOps Conversions, Send Back); absent: the platform takes none from the package. */
	conversions?: ConversionApiRule;
}

const trimmed = (id: string): string => id.trim();

export const PLATFORM_REGISTRY: { readonly [K in PlatformId]: PlatformDefinition<K> } = {
	google_ads: {
		id: 'google_ads',
		clickId: 'gclid',
		conversions: {
			endpoint: 'POST /v25/customers/{customer_id}:uploadClickConversions (partialFailure true)',
			product: 'offline click conversions (with enhanced conversions user identifiers)',
			destination: { label: 'conversion action', accepted: 'customers/{customer id}/conversionActions/{id}', pattern: /^customers\/\d{10}\/conversionActions\/\d+$/ },
			batchLimit: 2000,
			identifiers: ['email_sha256', 'phone_e164_sha256'],
			clickIdRequired: true,
			dedupeKey: 'order_id (and gclid + conversion_action + conversion_date_time)',
			dedupeWindowHours: 24,
			dedupeNote: 'Google refuses a second upload of the same gclid, conversion action and time (CLICK_CONVERSION_ALREADY_EXISTS) and of an order id it already has (ORDER_ID_ALREADY_IN_USE), without a stated window; the package resends a lost upload only within 24 h',
			maxEventAgeDays: 90,
			reference: 'https://developers.google.com/google-ads/api/reference/rpc/latest/UploadClickConversionsRequest',
		},
		label: 'Google Ads',
		productLabel: 'Google Ads',
		credentials: [{ name: 'adOpsGoogleAdsOAuth2Api', displayName: 'AdOps Google Ads OAuth2 API', kind: 'oauth2' }],
		capabilities: { ingest: true, budget: true, status: true, comments: false, creativePublish: true, changeHistory: true, validateOnly: true, optimizer: true },
		accountId: {
			canonical: '10 digits, no dashes',
			example: '1234567890',
			accepted: '123-456-7890, 123 456 7890 or 1234567890',
			canonicalize: (id) => id.trim().replace(/[\s-]/g, ''),
		},
		money: { currency: 'customer.currency_code', apiAmounts: 'micros (integer, 10^-6 of the major unit)', minorUnits: 'iso4217' },
		timeZone: { kind: 'account', source: 'customer.time_zone' },
		ingest: { accountFromCredential: false, laggedEngagement: false },
		creative: {
			unit: 'google_width',
			headline: { hard: 30, recommended: null, min: 3, max: 15 },
			description: { hard: 90, recommended: null, min: 2, max: 4 },
			primaryText: { use: 'unused', hard: null, recommended: null },
			emojiAllowed: false,
			note: 'responsive search ads; CJK and full-width characters count twice',
		},
		api: {
			version: 'v25',
			sentAs: 'REST path /v25/ (google-ads-api is built for it)',
			released: '2026-07-01',
			sunset: '2027-08-01',
			sunsetSource: 'projected',
			reference: 'https://developers.google.com/google-ads/api/docs/sunset-dates',
			note: 'Google projects the v25 sunset for August 2027 (each major version lives about one year); the first of the month is used until the exact day is published',
			history: [
				{ version: 'v22', released: '2025-10-01', sunset: '2026-10-07', sunsetSource: 'published' },
				{ version: 'v21', released: '2025-08-01', sunset: '2026-08-05', sunsetSource: 'published' },
				{ version: 'v20', released: '2025-06-04', sunset: '2026-06-10', sunsetSource: 'published' },
			],
		},
		changeHistory: { source: 'change_event (one GAQL query per account)', days: 30, detail: 'budget (old → new amount_micros) and status changes, who by e-mail (user_email), where from (client_type)' },
	},
	meta: {
		id: 'meta',
		clickId: 'fbclid',
		conversions: {
			endpoint: 'POST /v27.0/{pixel_id}/events (data[])',
			product: 'Conversions API',
			destination: { label: 'pixel (dataset) id', accepted: 'the digits of the pixel or dataset id', pattern: /^\d{5,20}$/ },
			batchLimit: 1000,
			identifiers: ['email_sha256', 'phone_sha256', 'external_id_sha256'],
			clickIdRequired: false,
			dedupeKey: 'event_id with event_name',
			dedupeWindowHours: 48,
			dedupeNote: 'Meta keeps the first of events with the same event_name and event_id received within 48 hours of each other',
			maxEventAgeDays: 7,
			reference: 'https://developers.facebook.com/docs/marketing-api/conversions-api/parameters/server-event/',
		},
		label: 'Meta',
		productLabel: 'Meta Ads',
		credentials: [{ name: 'adOpsMetaAdsApi', displayName: 'AdOps Meta Ads API', kind: 'access_token' }],
		capabilities: { ingest: true, budget: true, status: true, comments: true, creativePublish: true, changeHistory: true, validateOnly: true, optimizer: true },
		accountId: {
			canonical: 'digits without act_',
			example: '1029384756001',
			accepted: 'act_123 or 123',
			canonicalize: (id) => id.trim().replace(/^act_/, ''),
		},
		money: { currency: 'ad account currency', apiAmounts: 'insights: decimal strings; budgets: integer minor units (offset by the currency)', minorUnits: 'iso4217' },
		timeZone: { kind: 'account', source: 'ad account timezone_name' },
		ingest: { accountFromCredential: false, laggedEngagement: false },
		creative: {
			unit: 'graphemes',
			headline: { hard: 40, recommended: null, min: 1, max: 1 },
			description: { hard: null, recommended: 30, min: 0, max: 1 },
			primaryText: { use: 'required', hard: 2200, recommended: 125 },
			emojiAllowed: true,
			note: 'feed placements; 2,200 is a configurable ceiling, not a Meta figure',
		},
		api: {
			version: 'v27.0',
			sentAs: 'Graph path /v27.0/',
			released: '2026-11-04',
			sunset: '2027-11-04',
			sunsetSource: 'projected',
			reference: 'https://developers.facebook.com/docs/marketing-api/marketing-api-changelog/versions',
			note: 'Marketing API expiry is published with later releases (v24.0 lasted 13 months, v25.0 12); projected one year after release until Meta publishes it',
			history: [
				{ version: 'v26.0', released: '2026-07-29', sunset: '2027-07-29', sunsetSource: 'projected' },
				{ version: 'v25.0', released: '2026-02-18', sunset: '2027-02-23', sunsetSource: 'published' },
				{ version: 'v24.0', released: '2025-10-08', sunset: '2026-11-10', sunsetSource: 'published' },
				{ version: 'v23.0', released: '2025-05-29', sunset: '2026-06-09', sunsetSource: 'published' },
				{ version: 'v22.0', released: '2025-01-21', sunset: '2026-02-19', sunsetSource: 'published' },
				{ version: 'v21.0', released: '2024-10-02', sunset: '2025-09-09', sunsetSource: 'published' },
			],
		},
		changeHistory: { source: "the ad account's activities edge", days: 90, detail: 'budget and status changes (old → new), who (actor_name) and where from (application_name); Meta keeps about 90 days' },
	},
	linkedin: {
		id: 'linkedin',
		clickId: 'li_fat_id',
		conversions: {
			endpoint: 'POST /rest/conversionEvents (X-RestLi-Method: BATCH_CREATE, elements[])',
			product: 'Conversions API',
			destination: { label: 'conversion rule', accepted: 'urn:lla:llaPartnerConversion:{id}', pattern: /^urn:lla:llaPartnerConversion:\d+$/ },
			batchLimit: 5000,
			identifiers: ['email_sha256'],
			clickIdRequired: false,
			dedupeKey: 'eventId',
			dedupeWindowHours: 24,
			dedupeNote: 'LinkedIn discards an event with an eventId it has for the same conversion; it states no window, so the package resends a lost batch only within 24 h',
			maxEventAgeDays: 90,
			reference: 'https://learn.microsoft.com/en-us/linkedin/marketing/integrations/ads-reporting/conversions-api',
		},
		label: 'LinkedIn',
		productLabel: 'LinkedIn Ads',
		credentials: [{ name: 'adOpsLinkedInAdsOAuth2Api', displayName: 'AdOps LinkedIn Ads OAuth2 API', kind: 'oauth2' }],
		capabilities: { ingest: true, budget: true, status: true, comments: false, creativePublish: true, changeHistory: true, validateOnly: false, optimizer: true },
		accountId: {
			canonical: 'the number of urn:li:sponsoredAccount:…',
			example: '508123456',
			accepted: 'urn:li:sponsoredAccount:123 or 123',
			canonicalize: (id) => {
				const t = id.trim();
				const urn = /^urn:li:[A-Za-z]+:(.+)$/.exec(t);
				return urn ? urn[1] : t;
			},
		},
		money: { currency: 'ad account currency', apiAmounts: 'decimal strings in the account currency (costInLocalCurrency, dailyBudget.amount)', minorUnits: 'iso4217' },
		timeZone: { kind: 'utc', source: 'adAnalytics reports UTC days' },
		ingest: { accountFromCredential: false, laggedEngagement: false },
		creative: {
			unit: 'graphemes',
			headline: { hard: 70, recommended: null, min: 1, max: 1 },
			description: { hard: 300, recommended: 100, min: 0, max: 1 },
			primaryText: { use: 'required', hard: 600, recommended: 150 },
			emojiAllowed: true,
			note: 'single image ads (intro text, headline, description)',
		},
		api: {
			version: '202607',
			sentAs: 'LinkedIn-Version header (YYYYMM)',
			released: '2026-07-01',
			sunset: '2027-07-15',
			sunsetSource: 'projected',
			reference: 'https://learn.microsoft.com/en-us/linkedin/marketing/integrations/migrations',
			note: 'each monthly version is supported at least one year; LinkedIn has sunset each version mid-month a year after its release (202601 on 2027-01-15, 202603 on 2027-03-16)',
			history: [
				{ version: '202603', released: '2026-03-01', sunset: '2027-03-16', sunsetSource: 'published' },
				{ version: '202602', released: '2026-02-01', sunset: '2027-02-15', sunsetSource: 'published' },
				{ version: '202601', released: '2026-01-01', sunset: '2027-01-15', sunsetSource: 'published' },
				{ version: '202511', released: '2025-11-01', sunset: '2026-11-16', sunsetSource: 'published' },
				{ version: '202510', released: '2025-10-01', sunset: '2026-10-15', sunsetSource: 'published' },
			],
		},
		changeHistory: { source: "the campaigns' changeAuditStamps.lastModified", days: null, detail: 'when each campaign was last modified, not what or by whom' },
	},
	klaviyo: {
		id: 'klaviyo',
		label: 'Klaviyo',
		productLabel: 'Klaviyo',
		credentials: [{ name: 'adOpsKlaviyoApi', displayName: 'AdOps Klaviyo API', kind: 'api_key' }],
		capabilities: { ingest: true, budget: false, status: false, comments: false, creativePublish: false, changeHistory: false, validateOnly: false, optimizer: false },
		accountId: {
			canonical: 'the account id as Klaviyo names it; empty resolves to the private key’s one account',
			example: 'XyZ123',
			accepted: 'the account id, or empty',
			canonicalize: trimmed,
		},
		money: { currency: 'account preferred_currency', apiAmounts: 'decimal numbers in the account currency (conversion_value); spend is 0', minorUnits: 'iso4217' },
		timeZone: { kind: 'account', source: 'account timezone' },
		ingest: { accountFromCredential: true, laggedEngagement: true },
		creative: null,
		api: {
			version: '2026-10-15',
			sentAs: 'revision header (YYYY-MM-DD)',
			released: '2026-10-15',
			sunset: '2028-10-15',
			sunsetSource: 'projected',
			reference: 'https://developers.klaviyo.com/en/docs/api_versioning_and_deprecation_policy',
			note: 'a revision is stable for one year, deprecated the second and retired after two years',
			history: [
				{ version: '2026-07-15', released: '2026-07-15', sunset: '2028-07-15', sunsetSource: 'projected' },
				{ version: '2025-10-15', released: '2025-10-15', sunset: '2027-10-15', sunsetSource: 'projected' },
			],
		},
	},
	tiktok: {
		id: 'tiktok',
		clickId: 'ttclid',
		conversions: {
			endpoint: 'POST /open_api/v1.3/event/track/ (event_source web, data[])',
			product: 'Events API 2.0',
			destination: { label: 'pixel code', accepted: 'the pixel code from Events Manager', pattern: /^[A-Z0-9]{10,30}$/ },
			batchLimit: 1000,
			identifiers: ['email_sha256', 'phone_sha256', 'external_id_sha256'],
			clickIdRequired: false,
			dedupeKey: 'event_id with event',
			dedupeWindowHours: 48,
			dedupeNote: 'TikTok keeps the first of events with the same event and event_id arriving within 48 hours',
			maxEventAgeDays: 7,
			reference: 'https://business-api.tiktok.com/portal/docs?id=1771101303285761',
		},
		label: 'TikTok',
		productLabel: 'TikTok Ads',
		credentials: [{ name: 'adOpsTikTokAdsApi', displayName: 'AdOps TikTok Ads API', kind: 'access_token' }],
		capabilities: { ingest: true, budget: true, status: true, comments: false, creativePublish: false, changeHistory: false, validateOnly: false, optimizer: true },
		publishUnsupported: 'a TikTok ad is text on a video (an existing video id or an upload), which a generated copy variant does not have',
		accountId: {
			canonical: 'the advertiser id (digits)',
			example: '7010000000001',
			accepted: 'the advertiser id',
			canonicalize: trimmed,
		},
		money: { currency: 'advertiser currency (advertiser/info)', apiAmounts: 'reports: decimal strings; budgets: decimal numbers in major units', minorUnits: 'iso4217' },
		timeZone: { kind: 'account', source: 'advertiser/info display_timezone (IANA), else timezone' },
		ingest: { accountFromCredential: false, laggedEngagement: false },
		creative: {
			unit: 'graphemes',
			headline: { hard: null, recommended: null, min: 0, max: 0 },
			description: { hard: null, recommended: null, min: 0, max: 0 },
			primaryText: { use: 'required', hard: 100, recommended: null },
			emojiAllowed: false,
			note: 'in-feed ad text: 1-100 characters, no emoji; TikTok ads have no headline or description',
		},
		api: {
			version: 'v1.3',
			sentAs: 'path /open_api/v1.3/',
			released: '2022-08-01',
			sunset: null,
			sunsetSource: 'none',
			reference: 'https://business-api.tiktok.com/portal/docs?id=1740579480076290',
			note: 'TikTok has announced no sunset for v1.3',
			history: [],
		},
	},
};

/** Definitions in PLATFORM_IDS order. */
export const PLATFORM_DEFINITIONS: readonly PlatformDefinition[] = PLATFORM_IDS.map((id) => PLATFORM_REGISTRY[id]);

export function isPlatformId(value: unknown): value is PlatformId {
	return typeof value === 'string' && (PLATFORM_IDS as readonly string[]).includes(value);
}

/** The definition of a platform id; throws for anything else, naming the known ones. */
export function platformDefinition(id: string): PlatformDefinition {
	if (!isPlatformId(id)) throw new Error(`Unknown platform "${id}": one of ${PLATFORM_IDS.join(', ')}`);
	return PLATFORM_REGISTRY[id];
}

/** Platform id → its short label ("Meta"). */
export const PLATFORM_LABELS = Object.fromEntries(PLATFORM_DEFINITIONS.map((p) => [p.id, p.label])) as { readonly [K in PlatformId]: string };

/** The platforms that take conversions back (`conversions` set), in PLATFORM_IDS order. */
export function conversionPlatforms(): PlatformId[] {
	return PLATFORM_DEFINITIONS.filter((p) => p.conversions !== undefined).map((p) => p.id);
}

/** The ids of platforms with a capability, in PLATFORM_IDS order. */
export function platformsWith(capability: keyof PlatformCapabilities): PlatformId[] {
	return PLATFORM_DEFINITIONS.filter((p) => p.capabilities[capability]).map((p) => p.id);
}

/** The canonical form of an account id (registry rule; unknown platforms: trimmed). */
export function canonicalAccountIdOf(platform: string, accountId: string): string {
	return isPlatformId(platform) ? PLATFORM_REGISTRY[platform].accountId.canonicalize(accountId) : accountId.trim();
}

/** The pinned API version of a platform (what credentials default to). */
export function pinnedApiVersion(id: PlatformId): string {
	return PLATFORM_REGISTRY[id].api.version;
}

/** A platform's list as words: "Google Ads, Meta, LinkedIn, Klaviyo and TikTok". */
export function platformList(ids: readonly PlatformId[] = PLATFORM_IDS, label: 'label' | 'productLabel' = 'label'): string {
	const names = ids.map((id) => PLATFORM_REGISTRY[id][label]);
	return names.length <= 1 ? names.join('') : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}

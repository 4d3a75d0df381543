/**
 * The sandbox world: ad accounts with campaigns and daily metrics, Klaviyo
 * email results, Meta page posts with comment streams, a Notion workspace with
 * the approval database, a Slack workspace with its channel log.
 *
 * Everything is derived from `seed` and `today` (a `YYYY-MM-DD` UTC date).
 * Account, campaign, page and channel ids are fixed (independent of the seed)
 * so credentials and workflows can name them; the seed drives the numbers,
 * statuses history, comment selection and timing.
 *
 * Metrics cover the 60 days before `today` (today itself has no data yet, as
 * on the real platforms before the day closes). `advanceWorld` closes `today`
 * with the campaigns' current status and budget and moves the clock a day on.
 */
import { COMMENT_CORPUS, type CommentIntent } from './comment-corpus';
import {
	addDays,
	dateRange,
	fnv1a,
	roundMoney,
	rngFor,
	uuidFrom,
	weekday,
	type Rng,
} from './rng';

export type AdPlatform = 'meta' | 'linkedin' | 'google';
/** Every simulated ad platform: TikTok advertisers live in `world.tiktok` (not `world.accounts`), so the other platforms' worlds stay as they were. */
export type SimulatedPlatform = AdPlatform | 'tiktok';
export type CampaignStatus = 'ACTIVE' | 'PAUSED';

export interface DailyMetrics {
	date: string;
	/** Account currency, major units, rounded to the currency's minor unit. */
	spend: number;
	impressions: number;
	clicks: number;
	conversions: number;
	/** Conversion value, account currency, major units. */
	revenue: number;
	/** Lead-form submissions (LinkedIn one-click leads, Meta leads). */
	leads: number;
}

export interface CampaignProfile {
	cpmUsd: number;
	ctr: number;
	cvr: number;
	aovUsd: number;
	leadRate: number;
	/** Relative CTR drift over 60 days (creative fatigue < 0). */
	trend: number;
}

export interface Campaign {
	id: string;
	name: string;
	status: CampaignStatus;
	objective: string;
	/** Daily budget, account currency, major units. */
	dailyBudget: number;
	/** Google Ads campaign budget resource id (Google only). */
	budgetId?: string;
	createdDate: string;
	profile: CampaignProfile;
	/** Status in force from each date (ascending). */
	statusHistory: Array<{ date: string; status: CampaignStatus }>;
	/** Budget in force from each date (ascending). */
	budgetHistory: Array<{ date: string; dailyBudget: number }>;
	/** Ascending by date; days without delivery have zeros. */
	daily: DailyMetrics[];
	/** A day's delivery from a known response curve at that day's budget, instead of the profile (scripts/sandbox/allocation.ts). */
	response?: (date: string, dailyBudget: number) => DailyMetrics;
}

export interface AdAccount<P extends SimulatedPlatform = AdPlatform> {
	platform: P;
	/** Platform-native id: Meta without `act_`, LinkedIn numeric, Google 10 digits. */
	id: string;
	name: string;
	currency: string;
	timezone: string;
	campaigns: Campaign[];
}

export interface KlaviyoDaily {
	date: string;
	recipients: number;
	delivered: number;
	opens: number;
	opensUnique: number;
	clicks: number;
	clicksUnique: number;
	conversions: number;
	conversionUniques: number;
	conversionValue: number;
	unsubscribes: number;
	bounced: number;
}

export interface KlaviyoMessageSource {
	id: string;
	messageId: string;
	name: string;
	kind: 'campaign' | 'flow';
	/** Campaign send date (campaigns only). */
	sendDate?: string;
	daily: KlaviyoDaily[];
}

export interface KlaviyoAccount {
	id: string;
	name: string;
	currency: string;
	timezone: string;
	metrics: Array<{ id: string; name: string }>;
	placedOrderMetricId: string;
	campaigns: KlaviyoMessageSource[];
	flows: KlaviyoMessageSource[];
}

export interface MetaPage {
	id: string;
	name: string;
	accountId: string;
}

export interface MetaPost {
	/** `{pageId}_{objectId}` like Graph page post ids. */
	id: string;
	pageId: string;
	message: string;
	/** false = dark post: exists only as an ad creative. */
	published: boolean;
	createdTime: string;
}

export interface MetaAd {
	id: string;
	name: string;
	accountId: string;
	campaignId: string;
	status: CampaignStatus;
	creativeId: string;
	postId: string;
}

export interface MetaComment {
	id: string;
	postId: string;
	parentId?: string;
	message: string;
	from: { id: string; name: string };
	createdTime: string;
	isHidden: boolean;
	deleted: boolean;
	likeCount: number;
	/** Ground truth for tests; never sent over the API. */
	label?: { intent: CommentIntent; sentiment: string; language: string; injection?: boolean };
	/** Replies posted through the API carry the page as author. */
	byPage?: boolean;
}

/** Instagram media of an ad's creative (`effective_instagram_media_id`), on the ad account's Instagram account. */
export interface InstagramMedia {
	/** Instagram Graph media id (digits). */
	id: string;
	/** The ad whose creative shows it (world.meta.ads). */
	adId: string;
	accountId: string;
	/** The Instagram business account that owns it. */
	igUserId: string;
	username: string;
	caption: string;
	timestamp: string;
}

export interface InstagramComment {
	/** Instagram Graph comment id (digits). */
	id: string;
	mediaId: string;
	/** Set on replies (Instagram nests one level). */
	parentId?: string;
	text: string;
	from: { id: string; username: string };
	/** `2026-03-01T10:00:00+0000`, Graph's time format. */
	timestamp: string;
	hidden: boolean;
	deleted: boolean;
	/** Ground truth for tests; never sent over the API. */
	label?: { intent: CommentIntent; sentiment: string; language: string; injection?: boolean };
	/** Replies posted through the API come from the brand's Instagram account. */
	byAccount?: boolean;
}

export type NotionPropertyType =
	| 'title'
	| 'rich_text'
	| 'select'
	| 'multi_select'
	| 'status'
	| 'date'
	| 'people'
	| 'number'
	| 'url'
	| 'checkbox'
	| 'email'
	| 'created_time'
	| 'last_edited_time';

export interface NotionOption {
	id: string;
	name: string;
	color: string;
}

export interface NotionPropertySchema {
	id: string;
	name: string;
	type: NotionPropertyType;
	options?: NotionOption[];
	format?: string;
}

export interface NotionUser {
	id: string;
	name: string;
	type: 'person' | 'bot';
	email?: string;
}

export interface NotionDatabase {
	id: string;
	title: string;
	parentPageId: string;
	dataSourceIds: string[];
	createdTime: string;
	lastEditedTime: string;
	inTrash: boolean;
}

export interface NotionDataSource {
	id: string;
	databaseId: string;
	title: string;
	properties: Record<string, NotionPropertySchema>;
	createdTime: string;
	lastEditedTime: string;
}

export interface NotionPage {
	id: string;
	parent: { type: 'data_source_id'; dataSourceId: string; databaseId: string } | { type: 'page_id'; pageId: string } | { type: 'workspace' };
	/** Values in the API's response shape, keyed by property name. */
	properties: Record<string, Record<string, unknown>>;
	/** Title of a workspace-level page (pages outside a data source). */
	title?: string;
	createdTime: string;
	lastEditedTime: string;
	createdBy: string;
	lastEditedBy: string;
	inTrash: boolean;
	/** Every edit, for tests: who changed which properties when. */
	history: Array<{ at: string; userId: string; properties: string[] }>;
}

export interface NotionWorkspace {
	botUserId: string;
	users: NotionUser[];
	workspacePageId: string;
	approvalDatabaseId: string;
	approvalDataSourceId: string;
	databases: NotionDatabase[];
	dataSources: NotionDataSource[];
	pages: NotionPage[];
}

export interface SlackMessage {
	ts: string;
	channel: string;
	user?: string;
	botId?: string;
	text: string;
	blocks?: unknown[];
	threadTs?: string;
	replyBroadcast?: boolean;
	edited?: { user: string; ts: string };
	/** Posted through the API (vs seeded human messages). */
	viaApi: boolean;
	/** Files shared with this message (files.completeUploadExternal), by id. */
	files?: string[];
}

/** A file uploaded with Slack's external upload flow (files.getUploadURLExternal → upload URL → files.completeUploadExternal). */
export interface SlackFile {
	id: string;
	name: string;
	title?: string;
	altText?: string;
	/** The length announced to files.getUploadURLExternal. */
	length: number;
	/** The bytes POSTed to the upload URL (null until then). */
	bytes: Uint8Array | null;
	mimetype: string;
	/** Secret part of the upload URL. */
	uploadToken: string;
	/** Channels it was shared in (empty: private to the bot). */
	channels: string[];
	completed: boolean;
	created: number;
}

export interface SlackChannel {
	id: string;
	name: string;
	isPrivate: boolean;
	isMember: boolean;
	created: number;
	topic: string;
	messages: SlackMessage[];
}

export interface SlackWorkspace {
	teamId: string;
	teamName: string;
	botUserId: string;
	botId: string;
	appId: string;
	users: Array<{ id: string; name: string; realName: string }>;
	channels: SlackChannel[];
	/** Uploaded files (created on the first upload). */
	files?: SlackFile[];
}

export interface SandboxCredentials {
	meta: { accessToken: string; appSecret: string; appId: string };
	linkedin: { accessToken: string };
	klaviyo: { apiKey: string };
	notion: { token: string };
	slack: { botToken: string; signingSecret: string };
	openai: { apiKey: string };
	googleAds: { developerToken: string; clientId: string; clientSecret: string; refreshToken: string; loginCustomerId: string };
	tiktok: { accessToken: string };
}

/** Fixed secrets the sandbox accepts. Anything else is a bad token. */
export const SANDBOX_CREDENTIALS: SandboxCredentials = {
	meta: { accessToken: 'EAAGsandbox0meta0token', appSecret: 'sandbox-meta-app-secret', appId: '900100200300400' },
	linkedin: { accessToken: 'AQVsandbox-linkedin-token' },
	klaviyo: { apiKey: 'pk_sandbox_0123456789abcdef0123456789' },
	notion: { token: 'ntn_sandbox_notion_integration_token' },
	slack: { botToken: 'xoxb-0000-sandbox-slack-token', signingSecret: 'sandbox-slack-signing-secret' },
	openai: { apiKey: 'sk-sandbox-openai-key' },
	googleAds: {
		developerToken: 'sandbox-google-ads-developer-token',
		clientId: 'sandbox-client-id.apps.googleusercontent.com',
		clientSecret: 'sandbox-client-secret',
		refreshToken: 'sandbox-refresh-token',
		loginCustomerId: '1112223334',
	},
	tiktok: { accessToken: 'sandbox-tiktok-access-token-0123456789' },
};

export interface World {
	seed: number;
	/** The pinned current date (UTC); metrics exist up to the day before. */
	today: string;
	/** First date with metrics. */
	firstDate: string;
	credentials: SandboxCredentials;
	accounts: AdAccount[];
	/** TikTok advertisers (kept apart from `accounts`: adding them left every other platform's data as it was). */
	tiktok: { advertisers: Array<AdAccount<'tiktok'>> };
	klaviyo: KlaviyoAccount;
	meta: { pages: MetaPage[]; posts: MetaPost[]; ads: MetaAd[]; comments: MetaComment[] };
	/** Instagram media behind some Meta ads and their comments; built from its own random streams, so every other part of the world is the same with or without it. */
	instagram: { media: InstagramMedia[]; comments: InstagramComment[] };
	notion: NotionWorkspace;
	slack: SlackWorkspace;
}

export const HISTORY_DAYS = 60;

/** USD value of one unit of each currency (fixed, for plausible scaling only). */
const USD_PER_UNIT: Record<string, number> = { USD: 1, EUR: 1.08, GBP: 1.27, JPY: 0.0067 };

interface CampaignSpec {
	id: string;
	name: string;
	objective: string;
	budgetUsd: number;
}

interface AccountSpec<P extends SimulatedPlatform = AdPlatform> {
	platform: P;
	id: string;
	name: string;
	currency: string;
	timezone: string;
	campaigns: CampaignSpec[];
}

const ACCOUNT_SPECS: AccountSpec[] = [
	{
		platform: 'meta',
		id: '1029384756001',
		name: 'Northwind Apparel US',
		currency: 'USD',
		timezone: 'America/Los_Angeles',
		campaigns: [
			{ id: '120210000000000101', name: 'US | Prospecting | Winter Jackets', objective: 'OUTCOME_SALES', budgetUsd: 250 },
			{ id: '120210000000000102', name: 'US | Retargeting | Cart Abandoners', objective: 'OUTCOME_SALES', budgetUsd: 120 },
			{ id: '120210000000000103', name: 'US | Lookalike | Purchasers 1%', objective: 'OUTCOME_SALES', budgetUsd: 180 },
			{ id: '120210000000000104', name: 'US | Lead Gen | Newsletter', objective: 'OUTCOME_LEADS', budgetUsd: 60 },
		],
	},
	{
		platform: 'meta',
		id: '2039485761002',
		name: 'Northwind Apparel EU',
		currency: 'EUR',
		timezone: 'Europe/Berlin',
		campaigns: [
			{ id: '120210000000000201', name: 'DE | Prospecting | Fleece', objective: 'OUTCOME_SALES', budgetUsd: 150 },
			{ id: '120210000000000202', name: 'FR | Prospecting | Rainwear', objective: 'OUTCOME_SALES', budgetUsd: 110 },
			{ id: '120210000000000203', name: 'EU | Retargeting | Viewers 30d', objective: 'OUTCOME_SALES', budgetUsd: 80 },
		],
	},
	{
		platform: 'linkedin',
		id: '508123456',
		name: 'Northwind B2B North America',
		currency: 'USD',
		timezone: 'UTC',
		campaigns: [
			{ id: '301000101', name: 'NA | Corporate Uniforms | Lead Gen Form', objective: 'LEAD_GENERATION', budgetUsd: 300 },
			{ id: '301000102', name: 'NA | Procurement Managers | Website Visits', objective: 'WEBSITE_VISIT', budgetUsd: 150 },
			{ id: '301000103', name: 'NA | Retargeting | Whitepaper', objective: 'LEAD_GENERATION', budgetUsd: 90 },
		],
	},
	{
		platform: 'linkedin',
		id: '508765432',
		name: 'Northwind B2B United Kingdom',
		currency: 'GBP',
		timezone: 'UTC',
		campaigns: [
			{ id: '301000201', name: 'UK | Facilities Directors | Lead Gen Form', objective: 'LEAD_GENERATION', budgetUsd: 200 },
			{ id: '301000202', name: 'UK | Hospitality | Conversions', objective: 'WEBSITE_CONVERSION', budgetUsd: 120 },
			{ id: '301000203', name: 'UK | Brand Awareness | Video', objective: 'BRAND_AWARENESS', budgetUsd: 70 },
			{ id: '301000204', name: 'UK | Event | Trade Show 2025', objective: 'LEAD_GENERATION', budgetUsd: 50 },
		],
	},
	{
		platform: 'google',
		id: '1234567890',
		name: 'Northwind Search US',
		currency: 'USD',
		timezone: 'America/New_York',
		campaigns: [
			{ id: '21000000101', name: 'Search | Brand | Exact', objective: 'SEARCH', budgetUsd: 90 },
			{ id: '21000000102', name: 'Search | Generic | Rain Jackets', objective: 'SEARCH', budgetUsd: 220 },
			{ id: '21000000103', name: 'PMax | All Products', objective: 'PERFORMANCE_MAX', budgetUsd: 300 },
			{ id: '21000000104', name: 'Search | Competitors', objective: 'SEARCH', budgetUsd: 75 },
			{ id: '21000000105', name: 'Shopping | Fleece', objective: 'SHOPPING', budgetUsd: 110 },
		],
	},
	{
		platform: 'google',
		id: '9876543210',
		name: 'Northwind Search Japan',
		currency: 'JPY',
		timezone: 'Asia/Tokyo',
		campaigns: [
			{ id: '21000000201', name: 'JP | 検索 | ブランド', objective: 'SEARCH', budgetUsd: 60 },
			{ id: '21000000202', name: 'JP | Search | Outdoor Wear', objective: 'SEARCH', budgetUsd: 140 },
			{ id: '21000000203', name: 'JP | PMax | All Products', objective: 'PERFORMANCE_MAX', budgetUsd: 200 },
		],
	},
];

/** TikTok advertisers: built like `ACCOUNT_SPECS` (own random streams per id), kept in `world.tiktok`. */
const TIKTOK_SPECS: Array<AccountSpec<'tiktok'>> = [
	{
		platform: 'tiktok',
		id: '7010000000001',
		name: 'Northwind TikTok US',
		currency: 'USD',
		timezone: 'America/Chicago',
		campaigns: [
			{ id: '1790000000000101', name: 'US | Spark Ads | Winter Jackets', objective: 'CONVERSIONS', budgetUsd: 200 },
			{ id: '1790000000000102', name: 'US | Retargeting | Viewers 15d', objective: 'CONVERSIONS', budgetUsd: 90 },
			{ id: '1790000000000103', name: 'US | Lead Gen | Instant Form', objective: 'LEAD_GENERATION', budgetUsd: 60 },
		],
	},
	{
		platform: 'tiktok',
		id: '7010000000002',
		name: 'Northwind TikTok JP',
		currency: 'JPY',
		timezone: 'Asia/Tokyo',
		campaigns: [
			{ id: '1790000000000201', name: 'JP | TopView | Fleece', objective: 'REACH', budgetUsd: 120 },
			{ id: '1790000000000202', name: 'JP | In-Feed | Outdoor Wear', objective: 'CONVERSIONS', budgetUsd: 150 },
			{ id: '1790000000000203', name: 'JP | Smart+ | All Products', objective: 'CONVERSIONS', budgetUsd: 100 },
		],
	},
];

interface PlatformProfileRange {
	cpm: [number, number];
	ctr: [number, number];
	cvr: [number, number];
	aov: [number, number];
	leadRate: [number, number];
	/** Multiplier of delivery on Saturday/Sunday. */
	weekend: number;
}

const PLATFORM_PROFILES: Record<SimulatedPlatform, PlatformProfileRange> = {
	meta: { cpm: [7, 14], ctr: [0.008, 0.02], cvr: [0.02, 0.05], aov: [45, 120], leadRate: [0, 0], weekend: 1.08 },
	linkedin: { cpm: [30, 70], ctr: [0.005, 0.009], cvr: [0.01, 0.03], aov: [120, 300], leadRate: [0.06, 0.12], weekend: 0.45 },
	google: { cpm: [15, 40], ctr: [0.015, 0.03], cvr: [0.03, 0.08], aov: [50, 150], leadRate: [0, 0], weekend: 0.85 },
	tiktok: { cpm: [4, 10], ctr: [0.006, 0.015], cvr: [0.01, 0.035], aov: [35, 90], leadRate: [0, 0], weekend: 1.12 },
};

/** A daily budget as a whole amount: JPY budgets in hundreds, others in whole units. */
function roundBudget(amount: number, currency: string): number {
	return currency === 'JPY' ? Math.round(amount / 100) * 100 : Math.round(amount);
}

function budgetInCurrency(usd: number, currency: string): number {
	return roundBudget(usd / (USD_PER_UNIT[currency] ?? 1), currency);
}

/** The last history entry dated on or before `date` (the first entry before any of them). */
function inForceOn<T extends { date: string }>(history: T[], date: string): T | undefined {
	let found = history[0];
	for (const entry of history) if (entry.date <= date) found = entry;
	return found;
}

export function statusOn(campaign: Campaign, date: string): CampaignStatus {
	return inForceOn(campaign.statusHistory, date)?.status ?? campaign.status;
}

export function budgetOn(campaign: Campaign, date: string): number {
	return inForceOn(campaign.budgetHistory, date)?.dailyBudget ?? campaign.dailyBudget;
}

/**
 * One day of delivery for one campaign. Deterministic in (seed, campaign, date)
 * and the campaign's status and budget in force on that date.
 */
export function simulateDay(seed: number, account: AdAccount<SimulatedPlatform>, campaign: Campaign, date: string, dayIndex: number): DailyMetrics {
	const zero: DailyMetrics = { date, spend: 0, impressions: 0, clicks: 0, conversions: 0, revenue: 0, leads: 0 };
	if (date < campaign.createdDate || statusOn(campaign, date) !== 'ACTIVE') return zero;
	if (campaign.response) return campaign.response(date, budgetOn(campaign, date));
	const rng = rngFor(seed, 'day', account.platform, campaign.id, date);
	const range = PLATFORM_PROFILES[account.platform];
	const usdPerUnit = USD_PER_UNIT[account.currency] ?? 1;
	const dow = weekday(date);
	const weekendFactor = dow === 0 || dow === 6 ? range.weekend : 1 + 0.04 * Math.sin((dow / 7) * Math.PI * 2);
	const utilisation = Math.min(1.05, rng.float(0.78, 1.0) * weekendFactor);
	const spend = roundMoney(budgetOn(campaign, date) * utilisation, account.currency);
	if (spend <= 0) return zero;
	const p = campaign.profile;
	const cpm = (p.cpmUsd / usdPerUnit) * rng.lognormal(0.12);
	const impressions = Math.max(0, Math.round((spend / cpm) * 1000));
	const fatigue = 1 + p.trend * (dayIndex / HISTORY_DAYS);
	const ctr = Math.min(0.06, Math.max(0.002, p.ctr * fatigue * rng.lognormal(0.15)));
	const clicks = Math.min(impressions, Math.round(impressions * ctr));
	const cvr = Math.min(0.3, p.cvr * rng.lognormal(0.25));
	const conversions = Math.min(clicks, Math.max(0, Math.round(clicks * cvr + rng.normal() * 0.6)));
	const revenue = conversions > 0 ? roundMoney((conversions * p.aovUsd * rng.lognormal(0.2)) / usdPerUnit, account.currency) : 0;
	const leads = p.leadRate > 0 ? Math.min(clicks, Math.round(clicks * p.leadRate * rng.lognormal(0.2))) : 0;
	return { date, spend, impressions, clicks, conversions, revenue, leads };
}

function buildAccounts<P extends SimulatedPlatform>(seed: number, today: string, specs: Array<AccountSpec<P>>): Array<AdAccount<P>> {
	const firstDate = addDays(today, -HISTORY_DAYS);
	const lastDate = addDays(today, -1);
	return specs.map((spec) => {
		const rng = rngFor(seed, 'account', spec.id);
		const pausedIndex = rng.int(0, spec.campaigns.length - 1);
		const campaigns = spec.campaigns.map((c, index): Campaign => {
			const crng = rngFor(seed, 'campaign', c.id);
			const range = PLATFORM_PROFILES[spec.platform];
			const profile: CampaignProfile = {
				cpmUsd: crng.float(...range.cpm),
				ctr: crng.float(...range.ctr),
				cvr: crng.float(...range.cvr),
				aovUsd: crng.float(...range.aov),
				leadRate: c.objective === 'LEAD_GENERATION' || c.objective === 'OUTCOME_LEADS' ? crng.float(0.06, 0.14) : crng.float(...range.leadRate),
				trend: crng.float(-0.35, 0.25),
			};
			const initialBudget = budgetInCurrency(c.budgetUsd * crng.float(0.85, 1.15), spec.currency);
			const createdDate = index === spec.campaigns.length - 1 ? addDays(firstDate, crng.int(5, 25)) : addDays(firstDate, -crng.int(10, 200));
			const statusHistory: Campaign['statusHistory'] = [{ date: createdDate, status: 'ACTIVE' }];
			const budgetHistory: Campaign['budgetHistory'] = [{ date: createdDate, dailyBudget: initialBudget }];
			if (index === pausedIndex) {
				// Paused some weeks ago and not re-enabled.
				statusHistory.push({ date: addDays(today, -crng.int(8, 25)), status: 'PAUSED' });
			} else if (crng.chance(0.35)) {
				// A short pause in the past, re-enabled later.
				const from = addDays(today, -crng.int(30, 50));
				statusHistory.push({ date: from, status: 'PAUSED' }, { date: addDays(from, crng.int(2, 6)), status: 'ACTIVE' });
			}
			if (crng.chance(0.5)) {
				const factor = crng.pick([0.8, 0.9, 1.15, 1.2]);
				budgetHistory.push({ date: addDays(today, -crng.int(10, 40)), dailyBudget: roundBudget(initialBudget * factor, spec.currency) });
			}
			const campaign: Campaign = {
				id: c.id,
				name: c.name,
				objective: c.objective,
				status: statusHistory[statusHistory.length - 1]!.status,
				dailyBudget: budgetHistory[budgetHistory.length - 1]!.dailyBudget,
				createdDate,
				profile,
				statusHistory,
				budgetHistory,
				daily: [],
				...(spec.platform === 'google' ? { budgetId: String(Number(c.id) + 9_000_000_000) } : {}),
			};
			return campaign;
		});
		const account: AdAccount<P> = { platform: spec.platform, id: spec.id, name: spec.name, currency: spec.currency, timezone: spec.timezone, campaigns };
		for (const campaign of campaigns) {
			campaign.daily = dateRange(firstDate, lastDate).map((date, i) => simulateDay(seed, account, campaign, date, i));
		}
		return account;
	});
}

function buildKlaviyo(seed: number, today: string): KlaviyoAccount {
	const firstDate = addDays(today, -HISTORY_DAYS);
	const lastDate = addDays(today, -1);
	const rng = rngFor(seed, 'klaviyo');
	const metrics = [
		{ id: 'QxPlcd', name: 'Placed Order' },
		{ id: 'RcvEml', name: 'Received Email' },
		{ id: 'OpnEml', name: 'Opened Email' },
		{ id: 'ClkEml', name: 'Clicked Email' },
		{ id: 'UnsEml', name: 'Unsubscribed' },
	];
	const day = (date: string, recipients: number, r: Rng): KlaviyoDaily => {
		const delivered = Math.round(recipients * r.float(0.975, 0.995));
		const opensUnique = Math.round(delivered * r.float(0.32, 0.5));
		const opens = Math.round(opensUnique * r.float(1.2, 1.6));
		const clicksUnique = Math.round(delivered * r.float(0.012, 0.035));
		const clicks = Math.round(clicksUnique * r.float(1.1, 1.4));
		const conversionUniques = Math.round(clicksUnique * r.float(0.04, 0.12));
		const conversions = conversionUniques + (conversionUniques > 0 ? r.int(0, 2) : 0);
		const conversionValue = roundMoney(conversions * r.float(55, 110), 'USD');
		return {
			date,
			recipients,
			delivered,
			opens,
			opensUnique,
			clicks,
			clicksUnique,
			conversions,
			conversionUniques,
			conversionValue,
			unsubscribes: Math.round(delivered * r.float(0.0005, 0.002)),
			bounced: recipients - delivered,
		};
	};
	const empty = (date: string): KlaviyoDaily => ({ date, recipients: 0, delivered: 0, opens: 0, opensUnique: 0, clicks: 0, clicksUnique: 0, conversions: 0, conversionUniques: 0, conversionValue: 0, unsubscribes: 0, bounced: 0 });
	const dates = dateRange(firstDate, lastDate);
	const campaigns: KlaviyoMessageSource[] = [];
	const names = ['Winter Sale Kickoff', 'New Arrivals: Fleece', 'Free Shipping Weekend', 'Last Chance: Winter Sale', 'Spring Preview', 'Loyalty Members Early Access', 'Rainwear Essentials', 'Weekend Flash Sale'];
	names.forEach((name, i) => {
		const sendDate = addDays(firstDate, 3 + i * 7 + rng.int(0, 3));
		if (sendDate > lastDate) return;
		const id = `01K${fnv1a(`kc${i}`).toString(36).toUpperCase().padStart(7, '0')}CMP${i}`;
		const recipients = rng.int(18_000, 42_000);
		const daily = dates.map((date) => {
			const offset = Math.round((Date.parse(date) - Date.parse(sendDate)) / 86_400_000);
			if (offset < 0 || offset > 3) return empty(date);
			const share = [0.62, 0.22, 0.1, 0.06][offset]!;
			const d = day(date, offset === 0 ? recipients : 0, rngFor(seed, 'klaviyo-campaign', id, date));
			if (offset === 0) return d;
			// Opens, clicks and orders trail in on later days; no new sends.
			const base = day(date, Math.round(recipients * share), rngFor(seed, 'klaviyo-tail', id, date));
			return { ...base, recipients: 0, delivered: 0, bounced: 0 };
		});
		campaigns.push({ id, messageId: `01KMSG${i}${id.slice(3, 9)}`, name, kind: 'campaign', sendDate, daily });
	});
	const flowSpecs = [
		{ name: 'Welcome Series', volume: [250, 600] },
		{ name: 'Abandoned Cart', volume: [400, 900] },
		{ name: 'Post-Purchase Thank You', volume: [150, 400] },
	] as const;
	const flows = flowSpecs.map((spec, i): KlaviyoMessageSource => {
		const id = `Fl${fnv1a(spec.name).toString(36).slice(0, 4)}`;
		return {
			id,
			messageId: `FlMsg${i}${id.slice(2)}`,
			name: spec.name,
			kind: 'flow',
			daily: dates.map((date) => {
				const r = rngFor(seed, 'klaviyo-flow', id, date);
				return day(date, r.int(spec.volume[0], spec.volume[1]), r);
			}),
		};
	});
	return { id: 'Nw7Kq2', name: 'Northwind Apparel', currency: 'USD', timezone: 'America/New_York', metrics, placedOrderMetricId: 'QxPlcd', campaigns, flows };
}

const COMMENTER_NAMES = ['Alex Rivera', 'Jamie Chen', 'Sofía Martínez', 'Lukas Becker', 'Chloé Dubois', 'Priya Shah', 'Tom Walker', 'Ana Souza', 'Kenji Sato', 'Maria Rossi', 'Daniel Okoye', 'Emma Johansson', 'Giveaway Hub', 'Crypto Daniel'];

function buildMeta(seed: number, today: string, accounts: AdAccount[]): World['meta'] {
	const pages: MetaPage[] = [
		{ id: '104857600123456', name: 'Northwind Apparel', accountId: '1029384756001' },
		{ id: '104857600654321', name: 'Northwind Apparel Europe', accountId: '2039485761002' },
	];
	const posts: MetaPost[] = [];
	const ads: MetaAd[] = [];
	const comments: MetaComment[] = [];
	let objectSeq = 0;
	const postMessages = [
		'Winter is coming. Our warmest jacket yet, now 20% off. ❄️',
		'Rain or shine, the Drift shell keeps you dry. Free returns.',
		'Still thinking about it? Your cart misses you.',
		'Made from 100% recycled fleece. Soft on you, softer on the planet.',
		'Get 10% off your first order when you join the newsletter.',
		'Neue Kollektion: Fleece für kalte Tage.',
		'Nouvelle collection imperméable, livraison offerte.',
	];
	for (const account of accounts.filter((a) => a.platform === 'meta')) {
		const page = pages.find((p) => p.accountId === account.id)!;
		for (const campaign of account.campaigns) {
			const rng = rngFor(seed, 'meta-ads', campaign.id);
			const adCount = rng.int(1, 2);
			for (let a = 0; a < adCount; a++) {
				objectSeq++;
				const objectId = `8800000000${String(objectSeq).padStart(5, '0')}`;
				const published = !rng.chance(0.4);
				const post: MetaPost = {
					id: `${page.id}_${objectId}`,
					pageId: page.id,
					message: rng.pick(postMessages),
					published,
					createdTime: `${addDays(today, -rng.int(20, 55))}T${String(rng.int(8, 20)).padStart(2, '0')}:${String(rng.int(0, 59)).padStart(2, '0')}:00+0000`,
				};
				posts.push(post);
				ads.push({
					id: `1202100000${campaign.id.slice(-3)}${String(a + 1).padStart(5, '0')}`,
					name: `${campaign.name.split('|').pop()!.trim()} | Ad ${a + 1}${published ? '' : ' (dark post)'}`,
					accountId: account.id,
					campaignId: campaign.id,
					status: campaign.status,
					creativeId: `2385${campaign.id.slice(-6)}${a + 1}`,
					postId: post.id,
				});
				const count = rng.int(6, 16);
				for (let c = 0; c < count; c++) {
					const entry = rng.pick(COMMENT_CORPUS);
					const when = Date.parse(`${addDays(today, -rng.int(0, 13))}T00:00:00Z`) + rng.int(0, 86_399) * 1000;
					const author = entry.intent === 'spam' || entry.intent === 'scam' ? rng.pick(COMMENTER_NAMES.slice(-2)) : rng.pick(COMMENTER_NAMES.slice(0, -2));
					comments.push({
						id: `${objectId}_${String(990000000000 + comments.length * 7 + rng.int(1, 6))}`,
						postId: post.id,
						message: entry.text,
						from: { id: String(700000000000000 + fnv1a(author)), name: author },
						createdTime: metaTime(when),
						isHidden: false,
						deleted: false,
						likeCount: rng.int(0, 12),
						label: { intent: entry.intent, sentiment: entry.sentiment, language: entry.language, ...(entry.injection ? { injection: true } : {}) },
					});
				}
			}
		}
	}
	comments.sort((a, b) => (a.createdTime < b.createdTime ? -1 : a.createdTime > b.createdTime ? 1 : a.id < b.id ? -1 : 1));
	return { pages, posts, ads, comments };
}

const INSTAGRAM_USERS = ['alex.rivera', 'jamiechen', 'sofi.mtz', 'lukas_b', 'chloe.dbs', 'priyashah', 'tomwalker', 'ana.souza', 'kenji_s', 'maria.rossi', 'giveaway.hub', 'crypto.daniel'];

/**
 * Instagram media for about half the Meta ads (at least one per account),
 * with comments and a few replies, from `rngFor(seed, 'instagram', …)` only:
 * the Facebook side of the world (pages, posts, ads, comments) is untouched.
 */
function buildInstagram(seed: number, today: string, meta: World['meta']): World['instagram'] {
	const media: InstagramMedia[] = [];
	const comments: InstagramComment[] = [];
	const igUsers: Record<string, { id: string; username: string }> = {
		'1029384756001': { id: '17841400000000001', username: 'northwind.apparel' },
		'2039485761002': { id: '17841400000000002', username: 'northwind.europe' },
	};
	const accountsWithMedia = new Set<string>();
	for (const ad of meta.ads) {
		const rng = rngFor(seed, 'instagram', 'media', ad.id);
		const owner = igUsers[ad.accountId];
		if (!owner) continue;
		const last = meta.ads.filter((a) => a.accountId === ad.accountId).slice(-1)[0]!.id === ad.id;
		if (!rng.chance(0.5) && !(last && !accountsWithMedia.has(ad.accountId))) continue;
		accountsWithMedia.add(ad.accountId);
		const post = meta.posts.find((p) => p.id === ad.postId);
		const item: InstagramMedia = {
			id: `1789${String(media.length + 1).padStart(4, '0')}${String(fnv1a(ad.id) % 1e9).padStart(9, '0')}`,
			adId: ad.id,
			accountId: ad.accountId,
			igUserId: owner.id,
			username: owner.username,
			caption: post?.message ?? ad.name,
			timestamp: `${addDays(today, -rng.int(20, 55))}T${String(rng.int(8, 20)).padStart(2, '0')}:${String(rng.int(0, 59)).padStart(2, '0')}:00+0000`,
		};
		media.push(item);
		const count = rng.int(4, 10);
		for (let c = 0; c < count; c++) {
			const entry = rng.pick(COMMENT_CORPUS);
			const when = Date.parse(`${addDays(today, -rng.int(0, 13))}T00:00:00Z`) + rng.int(0, 86_399) * 1000;
			const username = entry.intent === 'spam' || entry.intent === 'scam' ? rng.pick(INSTAGRAM_USERS.slice(-2)) : rng.pick(INSTAGRAM_USERS.slice(0, -2));
			const comment: InstagramComment = {
				id: `1799${String(comments.length + 1).padStart(5, '0')}${String(fnv1a(`${item.id}|${c}`) % 1e8).padStart(8, '0')}`,
				mediaId: item.id,
				text: entry.text,
				from: { id: `1784150${String(fnv1a(username) % 1e9).padStart(10, '0')}`, username },
				timestamp: metaTime(when),
				hidden: false,
				deleted: false,
				label: { intent: entry.intent, sentiment: entry.sentiment, language: entry.language, ...(entry.injection ? { injection: true } : {}) },
			};
			comments.push(comment);
			if (rng.chance(0.2)) {
				const reply = rng.pick(COMMENT_CORPUS.filter((e) => e.intent !== 'spam' && e.intent !== 'scam'));
				const by = rng.pick(INSTAGRAM_USERS.slice(0, -2).filter((u) => u !== username));
				comments.push({
					id: `1799${String(comments.length + 1).padStart(5, '0')}${String(fnv1a(`${comment.id}|r`) % 1e8).padStart(8, '0')}`,
					mediaId: item.id,
					parentId: comment.id,
					text: reply.text,
					from: { id: `1784150${String(fnv1a(by) % 1e9).padStart(10, '0')}`, username: by },
					timestamp: metaTime(Math.min(when + rng.int(60, 7_200) * 1000, Date.parse(`${today}T00:00:00Z`) - 1000)),
					hidden: false,
					deleted: false,
					label: { intent: reply.intent, sentiment: reply.sentiment, language: reply.language },
				});
			}
		}
	}
	comments.sort((a, b) => (a.timestamp < b.timestamp ? -1 : a.timestamp > b.timestamp ? 1 : a.id < b.id ? -1 : 1));
	return { media, comments };
}

export function metaTime(ms: number): string {
	return new Date(ms).toISOString().replace(/\.\d{3}Z$/, '+0000');
}

const STATUS_COLORS: Record<string, string> = { Pending: 'yellow', Approved: 'green', Rejected: 'red', Expired: 'gray', Executed: 'blue', Failed: 'pink' };

/** The approval database schema from the approval-loop issue, in Notion's schema shape. */
export function approvalSchema(): Record<string, NotionPropertySchema> {
	const opt = (prefix: string, names: string[], colors?: Record<string, string>): NotionOption[] =>
		names.map((name, i) => ({ id: `${prefix}${i}`, name, color: colors?.[name] ?? ['default', 'blue', 'green', 'orange', 'purple'][i % 5]! }));
	const props: Array<[string, NotionPropertySchema]> = [
		['Name', { id: 'title', name: 'Name', type: 'title' }],
		['Kind', { id: 'kind', name: 'Kind', type: 'select', options: opt('k', ['creative', 'optimization', 'moderation']) }],
		['Status', { id: 'stat', name: 'Status', type: 'status', options: opt('s', ['Pending', 'Approved', 'Rejected', 'Expired', 'Executed', 'Failed'], STATUS_COLORS) }],
		['Platform', { id: 'plat', name: 'Platform', type: 'select', options: opt('p', ['google', 'meta', 'linkedin', 'klaviyo']) }],
		['Account', { id: 'acct', name: 'Account', type: 'rich_text' }],
		['Entity', { id: 'enty', name: 'Entity', type: 'rich_text' }],
		['Proposed change', { id: 'chng', name: 'Proposed change', type: 'rich_text' }],
		['Evidence', { id: 'evid', name: 'Evidence', type: 'rich_text' }],
		['Impact', { id: 'impc', name: 'Impact', type: 'rich_text' }],
		['Requested at', { id: 'reqa', name: 'Requested at', type: 'date' }],
		['Expires at', { id: 'expa', name: 'Expires at', type: 'date' }],
		['Decided by', { id: 'dcdb', name: 'Decided by', type: 'people' }],
		['Proposal ID', { id: 'prid', name: 'Proposal ID', type: 'rich_text' }],
		['Result', { id: 'rslt', name: 'Result', type: 'rich_text' }],
	];
	return Object.fromEntries(props);
}

function buildNotion(seed: number, today: string): NotionWorkspace {
	const created = `${addDays(today, -90)}T09:00:00.000Z`;
	const botUserId = uuidFrom('notion-user', 'bot');
	const users: NotionUser[] = [
		{ id: botUserId, name: 'AdOps Sandbox Integration', type: 'bot' },
		{ id: uuidFrom('notion-user', 'maya'), name: 'Maya Lopez', type: 'person', email: 'maya.lopez@northwind.example' },
		{ id: uuidFrom('notion-user', 'sam'), name: 'Sam Okafor', type: 'person', email: 'sam.okafor@northwind.example' },
		{ id: uuidFrom('notion-user', 'priya'), name: 'Priya Nair', type: 'person', email: 'priya.nair@northwind.example' },
		{ id: uuidFrom('notion-user', 'contractor'), name: 'Casey Contractor', type: 'person', email: 'casey@agency.example' },
	];
	const workspacePageId = uuidFrom('notion-page', 'adops-home');
	const approvalDatabaseId = uuidFrom('notion-db', 'approvals');
	const approvalDataSourceId = uuidFrom('notion-ds', 'approvals');
	const workspacePage: NotionPage = {
		id: workspacePageId,
		parent: { type: 'workspace' },
		properties: {},
		title: 'AdOps',
		createdTime: created,
		lastEditedTime: created,
		createdBy: users[1]!.id,
		lastEditedBy: users[1]!.id,
		inTrash: false,
		history: [],
	};
	const database: NotionDatabase = { id: approvalDatabaseId, title: 'AdOps Approvals', parentPageId: workspacePageId, dataSourceIds: [approvalDataSourceId], createdTime: created, lastEditedTime: created, inTrash: false };
	const dataSource: NotionDataSource = { id: approvalDataSourceId, databaseId: approvalDatabaseId, title: 'AdOps Approvals', properties: approvalSchema(), createdTime: created, lastEditedTime: created };
	// A few decided cards from before the sandbox's "today", so queries have history to filter.
	const rng = rngFor(seed, 'notion-history');
	const pages: NotionPage[] = [workspacePage];
	const historic: Array<[string, string, string, string]> = [
		['Pause "US | Competitors" (CPA 3.1× target)', 'optimization', 'Executed', 'google'],
		['New headline set for Winter Jackets', 'creative', 'Rejected', 'meta'],
		['Reply to shipping question on Rainwear post', 'moderation', 'Expired', 'meta'],
	];
	historic.forEach(([title, kind, status, platform], i) => {
		const at = `${addDays(today, -rng.int(5, 20))}T${String(10 + i).padStart(2, '0')}:00:00.000Z`;
		const decider = status === 'Expired' ? undefined : users[1 + (i % 2)]!;
		const schema = dataSource.properties;
		const properties: NotionPage['properties'] = {
			Name: { id: 'title', type: 'title', title: richText(title) },
			Kind: { id: 'kind', type: 'select', select: optionValue(schema.Kind!, kind) },
			Status: { id: 'stat', type: 'status', status: optionValue(schema.Status!, status) },
			Platform: { id: 'plat', type: 'select', select: optionValue(schema.Platform!, platform) },
			Account: { id: 'acct', type: 'rich_text', rich_text: richText('') },
			Entity: { id: 'enty', type: 'rich_text', rich_text: richText('') },
			'Proposed change': { id: 'chng', type: 'rich_text', rich_text: richText(title) },
			Evidence: { id: 'evid', type: 'rich_text', rich_text: [] },
			Impact: { id: 'impc', type: 'rich_text', rich_text: [] },
			'Requested at': { id: 'reqa', type: 'date', date: { start: at, end: null, time_zone: null } },
			'Expires at': { id: 'expa', type: 'date', date: { start: at.replace('T', 'T').slice(0, 10) + 'T23:00:00.000Z', end: null, time_zone: null } },
			'Decided by': { id: 'dcdb', type: 'people', people: decider ? [userRef(decider)] : [] },
			'Proposal ID': { id: 'prid', type: 'rich_text', rich_text: richText(`historic-${i + 1}`) },
			Result: { id: 'rslt', type: 'rich_text', rich_text: [] },
		};
		pages.push({
			id: uuidFrom('notion-page', 'historic', i),
			parent: { type: 'data_source_id', dataSourceId: approvalDataSourceId, databaseId: approvalDatabaseId },
			properties,
			createdTime: at,
			lastEditedTime: at,
			createdBy: botUserId,
			lastEditedBy: decider?.id ?? botUserId,
			inTrash: false,
			history: [],
		});
	});
	return { botUserId, users, workspacePageId, approvalDatabaseId, approvalDataSourceId, databases: [database], dataSources: [dataSource], pages };
}

export function richText(content: string): unknown[] {
	if (content === '') return [];
	return [
		{
			type: 'text',
			text: { content, link: null },
			annotations: { bold: false, italic: false, strikethrough: false, underline: false, code: false, color: 'default' },
			plain_text: content,
			href: null,
		},
	];
}

export function optionValue(schema: NotionPropertySchema, name: string): NotionOption | null {
	return schema.options?.find((o) => o.name === name) ?? null;
}

export function userRef(user: NotionUser): Record<string, unknown> {
	return user.type === 'bot'
		? { object: 'user', id: user.id, name: user.name, avatar_url: null, type: 'bot', bot: {} }
		: { object: 'user', id: user.id, name: user.name, avatar_url: null, type: 'person', person: { email: user.email } };
}

function buildSlack(seed: number, today: string): SlackWorkspace {
	const rng = rngFor(seed, 'slack');
	const base = Math.floor(Date.parse(`${addDays(today, -3)}T09:00:00Z`) / 1000);
	const users = [
		{ id: 'U0MAYA0001', name: 'maya', realName: 'Maya Lopez' },
		{ id: 'U0SAM00002', name: 'sam', realName: 'Sam Okafor' },
		{ id: 'U0PRIYA003', name: 'priya', realName: 'Priya Nair' },
	];
	const seeded: Array<[string, string]> = [
		['U0MAYA0001', 'Morning! Reminder: EU budgets are frozen until the quarterly review.'],
		['U0SAM00002', 'LinkedIn UK lead gen looks expensive this week, keeping an eye on it.'],
		['U0PRIYA003', 'New creatives for the fleece launch are in the shared drive 🎉'],
	];
	const alerts: SlackChannel = {
		id: 'C0ADOPSALR',
		name: 'adops-alerts',
		isPrivate: false,
		isMember: true,
		created: base - 86_400 * 200,
		topic: 'Automated alerts from AdOps',
		messages: seeded.map(([user, text], i) => ({ ts: `${base + i * 3600 + rng.int(0, 900)}.${String(100 + i).padStart(6, '0')}`, channel: 'C0ADOPSALR', user, text, viaApi: false })),
	};
	return {
		teamId: 'T0ADOPS001',
		teamName: 'Northwind AdOps (sandbox)',
		botUserId: 'U0ADOPSBOT',
		botId: 'B0ADOPSBOT',
		appId: 'A0ADOPSAPP',
		users,
		channels: [
			alerts,
			{ id: 'C0ADOPSAPR', name: 'adops-approvals', isPrivate: false, isMember: true, created: base - 86_400 * 100, topic: 'Proposals waiting for a decision', messages: [] },
			{ id: 'C0RANDOM01', name: 'random', isPrivate: false, isMember: false, created: base - 86_400 * 400, topic: '', messages: [] },
		],
	};
}

export function createWorld(seed: number, today: string): World {
	const accounts = buildAccounts(seed, today, ACCOUNT_SPECS);
	const meta = buildMeta(seed, today, accounts);
	return {
		seed,
		today,
		firstDate: addDays(today, -HISTORY_DAYS),
		credentials: SANDBOX_CREDENTIALS,
		accounts,
		tiktok: { advertisers: buildAccounts(seed, today, TIKTOK_SPECS) },
		klaviyo: buildKlaviyo(seed, today),
		meta,
		instagram: buildInstagram(seed, today, meta),
		notion: buildNotion(seed, today),
		slack: buildSlack(seed, today),
	};
}

/**
 * Close `today` (delivery with each campaign's current status and budget),
 * then move the clock `days` forward. Klaviyo flows keep sending daily.
 */
export function advanceWorld(world: World, days: number): void {
	for (let n = 0; n < days; n++) {
		const date = world.today;
		for (const account of [...world.accounts, ...world.tiktok.advertisers] as Array<AdAccount<SimulatedPlatform>>) {
			for (const campaign of account.campaigns) {
				const index = campaign.daily.length;
				campaign.daily.push(simulateDay(world.seed, account, campaign, date, index));
			}
		}
		for (const flow of world.klaviyo.flows) {
			const r = rngFor(world.seed, 'klaviyo-flow', flow.id, date);
			const prev = flow.daily[flow.daily.length - 1];
			const recipients = prev ? Math.max(50, Math.round(prev.recipients * r.float(0.85, 1.15))) : 300;
			const delivered = Math.round(recipients * 0.985);
			const clicksUnique = Math.round(delivered * 0.02);
			const conversions = Math.round(clicksUnique * 0.08);
			flow.daily.push({
				date,
				recipients,
				delivered,
				opens: Math.round(delivered * 0.55),
				opensUnique: Math.round(delivered * 0.4),
				clicks: Math.round(clicksUnique * 1.2),
				clicksUnique,
				conversions,
				conversionUniques: conversions,
				conversionValue: roundMoney(conversions * 82.5, 'USD'),
				unsubscribes: Math.round(delivered * 0.001),
				bounced: recipients - delivered,
			});
		}
		for (const campaign of world.klaviyo.campaigns) {
			campaign.daily.push({ date, recipients: 0, delivered: 0, opens: 0, opensUnique: 0, clicks: 0, clicksUnique: 0, conversions: 0, conversionUniques: 0, conversionValue: 0, unsubscribes: 0, bounced: 0 });
		}
		world.today = addDays(world.today, 1);
	}
}

/** Lookups in the world, for the sandbox's APIs and for tests' ground truth. */
export function findAccount<P extends SimulatedPlatform>(world: World, platform: P, id: string): AdAccount<P> | undefined {
	const all = (platform === 'tiktok' ? world.tiktok.advertisers : world.accounts) as Array<AdAccount<SimulatedPlatform>>;
	return all.find((a) => a.platform === platform && a.id === id) as AdAccount<P> | undefined;
}

export function findCampaign<P extends SimulatedPlatform>(world: World, platform: P, campaignId: string): { account: AdAccount<P>; campaign: Campaign } | undefined {
	for (const account of (platform === 'tiktok' ? world.tiktok.advertisers : world.accounts) as Array<AdAccount<P>>) {
		if (account.platform !== platform) continue;
		const campaign = account.campaigns.find((c) => c.id === campaignId);
		if (campaign) return { account, campaign };
	}
	return undefined;
}

/** Sum of an account's metrics over [since, until] inclusive. */
export function accountTotals(account: AdAccount<SimulatedPlatform>, since: string, until: string): Omit<DailyMetrics, 'date'> {
	const total = { spend: 0, impressions: 0, clicks: 0, conversions: 0, revenue: 0, leads: 0 };
	for (const campaign of account.campaigns) {
		for (const d of campaign.daily) {
			if (d.date < since || d.date > until) continue;
			total.spend += d.spend;
			total.impressions += d.impressions;
			total.clicks += d.clicks;
			total.conversions += d.conversions;
			total.revenue += d.revenue;
			total.leads += d.leads;
		}
	}
	total.spend = roundMoney(total.spend, account.currency);
	total.revenue = roundMoney(total.revenue, account.currency);
	return total;
}

/** Change a campaign's status/budget from `today` on, as an API write does. */
export function applyCampaignChange(world: World, campaign: Campaign, change: { status?: CampaignStatus; dailyBudget?: number }): void {
	if (change.status && change.status !== campaign.status) {
		campaign.status = change.status;
		campaign.statusHistory = campaign.statusHistory.filter((h) => h.date < world.today);
		campaign.statusHistory.push({ date: world.today, status: change.status });
	}
	if (change.dailyBudget !== undefined && change.dailyBudget !== campaign.dailyBudget) {
		campaign.dailyBudget = change.dailyBudget;
		campaign.budgetHistory = campaign.budgetHistory.filter((h) => h.date < world.today);
		campaign.budgetHistory.push({ date: world.today, dailyBudget: change.dailyBudget });
	}
}

/**
 * The sandbox's record of campaign changes, per world (a reset starts an
 * empty one): changes made through the platforms' APIs and manual edits made
 * "in the platform's UI" through each platform's admin route
 * (`POST /<platform>/_admin/campaigns/{id}/edit` with `who`, `via`, `at`).
 * The platform modules serve them in their vendor's shape: Meta's ad account
 * `activities` edge, Google Ads' `change_event`, LinkedIn's
 * `changeAuditStamps.lastModified`.
 */
import { bodyObject, json, now, type Ctx, type Reply } from '../core';
import { applyCampaignChange, findCampaign, type AdAccount, type Campaign, type CampaignStatus, type World } from '../world';

export interface RecordedChange {
	platform: 'meta' | 'google_ads' | 'linkedin';
	accountId: string;
	campaignId: string;
	atMs: number;
	kind: 'budget' | 'status';
	before: number | string;
	after: number | string;
	/** A person (manual edit) or the API app. */
	who: string;
	/** Ads Manager, Google Ads web interface, Campaign Manager, or API. */
	via: string;
	manual: boolean;
}

const logs = new WeakMap<World, RecordedChange[]>();

export function changeLog(world: World): RecordedChange[] {
	let list = logs.get(world);
	if (!list) logs.set(world, (list = []));
	return list;
}

/** Applies a change to a campaign and records it (budget and status separately, as the platforms log them). */
export function recordedChange(
	world: World,
	platform: RecordedChange['platform'],
	account: AdAccount,
	campaign: Campaign,
	change: { status?: CampaignStatus; dailyBudget?: number },
	by: { who: string; via: string; manual: boolean; atMs: number },
): void {
	const log = changeLog(world);
	const base = { platform, accountId: account.id, campaignId: campaign.id, atMs: by.atMs, who: by.who, via: by.via, manual: by.manual };
	if (change.dailyBudget !== undefined && change.dailyBudget !== campaign.dailyBudget) log.push({ ...base, kind: 'budget', before: campaign.dailyBudget, after: change.dailyBudget });
	if (change.status !== undefined && change.status !== campaign.status) log.push({ ...base, kind: 'status', before: campaign.status, after: change.status });
	applyCampaignChange(world, campaign, change);
}

/**
 * The admin route of a platform: a person's edit in the platform's UI.
 * Body: `{ dailyBudget?: number (major units), status?: 'ACTIVE'|'PAUSED', who: string, via?: string, at?: ISO-8601 }`.
 */
export function manualEdit(platform: RecordedChange['platform'], defaultVia: string): (ctx: Ctx) => Reply {
	return (ctx) => {
		const world = ctx.state.world;
		// the world names Google's accounts 'google'; the package's id is 'google_ads'
		const found = findCampaign(world, platform === 'google_ads' ? 'google' : platform, ctx.params[0]!);
		if (!found) return json(404, { error: `no ${platform} campaign ${ctx.params[0]}` });
		const body = bodyObject(ctx);
		const who = typeof body.who === 'string' && body.who.trim() ? body.who.trim() : null;
		if (!who) return json(400, { error: 'who is required (the person making the edit)' });
		const change: { status?: CampaignStatus; dailyBudget?: number } = {};
		if (body.status !== undefined) {
			if (body.status !== 'ACTIVE' && body.status !== 'PAUSED') return json(400, { error: 'status must be ACTIVE or PAUSED' });
			change.status = body.status;
		}
		if (body.dailyBudget !== undefined) {
			if (typeof body.dailyBudget !== 'number' || !(body.dailyBudget > 0)) return json(400, { error: 'dailyBudget must be a positive number (major units)' });
			change.dailyBudget = body.dailyBudget;
		}
		if (change.status === undefined && change.dailyBudget === undefined) return json(400, { error: 'give dailyBudget and/or status' });
		const atMs = typeof body.at === 'string' ? Date.parse(body.at) : now(ctx.state);
		if (!Number.isFinite(atMs)) return json(400, { error: 'at must be an ISO-8601 instant' });
		recordedChange(world, platform, found.account, found.campaign, change, { who, via: typeof body.via === 'string' && body.via ? body.via : defaultVia, manual: true, atMs });
		return json(200, { ok: true, campaign: { id: found.campaign.id, status: found.campaign.status, dailyBudget: found.campaign.dailyBudget } });
	};
}

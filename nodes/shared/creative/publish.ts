/**
 * Publishing one approved creative variant to its platform (issue 20, item 1):
 * a paused ad with exactly the approved text, created at most once.
 *
 *   read the variant (approved? does its copy fit one ad: `copyDoesNotFit`)
 *   → claim `publish:<variant id>` in the action ledger → Google Ads:
 *   validate_only first → create → write the platform ids back on
 *   `creative_variants` (status `published`, who approved it and when)
 *
 * Platforms: those of the registry with the `creativePublish` capability
 * (Meta: an ad creative and an ad in the ad set; Google Ads: a responsive
 * search ad in the ad group, pinned positions kept; LinkedIn: a sponsored
 * content creative with its inline post). Anything else is `not_supported`
 * with the reason (TikTok: its ads carry text on a video the variant does not
 * have, and the registry has no creative publishing for it). The calls are
 * the adapters' `createAd` / `findAd` (platforms/ad-publish.ts).
 *
 * Three outcomes, as every side effect here:
 * - `published`: the platform answered with the ad; the ids are stored.
 * - `failed`: refused (validation, policy, configuration) or known not to
 *   have been sent; the words name the account, the call and what to fix.
 *   The variant stays `approved` (publish_outcome `failed`) and publishing
 *   it again is safe (the ledger re-claims a failed key).
 * - `unknown`: the answer was lost or late (5xx, timeout, malformed answer,
 *   or the process died holding the claim). The variant stays `approved`
 *   with publish_outcome `unknown` and nothing is sent again under its key
 *   until the platform has been read: the next call looks the ad up
 *   (`findAd`: Meta and LinkedIn by the ad's name `AdOps variant <id>`,
 *   Google Ads by the variant's tag among the ad's URL custom parameters,
 *   else its final URL and normalized text, in the ad group). Found →
 *   `published` (reconciled); not there → `failed`, retryable; unreadable →
 *   stays unknown. The ad group or ad set is resolved once, before the claim
 *   (chosen, else the adapter's `defaultParent`: Google's best ad group by
 *   conversions then clicks over 30 days, Meta's first ad set) and kept in
 *   the ledger's intent, so a lost answer is looked for where it was sent.
 *
 * The ledger is the store's (`claimAction` / `completeAction` /
 * `resolveAction`), as the optimizer and the moderation and insights
 * deliveries use it; a claim's holder and abandonment are
 * moderation/reconcile.ts's `claimHolder` / `claimAbandoned`.
 *
 * The ledger completion and the variant's row commit in one transaction on
 * SQL stores (store/transaction.ts `inOneTransaction`); on Supabase the row
 * follows the ledger, and a later call repairs a row whose ledger entry
 * already succeeded. `checkPublished` is the read-only form for the approval
 * loop's reconciler: it never sends a create. Failpoints (the SIGKILL
 * tests): `creative.publish.after-claim`: claimed, nothing sent yet;
 * `creative.publish.after-platform`: the ad exists, the ledger is still
 * `claimed`; platforms/meta-publish.ts `meta.publish.after-creative`: Meta's
 * ad creative exists, its ad not yet (the retry reuses the creative).
 */
import { escapeMrkdwn, type Alert } from '../alerts/message';
import { claimAbandoned, claimHolder, holderName } from '../moderation/reconcile';
import { isAdPublisher, publishedAdUrl, type AdCopy, type AdStatus, type AdText, type CreateAdInput, type CreatedAd } from '../platforms/ad-publish';
import { PLATFORM_LABELS, PLATFORM_REGISTRY, platformsWith, type PlatformDefinition, type PlatformId } from '../platforms/registry';
import { PlatformApiError } from '../resilience/errors';
import { failpoint } from '../resilience/failpoints';
import { sideEffectOutcome, unknownOutcomeText } from '../resilience/outcome';
import { inOneTransaction } from '../store/transaction';
import type { CompleteOutcome, Json, Row, RowInput, Store } from '../store/types';

/** Ledger kind of a publish. */
export const PUBLISH_LEDGER_KIND = 'creative.publish';

/** The ledger key of publishing `variantId`. */
export const publishKey = (variantId: string): string => `publish:${variantId}`;

/** The ad's name on the platform: how a lost answer is found again. */
export const publishedAdName = (variantId: string): string => `AdOps variant ${variantId}`;

/** Where and how the variant goes live; the adapter says what its platform lacks (a `config` failure). */
export interface PublishTarget {
	/** Landing page of the ad. */
	link: string;
	/** Default `PAUSED`: a person turns it on in the platform. */
	status?: AdStatus;
	/** Meta: the ad set (default: the campaign's first); Google Ads: the ad group (default: the campaign's best by conversions, then clicks, over the last 30 days). */
	parentId?: string;
	/** Meta: the Facebook Page the ad speaks for (required). */
	pageId?: string;
	/** Meta: an uploaded image's hash, or the image of the campaign's existing ads; none: a link ad without an image of its own. */
	image?: { hash: string } | { fromCampaign: true };
	/** LinkedIn: the organization (company page) that authors the post (required). */
	organizationId?: string;
	/** Google Ads pinned positions: headline 0 → position 1 (`HEADLINE_1`), description 1 → 2 (`DESCRIPTION_2`). */
	pins?: Array<{ field: 'headlines' | 'descriptions'; index: number; position: 1 | 2 | 3 }>;
}

export interface PublishRequest {
	variantId: string;
	target: PublishTarget;
	/** Who approved it and when (the approval's decision); read from the approval when not given. */
	approvedBy?: string | null;
	approvedAt?: string | null;
}

export interface PublishDeps {
	store: Store;
	/** The adapters by platform (`createPlatformAdapter`); each needs `createAd` / `findAd`. */
	adapters: Partial<Record<PlatformId, unknown>>;
	now?: () => Date;
	/** Who publishes (n8n's execution id): the ledger claim is held by it. */
	runId?: string;
	/** A claim older than this whose holder cannot be checked is taken as abandoned (default 10 min). */
	staleClaimMs?: number;
}

interface Common {
	variantId: string;
	platform: string;
	accountId: string | null;
	campaignId: string | null;
	/** Words for a person. */
	text: string;
}

export type PublishResult =
	| (Common & { outcome: 'published'; adId: string; url: string | null; creativeId: string | null; parentId: string | null; adStatus: string; how: 'created' | 'already_published' | 'reconciled' })
	| (Common & { outcome: 'failed'; retryable: boolean })
	| (Common & { outcome: 'unknown' })
	| (Common & { outcome: 'not_supported' });

/** The platforms whose variants can be published: the registry's `creativePublish` capability. */
export const PUBLISH_PLATFORMS: readonly PlatformId[] = platformsWith('creativePublish');

/** Why `platform` cannot be published to, or null when it can. */
export function publishUnsupportedReason(platform: string): string | null {
	if ((PUBLISH_PLATFORMS as readonly string[]).includes(platform)) return null;
	const label = (PLATFORM_LABELS as Record<string, string>)[platform] ?? platform;
	const why = (PLATFORM_REGISTRY as Record<string, PlatformDefinition | undefined>)[platform]?.publishUnsupported;
	if (why) return `${label} is not supported for publishing: ${why}, and the platform registry has no creative publishing for ${label}; nothing was created`;
	return `${label} is not supported for publishing: only ${PUBLISH_PLATFORMS.map((p) => PLATFORM_LABELS[p]).join(', ')} ads can be created from approved copy; nothing was created`;
}

const lines = (text: string | null): string[] => (text ?? '').split('\n').filter((l) => l.trim() !== '');

/** The approved copy of a variant row as the platforms take it, pins applied. */
export function variantCopy(row: Row<'creative_variants'>, target: PublishTarget): AdCopy {
	const pinned = (field: 'headlines' | 'descriptions', list: string[]): AdText[] =>
		list.map((text, index) => {
			const pin = target.pins?.find((p) => p.field === field && p.index === index);
			return pin ? { text, pinnedField: `${field === 'headlines' ? 'HEADLINE' : 'DESCRIPTION'}_${pin.position}` } : { text };
		});
	return { headlines: pinned('headlines', lines(row.headline)), descriptions: pinned('descriptions', lines(row.description)), primaryText: row.primary_text, callToAction: row.call_to_action, link: target.link };
}


/**
 * Why `copy` does not fit the one ad `platform` creates from it, or null: more headlines or descriptions
 * than the ad holds (the registry's `creative` counts: a Meta or LinkedIn ad has one of each), which the
 * adapter would otherwise drop without a word. Lengths and required fields are the platform's to refuse.
 */
export function copyDoesNotFit(platform: PlatformId, copy: AdCopy): string | null {
	const limits = PLATFORM_REGISTRY[platform].creative;
	if (!limits) return null;
	const over = (
		[
			['headlines', copy.headlines.length, limits.headline.max],
			['descriptions', copy.descriptions.length, limits.description.max],
		] as const
	).filter(([, n, max]) => n > max);
	if (over.length === 0) return null;
	return over.map(([noun, n, max]) => `it has ${n} ${noun} and a ${PLATFORM_LABELS[platform]} ad takes ${max}`).join('; ');
}

function message(error: unknown): string {
	return error instanceof Error ? error.message : String(error);
}

/** What happened to a lost answer, without the platform's own advice (a 5xx says "please retry", which an unknown outcome must not). */
function lostCause(error: unknown): string {
	if (error instanceof PlatformApiError) return `${PLATFORM_LABELS[error.platform]} ${error.call}${error.accountId ? ` (account ${error.accountId})` : ''} ${error.httpStatus ? `answered HTTP ${error.httpStatus}` : `ended with ${error.kind.replace(/_/g, ' ')}`}`;
	return message(error);
}

/**
 * Publishes the approved variant `req.variantId` (see the module comment).
 * Never throws for a platform's answer: the result says what happened.
 */
export async function publishVariant(deps: PublishDeps, req: PublishRequest): Promise<PublishResult> {
	return publishOrCheck(deps, req, false);
}

/**
 * The read-only form of `publishVariant` (the approval loop's reconciler): reports `published` when the
 * ledger or the platform shows the ad (and records it), `failed` when nothing was sent or the platform shows
 * no ad, `unknown` when it cannot tell; never sends a create.
 */
export async function checkPublished(deps: PublishDeps, req: PublishRequest): Promise<PublishResult> {
	return publishOrCheck(deps, req, true);
}

async function publishOrCheck(deps: PublishDeps, req: PublishRequest, checkOnly: boolean): Promise<PublishResult> {
	const { store } = deps;
	const now = deps.now ?? (() => new Date());
	const [row] = await store.select('creative_variants', { where: { id: req.variantId } });
	const base = { variantId: req.variantId, platform: row?.platform ?? '', accountId: row?.account_id ?? null, campaignId: row?.campaign_id ?? null };
	if (!row) return { ...base, outcome: 'failed', retryable: false, text: `No creative variant ${req.variantId} in creative_variants: nothing was published` };
	const label = (PLATFORM_LABELS as Record<string, string>)[row.platform] ?? row.platform;
	const where = `${label} account ${row.account_id ?? '?'}, campaign ${row.campaign_id}`;
	if (row.status === 'published' && row.platform_ad_id) {
		return { ...base, outcome: 'published', how: 'already_published', adId: row.platform_ad_id, url: publishedAdUrl(row.platform, row.account_id ?? '', row.campaign_id, { adId: row.platform_ad_id, parentId: row.platform_parent_id }), creativeId: row.platform_creative_id, parentId: row.platform_parent_id, adStatus: row.platform_status ?? 'PAUSED', text: `Variant ${row.id} is already published in ${where} as ad ${row.platform_ad_id}; nothing was created` };
	}
	const unsupported = publishUnsupportedReason(row.platform);
	if (unsupported) return { ...base, outcome: 'not_supported', text: unsupported };
	if (row.status !== 'approved') return { ...base, outcome: 'failed', retryable: false, text: `Variant ${row.id} is ${row.status}, not approved: only approved variants are published; nothing was created` };
	if (!row.account_id) return { ...base, outcome: 'failed', retryable: true, text: `Variant ${row.id} names no ${label} ad account: set the account on the variant's campaign; nothing was created` };
	if (!/^https?:\/\/\S+$/.test(req.target.link ?? '')) return { ...base, outcome: 'failed', retryable: true, text: `Variant ${row.id} was not published to ${where}: the publish settings lack the landing page link (an http(s) URL); it stays approved` };
	const copy = variantCopy(row, req.target);
	const misfit = copyDoesNotFit(row.platform as PlatformId, copy);
	if (misfit) return { ...base, outcome: 'failed', retryable: false, text: `Variant ${row.id} was not published to ${where}: ${misfit}, so the ad would not carry the approved text; nothing was created. It stays approved: change its copy to fit, then publish it` };
	const adapter = deps.adapters[row.platform as PlatformId];
	if (!isAdPublisher(adapter)) return { ...base, outcome: 'failed', retryable: true, text: `No ${label} adapter that can create ads was given: add the ${label} credential; variant ${row.id} stays approved` };

	let approvedBy = req.approvedBy ?? null;
	let approvedAt = req.approvedAt ?? null;
	if ((req.approvedBy === undefined || req.approvedAt === undefined) && row.proposal_id) {
		const [approval] = await store.select('approvals', { where: { proposal_id: row.proposal_id } });
		approvedBy = req.approvedBy ?? approval?.decided_by ?? null;
		approvedAt = req.approvedAt ?? approval?.decided_at ?? null;
	}

	const key = publishKey(row.id);
	const [earlier] = await store.select('action_ledger', { where: { idempotency_key: key } });
	if (checkOnly && (!earlier || earlier.status === 'failed')) {
		return { ...base, outcome: 'failed', retryable: true, text: `Variant ${row.id} was never sent to ${where}${earlier ? ' (its last attempt failed)' : ''}: nothing to find; it stays approved` };
	}
	// where the ad goes: chosen, else where an earlier attempt sent it (its intent), else the platform's default
	let parentId = req.target.parentId;
	let parentWhy = '';
	const earlierParent = (earlier?.intent as { parentId?: unknown } | null | undefined)?.parentId;
	if (!parentId && typeof earlierParent === 'string' && earlierParent !== '') parentId = earlierParent;
	if (!parentId && adapter.defaultParent && !checkOnly) {
		try {
			const found = await adapter.defaultParent({ accountId: row.account_id, campaignId: row.campaign_id });
			if (found) {
				parentId = found.id;
				parentWhy = `; it went into ${found.why}`;
			}
		} catch (error) {
			const text = `Variant ${row.id} was not published to ${where}: reading the campaign's ${adapter.adPublishing.parentLabel ?? 'structure'}s failed (${message(error)}); nothing was created. It stays approved; publish it again`;
			return { ...base, outcome: 'failed', retryable: true, text };
		}
	}

	const status: AdStatus = req.target.status ?? 'PAUSED';
	const input: CreateAdInput = {
		accountId: row.account_id,
		campaignId: row.campaign_id,
		name: publishedAdName(row.id),
		tag: row.id,
		...(parentId ? { parentId } : {}),
		...(req.target.image ? { image: req.target.image } : {}),
		...(req.target.pageId ? { pageId: req.target.pageId } : {}),
		...(req.target.organizationId ? { organizationId: req.target.organizationId } : {}),
		status,
		copy,
	};
	const intent = {
		kind: PUBLISH_LEDGER_KIND,
		target: `${row.platform}:${row.account_id}:${row.campaign_id}`,
		intent: { variantId: row.id, contentHash: row.content_hash, name: input.name, parentId: input.parentId ?? null, status } as Json,
		retryFailed: true,
		claimedBy: claimHolder(deps.runId ?? `publish ${row.id}`),
	};

	const published = (ad: CreatedAd, how: 'created' | 'already_published' | 'reconciled', extra = ''): PublishResult => ({
		...base,
		outcome: 'published',
		how,
		adId: ad.adId,
		url: publishedAdUrl(row.platform, row.account_id!, row.campaign_id, ad),
		creativeId: ad.creativeId,
		parentId: ad.parentId,
		adStatus: ad.status,
		text: `Variant ${row.id} ${how === 'created' ? 'is published' : how === 'reconciled' ? 'was published (found on the platform)' : 'is already published'} in ${where} as ${ad.status === 'PAUSED' ? 'a paused' : 'an active'} ad ${ad.adId}${ad.parentId && adapter.adPublishing.parentLabel ? ` in ${adapter.adPublishing.parentLabel} ${ad.parentId}` : ''}${approvedBy ? `, approved by ${approvedBy}` : ''}${how === 'created' ? parentWhy : ''}${extra}`,
	});
	const publishedPatch = (ad: CreatedAd): Partial<RowInput<'creative_variants'>> => ({
		status: 'published',
		platform_ad_id: ad.adId,
		platform_creative_id: ad.creativeId,
		platform_parent_id: ad.parentId,
		platform_status: ad.status,
		approved_by: approvedBy,
		approved_at: approvedAt,
		published_at: now().toISOString(),
		publish_outcome: 'published',
		publish_error: null,
	});
	const adJson = (ad: CreatedAd): Json => ({ adId: ad.adId, creativeId: ad.creativeId, parentId: ad.parentId, status: ad.status, platform: ad.platform, accountId: ad.accountId });
	const markRow = (s: Store, patch: Partial<RowInput<'creative_variants'>>) => s.update('creative_variants', { id: row.id }, patch);

	const claim = await store.claimAction(key, intent);
	if (!claim.claimed) {
		const entry = claim.entry;
		if (entry.status === 'succeeded') {
			const r = (entry.response ?? {}) as Record<string, unknown>;
			const ad: CreatedAd = { platform: row.platform as CreatedAd['platform'], accountId: row.account_id, adId: String(r.adId ?? ''), creativeId: (r.creativeId as string | null) ?? null, parentId: (r.parentId as string | null) ?? null, status: String(r.status ?? status), validateOnly: false };
			// the ledger says done but the row was not written (Supabase, or a crash in between): repair it
			if (ad.adId) await markRow(store, publishedPatch(ad));
			return published(ad, 'already_published', '; nothing was created');
		}
		const open = entry.status === 'unknown' || (entry.status === 'claimed' && claimAbandoned(entry, now(), deps.staleClaimMs));
		if (!open) {
			return { ...base, outcome: 'unknown', text: `Publishing variant ${row.id} to ${where} is in progress by ${holderName(entry.claimed_by)} since ${entry.updated_at ?? entry.created_at}; nothing was sent` };
		}
		const from = entry.status as 'unknown' | 'claimed';
		const why = from === 'unknown' ? "an earlier attempt's answer was lost" : 'an earlier run stopped while publishing';
		let found: CreatedAd | null;
		try {
			found = await adapter.findAd(input);
		} catch (error) {
			return { ...base, outcome: 'unknown', text: unknownOutcomeText(`Publishing variant ${row.id} to ${where}`, `${why}, and the platform could not be read: ${message(error)}`) };
		}
		const attempts = from === 'claimed' ? { attempts: entry.attempts } : {};
		if (found) {
			await inOneTransaction(store, async (s) => {
				await s.resolveAction(key, { from, status: 'succeeded', resolution: `${why}; found on the platform: ad ${found.adId} ("${input.name}")`, response: adJson(found), ...attempts });
				await markRow(s, publishedPatch(found));
			});
			return published(found, 'reconciled', `; ${why}, the ad was found on the platform and nothing was created again`);
		}
		const text = `Variant ${row.id} was not published to ${where}: ${why}, and no ad "${input.name}" exists on the platform, so that attempt created nothing. It stays approved; publishing it again creates it`;
		await inOneTransaction(store, async (s) => {
			await s.resolveAction(key, { from, status: 'failed', resolution: `${why}; no ad "${input.name}" on the platform: not created`, ...attempts });
			await markRow(s, { publish_outcome: 'failed', publish_error: text });
		});
		return { ...base, outcome: 'failed', retryable: true, text };
	}

	if (checkOnly) {
		// the entry moved to failed between the read and the claim: this check sends nothing, so the claim ends failed
		await store.completeAction(key, { status: 'failed', error: 'claimed by a read-only check, which sends nothing' });
		return { ...base, outcome: 'failed', retryable: true, text: `Variant ${row.id} was not sent to ${where} by its last attempt; it stays approved` };
	}
	failpoint('creative.publish.after-claim');
	const finish = async (outcome: CompleteOutcome, patch: Partial<RowInput<'creative_variants'>>) =>
		inOneTransaction(store, async (s) => {
			await s.completeAction(key, outcome);
			await markRow(s, patch);
		});
	if (adapter.adPublishing.validateFirst) {
		// validate_only first: whatever its answer, a validate-only call created nothing, so its failure is a known failure
		try {
			await adapter.createAd({ ...input, validateOnly: true });
		} catch (error) {
			const text = `Variant ${row.id} was not published to ${where}: the validate-only check refused it or did not answer (${message(error)}); nothing was created. It stays approved; publish it again once fixed`;
			await finish({ status: 'failed', error: message(error).slice(0, 2000) }, { publish_outcome: 'failed', publish_error: text });
			return { ...base, outcome: 'failed', retryable: true, text };
		}
	}
	try {
		const ad = await adapter.createAd(input);
		failpoint('creative.publish.after-platform');
		await finish({ status: 'succeeded', response: adJson(ad) }, publishedPatch(ad));
		return published(ad, 'created');
	} catch (error) {
		const why = message(error);
		if (sideEffectOutcome(error) === 'failed') {
			const text = `Variant ${row.id} was not published to ${where}: ${why}. It stays approved; publish it again once fixed`;
			await finish({ status: 'failed', error: why.slice(0, 2000) }, { publish_outcome: 'failed', publish_error: text });
			return { ...base, outcome: 'failed', retryable: true, text };
		}
		const text = `${unknownOutcomeText(`Publishing variant ${row.id} to ${where}`, lostCause(error))}. The ad "${input.name}" is looked up on the platform before anything is sent again`;
		await finish({ status: 'unknown', error: why.slice(0, 2000) }, { publish_outcome: 'unknown', publish_error: text });
		return { ...base, outcome: 'unknown', text };
	}
}

export interface PublishApprovedFilter {
	/** Only these variants; empty or undefined: every approved one. */
	variantIds?: string[];
	platforms?: PlatformId[];
	campaignId?: string;
	/** At most this many variants per call (oldest approved first; default 20). */
	limit?: number;
}

/**
 * Publishes the approved, not yet published variants (AdOps Creative, Publish Approved): those with status
 * `approved`, oldest first, each with its platform's target. A variant whose last attempt is unknown is
 * read back, not sent again (publishVariant). One result per variant, in words.
 */
export async function publishApprovedVariants(deps: PublishDeps, targets: Partial<Record<PlatformId, PublishTarget>>, filter: PublishApprovedFilter = {}): Promise<PublishResult[]> {
	const rows = await deps.store.select('creative_variants', {
		where: {
			status: 'approved',
			...(filter.variantIds && filter.variantIds.length > 0 ? { id: { in: filter.variantIds } } : {}),
			...(filter.platforms && filter.platforms.length > 0 ? { platform: { in: filter.platforms } } : {}),
			...(filter.campaignId ? { campaign_id: filter.campaignId } : {}),
		},
		order: [{ column: 'created_at', ascending: true }, { column: 'id', ascending: true }],
		limit: filter.limit ?? 20,
	});
	const results: PublishResult[] = [];
	for (const row of rows) {
		const target = targets[row.platform as PlatformId];
		if (!target) {
			const unsupported = publishUnsupportedReason(row.platform);
			const label = (PLATFORM_LABELS as Record<string, string>)[row.platform] ?? row.platform;
			results.push({ variantId: row.id, platform: row.platform, accountId: row.account_id, campaignId: row.campaign_id, ...(unsupported ? { outcome: 'not_supported' as const, text: unsupported } : { outcome: 'failed' as const, retryable: true, text: `Variant ${row.id} was not published: no ${label} publish settings were given; it stays approved` }) });
			continue;
		}
		results.push(await publishVariant(deps, { variantId: row.id, target }));
	}
	return results;
}

/**
 * The Slack alert of one publish result: published → the ad's link button (Open in <platform>); failed or not
 * supported → what to fix; unknown → that it is being checked and nothing is sent again. The text is the
 * result's own words, escaped (it quotes the platform and the copy).
 */
export function publishAlert(r: PublishResult): Alert {
	const label = (PLATFORM_LABELS as Record<string, string>)[r.platform] ?? r.platform;
	const fields = [
		{ label: 'Platform', value: label },
		...(r.accountId ? [{ label: 'Account', value: r.accountId }] : []),
		...(r.campaignId ? [{ label: 'Campaign', value: r.campaignId }] : []),
		{ label: 'Variant', value: r.variantId },
	];
	const message = escapeMrkdwn(r.text);
	if (r.outcome === 'published') {
		return { kind: 'action', label: r.how === 'created' ? 'Published' : 'Already published', title: `${label} ad ${r.adStatus === 'PAUSED' ? 'created paused' : 'created live'}`, message, fields: [...fields, { label: 'Ad', value: r.adId }], ...(r.url ? { link: { url: r.url, text: `Open in ${label}` } } : {}) };
	}
	if (r.outcome === 'unknown') return { kind: 'failure', label: 'Outcome unknown', title: `Publishing to ${label} is being checked`, message, fields };
	return { kind: r.outcome === 'not_supported' ? 'info' : 'failure', label: r.outcome === 'not_supported' ? 'Not supported' : 'Not published', title: `Variant not published to ${label}`, message, fields };
}

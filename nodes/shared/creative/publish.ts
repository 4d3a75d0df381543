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
 *   Google Ads by its exact text in the ad group). Found → `published`
 *   (reconciled); not there → `failed`, retryable; unreadable → stays unknown.
 *
 * The ledger is the store's (`claimAction` / `completeAction` /
 * `resolveAction`), as the optimizer and the moderation and insights
 * deliveries use it; a claim's holder and abandonment are
 * moderation/reconcile.ts's `claimHolder` / `claimAbandoned`.
 *
 * The ledger completion and the variant's row commit in one transaction on
 * SQL stores; on Supabase the row follows the ledger, and a later call
 * repairs a row whose ledger entry already succeeded. Failpoints (the SIGKILL
 * tests): `creative.publish.after-claim`: claimed, nothing sent yet;
 * `creative.publish.after-platform`: the ad exists, the ledger is still
 * `claimed`.
 */
import { claimAbandoned, claimHolder, holderName } from '../moderation/reconcile';
import { isAdPublisher, type AdCopy, type AdStatus, type AdText, type CreateAdInput, type CreatedAd } from '../platforms/ad-publish';
import { PLATFORM_LABELS, PLATFORM_REGISTRY, platformsWith, type PlatformDefinition, type PlatformId } from '../platforms/registry';
import { PlatformApiError } from '../resilience/errors';
import { failpoint } from '../resilience/failpoints';
import { sideEffectOutcome, unknownOutcomeText } from '../resilience/outcome';
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
	/** Meta: the ad set (default: the campaign's first); Google Ads: the ad group (required). */
	parentId?: string;
	/** Meta: the Facebook Page the ad speaks for (required). */
	pageId?: string;
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
	| (Common & { outcome: 'published'; adId: string; creativeId: string | null; parentId: string | null; adStatus: string; how: 'created' | 'already_published' | 'reconciled' })
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

/** Runs `fn` in one transaction where the store has them (SQL), else directly (Supabase). */
async function atomically(store: Store, fn: (s: Store) => Promise<void>): Promise<void> {
	if (store.kind === 'supabase') return fn(store);
	await store.transaction(fn);
}

/**
 * Publishes the approved variant `req.variantId` (see the module comment).
 * Never throws for a platform's answer: the result says what happened.
 */
export async function publishVariant(deps: PublishDeps, req: PublishRequest): Promise<PublishResult> {
	const { store } = deps;
	const now = deps.now ?? (() => new Date());
	const [row] = await store.select('creative_variants', { where: { id: req.variantId } });
	const base = { variantId: req.variantId, platform: row?.platform ?? '', accountId: row?.account_id ?? null, campaignId: row?.campaign_id ?? null };
	if (!row) return { ...base, outcome: 'failed', retryable: false, text: `No creative variant ${req.variantId} in creative_variants: nothing was published` };
	const label = (PLATFORM_LABELS as Record<string, string>)[row.platform] ?? row.platform;
	const where = `${label} account ${row.account_id ?? '?'}, campaign ${row.campaign_id}`;
	if (row.status === 'published' && row.platform_ad_id) {
		return { ...base, outcome: 'published', how: 'already_published', adId: row.platform_ad_id, creativeId: row.platform_creative_id, parentId: row.platform_parent_id, adStatus: row.platform_status ?? 'PAUSED', text: `Variant ${row.id} is already published in ${where} as ad ${row.platform_ad_id}; nothing was created` };
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

	const status: AdStatus = req.target.status ?? 'PAUSED';
	const input: CreateAdInput = {
		accountId: row.account_id,
		campaignId: row.campaign_id,
		name: publishedAdName(row.id),
		...(req.target.parentId ? { parentId: req.target.parentId } : {}),
		...(req.target.pageId ? { pageId: req.target.pageId } : {}),
		...(req.target.organizationId ? { organizationId: req.target.organizationId } : {}),
		status,
		copy,
	};
	const key = publishKey(row.id);
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
		creativeId: ad.creativeId,
		parentId: ad.parentId,
		adStatus: ad.status,
		text: `Variant ${row.id} ${how === 'created' ? 'is published' : how === 'reconciled' ? 'was published (found on the platform)' : 'is already published'} in ${where} as ${ad.status === 'PAUSED' ? 'a paused' : 'an active'} ad ${ad.adId}${ad.parentId && adapter.adPublishing.parentLabel ? ` in ${adapter.adPublishing.parentLabel} ${ad.parentId}` : ''}${approvedBy ? `, approved by ${approvedBy}` : ''}${extra}`,
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
			await atomically(store, async (s) => {
				await s.resolveAction(key, { from, status: 'succeeded', resolution: `${why}; found on the platform: ad ${found.adId} ("${input.name}")`, response: adJson(found), ...attempts });
				await markRow(s, publishedPatch(found));
			});
			return published(found, 'reconciled', `; ${why}, the ad was found on the platform and nothing was created again`);
		}
		const text = `Variant ${row.id} was not published to ${where}: ${why}, and no ad "${input.name}" exists on the platform, so that attempt created nothing. It stays approved; publishing it again creates it`;
		await atomically(store, async (s) => {
			await s.resolveAction(key, { from, status: 'failed', resolution: `${why}; no ad "${input.name}" on the platform: not created`, ...attempts });
			await markRow(s, { publish_outcome: 'failed', publish_error: text });
		});
		return { ...base, outcome: 'failed', retryable: true, text };
	}

	failpoint('creative.publish.after-claim');
	const finish = async (outcome: CompleteOutcome, patch: Partial<RowInput<'creative_variants'>>) =>
		atomically(store, async (s) => {
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

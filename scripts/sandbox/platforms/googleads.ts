/**
 * The sandbox side of the Google Ads seam (see ../google-ads.ts): hooks
 * installed on a real `google-ads-api` Customer post GAQL and mutations here.
 * Failures are `{failure}` bodies the hooks turn into `GoogleAdsFailure`.
 */
import { bodyObject, header, json, type Ctx, type Platform, type Reply, type Route } from '../core';
import { GaqlError, applyGoogleAdsMutation, authFailure, googleAdsRows, internalFailure, quotaFailure } from '../google-ads';

function run(fn: () => Record<string, unknown>): Reply {
	try {
		return json(200, fn());
	} catch (error) {
		if (error instanceof GaqlError) return json(error.httpStatus, { failure: error.failure });
		throw error;
	}
}

function query(ctx: Ctx): Reply {
	const body = bodyObject(ctx);
	if (typeof body.customer_id !== 'string' || typeof body.query !== 'string') return json(400, { failure: { errors: [{ error_code: { request_error: 2 }, message: 'customer_id and query are required.' }] } });
	return run(() => ({ rows: googleAdsRows(ctx.state.world, body.customer_id as string, body.query as string) }));
}

function mutate(ctx: Ctx): Reply {
	const body = bodyObject(ctx);
	if (typeof body.customer_id !== 'string' || typeof body.method !== 'string') return json(400, { failure: { errors: [{ error_code: { request_error: 2 }, message: 'customer_id and method are required.' }] } });
	return run(() => ({
		response: applyGoogleAdsMutation(
			ctx.state.world,
			body.customer_id as string,
			body.method as string,
			{ ...(body.request ? { request: body.request as Record<string, unknown> } : {}), ...(body.mutations ? { mutations: body.mutations as unknown[] } : {}) },
			body.validate_only === true,
		),
	}));
}

const routes: Route[] = [
	{ name: 'googleads.query', method: 'POST', pattern: /^\/query$/, handler: query },
	{ name: 'googleads.mutate', method: 'POST', pattern: /^\/mutate$/, handler: mutate },
];

export const googleads: Platform = {
	name: 'googleads',
	prefix: '/googleads',
	routes,
	authenticate(ctx) {
		if (header(ctx, 'developer-token') !== ctx.state.world.credentials.googleAds.developerToken) return json(403, { failure: authFailure() });
		return undefined;
	},
	errorReply(status, kind, message, retryAfter) {
		if (kind === 'rate_limit') return { ...json(429, { failure: quotaFailure(retryAfter ?? 30) }), headers: { 'retry-after': String(retryAfter ?? 30) } };
		if (kind === 'server') return json(status, { failure: internalFailure() });
		return json(kind === 'not_found' ? 404 : 400, { failure: { errors: [{ error_code: { request_error: 1 }, message }] } });
	},
};

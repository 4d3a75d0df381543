/**
 * Google's OAuth 2.0 token endpoint (`POST /googleoauth/token`), the part the
 * Google Ads client uses: the refresh-token grant. Form (or JSON) body
 * `grant_type=refresh_token&refresh_token=…&client_id=…&client_secret=…`
 * (client credentials may also come as HTTP Basic) → `{access_token,
 * expires_in, scope, token_type}`; errors as Google sends them:
 * `{error: "invalid_grant", error_description}`.
 *
 * Access tokens are self-verifying (`ya29.sandbox.<expiry ms>.<mac>`), valid
 * for 3599 s of sandbox time, and accepted by the Google Ads routes.
 */
import { bodyObject, header, json, now, type Ctx, type Platform, type Reply, type Route, type SandboxState } from '../core';
import { fnv1a } from '../rng';

export const GOOGLE_TOKEN_LIFETIME_S = 3599;
const TOKEN_PREFIX = 'ya29.sandbox.';

function mac(clientId: string, expiresAt: number, seed: number): string {
	return `${fnv1a(`${clientId}|${expiresAt}|${seed}`).toString(36)}${fnv1a(`${expiresAt}|${clientId}`, seed >>> 0 || 1).toString(36)}`;
}

export function issueGoogleAccessToken(state: SandboxState): { token: string; expiresAt: number } {
	const expiresAt = now(state) + GOOGLE_TOKEN_LIFETIME_S * 1000;
	return { token: `${TOKEN_PREFIX}${expiresAt}.${mac(state.world.credentials.googleAds.clientId, expiresAt, state.world.seed)}`, expiresAt };
}

/** `valid`, `expired`, or `invalid` (not one we issued). */
export function checkGoogleAccessToken(state: SandboxState, token: string): 'valid' | 'expired' | 'invalid' {
	if (!token.startsWith(TOKEN_PREFIX)) return 'invalid';
	const [exp, sig] = token.slice(TOKEN_PREFIX.length).split('.');
	const expiresAt = Number(exp);
	if (!Number.isInteger(expiresAt) || sig !== mac(state.world.credentials.googleAds.clientId, expiresAt, state.world.seed)) return 'invalid';
	return expiresAt > now(state) ? 'valid' : 'expired';
}

const oauthError = (status: number, error: string, description: string): Reply => json(status, { error, error_description: description });

function basicAuth(ctx: Ctx): { id?: string; secret?: string } {
	const auth = header(ctx, 'authorization');
	const m = auth ? /^Basic\s+(.+)$/i.exec(auth.trim()) : null;
	if (!m) return {};
	const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
	const colon = decoded.indexOf(':');
	return colon < 0 ? {} : { id: decodeURIComponent(decoded.slice(0, colon)), secret: decodeURIComponent(decoded.slice(colon + 1)) };
}

function token(ctx: Ctx): Reply {
	const body = bodyObject(ctx);
	const str = (k: string): string | undefined => (typeof body[k] === 'string' ? (body[k] as string) : undefined);
	const basic = basicAuth(ctx);
	const clientId = str('client_id') ?? basic.id;
	const clientSecret = str('client_secret') ?? basic.secret;
	const expected = ctx.state.world.credentials.googleAds;
	const grant = str('grant_type');
	if (!grant) return oauthError(400, 'invalid_request', 'Missing required parameter: grant_type');
	if (grant !== 'refresh_token') return oauthError(400, 'unsupported_grant_type', `Invalid grant_type: ${grant}`);
	if (!clientId) return oauthError(400, 'invalid_request', 'Could not determine client ID from request.');
	if (clientId !== expected.clientId) return oauthError(401, 'invalid_client', 'The OAuth client was not found.');
	if (clientSecret !== expected.clientSecret) return oauthError(401, 'invalid_client', 'Unauthorized');
	const refresh = str('refresh_token');
	if (!refresh) return oauthError(400, 'invalid_request', 'Missing required parameter: refresh_token');
	if (refresh !== expected.refreshToken) return oauthError(400, 'invalid_grant', 'Token has been expired or revoked.');
	const issued = issueGoogleAccessToken(ctx.state);
	return json(200, { access_token: issued.token, expires_in: GOOGLE_TOKEN_LIFETIME_S, scope: 'https://www.googleapis.com/auth/adwords', token_type: 'Bearer' }, { 'cache-control': 'no-cache, no-store, max-age=0, must-revalidate', pragma: 'no-cache' });
}

const routes: Route[] = [{ name: 'googleoauth.token', method: 'POST', pattern: /^\/token$/, handler: token }];

export const googleoauth: Platform = {
	name: 'googleoauth',
	prefix: '/googleoauth',
	routes,
	errorReply(status, kind, message) {
		if (kind === 'rate_limit') return oauthError(429, 'rate_limit_exceeded', 'Rate limit exceeded. Try again later.');
		if (kind === 'server') return oauthError(status, 'internal_failure', 'Backend Error');
		if (kind === 'not_found') return json(404, { error: 'not_found', error_description: message });
		return oauthError(400, 'invalid_request', message);
	},
};

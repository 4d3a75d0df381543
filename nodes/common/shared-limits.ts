// The AdOps Store credential's "Shared Limits" choice, as the core's
// SharedLimits (nodes/shared/resilience/shared-limits.ts): one instance per
// credential and process, so every execution in the process shares it and,
// with PostgreSQL or Redis, every process too.
import pg from 'pg';
import { createSharedLimits, type Quota, type SharedLimits } from '../shared/resilience/shared-limits';
import { optionalCredentials, type CredentialSource } from './credentials';
import { jsonParam } from './params';

const cache = new Map<string, SharedLimits>();

export interface SharedLimitsCredential {
	backend?: string;
	connectionString?: string;
	ssl?: string;
	schema?: string;
	sharedLimits?: string;
	redisUrl?: string;
	quotas?: string | Record<string, Quota>;
}

/** The credential's Quotas, checked: a clear error naming the field and the entry, never a bare JSON or type error. */
export function parseQuotas(value: SharedLimitsCredential['quotas']): Record<string, Quota> {
	if (!value) return {};
	const parsed = jsonParam(value, 'Quotas (AdOps Store credential)') ?? {};
	if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new TypeError('Quotas must be an object keyed by platform or platform:endpoint');
	for (const [key, q] of Object.entries(parsed as Record<string, unknown>)) {
		const windows = (q as Partial<Quota> | null)?.windows;
		const valid = (w: unknown) => {
			const { points, durationMs } = (w ?? {}) as { points?: unknown; durationMs?: unknown };
			return Number.isInteger(points) && (points as number) >= 1 && typeof durationMs === 'number' && Number.isFinite(durationMs) && durationMs > 0;
		};
		if (!Array.isArray(windows) || !windows.every(valid)) {
			throw new TypeError(`Quotas: "${key}" needs windows like [{"points": 300, "durationMs": 3600000}]: whole points (1 or more) per a duration in milliseconds`);
		}
	}
	return parsed as Record<string, Quota>;
}

/** The limits the credential asks for: "In-Process" counts in this process only (one instance per process and quotas). */
export function sharedLimitsFromCredential(data: SharedLimitsCredential): SharedLimits {
	const mode = data.sharedLimits || 'memory';
	const key = mode === 'memory' ? JSON.stringify([mode, data.quotas ?? '']) : JSON.stringify([mode, data.backend ?? '', data.connectionString ?? '', data.schema ?? '', data.redisUrl ?? '', data.quotas ?? '']);
	const existing = cache.get(key);
	if (existing) return existing;
	const quotas = parseQuotas(data.quotas);
	let limits: SharedLimits;
	if (mode === 'memory') {
		limits = createSharedLimits({ backend: 'memory' }, { quotas });
	} else if (mode === 'postgres') {
		if (data.backend !== 'postgres' || !data.connectionString) {
			throw new TypeError('Shared Limits "PostgreSQL (This Store)" needs the store\'s Backend set to Postgres with a connection string; choose Redis or In-Process otherwise');
		}
		const pool = new pg.Pool({ connectionString: data.connectionString, max: 2, ssl: data.ssl === 'disable' ? false : { rejectUnauthorized: data.ssl === 'verify-full' } });
		pool.on('error', () => undefined);
		limits = createSharedLimits({ backend: 'postgres', postgres: { db: pool, schema: data.schema || 'public', close: () => pool.end() } }, { quotas });
	} else if (mode === 'redis') {
		limits = createSharedLimits({ backend: 'redis', redisUrl: data.redisUrl }, { quotas });
	} else {
		throw new TypeError(`unknown Shared Limits choice "${mode}"`);
	}
	cache.set(key, limits);
	return limits;
}

/**
 * The limits of the node's AdOps Store credential, for the platform adapters
 * (`createPlatformAdapter(settings, { limits })`); undefined when the node has
 * no store credential selected.
 */
export async function limitsFromNode(ctx: CredentialSource): Promise<SharedLimits | undefined> {
	const data = await optionalCredentials(ctx, 'adOpsStoreApi');
	return data ? sharedLimitsFromCredential(data as SharedLimitsCredential) : undefined;
}

// One "worker" of the shared-limits test: makes `calls` requests to a sandbox
// route under a SharedLimits key and prints what happened as one JSON line.
//   tsx test/queue/limits-worker.ts '{"backend":"postgres","connectionString":…,"schema":…,"url":…,"token":…,"calls":30,"perDay":40}'
import pg from 'pg';
import { createSharedLimits, type SharedLimitsConfig } from '../../nodes/shared/resilience/shared-limits';
import { RateLimitWaitTooLongError } from '../../nodes/shared/resilience/rate-limiter';

interface Args {
	backend: 'memory' | 'postgres' | 'redis';
	connectionString?: string;
	schema?: string;
	redisUrl?: string;
	redisPrefix?: string;
	url: string;
	token: string;
	key: string;
	calls: number;
	perDay: number;
}

async function main(): Promise<void> {
	const args = JSON.parse(process.argv[2] ?? '{}') as Args;
	const pool = args.backend === 'postgres' ? new pg.Pool({ connectionString: args.connectionString, max: 2 }) : undefined;
	const config: SharedLimitsConfig = { backend: args.backend, postgres: pool ? { db: pool, schema: args.schema, close: () => pool.end() } : undefined, redisUrl: args.redisUrl, redisPrefix: args.redisPrefix };
	const limits = createSharedLimits(config, { quotas: { 'notion:usersMe': { windows: [{ points: args.perDay, durationMs: 86_400_000 }], source: 'the test quota' } }, maxWaitMs: 5000 });
	let sent = 0;
	let ok = 0;
	let rejected = 0;
	let held = 0;
	try {
		for (let i = 0; i < args.calls; i++) {
			try {
				await limits.acquire(args.key);
			} catch (error) {
				if (error instanceof RateLimitWaitTooLongError) {
					held = args.calls - i;
					break;
				}
				throw error;
			}
			sent++;
			const res = await fetch(args.url, { headers: { authorization: `Bearer ${args.token}`, 'notion-version': '2025-09-03' } });
			await res.arrayBuffer();
			if (res.status === 429) rejected++;
			else if (res.ok) ok++;
			else throw new Error(`unexpected HTTP ${res.status}`);
		}
	} finally {
		await limits.close();
	}
	process.stdout.write(`${JSON.stringify({ sent, ok, rejected, held })}\n`);
}

main().catch((error: unknown) => {
	process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
	process.exitCode = 1;
});

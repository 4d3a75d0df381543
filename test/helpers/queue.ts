// n8n queue mode for tests: a main, workers and a webhook processor on the
// machine's PostgreSQL and Redis, each with this package installed (see
// scripts/n8n-host/queue.ts).
//
//   const cluster = await startQueueCluster({ workers: 2 });   // not started: import and publish first
//   after(() => cluster.dispose());
//
// PostgreSQL: ADOPS_QUEUE_PG (postgres://user[:password]@host:port, default
// the server of DATABASE_URL, else 127.0.0.1:5432 as postgres). Redis:
// ADOPS_QUEUE_REDIS (host:port, default 127.0.0.1:6379).
import { ensureN8n } from '../../scripts/n8n-host/install';
import { createQueueCluster, type QueueCluster, type QueueClusterOptions } from '../../scripts/n8n-host/queue';
import { adopsPackage } from './n8n';

export type { ExecutionRow, QueueCluster, QueueProcess } from '../../scripts/n8n-host/queue';

/** The PostgreSQL server and Redis the queue tests use. */
export function queueServices(): { postgres: { host: string; port: number; user: string; password?: string }; redis: { host: string; port: number }; storeUrl: string } {
	const source = process.env.ADOPS_QUEUE_PG ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
	const u = new URL(source);
	const postgres = { host: u.hostname, port: Number(u.port || 5432), user: decodeURIComponent(u.username || 'postgres'), password: u.password ? decodeURIComponent(u.password) : undefined };
	const [rhost, rport] = (process.env.ADOPS_QUEUE_REDIS ?? '127.0.0.1:6379').split(':');
	const storeUrl = process.env.DATABASE_URL ?? `postgres://${encodeURIComponent(postgres.user)}${postgres.password ? `:${encodeURIComponent(postgres.password)}` : ''}@${postgres.host}:${postgres.port}/test`;
	return { postgres, redis: { host: rhost || '127.0.0.1', port: Number(rport || 6379) }, storeUrl };
}

/** A queue-mode cluster (not started) with this package installed on every process. */
export async function startQueueCluster(options: Omit<QueueClusterOptions, 'nodesDir' | 'install' | 'postgres' | 'redis'> = {}): Promise<QueueCluster> {
	const [install, pkg] = await Promise.all([ensureN8n(), adopsPackage()]);
	const { postgres, redis } = queueServices();
	return createQueueCluster({ ...options, install, nodesDir: pkg.nodesDir, postgres, redis });
}

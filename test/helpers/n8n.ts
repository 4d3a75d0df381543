// The one helper tests use to get a real n8n (2.40.7, installed from npm)
// with this package installed the way n8n's community-package installer does.
//
//   const n8n = await startN8n({ env: { ... } });   // a fresh user folder + sqlite
//   after(() => n8n.dispose());
//
// Per test process: n8n is installed once (cached across runs in
// $ADOPS_CACHE), and this repository is built, packed and installed once
// (`ADOPS_SKIP_BUILD=1` packs the existing dist/ without building, e.g. in CI
// after its build step).
import { createN8nHost, type N8nHost, type N8nHostOptions } from '../../scripts/n8n-host/host';
import { ensureN8n, type N8nInstall } from '../../scripts/n8n-host/install';
import { buildPackAndInstall, type InstalledPackage } from '../../scripts/n8n-host/package';

export { N8nHostError, firedFailpoints, nodeOutput } from '../../scripts/n8n-host/host';
export type { ExecuteOptions, ExecutionResult, KilledExecution, N8nHost, WorkflowInput } from '../../scripts/n8n-host/host';

let installPromise: Promise<N8nInstall> | undefined;
let packagePromise: Promise<InstalledPackage> | undefined;

/** This package, built, packed and installed into a cached n8n nodes folder; once per process. */
export function adopsPackage(): Promise<InstalledPackage> {
	packagePromise ??= buildPackAndInstall({ build: process.env.ADOPS_SKIP_BUILD !== '1' });
	return packagePromise;
}

/** A new n8n host (own user folder and sqlite database) with this package installed. */
export async function startN8n(options: Omit<N8nHostOptions, 'install' | 'nodesDir'> = {}): Promise<N8nHost> {
	// The cached n8n install: minutes cold, milliseconds warm.
	installPromise ??= ensureN8n();
	const [install, pkg] = await Promise.all([installPromise, adopsPackage()]);
	return createN8nHost({ ...options, install, nodesDir: pkg.nodesDir });
}

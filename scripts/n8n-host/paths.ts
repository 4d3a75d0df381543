// Where the n8n harness keeps its cached installs, and which n8n it pins.
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

/** The n8n release the harness installs and tests against (see DEVELOPERS.md). */
export const N8N_VERSION = '2.40.7';

/**
 * npm overrides n8n needs to install from the registry this project reaches:
 * linkedom >= 0.18.15 depends on `cssomnom`, which the registry lacks.
 */
export const N8N_OVERRIDES: Record<string, string> = { linkedom: '0.18.14' };

/** The repository root (this file lives in scripts/n8n-host). */
export const REPO_ROOT = resolve(__dirname, '..', '..');

/** Cache root shared with scripts/node24: `$ADOPS_CACHE` or ~/.cache/n8n-nodes-adops. */
export function cacheRoot(): string {
	const fromEnv = process.env.ADOPS_CACHE;
	return fromEnv && fromEnv.trim() !== '' ? resolve(fromEnv) : join(homedir(), '.cache', 'n8n-nodes-adops');
}

/** The folder holding the pinned n8n install (`<dir>/node_modules/n8n`). */
export function n8nInstallDir(version: string = N8N_VERSION): string {
	return join(cacheRoot(), `n8n-${version}`);
}

/** The n8n CLI entry point of an install folder. */
export function n8nBinPath(installDir: string): string {
	return join(installDir, 'node_modules', 'n8n', 'bin', 'n8n');
}

export function nodeMajor(): number {
	return Number(process.versions.node.split('.')[0]);
}

/** Fails with a clear message when the running Node is older than 24 (n8n 2.x needs it). */
export function assertNode24(): void {
	const major = nodeMajor();
	if (!(major >= 24)) {
		throw new Error(
			`n8n ${N8N_VERSION} needs Node 24 or newer, but this is Node ${process.versions.node} (${process.execPath}). ` +
				'Run through scripts/node24, e.g. `scripts/node24 npm run n8n:install`, or ' +
				'`eval "$(scripts/node24 --print-env)"` first.',
		);
	}
}

/**
 * The folder with the running Node's headers (`include/node`), for native
 * builds (node-gyp's --nodedir). `ADOPS_NODE_DIR` (set by scripts/node24)
 * wins; otherwise the running Node's own prefix when it ships headers.
 */
export function nodeHeadersDir(): string | undefined {
	const candidates = [process.env.ADOPS_NODE_DIR, dirname(dirname(process.execPath))];
	for (const dir of candidates) {
		if (dir && existsSync(join(dir, 'include', 'node', 'node.h'))) return dir;
	}
	return undefined;
}

/** PATH with the running Node's bin folder first, so `npm` and its children use it. */
export function pathWithThisNode(path: string | undefined = process.env.PATH): string {
	return [dirname(process.execPath), path ?? ''].filter((p) => p !== '').join(':');
}

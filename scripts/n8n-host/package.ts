// Builds this repository's package and installs it into an n8n "nodes"
// folder the way n8n 2.40.7's community-package installer does
// (CommunityPackagesService.downloadPackage):
//
//   1. `npm pack` gives the tarball (here: of this checkout, after `npm run build`);
//   2. it is extracted into <nodes>/node_modules/<name> (tar --strip-components=1);
//   3. devDependencies, peerDependencies and optionalDependencies are removed
//      from its package.json;
//   4. `npm install --audit=false --fund=false --bin-links=false
//      --install-strategy=shallow --ignore-scripts=true --package-lock=false`
//      runs inside the package folder, so its runtime dependencies land in
//      <nodes>/node_modules/<name>/node_modules;
//   5. <nodes>/package.json lists the package under `dependencies`.
// n8n loads every `n8n-nodes-*` folder in <nodes>/node_modules at boot
// (community-packages module, scanDirectoryForPackages).
//
// Caching: step 4 downloads the runtime dependencies (pg, PGlite, Slack,
// Notion, OpenAI, google-ads-api, ...), which is slow. The nodes folder lives
// in the cache, keyed by a hash of the package's runtime `dependencies` (and of
// the lockfile's non-dev entries); a new tarball with the same key replaces the
// package's files but keeps its node_modules, and the same tarball again is a
// no-op. Hosts link their `<userFolder>/.n8n/nodes` to it.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { alive, withLock } from './lock';
import { REPO_ROOT, assertNode24, cacheRoot, pathWithThisNode } from './paths';
import { runOk } from './proc';

export interface PackedPackage {
	name: string;
	version: string;
	/** Absolute path of the .tgz. */
	tarball: string;
	sha256: string;
	/** The folder that was packed (its package-lock.json keys the dependency cache). */
	repoRoot: string;
	timings: Record<string, number>;
}

export interface InstalledPackage {
	name: string;
	version: string;
	/** The n8n nodes folder (what `<userFolder>/.n8n/nodes` must point to). */
	nodesDir: string;
	/** <nodesDir>/node_modules/<name> */
	packageDir: string;
	/** The package.json `n8n` section: dist paths of its nodes and credentials. */
	n8n: { nodes: string[]; credentials: string[] };
	/** Which steps ran: dependencies reinstalled, package files replaced, or nothing. */
	action: 'installed' | 'updated' | 'unchanged';
	timings: Record<string, number>;
}

interface PackageJson {
	name: string;
	version: string;
	dependencies?: Record<string, string>;
	devDependencies?: Record<string, string>;
	peerDependencies?: Record<string, string>;
	optionalDependencies?: Record<string, string>;
	n8n?: { nodes?: string[]; credentials?: string[] };
	[key: string]: unknown;
}

function npmEnv(): NodeJS.ProcessEnv {
	return {
		...process.env,
		PATH: pathWithThisNode(),
		npm_config_update_notifier: 'false',
		npm_config_fund: 'false',
		npm_config_audit: 'false',
	};
}

function sha256(data: Buffer | string): string {
	return createHash('sha256').update(data).digest('hex');
}

/** Where `npm pack` output and build locks go: git-ignored `.adops/` in the repo. */
function workDir(): string {
	return join(REPO_ROOT, '.adops', 'n8n-host');
}

export interface PackOptions {
	/** Run `npm run build` first (default true). With false, `dist/` must already be built. */
	build?: boolean;
	/** The package to build and pack (default: this repository). */
	repoRoot?: string;
	log?: (message: string) => void;
}

/** `npm run build` and `npm pack` of this repository (under a lock: others may build too). */
export async function buildAndPack(options: PackOptions = {}): Promise<PackedPackage> {
	assertNode24();
	const log = options.log ?? ((m: string) => process.stderr.write(`[n8n-package] ${m}\n`));
	const root = options.repoRoot ?? REPO_ROOT;
	// One folder per process: two test files packing at once (e2e runs two files at a time) must not replace the
	// tarball the other is still extracting (it did: "tar: … Cannot open: No such file or directory").
	const packRoot = join(workDir(), 'pack');
	const dir = join(packRoot, String(process.pid));
	await mkdir(dir, { recursive: true });
	for (const entry of await readdir(packRoot)) {
		if (/^\d+$/.test(entry) && entry !== String(process.pid) && !alive(Number(entry))) await rm(join(packRoot, entry), { recursive: true, force: true });
	}
	return withLock(join(workDir(), 'build.lock'), async () => {
		const timings: Record<string, number> = {};
		if (options.build !== false) {
			const t = performance.now();
			await runOk('npm', ['run', 'build', '--silent'], { cwd: root, env: npmEnv(), timeoutMs: 10 * 60_000 });
			timings.build = performance.now() - t;
			log(`npm run build: ${(timings.build / 1000).toFixed(1)} s`);
		}
		const t = performance.now();
		for (const old of await readdir(dir)) if (old.endsWith('.tgz')) await rm(join(dir, old), { force: true });
		// --ignore-scripts: prepack would run the build a second time.
		const packed = await runOk('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', dir], {
			cwd: root,
			env: npmEnv(),
			timeoutMs: 5 * 60_000,
		});
		timings.pack = performance.now() - t;
		const start = packed.stdout.indexOf('[');
		const info = JSON.parse(packed.stdout.slice(start)) as Array<{ name: string; version: string; filename: string }>;
		const first = info[0];
		if (!first) throw new Error(`npm pack printed no package:\n${packed.stdout}`);
		const tarball = join(dir, first.filename.replace(/^@[^/]+\//, '').replace('/', '-'));
		if (!existsSync(tarball)) throw new Error(`npm pack reported ${first.filename}, but ${tarball} does not exist`);
		return {
			name: first.name,
			version: first.version,
			tarball,
			sha256: sha256(await readFile(tarball)),
			repoRoot: root,
			timings,
		};
	});
}

/** The cache key of a nodes folder: what decides which runtime dependencies npm installs. */
async function dependencyKey(packageJson: PackageJson, repoRoot: string): Promise<string> {
	const parts: unknown[] = [packageJson.name, packageJson.dependencies ?? {}];
	try {
		const lock = JSON.parse(await readFile(join(repoRoot, 'package-lock.json'), 'utf8')) as {
			packages?: Record<string, { version?: string; dev?: boolean; devOptional?: boolean; peer?: boolean }>;
		};
		const runtime = Object.entries(lock.packages ?? {})
			.filter(([path, entry]) => path !== '' && !entry.dev && !entry.devOptional && !entry.peer)
			.map(([path, entry]) => `${path}@${entry.version ?? ''}`)
			.sort();
		parts.push(runtime);
	} catch {
		parts.push('no-lockfile');
	}
	return sha256(JSON.stringify(parts)).slice(0, 16);
}

export interface InstallPackageOptions {
	/** Nodes folder to install into (default: cached per dependency key). */
	nodesDir?: string;
	log?: (message: string) => void;
}

const STATE = '.adops-package.json';

interface State {
	name: string;
	version: string;
	sha256: string;
	dependenciesHash: string;
}

/** Installs a packed tarball into an n8n nodes folder like n8n's community-package installer. */
export async function installPackage(packed: PackedPackage, options: InstallPackageOptions = {}): Promise<InstalledPackage> {
	const log = options.log ?? ((m: string) => process.stderr.write(`[n8n-package] ${m}\n`));
	const started = performance.now();
	const staging = join(workDir(), `extract-${process.pid}-${Date.now()}`);
	await mkdir(staging, { recursive: true });
	try {
		await runOk('tar', ['-xzf', packed.tarball, '-C', staging, '--strip-components=1']);
		const fullJson = JSON.parse(await readFile(join(staging, 'package.json'), 'utf8')) as PackageJson;
		const { devDependencies: _d, peerDependencies: _p, optionalDependencies: _o, ...strippedJson } = fullJson;
		const depsHash = sha256(JSON.stringify(strippedJson.dependencies ?? {}));
		const nodesDir = options.nodesDir ?? join(cacheRoot(), 'n8n-nodes', `${packed.name}-${await dependencyKey(fullJson, packed.repoRoot)}`);
		await mkdir(nodesDir, { recursive: true });
		return await withLock(`${nodesDir}.lock`, async () => {
			const timings: Record<string, number> = {};
			const packageDir = join(nodesDir, 'node_modules', packed.name);
			const statePath = join(nodesDir, STATE);
			const state = JSON.parse(await readFile(statePath, 'utf8').catch(() => 'null')) as State | null;
			const depsPresent = existsSync(join(packageDir, 'node_modules')) || Object.keys(strippedJson.dependencies ?? {}).length === 0;
			let action: InstalledPackage['action'];
			if (state?.sha256 === packed.sha256 && state.dependenciesHash === depsHash && depsPresent) {
				action = 'unchanged';
			} else {
				// Replace the package's own files; keep its node_modules when the dependencies did not change.
				const keepDeps = state?.dependenciesHash === depsHash && depsPresent;
				let t = performance.now();
				await mkdir(packageDir, { recursive: true });
				for (const entry of await readdir(packageDir)) {
					if (keepDeps && entry === 'node_modules') continue;
					await rm(join(packageDir, entry), { recursive: true, force: true });
				}
				await runOk('tar', ['-xzf', packed.tarball, '-C', packageDir, '--strip-components=1']);
				await writeFile(join(packageDir, 'package.json'), JSON.stringify(strippedJson, null, 2), 'utf8');
				timings.extract = performance.now() - t;
				if (!keepDeps) {
					log(`installing ${packed.name}'s runtime dependencies into ${packageDir} (npm install, as n8n's installer runs it)`);
					t = performance.now();
					await runOk(
						'npm',
						[
							'install',
							'--audit=false',
							'--fund=false',
							'--bin-links=false',
							'--install-strategy=shallow',
							'--ignore-scripts=true',
							'--package-lock=false',
							'--loglevel=error',
						],
						{ cwd: packageDir, env: npmEnv(), timeoutMs: 15 * 60_000 },
					);
					timings.npmInstall = performance.now() - t;
					log(`dependencies installed in ${(timings.npmInstall / 1000).toFixed(1)} s`);
					action = 'installed';
				} else {
					action = 'updated';
				}
				// The ledger n8n keeps in <nodes>/package.json.
				const ledgerPath = join(nodesDir, 'package.json');
				const ledger = JSON.parse(await readFile(ledgerPath, 'utf8').catch(() => 'null')) as {
					dependencies?: Record<string, string>;
				} | null;
				await writeFile(
					ledgerPath,
					JSON.stringify(
						{
							name: 'installed-nodes',
							private: true,
							dependencies: { ...(ledger?.dependencies ?? {}), [packed.name]: packed.version },
						},
						null,
						2,
					),
					'utf8',
				);
				const next: State = { name: packed.name, version: packed.version, sha256: packed.sha256, dependenciesHash: depsHash };
				await writeFile(statePath, JSON.stringify(next, null, '\t'), 'utf8');
			}
			timings.total = performance.now() - started;
			return {
				name: packed.name,
				version: packed.version,
				nodesDir,
				packageDir,
				n8n: { nodes: strippedJson.n8n?.nodes ?? [], credentials: strippedJson.n8n?.credentials ?? [] },
				action,
				timings,
			};
		});
	} finally {
		await rm(staging, { recursive: true, force: true });
	}
}

/** Build, pack and install this repository's package; the one call tests and the demo need. */
export async function buildPackAndInstall(
	options: PackOptions & InstallPackageOptions = {},
): Promise<InstalledPackage & { packed: PackedPackage }> {
	const packed = await buildAndPack(options);
	const installed = await installPackage(packed, options);
	return { ...installed, packed, timings: { ...packed.timings, ...installed.timings } };
}

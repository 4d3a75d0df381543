/**
 * Coverage of nodes/shared per folder, from vitest's json-summary (what README "Test layers" shows):
 *
 *   tsx scripts/coverage-folders.ts [coverage/coverage-summary.json] [--root nodes/shared]
 *
 * One row per folder directly under the root (its subfolders counted in it, as nodes/shared/rules holds
 * rules/gates), files at the root itself in a row of their own, and the root's total; statements and
 * branches as "78.8 % (432/548)", the way the README table writes them.
 */
import { readFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';

interface Counter {
	total: number;
	covered: number;
}
type Summary = Record<string, { statements: Counter; branches: Counter }>;

export interface FolderRow {
	folder: string;
	files: number;
	statements: Counter;
	branches: Counter;
}

/** Rows per folder under `root` (relative to `cwd`), sorted by name, then the root's total. */
export function coverageFolders(summary: Summary, root: string, cwd: string): FolderRow[] {
	const rows = new Map<string, FolderRow>();
	const total: FolderRow = { folder: root, files: 0, statements: { total: 0, covered: 0 }, branches: { total: 0, covered: 0 } };
	for (const [file, figures] of Object.entries(summary)) {
		if (file === 'total') continue;
		const rel = relative(resolve(cwd, root), resolve(cwd, file));
		if (rel.startsWith('..') || rel === '') continue;
		const parts = rel.split('/');
		const folder = parts.length > 1 ? `${root}/${parts[0]}` : `${root} (files at the top)`;
		let row = rows.get(folder);
		if (!row) rows.set(folder, (row = { folder, files: 0, statements: { total: 0, covered: 0 }, branches: { total: 0, covered: 0 } }));
		for (const r of [row, total]) {
			r.files++;
			r.statements.total += figures.statements.total;
			r.statements.covered += figures.statements.covered;
			r.branches.total += figures.branches.total;
			r.branches.covered += figures.branches.covered;
		}
	}
	return [...[...rows.values()].sort((a, b) => a.folder.localeCompare(b.folder)), total];
}

const count = new Intl.NumberFormat('en-US');

/** "78.8 % (432/548)"; a folder with nothing to count says so instead of dividing by zero. */
export function percentOf(c: Counter): string {
	if (c.total === 0) return 'none to count';
	return `${((c.covered / c.total) * 100).toFixed(1)} % (${count.format(c.covered)}/${count.format(c.total)})`;
}

/** The README's markdown table. */
export function coverageTable(rows: FolderRow[]): string {
	const last = rows.length - 1;
	const lines = ['| folder | files | statements | branches |', '|---|---|---|---|'];
	rows.forEach((r, i) => {
		const name = i === last ? `**${r.folder}**` : `\`${r.folder}\``;
		lines.push(`| ${name} | ${r.files} | ${percentOf(r.statements)} | ${percentOf(r.branches)} |`);
	});
	return lines.join('\n');
}

if (require.main === module) {
	const args = process.argv.slice(2);
	const rootAt = args.indexOf('--root');
	const root = rootAt >= 0 ? args.splice(rootAt, 2)[1]! : 'nodes/shared';
	const file = args[0] ?? 'coverage/coverage-summary.json';
	let summary: Summary;
	try {
		summary = JSON.parse(readFileSync(file, 'utf8')) as Summary;
	} catch (error) {
		console.error(`coverage-folders: cannot read ${file} (${(error as Error).message}); run the tests with --coverage and the json-summary reporter first`);
		process.exit(1);
	}
	console.log(`\nCoverage of ${root} per folder (${file}):\n`);
	console.log(coverageTable(coverageFolders(summary, root, process.cwd())));
}

/**
 * The import graph of the package's TypeScript sources, and its cycles.
 *
 * Reads every `.ts` file under the given roots with the TypeScript parser
 * (imports, `export … from`, `import('…')` and `require('…')` with a
 * literal path), resolves relative specifiers to files, and finds the
 * strongly connected components (Tarjan). Type-only imports count: a type
 * cycle between a router and its operations is the same knot for a reader.
 *
 *   scripts/node24 node --import tsx scripts/import-graph.ts [root ...]
 *
 * prints each cycle and exits 1 when there is one (default root: nodes).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

export interface ImportEdge {
	from: string;
	to: string;
	typeOnly: boolean;
}

function listTs(dir: string, out: string[] = []): string[] {
	for (const name of readdirSync(dir)) {
		if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) continue;
		const path = join(dir, name);
		if (statSync(path).isDirectory()) listTs(path, out);
		else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) out.push(path);
	}
	return out;
}

function resolveSpecifier(fromFile: string, specifier: string): string | undefined {
	if (!specifier.startsWith('.')) return undefined;
	const base = resolve(dirname(fromFile), specifier.replace(/\.js$/, ''));
	for (const candidate of [`${base}.ts`, join(base, 'index.ts'), base]) {
		if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
	}
	return undefined;
}

/** The imports of one file's text: specifier and whether only types cross. */
export function importsOf(fileName: string, text: string): Array<{ specifier: string; typeOnly: boolean }> {
	const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
	const found: Array<{ specifier: string; typeOnly: boolean }> = [];
	const visit = (node: ts.Node): void => {
		if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
			const clause = node.importClause;
			let typeOnly = clause?.isTypeOnly ?? false;
			if (clause && !typeOnly && !clause.name && clause.namedBindings && ts.isNamedImports(clause.namedBindings)) {
				const elements = clause.namedBindings.elements;
				typeOnly = elements.length > 0 && elements.every((e) => e.isTypeOnly);
			}
			found.push({ specifier: node.moduleSpecifier.text, typeOnly });
		} else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
			found.push({ specifier: node.moduleSpecifier.text, typeOnly: node.isTypeOnly });
		} else if (
			ts.isCallExpression(node) &&
			node.arguments.length === 1 &&
			ts.isStringLiteral(node.arguments[0]!) &&
			(node.expression.kind === ts.SyntaxKind.ImportKeyword ||
				(ts.isIdentifier(node.expression) && node.expression.text === 'require'))
		) {
			found.push({ specifier: (node.arguments[0] as ts.StringLiteral).text, typeOnly: false });
		}
		ts.forEachChild(node, visit);
	};
	visit(source);
	return found;
}

export function importGraph(roots: string[]): { files: string[]; edges: ImportEdge[] } {
	const files = roots.flatMap((root) => listTs(resolve(root)));
	const edges: ImportEdge[] = [];
	for (const file of files) {
		for (const { specifier, typeOnly } of importsOf(file, readFileSync(file, 'utf8'))) {
			const to = resolveSpecifier(file, specifier);
			if (to) edges.push({ from: file, to, typeOnly });
		}
	}
	return { files, edges };
}

/** Strongly connected components with more than one file (or a file importing itself). */
export function importCycles(files: string[], edges: ImportEdge[]): string[][] {
	const next = new Map<string, string[]>();
	for (const file of files) next.set(file, []);
	for (const edge of edges) next.get(edge.from)?.push(edge.to);
	let counter = 0;
	const index = new Map<string, number>();
	const low = new Map<string, number>();
	const stack: string[] = [];
	const onStack = new Set<string>();
	const cycles: string[][] = [];
	const strongConnect = (v: string): void => {
		index.set(v, counter);
		low.set(v, counter);
		counter += 1;
		stack.push(v);
		onStack.add(v);
		for (const w of next.get(v) ?? []) {
			if (!index.has(w)) {
				strongConnect(w);
				low.set(v, Math.min(low.get(v)!, low.get(w)!));
			} else if (onStack.has(w)) {
				low.set(v, Math.min(low.get(v)!, index.get(w)!));
			}
		}
		if (low.get(v) === index.get(v)) {
			const component: string[] = [];
			let w: string;
			do {
				w = stack.pop()!;
				onStack.delete(w);
				component.push(w);
			} while (w !== v);
			if (component.length > 1 || (next.get(v) ?? []).includes(v)) cycles.push(component.sort());
		}
	};
	for (const file of files) if (!index.has(file)) strongConnect(file);
	return cycles;
}

if (require.main === module) {
	const roots = process.argv.slice(2);
	const { files, edges } = importGraph(roots.length > 0 ? roots : ['nodes']);
	const cycles = importCycles(files, edges);
	for (const cycle of cycles) {
		console.log(`cycle of ${cycle.length} files:\n  ${cycle.map((f) => relative(process.cwd(), f)).join('\n  ')}`);
	}
	console.log(`${files.length} files, ${edges.length} imports, ${cycles.length} cycles`);
	process.exitCode = cycles.length > 0 ? 1 : 0;
}

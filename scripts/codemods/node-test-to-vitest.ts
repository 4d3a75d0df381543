/**
 * Codemod: node:test → vitest, mechanically, so no assertion changes.
 *
 *   scripts/node24 npx tsx scripts/codemods/node-test-to-vitest.ts test/unit test/contract test/e2e
 *   (add --check to only list what would change, --quiet to print less)
 *
 * For every .ts file under the given paths that imports 'node:test' (and every
 * file those import by a relative path that imports 'node:test' too, e.g. a
 * fixture server registering hooks), it rewrites:
 * - the import to 'vitest': before → beforeAll, after → afterAll (the calls are
 *   renamed too), test / it / describe / beforeEach / afterEach kept;
 *   `import test from 'node:test'` → `import { test } from 'vitest'`;
 * - node:test options `test(name, { … }, fn)` / `describe(name, { … }, fn)`
 *   (vitest takes the same position): `skip: X` → `skip: !!(X)` (node:test takes a
 *   reason string; the expression, reason included, stays in the file),
 *   `todo: X` → `todo: !!(X)`, `only: X` → `only: !!(X)`, `timeout` kept,
 *   `concurrency: true | n > 1` → `concurrent: true`, `concurrency: false | 1` →
 *   `sequential: true`;
 * - a test context: `t.skip(reason)` is kept (vitest's context has it with a
 *   note), `t.todo(x)` → `t.skip(x)`, `t.diagnostic(x)` → `void t.annotate(x)`,
 *   `t.name` → `t.task.name`;
 * - node:assert is left as it is: vitest runs it unchanged.
 * Anything without a mechanical equivalent (node:test's mock, t.test subtests,
 * t.plan, done callbacks, options given by a variable) stops the run with the
 * file and line, before any file is written.
 */
import { readFileSync, writeFileSync, statSync, readdirSync, existsSync } from 'node:fs';
import { basename, join, resolve, dirname, relative } from 'node:path';
import ts from 'typescript';

interface Edit {
	start: number;
	end: number;
	text: string;
}

const HOOK_RENAMES: Record<string, string> = { before: 'beforeAll', after: 'afterAll' };
const KEPT = new Set(['test', 'it', 'describe', 'beforeEach', 'afterEach', 'suite']);
const TEST_CALLEES = new Set(['test', 'it', 'describe', 'suite']);

export class CodemodError extends Error {}

function lineOf(sf: ts.SourceFile, pos: number): string {
	const { line, character } = sf.getLineAndCharacterOfPosition(pos);
	return `${sf.fileName}:${line + 1}:${character + 1}`;
}

function isFunctionLike(node: ts.Node | undefined): node is ts.ArrowFunction | ts.FunctionExpression {
	return !!node && (ts.isArrowFunction(node) || ts.isFunctionExpression(node));
}

const SPAWNERS = new Set(['spawn', 'spawnSync', 'fork', 'execFile', 'execFileSync']);

/**
 * Whether the file starts itself as a child process (`spawn(process.execPath, ['--import', 'tsx', __filename])`
 * or its own name): the child is a plain Node process, where importing 'vitest' throws.
 */
function spawnsItself(sf: ts.SourceFile): boolean {
	const own = basename(sf.fileName);
	const namesSelf = (node: ts.Node): boolean => {
		if (ts.isIdentifier(node) && node.text === '__filename') return true;
		if ((ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) && basename(node.text) === own) return true;
		return ts.forEachChild(node, namesSelf) ?? false;
	};
	const visit = (node: ts.Node): boolean => {
		if (ts.isCallExpression(node)) {
			const callee = ts.isIdentifier(node.expression) ? node.expression.text : ts.isPropertyAccessExpression(node.expression) ? node.expression.name.text : '';
			if (SPAWNERS.has(callee) && node.arguments.some(namesSelf)) return true;
		}
		return ts.forEachChild(node, visit) ?? false;
	};
	return visit(sf);
}

const REASONED = { skip: 'skipWhen', todo: 'todoWhen' } as const;

/** The relative import specifier of `target` (a .ts file) from `fileName`. */
function importPath(fileName: string, target: string): string {
	const rel = relative(dirname(resolve(fileName)), target).replace(/\\/g, '/').replace(/\.ts$/, '');
	return rel.startsWith('.') ? rel : `./${rel}`;
}

export interface ConvertOptions {
	/** Absolute path of test/helpers/skip.ts (skipWhen, todoWhen: node:test's skip and todo reasons). */
	skipHelper?: string;
	/**
	 * Absolute path of test/helpers/vitest-api.ts: a file that spawns itself imports the test API from
	 * there (vitest's globals under vitest, inert in the child) instead of from 'vitest'.
	 */
	childSafeApi?: string;
}

/** Converts one file's text; returns null when it does not import node:test. */
export function convertSource(fileName: string, text: string, options: ConvertOptions = {}): string | null {
	const sf = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
	const selfChild = spawnsItself(sf);
	let apiFrom = 'vitest';
	if (selfChild) {
		if (!options.childSafeApi) throw new CodemodError(`${fileName}: runs itself as a child process; give the path of test/helpers/vitest-api.ts`);
		apiFrom = importPath(fileName, options.childSafeApi);
	}
	const edits: Edit[] = [];
	const problems: string[] = [];
	/** skipWhen / todoWhen used: imported from test/helpers/skip. */
	const reasoned = new Set<string>();
	/** Local names bound to node:test exports: local → exported name. */
	const bound = new Map<string, string>();
	let found = false;

	for (const statement of sf.statements) {
		if (!ts.isImportDeclaration(statement) || !ts.isStringLiteral(statement.moduleSpecifier)) continue;
		const spec = statement.moduleSpecifier.text;
		if (spec !== 'node:test' && spec !== 'test') continue;
		if (spec === 'test') continue; // a package literally named "test" is not node:test
		found = true;
		const clause = statement.importClause;
		const names: string[] = [];
		const typeOnly = !!clause?.isTypeOnly;
		if (clause?.name) {
			// import test from 'node:test'
			bound.set(clause.name.text, 'test');
			names.push(clause.name.text === 'test' ? 'test' : `test as ${clause.name.text}`);
		}
		const nb = clause?.namedBindings;
		if (nb && ts.isNamespaceImport(nb)) problems.push(`${lineOf(sf, nb.getStart())}: namespace import of node:test; import the names instead`);
		if (nb && ts.isNamedImports(nb)) {
			for (const el of nb.elements) {
				const imported = (el.propertyName ?? el.name).text;
				const local = el.name.text;
				if (imported === 'mock') {
					problems.push(`${lineOf(sf, el.getStart())}: node:test's mock has no mechanical vitest equivalent (use vi)`);
					continue;
				}
				const isType = el.isTypeOnly || typeOnly;
				if (isType || /^[A-Z]/.test(imported)) {
					// types such as TestContext, SuiteContext: vitest has TestContext; SuiteContext does not exist.
					const target = imported === 'SuiteContext' ? 'TestContext' : imported;
					names.push(`${el.isTypeOnly ? 'type ' : ''}${target === local ? target : `${target} as ${local}`}`);
					continue;
				}
				const renamed = HOOK_RENAMES[imported];
				if (renamed) {
					if (local !== imported) names.push(`${renamed} as ${local}`);
					else {
						names.push(renamed);
						bound.set(local, renamed);
					}
					continue;
				}
				if (!KEPT.has(imported)) {
					problems.push(`${lineOf(sf, el.getStart())}: node:test export '${imported}' has no mapping`);
					continue;
				}
				names.push(local === imported ? imported : `${imported} as ${local}`);
				bound.set(local, imported);
			}
		}
		const unique = [...new Set(names)];
		let text: string;
		if (unique.length === 0) text = `import 'vitest';`;
		else if (selfChild && !typeOnly) {
			// Values from the child-safe API, types (erased, so the child never loads vitest) from vitest.
			const isTypeName = (n: string) => n.startsWith('type ') || /^[A-Z]/.test(n);
			const values = unique.filter((n) => !isTypeName(n));
			const types = unique.filter(isTypeName).map((n) => n.replace(/^type /, ''));
			const lines: string[] = [];
			if (values.length) lines.push(`import { ${values.join(', ')} } from '${apiFrom}';`);
			if (types.length) lines.push(`import type { ${types.join(', ')} } from 'vitest';`);
			text = lines.join('\n');
		} else text = `import ${typeOnly ? 'type ' : ''}{ ${unique.join(', ')} } from 'vitest';`;
		edits.push({ start: statement.getStart(sf), end: statement.getEnd(), text });
	}
	if (!found) return null;

	const visit = (node: ts.Node): void => {
		if (ts.isCallExpression(node) && ts.isIdentifier(node.expression) && bound.has(node.expression.text)) {
			const local = node.expression.text;
			const exported = bound.get(local)!;
			// before/after → beforeAll/afterAll (only calls with a function argument: hooks)
			if ((local === 'before' || local === 'after') && (exported === 'beforeAll' || exported === 'afterAll')) {
				if (node.arguments.some((a) => isFunctionLike(a) || ts.isIdentifier(a))) edits.push({ start: node.expression.getStart(sf), end: node.expression.getEnd(), text: exported });
			}
			if (TEST_CALLEES.has(exported)) handleTestCall(node, exported);
		}
		ts.forEachChild(node, visit);
	};

	/** Accesses of the test context `name` inside a test body (not where a nested function rebinds the name). */
	function scanContext(node: ts.Node, name: string): void {
		if (ts.isPropertyAccessExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === name) handleContextAccess(node);
		if (ts.isFunctionLike(node) && node.parameters.some((p) => bindsName(p.name, name))) return;
		ts.forEachChild(node, (child) => scanContext(child, name));
	}

	function bindsName(binding: ts.BindingName, name: string): boolean {
		if (ts.isIdentifier(binding)) return binding.text === name;
		return binding.elements.some((el) => !ts.isOmittedExpression(el) && bindsName(el.name, name));
	}

	function handleTestCall(call: ts.CallExpression, kind: string): void {
		const args = call.arguments;
		const fn = [...args].reverse().find(isFunctionLike);
		if (args.length >= 3 || (args.length === 2 && !isFunctionLike(args[1]))) {
			const options = args.length >= 3 ? args[1] : isFunctionLike(args[1]) ? undefined : args[1];
			if (options && !isFunctionLike(options)) {
				if (!ts.isObjectLiteralExpression(options)) {
					problems.push(`${lineOf(sf, options.getStart())}: ${kind} options given by an expression; write them as an object literal`);
				} else {
					mapOptions(options);
				}
			}
		}
		if (fn && kind !== 'describe' && kind !== 'suite') {
			if (fn.parameters.length >= 2) problems.push(`${lineOf(sf, fn.getStart())}: a done callback; vitest has none (return a promise)`);
			const p = fn.parameters[0];
			if (p && ts.isIdentifier(p.name)) scanContext(fn.body, p.name.text);
			else if (p) problems.push(`${lineOf(sf, p.getStart())}: a destructured test context; name it`);
		}
		if (fn && (kind === 'describe' || kind === 'suite') && fn.parameters.length > 0) {
			const p = fn.parameters[0];
			problems.push(`${lineOf(sf, p.getStart())}: a describe callback that uses its SuiteContext; vitest passes none`);
		}
	}

	function mapOptions(options: ts.ObjectLiteralExpression): void {
		const keys = options.properties.map((p) => (p.name && (ts.isIdentifier(p.name) || ts.isStringLiteral(p.name)) ? p.name.text : ''));
		if (keys.includes('skip') && keys.includes('todo')) problems.push(`${lineOf(sf, options.getStart())}: both skip and todo; write one`);
		for (const prop of options.properties) {
			if (ts.isShorthandPropertyAssignment(prop)) {
				const key = prop.name.text;
				if (key === 'timeout') continue;
				if (key === 'skip' || key === 'todo') {
					edits.push({ start: prop.getStart(sf), end: prop.getEnd(), text: `...${REASONED[key]}(${key})` });
					reasoned.add(REASONED[key]);
					continue;
				}
				if (key === 'only') {
					edits.push({ start: prop.getStart(sf), end: prop.getEnd(), text: `${key}: !!${key}` });
					continue;
				}
				problems.push(`${lineOf(sf, prop.getStart())}: option '${key}' has no mapping`);
				continue;
			}
			if (!ts.isPropertyAssignment(prop) || !(ts.isIdentifier(prop.name) || ts.isStringLiteral(prop.name))) {
				problems.push(`${lineOf(sf, prop.getStart())}: option written in a form this codemod does not read`);
				continue;
			}
			const key = prop.name.text;
			const init = prop.initializer;
			const value = init.getText(sf);
			if (key === 'timeout') continue;
			if (key === 'skip' || key === 'todo' || key === 'only') {
				if (init.kind === ts.SyntaxKind.TrueKeyword || init.kind === ts.SyntaxKind.FalseKeyword) continue;
				if (key === 'only') {
					edits.push({ start: init.getStart(sf), end: init.getEnd(), text: `!!(${value})` });
					continue;
				}
				// vitest's skip/todo are booleans; node:test's reason goes to the test's meta (printed by the summary
				// reporter), and the expression is evaluated once, as node:test did.
				edits.push({ start: prop.getStart(sf), end: prop.getEnd(), text: `...${REASONED[key]}(${value})` });
				reasoned.add(REASONED[key]);
				continue;
			}
			if (key === 'concurrency') {
				let text: string;
				if (init.kind === ts.SyntaxKind.TrueKeyword) text = 'concurrent: true';
				else if (init.kind === ts.SyntaxKind.FalseKeyword) text = 'sequential: true';
				else if (ts.isNumericLiteral(init)) text = Number(init.text.replace(/_/g, '')) > 1 ? 'concurrent: true' : 'sequential: true';
				else text = `concurrent: ((c: unknown) => c === true || (typeof c === 'number' && c > 1))(${value})`;
				edits.push({ start: prop.getStart(sf), end: prop.getEnd(), text });
				continue;
			}
			problems.push(`${lineOf(sf, prop.getStart())}: option '${key}' has no mapping`);
		}
	}

	function skipEndsTest(call: ts.CallExpression): boolean {
		const holder = call.parent;
		if (ts.isReturnStatement(holder)) return true;
		if (ts.isExpressionStatement(holder) && ts.isBlock(holder.parent)) {
			const list = holder.parent.statements;
			const next = list[list.indexOf(holder) + 1];
			return next !== undefined && ts.isReturnStatement(next) && next.expression === undefined;
		}
		return false;
	}

	function handleContextAccess(access: ts.PropertyAccessExpression): void {
		const member = access.name.text;
		const parent = access.parent;
		switch (member) {
			case 'skip':
				// node:test's t.skip() marks the test and lets it run on; vitest's throws and stops it. The same
				// only when nothing runs after it: `return t.skip(…)` or `t.skip(…); return;`.
				if (ts.isCallExpression(parent) && skipEndsTest(parent)) return;
				break;
			case 'signal':
			case 'annotate':
			case 'task':
			case 'expect':
				return;
			case 'todo':
				edits.push({ start: access.name.getStart(sf), end: access.name.getEnd(), text: 'skip' });
				return;
			case 'name':
				edits.push({ start: access.name.getStart(sf), end: access.name.getEnd(), text: 'task.name' });
				return;
			case 'diagnostic':
				if (ts.isCallExpression(parent) && parent.expression === access) {
					edits.push({ start: access.getStart(sf), end: access.getStart(sf), text: 'void ' });
					edits.push({ start: access.name.getStart(sf), end: access.name.getEnd(), text: 'annotate' });
					return;
				}
				break;
			default:
				break;
		}
		problems.push(`${lineOf(sf, access.getStart())}: test context '${member}' has no mechanical vitest equivalent`);
	}

	ts.forEachChild(sf, visit);
	if (reasoned.size > 0) {
		if (!options.skipHelper) problems.push(`${fileName}: skip/todo with a reason; give the path of test/helpers/skip.ts`);
		else {
			const last = [...sf.statements].filter(ts.isImportDeclaration).pop()!;
			edits.push({ start: last.getEnd(), end: last.getEnd(), text: `\nimport { ${[...reasoned].sort().join(', ')} } from '${importPath(fileName, options.skipHelper)}';` });
		}
	}
	if (problems.length > 0) throw new CodemodError(problems.join('\n'));
	edits.sort((a, b) => b.start - a.start || b.end - a.end);
	let out = text;
	let last = Number.POSITIVE_INFINITY;
	for (const edit of edits) {
		if (edit.end > last) throw new CodemodError(`${fileName}: overlapping edits at ${lineOf(sf, edit.start)}`);
		out = out.slice(0, edit.start) + edit.text + out.slice(edit.end);
		last = edit.start;
	}
	return out;
}

const CHILD_SAFE_API = resolve(__dirname, '../../test/helpers/vitest-api.ts');
const SKIP_HELPER = resolve(__dirname, '../../test/helpers/skip.ts');

function listTs(path: string): string[] {
	const st = statSync(path);
	if (st.isFile()) return path.endsWith('.ts') ? [path] : [];
	const out: string[] = [];
	for (const entry of readdirSync(path, { withFileTypes: true })) {
		if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
		out.push(...listTs(join(path, entry.name)));
	}
	return out;
}

function relativeImports(file: string, text: string): string[] {
	const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
	const out: string[] = [];
	for (const st of sf.statements) {
		if ((ts.isImportDeclaration(st) || ts.isExportDeclaration(st)) && st.moduleSpecifier && ts.isStringLiteral(st.moduleSpecifier)) {
			const spec = st.moduleSpecifier.text;
			if (!spec.startsWith('.')) continue;
			const base = resolve(dirname(file), spec);
			for (const candidate of [base, `${base}.ts`, join(base, 'index.ts')]) {
				if (existsSync(candidate) && statSync(candidate).isFile() && candidate.endsWith('.ts')) {
					out.push(candidate);
					break;
				}
			}
		}
	}
	return out;
}

function main(argv: string[]): void {
	const check = argv.includes('--check');
	const quiet = argv.includes('--quiet');
	const roots = argv.filter((a) => !a.startsWith('--'));
	if (roots.length === 0) {
		console.error('usage: node-test-to-vitest.ts [--check] [--quiet] <file-or-folder>...');
		process.exit(2);
	}
	const queue = roots.flatMap((r) => listTs(resolve(r)));
	const seen = new Set<string>();
	const results = new Map<string, string>();
	const errors: string[] = [];
	while (queue.length > 0) {
		const file = queue.shift()!;
		if (seen.has(file)) continue;
		seen.add(file);
		const text = readFileSync(file, 'utf8');
		if (!text.includes('node:test')) {
			// still follow imports: a test file may import a helper that registers hooks
			if (/\.test\.ts$/.test(file)) queue.push(...relativeImports(file, text).filter((f) => !f.includes('/node_modules/')));
			continue;
		}
		try {
			const converted = convertSource(relative(process.cwd(), file), text, { childSafeApi: CHILD_SAFE_API, skipHelper: SKIP_HELPER });
			if (converted !== null && converted !== text) results.set(file, converted);
		} catch (error) {
			errors.push(error instanceof CodemodError ? error.message : `${file}: ${(error as Error).message}`);
		}
		queue.push(...relativeImports(file, text).filter((f) => !f.includes('/node_modules/')));
	}
	if (errors.length > 0) {
		console.error(`node-test-to-vitest: nothing written; ${errors.length} file(s) need a hand:\n${errors.join('\n')}`);
		process.exit(1);
	}
	for (const [file, text] of results) {
		if (!check) writeFileSync(file, text);
		if (!quiet) console.log(`${check ? 'would convert' : 'converted'} ${relative(process.cwd(), file)}`);
	}
	console.log(`node-test-to-vitest: ${results.size} file(s) ${check ? 'to convert' : 'converted'}; ${seen.size} file(s) read`);
}

if (require.main === module) main(process.argv.slice(2));

/**
 * Comment classification cost: 5,000 comments through the LLM path against
 * the sandbox (real `openai` SDK over HTTP, the sandbox's deterministic model
 * and moderation endpoint), batched at the default settings (batches filled
 * up to a token budget per request, `maxBatchTokens`, capped at
 * `batchSize` comments) next to one comment per request, in the same run on
 * the same comments. Prints requests per comment and fails (exit 1) when
 * the batched mode needs more than 0.1 chat requests per comment or gives
 * any comment another intent than one-by-one.
 *
 * The comments are the labelled and held-out sets of test/fixtures/moderation
 * and the moderation corpus (1,427 hand-written comments in nine languages,
 * with emoji, sarcasm, spam, scams and injection attempts) cycled to 5,000,
 * each copy with a short varying tail so no two texts are equal. Injection-looking comments travel alone in both modes
 * (the core isolates them), as in production.
 *
 * Printed per mode: chat requests, moderation requests, prompt /
 * completion / total tokens, all per comment, wall time, and the ratios of
 * the one-per-request mode to the batched mode.
 *
 *   node --import tsx test/bench/moderation.bench.ts
 *
 * Options (env): BENCH_COMMENTS (5000), BENCH_BATCH (comments per request
 * cap; default: the core's default), BENCH_BATCH_TOKENS (token budget;
 * default: the core's default).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import OpenAI from 'openai';
import { classifyWithLlm, type CommentInput, type LlmClassifyResult } from '../../nodes/shared/moderation';
import { openAIModerationDeps } from '../../nodes/shared/moderation/openai';
import { startSandbox } from '../../scripts/sandbox';
import { loadCorpus } from '../fixtures/moderation-corpus/load';

const COMMENTS = Number(process.env.BENCH_COMMENTS ?? 5000);
const BATCH = process.env.BENCH_BATCH ? Number(process.env.BENCH_BATCH) : undefined;
const BATCH_TOKENS = process.env.BENCH_BATCH_TOKENS ? Number(process.env.BENCH_BATCH_TOKENS) : undefined;

const TAILS = ['', ' !', ' 🙂', ' thanks', ' pls', ' ...', ' 👀', ' lol', ' (again)', ' ??'];

function corpus(): CommentInput[] {
	const read = (name: string) => (JSON.parse(readFileSync(join(__dirname, `../fixtures/moderation/${name}.json`), 'utf8')) as { comments: Array<{ text: string }> }).comments;
	const base = [...read('comments'), ...read('holdout'), ...loadCorpus()].map((c) => c.text);
	return Array.from({ length: COMMENTS }, (_, i) => {
		const round = Math.floor(i / base.length);
		const tail = round === 0 ? '' : `${TAILS[round % TAILS.length]} ${round}`;
		return { id: `b${i}`, text: `${base[i % base.length]}${tail}` };
	});
}

interface Row {
	mode: string;
	result: LlmClassifyResult;
	ms: number;
}

function per(n: number): string {
	return (n / COMMENTS).toFixed(3).padStart(9);
}

async function main(): Promise<void> {
	const sb = await startSandbox({ seed: 1 });
	try {
		const client = new OpenAI({ apiKey: sb.credentials.openai.apiKey, baseURL: sb.urls.openai, maxRetries: 0 });
		const comments = corpus();
		const rows: Row[] = [];
		const modes: Array<[string, { batchSize?: number; maxBatchTokens?: number }]> = [
			[BATCH || BATCH_TOKENS ? `batched (${BATCH ?? 'default'}/${BATCH_TOKENS ?? 'default'} tok)` : 'batched (defaults)', { ...(BATCH ? { batchSize: BATCH } : {}), ...(BATCH_TOKENS ? { maxBatchTokens: BATCH_TOKENS } : {}) }],
			['one per request', { batchSize: 1 }],
		];
		for (const [mode, sizing] of modes) {
			const started = performance.now();
			const result = await classifyWithLlm(comments, openAIModerationDeps(client), { model: 'gpt-4o-mini', ...sizing });
			rows.push({ mode, result, ms: performance.now() - started });
			if (result.results.length !== COMMENTS) throw new Error(`${mode}: ${result.results.length} results for ${COMMENTS} comments`);
		}
		const lines = [
			`Comment classification, ${COMMENTS} comments, LLM path against the sandbox (gpt-4o-mini + omni-moderation-latest)`,
			`${'mode'.padEnd(22)} ${'chat req'.padStart(9)} ${'mod req'.padStart(9)} ${'prompt'.padStart(9)} ${'complet.'.padStart(9)} ${'total'.padStart(9)} ${'fallback'.padStart(9)} ${'seconds'.padStart(8)}   (per comment, except seconds)`,
			...rows.map((r) =>
				[
					r.mode.padEnd(22),
					per(r.result.usage.requests),
					per(r.result.usage.moderationRequests),
					per(r.result.usage.promptTokens),
					per(r.result.usage.completionTokens),
					per(r.result.usage.totalTokens),
					String(r.result.fallbacks.length).padStart(9),
					(r.ms / 1000).toFixed(1).padStart(8),
				].join(' '),
			),
		];
		const [batched, single] = rows as [Row, Row];
		const ratio = (a: number, b: number) => (b ? (a / b).toFixed(1) : '-');
		lines.push(
			`one per request ÷ batched: chat requests ×${ratio(single.result.usage.requests, batched.result.usage.requests)}, total tokens ×${ratio(single.result.usage.totalTokens, batched.result.usage.totalTokens)}, prompt tokens ×${ratio(single.result.usage.promptTokens, batched.result.usage.promptTokens)}, time ×${ratio(single.ms, batched.ms)}`,
		);
		const same = batched.result.results.filter((r, i) => r.classification.intent === single.result.results[i]!.classification.intent).length;
		lines.push(`same intent in both modes: ${same} of ${COMMENTS}`);
		const perComment = batched.result.usage.requests / COMMENTS;
		lines.push(`batched: ${perComment.toFixed(3)} chat requests per comment (goal: at most 0.1)`);
		console.log(lines.join('\n'));
		if (perComment > 0.1 || same !== COMMENTS) process.exitCode = 1;
	} finally {
		await sb.close();
	}
}

main().catch((error: unknown) => {
	console.error(error);
	process.exit(1);
});

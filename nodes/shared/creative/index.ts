/**
 * Creative generation core: the variant schema (OpenAI structured output),
 * platform rules counted in graphemes, the policy lint, grounding from past
 * performance, the bounded regeneration loop with an injected completion
 * function, and staging (row, content hash, approval proposal). Those are
 * pure: no n8n, no network. The novelty check lives in `nodes/shared/novelty`.
 *
 * On top of them, still without n8n: `openai.ts` (the `openai` SDK as the
 * completion function and the embedder), `run.ts` (`runCreative`,
 * `checkNoveltyOfCopy`, `markCreativeDecision` over the store) and
 * `executor.ts` (the approval loop's executor of kind `creative`).
 */
export * from './variant';
export * from './platform-rules';
export * from './policy';
export * from './grounding';
export * from './learning';
export * from './generate';
export * from './stage';
export * from './openai';
export * from './run';
export * from './executor';
export * from './campaigns';
export { NoveltyIndexCache, defaultNoveltyCache, noveltyCacheEnabled, type NoveltyCacheOptions, type NoveltyCacheStats } from './novelty-cache';

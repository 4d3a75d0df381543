/**
 * Creative generation core: the variant schema (OpenAI structured output),
 * platform rules counted in graphemes, the policy lint, grounding from past
 * performance, the bounded regeneration loop with an injected completion
 * function, and staging (row, content hash, approval proposal). Pure: no n8n,
 * no network. The novelty check lives in `nodes/shared/novelty`.
 */
export * from './variant';
export * from './platform-rules';
export * from './policy';
export * from './grounding';
export * from './generate';
export * from './stage';

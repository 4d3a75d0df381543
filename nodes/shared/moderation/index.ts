/**
 * Moderation of ad comments: Meta webhooks (verification, signatures,
 * parsing, replay keys), classification (offline rules and the LLM path),
 * the policy that alone chooses actions, reply drafting and proposals, and
 * the per-ad comment signal for optimization rules.
 */
export * from './meta-webhook';
export * from './classify';
export * from './llm';
export * from './policy';
export * from './reply';
export * from './signal';
export * from './evaluate';
export { guessLanguage, type LanguageGuess } from './language';
export * from './store-replay';
export * from './executor';
export * from './run';
export * from './reconcile';
export * from './comment-text';

/**
 * The `openai` SDK behind the moderation core: the `ChatFn` that
 * `classifyWithLlm` and `draftReply` call (Chat Completions with the core's
 * strict JSON-schema response format: structured outputs), and the
 * `ModerateFn` over the moderation endpoint (toxicity categories).
 *
 * Decisions:
 * - The request body is the core's (`ChatRequest`: model, messages, strict
 *   `json_schema` response format, temperature) sent as it is with
 *   `chat.completions.create`. The answer is only mapped (content, refusal,
 *   usage); validating it is llm.ts's job, per comment, with an offline
 *   fallback for each comment the model got wrong.
 * - Retries are the SDK's (`maxRetries` on the client: 429 honouring
 *   Retry-After, 5xx, connection errors). What is left is thrown as an
 *   `OpenAICallError` (../resilience/openai-errors.ts, call `chat.completions`
 *   or `moderations`) naming the model and what to do; llm.ts turns a thrown chat error into offline fallbacks for that
 *   batch, and `errors` keeps the messages so the run can say why.
 * - `finish_reason: content_filter` is mapped to a refusal; a response
 *   without usage is estimated at 4 characters per token so token counts
 *   stay comparable.
 * - Messages never hold the API key (OpenAI's error texts mask it; only the
 *   first line is kept).
 */
import type OpenAI from 'openai';
import { OpenAICallError, describeOpenAIError } from '../resilience/openai-errors';
import type { ChatFn, ChatResponse, LlmDeps, ModerateFn, ModerationResult } from './llm';

/** The part of an `OpenAI` client the moderation core uses. */
export type OpenAIModerationClient = Pick<OpenAI, 'chat' | 'moderations'>;

export const DEFAULT_MODERATION_MODEL = 'omni-moderation-latest';

export interface OpenAIModerationOptions {
	/** Moderation endpoint model (default `omni-moderation-latest`); `false` leaves the endpoint out. */
	moderationModel?: string | false;
	/** Texts per moderation request (default 32; batches from llm.ts are already smaller). */
	moderationBatchSize?: number;
}

export interface OpenAIModerationDeps extends LlmDeps {
	/** Messages of calls that failed after the SDK's retries, in order (at most 20 kept). */
	readonly errors: string[];
}

const estimate = (text: string): number => Math.ceil(text.length / 4);

/** A failed moderation-endpoint call, after the SDK's retries, in words (call `moderations`). */
export function describeModerationError(error: unknown, model: string): OpenAICallError {
	const failure = describeOpenAIError(error, 'moderations', model);
	const advice = failure.kind === 'model_not_found' ? ` Pick a moderation model this key can use (${DEFAULT_MODERATION_MODEL}).` : '';
	const message = `${failure.message.replace(/\.?$/u, '.')}${advice} Classification goes on without toxicity categories.`;
	return new OpenAICallError({ call: failure.call, model: failure.model, kind: failure.kind, status: failure.status, requestId: failure.requestId, message, cause: error });
}

/** `ChatFn` over `client.chat.completions.create`. */
export function chatWithOpenAI(client: Pick<OpenAI, 'chat'>, onError?: (message: string) => void): ChatFn {
	return async (request): Promise<ChatResponse> => {
		let completion: OpenAI.Chat.Completions.ChatCompletion;
		try {
			completion = await client.chat.completions.create({
				model: request.model,
				messages: request.messages,
				response_format: request.response_format,
				temperature: request.temperature,
			});
		} catch (error) {
			const failure = describeOpenAIError(error, 'chat.completions', request.model);
			onError?.(failure.message);
			throw failure;
		}
		const choice = completion.choices?.[0];
		const message = choice?.message;
		const content = typeof message?.content === 'string' ? message.content : null;
		const refusal = typeof message?.refusal === 'string' && message.refusal ? message.refusal : choice?.finish_reason === 'content_filter' ? "OpenAI's content filter stopped the response" : null;
		const u = completion.usage;
		const usage =
			u && typeof u.prompt_tokens === 'number' && typeof u.completion_tokens === 'number'
				? { prompt_tokens: u.prompt_tokens, completion_tokens: u.completion_tokens, total_tokens: u.total_tokens ?? u.prompt_tokens + u.completion_tokens }
				: (() => {
						const prompt = request.messages.reduce((n, m) => n + estimate(m.content) + 4, 0);
						const completionTokens = estimate(content ?? refusal ?? '');
						return { prompt_tokens: prompt, completion_tokens: completionTokens, total_tokens: prompt + completionTokens };
					})();
		return { content, refusal, usage };
	};
}

/** `ModerateFn` over `client.moderations.create` (text inputs, results in input order). */
export function moderateWithOpenAI(client: Pick<OpenAI, 'moderations'>, model: string = DEFAULT_MODERATION_MODEL, options: { batchSize?: number; onError?: (message: string) => void } = {}): ModerateFn {
	const batchSize = Math.max(1, Math.min(100, Math.floor(options.batchSize ?? 32)));
	return async (texts): Promise<ModerationResult[]> => {
		const out: ModerationResult[] = [];
		for (let i = 0; i < texts.length; i += batchSize) {
			const input = texts.slice(i, i + batchSize);
			let res: OpenAI.Moderations.ModerationCreateResponse;
			try {
				res = await client.moderations.create({ model, input });
			} catch (error) {
				const failure = describeModerationError(error, model);
				options.onError?.(failure.message);
				throw failure;
			}
			const results = Array.isArray(res.results) ? res.results : [];
			if (results.length !== input.length) throw new Error(`OpenAI moderation with model "${model}" answered ${results.length} results for ${input.length} texts`);
			for (const r of results) {
				out.push({
					flagged: r.flagged,
					categories: { ...(r.categories as unknown as Record<string, boolean>) },
					category_scores: { ...(r.category_scores as unknown as Record<string, number>) },
				});
			}
		}
		return out;
	};
}

/**
 * Everything `classifyWithLlm` (and `moderate` in run.ts) needs from one
 * `OpenAI` client: chat with structured outputs, the moderation endpoint
 * unless `moderationModel: false`, and the messages of failed calls.
 */
export function openAIModerationDeps(client: OpenAIModerationClient, options: OpenAIModerationOptions = {}): OpenAIModerationDeps {
	const errors: string[] = [];
	const onError = (message: string) => {
		if (errors.length < 20) errors.push(message);
	};
	const moderationModel = options.moderationModel === undefined ? DEFAULT_MODERATION_MODEL : options.moderationModel;
	return {
		errors,
		chat: chatWithOpenAI(client, onError),
		...(moderationModel ? { moderate: moderateWithOpenAI(client, moderationModel, { batchSize: options.moderationBatchSize, onError }) } : {}),
	};
}

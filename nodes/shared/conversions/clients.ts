/**
 * The senders of conversion batches, one per platform (platforms/*-conversions.ts), chosen by the
 * platform of the settings (the same settings as the platform's adapter: platforms/factory.ts).
 *
 * Every send is a `sideEffect: 'once'` call over the shared transport (platforms/http.ts: limiter,
 * breaker, Retry-After, errors as PlatformApiError): retried only after an answer that proves nothing
 * was taken (429, a refused connection); a lost or late answer is thrown at once, unknown, and never
 * repeated there — send.ts decides whether the same batch may go again (within the platform's dedupe
 * window).
 */
import type { AxiosRequestConfig } from 'axios';
import type { PlatformSettings } from '../platforms/factory';
import type { HttpOptions, HttpTransport } from '../platforms/http';
import type { PlatformId } from '../platforms/registry';
import type { CallContext } from '../resilience/call-policy';
import { PlatformApiError } from '../resilience/errors';
import type { EventResult, EventRow } from './payloads';

export interface ConversionSender {
	platform: PlatformId;
	/** Sends one batch (at most the registry's batchLimit) to `destination`; the platform's answer per event. Throws PlatformApiError when the request fails whole. */
	send(destination: string, events: readonly EventRow[]): Promise<EventResult[]>;
}

/** A platform's conversion module: makes its sender from that platform's settings. */
export interface ConversionModule {
	platform: PlatformId;
	create(settings: PlatformSettings, options: HttpOptions): ConversionSender;
}

/** One request through the transport's executor, as a once-only side effect; `check` turns an HTTP 200 refusal into an error. */
export async function postOnce<T>(http: HttpTransport, context: CallContext, config: AxiosRequestConfig, check?: (data: unknown) => PlatformApiError | undefined): Promise<T> {
	return http.executor.run({ ...context, sideEffect: 'once' }, async () => {
		let data: unknown;
		try {
			const response = await http.axios.request({ ...config, method: 'POST', signal: context.signal });
			http.noteHeaders({ ...(response.headers as Record<string, unknown>) });
			data = response.data;
		} catch (error) {
			throw http.toPlatformError(error, context);
		}
		if (data === null || typeof data !== 'object') {
			throw new PlatformApiError({ platform: http.platform, accountId: context.accountId, call: context.call, kind: 'malformed_response', platformMessage: 'expected a JSON object', retryable: true, hint: "the answer is not the platform's JSON: check the API base URL" });
		}
		const refused = check?.(data);
		if (refused) throw refused;
		return data as T;
	});
}

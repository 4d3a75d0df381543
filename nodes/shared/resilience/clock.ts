/**
 * Time as a dependency: every wait in the resilience layer goes through a
 * `Clock`, so tests can record waits instead of sleeping.
 */
export interface Clock {
	now(): number;
	sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
	now: () => Date.now(),
	sleep: (ms, signal) =>
		new Promise<void>((resolve, reject) => {
			if (ms <= 0) return resolve();
			if (signal?.aborted) return reject(signal.reason ?? new Error('aborted'));
			const timer = setTimeout(() => {
				signal?.removeEventListener('abort', onAbort);
				resolve();
			}, ms);
			const onAbort = () => {
				clearTimeout(timer);
				reject(signal?.reason ?? new Error('aborted'));
			};
			signal?.addEventListener('abort', onAbort, { once: true });
		}),
};

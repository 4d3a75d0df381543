/**
 * Cooperative slicing of long computations (issue 21, the event-loop
 * budget). A heavy step is written once, as a generator that `yield`s at
 * points where it may pause (every few thousand variants); `runSteps` runs it
 * to the end at once, `runStepsAsync` gives the event loop a turn
 * (`setImmediate`) whenever a slice has run `sliceMs`. Both compute the same
 * thing in the same order, so the results are identical. Used by the
 * novelty index, the rules evaluation and the insights scan.
 *
 * In n8n's queue mode a worker must renew its job lock while it works; a
 * block of the event loop longer than the lock's renewal leaves the job
 * "stalled" (failed) while its side effects go on. Slices of 10 ms keep the
 * longest block near 10 ms plus one step.
 */

/** A computation in steps: yields `undefined` where it may pause, returns its result. */
export type Steps<T> = Generator<undefined, T, undefined>;

/** Default slice: how long a computation runs before it lets the event loop in. */
export const DEFAULT_SLICE_MS = 10;

/** Runs `steps` to the end without pausing. */
export function runSteps<T>(steps: Steps<T>): T {
	for (;;) {
		const r = steps.next();
		if (r.done) return r.value;
	}
}

/** A turn of the event loop: timers, I/O and lock renewals run before the computation goes on. */
export function yieldToEventLoop(): Promise<void> {
	return new Promise((resolve) => setImmediate(resolve));
}

/** Runs `steps`, letting the event loop in after every `sliceMs` of work (at the next step boundary). */
export async function runStepsAsync<T>(steps: Steps<T>, sliceMs: number = DEFAULT_SLICE_MS): Promise<T> {
	let start = performance.now();
	for (;;) {
		const r = steps.next();
		if (r.done) return r.value;
		if (performance.now() - start >= sliceMs) {
			await yieldToEventLoop();
			start = performance.now();
		}
	}
}

/**
 * The longest block of the event loop while a workload runs (issue 21, item
 * 3): a 2 ms interval notes the longest gap between two of its turns, and
 * `perf_hooks.monitorEventLoopDelay` (1 ms resolution) its maximum delay.
 * Both see a synchronous stretch of work as one block; the gap also covers
 * the first and last stretch (closed when the probe stops).
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';

export interface LoopBlocks {
	/** Longest gap between two turns of the interval, ms (the block plus at most the 2 ms period). */
	longestMs: number;
	/** `monitorEventLoopDelay`'s maximum delay, ms. */
	histogramMaxMs: number;
	/** How long the workload took, ms. */
	totalMs: number;
	/**
	 * Longest CPU time of this process between two turns of the interval, ms:
	 * the block as an idle machine would see it (on a loaded one the wall-clock
	 * block also holds the time the process waited for a core). Counts the
	 * garbage collector's helper threads too, so it errs long.
	 */
	longestCpuMs: number;
}

export async function measureBlocks<T>(work: () => T | Promise<T>): Promise<{ value: T; blocks: LoopBlocks }> {
	const histogram = monitorEventLoopDelay({ resolution: 1 });
	let last = performance.now();
	let longest = 0;
	let lastCpu = process.cpuUsage();
	let longestCpu = 0;
	const cpuSince = () => {
		const c = process.cpuUsage(lastCpu);
		return (c.user + c.system) / 1000;
	};
	const timer = setInterval(() => {
		const now = performance.now();
		longest = Math.max(longest, now - last);
		last = now;
		longestCpu = Math.max(longestCpu, cpuSince());
		lastCpu = process.cpuUsage();
	}, 2);
	// Let the probe start before the work.
	await new Promise((resolve) => setTimeout(resolve, 5));
	histogram.enable();
	last = performance.now();
	longest = 0;
	lastCpu = process.cpuUsage();
	longestCpu = 0;
	const t0 = performance.now();
	let total = 0;
	let value: T;
	try {
		value = await work();
	} finally {
		const end = performance.now();
		longest = Math.max(longest, end - last);
		longestCpu = Math.max(longestCpu, cpuSince());
		clearInterval(timer);
		histogram.disable();
		total = end - t0;
	}
	return { value, blocks: { longestMs: longest, histogramMaxMs: histogram.max / 1e6, totalMs: total, longestCpuMs: longestCpu } };
}

export function describeBlocks(b: LoopBlocks): string {
	return `longest block ${b.longestMs.toFixed(0)} ms (monitorEventLoopDelay max ${b.histogramMaxMs.toFixed(0)} ms; CPU ${b.longestCpuMs.toFixed(0)} ms) in ${b.totalMs.toFixed(0)} ms of work`;
}

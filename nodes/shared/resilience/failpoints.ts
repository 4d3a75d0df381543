/**
 * Crash points for fault tests: `failpoint('optimizer.after-ledger')` kills
 * the process with SIGKILL when the environment variable `ADOPS_FAILPOINTS`
 * names that point (comma-separated; `name@N` fires on the N-th pass only,
 * counted per process). Unset, it costs one property read.
 *
 * The fault suites use it to stop a real n8n (or a child process) exactly at
 * a step boundary of a run — after the platform applied a change and before
 * the ledger heard of it, between the ledger and the domain record — and then
 * check that the next run neither repeats the change nor loses it. Every
 * point is named in the README's reliability section.
 */

const passes = new Map<string, number>();

function armed(name: string): boolean {
	const spec = process.env.ADOPS_FAILPOINTS;
	if (!spec) return false;
	for (const raw of spec.split(',')) {
		const item = raw.trim();
		if (!item) continue;
		const at = item.lastIndexOf('@');
		const point = at > 0 ? item.slice(0, at) : item;
		if (point !== name) continue;
		if (at <= 0) return true;
		const nth = Number(item.slice(at + 1));
		const seen = (passes.get(name) ?? 0) + 1;
		passes.set(name, seen);
		return Number.isInteger(nth) && seen === nth;
	}
	return false;
}

/** Dies here (SIGKILL, no cleanup, no finally blocks) when this point is armed. */
export function failpoint(name: string): void {
	if (!armed(name)) return;
	process.stderr.write(`[adops] failpoint ${name}: SIGKILL\n`);
	process.kill(process.pid, 'SIGKILL');
	// the signal is delivered before this returns on Linux; never run past the point meanwhile
	Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10_000);
}

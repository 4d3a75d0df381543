/**
 * `npm run sandbox [-- --port 4100 --seed 7 --today 2025-03-01 --host 127.0.0.1 --no-limits]`
 * (`--no-limits`: do not enforce the platforms' published request limits)
 * Starts the sandbox and prints its URLs and the credentials it accepts.
 */
import { parseArgs } from 'node:util';
import { DATABOX_SANDBOX_API_KEY, DATABOX_SANDBOX_DATASET_ID, DATABOX_SANDBOX_PUSH_TOKEN } from './platforms/databox';
import { startSandbox } from './server';

async function main(): Promise<void> {
	const { values } = parseArgs({
		options: {
			port: { type: 'string', default: '4100' },
			seed: { type: 'string', default: '1' },
			today: { type: 'string' },
			host: { type: 'string', default: '127.0.0.1' },
			'no-limits': { type: 'boolean', default: false },
			help: { type: 'boolean', default: false },
		},
		strict: true,
	});
	if (values.help) {
		process.stdout.write('Usage: npm run sandbox -- [--port 4100] [--seed 1] [--today YYYY-MM-DD] [--host 127.0.0.1] [--no-limits]\n');
		return;
	}
	const port = Number(values.port);
	const seed = Number(values.seed);
	if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be 0-65535, got ${values.port}`);
	if (!Number.isInteger(seed) || seed < 0) throw new Error(`--seed must be a non-negative integer, got ${values.seed}`);
	const sandbox = await startSandbox({ port, seed, host: values.host, enforceLimits: !values['no-limits'], ...(values.today ? { today: values.today } : {}) });
	const lines = [
		`AdOps sandbox listening on ${sandbox.url}  (seed ${seed}, today ${sandbox.world.today})`,
		'',
		'Base URLs:',
		...Object.entries(sandbox.urls).map(([k, v]) => `  ${k.padEnd(10)} ${v}`),
		'',
		'Credentials it accepts:',
		...Object.entries(sandbox.credentials).map(([k, v]) => `  ${k.padEnd(10)} ${JSON.stringify(v)}`),
		`  ${'databox'.padEnd(10)} ${JSON.stringify({ apiKey: DATABOX_SANDBOX_API_KEY, pushToken: DATABOX_SANDBOX_PUSH_TOKEN, datasetId: DATABOX_SANDBOX_DATASET_ID })}`,
		'',
		`Admin: ${sandbox.url}/_admin/world · /_admin/requests · /_admin/faults · /_admin/slack/messages · /_admin/slack/responses · /_admin/effects · /_admin/reset`,
	];
	process.stdout.write(`${lines.join('\n')}\n`);
	const stop = (): void => {
		sandbox.close().then(
			() => process.exit(0),
			() => process.exit(1),
		);
	};
	process.on('SIGINT', stop);
	process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
	process.stderr.write(`sandbox: ${(error as Error).message}\n`);
	process.exit(1);
});

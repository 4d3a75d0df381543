/**
 * `npm run demo`: the daily AdOps job on embedded defaults — the local sandbox
 * stands in for Slack and the ad platforms, PGlite is the store, and a real
 * n8n 2.40.7 (installed into the cache on first use) runs the workflows from
 * `workflows/` with this package installed as a community package.
 *
 * Today it runs `workflows/alert-demo.json` and prints what the sandbox's
 * Slack channel received. Each later capability adds its workflow here.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startSandbox, type Sandbox } from './sandbox';
import { ensureN8n } from './n8n-host/install';
import { buildPackAndInstall } from './n8n-host/package';
import { createN8nHost, type N8nHost, type WorkflowInput } from './n8n-host/host';

const ROOT = resolve(__dirname, '..');
const ALERT_CHANNEL = '#adops-alerts';

function say(message: string): void {
	process.stdout.write(`${message}\n`);
}

function step(label: string): () => void {
	const started = performance.now();
	process.stdout.write(`• ${label} … `);
	return () => process.stdout.write(`done (${((performance.now() - started) / 1000).toFixed(1)} s)\n`);
}

async function loadWorkflow(file: string): Promise<WorkflowInput> {
	return JSON.parse(await readFile(join(ROOT, 'workflows', file), 'utf8')) as WorkflowInput;
}

/** Block Kit back to readable lines, to show what a person sees in Slack. */
function blocksAsText(blocks: unknown[] | undefined, fallback: string): string[] {
	if (!blocks?.length) return [fallback];
	const lines: string[] = [];
	for (const block of blocks as Array<Record<string, unknown>>) {
		const text = (block.text as { text?: string } | undefined)?.text;
		if (block.type === 'header' && text) lines.push(`# ${text}`);
		else if (block.type === 'section') {
			if (text) lines.push(...text.split('\n'));
			for (const f of (block.fields as Array<{ text: string }> | undefined) ?? []) lines.push(f.text.replace('\n', ': '));
		} else if (block.type === 'context') {
			for (const e of (block.elements as Array<{ text: string }>) ?? []) lines.push(`(${e.text})`);
		} else if (block.type === 'actions') {
			for (const e of (block.elements as Array<{ text: { text: string }; url?: string }>) ?? []) lines.push(`[${e.text.text}] ${e.url ?? ''}`);
		}
	}
	return lines;
}

function printChannel(sandbox: Sandbox, since: number): void {
	const channel = sandbox.world.slack.channels.find((c) => `#${c.name}` === ALERT_CHANNEL);
	if (!channel) throw new Error(`the sandbox has no ${ALERT_CHANNEL} channel`);
	const posted = channel.messages.filter((m) => m.viaApi).slice(since);
	say(`\nSlack ${ALERT_CHANNEL} received ${posted.length} message(s):`);
	for (const m of posted) {
		const indent = m.threadTs ? '    ↳ ' : '  ';
		say(`${indent}[ts ${m.ts}${m.threadTs ? `, reply in thread ${m.threadTs}` : ''}]`);
		for (const line of blocksAsText(m.blocks, m.text)) say(`${indent}  ${line}`);
	}
}

async function main(): Promise<void> {
	const started = performance.now();
	say('AdOps demo: sandbox + embedded store (PGlite) + real n8n\n');

	let done = step('starting the sandbox (Slack, Meta, LinkedIn, Klaviyo, Notion, OpenAI, Google Ads)');
	const sandbox = await startSandbox({ seed: 1 });
	done();
	say(`  sandbox at ${sandbox.url}`);

	const work = await mkdtemp(join(tmpdir(), 'adops-demo-'));
	let n8n: N8nHost | undefined;
	try {
		done = step('making sure n8n 2.40.7 is installed (first run: a few minutes)');
		const install = await ensureN8n({ log: () => undefined });
		done();

		done = step('building this package and installing it as a community package');
		const pkg = await buildPackAndInstall({ log: () => undefined });
		done();

		n8n = await createN8nHost({ install, nodesDir: pkg.nodesDir, userFolder: join(work, 'n8n') });
		done = step('importing credentials and workflows into n8n');
		await n8n.importCredentials([
			{
				id: 'adopsSlackCred01',
				name: 'AdOps Slack',
				type: 'adOpsSlackApi',
				data: { botToken: sandbox.credentials.slack.botToken, defaultChannel: ALERT_CHANNEL, apiUrl: sandbox.urls.slack },
			},
			{ id: 'adopsStoreCred01', name: 'AdOps Store', type: 'adOpsStoreApi', data: { backend: 'embedded', embeddedPath: join(work, 'store') } },
		]);
		const alertDemo = await loadWorkflow('alert-demo.json');
		await n8n.importWorkflows([alertDemo]);
		done();

		const before = sandbox.world.slack.channels.find((c) => `#${c.name}` === ALERT_CHANNEL)?.messages.filter((m) => m.viaApi).length ?? 0;
		done = step(`running workflow "${alertDemo.name}" in n8n`);
		const result = await n8n.execute(alertDemo.id as string);
		done();
		say(`  finished with status ${result.status} in ${(result.ms / 1000).toFixed(1)} s; nodes: ${Object.keys(result.runData).join(' → ')}`);
		printChannel(sandbox, before);
		say(`\nDemo finished in ${((performance.now() - started) / 1000).toFixed(1)} s.`);
	} finally {
		await n8n?.dispose().catch(() => undefined);
		await sandbox.close();
		await rm(work, { recursive: true, force: true });
	}
}

main().catch((error: unknown) => {
	process.stderr.write(`\nDemo failed: ${error instanceof Error ? error.message : String(error)}\n`);
	process.exit(1);
});

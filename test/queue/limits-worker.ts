// One "worker" of the shared-limits test: builds the TikTok adapter the way
// the nodes do (createPlatformAdapter with the limits of an AdOps Store
// credential, nodes/common/shared-limits.ts), reads one advertiser `calls`
// times against the sandbox, and prints what happened as one JSON line:
// sent (reached the platform), ok, rejected (the platform refused: TikTok's
// code 40100), held (our limits stopped the call before sending).
//   tsx test/queue/limits-worker.ts '{"credential":{…},"sandbox":{urls,credentials},"accountId":"…","calls":30}'
import { sharedLimitsFromCredential, type SharedLimitsCredential } from '../../nodes/common/shared-limits';
import { createPlatformAdapter } from '../../nodes/shared/platforms/factory';
import { PlatformApiError } from '../../nodes/shared/resilience/errors';
import { sandboxPlatformSettings, type SandboxRef } from '../helpers/sandbox-adapters';

interface Args {
	credential: SharedLimitsCredential;
	sandbox: SandboxRef;
	accountId: string;
	calls: number;
}

async function main(): Promise<void> {
	const args = JSON.parse(process.argv[2] ?? '{}') as Args;
	const limits = sharedLimitsFromCredential(args.credential);
	const adapter = createPlatformAdapter(sandboxPlatformSettings(args.sandbox, 'tiktok'), { retry: { maxRetries: 0 }, limits });
	let ok = 0;
	let rejected = 0;
	let held = 0;
	try {
		for (let i = 0; i < args.calls; i++) {
			try {
				await adapter.describeAccount(args.accountId);
				ok++;
			} catch (error) {
				if (!(error instanceof PlatformApiError) || error.kind !== 'rate_limited') throw error;
				// the platform's refusal carries its code; our own limit stops before any request
				if (error.code !== undefined) rejected++;
				else {
					held = args.calls - i;
					break;
				}
			}
		}
	} finally {
		await limits.close();
	}
	process.stdout.write(`${JSON.stringify({ sent: ok + rejected, ok, rejected, held })}\n`);
}

main().catch((error: unknown) => {
	process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
	process.exitCode = 1;
});

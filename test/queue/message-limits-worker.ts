// One "worker" of the Slack and Notion limits test: posts `calls` alerts to
// one Slack channel through postAlert (the client built as the AdOps Alert
// node builds it: createSlackClient with the limits of an AdOps Store
// credential), or makes `calls` Notion requests through the approval queue's
// client (notionClient with the same limits); prints one JSON line with the
// time each call was answered (ms since epoch).
//   tsx test/queue/message-limits-worker.ts '{"kind":"slack","credential":{…},"slack":{"botToken":"…","apiUrl":"…"},"channel":"C…","calls":5}'
import { sharedLimitsFromCredential, type SharedLimitsCredential } from '../../nodes/common/shared-limits';
import { createSlackClient, postAlert, slackPoster } from '../../nodes/shared/alerts/post';
import { notionClient } from '../../nodes/shared/approvals/notion-cards';

interface Args {
	kind: 'slack' | 'notion';
	credential: SharedLimitsCredential;
	slack?: { botToken: string; apiUrl: string };
	channel?: string;
	notion?: { token: string; baseUrl: string; dataSourceId: string };
	calls: number;
	/** Who is posting (in the alert's title). */
	name: string;
}

async function main(): Promise<void> {
	const args = JSON.parse(process.argv[2] ?? '{}') as Args;
	const limits = sharedLimitsFromCredential(args.credential);
	const answeredAt: number[] = [];
	try {
		if (args.kind === 'slack') {
			const slack = slackPoster(createSlackClient(args.slack!, { retries: 0, limits }));
			for (let i = 0; i < args.calls; i++) {
				await postAlert(slack, { kind: 'info', title: `${args.name} post ${i + 1}` }, { channel: args.channel! });
				answeredAt.push(Date.now());
			}
		} else {
			const notion = notionClient({ token: args.notion!.token, baseUrl: args.notion!.baseUrl, retry: false }, { limits });
			for (let i = 0; i < args.calls; i++) {
				await notion.dataSources.retrieve({ data_source_id: args.notion!.dataSourceId });
				answeredAt.push(Date.now());
			}
		}
	} finally {
		await limits.close();
	}
	process.stdout.write(`${JSON.stringify({ answeredAt })}\n`);
}

main().catch((error: unknown) => {
	process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
	process.exitCode = 1;
});

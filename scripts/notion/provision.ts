/**
 * Creates the AdOps approval database in a Notion workspace and prints its
 * database and data source ids (the AdOps Notion credential needs the data
 * source id).
 *
 *   npx tsx scripts/notion/provision.ts --parent-page <page id or URL> [--token ntn_…] [--notion-url https://api.notion.com] [--title "AdOps Approvals"] [--status-type select|status] [--json]
 *
 * The token defaults to NOTION_TOKEN. Share the parent page with the
 * integration first (Notion: page menu → Connections).
 */
import { parseArgs } from 'node:util';
import { provisionApprovalDatabase } from './approval-database';

async function main(): Promise<number> {
	const { values } = parseArgs({
		options: {
			'notion-url': { type: 'string' },
			token: { type: 'string' },
			'parent-page': { type: 'string' },
			title: { type: 'string' },
			'status-type': { type: 'string', default: 'select' },
			json: { type: 'boolean', default: false },
			help: { type: 'boolean', short: 'h', default: false },
		},
	});
	if (values.help) {
		process.stdout.write('Usage: provision --parent-page <id|url> [--token <token>|NOTION_TOKEN] [--notion-url <base url>] [--title <title>] [--status-type select|status] [--json]\n');
		return 0;
	}
	const token = values.token ?? process.env.NOTION_TOKEN;
	if (!token) {
		process.stderr.write('Give --token <integration token> or set NOTION_TOKEN.\n');
		return 2;
	}
	if (!values['parent-page']) {
		process.stderr.write('Give --parent-page <page id or URL> (a page shared with the integration).\n');
		return 2;
	}
	const statusType = values['status-type'];
	if (statusType !== 'select' && statusType !== 'status') {
		process.stderr.write(`--status-type must be select or status (got ${statusType}).\n`);
		return 2;
	}
	try {
		const result = await provisionApprovalDatabase({ token, baseUrl: values['notion-url'], parentPageId: values['parent-page'], title: values.title, statusType });
		if (values.json) process.stdout.write(`${JSON.stringify(result)}\n`);
		else {
			process.stdout.write(`Created "${result.title}"${result.url ? ` (${result.url})` : ''}\n`);
			process.stdout.write(`database id:    ${result.databaseId}\n`);
			process.stdout.write(`data source id: ${result.dataSourceId}\n`);
		}
		return 0;
	} catch (error) {
		const message = error instanceof Error ? error.message : String(error);
		process.stderr.write(`provision: ${message.split(token).join('***')}\n`);
		return 1;
	}
}

main().then((code) => {
	process.exitCode = code;
});

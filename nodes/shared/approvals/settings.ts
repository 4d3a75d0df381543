/**
 * Queue settings as people type them into node options: the approver
 * allow-list and the Slack → Notion user map.
 */
import { ApprovalError } from './queue';

/** "maya@example.com, U0MAYA0001; 1f2e…" → entries (comma, semicolon or whitespace separated). */
export function parseApprovers(raw: string | undefined): string[] {
	return (raw ?? '')
		.split(/[\s,;]+/)
		.map((a) => a.trim())
		.filter(Boolean);
}

/** A JSON object (or its text) of Slack user id → Notion user id or email. */
export function parseSlackUsers(raw: string | object | undefined): Record<string, string> {
	if (raw === undefined || raw === '' || raw === null) return {};
	let value: unknown = raw;
	if (typeof raw === 'string') {
		try {
			value = JSON.parse(raw);
		} catch {
			throw new ApprovalError('Slack Users must be a JSON object mapping Slack user ids to Notion user ids or emails, e.g. {"U0MAYA0001": "maya@example.com"}');
		}
	}
	if (!value || typeof value !== 'object' || Array.isArray(value)) throw new ApprovalError('Slack Users must be a JSON object mapping Slack user ids to Notion user ids or emails');
	return Object.fromEntries(
		Object.entries(value as Record<string, unknown>).map(([k, v]) => {
			if (typeof v !== 'string') throw new ApprovalError(`Slack Users: the value of "${k}" must be a Notion user id or email in quotes, not ${v === null ? 'null' : typeof v}`);
			return [k, v];
		}),
	);
}

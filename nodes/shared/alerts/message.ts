// Alert model and its Block Kit rendering. Independent of n8n and of the Slack
// client: data in, a Slack message body out, always inside Slack's limits.
import { z } from 'zod';
import { truncateVisibly } from '../text/graphemes';

/** Slack's documented Block Kit and chat.postMessage limits. */
export const SLACK_LIMITS = {
	blocksPerMessage: 50,
	headerText: 150,
	sectionText: 3000,
	fieldsPerSection: 10,
	fieldText: 2000,
	contextElements: 10,
	contextText: 2000,
	/** chat.postMessage truncates `text` past 40,000; Slack recommends under 4,000. */
	fallbackText: 4000,
	buttonText: 75,
	buttonUrl: 3000,
	buttonValue: 2000,
	actionId: 255,
	actionsPerBlock: 25,
	confirmTitle: 100,
	confirmText: 300,
	confirmButton: 30,
} as const;

/** The action id of the link button; alert buttons may not reuse it. */
export const LINK_ACTION_ID = 'adops_link';

export const ALERT_KINDS = ['info', 'action', 'failure', 'summary'] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];

const KIND_STYLE: Record<AlertKind, { emoji: string; label: string }> = {
	info: { emoji: ':information_source:', label: 'Info' },
	action: { emoji: ':gear:', label: 'Action' },
	failure: { emoji: ':rotating_light:', label: 'Failure' },
	summary: { emoji: ':bar_chart:', label: 'Summary' },
};

export const alertButtonSchema = z.object({
	text: z.string().trim().min(1, 'a button needs a text'),
	/** Identifies the button in the interaction Slack sends back; unique within the message. */
	actionId: z.string().min(1).max(SLACK_LIMITS.actionId),
	/** Sent back with the click. Never cut, since a cut value would mean something else. */
	value: z.string().min(1).max(SLACK_LIMITS.buttonValue),
	style: z.enum(['primary', 'danger']).optional(),
	/** When set, Slack asks this question (plain text) before sending the click. */
	confirm: z.string().trim().min(1).optional(),
});
export type AlertButton = z.infer<typeof alertButtonSchema>;

export const alertSchema = z.object({
	kind: z.enum(ALERT_KINDS),
	title: z.string().trim().min(1, 'an alert needs a title'),
	/** Body in Slack mrkdwn. */
	message: z.string().optional(),
	/** Short label/value pairs shown as a two-column grid. */
	fields: z.array(z.object({ label: z.string().min(1), value: z.string() })).optional(),
	/** Bullet lines, e.g. one per failed account; shown in order. */
	items: z.array(z.string()).optional(),
	link: z.object({ url: z.string().url(), text: z.string().min(1) }).optional(),
	/** Small print under the message: source workflow, run id, time. */
	footer: z.string().optional(),
	/** `@here`, `@channel` or a user/group id (`U…`, `S…`) to notify. */
	mention: z.string().optional(),
	/** Replaces the kind's label at the start of the header ("Approval needed: …" instead of "Action: …"). */
	label: z.string().trim().min(1).max(40).optional(),
	/** Interactive buttons, shown in one row with the link button; a click is sent to the Slack app's interactivity URL. */
	actions: z.array(alertButtonSchema).max(SLACK_LIMITS.actionsPerBlock).optional(),
}).superRefine((alert, ctx) => {
	const actions = alert.actions ?? [];
	if (actions.length + (alert.link ? 1 : 0) > SLACK_LIMITS.actionsPerBlock) {
		ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['actions'], message: `at most ${SLACK_LIMITS.actionsPerBlock} buttons, the link button included` });
	}
	const seen = new Set<string>(alert.link ? [LINK_ACTION_ID] : []);
	actions.forEach((a, i) => {
		if (seen.has(a.actionId)) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['actions', i, 'actionId'], message: `button action id "${a.actionId}" is used twice` });
		seen.add(a.actionId);
	});
});
export type Alert = z.infer<typeof alertSchema>;

// Minimal Block Kit types: just what this module produces.
export type TextObject = { type: 'plain_text'; text: string; emoji?: boolean } | { type: 'mrkdwn'; text: string; verbatim?: boolean };
export interface ButtonElement {
	type: 'button';
	text: { type: 'plain_text'; text: string };
	action_id: string;
	url?: string;
	value?: string;
	style?: 'primary' | 'danger';
	confirm?: { title: { type: 'plain_text'; text: string }; text: { type: 'plain_text'; text: string }; confirm: { type: 'plain_text'; text: string }; deny: { type: 'plain_text'; text: string }; style?: 'primary' | 'danger' };
}
export type Block =
	| { type: 'header'; text: { type: 'plain_text'; text: string; emoji: boolean } }
	| { type: 'section'; text?: TextObject; fields?: TextObject[] }
	| { type: 'context'; elements: TextObject[] }
	| { type: 'divider' }
	| { type: 'actions'; elements: ButtonElement[] };

export interface SlackMessage {
	text: string;
	blocks: Block[];
	/** True when anything was shortened or left out to fit Slack's limits. */
	truncated: boolean;
}

/** Escapes text for mrkdwn so that data can never become a mention or a link. */
export function escapeMrkdwn(text: string): string {
	return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function mentionMarkup(mention: string | undefined): string {
	if (!mention) return '';
	const m = mention.trim();
	if (m === '@here' || m === 'here') return '<!here> ';
	if (m === '@channel' || m === 'channel') return '<!channel> ';
	if (/^S[A-Z0-9]+$/.test(m)) return `<!subteam^${m}> `;
	if (/^[UW][A-Z0-9]+$/.test(m)) return `<@${m}> `;
	throw new Error(`Unknown mention "${mention}": use @here, @channel, a user id (U…) or a user-group id (S…)`);
}

/**
 * Renders an alert as a Slack message. Anything over a limit is cut visibly
 * ("…[truncated: N more characters]", "…and N more not shown"), never dropped
 * silently, and the result always satisfies SLACK_LIMITS.
 */
export function renderAlert(input: Alert): SlackMessage {
	const alert = alertSchema.parse(input);
	const style = KIND_STYLE[alert.kind];
	let truncated = false;
	const cut = (text: string, max: number) => {
		const t = truncateVisibly(text, max);
		truncated ||= t.truncated;
		return t.text;
	};

	const blocks: Block[] = [];
	const label = alert.label ?? style.label;
	blocks.push({ type: 'header', text: { type: 'plain_text', text: cut(`${label}: ${alert.title}`, SLACK_LIMITS.headerText), emoji: true } });

	const lead = mentionMarkup(alert.mention);
	if (alert.message || lead) {
		blocks.push({ type: 'section', text: { type: 'mrkdwn', text: cut(`${lead}${alert.message ?? ''}`.trim(), SLACK_LIMITS.sectionText) } });
	}

	// Reserve room for the buttons, the footer and one "not shown" notice.
	const buttons = alert.actions ?? [];
	const reserved = (alert.link || buttons.length > 0 ? 1 : 0) + (alert.footer ? 1 : 0) + 1;
	const budget = () => SLACK_LIMITS.blocksPerMessage - reserved - blocks.length;
	const notShown: string[] = [];

	const fields = alert.fields ?? [];
	for (let i = 0; i < fields.length; i += SLACK_LIMITS.fieldsPerSection) {
		if (budget() <= 0) {
			notShown.push(`${fields.length - i} more fields`);
			break;
		}
		blocks.push({
			type: 'section',
			fields: fields.slice(i, i + SLACK_LIMITS.fieldsPerSection).map((f) => ({
				type: 'mrkdwn' as const,
				text: cut(`*${escapeMrkdwn(f.label)}*\n${escapeMrkdwn(f.value)}`, SLACK_LIMITS.fieldText),
				// Data: no automatic linking of URLs, channel names or mentions.
				verbatim: true,
			})),
		});
	}

	// Bullet items packed into as few sections as fit; a section is only added
	// while a block is free, and what could not be placed is counted.
	const items = alert.items ?? [];
	let shown = 0;
	let chunk: string[] = [];
	let chunkLength = 0;
	const flush = () => {
		blocks.push({ type: 'section', text: { type: 'mrkdwn', text: chunk.join('\n'), verbatim: true } });
		shown += chunk.length;
		chunk = [];
		chunkLength = 0;
	};
	for (const item of items) {
		const line = cut(`• ${escapeMrkdwn(item)}`, SLACK_LIMITS.sectionText);
		if (chunk.length > 0 && chunkLength + 1 + line.length > SLACK_LIMITS.sectionText) {
			if (budget() <= 0) break;
			flush();
		}
		chunkLength += (chunk.length > 0 ? 1 : 0) + line.length;
		chunk.push(line);
	}
	if (chunk.length > 0 && budget() > 0) flush();
	if (shown < items.length) notShown.push(`${items.length - shown} more items`);

	if (notShown.length > 0) {
		truncated = true;
		blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `…and ${notShown.join(', ')} not shown (Slack allows ${SLACK_LIMITS.blocksPerMessage} blocks per message)` }] });
	}
	if (alert.link || buttons.length > 0) {
		const plain = (text: string, max: number) => ({ type: 'plain_text' as const, text: cut(text, max) });
		const elements: ButtonElement[] = buttons.map((b) => ({
			type: 'button',
			text: plain(b.text, SLACK_LIMITS.buttonText),
			action_id: b.actionId,
			value: b.value,
			...(b.style ? { style: b.style } : {}),
			...(b.confirm
				? {
						confirm: {
							title: plain(`${b.text}?`, SLACK_LIMITS.confirmTitle),
							text: plain(b.confirm, SLACK_LIMITS.confirmText),
							confirm: plain(b.text, SLACK_LIMITS.confirmButton),
							deny: plain('Cancel', SLACK_LIMITS.confirmButton),
							...(b.style ? { style: b.style } : {}),
						},
					}
				: {}),
		}));
		if (alert.link) elements.push({ type: 'button', text: plain(alert.link.text, SLACK_LIMITS.buttonText), url: alert.link.url, action_id: LINK_ACTION_ID });
		blocks.push({ type: 'actions', elements });
	}
	if (alert.footer) {
		blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: cut(alert.footer, SLACK_LIMITS.contextText) }] });
	}

	// The fallback is mrkdwn too (notifications, screen readers): data in it is escaped like in the blocks.
	const fallback = [`${label}: ${escapeMrkdwn(alert.title)}`, alert.message, ...items.slice(0, 20).map((i) => `• ${escapeMrkdwn(i)}`)].filter(Boolean).join('\n');
	return { text: cut(fallback, SLACK_LIMITS.fallbackText), blocks, truncated };
}

// Reads every text a person would see in a rendered Block Kit message.
import type { Block } from '../../nodes/shared/alerts/message';

export function textsOf(block: Block): string[] {
	switch (block.type) {
		case 'header':
			return [block.text.text];
		case 'section':
			return [...(block.text ? [block.text.text] : []), ...(block.fields ?? []).map((f) => f.text)];
		case 'context':
			return block.elements.map((e) => e.text);
		case 'actions':
			return block.elements.flatMap((e) => [e.text.text, ...(e.confirm ? [e.confirm.title.text, e.confirm.text.text] : [])]);
		default:
			return [];
	}
}

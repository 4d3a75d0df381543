import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import { checkNoveltyOfCopy } from '../../shared/creative';
import type { CreativeContext } from './types';

const show = { show: { operation: ['checkNovelty'] } };

export const description: INodeProperties[] = [
	{ displayName: 'Account ID', name: 'noveltyAccountId', type: 'string', default: '={{ $json.accountId }}', required: true, displayOptions: show },
	{
		displayName: 'Copy',
		name: 'texts',
		type: 'json',
		default: '={{ $json.texts ?? [$json.text] }}',
		required: true,
		displayOptions: show,
		description: 'One text or a JSON array of texts (headline and body of one ad together), checked against every past variant of the account and against each other',
	},
];

export async function execute(this: IExecuteFunctions, itemIndex: number, ctx: CreativeContext): Promise<[INodeExecutionData[], INodeExecutionData[]]> {
	let raw = this.getNodeParameter('texts', itemIndex) as unknown;
	if (typeof raw === 'string') {
		try {
			raw = JSON.parse(raw);
		} catch {
			// a single plain text
		}
	}
	const texts = Array.isArray(raw) ? raw : [raw];
	if (texts.some((t) => typeof t !== 'string' || !t.trim())) throw new NodeOperationError(this.getNode(), 'Copy must be a text or an array of non-empty texts', { itemIndex });
	const result = await checkNoveltyOfCopy(
		{ accountId: String(this.getNodeParameter('noveltyAccountId', itemIndex)).trim(), texts: texts as string[] },
		{ store: ctx.store, openai: ctx.openai, embeddingModel: ctx.settings.embeddingModel },
	);
	return [result.items.map((i) => ({ json: { ...i, embeddingModel: result.embeddingModel, pastVariants: result.pastVariants } as unknown as IDataObject, pairedItem: { item: itemIndex } })), []];
}

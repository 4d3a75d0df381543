/**
 * The publish settings of approved creative variants (issue 20), as node
 * parameters: one definition used by AdOps Creative's Publish Approved and by
 * AdOps Approval's Execute Approved (its Creative Publishing option). The
 * node layer only reads them; creative/publish.ts does the publishing.
 */
import type { IDataObject, INodeProperties } from 'n8n-workflow';
import type { PublishTarget } from '../shared/creative/publish';
import type { PlatformId } from '../shared/platforms/registry';
import { ParameterError } from './params';

/** The settings' fields (inside a collection or fixedCollection of the caller). */
export const PUBLISH_SETTING_FIELDS: INodeProperties[] = [
	{
		displayName: 'Landing Page URL',
		name: 'link',
		type: 'string',
		default: '',
		placeholder: 'https://www.example.com/winter',
		description: 'Where the ads lead (the final URL on Google Ads, the link on Meta and LinkedIn). Required to publish.',
	},
	{
		displayName: 'Ad Status',
		name: 'status',
		type: 'options',
		default: 'PAUSED',
		options: [
			{ name: 'Paused', value: 'PAUSED', description: 'Created paused: a person turns it on in the platform' },
			{ name: 'Live', value: 'ACTIVE', description: 'Created running: it can spend as soon as the platform approves it' },
		],
	},
	{
		displayName: 'Google Ads Ad Group ID',
		name: 'googleAdGroupId',
		type: 'string',
		default: '',
		placeholder: 'e.g. 2100000010101',
		description: "The ad group the responsive search ad goes into. Empty: the campaign's best ad group by conversions, then clicks, over the last 30 days.",
	},
	{
		displayName: 'Meta Page ID',
		name: 'metaPageId',
		type: 'string',
		default: '',
		description: 'The Facebook Page the Meta ad speaks for. Required for Meta.',
	},
	{
		displayName: 'Meta Ad Set ID',
		name: 'metaAdSetId',
		type: 'string',
		default: '',
		description: "The ad set the Meta ad goes into. Empty: the campaign's first ad set.",
	},
	{
		displayName: 'Meta Image',
		name: 'metaImage',
		type: 'options',
		default: 'none',
		options: [
			{ name: 'None (Link Preview)', value: 'none', description: "A link ad without an image of its own: Meta shows the landing page's preview" },
			{ name: "Campaign's Existing Image", value: 'campaign', description: "The image of the campaign's existing ads" },
			{ name: 'Image Hash', value: 'hash', description: "An image uploaded to the ad account (Ads Manager → Media), by its hash" },
		],
	},
	{
		displayName: 'Meta Image Hash',
		name: 'metaImageHash',
		type: 'string',
		default: '',
		description: 'The hash of an image uploaded to the ad account; used when Meta Image is Image Hash',
	},
	{
		displayName: 'LinkedIn Organization ID',
		name: 'linkedinOrganizationId',
		type: 'string',
		default: '',
		placeholder: 'e.g. 2414183',
		description: 'The company page that authors the sponsored content post. Required for LinkedIn.',
	},
];

const text = (v: unknown): string => (typeof v === 'string' ? v.trim() : v === undefined || v === null ? '' : String(v).trim());

/**
 * The publish targets per platform from the settings' values. What a platform lacks (a Page, an organization)
 * is left for the adapter to refuse in words when a variant of that platform is published.
 */
export function publishTargets(values: IDataObject): Partial<Record<PlatformId, PublishTarget>> {
	const link = text(values.link);
	if (link === '') throw new ParameterError('Landing Page URL is required to publish: the ads need the page they lead to');
	if (!/^https?:\/\/\S+$/.test(link)) throw new ParameterError(`Landing Page URL must be an http(s) address, got "${link}"`);
	const status = text(values.status) || 'PAUSED';
	if (status !== 'PAUSED' && status !== 'ACTIVE') throw new ParameterError(`Ad Status must be Paused or Live, got "${status}"`);
	const image = text(values.metaImage) || 'none';
	const hash = text(values.metaImageHash);
	if (image === 'hash' && !/^[0-9a-f]{32}$/i.test(hash)) throw new ParameterError(`Meta Image Hash must be the 32 hexadecimal digits Meta gives an uploaded image, got "${hash}"`);
	const base = { link, status: status as 'PAUSED' | 'ACTIVE' };
	const opt = (v: unknown) => (text(v) === '' ? undefined : text(v));
	return {
		google_ads: { ...base, ...(opt(values.googleAdGroupId) ? { parentId: opt(values.googleAdGroupId) } : {}) },
		meta: {
			...base,
			...(opt(values.metaPageId) ? { pageId: opt(values.metaPageId) } : {}),
			...(opt(values.metaAdSetId) ? { parentId: opt(values.metaAdSetId) } : {}),
			...(image === 'campaign' ? { image: { fromCampaign: true as const } } : image === 'hash' ? { image: { hash: hash.toLowerCase() } } : {}),
		},
		linkedin: { ...base, ...(opt(values.linkedinOrganizationId) ? { organizationId: opt(values.linkedinOrganizationId) } : {}) },
	};
}

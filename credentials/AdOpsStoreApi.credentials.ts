import { PLATFORM_REGISTRY } from '../nodes/shared/platforms/registry';
import type { ICredentialType, INodeProperties, Icon } from 'n8n-workflow';

/**
 * Where AdOps keeps its data. Tested by the nodes that use it (`testedBy`),
 * since a Postgres or embedded database cannot be checked with one HTTP call.
 */
export class AdOpsStoreApi implements ICredentialType {
	name = 'adOpsStoreApi';

	displayName = 'AdOps Store';

	icon: Icon = { light: 'file:icons/adops.svg', dark: 'file:icons/adops.dark.svg' };

	documentationUrl = 'https://supabase.com/docs/guides/database/connecting-to-postgres';

	properties: INodeProperties[] = [
		{
			displayName: 'Backend',
			name: 'backend',
			type: 'options',
			default: 'embedded',
			options: [
				{
					name: 'Embedded (PGlite File)',
					value: 'embedded',
					description: 'Zero-setup database in a folder on the n8n host. Single n8n process only (not for queue mode).',
				},
				{
					name: 'Postgres',
					value: 'postgres',
					description: "Any PostgreSQL 14+ server, including Supabase's direct connection string",
				},
				{
					name: 'Supabase (API)',
					value: 'supabase',
					description: "Supabase's REST API with the service-role key. Apply the migrations first (supabase db push).",
				},
			],
		},
		{
			displayName: 'Database Folder',
			name: 'embeddedPath',
			type: 'string',
			default: '',
			placeholder: '/home/node/.n8n/adops-store',
			description: 'Folder for the embedded database. Empty uses adops-store inside the n8n user folder.',
			displayOptions: { show: { backend: ['embedded'] } },
		},
		// The connection string carries the database password.
		// eslint-disable-next-line @n8n/community-nodes/credential-unnecessary-password
		{
			displayName: 'Connection String',
			name: 'connectionString',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			placeholder: 'postgresql://user:password@host:5432/postgres',
			displayOptions: { show: { backend: ['postgres'] } },
		},
		{
			displayName: 'SSL',
			name: 'ssl',
			type: 'options',
			default: 'require',
			options: [
				{ name: 'Disable', value: 'disable' },
				{ name: 'Require (No Certificate Check)', value: 'require' },
				{ name: 'Verify Full', value: 'verify-full' },
			],
			displayOptions: { show: { backend: ['postgres'] } },
		},
		{
			displayName: 'Supabase URL',
			name: 'supabaseUrl',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'https://your-project.supabase.co',
			displayOptions: { show: { backend: ['supabase'] } },
		},
		// The service-role key bypasses Row Level Security: a secret.
		// eslint-disable-next-line @n8n/community-nodes/credential-unnecessary-password
		{
			displayName: 'Service Role Key',
			name: 'serviceRoleKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description: 'Server-side only: it bypasses Row Level Security',
			displayOptions: { show: { backend: ['supabase'] } },
		},
		{
			displayName: 'Schema',
			name: 'schema',
			type: 'string',
			default: 'public',
			description: 'Database schema holding the AdOps tables',
			displayOptions: { show: { backend: ['postgres', 'supabase'] } },
		},
		{
			displayName: 'Shared Limits',
			name: 'sharedLimits',
			type: 'options',
			default: 'memory',
			description: 'Where rate limits and circuit breakers per platform, account and endpoint are kept. In queue mode (several workers) choose PostgreSQL or Redis so every worker draws from the same quota.',
			options: [
				{ name: 'In-Process', value: 'memory', description: 'Each n8n process counts for itself: right for one n8n process' },
				{ name: 'PostgreSQL (This Store)', value: 'postgres', description: "Two small tables in the store's schema; needs the Postgres backend" },
				{ name: 'Redis', value: 'redis', description: 'A Redis every n8n process reaches, e.g. the one queue mode uses' },
			],
		},
		// a Redis URL carries the password (redis://:secret@host:6379), so it is masked and kept out of logs like one
		// eslint-disable-next-line @n8n/community-nodes/credential-unnecessary-password
		{
			displayName: 'Redis URL',
			name: 'redisUrl',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			placeholder: 'redis://127.0.0.1:6379',
			description: 'redis://[user:password@]host:port[/db], or rediss:// for TLS',
			displayOptions: { show: { sharedLimits: ['redis'] } },
		},
		{
			displayName: 'Quotas',
			name: 'quotas',
			type: 'json',
			default: '{}',
			description:
				`Overrides of the platforms' published quotas, by platform or platform:endpoint, e.g. {"${PLATFORM_REGISTRY.google_ads.id}": {"windows": [{"points": 15000, "durationMs": 86400000}], "source": "Basic access"}}`,
			// In-Process counts these quotas too: the field shows for every choice, so no hidden value takes effect unseen
		},
	];
}

/**
 * Row schema of conversion_uploads (migration 20250701000000_conversion_uploads.sql), registered in
 * schema/rows.ts (rowSchemas) and store/tables.ts: one row per event, platform and destination, the
 * event's claim and then the platform's answer for it (send.ts).
 */
import { z } from 'zod';

export const UPLOAD_STATUSES = ['pending', 'accepted', 'rejected', 'failed', 'unknown', 'held'] as const;
export type UploadStatus = (typeof UPLOAD_STATUSES)[number];

const ts = z.string().datetime({ offset: true });

export const conversionUploadRow = z
	.object({
		platform: z.string().min(1),
		destination: z.string().min(1),
		source: z.string().min(1),
		event_id: z.string().min(1),
		batch_key: z.string().min(1),
		status: z.enum(UPLOAD_STATUSES),
		reason: z.string().nullable().default(null),
		reason_code: z.string().nullable().default(null),
		attempts: z.number().int().positive().default(1),
		first_sent_at: ts,
		settled_at: ts.nullable().default(null),
	})
	.strict();

export const CONVERSION_UPLOAD_COLUMNS = {
	id: 'uuid',
	platform: 'text',
	destination: 'text',
	source: 'text',
	event_id: 'text',
	batch_key: 'text',
	status: 'text',
	reason: 'text',
	reason_code: 'text',
	attempts: 'integer',
	first_sent_at: 'timestamptz',
	settled_at: 'timestamptz',
	created_at: 'timestamptz',
	updated_at: 'timestamptz',
} as const;
export const CONVERSION_UPLOAD_NATURAL_KEY = ['platform', 'destination', 'source', 'event_id'] as const;

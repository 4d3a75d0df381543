// The AdOps Events API credential on the node side: its values as the core's EventsAuth, and its test.
import type { ICredentialDataDecryptedObject, ICredentialTestFunctions, ICredentialsDecrypted, INodeCredentialTestResult } from 'n8n-workflow';
import { authProblem, DEFAULT_HEADERS, type EventsAuth } from '../shared/events';

export interface RawRequest {
	method: string;
	headers: Record<string, string | string[] | undefined>;
	body?: unknown;
	rawBody?: Buffer;
	readRawBody?: () => Promise<void>;
}

export function eventsAuth(data: ICredentialDataDecryptedObject): EventsAuth {
	const mode = data.authMode === 'header' ? 'header' : 'hmac';
	return { mode, header: String(data.headerName ?? '').trim() || DEFAULT_HEADERS[mode], secret: String(data.secret ?? '') };
}

export async function adOpsEventsApiTest(this: ICredentialTestFunctions, credential: ICredentialsDecrypted): Promise<INodeCredentialTestResult> {
	const auth = eventsAuth(credential.data ?? {});
	const problem = authProblem(auth);
	if (problem) return { status: 'Error', message: problem };
	return { status: 'OK', message: auth.mode === 'hmac' ? `Posts must carry an HMAC-SHA256 of the body in ${auth.header}.` : `Posts must carry the secret in ${auth.header}.` };
}


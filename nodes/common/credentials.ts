// Optional credentials: a node may work without one (AdOps Alert without a
// store, Moderation without OpenAI or Notion, Execute Approved without Meta).
import type { ICredentialDataDecryptedObject, IExecuteFunctions } from 'n8n-workflow';

/** What reading a credential needs of an n8n context (execute, poll, webhook and trigger functions all have it). */
export type CredentialSource = Pick<IExecuteFunctions, 'getCredentials' | 'getNode'>;

/**
 * The values of the node's credential of `type`, or undefined when none is
 * selected. n8n answers `getCredentials` for an optional credential that is
 * not selected with an error; only that case means "not selected". A selected
 * credential that cannot be read (deleted, not decryptable) stays an error,
 * so it is never mistaken for no credential.
 */
export async function optionalCredentials(ctx: CredentialSource, type: string): Promise<ICredentialDataDecryptedObject | undefined> {
	const selected = ctx.getNode().credentials?.[type];
	if (!selected || (!selected.id && !selected.name)) return undefined;
	return ctx.getCredentials<ICredentialDataDecryptedObject>(type);
}

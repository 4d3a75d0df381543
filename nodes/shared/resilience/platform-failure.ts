import { PlatformApiError } from './errors';

/** Errors that say "the platform is unwell", as opposed to "this request/account is wrong": what opens a circuit, in-process or shared. */
export function countsAsPlatformFailure(error: unknown): boolean {
	return error instanceof PlatformApiError && (error.kind === 'server' || error.kind === 'timeout' || error.kind === 'network');
}

/** unreconciled: a campaign with a change whose outcome is unknown (answer lost) or that another run holds gets no new change until it is settled (run.ts). */
import { defineGate } from './types';

export const unreconciled = defineGate({
	name: 'unreconciled',
	stage: 'external',
	appliesTo: 'change',
	meaning: 'A campaign with an open change in the ledger (outcome unknown, or claimed by another run) gets no new change until reconciliation settles it by reading the campaign back.',
	settings: {},
	merge: () => null,
	check: () => null,
});

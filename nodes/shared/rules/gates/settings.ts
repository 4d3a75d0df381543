/** Settings pieces several gate files share. */
import { pctCap } from '../schema-parts';

/** What `maxChangePct` and `maxDailyChangePct` do with a larger change. */
export const CHANGE_MODES = ['clamp', 'fail'] as const;
export type ChangeMode = (typeof CHANGE_MODES)[number];
export const pctCapSchema = pctCap;

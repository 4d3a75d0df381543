/**
 * The platform whose comments the moderation core reads and acts on: Meta
 * (Facebook Page posts, dark posts and Instagram media), the registry's one
 * platform with the `comments` capability. Spelled here once, from the
 * registry, so the moderation files name no platform id themselves.
 */
import { PLATFORM_REGISTRY } from '../platforms/registry';

export const COMMENT_PLATFORM = PLATFORM_REGISTRY.meta.id;
export type CommentPlatform = typeof COMMENT_PLATFORM;

/** The comment platform's name for people ("Meta"). */
export const COMMENT_PLATFORM_LABEL = PLATFORM_REGISTRY[COMMENT_PLATFORM].label;

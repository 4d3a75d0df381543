/**
 * Every platform's conversion module, and the sender of a platform's settings. The platforms are the
 * registry's `conversions` entries; a module for each is checked here at load.
 */
import type { PlatformSettings } from '../platforms/factory';
import type { HttpOptions } from '../platforms/http';
import { googleAdsConversions } from '../platforms/google-ads-conversions';
import { linkedinConversions } from '../platforms/linkedin-conversions';
import { metaConversions } from '../platforms/meta-conversions';
import { conversionPlatforms, PLATFORM_LABELS } from '../platforms/registry';
import { tiktokConversions } from '../platforms/tiktok-conversions';
import type { ConversionModule, ConversionSender } from './clients';

const MODULES: readonly ConversionModule[] = [metaConversions, googleAdsConversions, linkedinConversions, tiktokConversions];
for (const p of conversionPlatforms()) if (!MODULES.some((m) => m.platform === p)) throw new Error(`the registry sends conversions to ${PLATFORM_LABELS[p]} but no conversion module exists for it`);

/** The conversion sender of a platform's settings. */
export function createConversionSender(settings: PlatformSettings, options: HttpOptions = {}): ConversionSender {
	const module = MODULES.find((m) => m.platform === settings.platform);
	if (!module) throw new Error(`${PLATFORM_LABELS[settings.platform]} takes no conversions from the package`);
	return module.create(settings, options);
}

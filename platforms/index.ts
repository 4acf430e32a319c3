/** The platforms this package ships: the one list the command asks, never a platform's own files. */
import { DeviceError, type MediaGraph } from '../runtime/v4l2';
import type { Platform } from '../camera/platform';
import { rkisp1Platform } from './rkisp1/platform';
import { vimcPlatform } from './vimc/platform';

export type { Platform } from '../camera/platform';

export const PLATFORMS: readonly Platform[] = [vimcPlatform, rkisp1Platform];

/** The platform whose pipeline handler drives `media`; a device none drives fails as no camera (ENODEV). */
export function platformFor(media: MediaGraph): Platform {
  const platform = PLATFORMS.find((p) => p.match(media));
  if (!platform) {
    const drives = PLATFORMS.map((p) => p.name).join(', ');
    throw new DeviceError(`${media.path}: no camera this package drives (driver ${media.info.driver}; it drives ${drives})`, 'ENODEV', undefined, undefined, media.path);
  }
  return platform;
}

/** Which media devices the vimc pipeline handler drives: libcamera's DeviceMatch for vimc. */
import type { MediaGraph } from '../../runtime/v4l2';
import { deviceMatches, findDevices } from '../../camera/device-match';

/** The driver and the entities libcamera's vimc pipeline requires. */
export const VIMC_MATCH = {
  driver: 'vimc',
  entities: ['Raw Capture 0', 'Raw Capture 1', 'RGB/YUV Capture', 'Sensor A', 'Sensor B', 'Debayer A', 'Debayer B', 'RGB/YUV Input', 'Scaler'],
} as const;

export function matchesVimc(media: MediaGraph): boolean {
  return deviceMatches(VIMC_MATCH, media);
}

/** The vimc media devices present (/dev/mediaN), in number order; those this user cannot open are left out. */
export function findVimcDevices(): string[] {
  return findDevices(VIMC_MATCH);
}

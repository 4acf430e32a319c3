/** Which media devices the vimc pipeline handler drives: libcamera's DeviceMatch for vimc. */
import { MediaDevice, type MediaGraph } from '../../runtime/v4l2';

/** The driver and the entities libcamera's vimc pipeline requires. */
export const VIMC_MATCH = {
  driver: 'vimc',
  entities: ['Raw Capture 0', 'Raw Capture 1', 'RGB/YUV Capture', 'Sensor A', 'Sensor B', 'Debayer A', 'Debayer B', 'RGB/YUV Input', 'Scaler'],
} as const;

export function matchesVimc(media: MediaGraph): boolean {
  if (media.info.driver !== VIMC_MATCH.driver) return false;
  const names = new Set(media.entities().map((e) => e.name));
  return VIMC_MATCH.entities.every((name) => names.has(name));
}

/** The vimc media devices present (/dev/mediaN), in number order; those this user cannot open are left out. */
export function findVimcDevices(): string[] {
  const found: string[] = [];
  for (const path of MediaDevice.paths()) {
    let media: MediaDevice | undefined;
    try {
      media = MediaDevice.open(path);
      if (matchesVimc(media)) found.push(path);
    } catch {
      // not ours to drive: another driver, or no permission
    } finally {
      media?.close();
    }
  }
  return found;
}

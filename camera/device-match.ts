/**
 * Which media devices a pipeline handler drives, as libcamera's DeviceMatch: the driver's name
 * and the entities it must have.
 */
import { MediaDevice, type MediaGraph } from '../runtime/v4l2';

export interface DeviceMatch {
  driver: string;
  entities: readonly string[];
}

export function deviceMatches(match: DeviceMatch, media: MediaGraph): boolean {
  if (media.info.driver !== match.driver) return false;
  const names = new Set(media.entities().map((e) => e.name));
  return match.entities.every((name) => names.has(name));
}

/** The media devices present (/dev/mediaN) that `match` accepts, in number order; those this user cannot open are left out. */
export function findDevices(match: DeviceMatch): string[] {
  const found: string[] = [];
  for (const path of MediaDevice.paths()) {
    let media: MediaDevice | undefined;
    try {
      media = MediaDevice.open(path);
      if (deviceMatches(match, media)) found.push(path);
    } catch {
      // not ours to drive: another driver, or no permission
    } finally {
      media?.close();
    }
  }
  return found;
}

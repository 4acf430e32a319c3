/** Which media devices the rkisp1 pipeline handler drives: libcamera's DeviceMatch for rkisp1. */
import type { MediaGraph } from '../../runtime/v4l2';
import { deviceMatches, findDevices } from '../../camera/device-match';

/** The driver and the entities libcamera's rkisp1 pipeline requires (the self path is optional). */
export const RKISP1_MATCH = {
  driver: 'rkisp1',
  entities: ['rkisp1_isp', 'rkisp1_resizer_mainpath', 'rkisp1_mainpath', 'rkisp1_stats', 'rkisp1_params'],
} as const;

export function matchesRkISP1(media: MediaGraph): boolean {
  return deviceMatches(RKISP1_MATCH, media);
}

/** The rkisp1 media devices present (/dev/mediaN), in number order; those this user cannot open are left out. */
export function findRkISP1Devices(): string[] {
  return findDevices(RKISP1_MATCH);
}

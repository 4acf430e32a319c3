/** Finding cameras: the media devices present that a shipped platform drives, else the platforms' simulations. */
import { MediaDevice, type MediaGraph } from '../runtime/v4l2';
import { PLATFORMS, type Platform } from '../platforms';

/** The media devices present that a platform drives, by path; the simulated ones' when there are none. */
export function findCameras(): string[] {
  const found = PLATFORMS.flatMap((platform) => platform.find());
  return found.length > 0 ? found : PLATFORMS.map((platform) => platform.simulatedPath);
}

/**
 * The platform whose simulation `path` names: `simulated` (the first platform's),
 * `simulated:<platform>` (`simulated:rkisp1`), or a simulated device's path from findCameras().
 */
export function simulatedPlatform(path: string): Platform | undefined {
  if (path === 'simulated') return PLATFORMS[0];
  return PLATFORMS.find((platform) => platform.simulatedPath === path || `simulated:${platform.name}` === path);
}

/** Opens a camera's media graph: a path from findCameras(), any /dev/mediaN, or a simulated camera (see simulatedPlatform). */
export function openMediaGraph(path: string, options: { frameRate?: number } = {}): MediaGraph {
  const simulated = simulatedPlatform(path);
  if (simulated) return simulated.simulate(options);
  return MediaDevice.open(path);
}

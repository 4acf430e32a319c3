/** Finding cameras: the media devices present that a shipped platform drives, else the platforms' simulations. */
import { MediaDevice, type MediaGraph } from '../runtime/v4l2';
import { PLATFORMS } from '../platforms';

/** The media devices present that a platform drives, by path; the simulated ones' when there are none. */
export function findCameras(): string[] {
  const found = PLATFORMS.flatMap((platform) => platform.find());
  return found.length > 0 ? found : PLATFORMS.map((platform) => platform.simulatedPath);
}

/** Opens a camera's media graph: a path from findCameras(), any /dev/mediaN, or `simulated` (the first platform's). */
export function openMediaGraph(path: string, options: { frameRate?: number } = {}): MediaGraph {
  const simulated = path === 'simulated' ? PLATFORMS[0] : PLATFORMS.find((platform) => platform.simulatedPath === path);
  if (simulated) return simulated.simulate(options);
  return MediaDevice.open(path);
}

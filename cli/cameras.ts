/** Finding cameras: the real vimc media devices present, else the simulated vimc. */
import { MediaDevice, type MediaGraph } from '../runtime/v4l2';
import { findVimcDevices } from '../platforms/vimc/match';
import { SIMULATED_MEDIA_PATH, SimulatedVimc } from '../platforms/vimc/simulated/graph';

/** The vimc media devices present, by path; the simulated vimc's when there are none. */
export function findCameras(): string[] {
  const found = findVimcDevices();
  return found.length > 0 ? found : [SIMULATED_MEDIA_PATH];
}

/** Opens a camera's media graph: a path from findCameras(), any /dev/mediaN, or `simulated`. */
export function openMediaGraph(path: string, options: { frameRate?: number } = {}): MediaGraph {
  if (path === 'simulated' || path === SIMULATED_MEDIA_PATH) return new SimulatedVimc(options);
  return MediaDevice.open(path);
}

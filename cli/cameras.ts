/** Finding cameras: the real vimc media devices present, else the simulated vimc. */
import { MediaDevice, type MediaGraph } from '../runtime/v4l2';
import { findVimcDevices } from '../platforms/vimc/match';
import { SIMULATED_MEDIA_PATH, SimulatedVimc } from '../platforms/vimc/simulated/graph';

export interface CameraEntry {
  /** The media device path, or the simulated camera's. */
  path: string;
  model: string;
  simulated: boolean;
}

/** The vimc media devices present; the simulated vimc when there are none. */
export function findCameras(): CameraEntry[] {
  const found: CameraEntry[] = findVimcDevices().map((path) => ({ path, model: 'VIMC MDEV', simulated: false }));
  if (found.length === 0) found.push({ path: SIMULATED_MEDIA_PATH, model: 'VIMC MDEV (simulated)', simulated: true });
  return found;
}

/** Opens a camera's media graph: a path from findCameras(), any /dev/mediaN, or `simulated`. */
export function openMediaGraph(path: string, options: { frameRate?: number } = {}): MediaGraph {
  if (path === 'simulated' || path === SIMULATED_MEDIA_PATH) return new SimulatedVimc(options);
  return MediaDevice.open(path);
}

/** vimc as a platform: what `platforms/index.ts` lists for the command to find and open. */
import type { Platform } from '../../camera/platform';
import { findVimcDevices, matchesVimc } from './match';
import { VimcCamera } from './pipeline';
import { SIMULATED_MEDIA_PATH, SimulatedVimc } from './simulated/graph';

export const vimcPlatform: Platform = {
  name: 'vimc',
  match: matchesVimc,
  find: findVimcDevices,
  open: (media, options) => VimcCamera.open(media, options),
  simulatedPath: SIMULATED_MEDIA_PATH,
  simulate: (options) => new SimulatedVimc(options),
  pixelFormats: ['BGR888', 'RGB888'],
  outputEntity: 'RGB/YUV Capture',
};

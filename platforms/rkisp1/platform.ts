/** rkisp1 as a platform: what `platforms/index.ts` lists for the command to find and open. */
import type { Platform } from '../../camera/platform';
import { findRkISP1Devices, matchesRkISP1 } from './match';
import { RkISP1Camera } from './pipeline';
import { SIMULATED_RKISP1_MEDIA_PATH, SimulatedRkISP1 } from './simulated';

export const rkisp1Platform: Platform = {
  name: 'rkisp1',
  match: matchesRkISP1,
  find: findRkISP1Devices,
  open: (media, options) => RkISP1Camera.open(media, options),
  simulatedPath: SIMULATED_RKISP1_MEDIA_PATH,
  simulate: (options) => new SimulatedRkISP1(options),
  pixelFormats: ['NV12', 'YUYV'],
  outputEntity: 'rkisp1_mainpath',
};

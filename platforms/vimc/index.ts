/**
 * `ts-ipa/platforms/vimc`: the vimc pipeline handler (VimcCamera), finding vimc devices, the
 * simulated vimc for machines without one, and the vimc IPA contract. The V4L2 layer it runs on
 * (MediaDevice, …) is `ts-ipa/v4l2`.
 */
export { VIMC_IPA_MODULE, VimcCamera, type VimcCameraOptions } from './pipeline';
export { CameraError } from '../../camera/errors';
export { findVimcDevices, matchesVimc, VIMC_MATCH } from './match';
export { vimcPlatform } from './platform';
export { BUFFER_COUNT, MAX_SIZE, MIN_SIZE } from './configuration';
export type { CameraConfiguration, ConfigurationStatus } from '../../camera/configuration';
export type { Frame } from './pipeline';
export { readParams, type FrameParams } from './params';
export { SIMULATED_MEDIA_PATH, SimulatedVimc, type SimulatedVimcOptions } from './simulated/graph';
export { IPAOperationCode, IPAVimcEventInterface, IPAVimcInterface, TestFlag } from './contract';

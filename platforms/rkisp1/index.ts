/**
 * `ts-ipa/platforms/rkisp1`: the rkisp1 IPA contract, the rkisp1 pipeline handler (RkISP1Camera),
 * finding rkisp1 devices, and the simulated rkisp1 for machines without one.
 */
export * from './contract';
export { RKISP1_IPA_MODULE, RkISP1Camera, type Frame, type RkISP1CameraOptions } from './pipeline';
export type { RkISP1FrameParams } from './frame-params';
export { findRkISP1Devices, matchesRkISP1, RKISP1_MATCH } from './match';
export { rkisp1Platform } from './platform';
export { MAIN_PATH_MAX, MAIN_PATH_MIN, MIN_BUFFER_COUNT } from './configuration';
export { SIMULATED_RKISP1_MEDIA_PATH, SimulatedRkISP1, type SimulatedRkISP1Options } from './simulated';

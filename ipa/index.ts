/**
 * ts-ipa's libipa (`ts-ipa/ipa`): what IPAs build on, ported from libcamera's libipa so that an
 * algorithm written on it computes what libcamera's does. It runs inside the IPA's sandbox: it
 * imports the runtime and nothing of the pipeline handler's side.
 */
export * from './algorithm';
export * from './fc-queue';
export * from './mapped-buffers';
export * from './tuning';
export * from './tuning-file';
export * from './cpp';
export * from './duration';
export * from './vector';
export * from './matrix';
export * from './pwl';
export * from './interpolator';
export * from './histogram';
export * from './colours';
export * from './camera-sensor-helper';
export * from './exposure-mode-helper';
export * from './agc-mean-luminance';
export * from './awb';
export * from './awb-grey';

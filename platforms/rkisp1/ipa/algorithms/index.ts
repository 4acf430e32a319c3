/** The rkisp1 algorithms ported so far, registered under libcamera's names. */
import { Agc } from './agc';
import { rkisp1Algorithms } from './algorithm';
import { Awb } from './awb';
import { BlackLevelCorrection } from './blc';

rkisp1Algorithms.register('Agc', () => new Agc());
rkisp1Algorithms.register('Awb', () => new Awb());
rkisp1Algorithms.register('BlackLevelCorrection', () => new BlackLevelCorrection());

export { Agc, Awb, BlackLevelCorrection, rkisp1Algorithms };
export { Algorithm, type RkISP1Module } from './algorithm';

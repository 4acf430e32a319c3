/** rkisp1's Algorithm (src/ipa/rkisp1/algorithms/algorithm.h) and its registry. */
import type { IPACameraSensorInfo } from '../../../../runtime';
import { Algorithm as LibipaAlgorithm, AlgorithmRegistry } from '../../../../ipa';
import type { IspStats } from '../../uapi';
import type { IPAContext, IPAFrameContext } from '../context';
import type { RkISP1Params } from '../params';

export interface RkISP1Module {
  Context: IPAContext;
  FrameContext: IPAFrameContext;
  Config: IPACameraSensorInfo;
  Params: RkISP1Params;
  Stats: IspStats;
}

export abstract class Algorithm extends LibipaAlgorithm<RkISP1Module> {
  /** Disabled at configure: a raw stream and an algorithm that does not support raw. */
  disabled = false;
  supportsRaw = false;
}

/** REGISTER_IPA_ALGORITHM for rkisp1: algorithms/index.ts registers each. */
export const rkisp1Algorithms = new AlgorithmRegistry<RkISP1Module>();

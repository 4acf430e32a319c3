/** A vimc IPA that refuses to start: init answers -22, for the pipeline's failure tests. */
import { defineIPA } from '../../runtime';
import { IPAVimcInterface } from '../../platforms/vimc/contract';

export default defineIPA(IPAVimcInterface, () => ({
  init: (_settings, _traceFd, _code, inFlags) => ({ ret: -22, outFlags: inFlags }),
  configure: () => 0,
  start: () => 0,
  stop: () => {},
  mapBuffers: () => {},
  unmapBuffers: () => {},
  queueRequest: () => {},
  computeParams: () => {},
}));

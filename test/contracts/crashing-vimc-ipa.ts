/** A vimc IPA that crashes at init (it throws), for the pipeline's failure tests. */
import { defineIPA } from '../../runtime';
import { IPAVimcInterface } from '../../platforms/vimc/contract';

export default defineIPA(IPAVimcInterface, () => ({
  init: () => { throw new Error('no tuning for this sensor'); },
  configure: () => 0,
  start: () => 0,
  stop: () => {},
  mapBuffers: () => {},
  unmapBuffers: () => {},
  queueRequest: () => {},
  computeParams: () => {},
}));

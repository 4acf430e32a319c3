/** A vimc IPA that does nothing and succeeds, for failure fixtures to override one method of. */
import { defineIPA, type IPAImplementation } from '../../runtime';
import { IPAVimcInterface } from '../../platforms/vimc/contract';

export function stubVimcIPA(): IPAImplementation<IPAVimcInterface> {
  return {
    init: (_settings, _traceFd, _code, inFlags) => ({ ret: 0, outFlags: inFlags }),
    configure: () => 0,
    start: () => 0,
    stop: () => {},
    mapBuffers: () => {},
    unmapBuffers: () => {},
    queueRequest: () => {},
    computeParams: () => {},
  };
}

export default defineIPA(IPAVimcInterface, stubVimcIPA);

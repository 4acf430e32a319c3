/** A vimc IPA that does nothing, so that the IPC benchmark measures the IPC alone. */
import { defineIPA } from '../runtime';
import { IPAVimcInterface } from '../platforms/vimc/contract';

export default defineIPA(IPAVimcInterface, () => ({
  init: () => ({ ret: 0, outFlags: 0 }),
  configure: () => 0,
  start: () => 0,
  stop: () => {},
  mapBuffers: () => {},
  unmapBuffers: () => {},
  queueRequest: () => {},
  // One-way calls measured alone: no event back.
  computeParams: () => {},
}));

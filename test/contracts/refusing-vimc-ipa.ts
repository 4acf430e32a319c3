/** A vimc IPA that refuses to start: init answers -22, for the pipeline's failure tests. */
import { defineIPA } from '../../runtime';
import { IPAVimcInterface } from '../../platforms/vimc/contract';
import { stubVimcIPA } from './vimc-stub-ipa';

export default defineIPA(IPAVimcInterface, () => ({
  ...stubVimcIPA(),
  init: (_settings, _traceFd, _code, inFlags) => ({ ret: -22, outFlags: inFlags }),
}));

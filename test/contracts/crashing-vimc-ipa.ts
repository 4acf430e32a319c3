/** A vimc IPA that crashes at init (it throws), for the pipeline's failure tests. */
import { defineIPA } from '../../runtime';
import { IPAVimcInterface } from '../../platforms/vimc/contract';
import { stubVimcIPA } from './vimc-stub-ipa';

export default defineIPA(IPAVimcInterface, () => ({
  ...stubVimcIPA(),
  init: () => { throw new Error('no tuning for this sensor'); },
}));

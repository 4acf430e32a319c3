/** The vimc IPA module: load it with createProxy(IPAVimcInterface, { module: <this file> }). */
import { defineIPA } from '../../../runtime';
import { IPAVimcInterface } from '../contract';
import { VimcIPA } from './vimc-ipa';

export default defineIPA(IPAVimcInterface, (events) => new VimcIPA(events));

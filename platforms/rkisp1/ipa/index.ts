/** The rkisp1 IPA module: load it with createProxy(IPARkISP1Interface, { module: <this file> }). */
import { defineIPA } from '../../../runtime';
import { IPARkISP1Interface } from '../contract';
import { RkISP1IPA } from './rkisp1-ipa';

export default defineIPA(IPARkISP1Interface, (events) => new RkISP1IPA(events));

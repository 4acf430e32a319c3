/**
 * The isolation tests' vimc IPA, except once a marker file exists (named by
 * TS_IPA_TEST_BROKEN_MARKER): a worker started after that crashes at load, as a module broken on
 * disk would; or, if the marker says "refuses init", loads but answers init with -22.
 */
import fs from 'node:fs';
import { defineIPA } from '../../runtime';
import { IPAVimcInterface } from '../../platforms/vimc/contract';
import testIpa from './vimc-test-ipa';

const marker = process.env.TS_IPA_TEST_BROKEN_MARKER;
const broken = marker && fs.existsSync(marker) ? fs.readFileSync(marker, 'utf8') : undefined;
if (broken !== undefined && broken !== 'refuses init') throw new Error(`this module is broken (${broken})`);

export default broken === undefined ? testIpa : defineIPA(IPAVimcInterface, (events) => {
  const ipa = testIpa.create(events);
  ipa.init = () => ({ ret: -22, outFlags: 0 });
  return ipa;
});

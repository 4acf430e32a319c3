/**
 * The isolation tests' vimc IPA, except that it refuses to load once a marker file exists (named
 * by TS_IPA_TEST_BROKEN_MARKER): a worker restarted after that crashes at every start, as a
 * module broken on disk would.
 */
import fs from 'node:fs';
import testIpa from './vimc-test-ipa';

const marker = process.env.TS_IPA_TEST_BROKEN_MARKER;
if (marker && fs.existsSync(marker)) throw new Error(`this module is broken (${fs.readFileSync(marker, 'utf8')})`);

export default testIpa;

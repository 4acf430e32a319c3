/**
 * The isolation tests' vimc IPA, except that it refuses to load once the environment says so:
 * a worker restarted after that crashes at every start, as a module broken on disk would.
 */
import testIpa from './vimc-test-ipa';

if (process.env.TS_IPA_TEST_BROKEN_ON_DISK) throw new Error(`this module is broken (${process.env.TS_IPA_TEST_BROKEN_ON_DISK})`);

export default testIpa;

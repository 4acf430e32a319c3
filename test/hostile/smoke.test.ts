/** The harness itself: an unsigned module runs isolated, and a clean run leaves the handler as it was. */
import { afterAll, expect, it } from 'vitest';
import { runtime } from '../support';
import { baseline, expectUnharmed, managerFor, paths, scratch, vimcModule, writeModule } from './harness';

const work = scratch('smoke');
afterAll(() => work.cleanup());

it('an unsigned module runs in a process, and closing it leaves nothing behind', async () => {
  const { IPAVimcInterface } = require(paths.vimcContract) as typeof import('../../dist/platforms/vimc/contract.js');
  writeModule(work.dir, 'plain', { entry: vimcModule() });
  const before = baseline();
  const ipa = await managerFor(work.dir).createIPA(IPAVimcInterface, { pipeline: 'vimc', isolation: 'thread' });
  expect(ipa.isolation).toBe('process');
  expect((await ipa.init({ configurationFile: '', sensorModel: 'x' }, runtime.SharedFD.invalid, 0, 2)).ret).toBe(0);
  await ipa.close();
  await expectUnharmed(before);
});

/**
 * The rkisp1 pipeline handler on the simulated rkisp1: the shared camera suite in direct, thread
 * and process mode; the closed loop (AGC and AWB converging from a dark, a bright and a coloured
 * start, within the frames libcamera's IPA took in the oracle traces, with a stated margin); an
 * IPA that sends what no honest one does; and the buffers and fds given back at close.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { openFds, root, runtime } from '../../support';
import { cameraSuite } from '../../camera-suite';
import { itFindsTheTraces, oracleDir } from '../../oracle';
import { openRkISP1, rkisp1Expectations, yuvSummary } from '../rkisp1-support';
import { RkISP1Camera, type Frame, type RkISP1FrameParams } from '../../../dist/platforms/rkisp1/pipeline.js';
import { SimulatedRkISP1 } from '../../../dist/platforms/rkisp1/simulated/index.js';
import type { Camera } from '../../../dist/camera/camera.js';
import { convergenceFrame, ORACLE_TRACES, oracleConvergence } from './convergence';

const { controls } = runtime;
const MODES = ['direct', 'thread', 'process'] as const;

cameraSuite('rkisp1 (simulated)', rkisp1Expectations, MODES);

const cameras: Camera<RkISP1FrameParams>[] = [];
afterEach(async () => {
  await Promise.all(cameras.splice(0).map((c) => c.close()));
});

interface Kept {
  sequence: number;
  exposure: number;
  gain: number;
  colourGains: [number, number];
  meanY: number;
}

/** Captures `count` frames with four requests in flight, as libcamera's rkisp1 keeps them; in sequence order. */
async function run(camera: Camera<RkISP1FrameParams>, count: number): Promise<Kept[]> {
  const kept: Kept[] = [];
  let submitted = 0;
  const lane = async () => {
    while (submitted < count) {
      submitted++;
      const frame: Frame = await camera.capture();
      const m = frame.params.metadata;
      kept.push({
        sequence: frame.sequence, exposure: m.get(controls.ExposureTime)!, gain: m.get(controls.AnalogueGain)!,
        colourGains: m.get(controls.ColourGains) as [number, number], meanY: yuvSummary(frame).meanY,
      });
      frame.release();
    }
  };
  await Promise.all([lane(), lane(), lane(), lane()]);
  return kept.sort((a, b) => a.sequence - b.sequence);
}

describe('the closed loop on the simulated rkisp1', () => {
  const dir = oracleDir(ORACLE_TRACES);
  itFindsTheTraces(ORACLE_TRACES);
  /**
   * libcamera's IPA reached its settled exposure and white balance (within 5 %) this many frames
   * from its start in the oracle traces (11 and 12); the margin is half that again.
   */
  const bound = () => Math.ceil(oracleConvergence(dir!) * 1.5);
  const FRAMES = 40;
  const WARM = { r: 1.3, g: 1, b: 0.7 };
  // At the sensor's default exposure the chart's picture is 0.6x (dark), 2.1x (bright) the AGC's target.
  const starts = [
    { name: 'dark', scene: { brightness: 8 } },
    { name: 'bright', scene: { brightness: 50 } },
    { name: 'coloured (warm)', scene: { brightness: 50, illuminant: WARM } },
  ];

  for (const isolation of MODES) {
    it(`AGC reaches its target and AWB the illuminant within the oracle's frames and a half from each start, IPA in ${isolation} mode`, async () => {
      const settled: Record<string, number> = {};
      for (const start of starts) {
        const camera = await openRkISP1(isolation, { scene: start.scene, frameRate: 15 });
        cameras.push(camera);
        const config = camera.generateConfiguration();
        await camera.configure(config);
        await camera.start();
        const frames = await run(camera, FRAMES);
        await camera.close();
        const at = (i: number) => frames.find((f) => f.sequence >= i)!;
        const last = frames.filter((f) => f.sequence >= FRAMES - 10);
        const meanY = last.reduce((s, f) => s + f.meanY, 0) / last.length;
        settled[start.name] = meanY;
        // AGC: the picture's luma stays within 5 % of where it settles from the bound on.
        const agc = convergenceFrame(frames.map((f) => [f.sequence, [f.meanY]]), [meanY]);
        expect(agc, `${start.name}: luma by frame ${bound()}`).toBeLessThanOrEqual(bound());
        // AWB: the colour gains likewise, and where they settle is the illuminant's, within 5 %.
        const gains = last[last.length - 1]!.colourGains;
        const awb = convergenceFrame(frames.map((f) => [f.sequence, f.colourGains]), gains);
        expect(awb, `${start.name}: colour gains by frame ${bound()}`).toBeLessThanOrEqual(bound());
        const illuminant = start.scene.illuminant ?? { r: 1, g: 1, b: 1 };
        expect(Math.abs(gains[0] / (illuminant.g / illuminant.r) - 1)).toBeLessThanOrEqual(0.05);
        expect(Math.abs(gains[1] / (illuminant.g / illuminant.b) - 1)).toBeLessThanOrEqual(0.05);
        // The first frames are made with the sensor's default exposure (1600 lines), as their metadata says.
        expect(at(0).exposure).toBe(30245);
      }
      // The same target from every start: AGC settles at one luma, within 5 %.
      const target = settled['bright']!;
      for (const [name, y] of Object.entries(settled)) expect(Math.abs(y / target - 1), name).toBeLessThanOrEqual(0.05);
    }, 120_000);
  }
});

/** Configures `camera` at 320x240 (closed after the test); gives what the pipeline reports of its IPA as it comes. */
async function configuredSmall(camera: RkISP1Camera): Promise<string[]> {
  cameras.push(camera);
  const reports: string[] = [];
  camera.ipa.on('protocolError' as never, ((error: Error) => reports.push(error.message)) as never);
  const config = camera.generateConfiguration();
  config.size = { width: 320, height: 240 };
  await camera.configure(config);
  return reports;
}

describe('stopping with requests in flight', () => {
  for (const isolation of MODES) {
    it(`fails them with CameraError, reports nothing of the IPA's late events, and starts again (${isolation} mode)`, async () => {
      const camera = await openRkISP1(isolation);
      const reports = await configuredSmall(camera);
      for (let round = 0; round < 2; round++) {
        await camera.start();
        const inFlight = Array.from({ length: 8 }, () => camera.capture().then((f) => (f.release(), 'done'), (e: Error) => e.name));
        await inFlight[0];
        await camera.stop();
        const outcomes = await Promise.all(inFlight);
        expect(outcomes[0]).toBe('done');
        expect(outcomes.filter((o) => o !== 'done').every((o) => o === 'CameraError')).toBe(true);
      }
      expect(reports).toEqual([]);
    }, 60_000);
  }
});

describe('an IPA that sends what no honest one does', () => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'rkisp1-hostile-'));
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  /** The real rkisp1 IPA, with `attack` done to what it sends (its tuning file copied beside it, the sandbox lets it read no other). */
  function hostileModule(name: string, attack: string): string {
    const dir = path.join(work, name);
    fs.mkdirSync(dir, { recursive: true });
    fs.copyFileSync(path.join(root, 'dist/platforms/rkisp1/ipa/data/uncalibrated.yaml'), path.join(dir, 'uncalibrated.yaml'));
    const file = path.join(dir, 'index.js');
    fs.writeFileSync(file, `'use strict';
const path = require('node:path');
const { defineIPA, ControlList, ControlValue } = require(${JSON.stringify(path.join(root, 'dist/runtime/index.js'))});
const { IPARkISP1Interface } = require(${JSON.stringify(path.join(root, 'dist/platforms/rkisp1/contract.js'))});
const { RkISP1IPA } = require(${JSON.stringify(path.join(root, 'dist/platforms/rkisp1/ipa/rkisp1-ipa.js'))});
class Hostile extends RkISP1IPA {
  init(settings, ...rest) { return super.init({ ...settings, configurationFile: path.join(__dirname, 'uncalibrated.yaml') }, ...rest); }
}
module.exports.default = defineIPA(IPARkISP1Interface, (events) => new Hostile({
  paramsComputed(frame, bytesused) { ${attack}; events.paramsComputed(frame, bytesused); },
  setSensorControls(frame, list) {
    if (${JSON.stringify(name)} === 'controls' && frame % 2 === 1) {
      const bad = new ControlList(list.infoMap);
      // Horizontal blanking, which DelayedControls does not handle; or an exposure far past the sensor's.
      if (frame % 4 === 1) bad.setValue(0x009e0902, ControlValue.i32(2808));
      else bad.setValue(0x00980911, ControlValue.i32(999999));
      return events.setSensorControls(frame, bad);
    }
    events.setSensorControls(frame, list);
  },
  metadataReady(frame, metadata) {
    if (${JSON.stringify(name)} === 'wrong-frame' && frame % 3 === 1) events.metadataReady(frame + 1000, metadata);
    events.metadataReady(frame, metadata);
  },
}));
`);
    return file;
  }

  /** A started camera running the hostile module, with what the pipeline reported of it. */
  async function startedWith(name: string, attack: string) {
    const camera = await RkISP1Camera.open(new SimulatedRkISP1(), { ipaModule: hostileModule(name, attack), isolation: 'process', timeoutMs: 10_000 });
    const reports = await configuredSmall(camera);
    await camera.start();
    return { camera, reports };
  }

  const attacks = [
    { name: 'wrong-frame', attack: 'if (frame % 3 === 1) events.paramsComputed(frame + 1000, bytesused)', report: /the IPA sent (paramsComputed|metadataReady) for frame 100\d/, fails: 0 },
    { name: 'oversized', attack: 'if (frame === 2) return events.paramsComputed(frame, 1 << 20)', report: /paramsComputed for frame 2 with 1048576 bytes, outside the parameters buffer's 1 to \d+/, fails: 1 },
    { name: 'controls', attack: '', report: /^the IPA sent setSensorControls for frame 1 names control 0x9e0902, which the sensor lacks or libcamera does not delay$/, fails: 0 },
  ];

  for (const { name, attack, report, fails } of attacks) {
    it(`${name}: refused and reported; the camera goes on and closes clean`, async () => {
      const before = openFds();
      const { camera, reports } = await startedWith(name, attack);
      const outcomes = await Promise.allSettled(Array.from({ length: 16 }, () => camera.capture().then((f) => {
        f.release();
        return f.sequence;
      })));
      const failed = outcomes.filter((o) => o.status === 'rejected');
      expect(failed.length, failed.map((f) => String((f as PromiseRejectedResult).reason)).join('\n')).toBe(fails);
      for (const f of failed) expect(String((f as PromiseRejectedResult).reason)).toMatch(/CameraError: the IPA's parameters for frame 2 do not fit their buffer/);
      expect(reports.some((r) => report.test(r)), reports.join('\n')).toBe(true);
      // The IPA is still the one started, and the camera still captures.
      expect(camera.ipa.failure).toBeUndefined();
      const more = await camera.capture();
      more.release();
      await camera.close();
      cameras.splice(cameras.indexOf(camera), 1);
      expect(openFds()).toBe(before);
    }, 60_000);
  }

  it('an exposure past the sensor\'s is the driver\'s to clamp, as libcamera leaves it: not reported', async () => {
    const media = new SimulatedRkISP1();
    const camera = await RkISP1Camera.open(media, { ipaModule: hostileModule('controls', ''), isolation: 'process', timeoutMs: 10_000 });
    const reports = await configuredSmall(camera);
    await camera.start();
    await Promise.all(Array.from({ length: 12 }, () => camera.capture().then((f) => f.release())));
    expect(reports.length).toBeGreaterThan(0);
    expect(reports.filter((r) => !/names control 0x9e0902/.test(r))).toEqual([]);
    const exposure = media.openSubdevice('imx219 1-0010').controls().find((c) => c.id === 0x00980911)!;
    expect(media.openSubdevice('imx219 1-0010').getControls([exposure.id])[0]).toBeLessThanOrEqual(Number(exposure.maximum));
  }, 60_000);
});

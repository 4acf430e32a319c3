/**
 * The rkisp1 IPA's behaviour outside the recorded traces, in direct mode, on the a-neutral
 * trace's sensor: init's failures, manual exposure and gain, manual white balance, a raw stream,
 * an unsupported parameters format. Expected values follow libcamera v0.7.1's code (comments).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { IPARkISP1Interface } from '../../../dist/platforms/rkisp1/contract.js';
import { BlockType, parseExtParams } from '../../../dist/platforms/rkisp1/uapi.js';
import { itFindsTheTraces, oracleDir } from '../../oracle';
import { root, runtime } from '../../support';
import { infoMapOf, listJson, listOf, sensorInfoOf } from './trace-values';

const { createProxy, SharedFD, SharedMemory, FrameBufferPlane, ControlList, controls, controlIds } = runtime;
type Proxy = runtime.IPAProxy<IPARkISP1Interface>;

const TRACE = 'rkisp1-a-neutral.json';
const dir = oracleDir([TRACE]);
itFindsTheTraces([TRACE]);
const trace = dir ? JSON.parse(fs.readFileSync(path.join(dir, TRACE), 'utf8')) : undefined;

const MODULE = path.join(root, 'dist/platforms/rkisp1/ipa/index.js');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rkisp1-ipa-unit-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
const open: Proxy[] = [];
const memories: runtime.SharedMemory[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((p) => p.close()));
  for (const m of memories.splice(0)) m.close();
});

function tuning(text: string): string {
  const file = path.join(tmp, `tuning-${open.length}-${Math.random().toString(36).slice(2)}.yaml`);
  fs.writeFileSync(file, text);
  return file;
}

const UNCALIBRATED = '%YAML 1.1\n---\nversion: 1\nalgorithms:\n  - Agc:\n  - Awb:\n  - BlackLevelCorrection:\n...\n';

async function proxy(): Promise<Proxy> {
  const ipa = await createProxy(IPARkISP1Interface, { module: MODULE, isolation: 'direct' });
  open.push(ipa);
  return ipa;
}

async function init(ipa: Proxy, overrides: { file?: string; hwRevision?: number; sensorModel?: string } = {}) {
  const a = trace.setup.init.args;
  return ipa.init({ configurationFile: overrides.file ?? tuning(UNCALIBRATED), sensorModel: overrides.sensorModel ?? a.settings.sensorModel }, overrides.hwRevision ?? a.hwRevision, a.supportedBlocks, sensorInfoOf(a.sensorInfo), infoMapOf(a.sensorControls));
}

interface Session {
  ipa: Proxy;
  events: { event: string; frame: number; value?: unknown }[];
  params: Map<number, runtime.SharedMemory>;
  stats: Map<number, runtime.SharedMemory>;
  sensorMap: runtime.ControlInfoMap;
}

async function session(options: { pixelFormat?: number; paramFormat?: number } = {}): Promise<Session & { configured: number }> {
  const ipa = await proxy();
  expect((await init(ipa)).ret).toBe(0);
  const cfg = trace.setup.configure.args;
  const sensorMap = infoMapOf(cfg.configInfo.sensorControls);
  const configured = await ipa.configure(
    { sensorInfo: sensorInfoOf(cfg.configInfo.sensorInfo), sensorControls: sensorMap, paramFormat: options.paramFormat ?? cfg.configInfo.paramFormat },
    new Map([[0, { pixelFormat: options.pixelFormat ?? cfg.streamConfig['0'].pixelFormat, size: { width: 1920, height: 1080 } }]]) as never,
  );
  const params = new Map<number, runtime.SharedMemory>();
  const stats = new Map<number, runtime.SharedMemory>();
  for (let id = 1; id <= 8; id++) {
    const m = SharedMemory.create(`rkisp1-unit-${id}`, id <= 4 ? 4512 : 260);
    memories.push(m);
    (id <= 4 ? params : stats).set(id, m);
  }
  await ipa.mapBuffers([...params, ...stats].map(([id, m]) => ({ id, planes: [new FrameBufferPlane(new SharedFD(m.fd), 0, m.size)] })));
  await ipa.start();
  const events: Session['events'] = [];
  ipa.on('paramsComputed', (frame, bytesused) => events.push({ event: 'paramsComputed', frame, value: bytesused }));
  ipa.on('setSensorControls', (frame, list) => events.push({ event: 'setSensorControls', frame, value: listJson(list) }));
  ipa.on('metadataReady', (frame, list) => events.push({ event: 'metadataReady', frame, value: listJson(list) }));
  return { ipa, events, params, stats, sensorMap, configured: configured.ret };
}

/** Frame `frame` through the IPA: request, parameters, then the trace's frame-0 statistics. */
async function runFrame(s: Session, frame: number, request: runtime.ControlList, sensor: { exposure: number; gain: number }) {
  s.ipa.queueRequest(frame, request);
  s.ipa.computeParams(frame, 1 + (frame % 4));
  await arrived(s, 'paramsComputed', frame);
  const statsCall = trace.calls.find((c: { call: string }) => c.call === 'processStats');
  const statsId = 5 + (frame % 4);
  new Uint8Array(s.stats.get(statsId)!.map()).set(Buffer.from(statsCall.stats.hex, 'hex'));
  const list = new ControlList(s.sensorMap);
  list.setValue(0x00980911, runtime.ControlValue.i32(sensor.exposure));
  list.setValue(0x009e0903, runtime.ControlValue.i32(sensor.gain));
  list.setValue(0x009e0901, runtime.ControlValue.i32(683));
  s.ipa.processStats(frame, statsId, list);
  await arrived(s, 'metadataReady', frame);
  const paramsBuffer = new Uint8Array(s.params.get(1 + (frame % 4))!.map());
  const bytesused = s.events.filter((e) => e.event === 'paramsComputed' && e.frame === frame).at(-1)!.value as number;
  return {
    blocks: parseExtParams(paramsBuffer, bytesused).blocks,
    sensorControls: s.events.filter((e) => e.event === 'setSensorControls' && e.frame === frame).at(-1)!.value as Record<string, unknown>,
    metadata: s.events.filter((e) => e.event === 'metadataReady' && e.frame === frame).at(-1)!.value as Record<string, unknown>,
  };
}

async function arrived(s: Session, event: string, frame: number): Promise<void> {
  const until = Date.now() + 10_000;
  while (!s.events.some((e) => e.event === event && e.frame === frame)) {
    if (Date.now() > until) throw new Error(`no ${event} for frame ${frame}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

describe.skipIf(!trace)('the rkisp1 IPA', () => {
  it('refuses what libcamera refuses at init', async () => {
    const ipa = await proxy();
    expect((await init(ipa, { hwRevision: 11 })).ret).toBe(-19); // V11: not supported (-ENODEV)
    expect((await init(ipa, { sensorModel: 'no-such-sensor' })).ret).toBe(-19); // no sensor helper
    expect((await init(ipa, { file: path.join(tmp, 'missing.yaml') })).ret).toBe(-2); // File::open: -ENOENT
    expect((await init(ipa, { file: tuning('version: 2\nalgorithms: []\n') })).ret).toBe(-22);
    expect((await init(ipa, { file: tuning('version: 1\n') })).ret).toBe(-22); // no algorithms
    expect((await init(ipa, { file: tuning('version: 1\nalgorithms: [ : ]: [\n') })).ret).toBe(-22); // not YAML
    await expect(init(ipa, { file: tuning('version: 1\nalgorithms:\n  - Lsc:\n') })).rejects.toThrow(/Algorithm 'Lsc' not found/);
  });

  it('ships as a signed built-in module: the IPA manager runs it in a thread, and it reads its tuning there', async () => {
    const manager = new runtime.IPAManager({ env: {} });
    const ipa = await manager.createIPA(IPARkISP1Interface, { pipeline: 'rkisp1', isolation: 'thread' });
    open.push(ipa);
    expect(ipa.isolation).toBe('thread');
    const result = await init(ipa);
    expect(result.ret).toBe(0);
    expect(result.ipaControls.has(controls.ExposureTime.id)).toBe(true);
  });

  it('accepts a BlackLevelCorrection with all four levels (they override the helper, deprecated in libcamera)', async () => {
    const ipa = await proxy();
    const file = tuning('version: 1\nalgorithms:\n  - BlackLevelCorrection:\n      R: 256\n      Gr: 256\n      Gb: 256\n      B: 256\n');
    expect((await init(ipa, { file })).ret).toBe(0);
  });

  it('manual exposure time and gain: the sensor gets them, the metadata says manual', async () => {
    const s = await session();
    const request = new ControlList(controlIds)
      .set(controls.ExposureTimeMode, 1).set(controls.ExposureTime, 20000)
      .set(controls.AnalogueGainMode, 1).set(controls.AnalogueGain, 2);
    const out = await runFrame(s, 0, request, { exposure: 1058, gain: 128 });
    // 20000 us * 1000 / 18903.508771929825 ns = 1058.004 lines; imx219 gain code 256 - 256 / 2 = 128.
    expect(out.sensorControls).toEqual({ 9963793: 1058, 10356993: 34, 10356995: 128 });
    expect(out.metadata[controls.ExposureTimeMode.id]).toBe(1);
    expect(out.metadata[controls.AnalogueGainMode.id]).toBe(1);
    expect(out.metadata[controls.AnalogueGain.id]).toBe(2);
    // 1058 lines of 18.9035 us.
    expect(out.metadata[controls.ExposureTime.id]).toBe(19999);
    // The next frame keeps the manual values without repeating them.
    const next = await runFrame(s, 1, new ControlList(controlIds), { exposure: 1058, gain: 128 });
    expect(next.sensorControls).toEqual({ 9963793: 1058, 10356993: 34, 10356995: 128 });
  });

  it('manual white balance: ColourGains go to the AWB gain block and the metadata', async () => {
    const s = await session();
    const request = new ControlList(controlIds).set(controls.AwbEnable, false).set(controls.ColourGains, [2, 0.5]);
    const out = await runFrame(s, 0, request, { exposure: 529, gain: 0 });
    const gain = out.blocks.find((b) => b.type === BlockType.AWB_GAIN)!;
    expect(gain.config).toEqual({ gain_red: 512, gain_green_r: 256, gain_blue: 128, gain_green_b: 256 });
    expect(out.metadata[controls.AwbEnable.id]).toBe(false);
    expect(out.metadata[controls.ColourGains.id]).toEqual([2, 0.5]);
    expect(out.metadata[controls.ColourTemperature.id]).toBe(5000);
  });

  it('a raw stream: Awb is disabled, Agc runs without statistics, BLC writes no block', async () => {
    const RG10 = 0x30314752; // 'RG10', SRGGB10
    const s = await session({ pixelFormat: RG10 });
    expect(s.configured).toBe(0);
    const out = await runFrame(s, 0, new ControlList(controlIds), { exposure: 1600, gain: 0 });
    expect(out.blocks.map((b) => BlockType[b.type])).toEqual(['AEC_MEAS', 'HST_MEAS', 'AWB_GAIN', 'AWB_MEAS']);
    expect(out.metadata[controls.AwbEnable.id]).toBeUndefined();
    expect(out.metadata[controls.SensorBlackLevels.id]).toEqual([4096, 4096, 4096, 4096]);
    // Raw: manual exposure (ExposureTimeMode manual by default), from the 10 ms start.
    expect(out.metadata[controls.ExposureTimeMode.id]).toBe(1);
  });

  it('the legacy parameters format: the whole rkisp1_params_cfg, module bits for each block written', async () => {
    const s = await session({ paramFormat: 0x50314b52 }); // 'RK1P'
    expect(s.configured).toBe(0);
    const frame = async (n: number) => {
      s.ipa.queueRequest(n, new ControlList(controlIds));
      s.ipa.computeParams(n, 1 + (n % 4));
      await arrived(s, 'paramsComputed', n);
      const bytes = Buffer.from(s.params.get(1 + (n % 4))!.map());
      const bytesused = s.events.find((e) => e.event === 'paramsComputed' && e.frame === n)!.value;
      // module_en_update @0, module_ens @4, module_cfg_update @8.
      return { bytesused, words: [0, 4, 8].map((o) => bytes.readUInt32LE(o)), bytes };
    };
    const first = await frame(0);
    expect(first.bytesused).toBe(3048);
    // BLS (1 << 1), HST (1 << 3), AWB_GAIN (1 << 5), AWB (1 << 12), AEC (1 << 14), all enabled.
    expect(first.words).toEqual([0x502a, 0x502a, 0x502a]);
    const second = await frame(1);
    expect(second.words).toEqual([0x20, 0x20, 0x20]);
  });

  it('configure refuses a parameters format that is not rkisp1\'s', async () => {
    const s = await session({ paramFormat: 0x12345678 });
    expect(s.configured).toBe(-22);
  });
});

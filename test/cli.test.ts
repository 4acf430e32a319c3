import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PNG } from 'pngjs';
import { COLORBAR_75 } from './platforms/vimc-support';
import { describe, expect, it } from 'vitest';
import { root } from './support';

/** A bound far above a capture's few seconds on a loaded machine: a hang fails (status null) instead of stalling the suite. */
const HANG_MS = 60_000;

function tsIpa(...args: string[]) {
  return spawnSync(process.execPath, [path.join(root, 'dist/cli/main.js'), ...args], { cwd: root, encoding: 'utf8', timeout: HANG_MS });
}

function withOutDir(use: (out: string) => void): void {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'ts-ipa-frames-'));
  try {
    use(out);
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
}

describe('ts-ipa inspect', () => {
  it('prints the contract of a compiled module with command numbers', () => {
    const result = tsIpa('inspect', 'dist/platforms/rkisp1/contract.js');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain("IPA module 'rkisp1'");
    expect(result.stdout).toContain('    9  processStats(frame: u32, bufferId: u32, sensorControls: ControlList) → one-way');
    expect(result.stdout).toContain('    2  setSensorControls(frame: u32, sensorControls: ControlList)');
  });

  it('prints the model as JSON', () => {
    const result = tsIpa('inspect', 'dist/platforms/raspberrypi/contract.js', '--json');
    expect(result.status).toBe(0);
    const [model] = JSON.parse(result.stdout);
    expect(model.module).toBe('RPi');
    expect(model.consts).toEqual([{ name: 'MaxLsGridSize', type: { kind: 'number', width: 'u32' }, value: 32768 }]);
  });

  it('says so in one line when a module has no contract, or cannot be loaded', () => {
    const none = tsIpa('inspect', 'dist/runtime/core.js');
    expect(none.status).toBe(1);
    expect(none.stderr).toBe('ts-ipa inspect: dist/runtime/core.js exports no IPA interface with a generated contract (was it built with the ts-ipa transformer?)\n');
    const missing = tsIpa('inspect', 'dist/nowhere.js');
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/^ts-ipa inspect: cannot load dist\/nowhere\.js: Cannot find module/);
  });

  it('prints the package version', () => {
    const { version } = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
    expect(tsIpa('--version')).toMatchObject({ status: 0, stdout: `ts-ipa ${version}\n`, stderr: '' });
  });

  it('prints usage for no command and fails for an unknown one', () => {
    expect(tsIpa().status).toBe(2);
    const unknown = tsIpa('frobnicate');
    expect([unknown.status, unknown.stderr]).toEqual([2, "ts-ipa: unknown command 'frobnicate' (ts-ipa --help lists the commands)\n"]);
  });

  it('refuses bad usage with exit 2 in one line naming the option', () => {
    const refused = (args: string[], line: string) => expect(tsIpa(...args)).toMatchObject({ status: 2, stderr: `${line}\n` });
    const frames = (n: string) => `ts-ipa capture: --frames ${n}: give a whole number of frames, 1 to 1000000`;
    refused(['capture', '--frames', '-3'], frames('-3'));
    refused(['capture', '--frames=-3'], frames('-3'));
    // Number() would take these; a count is digits only, and one the summary can keep.
    for (const n of ['1e1', '0x2', '2.0', '0', '3000000', '99999999999999999999']) refused(['capture', '--frames', n], frames(n));
    refused(['capture', '--out='], 'ts-ipa capture: --out: give a directory');
    refused(['capture', '--xyz'], "ts-ipa capture: unknown option --xyz (ts-ipa capture --help lists capture's options)");
    refused(['capture', '--out', '--frames', '2'], "ts-ipa capture: --out needs a value: --out <dir> (one starting with '-' as --out=-...)");
    refused(['capture', '--frames'], "ts-ipa capture: --frames needs a value: --frames <n> (one starting with '-' as --frames=-...)");
    refused(['--frames', '2', 'capture'], "ts-ipa: unknown option --frames (a command's options go after it: ts-ipa <command> --help)");
  });

  it("refuses an option the command does not take, naming both, and shows each command's own options", () => {
    expect(tsIpa('list', '--json')).toMatchObject({ status: 2, stderr: "ts-ipa list: unknown option --json (ts-ipa list --help lists list's options)\n" });
    expect(tsIpa('capture', '--key', 'k')).toMatchObject({ status: 2, stderr: "ts-ipa capture: unknown option --key (ts-ipa capture --help lists capture's options)\n" });
    expect(tsIpa('inspect', 'a.js', 'b.js')).toMatchObject({ status: 2, stderr: "ts-ipa inspect: unexpected argument 'b.js' (ts-ipa inspect --help shows what inspect takes)\n" });
    expect(tsIpa('list', '--json=1').status).toBe(2);
    const help = tsIpa('capture', '--help');
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^usage: ts-ipa capture \[options\]\n/);
    expect(help.stdout).toMatch(/--frames <n>\s+how many frames/);
    expect(help.stdout).not.toContain('--key');
    for (const [command, option] of [['list', '--help'], ['inspect', '--json'], ['modules', '--trust <public key>'], ['keygen', '--force'], ['sign', '--key <private key>'], ['verify', '--trust']]) {
      const own = tsIpa(command!, '-h');
      expect(own.status).toBe(0);
      expect(own.stdout).toMatch(new RegExp(`^usage: ts-ipa ${command}\\b`));
      expect(own.stdout).toContain(option);
      expect(own.stdout).not.toContain('--frames');
    }
    expect(tsIpa('--help').stdout).toContain("ts-ipa <command> --help shows a command's options.");
  });
});

describe('ts-ipa capture and list', () => {
  it('captures from the simulated camera when there is no vimc device, says so, and writes PNG files of the pattern', () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'ts-ipa-frames-'));
    try {
      const result = tsIpa('capture', '--frames', '5', '--size', '320x240', '--format', 'RGB888', '--out', out);
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
      expect(result.stdout).toContain('SIMULATED: no vimc device on this machine');
      expect(result.stdout).toMatch(/frames\s+5\n/);
      // The simulated sensor skips a sequence number when no buffer is queued in time, as vimc
      // does: on a loaded machine some frames are dropped, which the summary counts.
      expect(result.stdout).toMatch(/dropped frames\s+\d+\n/);
      expect(result.stdout).toMatch(/IPA round trip p99\s+\d+ µs/);
      const files = fs.readdirSync(out).sort();
      expect(files).toEqual(['frame-0000.png', 'frame-0001.png', 'frame-0002.png', 'frame-0003.png', 'frame-0004.png']);
      const png = PNG.sync.read(fs.readFileSync(path.join(out, files[4]!)));
      expect([png.width, png.height]).toEqual([320, 240]);
      const bars = COLORBAR_75.map((_, bar) => {
        const at = (120 * 320 + Math.floor(((bar + 0.5) * 320) / 8)) * 4;
        return [png.data[at], png.data[at + 1], png.data[at + 2]];
      });
      expect(bars).toEqual(COLORBAR_75);
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });

  it('captures from the simulated rkisp1 (simulated:rkisp1): its NV12 frames as viewable PNG files of its grey chart', () => {
    withOutDir((out) => {
      const result = tsIpa('capture', '--camera', 'simulated:rkisp1', '--frames', '3', '--size', '320x240', '--out', out);
      expect([result.status, result.stderr]).toEqual([0, '']);
      expect(result.stdout).toContain('rkisp1 (simulated) at simulated:/dev/media1 — SIMULATED: no rkisp1 device on this machine');
      expect(result.stdout).toContain('Capturing 3 frames, NV12 320x240, IPA in process mode');
      const files = fs.readdirSync(out).filter((f) => f.endsWith('.png')).sort();
      expect(files).toHaveLength(3);
      const png = PNG.sync.read(fs.readFileSync(path.join(out, files[2]!)));
      expect([png.width, png.height]).toEqual([320, 240]);
      // The chart's six greys, lightest first, neutral: R, G and B within a step of each other.
      const greys = [0, 1, 2, 3, 4, 5].map((i) => {
        const at = (120 * 320 + Math.floor(((i + 0.5) * 320) / 6)) * 4;
        const [r, g, b] = [png.data[at]!, png.data[at + 1]!, png.data[at + 2]!];
        expect(Math.max(r, g, b) - Math.min(r, g, b)).toBeLessThanOrEqual(2);
        return g;
      });
      expect(greys.every((g, i) => i === 0 || g < greys[i - 1]!)).toBe(true);
      const rgb = tsIpa('capture', '--camera', 'simulated:rkisp1', '--format', 'BGR888', '--out', out);
      expect([rgb.status, rgb.stderr]).toEqual([5, 'ts-ipa capture: --format BGR888: this camera gives NV12 or YUYV\n']);
    });
  }, 3 * HANG_MS);

  // vimc streams only with two buffers queued: one or two frames must not wait for a frame that never comes.
  it.each(['process', 'thread', 'direct'])('captures --frames 1 and 2 in %s mode, writing exactly that many files', (isolation) => {
    for (const frames of [1, 2]) {
      withOutDir((out) => {
        const result = tsIpa('capture', '--frames', String(frames), '--size', '64x48', '--isolation', isolation, '--out', out);
        expect([result.status, result.signal, result.stderr]).toEqual([0, null, '']);
        expect(result.stdout).toMatch(new RegExp(`frames\\s+${frames}\\n`));
        expect(fs.readdirSync(out).filter((f) => f.endsWith('.png'))).toHaveLength(frames);
      });
    }
  }, 3 * HANG_MS);

  it('checks --out before opening the camera: not a directory, not writable, an earlier capture there', () => {
    withOutDir((out) => {
      const file = path.join(out, 'file');
      fs.writeFileSync(file, '');
      // /dev/media99 does not exist: exit 2, not 3, shows --out was checked before the camera was opened.
      expect(tsIpa('capture', '--camera', '/dev/media99', '--out', file)).toMatchObject({ status: 2, stderr: `ts-ipa capture: --out ${file}: ${file} is not a directory\n` });
      expect(tsIpa('capture', '--camera', '/dev/media99', '--out', path.join(file, 'sub'))).toMatchObject({ status: 2, stderr: `ts-ipa capture: --out ${file}/sub: ${file} is not a directory\n` });
      // Not writable even for root: proc accepts no new files.
      expect(tsIpa('capture', '--camera', '/dev/media99', '--out', '/proc')).toMatchObject({ status: 2, stderr: expect.stringMatching(/^ts-ipa capture: --out \/proc: cannot write in \/proc \(\w+\)\n$/) });
      expect(tsIpa('capture', '--frames', '3', '--size', '64x48', '--out', out).status).toBe(0);
      const again = tsIpa('capture', '--camera', '/dev/media99', '--frames', '1', '--size', '64x48', '--out', out);
      expect(again).toMatchObject({ status: 2, stderr: `ts-ipa capture: --out ${out}: holds 3 frame-*.png files from an earlier capture: give another --out, or --overwrite to remove them first\n` });
      expect(fs.readdirSync(out).filter((f) => f.endsWith('.png'))).toHaveLength(3);
      // --overwrite removes them only once the camera is configured: a capture that cannot start keeps them.
      expect(tsIpa('capture', '--camera', '/dev/media99', '--frames', '1', '--out', out, '--overwrite').status).toBe(3);
      expect(fs.readdirSync(out).filter((f) => f.endsWith('.png'))).toHaveLength(3);
      expect(tsIpa('capture', '--frames', '1', '--size', '64x48', '--out', out, '--overwrite').status).toBe(0);
      expect(fs.readdirSync(out).sort()).toEqual(['file', 'frame-0000.png']);
    });
  }, 3 * HANG_MS);

  it('fails in one line with an exit code per cause: no such device, unsupported format, bad usage', () => {
    // os.tmpdir() holds no frame-*.png of its own (./frames, the default, may: capture would refuse it first).
    const missing = tsIpa('capture', '--camera', '/dev/media99', '--out', path.join(os.tmpdir(), `ts-ipa-none-${process.pid}`));
    expect([missing.status, missing.stderr]).toEqual([3, 'ts-ipa capture: /dev/media99: cannot open (no such device)\n']);
    const notMedia = tsIpa('capture', '--camera', '/dev/null', '--out', path.join(os.tmpdir(), `ts-ipa-none-${process.pid}`));
    expect([notMedia.status, notMedia.stderr]).toEqual([3, 'ts-ipa capture: /dev/null: MEDIA_IOC_DEVICE_INFO: Inappropriate ioctl for device: not a media device\n']);
    const format = tsIpa('capture', '--format', 'YUYV');
    expect([format.status, format.stderr]).toEqual([5, 'ts-ipa capture: --format YUYV: this camera gives BGR888 or RGB888\n']);
    const size = tsIpa('capture', '--size', 'large');
    expect([size.status, size.stderr]).toEqual([2, 'ts-ipa capture: --size large: give WIDTHxHEIGHT, e.g. 640x480\n']);
  });

  it('lists the simulated camera with its entities and formats', () => {
    const result = tsIpa('list');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('0: VIMC MDEV (simulated) at simulated:/dev/media0  [SIMULATED: no vimc device on this machine]');
    expect(result.stdout).toMatch(/RGB\/YUV Capture\s+video node\s+simulated:\/dev\/video2/);
    expect(result.stdout).toMatch(/RGB3 {2}24-bit RGB 8-8-8\s+16x16\.\.4096x2160/);
    expect(result.stdout).toContain('1: rkisp1 (simulated) at simulated:/dev/media1  [SIMULATED: no rkisp1 device on this machine]');
    expect(result.stdout).toMatch(/formats \(rkisp1_mainpath\):\n(.*\n)*\s+NV12  Y\/UV 4:2:0\s+32x16\.\.4416x3312/);
  });
});

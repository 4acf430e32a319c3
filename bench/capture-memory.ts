/**
 * What `ts-ipa capture` holds: its peak RSS for a short and a long capture at 1080p, which should
 * be the same, since frames are written as they arrive and the frames waiting for the writer are
 * bounded. The anchor is the short capture, measured in the same run.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface CaptureMemoryRow {
  suite: 'capture-memory';
  frames: number;
  size: string;
  peakRssMiB: number;
  dropped: number;
}

const cli = path.join(__dirname, '../cli/main.js');

export function captureMemory(frames: number, size = '1920x1080'): CaptureMemoryRow {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'ts-ipa-bench-capture-'));
  try {
    // The peak RSS of the capture's own process (not its IPA worker), printed as it exits.
    const report = `process.on('exit', () => process.stderr.write('peak-rss ' + process.resourceUsage().maxRSS + '\\n'))`;
    const run = spawnSync(process.execPath, ['--import', `data:text/javascript,${encodeURIComponent(report)}`, cli, 'capture', '--camera', 'simulated', '--frames', String(frames), '--size', size, '--out', out], { encoding: 'utf8' });
    const peak = /peak-rss (\d+)/.exec(run.stderr);
    if (run.status !== 0 || !peak) throw new Error(`ts-ipa capture --frames ${frames} failed (${run.status}): ${run.stderr.trim()}`);
    const dropped = Number(/dropped frames\s+(\d+)/.exec(run.stdout)?.[1] ?? NaN);
    return { suite: 'capture-memory', frames, size, peakRssMiB: Number(peak[1]) / 1024, dropped };
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
}

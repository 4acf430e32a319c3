/** `ts-ipa capture`: frames from a camera to PNG files, with the IPA where the user says. */
import fs from 'node:fs';
import path from 'node:path';
import { SingleBar, Presets } from 'cli-progress';
import type { Isolation } from '../runtime';
import { isPixelFormatName, PixelFormats, type PixelFormatName } from '../runtime/v4l2';
import type { Camera, Frame } from '../camera/camera';
import { platformFor, type Platform } from '../platforms';
import { findCameras, openMediaGraph, simulatedPlatform } from './cameras';
import { UnsupportedError, UsageError } from './errors';
import { FrameWriter } from './frame-writer';
import { writableDirOrAncestor } from './out-dir';

export interface CaptureOptions {
  camera?: string;
  frames: number;
  size: { width: number; height: number };
  /** The camera's default when not given. */
  format?: PixelFormatName;
  isolation: Isolation;
  out: string;
  /** Remove the frame-*.png files an earlier capture left in `out`, instead of refusing to mix with them. */
  overwrite?: boolean;
  /** The simulated camera's frame rate. */
  frameRate?: number;
}

export interface CaptureSummary {
  camera: string;
  simulated: boolean;
  frames: number;
  fps: number;
  dropped: number;
  ipaP50Us: number;
  ipaP99Us: number;
  files: string[];
}

/** About nine hours at 30 fps: what a capture's summary keeps per frame stays small. */
export const MAX_FRAMES = 1_000_000;

export function parseCaptureOptions(values: Record<string, string | string[] | boolean | undefined>): CaptureOptions {
  const framesText = String(values.frames ?? 30);
  const frames = /^\d+$/.test(framesText) ? Number(framesText) : NaN;
  if (!(frames >= 1 && frames <= MAX_FRAMES)) throw new UsageError(`--frames ${framesText}: give a whole number of frames, 1 to ${MAX_FRAMES}`);
  const size = /^(\d+)x(\d+)$/.exec(String(values.size ?? '640x480'));
  if (!size) throw new UsageError(`--size ${values.size}: give WIDTHxHEIGHT, e.g. 640x480`);
  const format = values.format === undefined ? undefined : String(values.format);
  if (format !== undefined && !isPixelFormatName(format)) throw new UnsupportedError(`--format ${format}: no camera gives it (the formats known are ${Object.keys(PixelFormats).join(', ')})`);
  const out = String(values.out ?? 'frames');
  if (out === '') throw new UsageError('--out: give a directory');
  const isolation = String(values.isolation ?? 'process');
  if (!['direct', 'thread', 'process'].includes(isolation)) throw new UsageError(`--isolation ${isolation}: give direct, thread or process`);
  return {
    camera: values.camera === undefined ? undefined : String(values.camera),
    frames, size: { width: Number(size[1]), height: Number(size[2]) }, format, isolation: isolation as Isolation,
    out, overwrite: values.overwrite === true,
  };
}

/** frame-0000.png and on: what a capture writes, and what an earlier one may have left. */
const FRAME_FILE = /^frame-\d+\.png$/;

/**
 * Checks `--out` before the camera is opened, so that a capture does not end in a failure to
 * write: the directory (or its nearest existing ancestor, for one to be made) must be a directory
 * that can be written, and must not hold an earlier capture's frames, which the new ones would
 * mix with. With `overwrite`, those are returned, to be removed once the camera is configured:
 * a capture that cannot start leaves the earlier one as it was.
 */
export function checkOutDir(out: string, overwrite: boolean): string[] {
  const existing = writableDirOrAncestor('--out', out);
  if (existing !== path.resolve(out)) return [];
  const old = fs.readdirSync(existing).filter((name) => FRAME_FILE.test(name));
  if (old.length > 0 && !overwrite) throw new UsageError(`--out ${out}: holds ${old.length} frame-*.png files from an earlier capture: give another --out, or --overwrite to remove them first`);
  return old.map((name) => path.join(existing, name));
}

/** A format the user asked for must be one the camera gives, not one its validation would swap. */
function checkFormat(platform: Platform, format: PixelFormatName | undefined): void {
  if (format !== undefined && !platform.pixelFormats.includes(format)) throw new UnsupportedError(`--format ${format}: this camera gives ${platform.pixelFormats.join(' or ')}`);
}

export async function capture(options: CaptureOptions, log: (line: string) => void): Promise<CaptureSummary> {
  const entry = options.camera ?? findCameras()[0]!;
  // A simulated camera's platform is known before anything is opened; a device's once it is.
  const simulated = simulatedPlatform(entry);
  if (simulated) checkFormat(simulated, options.format);
  const earlierFrames = checkOutDir(options.out, options.overwrite === true);
  const media = openMediaGraph(entry, { frameRate: options.frameRate });
  let platform;
  try {
    platform = platformFor(media);
    checkFormat(platform, options.format);
  } catch (error) {
    media.close();
    throw error;
  }
  log(media.simulated
    ? `Camera: ${media.info.model} at ${media.path} — SIMULATED: no ${platform.name} device on this machine`
    : `Camera: ${media.info.model} at ${media.path} (${media.info.driver})`);
  const camera = await platform.open(media, { isolation: options.isolation });
  try {
    const config = camera.generateConfiguration();
    if (options.format) config.pixelFormat = options.format;
    config.size = { ...options.size };
    if (camera.validate(config) === 'adjusted') log(`Adjusted the configuration to ${config.pixelFormat} ${config.size.width}x${config.size.height}`);
    await camera.configure(config);
    log(`Capturing ${options.frames} frames, ${config.pixelFormat} ${config.size.width}x${config.size.height}, IPA in ${options.isolation} mode`);
    for (const file of earlierFrames) fs.rmSync(file, { force: true });
    fs.mkdirSync(options.out, { recursive: true });
    const writer = new FrameWriter();
    let captured: Captured[];
    try {
      await camera.start();
      captured = await captureFrames(camera, options.frames, config.bufferCount, writer, options.out);
      await camera.stop();
    } catch (error) {
      await writer.close();
      throw error;
    }
    const files = await writer.finish();
    return summarise(camera, media.simulated, captured, files);
  } finally {
    await camera.close();
  }
}

interface Captured {
  sequence: number;
  timestamp: bigint;
  ipaRoundTripUs: number;
}

/**
 * vimc starts streaming only once this many buffers are queued (the driver's min_queued_buffers,
 * which the simulation models): fewer requests in flight would wait for a frame that never comes.
 * Other cameras keep as many in flight as they have buffers (rkisp1: four), which is more.
 */
const MIN_IN_FLIGHT = 2;

/**
 * Keeps every buffer busy until `count` frames are in, with as many requests in flight as there
 * are buffers (at least MIN_IN_FLIGHT): each lane submits its next request once its frame is
 * handed on. Each frame is copied out, its buffer given back at once and the copy handed to the
 * writer, which keeps a bounded number of copies. The frames past `count` (when it is below
 * MIN_IN_FLIGHT) are given back unwritten.
 */
async function captureFrames(camera: Camera, count: number, buffers: number, writer: FrameWriter, out: string): Promise<Captured[]> {
  const captured: Captured[] = [];
  const progress = progressBar('capture', count);
  const requests = Math.max(count, MIN_IN_FLIGHT);
  let submitted = 0;
  let failed = false;
  const keep = async (frame: Frame<unknown>) => {
    // Requests complete in the order they were queued, so the first `count` to arrive are the
    // first by sequence, even when the device's sequence skips (a dropped frame).
    if (captured.length === count) return frame.release();
    captured.push({ sequence: frame.sequence, timestamp: frame.timestamp, ipaRoundTripUs: frame.ipaRoundTripUs });
    try {
      await writer.reserve(frame.data.byteLength);
      const picture = { width: frame.width, height: frame.height, stride: frame.stride, pixelFormat: frame.pixelFormat, data: frame.data.slice() };
      writer.write(path.join(out, `frame-${String(frame.sequence).padStart(4, '0')}.png`), picture);
    } finally {
      frame.release();
    }
    progress.increment();
  };
  const lane = async () => {
    while (!failed && submitted < requests) {
      submitted++;
      await camera.capture().then(keep);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(requests, Math.max(buffers, MIN_IN_FLIGHT)) }, () => lane().catch((error) => {
      failed = true;
      throw error;
    })));
  } finally {
    progress.stop();
  }
  return captured;
}

function summarise(camera: Camera, simulated: boolean, frames: Captured[], files: string[]): CaptureSummary {
  const intervals = frames.slice(1).map((f, i) => Number(f.timestamp - frames[i]!.timestamp));
  const typical = percentile([...intervals].sort((a, b) => a - b), 50);
  // A frame the sensor made while no buffer waited shows as a gap of two or more intervals.
  const dropped = intervals.reduce((n, gap) => n + Math.max(0, Math.round(gap / typical) - 1), 0);
  const span = Number(frames[frames.length - 1]!.timestamp - frames[0]!.timestamp) / 1e9;
  const trips = frames.map((f) => f.ipaRoundTripUs).sort((a, b) => a - b);
  return {
    camera: camera.id, simulated, frames: frames.length, fps: span > 0 ? (frames.length - 1) / span : 0, dropped: typical > 0 ? dropped : 0,
    ipaP50Us: percentile(trips, 50), ipaP99Us: percentile(trips, 99), files,
  };
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** A progress bar on a terminal; silent when the output is a pipe or a file. */
function progressBar(label: string, total: number): { increment(): void; stop(): void } {
  if (!process.stderr.isTTY) return { increment() {}, stop() {} };
  const bar = new SingleBar({ format: `${label.padEnd(10)} [{bar}] {value}/{total}`, stream: process.stderr, hideCursor: true }, Presets.shades_classic);
  bar.start(total, 0);
  return { increment: () => bar.increment(), stop: () => bar.stop() };
}

export function summaryTable(s: CaptureSummary): string {
  const rows: [string, string][] = [
    ['camera', `${s.camera}${s.simulated ? ' (simulated)' : ''}`],
    ['frames', String(s.frames)],
    ['fps', s.fps.toFixed(1)],
    ['dropped frames', String(s.dropped)],
    ['IPA round trip p50', `${s.ipaP50Us.toFixed(0)} µs`],
    ['IPA round trip p99', `${s.ipaP99Us.toFixed(0)} µs`],
    ['written', s.files.length ? `${s.files.length} PNG files in ${path.dirname(s.files[0]!)}` : 'nothing'],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`).join('\n');
}

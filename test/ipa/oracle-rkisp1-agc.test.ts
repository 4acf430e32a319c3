/**
 * Cross-check of Histogram, Pwl, CameraSensorHelper, ExposureModeHelper and AgcMeanLuminance
 * against the real C++ rkisp1 IPA recorded in the oracle traces: a minimal stand-in for rkisp1's
 * Agc (its estimateLuminance, histogram and limits as in src/ipa/rkisp1/algorithms/agc.cpp of
 * libcamera v0.7.1) drives the ports, and every exposure and gain code the real IPA sent must
 * come out the same. This is not the rkisp1 IPA port; it only replays the AGC's arithmetic.
 */
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AgcMeanLuminance } from '../../dist/ipa/agc-mean-luminance.js';
import { createCameraSensorHelper } from '../../dist/ipa/camera-sensor-helper.js';
import { lineDurationFromPixelRate, microseconds, milliseconds } from '../../dist/ipa/duration.js';
import { Histogram } from '../../dist/ipa/histogram.js';
import { itFindsTheTraces, oracleDir } from '../oracle';

const TRACES = ['rkisp1-a-neutral.json', 'rkisp1-b-warm.json'];
const dir = oracleDir(TRACES) ?? '';
const traces = dir ? TRACES : [];
itFindsTheTraces(TRACES);

const EXPOSURE = '9963793';
const ANALOGUE_GAIN = '10356995';

/** rkisp1's Agc::estimateLuminance: weighted mean of the AE cells, each saturated at 255. */
class Rkisp1LikeAgc extends AgcMeanLuminance {
  expMeans: number[] = [];
  weights: number[] = [];
  protected override estimateLuminance(gain: number): number {
    let ySum = 0;
    let wSum = 0;
    for (let i = 0; i < this.expMeans.length; i++) {
      const w = this.weights[i]!;
      ySum += Math.min(this.expMeans[i]! * gain, 255.0) * w;
      wSum += w;
    }
    return ySum / wSum / 255;
  }
}

describe.skipIf(traces.length === 0)('the libipa ports against the rkisp1 oracle traces', () => {
  for (const file of traces) {
    it(`send the exposure and gain codes the real IPA sent (${file})`, () => {
      const trace = JSON.parse(fs.readFileSync(`${dir}/${file}`, 'utf8'));
      const init = trace.setup.init.args;
      expect(trace.setup.init.args.hwRevision).toBe(10);
      const info = init.sensorInfo;
      const expCtl = init.sensorControls[EXPOSURE];
      const gainCtl = init.sensorControls[ANALOGUE_GAIN];
      const vblankCtl = init.sensorControls['10356993'];
      const hblankCtl = init.sensorControls['10356994'];

      const helper = createCameraSensorHelper(info.model)!;
      // minLineLength * 1.0s / pixelRate, in long double as the C++.
      const lineDuration = lineDurationFromPixelRate(info.minLineLength, info.pixelRate);
      const minExposureTime = expCtl.min * lineDuration;
      const maxExposureTime = expCtl.max * lineDuration;
      const minGain = helper.gain(gainCtl.min);
      const maxGain = helper.gain(gainCtl.max);
      // FrameDurationLimits max: (width + hblank) * (vblank max + height) / (pixelRate / 1e6), in us.
      const lineLength = info.outputSize.width + hblankCtl.def;
      const maxFrameDuration = microseconds(
        Math.trunc((lineLength * (vblankCtl.max + info.outputSize.height)) / Math.trunc(info.pixelRate / 1e6)),
      );

      const agc = new Rkisp1LikeAgc();
      agc.parseTuningData(null); // uncalibrated.yaml: `Agc:`
      agc.configure(lineDuration, helper);
      agc.resetFrameCount();
      // Agc::configure: 10 ms, minimum gain.
      let active = { exposure: Math.trunc(milliseconds(10) / lineDuration) >>> 0, gain: minGain };
      const prepared = new Map<number, { exposure: number; gain: number }>();

      let checked = 0;
      for (const call of trace.calls) {
        if (call.call === 'computeParams') prepared.set(call.frame, { ...active });
        if (call.call !== 'processStats') continue;

        const bytes = Buffer.from(call.stats.hex, 'hex');
        // rkisp1_stat_buffer: meas_type, frame_id, awb (8), ae.exp_mean at 16, hist_bins at 132.
        expect(bytes.readUInt32LE(0) & 0b1010).toBe(0b1010);
        agc.expMeans = [...bytes.subarray(16, 16 + 25)];
        agc.weights = new Array(25).fill(1);
        const bins = Array.from({ length: 16 }, (_, i) => bytes.readUInt32LE(132 + 4 * i));
        const hist = new Histogram(bins, (x) => x >>> 4);

        const maxTime = Math.min(Math.max(maxFrameDuration, minExposureTime), maxExposureTime);
        agc.setLimits(minExposureTime, maxTime, minGain, maxGain, []);
        const sensorExposure = call.args.sensorControls[EXPOSURE].value;
        const sensorGain = helper.gain(call.args.sensorControls[ANALOGUE_GAIN].value);
        const effective = lineDuration * sensorExposure * sensorGain;
        agc.setExposureCompensation(2 ** 0);
        agc.setLux(0);
        const split = agc.calculateNewEv(0, 0, hist, effective);

        const sent = call.events.find((e: { event: string }) => e.event === 'setSensorControls');
        const mine = prepared.get(call.frame)!;
        expect({ frame: call.frame, exposure: sent.args.sensorControls[EXPOSURE].value, gain: sent.args.sensorControls[ANALOGUE_GAIN].value }).toEqual({
          frame: call.frame,
          exposure: mine.exposure,
          gain: helper.gainCode(mine.gain),
        });
        checked++;
        active = { exposure: Math.trunc(split.exposureTime / lineDuration) >>> 0, gain: split.gain };
      }
      expect(checked).toBe(trace.calls.filter((c: { call: string }) => c.call === 'processStats').length);
      expect(checked).toBeGreaterThan(50);
    });
  }
});

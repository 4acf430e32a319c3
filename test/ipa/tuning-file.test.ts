/** libipa's tuning-file reader: libcamera's YAML files as they ship, and the errno of a failure. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseTuningYaml, readTuningFile, TuningFileError } from '../../dist/ipa/index.js';

const UNCALIBRATED = '# SPDX-License-Identifier: CC0-1.0\n%YAML 1.1\n---\nversion: 1\nalgorithms:\n  - Agc:\n  - Awb:\n  - BlackLevelCorrection:\n...\n';

describe('readTuningFile', () => {
  it("reads rkisp1's uncalibrated.yaml (a %YAML 1.1 directive, empty algorithm entries, a document end)", () => {
    expect(parseTuningYaml(UNCALIBRATED)).toEqual({ version: 1, algorithms: [{ Agc: null }, { Awb: null }, { BlackLevelCorrection: null }] });
  });

  it('gives the errno an IPA returns: -ENOENT for a missing file, -EINVAL for text that is not YAML', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tuning-file-'));
    try {
      const missing = path.join(dir, 'missing.yaml');
      expect(() => readTuningFile(missing)).toThrow(TuningFileError);
      try { readTuningFile(missing); } catch (e) { expect((e as TuningFileError).errno).toBe(-2); }
      const bad = path.join(dir, 'bad.yaml');
      fs.writeFileSync(bad, 'a: [1, 2\n');
      try { readTuningFile(bad); expect.unreachable(); } catch (e) { expect((e as TuningFileError).errno).toBe(-22); }
      const good = path.join(dir, 'good.yaml');
      fs.writeFileSync(good, UNCALIBRATED);
      expect(readTuningFile(good)).toEqual(parseTuningYaml(UNCALIBRATED));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

/**
 * The traces recorded from libcamera's own C++ IPAs (../shared/reference/oracle, its README the
 * format). Tests that replay them fail, naming where they looked, when they are absent: a
 * missing trace is a check not made, not a check passed.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { root } from './support';

const candidates = [process.env.TS_IPA_ORACLE_DIR, path.join(root, '../shared/reference/oracle'), '/work/shared/reference/oracle'].filter(Boolean) as string[];

/** The directory holding every one of `traces`, if one does. */
export function oracleDir(traces: readonly string[]): string | undefined {
  return candidates.find((dir) => traces.every((t) => fs.existsSync(path.join(dir, t))));
}

/** A test that fails when `traces` are not found, so that a suite run without them is red. */
export function itFindsTheTraces(traces: readonly string[]): void {
  it(`finds the oracle traces (${traces.join(', ')})`, () => {
    expect(oracleDir(traces), `not found in ${candidates.join(', ')}: set TS_IPA_ORACLE_DIR to the traces' directory`).toBeDefined();
  });
}

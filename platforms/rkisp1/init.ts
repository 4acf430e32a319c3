/**
 * What the rkisp1 IPA is told at init, found as libcamera's rkisp1 pipeline finds it (the ISP's
 * revision, the parameter blocks its driver takes, the tuning file), and the check on the
 * sensor controls the IPA asks for.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { ControlInfoMap, ControlList } from '../../runtime';
import type { MediaGraph, VideoDevice } from '../../runtime/v4l2';
import type { DelayedControls } from '../../camera/delayed-controls';
import { CameraError } from '../../camera/errors';
import { IspVersion } from './uapi';

/** RKISP1_CID_SUPPORTED_PARAMS_BLOCKS (V4L2_CID_USER_RKISP1_BASE + 1): the parameters node's bitmask of blocks. */
export const RKISP1_CID_SUPPORTED_PARAMS_BLOCKS = 0x00981b21;
/** What libcamera assumes a driver without the control takes: the first extensible series, blocks 0 to 19. */
export const DEFAULT_EXT_PARAMS_BLOCKS = 0xfffff;

/** Where the package keeps the rkisp1 tuning files, beside the IPA module that reads them. */
export const TUNING_DIR = path.join(__dirname, 'ipa', 'data');

/**
 * The media device's hardware revision, the ISP's version. A simulated graph that gives none is
 * the V10 ISP it models; a driver that gives none is older than libcamera supports (v5.11).
 */
export function hardwareRevision(media: MediaGraph): number {
  const revision = media.info.hwRevision ?? (media.simulated ? IspVersion.V10 : 0);
  if (!revision) throw new CameraError(`${media.path}: the rkisp1 driver gives no hardware revision (it is older than v5.11, which libcamera needs)`);
  return revision;
}

export function supportedBlocks(params: VideoDevice): number {
  if (!params.controls().some((c) => c.id === RKISP1_CID_SUPPORTED_PARAMS_BLOCKS)) return DEFAULT_EXT_PARAMS_BLOCKS;
  return Number(params.getControls([RKISP1_CID_SUPPORTED_PARAMS_BLOCKS])[0]) >>> 0;
}

/**
 * libcamera's choice (IPAProxy::configurationFile(model + ".yaml", "uncalibrated.yaml")): the
 * sensor's own tuning if the package has one, else the uncalibrated one.
 */
export function tuningFile(model: string, dir = TUNING_DIR): string {
  const own = path.join(dir, `${model}.yaml`);
  return fs.existsSync(own) ? own : path.join(dir, 'uncalibrated.yaml');
}

/**
 * Why the sensor controls the IPA asks for are refused, or undefined: each must be one
 * DelayedControls handles and the sensor has, with a 32-bit integer value. A value outside the
 * control's range is not refused: the driver clamps it, as libcamera relies on (its rkisp1 IPA
 * computes VBLANK against the sensor's mode at init, negative for a smaller mode configured later).
 */
export function checkSensorControls(list: ControlList, ranges: ControlInfoMap, delayed: Pick<DelayedControls, 'handles'>): string | undefined {
  for (const [id, value] of list) {
    const name = `0x${id.toString(16)}`;
    if (!ranges.get(id) || !delayed.handles(id)) return `names control ${name}, which the sensor lacks or libcamera does not delay`;
    if (value.isArray || typeof value.value !== 'number' || !Number.isInteger(value.value) || Math.abs(value.value) > 0x7fffffff) {
      return `gives control ${name} a value that is not a 32-bit integer`;
    }
  }
  return undefined;
}

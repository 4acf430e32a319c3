/**
 * The vimc IPA's parameters buffer, shared by the IPA (which writes it) and the pipeline handler
 * (which applies it): a slot per capture buffer, as an ISP's parameter buffers would be.
 */

/** The IPA buffer id of the parameters buffer; capture buffers are 1..N. */
export const PARAMS_BUFFER_ID = 0x10000;
export const PARAMS_SLOT_BYTES = 32;
export const PARAMS_SLOTS = 32;
export const PARAMS_BUFFER_BYTES = PARAMS_SLOT_BYTES * PARAMS_SLOTS;

/** What the IPA decided for one frame. */
export interface FrameParams {
  frame: number;
  /** V4L2 values for the sensor's Brightness, Contrast and Saturation controls. */
  brightness: number;
  contrast: number;
  saturation: number;
  /** Mean R, G, B of what the capture buffer held before this frame, when it held a frame. */
  previousMean: [number, number, number] | undefined;
}

export function writeParams(buffer: Uint8Array, bufferId: number, p: FrameParams): void {
  const view = slot(buffer, bufferId);
  view.setUint32(0, p.frame, true);
  view.setInt32(4, p.brightness, true);
  view.setInt32(8, p.contrast, true);
  view.setInt32(12, p.saturation, true);
  view.setUint32(16, p.previousMean ? 1 : 0, true);
  const mean = p.previousMean ?? [0, 0, 0];
  for (let c = 0; c < 3; c++) view.setFloat32(20 + c * 4, mean[c]!, true);
}

export function readParams(buffer: Uint8Array, bufferId: number): FrameParams {
  const view = slot(buffer, bufferId);
  const hasMean = view.getUint32(16, true) === 1;
  return {
    frame: view.getUint32(0, true),
    brightness: view.getInt32(4, true),
    contrast: view.getInt32(8, true),
    saturation: view.getInt32(12, true),
    previousMean: hasMean ? [view.getFloat32(20, true), view.getFloat32(24, true), view.getFloat32(28, true)] : undefined,
  };
}

function slot(buffer: Uint8Array, bufferId: number): DataView {
  if (bufferId < 1 || bufferId > PARAMS_SLOTS) throw new RangeError(`no parameters slot for buffer ${bufferId}`);
  return new DataView(buffer.buffer, buffer.byteOffset + (bufferId - 1) * PARAMS_SLOT_BYTES, PARAMS_SLOT_BYTES);
}

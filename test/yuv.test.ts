/** The PNG writer's YUV conversions (an ISP's NV12 and YUYV, sYCC: full-range BT.601). */
import { describe, expect, it } from 'vitest';
import { nv12ToRgb, yuyvToRgb } from '../dist/cli/yuv.js';

// sRGB red (254 after rounding to 8 bits) and a grey as full-range BT.601 Y, Cb, Cr.
const RED = [76, 85, 255];
const GREY = [128, 128, 128];

describe('YUV to RGB', () => {
  it('NV12: a luma plane, then Cb Cr pairs shared by 2x2 pixels, rows `stride` apart', () => {
    // 4x2 pixels, stride 6: left pair red, right pair grey.
    const data = new Uint8Array(6 * 2 + 6);
    data.set([RED[0]!, RED[0]!, GREY[0]!, GREY[0]!], 0);
    data.set([RED[0]!, RED[0]!, GREY[0]!, GREY[0]!], 6);
    data.set([RED[1]!, RED[2]!, GREY[1]!, GREY[2]!], 12);
    const rgb = new Uint8Array(4 * 2 * 3);
    nv12ToRgb({ width: 4, height: 2, stride: 6, pixelFormat: 'NV12', data }, rgb);
    expect([...rgb.subarray(0, 3)]).toEqual([254, 0, 0]);
    expect([...rgb.subarray(9, 12)]).toEqual([128, 128, 128]);
    expect([...rgb.subarray(12, 15)]).toEqual([254, 0, 0]);
  });

  it('YUYV: Y0 Cb Y1 Cr per pair of pixels', () => {
    const data = new Uint8Array([RED[0]!, RED[1]!, GREY[0]!, RED[2]!, GREY[0]!, GREY[1]!, GREY[0]!, GREY[2]!]);
    const rgb = new Uint8Array(4 * 3);
    yuyvToRgb({ width: 4, height: 1, stride: 8, pixelFormat: 'YUYV', data }, rgb);
    expect([...rgb.subarray(0, 3)]).toEqual([254, 0, 0]);
    // Its pair's chroma, with its own luma: a redder grey.
    expect(rgb[3]! > rgb[4]!).toBe(true);
    expect([...rgb.subarray(6, 12)]).toEqual([128, 128, 128, 128, 128, 128]);
  });
});

/** V4L2 and media controller numbers from the kernel's uapi headers, for those ts-ipa uses. */

export const BufferType = { VideoCapture: 1, VideoCaptureMplane: 9, MetaCapture: 13, MetaOutput: 14 } as const;
export const Memory = { Mmap: 1, Dmabuf: 4 } as const;
export const FormatWhich = { Try: 0, Active: 1 } as const;
export const SelectionTarget = { Crop: 0, CropBounds: 2 } as const;
export const Colorspace = { Default: 0, Srgb: 8 } as const;

export const Capability = {
  VideoCapture: 0x00000001,
  VideoCaptureMplane: 0x00001000,
  MetaCapture: 0x00800000,
  Streaming: 0x04000000,
  MetaOutput: 0x08000000,
  IoMc: 0x20000000,
} as const;

export const EntityFunction = {
  IoV4l: 0x00010001,
  CamSensor: 0x00020001,
  Lens: 0x00020003,
  ProcVideoPixelFormatter: 0x00004001,
  ProcVideoPixelEncConv: 0x00004003,
  ProcVideoScaler: 0x00004005,
  VidIfBridge: 0x00005002,
} as const;

/** Sub-device events (V4L2_EVENT_*). */
export const EventType = { Ctrl: 3, FrameSync: 4 } as const;

export const PadFlag = { Sink: 1, Source: 2 } as const;
export const LinkFlag = { Enabled: 1, Immutable: 2, TypeMask: 0xf0000000, DataLink: 0, InterfaceLink: 0x10000000 } as const;
export const InterfaceType = { V4lVideo: 0x200, V4lSubdev: 0x203 } as const;

/** Media bus codes. */
export const MbusCode = {
  RGB888_1X24: 0x100a,
  BGR888_1X24: 0x1013,
  SBGGR8_1X8: 0x3001,
  SGRBG8_1X8: 0x3002,
  SGBRG8_1X8: 0x3013,
  SRGGB8_1X8: 0x3014,
  SBGGR10_1X10: 0x3007,
  SGRBG10_1X10: 0x300a,
  SGBRG10_1X10: 0x300e,
  SRGGB10_1X10: 0x300f,
  YUYV8_1_5X8: 0x2004,
  YUYV8_2X8: 0x2008,
  METADATA_FIXED: 0x7001,
} as const;

/** The V4L2 control ids ts-ipa sets. */
export const V4L2Cid = {
  Brightness: 0x00980900,
  Contrast: 0x00980901,
  Saturation: 0x00980902,
  Hue: 0x00980903,
  HFlip: 0x00980914,
  VFlip: 0x00980915,
  /** vimc's own controls: the sensor's pattern, and counters drawn over the picture unless 2 ("None"). */
  VimcTestPattern: 0x00f0f000,
  VimcShowInformation: 0x00f0f002,
} as const;

export const ControlType = {
  Integer: 1, Boolean: 2, Menu: 3, Button: 4, Integer64: 5, String: 7, Bitmask: 8, IntegerMenu: 9,
} as const;

/** A four-character code as V4L2 packs it (first character in the low byte). */
export function fourcc(code: string): number {
  if (code.length !== 4) throw new RangeError(`a fourcc has 4 characters, not '${code}'`);
  return (code.charCodeAt(0) | (code.charCodeAt(1) << 8) | (code.charCodeAt(2) << 16) | (code.charCodeAt(3) << 24)) >>> 0;
}

export function fourccName(value: number): string {
  return String.fromCharCode(value & 0xff, (value >> 8) & 0xff, (value >> 16) & 0xff, (value >>> 24) & 0xff);
}

/**
 * Pixel formats by libcamera's names, which describe a little-endian word: `BGR888` is stored R, G,
 * B in memory (V4L2's RGB24, 'RGB3'). The YUV ones (an ISP's output) keep their luma and chroma as
 * `memoryOrder` says: NV12 a plane of Y then one of interleaved Cb Cr at half resolution, YUYV
 * Y0 Cb Y1 Cr for each pair of pixels; `bytesPerPixel` is the first plane's, `mbusCode` the one a
 * resizer gives for it (4:2:0 or 4:2:2).
 */
export const PixelFormats = {
  BGR888: { fourcc: fourcc('RGB3'), mbusCode: MbusCode.RGB888_1X24, bytesPerPixel: 3, memoryOrder: 'RGB' },
  RGB888: { fourcc: fourcc('BGR3'), mbusCode: MbusCode.BGR888_1X24, bytesPerPixel: 3, memoryOrder: 'BGR' },
  NV12: { fourcc: fourcc('NV12'), mbusCode: MbusCode.YUYV8_1_5X8, bytesPerPixel: 1, memoryOrder: 'NV12' },
  YUYV: { fourcc: fourcc('YUYV'), mbusCode: MbusCode.YUYV8_2X8, bytesPerPixel: 2, memoryOrder: 'YUYV' },
} as const;

export type PixelFormatName = keyof typeof PixelFormats;

export function isPixelFormatName(name: string): name is PixelFormatName {
  return Object.prototype.hasOwnProperty.call(PixelFormats, name);
}

/**
 * The rkisp1 driver's media graph on an RK3399 (ISP V10, with the internal MIPI CSI-2 receiver)
 * with one IMX219 on its CSI port, as drivers/media/platform/rockchip/rkisp1 creates it: entity
 * names, pads, links and their flags, node kinds and formats.
 */
import { Capability, EntityFunction, fourcc, LinkFlag, MbusCode, PadFlag } from '../../../runtime/v4l2';
import type { MediaTopology } from '../../../camera/simulated/media-graph';
import type { MetaNodeRules } from '../../../camera/simulated/meta-device';
import type { CaptureFormatInfo, VideoNodeRules } from '../../../camera/simulated/video-device';
import { EXT_PARAMS_BUFFER_SIZE, IspVersion, LEGACY_PARAMS_SIZE, STAT_BUFFER_SIZE, V4L2_META_FMT_RK_ISP1_EXT_PARAMS, V4L2_META_FMT_RK_ISP1_PARAMS, V4L2_META_FMT_RK_ISP1_STAT_3A } from '../uapi';

export const SENSOR = 'imx219 1-0010';
export const CSI = 'rkisp1_csi';
export const ISP = 'rkisp1_isp';
export const RESIZER_MAIN = 'rkisp1_resizer_mainpath';
export const RESIZER_SELF = 'rkisp1_resizer_selfpath';
export const MAINPATH = 'rkisp1_mainpath';
export const SELFPATH = 'rkisp1_selfpath';
export const STATS = 'rkisp1_stats';
export const PARAMS = 'rkisp1_params';

/** enum rkisp1_isp_pad. */
export const IspPad = { SinkVideo: 0, SinkParams: 1, SourceVideo: 2, SourceStats: 3 } as const;

export const ISP_VERSION = IspVersion.V10;

const ENTITIES: MediaTopology['entities'] = [
  { name: ISP, function: EntityFunction.ProcVideoPixelFormatter, pads: [PadFlag.Sink, PadFlag.Sink, PadFlag.Source, PadFlag.Source] },
  { name: RESIZER_MAIN, function: EntityFunction.ProcVideoScaler, pads: [PadFlag.Sink, PadFlag.Source] },
  { name: RESIZER_SELF, function: EntityFunction.ProcVideoScaler, pads: [PadFlag.Sink, PadFlag.Source] },
  { name: MAINPATH, function: EntityFunction.IoV4l, pads: [PadFlag.Sink] },
  { name: SELFPATH, function: EntityFunction.IoV4l, pads: [PadFlag.Sink] },
  { name: STATS, function: EntityFunction.IoV4l, pads: [PadFlag.Sink] },
  { name: PARAMS, function: EntityFunction.IoV4l, pads: [PadFlag.Source] },
  { name: CSI, function: EntityFunction.VidIfBridge, pads: [PadFlag.Sink, PadFlag.Source] },
  { name: SENSOR, function: EntityFunction.CamSensor, pads: [PadFlag.Source] },
];

const FIXED = LinkFlag.Enabled | LinkFlag.Immutable;

/**
 * rkisp1_create_links, and the sensor's link to the CSI receiver (rkisp1_csi_link_sensor: enabled
 * for the first sensor, mutable).
 */
const LINKS: MediaTopology['links'] = [
  { source: [CSI, 1], sink: [ISP, IspPad.SinkVideo], flags: LinkFlag.Enabled },
  { source: [ISP, IspPad.SourceVideo], sink: [RESIZER_MAIN, 0], flags: LinkFlag.Enabled },
  { source: [RESIZER_MAIN, 1], sink: [MAINPATH, 0], flags: FIXED },
  { source: [ISP, IspPad.SourceVideo], sink: [RESIZER_SELF, 0], flags: LinkFlag.Enabled },
  { source: [RESIZER_SELF, 1], sink: [SELFPATH, 0], flags: FIXED },
  { source: [PARAMS, 0], sink: [ISP, IspPad.SinkParams], flags: FIXED },
  { source: [ISP, IspPad.SourceStats], sink: [STATS, 0], flags: FIXED },
  { source: [SENSOR, 0], sink: [CSI, 0], flags: LinkFlag.Enabled },
];

/**
 * Nodes in the driver's registration order, numbered after the simulated vimc's (video0-2,
 * v4l-subdev0-7) so that no two simulated nodes share a path.
 */
const DEVNODES: Record<string, string> = {
  [MAINPATH]: 'video3', [SELFPATH]: 'video4', [STATS]: 'video5', [PARAMS]: 'video6',
  [ISP]: 'v4l-subdev8', [RESIZER_MAIN]: 'v4l-subdev9', [RESIZER_SELF]: 'v4l-subdev10', [CSI]: 'v4l-subdev11', [SENSOR]: 'v4l-subdev12',
};

export const TOPOLOGY: MediaTopology = { entities: ENTITIES, links: LINKS, devnodes: DEVNODES };

export const BAYER_10: readonly number[] = [MbusCode.SRGGB10_1X10, MbusCode.SGRBG10_1X10, MbusCode.SGBRG10_1X10, MbusCode.SBGGR10_1X10];
export const BAYER_8: readonly number[] = [MbusCode.SRGGB8_1X8, MbusCode.SGRBG8_1X8, MbusCode.SGBRG8_1X8, MbusCode.SBGGR8_1X8];
/** The raw codes the ISP sink takes that the IMX219 sends (12-bit ones too on hardware; no IMX219 mode has them). */
export const RAW_CODES: readonly number[] = [...BAYER_10, ...BAYER_8];
export const YUV_CODES: readonly number[] = [MbusCode.YUYV8_2X8, MbusCode.YUYV8_1_5X8];

/** RKISP1_ISP_{MIN,MAX}_* and the resizers' source bounds. */
export const ISP_SIZES = { min: { width: 32, height: 32 }, max: { width: 4032, height: 3024 } };
export const MAINPATH_SIZES = { min: { width: 32, height: 16 }, max: { width: 4416, height: 3312 } };
export const SELFPATH_SIZES = { min: { width: 32, height: 16 }, max: { width: 1920, height: 1920 } };
/** RKISP1_DEFAULT_{WIDTH,HEIGHT}: every pad's format before it is set. */
export const DEFAULT_SIZE = { width: 800, height: 600 };

const CAPTURE_CAPS = Capability.VideoCaptureMplane | Capability.Streaming | Capability.IoMc;
export const MAINPATH_NODE: VideoNodeRules = { driver: 'rkisp1', busInfo: 'platform:rkisp1-simulated', sizes: MAINPATH_SIZES, minQueued: 1, deviceCaps: CAPTURE_CAPS };
export const SELFPATH_NODE: VideoNodeRules = { ...MAINPATH_NODE, sizes: SELFPATH_SIZES };

/** The YUV formats of the main path's write master the simulation renders, and the resizer code each needs. */
export const YUV_CAPTURE_FORMATS: readonly (CaptureFormatInfo & { mbusCode: number })[] = [
  { pixelFormat: fourcc('YUYV'), description: 'YUYV 4:2:2', bytesPerPixel: 2, mbusCode: MbusCode.YUYV8_2X8 },
  { pixelFormat: fourcc('NV16'), description: 'Y/UV 4:2:2', bytesPerPixel: 1, sizeRatio: 2, mbusCode: MbusCode.YUYV8_2X8 },
  { pixelFormat: fourcc('NV61'), description: 'Y/VU 4:2:2', bytesPerPixel: 1, sizeRatio: 2, mbusCode: MbusCode.YUYV8_2X8 },
  { pixelFormat: fourcc('NV21'), description: 'Y/VU 4:2:0', bytesPerPixel: 1, sizeRatio: 1.5, mbusCode: MbusCode.YUYV8_1_5X8 },
  { pixelFormat: fourcc('NV12'), description: 'Y/UV 4:2:0', bytesPerPixel: 1, sizeRatio: 1.5, mbusCode: MbusCode.YUYV8_1_5X8 },
  { pixelFormat: fourcc('GREY'), description: '8-bit Greyscale', bytesPerPixel: 1, mbusCode: MbusCode.YUYV8_2X8 },
];

const META = { driver: 'rkisp1', busInfo: 'platform:rkisp1-simulated', bufferCount: { min: 2, max: 8 } } as const;

export const STATS_NODE: MetaNodeRules = {
  ...META, kind: 'meta-capture', formats: [{ dataFormat: V4L2_META_FMT_RK_ISP1_STAT_3A, bufferSize: STAT_BUFFER_SIZE }],
};

/** The legacy fixed layout is the driver's default; the extensible one is sizeof(struct rkisp1_ext_params_cfg). */
export const PARAMS_FORMATS = [
  { dataFormat: V4L2_META_FMT_RK_ISP1_PARAMS, bufferSize: LEGACY_PARAMS_SIZE },
  { dataFormat: V4L2_META_FMT_RK_ISP1_EXT_PARAMS, bufferSize: EXT_PARAMS_BUFFER_SIZE },
] as const;

/** RKISP1_CID_SUPPORTED_PARAMS_BLOCKS (V4L2_CID_USER_RKISP1_BASE + 1). */
export const CID_SUPPORTED_PARAMS_BLOCKS = 0x00981b21;
/** Every block type but the companding ones, which only the i.MX8MP's ISP has. */
export const V10_SUPPORTED_BLOCKS = 0x1fffff & ~((1 << 17) | (1 << 18) | (1 << 19));

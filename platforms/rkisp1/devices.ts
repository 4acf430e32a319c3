/**
 * The rkisp1 media graph as libcamera's rkisp1 pipeline sets it up: the links from the sensor
 * (through any CSI receiver) to the ISP and on to the main path, and the formats along them.
 */
import { DeviceError, EntityFunction, MbusCode, type MbusFormat, type MediaGraph, type Subdevice, type VideoDevice } from '../../runtime/v4l2';
import type { Size } from '../../camera/configuration';
import { CameraError } from '../../camera/errors';
import { V4L2_META_FMT_RK_ISP1_EXT_PARAMS, V4L2_META_FMT_RK_ISP1_PARAMS, V4L2_META_FMT_RK_ISP1_STAT_3A } from './uapi';
import { preferredRawCode, sensorPath } from './sensor';

export const ISP = 'rkisp1_isp';
export const RESIZER = 'rkisp1_resizer_mainpath';
export const MAIN_PATH = 'rkisp1_mainpath';
export const PARAMS = 'rkisp1_params';
export const STATS = 'rkisp1_stats';

/** The ISP's pads: the sensor's input, the parameters' input, the image output, the statistics' output. */
const ISP_SINK = 0;
const ISP_SOURCE = 2;

export interface RkISP1Devices {
  sensor: Subdevice;
  /** Between the sensor and the ISP, in order, with the pads their link arrives at and leaves from. */
  receivers: { device: Subdevice; sinkPad: number; sourcePad: number }[];
  isp: Subdevice;
  resizer: Subdevice;
  mainPath: VideoDevice;
  params: VideoDevice;
  stats: VideoDevice;
}

export type SensorLink = { source: string; sourcePad: number; sink: string; sinkPad: number };

/** Opens the camera's devices, each through `open`: the first sensor linked to the ISP, the receivers on its way, the ISP's. */
export function openDevices(graph: MediaGraph, open: <X extends { close(): void }>(device: X) => X): { devices: RkISP1Devices; sensorLinks: SensorLink[] } {
  const functions = new Map(graph.entities().map((e) => [e.name, e.function]));
  const found = sensorPath(graph, ISP, (name) => functions.get(name) === EntityFunction.CamSensor);
  const links = found.links;
  const receivers = links.slice(1).map((l, i) => ({ device: open(graph.openSubdevice(l.source)), sinkPad: links[i]!.sinkPad, sourcePad: l.sourcePad }));
  const devices = {
    sensor: open(graph.openSubdevice(found.sensor)), receivers,
    isp: open(graph.openSubdevice(ISP)), resizer: open(graph.openSubdevice(RESIZER)),
    mainPath: open(graph.openVideoDevice(MAIN_PATH)), params: open(graph.openVideoDevice(PARAMS)), stats: open(graph.openVideoDevice(STATS)),
  };
  return { devices, sensorLinks: links };
}

/**
 * Only this camera's links enabled (libcamera's initLinks): the sensor's path to the ISP, the ISP
 * to the main path; the parameters and statistics nodes' links too, where the driver lets them be
 * disabled.
 */
export function initLinks(media: MediaGraph, sensorLinks: readonly SensorLink[]): void {
  media.disableLinks();
  for (const l of sensorLinks) media.setLink(l.source, l.sourcePad, l.sink, l.sinkPad, true);
  for (const link of media.links()) {
    const ours = (link.source.entity === ISP && link.sink.entity === RESIZER) || (link.source.entity === RESIZER && link.sink.entity === MAIN_PATH)
      || link.source.entity === PARAMS || link.sink.entity === STATS;
    if (ours && !link.enabled && !link.immutable) media.setLink(link.source.entity, link.source.pad, link.sink.entity, link.sink.pad, true);
  }
}

/**
 * The sensor's format for an output of `size`, carried to the ISP, whose output is YUV at the
 * same size (libcamera's configure without the dewarper): returns the ISP's output format.
 */
export function configureToIsp(devices: RkISP1Devices, size: Size): MbusFormat {
  const code = preferredRawCode(devices.sensor.mbusCodes(0));
  if (code === undefined) throw new CameraError(`${devices.sensor.path}: the sensor offers no Bayer format rkisp1 takes`);
  let format = devices.sensor.setFormat(0, { code, ...size });
  for (const receiver of devices.receivers) {
    receiver.device.setFormat(receiver.sinkPad, format);
    format = receiver.device.setFormat(receiver.sourcePad, format);
  }
  format = devices.isp.setFormat(ISP_SINK, format);
  const crop = { left: 0, top: 0, width: format.width, height: format.height };
  devices.isp.setCrop(ISP_SINK, crop);
  devices.isp.setCrop(ISP_SOURCE, crop);
  return devices.isp.setFormat(ISP_SOURCE, { code: MbusCode.YUYV8_2X8, width: format.width, height: format.height });
}

/**
 * The resizer from the ISP's output to `size` in the chroma subsampling of the format (`code`),
 * and the main path's node: returns its bytes a row.
 */
export function configureMainPath(devices: RkISP1Devices, ispFormat: MbusFormat, size: Size, format: { fourcc: number; mbusCode: number }): number {
  const { fourcc } = format;
  devices.resizer.setFormat(0, ispFormat);
  devices.resizer.setFormat(1, { ...ispFormat, code: format.mbusCode, ...size });
  const chosen = devices.mainPath.setFormat({ ...size, pixelFormat: fourcc });
  if (chosen.width !== size.width || chosen.height !== size.height || chosen.pixelFormat !== fourcc) {
    throw new CameraError(`${devices.mainPath.path}: asked for ${size.width}x${size.height}, the device chose ${chosen.width}x${chosen.height}`);
  }
  return chosen.planes[0]!.bytesPerLine;
}

/**
 * The parameters node in the extensible format, or the legacy fixed one where the driver has no
 * other; the statistics node in rkisp1's 3A format. Returns the parameters format and its buffers' size.
 */
export function configureMetaNodes(devices: RkISP1Devices): { paramFormat: number; paramsBytes: number; statsBytes: number } {
  let params;
  try {
    params = devices.params.setMetaFormat(V4L2_META_FMT_RK_ISP1_EXT_PARAMS);
  } catch (error) {
    if (!(error instanceof DeviceError)) throw error;
  }
  if (params?.dataFormat !== V4L2_META_FMT_RK_ISP1_EXT_PARAMS) params = devices.params.setMetaFormat(V4L2_META_FMT_RK_ISP1_PARAMS);
  if (params.dataFormat !== V4L2_META_FMT_RK_ISP1_PARAMS && params.dataFormat !== V4L2_META_FMT_RK_ISP1_EXT_PARAMS) {
    throw new CameraError(`${devices.params.path}: takes neither of rkisp1's parameters formats`);
  }
  const stats = devices.stats.setMetaFormat(V4L2_META_FMT_RK_ISP1_STAT_3A);
  if (stats.dataFormat !== V4L2_META_FMT_RK_ISP1_STAT_3A) throw new CameraError(`${devices.stats.path}: does not give rkisp1's statistics format`);
  return { paramFormat: params.dataFormat, paramsBytes: params.bufferSize, statsBytes: stats.bufferSize };
}

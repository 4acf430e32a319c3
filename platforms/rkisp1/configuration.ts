/**
 * Stream configurations for the rkisp1 camera's main path, validated as libcamera's rkisp1
 * pipeline (RkISP1Path) does: its YUV formats, its size bounds, at least four buffers.
 */
import { fourcc, type PixelFormatName } from '../../runtime/v4l2';
import type { CameraConfiguration, ConfigurationStatus, Size } from '../../camera/configuration';

/** The main path's output bounds (RKISP1_RSZ_MP_SRC_MIN/MAX). */
export const MAIN_PATH_MIN: Size = { width: 32, height: 16 };
export const MAIN_PATH_MAX: Size = { width: 4416, height: 3312 };
/** kRkISP1MinBufferCount: capture buffers, and parameters and statistics buffer pairs. */
export const MIN_BUFFER_COUNT = 4;
/** libcamera's viewfinder size, bounded to what the sensor gives. */
export const PREVIEW_SIZE: Size = { width: 1920, height: 1080 };

/**
 * The main path's formats this package can hand to an application, and the DRM fourcc libcamera
 * puts in IPAStream.pixelFormat for each (the main path also gives NV21, NV16, NV61, YVYU, VYUY).
 */
export const DRM_FOURCC: Partial<Record<PixelFormatName, number>> = { NV12: fourcc('NV12'), YUYV: fourcc('YUYV') };

export function defaultConfiguration(sensorResolution: Size): CameraConfiguration {
  const size = { width: Math.min(PREVIEW_SIZE.width, sensorResolution.width), height: Math.min(PREVIEW_SIZE.height, sensorResolution.height) };
  return { pixelFormat: 'NV12', size, bufferCount: MIN_BUFFER_COUNT };
}

/**
 * Adjusts a configuration to what the main path can do: a format it does not give becomes NV12,
 * the size is bounded to 32x16..4416x3312 and made even (4:2:0 chroma), and fewer than four
 * buffers become four. Says whether anything changed.
 */
export function validateConfiguration(config: CameraConfiguration): ConfigurationStatus {
  let status: ConfigurationStatus = 'valid';
  if (DRM_FOURCC[config.pixelFormat] === undefined) {
    config.pixelFormat = 'NV12';
    status = 'adjusted';
  }
  const bound = (v: number, min: number, max: number) => Math.min(max, Math.max(min, Math.trunc(v) || min)) & ~1;
  const size = { width: bound(config.size.width, MAIN_PATH_MIN.width, MAIN_PATH_MAX.width), height: bound(config.size.height, MAIN_PATH_MIN.height, MAIN_PATH_MAX.height) };
  if (size.width !== config.size.width || size.height !== config.size.height) {
    config.size = size;
    status = 'adjusted';
  }
  if (!(config.bufferCount >= MIN_BUFFER_COUNT) || !Number.isInteger(config.bufferCount)) {
    config.bufferCount = MIN_BUFFER_COUNT;
    status = 'adjusted';
  }
  return status;
}

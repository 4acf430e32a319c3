/** Stream configurations for the vimc camera, validated as libcamera's vimc pipeline does. */
import { fourcc, PixelFormats, type PixelFormatName } from '../../runtime/v4l2';
import type { CameraConfiguration, ConfigurationStatus, Size } from '../../camera/configuration';

export const MIN_SIZE: Size = { width: 16, height: 16 };
export const MAX_SIZE: Size = { width: 4096, height: 2160 };
export const BUFFER_COUNT = 4;

/** vimc's formats, and the DRM fourcc libcamera puts in IPAStream.pixelFormat for each. */
export const DRM_FOURCC: Partial<Record<PixelFormatName, number>> = { BGR888: fourcc('BG24'), RGB888: fourcc('RG24') };

/** libcamera's default for the viewfinder role. */
export function defaultConfiguration(): CameraConfiguration {
  return { pixelFormat: 'BGR888', size: { width: 1920, height: 1080 }, bufferCount: BUFFER_COUNT };
}

/**
 * Adjusts a configuration to what the camera can do, as libcamera's VimcCameraConfiguration does:
 * an unknown pixel format becomes BGR888, the size is bounded to 16x16..4096x2160 and made even,
 * four buffers. Says whether anything changed.
 */
export function validateConfiguration(config: CameraConfiguration): ConfigurationStatus {
  let status: ConfigurationStatus = 'valid';
  if (DRM_FOURCC[config.pixelFormat] === undefined) {
    config.pixelFormat = 'BGR888';
    status = 'adjusted';
  }
  const bound = (v: number, min: number, max: number) => Math.min(max, Math.max(min, Math.trunc(v))) & ~1;
  const size = { width: bound(config.size.width, MIN_SIZE.width, MAX_SIZE.width), height: bound(config.size.height, MIN_SIZE.height, MAX_SIZE.height) };
  if (size.width !== config.size.width || size.height !== config.size.height) {
    config.size = size;
    status = 'adjusted';
  }
  if (config.bufferCount !== BUFFER_COUNT) {
    config.bufferCount = BUFFER_COUNT;
    status = 'adjusted';
  }
  return status;
}

export function formatInfo(name: PixelFormatName) {
  return PixelFormats[name];
}

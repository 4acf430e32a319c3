/**
 * A camera's stream configuration, as libcamera's CameraConfiguration: what an application asks
 * for, adjusted by the platform's validation to what its camera can do.
 */
import type { PixelFormatName } from '../runtime/v4l2';

export interface Size {
  width: number;
  height: number;
}

export interface CameraConfiguration {
  pixelFormat: PixelFormatName;
  size: Size;
  bufferCount: number;
}

/** `adjusted`: validation changed something, which the application may want to know. */
export type ConfigurationStatus = 'valid' | 'adjusted';

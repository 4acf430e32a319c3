/**
 * A platform as the command and applications find it: which media devices its pipeline handler
 * drives, how to open its camera on one, and its simulation for machines without the hardware.
 */
import type { MediaGraph, PixelFormatName } from '../runtime/v4l2';
import type { Camera, CameraOptions } from './camera';

export interface Platform {
  /** The pipeline's name, as libcamera names its pipeline handlers (and as users see it). */
  readonly name: string;
  /** Whether its pipeline handler drives this media graph (libcamera's DeviceMatch). */
  match(media: MediaGraph): boolean;
  /** The media devices present that it drives, by path, in number order. */
  find(): string[];
  /** Opens its camera on a media graph it matches; the camera then owns the graph, and closes it on failure. */
  open(media: MediaGraph, options?: CameraOptions): Promise<Camera>;
  /** Where its simulated media device says it is (`simulated:…`). */
  readonly simulatedPath: string;
  /** Its hardware simulated in user space, at `frameRate` frames a second. */
  simulate(options?: { frameRate?: number }): MediaGraph;
  /** The pixel formats its camera gives, its default first. */
  readonly pixelFormats: readonly PixelFormatName[];
  /** The capture node the camera's frames come from, whose formats `ts-ipa list` shows. */
  readonly outputEntity: string;
}

/** What the rkisp1 pipeline handler gives an application of each frame (`Frame.params`). */
import type { ControlList } from '../../runtime';

/** What the rkisp1 IPA decided for a frame, and what it reported of it. */
export interface RkISP1FrameParams {
  /** The IPA's frame number. */
  frame: number;
  paramsBufferId: number;
  statsBufferId: number;
  /** Bytes of parameters the IPA wrote, as the ISP was given them. */
  bytesused: number;
  /**
   * The request's metadata: what the IPA reported (ExposureTime, AnalogueGain, ColourGains,
   * ColourTemperature, Lux, …) and SensorTimestamp.
   */
  metadata: ControlList;
  /** The sensor's controls (V4L2 id to value) in effect for the frame, as processStats got them. */
  sensorControls: Map<number, number>;
}

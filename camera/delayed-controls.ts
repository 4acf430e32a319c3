/**
 * Sensor controls that take effect frames after they are written (exposure, gain, blanking), as
 * libcamera's DelayedControls handles them: values are queued one set per frame, each written
 * early enough for its delay, and what was in effect for a frame is read back by its sequence.
 * An application that keeps as many requests queued as the largest delay gets each request's
 * controls on the frame it belongs to.
 */
import type { Controllable, V4L2ControlValue } from '../runtime/v4l2';

/** What DelayedControls needs of a device: a V4L2 sub-device, or any in-memory stand-in. */
export type ControlDevice = Pick<Controllable, 'controls' | 'getControls' | 'setControls'>;

export interface DelayedControlParams {
  /** Frames from writing the control to the first frame made with it. */
  delay: number;
  /**
   * Written on its own, before the rest of the frame's controls: vertical blanking, so that the
   * driver takes an exposure that only the new blanking allows.
   */
  priorityWrite?: boolean;
}

interface Slot {
  value: V4L2ControlValue | undefined;
  /** Not yet written to the device. */
  updated: boolean;
}

/**
 * libcamera's ring size. History and queue share it: a frame read back more than 16 pushes ago,
 * or more than 16 sets queued ahead of the device, is silently overwritten, as libcamera's is.
 */
export const DELAYED_CONTROLS_RING = 16;

export class DelayedControls {
  private readonly params = new Map<number, Required<DelayedControlParams>>();
  private readonly maxDelay: number;
  private values = new Map<number, Slot[]>();
  /** The index the next push fills. */
  private queueCount = 1;
  /** The index the next applyControls writes from (one past the last frame started). */
  private writeCount = 0;

  /**
   * Handles the controls in `params` (by V4L2 id) that the device has; a control it does not
   * have is left out, as libcamera leaves it out (with an error in its log). Controls that take
   * effect at once belong in `params` too, with a delay of 0.
   */
  constructor(private readonly device: ControlDevice, params: ReadonlyMap<number, DelayedControlParams> | Iterable<readonly [number, DelayedControlParams]>) {
    const known = new Set(device.controls().map((c) => c.id));
    for (const [id, p] of params) {
      if (known.has(id)) this.params.set(id, { delay: p.delay, priorityWrite: p.priorityWrite ?? false });
    }
    this.maxDelay = Math.max(0, ...[...this.params.values()].map((p) => p.delay));
    this.reset();
  }

  /**
   * Starts again from the values the device holds now (at stream start): they become frame 0's,
   * and are not written again.
   */
  reset(): void {
    this.queueCount = 1;
    this.writeCount = 0;
    const ids = [...this.params.keys()];
    const current = this.device.getControls(ids);
    this.values = new Map(ids.map((id, i) => {
      const ring: Slot[] = Array.from({ length: DELAYED_CONTROLS_RING }, () => ({ value: undefined, updated: false }));
      ring[0] = { value: current[i], updated: false };
      return [id, ring];
    }));
  }

  /** Whether the control of this V4L2 id is one this handles (given to the constructor, and the device's). */
  handles(id: number): boolean {
    return this.params.has(id);
  }

  /**
   * Queues the controls of the next frame; those not named keep the previous frame's values.
   * Refuses (false) a list naming a control the device lacks or that was not given to the
   * constructor; as libcamera's, the controls before it are then left in the slot the next push
   * fills afresh.
   */
  push(controls: Iterable<readonly [number, V4L2ControlValue]>): boolean {
    for (const ring of this.values.values()) {
      ring[this.queueCount % DELAYED_CONTROLS_RING] = { ...ring[(this.queueCount - 1) % DELAYED_CONTROLS_RING]!, updated: false };
    }
    for (const [id, value] of controls) {
      const ring = this.values.get(id);
      if (!ring) return false;
      ring[this.queueCount % DELAYED_CONTROLS_RING] = { value, updated: true };
    }
    this.queueCount++;
    return true;
  }

  /**
   * The controls in effect for the frame of `sequence`: those pushed `maxDelay` frames before it.
   * Reading further back than the ring holds gives newer values (the caller's to avoid).
   */
  get(sequence: number): Map<number, V4L2ControlValue | undefined> {
    const index = Math.max(0, sequence - this.maxDelay) % DELAYED_CONTROLS_RING;
    return new Map([...this.values].map(([id, ring]) => [id, ring[index]!.value]));
  }

  /**
   * The frame of `sequence` started (the sensor's start of exposure): writes the values each
   * control needs now to be in effect when its frame comes, a control with a shorter delay
   * written later than one with the largest. Frames that passed unpushed repeat the last values.
   */
  applyControls(sequence: number): void {
    const batch: [number, V4L2ControlValue][] = [];
    for (const [id, ring] of this.values) {
      const params = this.params.get(id)!;
      const slot = ring[Math.max(0, this.writeCount - (this.maxDelay - params.delay)) % DELAYED_CONTROLS_RING]!;
      if (!slot.updated) continue;
      // A slot holds a value once pushed; updated is only ever set with one.
      if (params.priorityWrite) this.device.setControls([[id, slot.value!]]);
      else batch.push([id, slot.value!]);
      slot.updated = false;
    }
    this.writeCount = sequence + 1;
    while (this.writeCount > this.queueCount) this.push([]);
    // libcamera's V4L2Device writes nothing for an empty list; a device here may refuse one.
    if (batch.length > 0) this.device.setControls(batch);
  }
}

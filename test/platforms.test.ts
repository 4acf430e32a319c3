/** The platforms the package ships, as the command finds them: each matches its own simulation and no other device. */
import { describe, expect, it } from 'vitest';
import { PLATFORMS, platformFor } from '../dist/platforms/index.js';
import { deviceMatches } from '../dist/camera/device-match.js';
import { SimulatedMediaGraph } from '../dist/camera/simulated/media-graph.js';
import { EntityFunction, PadFlag } from '../dist/runtime/v4l2/index.js';

/** A media device no shipped platform drives: a UVC webcam's graph. */
function webcam(): SimulatedMediaGraph {
  const info = { driver: 'uvcvideo', model: 'Webcam (simulated)', serial: '', busInfo: 'usb-0000:00:14.0-1', driverVersion: 0x060100 };
  return new SimulatedMediaGraph('simulated:/dev/media1', info, {
    entities: [{ name: 'Webcam', function: EntityFunction.IoV4l, pads: [PadFlag.Sink] }], links: [], devnodes: { Webcam: 'video9' },
  });
}

describe('the shipped platforms', () => {
  it('each matches its own simulation, named by its path', () => {
    // vimc first: `--camera simulated` and a machine with no camera get its simulation.
    expect(PLATFORMS.map((p) => p.name)).toEqual(['vimc', 'rkisp1']);
    for (const platform of PLATFORMS) {
      const media = platform.simulate();
      try {
        expect(media.path).toBe(platform.simulatedPath);
        expect(platformFor(media)).toBe(platform);
        expect(media.entity(platform.outputEntity).devnode).toMatch(/^simulated:\/dev\/video\d+$/);
      } finally {
        media.close();
      }
    }
  });

  it('a device none drives is no camera (ENODEV, which the command reports as exit code 3)', () => {
    const media = webcam();
    expect(PLATFORMS.some((p) => p.match(media))).toBe(false);
    expect(deviceMatches({ driver: 'uvcvideo', entities: ['Webcam'] }, media)).toBe(true);
    expect(deviceMatches({ driver: 'uvcvideo', entities: ['Webcam', 'Sensor'] }, media)).toBe(false);
    expect(() => platformFor(media)).toThrow(expect.objectContaining({ code: 'ENODEV', message: 'simulated:/dev/media1: no camera this package drives (driver uvcvideo; it drives vimc, rkisp1)' }));
  });

  it("each refuses the other's simulation", () => {
    for (const platform of PLATFORMS) {
      for (const other of PLATFORMS.filter((p) => p !== platform)) {
        const media = other.simulate();
        try {
          expect(platform.match(media)).toBe(false);
        } finally {
          media.close();
        }
      }
    }
  });
});

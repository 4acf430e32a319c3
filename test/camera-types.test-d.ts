import { describe, expectTypeOf, it } from 'vitest';
import type { ControlList } from '../dist/runtime/index.js';
import type { VimcCamera } from '../dist/platforms/vimc/pipeline.js';
import type { CameraConfiguration } from '../dist/camera/configuration.js';
import type { Frame } from '../dist/platforms/vimc/pipeline.js';
import type { FrameParams } from '../dist/platforms/vimc/params.js';
import type { MediaGraph, V4L2ControlValue } from '../dist/runtime/v4l2/index.js';

declare const camera: VimcCamera;
declare const graph: MediaGraph;

describe('the camera API is typed', () => {
  it('configurations name only the pixel formats the package knows', () => {
    const config: CameraConfiguration = { pixelFormat: 'BGR888', size: { width: 640, height: 480 }, bufferCount: 4 };
    expectTypeOf(camera.validate(config)).toEqualTypeOf<'valid' | 'adjusted'>();
    // @ts-expect-error NV21 is not a format any camera here gives (validation keeps each camera to its own)
    config.pixelFormat = 'NV21';
  });

  it('capture takes an optional ControlList and resolves with a frame', () => {
    expectTypeOf(camera.capture).parameter(0).toEqualTypeOf<ControlList | undefined>();
    expectTypeOf(camera.capture()).resolves.toEqualTypeOf<Frame>();
    expectTypeOf<Frame['timestamp']>().toEqualTypeOf<bigint>();
    expectTypeOf<Frame['params']>().toEqualTypeOf<FrameParams>();
    expectTypeOf<Frame['release']>().toEqualTypeOf<() => void>();
    // @ts-expect-error controls are a ControlList, not a plain object
    void camera.capture({ Brightness: 0.5 });
  });

  it('devices take V4L2 control values by id', () => {
    const sensor = graph.openSubdevice('Sensor B');
    expectTypeOf(sensor.setControls).parameter(0).toEqualTypeOf<readonly (readonly [number, V4L2ControlValue])[]>();
    // @ts-expect-error a control id is a number
    sensor.setControls([['Brightness', 1]]);
  });
});

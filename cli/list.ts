/** `ts-ipa list`: the cameras found, with their entities and formats. */
import { EntityFunction, fourccName } from '../runtime/v4l2';
import { platformFor } from '../platforms';
import { findCameras, openMediaGraph } from './cameras';

const FUNCTIONS: Record<number, string> = {
  [EntityFunction.CamSensor]: 'sensor',
  [EntityFunction.Lens]: 'lens',
  [EntityFunction.IoV4l]: 'video node',
  [EntityFunction.ProcVideoPixelEncConv]: 'pixel converter',
  [EntityFunction.ProcVideoScaler]: 'scaler',
};

export function listCameras(): string {
  const lines: string[] = [];
  findCameras().forEach((path, i) => {
    const media = openMediaGraph(path);
    try {
      const platform = platformFor(media);
      lines.push(`${i}: ${media.info.model} at ${media.path}${media.simulated ? `  [SIMULATED: no ${platform.name} device on this machine]` : ''}`);
      lines.push('   entities:');
      for (const e of media.entities()) {
        lines.push(`     ${e.name.padEnd(16)} ${(FUNCTIONS[e.function] ?? `function 0x${e.function.toString(16)}`).padEnd(16)} ${e.devnode ?? ''}`);
      }
      const capture = media.openVideoDevice(platform.outputEntity);
      try {
        lines.push(`   formats (${platform.outputEntity}):`);
        for (const f of capture.pixelFormats()) {
          const sizes = capture.frameSizes(f.pixelFormat).map((s) => `${s.minWidth}x${s.minHeight}..${s.maxWidth}x${s.maxHeight}`).join(', ');
          lines.push(`     ${fourccName(f.pixelFormat)}  ${f.description.padEnd(24)} ${sizes}`);
        }
      } finally {
        capture.close();
      }
    } finally {
      media.close();
    }
  });
  return lines.join('\n');
}

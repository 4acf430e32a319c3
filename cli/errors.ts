import { IPACrashedError, IPARecoveryError, IPATimeoutError } from '../runtime/errors';
import { DeviceError } from '../runtime/v4l2';

/** Exit codes, one per kind of failure a script may want to tell apart. */
export const ExitCode = { Ok: 0, Failure: 1, Usage: 2, NoDevice: 3, Busy: 4, Unsupported: 5, Untrusted: 6, IPAFailed: 7 } as const;

export class UsageError extends Error {
  override name = 'UsageError';
}

/** A format, size or mode the camera cannot give. */
export class UnsupportedError extends Error {
  override name = 'UnsupportedError';
}

/** One line for the user and the exit code that goes with it. */
export function describeFailure(error: unknown): { line: string; code: number } {
  if (error instanceof UsageError) return { line: error.message, code: ExitCode.Usage };
  if (error instanceof UnsupportedError) return { line: error.message, code: ExitCode.Unsupported };
  if (error instanceof IPATimeoutError) return { line: `${error.message}: the IPA is hung, and its worker was ended`, code: ExitCode.IPAFailed };
  if (error instanceof IPACrashedError || error instanceof IPARecoveryError) return { line: error.message, code: ExitCode.IPAFailed };
  if (error instanceof DeviceError) {
    if (error.code === 'ENOENT' || error.code === 'ENODEV' || error.code === 'ENXIO') return { line: error.message, code: ExitCode.NoDevice };
    // A file that answers no media ioctl (/dev/null, a video node given as --camera) is no camera.
    if (error.code === 'ENOTTY') return { line: `${error.message}: not a media device`, code: ExitCode.NoDevice };
    if (error.code === 'EBUSY') return { line: `${error.message}: another program is using the camera`, code: ExitCode.Busy };
    if (error.code === 'EINVAL' || error.code === 'ENOTSUP' || error.code === 'EPIPE') return { line: error.message, code: ExitCode.Unsupported };
  }
  return { line: (error as Error)?.message ?? String(error), code: ExitCode.Failure };
}

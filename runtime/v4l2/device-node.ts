import fs from 'node:fs';
import { SystemError } from '../native';

/** A failed ioctl or open on a device: errno, the call's name and the device path. */
export class DeviceError extends SystemError {
  override name = 'DeviceError';
  constructor(
    message: string,
    code: string,
    errno: number | undefined,
    syscall: string | undefined,
    readonly path: string,
  ) {
    super(message, code, errno, syscall);
  }
}

/** Runs a native call on a device, naming the device in any error it throws. */
export function onDevice<T>(path: string, call: () => T): T {
  try {
    return call();
  } catch (error) {
    const e = error as Error & { code?: string; errno?: number; syscall?: string };
    if (e instanceof TypeError || e instanceof RangeError || e.code === undefined) throw error;
    throw new DeviceError(`${path}: ${e.message}`, e.code, e.errno, e.syscall, path);
  }
}

/** Opens a device node for ioctls: read-write, non-blocking, close-on-exec (Node's default). */
export function openDeviceNode(path: string): number {
  try {
    return fs.openSync(path, fs.constants.O_RDWR | fs.constants.O_NONBLOCK);
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    const reason = e.code === 'ENOENT' ? 'no such device' : e.code === 'EACCES' ? 'permission denied' : e.code === 'EBUSY' ? 'device busy' : e.message;
    throw new DeviceError(`${path}: cannot open (${reason})`, e.code ?? 'EIO', e.errno === undefined ? undefined : -e.errno, 'open', path);
  }
}

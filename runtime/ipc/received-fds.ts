import { native } from '../native';

/**
 * Closes fds that arrived from a peer and that nobody will own. Never throws: on the receive
 * path an fd that will not close (EBADF: closed already, a bug elsewhere and not the peer's
 * doing) must not turn into an exception, nor keep the fds after it open.
 */
export function closeReceived(fds: readonly number[]): void {
  if (fds.length === 0) return;
  const binding = native();
  for (const fd of fds) {
    try {
      binding.close(fd);
    } catch {
      // closed already
    }
  }
}

/** What a thrown value says: its message if it is an Error (anything can be thrown). */
export function messageOf(thrown: unknown): string {
  return thrown instanceof Error ? thrown.message : String(thrown);
}

/** Base class of every error ts-ipa throws on purpose, so callers can catch them as one. */
export class IPAError extends Error {
  override name = 'IPAError';
}

/**
 * Bytes or fds that do not decode as the declared type: truncated data, an oversized count, a
 * missing fd, an unknown control type or handle. `field` names where decoding stopped.
 */
export class DeserializeError extends IPAError {
  override name = 'DeserializeError';
  constructor(
    readonly field: string,
    readonly reason: string,
  ) {
    super(`cannot decode ${field}: ${reason}`);
  }
}

/** A value that cannot be encoded as its declared type (out of range, wrong kind, too long). */
export class SerializeError extends IPAError {
  override name = 'SerializeError';
  constructor(
    readonly field: string,
    readonly reason: string,
  ) {
    super(`cannot encode ${field}: ${reason}`);
  }
}

/** A contract that cannot be used: typically its module was compiled without the transformer. */
export class ContractError extends IPAError {
  override name = 'ContractError';
}

/** A call got no reply within its timeout; the IPA may be hung. */
export class IPATimeoutError extends IPAError {
  override name = 'IPATimeoutError';
  constructor(
    readonly call: string,
    readonly timeoutMs: number,
    detail?: string,
  ) {
    super(`${call}: no reply within ${timeoutMs} ms${detail ? `: ${detail}` : ''}`);
  }
}

/** The isolated IPA's process is gone: calls in flight and later calls fail with this. */
export class IPACrashedError extends IPAError {
  override name = 'IPACrashedError';
  constructor(
    readonly exitCode: number | null,
    readonly signal: NodeJS.Signals | null,
    detail = '',
  ) {
    super(`the IPA ${signal ? `worker was killed by ${signal}` : exitCode === null ? 'failed' : `worker exited with code ${exitCode}`}${detail ? ` (${detail})` : ''}`);
  }
}

/**
 * Something the IPA sent that decodes but cannot be right (an event for a buffer that waits for
 * nothing, a parameter outside its control's range): the pipeline handler refuses it and says so.
 */
export class IPAProtocolError extends IPAError {
  override name = 'IPAProtocolError';
}

/** A pipe or proxy used after it was closed. */
export class IPAClosedError extends IPAError {
  override name = 'IPAClosedError';
}

/** A message whose command the receiving interface does not have. */
export class UnknownCommandError extends IPAError {
  override name = 'UnknownCommandError';
  constructor(
    readonly iface: string,
    readonly cmd: number,
  ) {
    super(`${iface} has no command ${cmd}`);
  }
}

/**
 * A pipeline handler's listener threw, or returned a promise that rejected, while handling an
 * IPA's event. The values came from the IPA, so it is reported as a protocol error ('protocolError')
 * and counts toward the IPA being broken, instead of escaping to the process.
 */
export class EventListenerError extends IPAError {
  override name = 'EventListenerError';
  constructor(
    readonly event: string,
    readonly error: unknown,
  ) {
    super(`a listener of the IPA's event ${event} threw: ${messageOf(error)}`);
  }
}

/** An IPA module that cannot be used: `file` names what is wrong with it, `reason` says what. */
export class ModuleError extends IPAError {
  override name = 'ModuleError';
  constructor(
    readonly file: string,
    readonly reason: string,
  ) {
    super(`${file}: ${reason}`);
  }
}

/** A key that is not the Ed25519 key it should be (unreadable PEM, another algorithm, public for private). */
export class KeyError extends IPAError {
  override name = 'KeyError';
}

/**
 * A crashed IPA that its recovery policy gave up on: either restarting it failed `attempts`
 * times in a row, or (`crashLoopMs` set) every restart came up but crashed again within that
 * long, `attempts` times in a row: a crash loop is not restarted for ever.
 */
export class IPARecoveryError extends IPAError {
  override name = 'IPARecoveryError';
  constructor(
    readonly attempts: number,
    readonly lastError: Error,
    readonly crashLoopMs?: number,
  ) {
    const restarts = `${attempts} restart${attempts === 1 ? '' : 's'}`;
    super(crashLoopMs === undefined
      ? `the IPA could not be brought back after ${restarts}: ${lastError.message}`
      : `the IPA crashed again within ${crashLoopMs} ms of each of ${restarts} in a row, so it is not restarted again: ${lastError.message}`);
  }
}

/**
 * A sandbox that cannot be set up as asked, found before any worker starts: a link in what the
 * IPA may read that leads outside it (`link`, where it leads: `target`).
 */
export class SandboxError extends IPAError {
  override name = 'SandboxError';
  constructor(
    message: string,
    readonly link?: string,
    readonly target?: string,
  ) {
    super(message);
  }
}

/** A contract for probing the worker sandbox from inside an IPA: try an action, say what happened. */
import { IPAInterface, ipaEvents, ipaInterface, type SharedFD } from '../../runtime';

@ipaEvents()
export abstract class IPASandboxProbeEventInterface {
  abstract noted(what: string): void;
}

@ipaInterface('sandboxprobe')
export abstract class IPASandboxProbeInterface extends IPAInterface<IPASandboxProbeEventInterface> {
  abstract init(): Promise<void>;
  abstract start(): Promise<void>;
  abstract stop(): Promise<void>;
  /** Tries `action` with `argument`; answers "done: <result>" or "refused: <code>: <message>". */
  abstract attempt(action: string, argument: string, fd: SharedFD): Promise<string>;
}

import path from 'node:path';
import { contractCodec, type ContractCodec, type IPAInterface } from './contract';
import { ContractError } from './errors';
import type { ContractClass, EventSender, IPAImplementation } from './contract-types';

/**
 * An IPA module's entry, as both ends see it: the IPA declares itself with defineIPA, and the
 * worker (or the proxy, in direct mode) loads it from its file. Nothing here loads the proxy's,
 * the transports' or the module manager's code: an IPA and a worker host need none of it to
 * start (loading a module from verified bytes is modules/verified-ipa-module.ts's).
 */

/** An IPA module: the contract it implements and how to create the IPA. */
export interface IPAModule<T extends IPAInterface<object>> {
  readonly contract: ContractClass<T>;
  create(events: EventSender<T>): IPAImplementation<T>;
}

/** Declares an IPA module; make it the module's default export. */
export function defineIPA<T extends IPAInterface<object>>(
  contract: ContractClass<T>,
  create: (events: EventSender<T>) => IPAImplementation<T>,
): IPAModule<T> {
  return { contract, create };
}

/** Loads an IPA module file and checks that it implements `contract` (when one is expected). */
export function loadIPAModule(file: string, contract?: ContractClass): { module: IPAModule<IPAInterface<object>>; codec: ContractCodec } {
  const resolved = path.resolve(file);
  let exports: { default?: IPAModule<IPAInterface<object>> };
  try {
    exports = require(resolved);
  } catch (error) {
    throw cannotLoad(resolved, error);
  }
  return checkIPAModule(resolved, exports, contract);
}

export function cannotLoad(resolved: string, error: unknown): ContractError {
  const denied = error as { code?: string; resource?: string };
  // The sandbox's permission model says "Access to this API has been restricted"; say what.
  const why = denied.code === 'ERR_ACCESS_DENIED' && denied.resource
    ? `the sandbox refused to read ${denied.resource} (pass it in sandbox.allowRead if the IPA needs it)`
    : (error as Error).message.split('\n')[0];
  return new ContractError(`cannot load the IPA module ${resolved}: ${why}`);
}

export function checkIPAModule(resolved: string, exports: { default?: IPAModule<IPAInterface<object>> }, contract?: ContractClass): { module: IPAModule<IPAInterface<object>>; codec: ContractCodec } {
  const module = exports?.default;
  if (!module || typeof module.create !== 'function' || typeof module.contract !== 'function') {
    throw new ContractError(`${resolved} is not an IPA module: its default export must be defineIPA(Contract, create)`);
  }
  if (contract && module.contract !== contract && contractCodec(module.contract).model.hash !== contractCodec(contract).model.hash) {
    throw new ContractError(`${resolved} implements ${module.contract.name}, not ${contract.name}`);
  }
  return { module, codec: contractCodec(module.contract) };
}

import path from 'node:path';
import { contractCodec, type ContractCodec } from './contract';
import { ContractError, ModuleError } from './errors';
import { handlerModules, runVerifiedModule } from './modules/loader';
import type { VerifiedModule } from './modules/signature';
import type { ContractClass, EventSender, IPAImplementation } from './contract-types';
import type { IPAInterface } from './contract';

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

/**
 * Loads a module whose signature verified, from the bytes that were verified (in-process modes:
 * see runtime/modules/loader.ts). `loaded` are the files the pipeline handler has loaded, which
 * the module may share. A require the loader refuses fails with its ModuleError, naming the file.
 */
export function loadVerifiedIPAModule(verified: VerifiedModule, contract?: ContractClass, loaded: ReadonlySet<string> = new Set(handlerModules())): { module: IPAModule<IPAInterface<object>>; codec: ContractCodec } {
  const entry = path.join(verified.directory, verified.entry);
  let exports: { default?: IPAModule<IPAInterface<object>> };
  try {
    exports = runVerifiedModule(verified, loaded) as typeof exports;
  } catch (error) {
    if (error instanceof ModuleError) throw error;
    throw cannotLoad(entry, error);
  }
  return checkIPAModule(entry, exports, contract);
}

function cannotLoad(resolved: string, error: unknown): ContractError {
  const denied = error as { code?: string; resource?: string };
  // The sandbox's permission model says "Access to this API has been restricted"; say what.
  const why = denied.code === 'ERR_ACCESS_DENIED' && denied.resource
    ? `the sandbox refused to read ${denied.resource} (pass it in sandbox.allowRead if the IPA needs it)`
    : (error as Error).message.split('\n')[0];
  return new ContractError(`cannot load the IPA module ${resolved}: ${why}`);
}

function checkIPAModule(resolved: string, exports: { default?: IPAModule<IPAInterface<object>> }, contract?: ContractClass): { module: IPAModule<IPAInterface<object>>; codec: ContractCodec } {
  const module = exports?.default;
  if (!module || typeof module.create !== 'function' || typeof module.contract !== 'function') {
    throw new ContractError(`${resolved} is not an IPA module: its default export must be defineIPA(Contract, create)`);
  }
  if (contract && module.contract !== contract && contractCodec(module.contract).model.hash !== contractCodec(contract).model.hash) {
    throw new ContractError(`${resolved} implements ${module.contract.name}, not ${contract.name}`);
  }
  return { module, codec: contractCodec(module.contract) };
}

import path from 'node:path';
import type { ContractClass } from '../contract-types';
import type { ContractCodec, IPAInterface } from '../contract';
import { ModuleError } from '../errors';
import { checkIPAModule, cannotLoad, type IPAModule } from '../ipa-module';
import { handlerModules, runVerifiedModule } from './loader';
import type { VerifiedModule } from './signature';

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

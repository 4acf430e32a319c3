/**
 * `ts-ipa/internal`: what the code the transformer appends to a contract module calls, and
 * nothing else. Generated code imports this, not the public face (`ts-ipa`), so that what it
 * needs stays out of the user's API and a contract module loads only these few files (a worker
 * loads its contract before it can greet). Not for hand-written code: these names may change
 * with the generated code that uses them.
 */
export { defineStruct, defineContract } from './contract';
export { UnknownCommandError } from './errors';
export { RemoteProxy } from './proxy/remote';

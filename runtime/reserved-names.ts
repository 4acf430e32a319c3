/**
 * Names a contract cannot give its calls or its events. Imports nothing: the transformer refuses
 * these names at the declaration, and createProxy refuses a model that has one.
 *
 * A call becomes a method of the pipeline handler's proxy, beside the proxy's own members (its
 * controls, its EventEmitter, Object's): one of the same name would replace it (a call named
 * `close` left the worker running, one named `send` recursed until the stack overflowed), and a
 * call named `then` would make the proxy look like a promise to `await`. An event is emitted
 * under its name, beside the proxy's own events, and EventEmitter treats `error` (thrown when
 * nobody listens), `newListener` and `removeListener` specially; events are also keys of the
 * plain object the IPA sends them through, where `__proto__` is no key at all.
 * test/reserved-names.test.ts checks that the proxies have no member missing from this list.
 */

const OBJECT_MEMBERS = [
  'constructor', '__proto__', '__defineGetter__', '__defineSetter__', '__lookupGetter__', '__lookupSetter__',
  'hasOwnProperty', 'isPrototypeOf', 'propertyIsEnumerable', 'toLocaleString', 'toString', 'valueOf',
];

const EVENT_EMITTER_MEMBERS = [
  '_events', '_eventsCount', '_maxListeners', 'addListener', 'emit', 'eventNames', 'getMaxListeners', 'listenerCount',
  'listeners', 'off', 'on', 'once', 'prependListener', 'prependOnceListener', 'rawListeners', 'removeAllListeners',
  'removeListener', 'setMaxListeners',
];

/** What the proxies (runtime/proxy/remote.ts, direct.ts) are made of besides the calls. */
const PROXY_MEMBERS = [
  'isolation', 'failure', 'close', 'restart', 'declareHung', 'reportMisbehaviour', 'then',
  // RemoteProxy's own
  'attach', 'call', 'channel', 'closed', 'codec', 'controls', 'deliver', 'protocolError', 'receiveEvent', 'recovery',
  'reopen', 'replaceChannel', 'resetControls', 'send', 'setRecovery', 'setReopen',
  // DirectProxy's own
  'answer', 'callerControls', 'calls', 'copyCall', 'crash', 'create', 'drain', 'enqueueCall', 'enqueueOneWay',
  'events', 'failFast', 'ipa', 'ipaControls', 'running', 'schedule', 'sendEvent', 'toCaller', 'toIpa',
];

export const RESERVED_CALL_NAMES: ReadonlySet<string> = new Set([...OBJECT_MEMBERS, ...EVENT_EMITTER_MEMBERS, ...PROXY_MEMBERS]);

/** The proxy's own events, EventEmitter's special ones, and what a plain object cannot key. */
export const RESERVED_EVENT_NAMES: ReadonlySet<string> = new Set([
  'crashed', 'protocolError', 'recovered', 'recoveryFailed', 'error', 'newListener', 'removeListener', ...OBJECT_MEMBERS,
]);

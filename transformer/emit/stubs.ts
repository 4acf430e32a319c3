import type { ContractModel, InterfaceModel } from '../../runtime/model';
import { local } from './locals';
import { dispatchName, paramsNames, proxyClassName, replyNames, sendersName } from './names';
import { indent } from './struct';

/**
 * The code that moves calls and events across a pipe, per contract: a proxy class whose methods
 * encode their parameters, send them and decode the reply; the worker's dispatch, which decodes
 * a call and invokes the IPA; and, for events, the IPA's senders and the proxy's dispatch.
 */

const params = (m: InterfaceModel['methods'][number]): string => m.params.map((p) => local(p.name)).join(', ');
const withW = (list: string): string => (list ? `w, ${list}` : 'w');

export function emitProxyClass(iface: InterfaceModel): string {
  const methods = iface.methods.map((m) => {
    const encode = `(w) => ${paramsNames(m, 'Call').encode}(${withW(params(m))})`;
    const body = m.kind === 'call'
      ? `return this.call(${m.cmd}, ${JSON.stringify(m.name)}, ${encode}, ${replyNames(m).decode});`
      : `this.send(${m.cmd}, ${JSON.stringify(m.name)}, ${encode});`;
    return `    ${m.name}(${params(m)}) {\n${m.resetsControls ? '        this.resetControls();\n' : ''}        ${body}\n    }`;
  });
  return `class ${proxyClassName(iface)} extends tsIpa.RemoteProxy {\n${methods.join('\n\n')}\n}`;
}

/** `dispatch<Interface>(ipa, cmd, r)`: decodes call `cmd` and invokes the IPA; returns what it returns. */
export function emitDispatch(iface: InterfaceModel, target: string, suffix: 'Call' | 'Event'): string {
  const cases = iface.methods.map((m) => {
    const list = params(m);
    const decodeParams = paramsNames(m, suffix).decode;
    const decode = list ? [`const [${list}] = ${decodeParams}(r);`] : [`${decodeParams}(r);`];
    const invoke = suffix === 'Call' ? `return ${target}.${m.name}(${list});` : `return ${target}(${JSON.stringify(m.name)}${list ? `, ${list}` : ''});`;
    return `case ${m.cmd}: {\n${indent([...decode, invoke], 1)}\n}`;
  });
  const first = suffix === 'Call' ? 'ipa' : 'emit';
  return `function ${dispatchName(iface)}(${first}, cmd, r) {
    switch (cmd) {
${indent(cases, 2)}
        default:
            throw new tsIpa.UnknownCommandError(${JSON.stringify(iface.name)}, cmd);
    }
}`;
}

/** `<Events>Senders(send)`: the object the IPA calls to send events. */
export function emitEventSenders(events: InterfaceModel): string {
  const methods = events.methods.map((e) => {
    return `        ${e.name}(${params(e)}) {\n            send(${e.cmd}, ${JSON.stringify(e.name)}, (w) => ${paramsNames(e, 'Event').encode}(${withW(params(e))}));\n        },`;
  });
  return `function ${sendersName(events)}(send) {\n    return {\n${methods.join('\n')}\n    };\n}`;
}

export function emitStubs(model: ContractModel): string[] {
  if (!model.interface || !model.events) return [];
  return [
    emitProxyClass(model.interface),
    emitDispatch(model.interface, 'ipa', 'Call'),
    emitEventSenders(model.events),
    emitDispatch(model.events, 'emit', 'Event'),
  ];
}

/** Names the stubs take, for the collision check. */
export function stubNames(model: Pick<ContractModel, 'interface' | 'events'>): string[] {
  return [
    ...(model.interface ? [proxyClassName(model.interface), dispatchName(model.interface)] : []),
    ...(model.events ? [sendersName(model.events), dispatchName(model.events)] : []),
  ];
}

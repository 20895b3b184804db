// The parts of xmpp.js 0.13/0.14 Convene uses. @xmpp/component ships no types; @types/xmpp__client
// describes a different layout of 0.14, so both are declared here, narrowly.
declare module '@xmpp/component' {
  import type { Element } from 'ltx';
  import type { EventEmitter } from 'node:events';

  export interface XmppJid {
    toString(): string;
    bare(): XmppJid;
    local: string;
    domain: string;
    resource: string;
  }
  export interface IqCaller {
    request(stanza: Element, timeoutMs?: number): Promise<Element>;
  }
  export interface IqCallee {
    get(ns: string, name: string, handler: (ctx: { stanza: Element; element: Element }) => unknown): void;
    set(ns: string, name: string, handler: (ctx: { stanza: Element; element: Element }) => unknown): void;
  }
  export interface Reconnect {
    delay: number;
    stop(): void;
  }
  export interface Component extends EventEmitter {
    jid: XmppJid | null;
    status: string;
    iqCaller: IqCaller;
    iqCallee: IqCallee;
    reconnect: Reconnect;
    start(): Promise<XmppJid>;
    stop(): Promise<void>;
    send(...stanzas: Element[]): Promise<void>;
  }
  export function component(options: { service: string; domain: string; password: string }): Component;
  export const xml: {
    (name: string, attrs?: Record<string, string | number | undefined> | null, ...children: unknown[]): Element;
    /** The ltx Element class xmpp.js checks replies against (its CJS build). */
    Element: typeof Element;
  };
  export function jid(address: string): XmppJid;
}

declare module '@xmpp/client' {
  import type { Element } from 'ltx';
  import type { Component, XmppJid } from '@xmpp/component';

  export type Client = Component;
  export type Authenticate = (
    credentials: { username?: string; password?: string },
    mechanism: string,
  ) => Promise<void>;
  export function client(options: {
    service: string;
    domain: string;
    resource?: string;
    username?: string;
    password?: string;
    credentials?: (authenticate: Authenticate, mechanisms: string[]) => Promise<void>;
  }): Client;
  export const xml: {
    (name: string, attrs?: Record<string, string | number | undefined> | null, ...children: unknown[]): Element;
    /** The ltx Element class xmpp.js checks replies against (its CJS build). */
    Element: typeof Element;
  };
  export function jid(address: string): XmppJid;
}

import type { Element } from 'ltx';
import { NS_FOCUS } from '../xml/namespaces.js';
import { expectElement, optAttr, optBool, reqAttr } from '../xml/read-element.js';
import { xmlElement } from '../xml/build-element.js';

/** `<bridge-session xmlns="http://jitsi.org/protocol/focus" id region? restart? ice-restart?>`. */
export interface BridgeSession {
  id: string;
  region?: string;
  /** Client asks for a full restart (in session-terminate). */
  restart?: boolean;
  /** Client asks for an in-place ICE restart (in session-info). */
  iceRestart?: boolean;
}

/** Parses `<bridge-session>`. */
export function parseBridgeSession(el: Element): BridgeSession {
  expectElement(el, 'bridge-session', NS_FOCUS);
  const bs: BridgeSession = { id: reqAttr(el, 'id') };
  const region = optAttr(el, 'region');
  if (region !== undefined) bs.region = region;
  const restart = optBool(el, 'restart');
  if (restart !== undefined) bs.restart = restart;
  const iceRestart = optBool(el, 'ice-restart');
  if (iceRestart !== undefined) bs.iceRestart = iceRestart;
  return bs;
}

/** Builds `<bridge-session>`. */
export function buildBridgeSession(bs: BridgeSession): Element {
  return xmlElement('bridge-session', {
    xmlns: NS_FOCUS,
    id: bs.id,
    region: bs.region,
    restart: bs.restart,
    'ice-restart': bs.iceRestart,
  });
}

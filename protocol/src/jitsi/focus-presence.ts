import type { Element } from 'ltx';
import { NS_ETHERPAD, NS_FOCUS, NS_JITMEET } from '../xml/namespaces.js';
import { expectNamed, childrenOf, optChild, optAttr, reqAttr, textOf } from '../xml/read-element.js';
import { xmlElement } from '../xml/build-element.js';

/** Well-known `conference-properties` keys (PROTOCOL.md §3.4). */
export const PROP_SUPPORT_TERMINATE_RESTART = 'support-terminate-restart';
export const PROP_BRIDGE_COUNT = 'bridge-count';

/** The focus's own presence extensions. */
export interface FocusPresence {
  /** `<conference-properties xmlns=focus><property key value/>`. */
  conferenceProperties: Record<string, string>;
  /** `<bridgeNotAvailable xmlns=focus/>` while bridge selection fails. */
  bridgeNotAvailable: boolean;
  /** `<versions xmlns=jitmeet><component name>version</component>`. */
  versions: Record<string, string>;
  etherpad?: string;
}

/** Reads the focus extensions from a MUC `<presence>`. */
export function parseFocusPresence(presence: Element): FocusPresence {
  expectNamed(presence, 'presence');
  const props = optChild(presence, 'conference-properties', NS_FOCUS);
  const versions = optChild(presence, 'versions', NS_JITMEET);
  const fp: FocusPresence = {
    conferenceProperties: Object.fromEntries(
      props === undefined
        ? []
        : childrenOf(props, 'property', NS_FOCUS).map((p) => [reqAttr(p, 'key'), optAttr(p, 'value') ?? '']),
    ),
    bridgeNotAvailable: optChild(presence, 'bridgeNotAvailable', NS_FOCUS) !== undefined,
    versions: Object.fromEntries(
      versions === undefined
        ? []
        : childrenOf(versions, 'component', NS_JITMEET).map((c) => [reqAttr(c, 'name'), textOf(c)]),
    ),
  };
  const etherpad = optChild(presence, 'etherpad', NS_ETHERPAD);
  if (etherpad !== undefined) fp.etherpad = textOf(etherpad);
  return fp;
}

/** Builds the focus extension elements (versions, conference-properties, bridgeNotAvailable, etherpad). */
export function buildFocusPresence(fp: FocusPresence): Element[] {
  const all = [
    Object.keys(fp.versions).length > 0 &&
      xmlElement(
        'versions',
        { xmlns: NS_JITMEET },
        Object.entries(fp.versions).map(([name, v]) => xmlElement('component', { name }, [v])),
      ),
    xmlElement(
      'conference-properties',
      { xmlns: NS_FOCUS },
      Object.entries(fp.conferenceProperties).map(([key, value]) => xmlElement('property', { key, value })),
    ),
    fp.bridgeNotAvailable && xmlElement('bridgeNotAvailable', { xmlns: NS_FOCUS }),
    fp.etherpad !== undefined && xmlElement('etherpad', { xmlns: NS_ETHERPAD }, [fp.etherpad]),
  ];
  return all.filter((e): e is Element => e !== false);
}

import { NS_COLIBRI } from '@convene/protocol/xml';
import { buildBreweryPresence, buildStatsElement, toXmppElement } from '@convene/bridge/xmpp';
import { xml } from '@xmpp/client';

describe('brewery stats presence', () => {
  it('writes one <stat name value> per stat, as strings, numbers rounded like JVB', () => {
    const el = buildStatsElement({ stress_level: 0.123456, drain: false, version: '0.1.0', conferences: 2 });
    expect(el.getNS()).toBe(NS_COLIBRI);
    const stats = Object.fromEntries(el.getChildren('stat').map((s) => [String(s.attrs.name), String(s.attrs.value)]));
    expect(stats).toEqual({ stress_level: '0.1235', drain: 'false', version: '0.1.0', conferences: '2' });
  });

  it('carries the MUC join marker only on the join presence', () => {
    const join = buildBreweryPresence('room@muc/jvb1', { drain: false }, true);
    const update = buildBreweryPresence('room@muc/jvb1', { drain: false }, false);
    expect(join.getChild('x', 'http://jabber.org/protocol/muc')).toBeDefined();
    expect(update.getChild('x', 'http://jabber.org/protocol/muc')).toBeUndefined();
    expect(update.attrs.to).toBe('room@muc/jvb1');
  });

  it("rebuilds protocol elements with xmpp.js's ltx class so the IQ callee sends them", () => {
    const el = toXmppElement(buildStatsElement({ a: 1 }));
    expect(el).toBeInstanceOf(xml.Element);
    expect(el.getChild('stat')).toBeInstanceOf(xml.Element);
  });
});

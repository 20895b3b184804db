// XEP-0115 §5.2 and §5.3 give the verification string and hash of two disco answers: ours must match them exactly,
// or an honest client's caps would never be cached and a forged one could be.
import { CapsCache, capsVerMatches, capsVerificationString } from '@convene/focus/conference';
import { parseXml } from '@convene/protocol/xml';

const SIMPLE = `<query xmlns='http://jabber.org/protocol/disco#info'>
  <identity category='client' name='Exodus 0.9.1' type='pc'/>
  <feature var='http://jabber.org/protocol/caps'/>
  <feature var='http://jabber.org/protocol/disco#info'/>
  <feature var='http://jabber.org/protocol/disco#items'/>
  <feature var='http://jabber.org/protocol/muc'/>
</query>`;

const COMPLEX = `<query xmlns='http://jabber.org/protocol/disco#info'>
  <identity xml:lang='en' category='client' name='Psi 0.11' type='pc'/>
  <identity xml:lang='el' category='client' name='Ψ 0.11' type='pc'/>
  <feature var='http://jabber.org/protocol/caps'/>
  <feature var='http://jabber.org/protocol/disco#info'/>
  <feature var='http://jabber.org/protocol/disco#items'/>
  <feature var='http://jabber.org/protocol/muc'/>
  <x xmlns='jabber:x:data' type='result'>
    <field var='FORM_TYPE' type='hidden'><value>urn:xmpp:dataforms:softwareinfo</value></field>
    <field var='ip_version'><value>ipv4</value><value>ipv6</value></field>
    <field var='os'><value>Mac</value></field>
    <field var='os_version'><value>10.5.1</value></field>
    <field var='software'><value>Psi</value></field>
    <field var='software_version'><value>0.11</value></field>
  </x>
</query>`;

describe('capsVerMatches', () => {
  it('builds the verification string of XEP-0115 §5.2', () => {
    expect(capsVerificationString(parseXml(SIMPLE))).toBe(
      'client/pc//Exodus 0.9.1<http://jabber.org/protocol/caps<http://jabber.org/protocol/disco#info<' +
        'http://jabber.org/protocol/disco#items<http://jabber.org/protocol/muc<',
    );
  });

  it('accepts the hashes of XEP-0115 §5.2 and §5.3', () => {
    expect(capsVerMatches('sha-1', 'QgayPKawpkPSDYmwT/WM94uAlu0=', parseXml(SIMPLE))).toBe(true);
    expect(capsVerMatches('sha-1', 'q07IKJEyjvHSyhy//CH0CxmKi8w=', parseXml(COMPLEX))).toBe(true);
  });

  it('refuses an answer missing a feature the ver covers', () => {
    const forged = SIMPLE.replace("<feature var='http://jabber.org/protocol/muc'/>", '');
    expect(capsVerMatches('sha-1', 'QgayPKawpkPSDYmwT/WM94uAlu0=', parseXml(forged))).toBe(false);
  });

  it('refuses an unknown hash and an answer with a duplicate feature', () => {
    expect(capsVerMatches('md5', 'QgayPKawpkPSDYmwT/WM94uAlu0=', parseXml(SIMPLE))).toBe(false);
    const dup = SIMPLE.replace('</query>', "<feature var='http://jabber.org/protocol/muc'/></query>");
    expect(capsVerMatches('sha-1', 'QgayPKawpkPSDYmwT/WM94uAlu0=', parseXml(dup))).toBe(false);
  });
});

describe('CapsCache', () => {
  it('forgets entries after their time to live', () => {
    const cache = new CapsCache<number>(10, 1000);
    cache.set('a', 1, 0);
    expect(cache.get('a', 999)).toBe(1);
    expect(cache.get('a', 1000)).toBeUndefined();
  });

  it('drops the least recently used entry beyond its size', () => {
    const cache = new CapsCache<number>(2, 1000);
    cache.set('a', 1, 0);
    cache.set('b', 2, 0);
    cache.get('a', 1);
    cache.set('c', 3, 2);
    expect([cache.get('a', 3), cache.get('b', 3), cache.get('c', 3)]).toEqual([1, undefined, 3]);
  });
});

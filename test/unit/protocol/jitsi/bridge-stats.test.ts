import { buildBridgeStats, parseBridgeStats, readBridgeLoad } from '@convene/protocol/jitsi';
import { parseXml } from '@convene/protocol/xml';
import { canonicalXml } from '../../../harness/xml-canonical.js';
import { fixtureNames, fixtureText, loadXml } from '../../../harness/xml-fixtures.js';
import { fuzzXmlParser } from '../../../harness/xml-fuzz.js';

describe('bridge stats', () => {
  it('round-trips the brewery stats', () => {
    const stats = parseBridgeStats(loadXml('jitsi/brewery-stats.xml'));
    const built = buildBridgeStats(stats);
    expect(parseBridgeStats(parseXml(built.toString()))).toEqual(stats);
    expect(canonicalXml(built)).toBe(canonicalXml(fixtureText('jitsi/brewery-stats.xml')));
  });

  it('reads the load the focus selects on', () => {
    expect(readBridgeLoad(parseBridgeStats(loadXml('jitsi/brewery-stats.xml')))).toEqual({
      stressLevel: 0.04,
      averageParticipantStress: 0.01,
      drain: false,
      gracefulShutdown: false,
      shuttingDown: false,
      healthy: true,
      version: '0.1.0',
      region: 'eu-west',
      relayId: '192.0.2.10',
    });
  });

  it('treats a bridge without drain as draining and applies defaults', () => {
    expect(readBridgeLoad({ stress_level: '0.5' })).toEqual({
      stressLevel: 0.5,
      averageParticipantStress: 0.01,
      drain: true,
      gracefulShutdown: false,
      shuttingDown: false,
    });
  });

  it.each([
    [{ stress_level: 'high' }, 'bad-number'],
    [{ drain: 'maybe' }, 'unknown-value'],
  ])('rejects %j with %s', (stats, code) => {
    expect(() => readBridgeLoad(stats)).toThrow(new RegExp(`^${code}:`));
  });

  it.each(
    fixtureNames('jitsi/bad', '.xml')
      .filter((n) => n.startsWith('stats-'))
      .map((n) => [n, n.split('--')[1]] as const),
  )('rejects %s', (name, code) => {
    expect(() => parseBridgeStats(loadXml(`jitsi/bad/${name}.xml`))).toThrow(new RegExp(`^${code}:`));
  });

  it('throws only ProtocolError for mutated stats', () => {
    fuzzXmlParser([fixtureText('jitsi/brewery-stats.xml')], (el) => readBridgeLoad(parseBridgeStats(el)));
  });
});

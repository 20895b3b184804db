import { buildChannelMessage, parseChannelMessage } from '@convene/protocol/channel';
import { ProtocolError } from '@convene/protocol/lib';
import { fixtureText } from '../../../harness/xml-fixtures.js';
import { fuzzTextParser } from '../../../harness/xml-fuzz.js';

const lines = (name: string) =>
  fixtureText(`channel/${name}`)
    .split('\n')
    .filter((l) => l.trim() !== '');
const good = lines('messages.jsonl');
const bad = lines('bad.jsonl').map((l) => [l.slice(l.indexOf(' ') + 1), l.slice(0, l.indexOf(' '))] as const);

describe('bridge-channel messages', () => {
  it.each(good)('round-trips %s', (text) => {
    const msg = parseChannelMessage(text);
    expect(JSON.parse(buildChannelMessage(msg))).toEqual(JSON.parse(text));
    expect(parseChannelMessage(buildChannelMessage(msg))).toEqual(msg);
  });

  it.each(bad)('rejects %s with %s', (text, code) => {
    expect(() => parseChannelMessage(text)).toThrow(new RegExp(`^${code}:`));
  });

  it('narrows by colibriClass', () => {
    const msg = parseChannelMessage(good[0] as string);
    if (msg.colibriClass !== 'ReceiverVideoConstraints') throw new Error('wrong class');
    expect(msg.constraints?.['b2c3d4e5-v0']?.maxHeight).toBe(720);
  });

  it('lowercases video types as JVB does', () => {
    const msg = parseChannelMessage(
      '{"colibriClass":"SourceVideoTypeMessage","sourceName":"a-v0","videoType":"DESKTOP"}',
    );
    expect(msg).toEqual({ colibriClass: 'SourceVideoTypeMessage', sourceName: 'a-v0', videoType: 'desktop' });
  });

  it('names the class and field in errors', () => {
    expect(() => parseChannelMessage('{"colibriClass":"LastNChangedEvent","lastN":"x"}')).toThrow(
      /LastNChangedEvent\.lastN/,
    );
    expect(() => parseChannelMessage('{')).toThrow(ProtocolError);
  });

  it('throws only ProtocolError for mangled messages', () => {
    fuzzTextParser(good, parseChannelMessage, 300);
  });
});

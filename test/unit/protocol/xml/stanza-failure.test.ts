import { InvalidStateError, NotFoundError, ProtocolError } from '@convene/protocol/lib';
import { StanzaFailure, answerIq, parseStanzaError, stanzaErrorFor, xmlElement } from '@convene/protocol/xml';

function recorder() {
  const lines: Array<[string, object, string]> = [];
  return {
    lines,
    log: {
      error: (fields: object, msg: string) => lines.push(['error', fields, msg]),
      warn: (fields: object, msg: string) => lines.push(['warn', fields, msg]),
    },
  };
}

describe('stanzaErrorFor', () => {
  it.each([
    [new ProtocolError('bad-xml', 'x'), 'bad-request', 'modify'],
    [new NotFoundError('nf', 'x'), 'item-not-found', 'cancel'],
    [new InvalidStateError('closed', 'x'), 'unexpected-request', 'wait'],
    [new Error('bug'), 'internal-server-error', 'cancel'],
  ] as const)('maps %p to %s (%s)', (err, condition, type) => {
    expect(stanzaErrorFor(err)).toMatchObject({ condition, type });
  });

  it('keeps a StanzaFailure as it is and gives a bug no text', () => {
    const f = new StanzaFailure('forbidden', { type: 'auth', condition: 'forbidden', text: 'no', extensions: [] });
    expect(stanzaErrorFor(f)).toBe(f.stanzaError);
    expect(stanzaErrorFor(new Error('secret detail'))).toEqual({
      type: 'cancel',
      condition: 'internal-server-error',
      extensions: [],
    });
  });
});

describe('answerIq', () => {
  it('returns the reply of a handler that succeeds, and nothing is counted', async () => {
    const { log, lines } = recorder();
    const errors = new Map<string, number>();
    const reply = xmlElement('query', { xmlns: 'urn:x' });
    expect(await answerIq(() => Promise.resolve(reply), { from: 'a@b', log, errors })).toBe(reply);
    expect(await answerIq(() => undefined, { from: 'a@b', log, errors })).toBeUndefined();
    expect(errors.size).toBe(0);
    expect(lines).toEqual([]);
  });

  it('answers a refusal with its stanza error, counted by code and logged as a warning', async () => {
    const { log, lines } = recorder();
    const errors = new Map<string, number>();
    const refuse = () => Promise.reject(new NotFoundError('no-such-room', 'gone'));
    const el = await answerIq(refuse, { from: 'a@b', log, errors });
    await answerIq(refuse, { from: 'a@b', log, errors });
    expect(parseStanzaError(el!)).toMatchObject({ condition: 'item-not-found', type: 'cancel' });
    expect(errors.get('no-such-room')).toBe(2);
    expect(lines.map(([level, , msg]) => `${level} ${msg}`)).toEqual(['warn iq refused', 'warn iq refused']);
  });

  it('answers a bug with internal-server-error, counted as bug and logged as an error', async () => {
    const { log, lines } = recorder();
    const errors = new Map<string, number>();
    const el = await answerIq(
      () => {
        throw new TypeError('x is undefined');
      },
      { from: 'a@b', log, errors },
    );
    expect(parseStanzaError(el!).condition).toBe('internal-server-error');
    expect(errors.get('bug')).toBe(1);
    expect(lines[0]![0]).toBe('error');
  });
});

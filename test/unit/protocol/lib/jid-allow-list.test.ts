import { JidAllowList } from '@convene/protocol/lib';
import { JidPattern } from '@convene/protocol/config';

describe('JidAllowList', () => {
  const list = new JidAllowList(['jvb@auth.meet.localhost', 'focus.meet.localhost', 'ops@auth.meet.localhost/jvb9']);

  it.each([
    ['jvb@auth.meet.localhost/jvb1', true],
    ['jvb@auth.meet.localhost', true],
    ['JVB@Auth.Meet.Localhost/jvb1', true],
    ['focus@focus.meet.localhost/focus', true],
    ['focus.meet.localhost', true],
    ['ops@auth.meet.localhost/jvb9', true],
    ['ops@auth.meet.localhost/JVB9', false],
    ['ops@auth.meet.localhost', false],
    ['mallory@auth.meet.localhost/jvb1', false],
    ['jvb@meet.localhost/jvb1', false],
    ['jvb@auth.meet.localhost.evil/x', false],
    ['focus@evil.focus.meet.localhost/focus', false],
    ['', false],
    [undefined, false],
  ])('allows %j: %s', (jid, allowed) => {
    expect(list.allows(jid)).toBe(allowed);
  });

  it('allows nobody when empty', () => {
    expect(new JidAllowList([]).allows('jvb@auth.meet.localhost/jvb1')).toBe(false);
  });
});

describe('JidPattern', () => {
  it.each(['jvb@auth.meet.localhost', 'focus.meet.localhost', 'focus@auth.meet.localhost/focus'])('accepts %s', (s) =>
    expect(JidPattern.safeParse(s).success).toBe(true),
  );
  it.each(['', 'a@b@c', '@auth.x', 'jvb@', 'a b@c', 'x/'])('rejects %j', (s) =>
    expect(JidPattern.safeParse(s).success).toBe(false),
  );
});

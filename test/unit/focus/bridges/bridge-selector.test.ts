import { Bridge, type BridgeState } from '@convene/focus/bridges';
import { selectBridge } from '@convene/focus/bridges';

const base: BridgeState = {
  stressLevel: 0.1,
  averageParticipantStress: 0.01,
  drain: false,
  gracefulShutdown: false,
  shuttingDown: false,
  region: undefined,
  version: '1',
  relayId: undefined,
};
const bridge = (nick: string, state: Partial<BridgeState> = {}) =>
  new Bridge(`jvbbrewery@internal.auth.meet.localhost/${nick}`, { ...base, ...state });
const pick = (bridges: Bridge[], request = {}, now = 1_000_000) => selectBridge(bridges, request, now)?.id;

describe('selectBridge', () => {
  it('picks the least stressed bridge', () => {
    expect(
      pick([bridge('a', { stressLevel: 0.5 }), bridge('b', { stressLevel: 0.2 }), bridge('c', { stressLevel: 0.3 })]),
    ).toBe('b');
  });

  it('returns undefined when there is no bridge', () => {
    expect(pick([])).toBeUndefined();
  });

  it('never picks a bridge that is shutting down', () => {
    expect(pick([bridge('a', { shuttingDown: true })])).toBeUndefined();
  });

  it('prefers non-draining, then not in graceful shutdown, even when busier', () => {
    expect(pick([bridge('a', { drain: true, stressLevel: 0 }), bridge('b', { stressLevel: 0.7 })])).toBe('b');
    expect(pick([bridge('a', { gracefulShutdown: true, stressLevel: 0 }), bridge('b', { stressLevel: 0.7 })])).toBe(
      'b',
    );
    expect(pick([bridge('a', { drain: true })])).toBe('a');
  });

  it("prefers the participant's region unless that bridge is overloaded", () => {
    const eu = bridge('eu', { region: 'eu', stressLevel: 0.5 });
    const us = bridge('us', { region: 'us', stressLevel: 0.1 });
    expect(pick([eu, us], { region: 'eu' })).toBe('eu');
    expect(pick([eu, us], {})).toBe('us');
    expect(pick([bridge('eu', { region: 'eu', stressLevel: 0.85 }), us], { region: 'eu' })).toBe('us');
  });

  it('skips a bridge that failed a request until the failure ages out', () => {
    const a = bridge('a', { stressLevel: 0 });
    const b = bridge('b', { stressLevel: 0.5 });
    a.markFailed(1_000_000);
    expect(pick([a, b], {}, 1_000_000 + 1_000)).toBe('b');
    expect(pick([a, b], {}, 1_000_000 + 61_000)).toBe('a');
  });

  it('counts endpoints allocated in the last 20 s towards stress', () => {
    const a = bridge('a', { stressLevel: 0.1, averageParticipantStress: 0.05 });
    const b = bridge('b', { stressLevel: 0.2 });
    for (let i = 0; i < 3; i++) a.endpointAdded(1_000_000);
    expect(pick([a, b], {}, 1_000_500)).toBe('b');
    expect(pick([a, b], {}, 1_000_000 + 21_000)).toBe('a');
  });

  it('leaves out excluded bridges', () => {
    const a = bridge('a', { stressLevel: 0 });
    expect(pick([a, bridge('b')], { exclude: new Set([a.jid]) })).toBe('b');
  });
});

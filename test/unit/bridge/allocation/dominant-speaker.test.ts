import { DominantSpeakerDetector } from '@convene/bridge/allocation';

const SPEECH = 30;
const SILENCE = 127;

/** Runs `intervals` of 100 ms with one level per endpoint per interval; returns the dominant speaker after each. */
function run(d: DominantSpeakerDetector, levels: Record<string, number>, intervals: number): (string | undefined)[] {
  const out: (string | undefined)[] = [];
  for (let i = 0; i < intervals; i++) {
    for (const [id, level] of Object.entries(levels)) d.add(id).onLevel(level);
    d.evaluate();
    out.push(d.dominant);
  }
  return out;
}

describe('DominantSpeakerDetector', () => {
  it('picks whoever keeps speaking, within a second', () => {
    const d = new DominantSpeakerDetector();
    const seen = run(d, { a: SILENCE, b: SPEECH, c: SILENCE }, 10);
    expect(seen.at(-1)).toBe('b');
    expect(seen.indexOf('b')).toBeLessThan(10);
  });

  it('does not switch on a single loud packet or a short cough', () => {
    const d = new DominantSpeakerDetector();
    run(d, { a: SPEECH, b: SILENCE }, 15);
    expect(run(d, { a: SPEECH, b: 0 }, 1)).toEqual(['a']); // b's one loud interval, a keeps talking
    expect(run(d, { a: SPEECH, b: SPEECH }, 3).every((x) => x === 'a')).toBe(true);
  });

  it('hands over when the other one talks and the dominant one stops, and keeps recent speakers', () => {
    const d = new DominantSpeakerDetector();
    run(d, { a: SPEECH, b: SILENCE }, 15);
    const seen = run(d, { a: SILENCE, b: SPEECH }, 20);
    expect(seen.at(-1)).toBe('b');
    expect(seen.indexOf('b')).toBeLessThan(10);
    expect(d.recentSpeakers).toEqual(['b', 'a']);
  });

  it('stays with the last speaker during silence', () => {
    const d = new DominantSpeakerDetector();
    run(d, { a: SPEECH, b: SILENCE }, 15);
    expect(run(d, { a: SILENCE, b: SILENCE }, 30).at(-1)).toBe('a');
  });

  it('forgets an endpoint that left', () => {
    const d = new DominantSpeakerDetector();
    run(d, { a: SPEECH, b: SILENCE }, 15);
    run(d, { a: SILENCE, b: SPEECH }, 20);
    expect(d.remove('b')).toBe(true);
    expect(d.dominant).toBe('a');
  });
});

describe('DominantSpeakerDetector handover', () => {
  it('gives way within about half a second once the dominant speaker went quiet and another talks', () => {
    const d = new DominantSpeakerDetector();
    run(d, { a: SPEECH, b: SILENCE }, 15);
    const seen = run(d, { a: SILENCE, b: SPEECH }, 10);
    expect(seen.indexOf('b')).toBeLessThanOrEqual(5);
  });
});

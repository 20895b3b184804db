import { toEndpointId, toSourceName, toSsrc } from '@convene/protocol/lib';
import type { EndpointSources } from '@convene/protocol/sources';
import { ConferenceSources, stripSimulcast } from '@convene/focus/conference';

const A = toEndpointId('aaaa');
const B = toEndpointId('bbbb');
const src = (ssrc: number, name: string, msid = `${name} track`) => ({
  ssrc: toSsrc(ssrc),
  name: toSourceName(name),
  msid,
  parameters: [],
});
const set = (audio: number[], video: number[], groups: EndpointSources['video']['groups'] = []): EndpointSources => ({
  audio: { sources: audio.map((s) => src(s, 'x-a0')), groups: [] },
  video: { sources: video.map((s) => src(s, 'x-v0', 'v track')), groups },
});

describe('ConferenceSources', () => {
  it('adds sources with their owner and hands them to everyone else', () => {
    const c = new ConferenceSources();
    const added = c.tryAdd(A, set([1], [2]));
    expect(added.audio.sources[0]?.owner).toBe(A);
    expect([...c.forReceiver(B).keys()]).toEqual([A]);
    expect(c.forReceiver(A).size).toBe(0);
  });

  it('refuses an SSRC another endpoint owns, and changes nothing', () => {
    const c = new ConferenceSources();
    c.tryAdd(A, set([1], [2]));
    expect(() => c.tryAdd(B, set([3], [2]))).toThrow(/^ssrc-conflict:/);
    expect(c.of(B).audio.sources).toEqual([]);
  });

  it('refuses a FID group that is not a pair, or that names unknown SSRCs', () => {
    const c = new ConferenceSources();
    expect(() => c.tryAdd(A, set([], [2, 3, 4], [{ semantics: 'FID', ssrcs: [2, 3, 4].map(toSsrc) }]))).toThrow(
      /^bad-group:/,
    );
    expect(() => c.tryAdd(A, set([], [2], [{ semantics: 'FID', ssrcs: [2, 9].map(toSsrc) }]))).toThrow(/^bad-group:/);
    expect(c.of(A).video.sources).toEqual([]);
  });

  it('caps an endpoint at 20 SSRCs', () => {
    const c = new ConferenceSources();
    expect(() =>
      c.tryAdd(
        A,
        set(
          [],
          Array.from({ length: 21 }, (_, i) => i + 1),
        ),
      ),
    ).toThrow(/^too-many-sources:/);
  });

  it('removes sources and the groups that named them', () => {
    const c = new ConferenceSources();
    c.tryAdd(A, set([], [2, 3], [{ semantics: 'FID', ssrcs: [2, 3].map(toSsrc) }]));
    const removed = c.remove(A, set([], [3]));
    expect(removed.video.sources.map((s) => s.ssrc)).toEqual([3]);
    expect(removed.video.groups).toHaveLength(1);
    expect(c.of(A).video.groups).toEqual([]);
  });
});

describe('stripSimulcast', () => {
  it('keeps only the first SIM layer and its RTX', () => {
    const full = set(
      [],
      [1, 2, 3, 4, 5, 6],
      [
        { semantics: 'SIM', ssrcs: [1, 2, 3].map(toSsrc) },
        { semantics: 'FID', ssrcs: [1, 4].map(toSsrc) },
        { semantics: 'FID', ssrcs: [2, 5].map(toSsrc) },
        { semantics: 'FID', ssrcs: [3, 6].map(toSsrc) },
      ],
    );
    const out = stripSimulcast(full);
    expect(out.video.sources.map((s) => s.ssrc)).toEqual([1, 4]);
    expect(out.video.groups).toEqual([{ semantics: 'FID', ssrcs: [1, 4] }]);
  });
});

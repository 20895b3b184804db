import { mungeSimulcast, svcEncoding } from '../../../web/src/media/simulcast.js';
import { constraintsForLayout, ladderHeight } from '../../../web/src/media/receiver-constraints.js';

const ANSWER = [
  'v=0',
  'o=- 1 2 IN IP4 127.0.0.1',
  's=-',
  't=0 0',
  'm=audio 9 UDP/TLS/RTP/SAVPF 111',
  'a=mid:0',
  'a=ssrc:11 cname:c',
  'm=video 9 UDP/TLS/RTP/SAVPF 100 96',
  'a=mid:1',
  'a=ssrc-group:FID 21 22',
  'a=ssrc:21 cname:c',
  'a=ssrc:21 msid:s t',
  'a=ssrc:22 cname:c',
  'a=ssrc:22 msid:s t',
  '',
].join('\r\n');

describe('mungeSimulcast', () => {
  it('adds a SIM group of three (the browser SSRC first) with an RTX partner each', () => {
    const { sdp, ssrcs } = mungeSimulcast(ANSWER, '1');
    expect(ssrcs?.primaries[0]).toBe(21);
    expect(ssrcs?.rtx[0]).toBe(22);
    const video = sdp.split('m=video')[1]!;
    expect(video).toContain(`a=ssrc-group:SIM 21 ${ssrcs!.primaries[1]} ${ssrcs!.primaries[2]}`);
    expect(video).toContain(`a=ssrc-group:FID ${ssrcs!.primaries[2]} ${ssrcs!.rtx[2]}`);
    expect(video).toContain(`a=ssrc:${ssrcs!.primaries[1]} msid:s t`);
    expect(sdp.endsWith('\r\n')).toBe(true);
    expect(sdp.split('m=audio')[1]!.split('m=video')[0]).not.toContain('SIM');
    // Renegotiating keeps the same SSRCs, and a munged answer is left alone.
    expect(mungeSimulcast(ANSWER, '1', ssrcs).sdp).toBe(sdp);
    expect(mungeSimulcast(sdp, '1').sdp).toBe(sdp);
  });

  it('leaves an m-line that sends nothing alone', () => {
    expect(mungeSimulcast(ANSWER, '7').sdp).toBe(ANSWER);
  });
});

describe('constraintsForLayout', () => {
  it('puts the only other person on stage at 720p', () => {
    const m = constraintsForLayout({ hidden: false, remotes: [{ sourceName: 'b-v0', shownHeight: 300 }] });
    expect(m).toMatchObject({ onStageSources: ['b-v0'], constraints: { 'b-v0': { maxHeight: 720 } } });
  });

  it('asks grid tiles at the height they are shown, nothing when hidden, a fixed height when told', () => {
    const grid = constraintsForLayout({
      hidden: false,
      remotes: [
        { sourceName: 'b-v0', shownHeight: 150 },
        { sourceName: 'c-v0', shownHeight: 300 },
      ],
    });
    expect(grid.constraints).toEqual({ 'b-v0': { maxHeight: 180 }, 'c-v0': { maxHeight: 360 } });
    expect(constraintsForLayout({ hidden: true, remotes: [] }).defaultConstraints).toEqual({ maxHeight: 0 });
    expect(constraintsForLayout({ hidden: false, remotes: [], override: 180 }).defaultConstraints).toEqual({
      maxHeight: 180,
    });
    expect(ladderHeight(2000)).toBe(720);
  });
});

describe('SVC encoding for the height receivers need (lib-jitsi-meet)', () => {
  it('sends three spatial layers when someone needs 720 (or nobody limits), fewer below', () => {
    expect(svcEncoding(-1, 720, 'vp9')).toEqual({
      scalabilityMode: 'L3T3_KEY',
      scaleResolutionDownBy: 1,
      maxBitrate: 1_200_000,
    });
    expect(svcEncoding(720, 720, 'av1')).toEqual({
      scalabilityMode: 'L3T3_KEY',
      scaleResolutionDownBy: 1,
      maxBitrate: 1_000_000,
    });
    expect(svcEncoding(540, 720, 'vp9')).toEqual({
      scalabilityMode: 'L2T3_KEY',
      scaleResolutionDownBy: 2,
      maxBitrate: 300_000,
    });
    expect(svcEncoding(180, 720, 'vp9')).toEqual({
      scalabilityMode: 'L1T3',
      scaleResolutionDownBy: 4,
      maxBitrate: 100_000,
    });
    // Below the lowest layer the base layer still goes (the receiver scales it).
    expect(svcEncoding(90, 720, 'av1').scalabilityMode).toBe('L1T3');
    // A smaller camera is never scaled up.
    expect(svcEncoding(-1, 180, 'vp9').scaleResolutionDownBy).toBe(1);
  });
});

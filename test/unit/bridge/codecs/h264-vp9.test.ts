import fc from 'fast-check';
import { isH264Keyframe, isVp9Keyframe, newVp9Info, readVp9 } from '@convene/bridge/codecs';

describe('H264 keyframes', () => {
  it.each([
    ['an IDR NAL', [0x65, 0], true],
    ['an SPS', [0x67, 0], true],
    ['a non-IDR slice', [0x41, 0], false],
    ['FU-A starting an IDR', [0x7c, 0x85, 0], true],
    ['FU-A continuing an IDR', [0x7c, 0x05, 0], false],
    ['STAP-A with SPS', [0x78, 0, 2, 0x67, 0, 0, 2, 0x68, 0], true],
    ['STAP-A with a P slice', [0x78, 0, 2, 0x41, 0], false],
  ])('%s', (_name, bytes, key) => {
    const b = Buffer.from(bytes);
    expect(isH264Keyframe(b, 0, b.length)).toBe(key);
  });

  it('never throws', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 40 }), (a) => void isH264Keyframe(a, 0, a.length)));
  });
});

describe('VP9 payload descriptor', () => {
  it('reads a keyframe with layer indices and its scalability structure', () => {
    // I P L F B E V Z = 1 0 1 0 1 0 1 0; 15-bit picture id; TID 0 U 0 SID 0 D 0; TL0PICIDX; SS with 2 layers.
    const b = Buffer.from([0xaa, 0x80, 0x09, 0x00, 42, 0x30, 0x01, 0x40, 0x00, 0xb4, 0x02, 0x80, 0x01, 0x68]);
    const info = newVp9Info();
    expect(readVp9(b, 0, b.length, info)).toBe(true);
    expect(isVp9Keyframe(info)).toBe(true);
    expect(info).toMatchObject({ pictureId: 9, spatialId: 0, temporalId: 0, tl0PicIdx: 42, ssSpatialLayers: 2 });
    expect([...info.widths.slice(0, 2)]).toEqual([320, 640]);
    expect([...info.heights.slice(0, 2)]).toEqual([180, 360]);
  });

  it('reads a flexible-mode delta frame of spatial layer 1 with the end-of-frame bit', () => {
    // I P L F B E = 1 1 1 1 0 1; 7-bit picture id; TID 2 U 1 SID 1 D 1; one P_DIFF.
    const b = Buffer.from([0xf4, 0x05, 0x53, 0x02]);
    const info = newVp9Info();
    expect(readVp9(b, 0, b.length, info)).toBe(true);
    expect(info).toMatchObject({ spatialId: 1, temporalId: 2, switchingUp: true, endOfFrame: true, flexible: true });
    expect(isVp9Keyframe(info)).toBe(false);
  });

  it('never throws on random bytes', () => {
    const info = newVp9Info();
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 60 }), (a) => void readVp9(a, 0, a.length, info)),
      {
        numRuns: 3000,
      },
    );
  });
});

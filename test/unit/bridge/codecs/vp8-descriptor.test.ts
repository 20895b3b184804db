import fc from 'fast-check';
import { newVp8Info, readVp8, writeVp8PictureId, writeVp8Tl0PicIdx } from '@convene/bridge/codecs';

/** X=1, S=1, PID=0; I L T set; 15-bit picture id; then a VP8 keyframe header 640x360. */
function keyframePayload(pictureId: number, tl0: number, tid: number): Buffer {
  return Buffer.from([
    0x90,
    0xe0,
    0x80 | (pictureId >> 8),
    pictureId & 0xff,
    tl0,
    (tid << 6) | 0x20,
    0x10, // frame tag: P=0 (keyframe)
    0x02,
    0x00,
    0x9d,
    0x01,
    0x2a,
    640 & 0xff,
    640 >> 8,
    360 & 0xff,
    360 >> 8,
  ]);
}

describe('VP8 payload descriptor', () => {
  it('reads picture id, TL0PICIDX, temporal id and a keyframe with its size', () => {
    const info = newVp8Info();
    const b = keyframePayload(0x1234, 77, 0);
    expect(readVp8(b, 0, b.length, info)).toBe(true);
    expect(info).toMatchObject({
      start: true,
      keyframe: true,
      pictureId: 0x1234,
      pictureIdBits: 15,
      tl0PicIdx: 77,
      temporalId: 0,
      layerSync: true,
      width: 640,
      height: 360,
    });
  });

  it('sees a delta frame and a continuation packet', () => {
    const info = newVp8Info();
    const delta = Buffer.from([0x90, 0xa0, 0x80, 0x05, 0x40, 0x01, 0, 0]); // I, T; tid 1; P=1
    expect(readVp8(delta, 0, delta.length, info)).toBe(true);
    expect(info).toMatchObject({ start: true, keyframe: false, temporalId: 1, tl0PicIdx: -1, pictureId: 5 });
    const cont = Buffer.from([0x80, 0x80, 0x80, 0x05, 0xff]); // S=0
    readVp8(cont, 0, cont.length, info);
    expect(info.start).toBe(false);
  });

  it('rewrites picture id and TL0PICIDX in place', () => {
    const info = newVp8Info();
    const b = keyframePayload(0x7fff, 255, 0);
    readVp8(b, 0, b.length, info);
    writeVp8PictureId(b, info, 0x0102);
    writeVp8Tl0PicIdx(b, info, 9);
    readVp8(b, 0, b.length, info);
    expect([info.pictureId, info.tl0PicIdx]).toEqual([0x0102, 9]);
  });

  it('reports truncated descriptors as malformed and never throws', () => {
    const info = newVp8Info();
    expect(readVp8(Buffer.from([0x90, 0xe0, 0x80]), 0, 3, info)).toBe(false);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), (a) => {
        readVp8(a, 0, a.length, info);
      }),
      { numRuns: 3000 },
    );
  });
});

import fc from 'fast-check';
import {
  DD_NO_STRUCTURE,
  DD_OK,
  DTI_DISCARDABLE,
  DTI_NOT_PRESENT,
  DTI_SWITCH,
  av1DecodeTargetFor,
  newAv1FrameInfo,
  newAv1TemplateStructure,
  readAv1DependencyDescriptor,
} from '@convene/bridge/codecs';
import { BitWriter } from './bit-writer.js';

/** L2T2: templates (s0,t0) (s0,t1) (s1,t0) (s1,t1); 4 decode targets S0T0 S0T1 S1T0 S1T1; sizes 320x180, 640x360. */
function keyframeDescriptor(frameNumber: number): Buffer {
  const w = new BitWriter();
  w.f(1, 1).f(1, 0).f(6, 0).f(16, frameNumber); // start, end, template id 0, frame number
  w.f(1, 1).f(1, 0).f(1, 0).f(1, 0).f(1, 0); // structure present, nothing custom
  w.f(6, 0).f(5, 3); // template id offset 0, 4 decode targets
  w.f(2, 1).f(2, 2).f(2, 1).f(2, 3); // template layers
  const dtis = [
    [DTI_SWITCH, DTI_SWITCH, DTI_SWITCH, DTI_SWITCH],
    [DTI_NOT_PRESENT, DTI_DISCARDABLE, DTI_NOT_PRESENT, DTI_DISCARDABLE],
    [DTI_NOT_PRESENT, DTI_NOT_PRESENT, DTI_SWITCH, DTI_SWITCH],
    [DTI_NOT_PRESENT, DTI_NOT_PRESENT, DTI_NOT_PRESENT, DTI_DISCARDABLE],
  ];
  for (const t of dtis) for (const d of t) w.f(2, d);
  for (let t = 0; t < 4; t++) w.f(1, 1).f(4, 0).f(1, 0); // one fdiff each
  w.f(2, 0); // ns(5): chain count 0 (w=3, m=3, v=f(2)=0)
  w.f(1, 1).f(16, 319).f(16, 179).f(16, 639).f(16, 359);
  return w.bytes();
}

function deltaDescriptor(templateId: number, frameNumber: number, end: boolean): Buffer {
  return new BitWriter()
    .f(1, 0)
    .f(1, end ? 1 : 0)
    .f(6, templateId)
    .f(16, frameNumber)
    .bytes();
}

describe('AV1 dependency descriptor', () => {
  it('reads the template structure of a keyframe, then frames by template id', () => {
    const s = newAv1TemplateStructure();
    const info = newAv1FrameInfo();
    const k = keyframeDescriptor(100);
    expect(readAv1DependencyDescriptor(k, 0, k.length, s, false, info)).toBe(DD_OK);
    expect(info).toMatchObject({
      structurePresent: true,
      startOfFrame: true,
      frameNumber: 100,
      activeDecodeTargets: 15,
    });
    expect(s).toMatchObject({ decodeTargetCount: 4, templateCount: 4, maxSpatialId: 1, maxTemporalId: 1 });
    expect([...s.decodeTargetSpatialId.slice(0, 4)]).toEqual([0, 0, 1, 1]);
    expect([...s.decodeTargetTemporalId.slice(0, 4)]).toEqual([0, 1, 0, 1]);
    expect([s.widths[1], s.heights[1]]).toEqual([640, 360]);
    expect(av1DecodeTargetFor(s, 0, 1)).toBe(1);
    expect(av1DecodeTargetFor(s, 1, 0)).toBe(2);

    const d = deltaDescriptor(3, 101, true);
    expect(readAv1DependencyDescriptor(d, 0, d.length, s, true, info)).toBe(DD_OK);
    expect(info).toMatchObject({ spatialId: 1, temporalId: 1, endOfFrame: true, structurePresent: false });
    expect([...info.dti.slice(0, 4)]).toEqual([0, 0, 0, DTI_DISCARDABLE]);
  });

  it('cannot read a frame before any structure', () => {
    const d = deltaDescriptor(1, 5, false);
    expect(readAv1DependencyDescriptor(d, 0, d.length, newAv1TemplateStructure(), false, newAv1FrameInfo())).toBe(
      DD_NO_STRUCTURE,
    );
  });

  it('never throws on random bytes, with or without a known structure', () => {
    const s = newAv1TemplateStructure();
    const info = newAv1FrameInfo();
    const k = keyframeDescriptor(1);
    readAv1DependencyDescriptor(k, 0, k.length, s, false, info);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), fc.boolean(), (a, known) => {
        const copy = newAv1TemplateStructure();
        readAv1DependencyDescriptor(a, 0, a.length, known ? s : copy, known, info);
      }),
      { numRuns: 5000 },
    );
  });
});

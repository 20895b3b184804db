// Send ring ownership: a slot a send still references (dgram keeps the Buffer until its callback) is never
// handed out again; the endpoint drops and counts instead, and every other endpoint's ring is unaffected.
import { SendRing } from '@convene/bridge/pipeline';

describe('SendRing', () => {
  it('never reuses a slot a send still holds, and frees it when the send completes', () => {
    const ring = new SendRing();
    const releases: Array<(err: Error | null) => void> = [];
    const slots = new Set<Buffer>();
    for (let i = 0; i < 256; i++) {
      const slot = ring.next()!;
      slots.add(slot);
      releases.push(ring.hold());
    }
    expect(slots.size).toBe(256);
    expect(ring.held).toBe(256);
    // The socket is stuck: the ring is full of sends in flight, and next() refuses rather than overwrite.
    expect(ring.next()).toBeUndefined();
    expect(ring.next()).toBeUndefined();
    // The first send completes: exactly that slot comes back, the next one is still held.
    releases[0]!(null);
    expect(ring.next()).toBeDefined();
    expect(ring.next()).toBeUndefined();
    expect(ring.held).toBe(255);
  });

  it('keeps one endpoint stuck without touching another endpoint’s ring', () => {
    const stuck = new SendRing();
    const other = new SendRing();
    for (let i = 0; i < 256; i++) {
      stuck.next();
      stuck.hold();
    }
    let sent = 0;
    for (let i = 0; i < 1000; i++) {
      expect(stuck.next()).toBeUndefined();
      const slot = other.next();
      expect(slot).toBeDefined();
      other.hold()(null); // a send that completes
      sent++;
    }
    expect(sent).toBe(1000);
    expect(other.held).toBe(0);
  });

  it('holds a slot once per send (a retransmission of a slot in flight) and reports send errors', () => {
    const ring = new SendRing();
    const errors: Error[] = [];
    ring.onSendError = (e) => errors.push(e);
    const slot = ring.next()!;
    slot.writeUInt16BE(7, 2);
    slot.writeUInt32BE(99, 8);
    ring.markRtp(100);
    const first = ring.hold();
    const found = ring.findRtp(99, 7)!;
    const again = ring.hold(found.at);
    expect(ring.held).toBe(2);
    first(null);
    again(new Error('EHOSTUNREACH'));
    expect(ring.held).toBe(0);
    expect(errors.map((e) => e.message)).toEqual(['EHOSTUNREACH']);
  });
});

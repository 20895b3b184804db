import { browserSuite } from '../harness/browser-suite.js';
import { waitUntil } from '../harness/wait-for.js';
const suite = browserSuite();
async function raw(p: import('../harness/browser-page.js').BrowserParticipant) {
  return p.page.evaluate(async () => {
    const out: string[] = [];
    (await window.convene!.peerConnection!.getStats()).forEach((s: Record<string, unknown>) => {
      if (s.type === 'inbound-rtp' && s.kind === 'video' && (s.packetsReceived as number) > 0)
        out.push(`ssrc=${s.ssrc} pkts=${s.packetsReceived} lost=${s.packetsLost} fr=${s.framesReceived} fd=${s.framesDecoded} kf=${s.keyFramesDecoded} fdrop=${s.framesDropped} h=${s.frameHeight} pli=${s.pliCount} nack=${s.nackCount} fir=${s.firCount}`);
    });
    (await window.convene!.peerConnection!.getStats()).forEach((s: Record<string, unknown>) => {
      if (s.type === 'candidate-pair' && s.nominated === true) out.push(`bwe=${s.availableOutgoingBitrate}`);
    });
    return out.join(' | ');
  });
}
it('debug', async () => {
  const a = await suite.join('dbg', 'Ann');
  await suite.join('dbg', 'High', 'receiveHeight=720&resolution=180');
  const b = await suite.join('dbg', 'Low', 'receiveHeight=180&resolution=180');
  await waitUntil('id', () => a.endpointId());
  for (let i = 0; i < 30; i++) {
    await new Promise((r) => setTimeout(r, 1000));
    if (i === 12) await b.setReceiveHeight(720);
    if (i === 20) await b.setReceiveHeight(180);
    process.stdout.write(`t=${i}s ${await raw(b)} SENDER ${await raw(a)} ${JSON.stringify(await a.encodings())}\n`);
  }
  const lines = suite.stack.bridge.lines.filter((l) => /keyframe|error|warn/i.test(l)).slice(-10);
  process.stdout.write(lines.join('\n') + '\n');
}, 120_000);

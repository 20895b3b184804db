import { BridgeStats, computeRates, conferenceSizeHistogram, type StatsInputs } from '@convene/bridge/metrics';

function inputs(over: Partial<StatsInputs> = {}): StatsInputs {
  return {
    conferenceSizes: [2, 3],
    totals: {
      conferencesCreated: 4,
      conferencesCompleted: 2,
      conferenceSeconds: 60,
      endpointsCreated: 9,
      endpointsExpired: 5,
      endpointsHungUp: 4,
      endpointsIceFailed: 1,
      endpointsDtlsFailed: 2,
    },
    socket: { datagramsIn: 0, bytesIn: 0, datagramsOut: 0, bytesOut: 0 },
    channel: { messagesReceived: 12, messagesSent: 14 },
    channelMessages: { websocket: { received: 5, sent: 6 }, sctp: { received: 7, sent: 8 } },
    drain: false,
    gracefulShutdown: false,
    shuttingDown: false,
    healthy: true,
    mucsJoined: 1,
    ...over,
  };
}

describe('BridgeStats', () => {
  it('publishes every stat the focus reads under JVB names', () => {
    const s = new BridgeStats({ version: '0.1.0', region: 'eu-west', maxPacketRate: 50_000 }, () => inputs());
    const p = s.presenceStats();
    expect(p).toMatchObject({
      stress_level: 0,
      average_participant_stress: 0.01,
      drain: false,
      graceful_shutdown: false,
      shutting_down: false,
      healthy: true,
      version: '0.1.0',
      region: 'eu-west',
      conferences: 2,
      participants: 5,
      largest_conference: 3,
      total_conferences_created: 4,
      total_participants: 9,
      total_ice_failed: 1,
      dtls_failed_endpoints: 2,
      total_colibri_web_socket_messages_received: 5,
      total_colibri_web_socket_messages_sent: 6,
      total_data_channel_messages_received: 7,
      total_data_channel_messages_sent: 8,
    });
    expect(p).not.toHaveProperty('relay_id');
    expect(p).not.toHaveProperty('conference_sizes');
    expect(s.snapshot().conference_sizes).toEqual(conferenceSizeHistogram([2, 3]));
  });

  it('leaves region out when none is configured', () => {
    const s = new BridgeStats({ version: '1', region: undefined, maxPacketRate: 1 }, () => inputs());
    expect(s.presenceStats()).not.toHaveProperty('region');
  });

  it('computes stress from the packet rate between two samples', () => {
    let socket = { datagramsIn: 0, bytesIn: 0, datagramsOut: 0, bytesOut: 0 };
    const s = new BridgeStats({ version: '1', region: undefined, maxPacketRate: 1000 }, () => inputs({ socket }));
    s.sample(10_000);
    socket = { datagramsIn: 300, bytesIn: 125_000, datagramsOut: 200, bytesOut: 250_000 };
    s.sample(11_000);
    expect(s.rates).toEqual({
      bitRateDownloadKbps: 1000,
      bitRateUploadKbps: 2000,
      packetRateDownload: 300,
      packetRateUpload: 200,
    });
    expect(s.stressLevel).toBeCloseTo(0.5);
  });

  it("takes the thread's busy share against maxLoopUtilization when it is higher than the packet term", () => {
    const socket = { datagramsIn: 0, bytesIn: 0, datagramsOut: 0, bytesOut: 0 };
    let busy = 0.2;
    const s = new BridgeStats(
      { version: '1', region: undefined, maxPacketRate: 1000, maxLoopUtilization: 0.5, loopUtilization: () => busy },
      () => inputs({ socket }),
    );
    s.sample(10_000);
    expect(s.loopUtilization).toBe(0.2);
    expect(s.stressLevel).toBeCloseTo(0.4); // no packets: the thread alone
    busy = 0.6;
    s.sample(11_000);
    expect(s.stressLevel).toBeCloseTo(1.2); // past full: Jicofo and our focus see an overloaded bridge
    // A reading out of range (or not a number) is clamped or ignored, never a negative or NaN stress.
    busy = -1;
    s.sample(12_000);
    expect(s.loopUtilization).toBe(0);
    busy = NaN;
    s.sample(13_000);
    expect(s.loopUtilization).toBe(0);
    expect(s.presenceStats().stress_level).toBe(0);
  });

  it('defaults maxLoopUtilization to 0.8 and keeps the packet term when it is the higher', () => {
    let socket = { datagramsIn: 0, bytesIn: 0, datagramsOut: 0, bytesOut: 0 };
    const s = new BridgeStats(
      { version: '1', region: undefined, maxPacketRate: 1000, loopUtilization: () => 0.4 },
      () => inputs({ socket }),
    );
    s.sample(10_000);
    expect(s.stressLevel).toBeCloseTo(0.5);
    socket = { datagramsIn: 600, bytesIn: 0, datagramsOut: 300, bytesOut: 0 };
    s.sample(11_000);
    expect(s.stressLevel).toBeCloseTo(0.9);
  });

  it('never reports negative rates', () => {
    const a = { at: 0, bytesIn: 10, bytesOut: 10, packetsIn: 10, packetsOut: 10 };
    const b = { at: 1000, bytesIn: 0, bytesOut: 0, packetsIn: 0, packetsOut: 0 };
    expect(computeRates(a, b)).toEqual({
      bitRateDownloadKbps: 0,
      bitRateUploadKbps: 0,
      packetRateDownload: 0,
      packetRateUpload: 0,
    });
  });

  it('buckets conference sizes, 21 and over together', () => {
    const h = conferenceSizeHistogram([0, 1, 1, 30, 21]);
    expect(h).toHaveLength(22);
    expect([h[0], h[1], h[21]]).toEqual([1, 2, 2]);
  });
});

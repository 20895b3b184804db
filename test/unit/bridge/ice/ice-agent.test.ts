import {
  DEFAULT_ICE_TIMINGS,
  IceAgent,
  STUN_BINDING_ERROR,
  STUN_BINDING_REQUEST,
  STUN_BINDING_SUCCESS,
  checkIntegrity,
  readStun,
  writeStun,
  type IceState,
  type StunMessage,
} from '@convene/bridge/ice';

const LOCAL = { ufrag: 'brdg', pwd: 'bridge-password-0123456789' };
const REMOTE = { ufrag: 'peer', pwd: 'peer-password-0123456789ab' };
const PEER = { address: '127.0.0.1', port: 40000 };

function setup(consentTimeoutMs = 3000) {
  const sent: Array<{ msg: StunMessage; port: number; address: string }> = [];
  const states: IceState[] = [];
  const selected: string[] = [];
  const agent = new IceAgent({
    routeId: 0x01020304,
    local: LOCAL,
    timings: { ...DEFAULT_ICE_TIMINGS, consentTimeoutMs },
    allowLocalCandidates: true,
    send: (buf, port, address) => sent.push({ msg: readStun(buf, 0, buf.length)!, port, address }),
    onStateChange: (s) => states.push(s),
    onSelected: (address, port) => selected.push(`${address}:${port}`),
  });
  /** The peer answers the latest check the agent sent. */
  const answer = (now: number, from = PEER): StunMessage => {
    const check = sent.filter((s) => s.msg.type === STUN_BINDING_REQUEST).at(-1)!.msg;
    const res = writeStun({
      type: STUN_BINDING_SUCCESS,
      transactionId: check.transactionId,
      xorMappedAddress: { address: '127.0.0.1', port: 10000 },
      password: REMOTE.pwd,
    });
    agent.handleStun(readStun(res, 0, res.length)!, from.address, from.port, now);
    return check;
  };
  return { agent, sent, states, selected, answer };
}

describe('IceAgent', () => {
  it('sends controlling checks with the right credentials, then nominates and connects', () => {
    const { agent, sent, states, selected, answer } = setup();
    agent.setRemote(REMOTE, [{ ...PEER, priority: 2130706431, type: 'host' }], 0);
    agent.tick(0);
    const first = sent[0]!.msg;
    expect(sent[0]).toMatchObject({ port: PEER.port, address: PEER.address });
    expect(first).toMatchObject({ type: STUN_BINDING_REQUEST, username: 'peer:brdg', useCandidate: false });
    expect(first.iceControlling).toBe(agent.tieBreaker);
    expect(first.transactionId.readUInt32BE(0)).toBe(0x01020304);
    expect(checkIntegrity(first, REMOTE.pwd)).toBe(true);
    answer(10);
    const nomination = sent.at(-1)!.msg;
    expect(nomination.useCandidate).toBe(true);
    expect(states).toEqual(['checking']);
    answer(20);
    expect(states).toEqual(['checking', 'connected']);
    expect(selected).toEqual(['127.0.0.1:40000']);
  });

  it('answers a peer check with XOR-MAPPED-ADDRESS and learns a peer-reflexive candidate', () => {
    const { agent, sent } = setup();
    agent.setRemote(REMOTE, [], 0);
    const req = writeStun({
      type: STUN_BINDING_REQUEST,
      transactionId: Buffer.alloc(12, 7),
      username: 'brdg:peer',
      priority: 1845501695,
      password: LOCAL.pwd,
    });
    agent.handleStun(readStun(req, 0, req.length)!, '127.0.0.1', 41000, 5);
    const [reply, check] = sent;
    expect(reply!.msg).toMatchObject({
      type: STUN_BINDING_SUCCESS,
      xorMappedAddress: { address: '127.0.0.1', port: 41000 },
    });
    expect(checkIntegrity(reply!.msg, LOCAL.pwd)).toBe(true);
    expect(check).toMatchObject({ port: 41000, address: '127.0.0.1' }); // triggered check to the new candidate
  });

  it('ignores checks with a bad MESSAGE-INTEGRITY and counts them', () => {
    const { agent, sent } = setup();
    const req = writeStun({
      type: STUN_BINDING_REQUEST,
      transactionId: Buffer.alloc(12),
      username: 'brdg:peer',
      password: 'wrong',
    });
    agent.handleStun(readStun(req, 0, req.length)!, '127.0.0.1', 41000, 0);
    expect(sent).toHaveLength(0);
    expect(agent.counters.badIntegrity).toBe(1);
  });

  it('keeps the controlling role with a 487 when the peer also claims it with a lower tie-breaker', () => {
    const { agent, sent } = setup();
    const req = writeStun({
      type: STUN_BINDING_REQUEST,
      transactionId: Buffer.alloc(12, 1),
      username: 'brdg:peer',
      iceControlling: 0n,
      password: LOCAL.pwd,
    });
    agent.handleStun(readStun(req, 0, req.length)!, '127.0.0.1', 41000, 0);
    expect(sent[0]!.msg).toMatchObject({ type: STUN_BINDING_ERROR, errorCode: 487 });
  });

  it('fails when consent is not renewed within the timeout, and not before', () => {
    const { agent, states, answer } = setup(1000);
    agent.setRemote(REMOTE, [{ ...PEER, priority: 1, type: 'host' }], 0);
    agent.tick(0);
    answer(0);
    answer(0);
    expect(agent.state).toBe('connected');
    for (let t = 50; t <= 900; t += 50) agent.tick(t);
    expect(agent.state).toBe('connected');
    answer(900); // consent renewed by the peer answering a keep-alive
    for (let t = 950; t <= 1850; t += 50) agent.tick(t);
    expect(agent.state).toBe('connected');
    for (let t = 1900; t <= 2000; t += 50) agent.tick(t);
    expect(states).toEqual(['checking', 'connected', 'failed']);
  });

  it('fails when nothing answers within the connect timeout', () => {
    const { agent, states } = setup();
    agent.setRemote(REMOTE, [{ ...PEER, priority: 1, type: 'host' }], 0);
    for (let t = 0; t <= DEFAULT_ICE_TIMINGS.connectTimeoutMs + 100; t += 50) agent.tick(t);
    expect(states).toEqual(['checking', 'failed']);
    expect(agent.counters.checksSent).toBeGreaterThan(1);
  });

  it('drops a response from an address the check did not go to', () => {
    const { agent, states, answer } = setup();
    agent.setRemote(REMOTE, [{ ...PEER, priority: 1, type: 'host' }], 0);
    agent.tick(0);
    answer(0, { address: '127.0.0.2', port: 40000 });
    expect(states).toEqual(['checking']);
  });

  describe('nominates one pair at a time (a TURN client with relays over UDP and TCP)', () => {
    const UDP_RELAY = { address: '127.0.0.1', port: 42713 };
    const TCP_RELAY = { address: '127.0.0.1', port: 40320 };
    const candidates = [
      { ...UDP_RELAY, priority: 58597631, type: 'relay' as const },
      { ...TCP_RELAY, priority: 25042943, type: 'relay' as const },
    ];
    /** The peer answers the latest check to `to` (from there). */
    function answerTo(x: ReturnType<typeof setup>, to: { address: string; port: number }, now: number, error = false) {
      const check = x.sent.filter((s) => s.msg.type === STUN_BINDING_REQUEST && s.port === to.port).at(-1)!.msg;
      const res = writeStun({
        type: error ? STUN_BINDING_ERROR : STUN_BINDING_SUCCESS,
        transactionId: check.transactionId,
        ...(error ? { errorCode: 400 } : { xorMappedAddress: { address: '127.0.0.1', port: 10000 } }),
        password: REMOTE.pwd,
      });
      x.agent.handleStun(readStun(res, 0, res.length)!, to.address, to.port, now);
    }
    const nominations = (x: ReturnType<typeof setup>) =>
      x.sent.filter((s) => s.msg.type === STUN_BINDING_REQUEST && s.msg.useCandidate).map((s) => s.port);

    it('both pairs answering before the nomination does: only the first is nominated and selected', () => {
      const x = setup();
      x.agent.setRemote(REMOTE, candidates, 0);
      x.agent.tick(0);
      x.agent.tick(10);
      expect(x.sent.map((s) => s.port).sort()).toEqual([TCP_RELAY.port, UDP_RELAY.port].sort());
      answerTo(x, TCP_RELAY, 20); // the TCP relay answers first (a loaded machine, a slow UDP path)
      answerTo(x, UDP_RELAY, 21);
      for (let t = 30; t <= 1000; t += 10) x.agent.tick(t); // nomination retries go on unanswered a while
      expect(new Set(nominations(x))).toEqual(new Set([TCP_RELAY.port]));
      answerTo(x, TCP_RELAY, 1010);
      expect(x.selected).toEqual([`127.0.0.1:${TCP_RELAY.port}`]);
      expect(x.states).toEqual(['checking', 'connected']);
    });

    it('a nomination refused, or unanswered for 2 s, moves to the other valid pair', () => {
      const refused = setup();
      refused.agent.setRemote(REMOTE, candidates, 0);
      refused.agent.tick(0);
      refused.agent.tick(10);
      answerTo(refused, UDP_RELAY, 20);
      answerTo(refused, TCP_RELAY, 21);
      expect(nominations(refused)).toEqual([UDP_RELAY.port]);
      answerTo(refused, UDP_RELAY, 30, true);
      expect(nominations(refused)).toEqual([UDP_RELAY.port, TCP_RELAY.port]);
      answerTo(refused, TCP_RELAY, 40);
      expect(refused.selected).toEqual([`127.0.0.1:${TCP_RELAY.port}`]);

      const silent = setup();
      silent.agent.setRemote(REMOTE, candidates, 0);
      silent.agent.tick(0);
      silent.agent.tick(10);
      answerTo(silent, UDP_RELAY, 20);
      answerTo(silent, TCP_RELAY, 21);
      for (let t = 30; t <= 1800; t += 10) silent.agent.tick(t);
      expect(new Set(nominations(silent))).toEqual(new Set([UDP_RELAY.port]));
      for (let t = 1810; t <= 2600; t += 10) silent.agent.tick(t);
      expect(nominations(silent).at(-1)).toBe(TCP_RELAY.port);
      answerTo(silent, TCP_RELAY, 2610);
      expect(silent.selected).toEqual([`127.0.0.1:${TCP_RELAY.port}`]);
    });

    it('a relay valid first waits for a direct pair still checked (1 s at most): TURN only when needed', () => {
      const HOST = { address: '127.0.0.1', port: 50000 };
      const withHost = [...candidates, { ...HOST, priority: 2122260223, type: 'host' as const }];
      const direct = setup();
      direct.agent.setRemote(REMOTE, withHost, 0);
      for (let t = 0; t <= 20; t += 10) direct.agent.tick(t);
      answerTo(direct, UDP_RELAY, 30); // the relay answers first (its check went out later, a loaded machine)
      for (let t = 40; t <= 500; t += 10) direct.agent.tick(t);
      expect(nominations(direct)).toEqual([]);
      answerTo(direct, HOST, 510);
      expect(nominations(direct)).toEqual([HOST.port]);
      answerTo(direct, HOST, 520);
      expect(direct.selected).toEqual([`127.0.0.1:${HOST.port}`]);

      // The host is never reachable (a client behind a firewall that blocks UDP): the relay after 1 s.
      const blocked = setup();
      blocked.agent.setRemote(REMOTE, withHost, 0);
      for (let t = 0; t <= 20; t += 10) blocked.agent.tick(t);
      answerTo(blocked, UDP_RELAY, 30);
      for (let t = 40; t < 1030; t += 10) blocked.agent.tick(t);
      expect(nominations(blocked)).toEqual([]);
      blocked.agent.tick(1030);
      expect(nominations(blocked)).toEqual([UDP_RELAY.port]);
      answerTo(blocked, UDP_RELAY, 1040);
      expect(blocked.selected).toEqual([`127.0.0.1:${UDP_RELAY.port}`]);
    });

    it('takes a late answer (a round trip over the 200 ms retry) and keeps nominating the only valid pair', () => {
      const x = setup();
      x.agent.setRemote(REMOTE, [candidates[0]!], 0);
      for (let t = 0; t <= 450; t += 10) x.agent.tick(t); // checks at 0, 200, 400: none answered yet
      const checks = x.sent.filter((c) => c.msg.type === STUN_BINDING_REQUEST);
      expect(checks.length).toBe(3);
      // The answer to the first check comes 460 ms later, after two retries replaced it.
      const late = writeStun({
        type: STUN_BINDING_SUCCESS,
        transactionId: checks[0]!.msg.transactionId,
        xorMappedAddress: { address: '127.0.0.1', port: 10000 },
        password: REMOTE.pwd,
      });
      x.agent.handleStun(readStun(late, 0, late.length)!, UDP_RELAY.address, UDP_RELAY.port, 460);
      expect(x.agent.counters.unmatchedResponses).toBe(0);
      expect(nominations(x)).toEqual([UDP_RELAY.port]);
      // Its nomination goes unanswered for 3 s (beyond the 2 s after which another valid pair would be tried):
      // with no other pair it is tried on, and connects when the answers come back.
      for (let t = 470; t <= 3500; t += 10) x.agent.tick(t);
      expect(nominations(x).length).toBeGreaterThan(12);
      answerTo(x, UDP_RELAY, 3510);
      expect(x.selected).toEqual([`127.0.0.1:${UDP_RELAY.port}`]);
    });
  });
});

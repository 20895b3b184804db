/** Module boundaries from STYLE.md 2.1: dependencies point one way. */
module.exports = {
  forbidden: [
    {
      name: 'protocol-is-pure',
      comment: 'protocol/ is browser-safe: no node: modules, no I/O, nothing else of ours',
      severity: 'error',
      from: { path: '^protocol/' },
      to: {
        pathNot: ['^protocol/', '^node_modules/(ltx|sdp-transform|zod|yaml)/'],
        dependencyTypesNot: ['type-only'],
      },
    },
    {
      name: 'focus-never-media',
      severity: 'error',
      from: { path: '^focus/' },
      to: { path: ['^bridge/', '^web/', '^node_modules/werift', '^node_modules/node-datachannel'] },
    },
    {
      name: 'focus-no-dgram',
      severity: 'error',
      from: { path: '^focus/' },
      to: { dependencyTypes: ['core'], path: '^dgram$' },
    },
    {
      name: 'bridge-never-focus',
      severity: 'error',
      from: { path: '^bridge/' },
      to: { path: ['^focus/', '^web/'] },
    },
    {
      name: 'bridge-media-side-below-signalling',
      comment: 'the media side never imports XMPP, XML, protocol codecs, or anything above it',
      severity: 'error',
      from: { path: '^bridge/src/(demux|pipeline|forward|rewrite|codecs|bwe|rtp|srtp|dtls|sctp|ice|transport|addon)/' },
      to: {
        path: [
          '^bridge/src/(xmpp|colibri|channel|http|metrics|config|conference)/',
          '^node_modules/(@xmpp|ltx)/',
          '^protocol/src/(jingle|colibri2|sources|jitsi|sdp|channel|xml)/',
        ],
      },
    },
    {
      name: 'bridge-packet-path-points-down',
      comment:
        'a packet goes socket (transport/) -> demux/ -> pipeline/ (ICE, DTLS, SRTP) -> forward/; nothing below looks up',
      severity: 'error',
      from: { path: '^bridge/src/(pipeline|forward|rewrite|codecs|bwe|rtp|srtp|dtls|sctp|ice|transport|addon)/' },
      to: { path: '^bridge/src/demux/' },
    },
    {
      name: 'bridge-pipeline-above-its-stages',
      severity: 'error',
      from: { path: '^bridge/src/(forward|rewrite|codecs|bwe|rtp|srtp|dtls|sctp|ice|transport|addon)/' },
      to: { path: '^bridge/src/pipeline/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'bridge-conference-never-xmpp',
      comment:
        'conference/ is the top of the media side: it speaks no XMPP, XML or Colibri2 and knows no signalling folder',
      severity: 'error',
      from: { path: '^bridge/src/(conference|allocation)/' },
      to: {
        path: [
          '^bridge/src/(xmpp|colibri|channel|http|metrics|config)/',
          '^node_modules/(@xmpp|ltx)/',
          '^protocol/src/(jingle|colibri2|jitsi|sdp|channel|xml)/',
        ],
      },
    },
    {
      name: 'web-protocol-only',
      severity: 'error',
      from: { path: '^web/' },
      to: { path: ['^focus/', '^bridge/', '^xmpp-server/', '^deploy/'] },
    },
    {
      name: 'nothing-imports-tests',
      severity: 'error',
      from: { pathNot: '^(test|bench)/' },
      to: { path: '^(test|bench)/' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    combinedDependencies: true,
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};

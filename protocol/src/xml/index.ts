export * from './namespaces.js';
export { parseXml } from './parse-xml.js';
export {
  describeElement,
  expectElement,
  expectNamed,
  optAttr,
  reqAttr,
  optInt,
  reqInt,
  toDecimal,
  optBool,
  toBool,
  optEnum,
  reqEnum,
  childrenOf,
  optChild,
  reqChild,
  textOf,
} from './read-element.js';
export { xmlElement, type AttrValues } from './build-element.js';
export {
  type StanzaError,
  type StanzaCondition,
  ERROR_TYPES,
  STANZA_CONDITIONS,
  parseStanzaError,
  buildStanzaError,
} from './stanza-error.js';
export {
  StanzaFailure,
  stanzaErrorFor,
  answerIq,
  rebuildElement,
  type IqBoundaryContext,
  type IqBoundaryLog,
} from './stanza-failure.js';
export { type Iq, type IqType, IQ_TYPES, parseIq, buildIq, resultFor, errorFor } from './iq.js';

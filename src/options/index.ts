// The option layer's public API: the catalogue of spaces and options, and the typed value codecs.
export { isIPv4, isIPv6 } from './addresses.js';
export { Catalogue, unknownOption } from './catalogue.js';
export {
  decodeOptionValue,
  encodeOptionValue,
  OptionValueError,
  tryEncodeOptionValue,
} from './codec.js';
export { decodeBlock, encodeBlock } from './encapsulation.js';
export { ENUMERATIONS, enumerationName, enumerationValue } from './enumerations.js';
export { envVariableName, type FormatStyle, formatOptionValue } from './format.js';
export { describeType, sameType, typeFromIscFormat } from './isc-format.js';
export { checkOptionType } from './type-rules.js';
export type * from './types.js';

// The wire layer: bytes <-> typed messages. Pure: no I/O, no clock, no randomness.

export * from './checksum.js';
export * from './constants.js';
export * from './decode.js';
export * from './encode.js';
export * from './frame.js';
export * from './hex.js';
export * from './ip.js';
export * from './message.js';
export * from './message-type.js';
export * from './relay-agent.js';

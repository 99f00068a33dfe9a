// The client's pure core: configuration, state machine, lease file and script environment. The daemon
// (sockets, timers, script runner, lease file I/O) builds on these.
export * from './backoff.js';
export * from './config.js';
export * from './events.js';
export * from './lease.js';
export * from './lease-file.js';
export * from './machine.js';
export * from './messages.js';
export * from './script-env.js';

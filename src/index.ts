// nlctl's netlink library: `import { dial, AttributeEncoder, … } from 'nlctl'`.
export * from './netlink/align.js';
export * from './netlink/message.js';
export * from './netlink/attribute.js';
export * from './netlink/errors.js';
export * from './netlink/ack.js';
export * from './netlink/socket.js';
export * from './netlink/conn.js';
export * from './netlink/notify.js';
export * from './netlink/genl.js';
export { createDebugger, parseDebugEnv, type DebugOptions, type Debugger } from './netlink/debug.js';
export { PROTOCOLS, fixedHeaderSize } from './families/protocols.js';

// The decoded-message model and its codec: `import { decodeMessage, … } from 'nlctl/model'`.
export * from './decode.js';
export * from './encode.js';
export * from './json.js';
export * from './values.js';
export * from './genl.js';
export * from './uevent.js';
export { familyFromYnl, familyFromYnlFile, YnlSpecError, type YnlOptions, type YnlProtocol } from './ynl.js';

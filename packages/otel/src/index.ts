export { type AttInstrumentation, type AttInstrumentationOptions, instrumentAtt } from './instrument.js';
export { ATTRS, METRICS } from './names.js';
export type { StoresOption } from './stores.js';

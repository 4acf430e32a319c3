/** Every block config codec and type, from the files that define them. */
export type { StructCodec } from './struct-codec.js';
export * from './blocks-correction.js';
export * from './blocks-colour.js';
export * from './blocks-meas.js';
export * from './blocks-ext.js';

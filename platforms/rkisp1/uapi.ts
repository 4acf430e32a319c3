/**
 * The Rockchip ISP1 kernel userspace API (`linux/rkisp1-config.h` as libcamera v0.7.1 ships it)
 * as readers and writers over bytes: constants, the statistics buffer, every parameter block's
 * config, the extensible parameters format and the legacy fixed one. See docs/rkisp1.md.
 */
export * from './uapi/constants.js';
export { type Window, WINDOW_SIZE } from './uapi/struct.js';
export * from './uapi/stats.js';
export * from './uapi/configs.js';
export * from './uapi/ext-params.js';
export * from './uapi/legacy-params.js';

/**
 * libcamera's RkISP1Params (src/ipa/rkisp1/params.h): an algorithm asks for a block, fills its
 * config and says whether the block is enabled. In the extensible format the block is appended
 * as it is asked for, the way V4L2Params lays blocks out; in the legacy fixed format
 * (`rkisp1_params_cfg`, zeroed first) it is written at its place and its module bits set.
 */
import { BlockFlag, BlockType, V4L2_META_FMT_RK_ISP1_EXT_PARAMS, V4L2_META_FMT_RK_ISP1_PARAMS } from '../uapi/constants.js';
import { BLOCK_CODECS, type BlockConfigs, ExtParamsBuilder } from '../uapi/ext-params.js';
import { isLegacyBlockType, LEGACY_PARAMS_SIZE, LegacyParamsBuilder } from '../uapi/legacy-params.js';

/** Zeros as large as the largest block config, never written: every config decodes from them. */
const ZEROS = new DataView(new ArrayBuffer(Math.max(...Object.values(BLOCK_CODECS).map((codec) => codec.size))));

/** A block's config with every field zero, as V4L2Params zeroes a block it appends. */
export function zeroConfig<K extends BlockType>(type: K): BlockConfigs[K] {
  return BLOCK_CODECS[type].decode(ZEROS, 0) as BlockConfigs[K];
}

export class UnsupportedParamsFormatError extends Error {
  override name = 'UnsupportedParamsFormatError';
  constructor(readonly format: number) {
    super(`parameters format 0x${format.toString(16)} is not rkisp1's (RK1P or RK1E)`);
  }
}

export class RkISP1Params {
  private readonly builder: ExtParamsBuilder | undefined;
  private readonly legacy: LegacyParamsBuilder | undefined;

  constructor(format: number, buffer: Uint8Array) {
    if (format === V4L2_META_FMT_RK_ISP1_EXT_PARAMS) this.builder = new ExtParamsBuilder(buffer);
    else if (format === V4L2_META_FMT_RK_ISP1_PARAMS) this.legacy = new LegacyParamsBuilder(buffer.subarray(0, LEGACY_PARAMS_SIZE));
    else throw new UnsupportedParamsFormatError(format);
  }

  /**
   * Appends block `type`: its config zeroed, then `fill`ed; `enabled` true, false or undefined
   * (setEnabled not called: the header's flags stay 0).
   */
  block<K extends BlockType>(type: K, fill: (config: BlockConfigs[K]) => void, enabled?: boolean): void {
    const config = zeroConfig(type);
    fill(config);
    if (this.legacy) {
      // The compand and WDR blocks do not exist in the legacy format (libcamera: no block).
      if (isLegacyBlockType(type)) this.legacy.set(type, config as never, enabled);
      return;
    }
    const flags = enabled === undefined ? 0 : enabled ? BlockFlag.ENABLE : BlockFlag.DISABLE;
    this.builder!.add(type, config, flags);
  }

  get bytesused(): number {
    return (this.legacy ?? this.builder)!.bytesused;
  }
}

export { BlockType };

/**
 * libcamera's RkISP1Params (src/ipa/rkisp1/params.h) for the extensible parameters format: an
 * algorithm asks for a block, fills its config and says whether the block is enabled; the block
 * is appended as it is asked for, the way V4L2Params lays blocks out.
 */
import {
  BLOCK_CODECS, BlockFlag, type BlockConfigs, BlockType, ExtParamsBuilder, V4L2_META_FMT_RK_ISP1_EXT_PARAMS,
} from '../uapi';

/** A block's config with every field zero, as V4L2Params zeroes a block it appends. */
export function zeroConfig<K extends BlockType>(type: K): BlockConfigs[K] {
  const codec = BLOCK_CODECS[type];
  return codec.decode(new DataView(new ArrayBuffer(codec.size)), 0) as BlockConfigs[K];
}

export class UnsupportedParamsFormatError extends Error {
  override name = 'UnsupportedParamsFormatError';
  constructor(readonly format: number) {
    super(`parameters format 0x${format.toString(16)} is not supported (only the extensible format, RK1E)`);
  }
}

export class RkISP1Params {
  private readonly builder: ExtParamsBuilder;

  constructor(format: number, buffer: Uint8Array) {
    if (format !== V4L2_META_FMT_RK_ISP1_EXT_PARAMS) throw new UnsupportedParamsFormatError(format);
    this.builder = new ExtParamsBuilder(buffer);
  }

  /**
   * Appends block `type`: its config zeroed, then `fill`ed; `enabled` true, false or undefined
   * (setEnabled not called: the header's flags stay 0).
   */
  block<K extends BlockType>(type: K, fill: (config: BlockConfigs[K]) => void, enabled?: boolean): void {
    const config = zeroConfig(type);
    fill(config);
    const flags = enabled === undefined ? 0 : enabled ? BlockFlag.ENABLE : BlockFlag.DISABLE;
    this.builder.add(type, config, flags);
  }

  get bytesused(): number {
    return this.builder.bytesused;
  }
}

export { BlockType };

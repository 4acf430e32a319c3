/**
 * The extensible parameters format (V4L2_META_FMT_RK_ISP1_EXT_PARAMS, `RK1E`):
 * `struct v4l2_isp_params_buffer` { u32 version = 1, u32 data_size, u8 data[] }, data holding
 * blocks back to back, each `struct rkisp1_ext_params_<block>_config` =
 * { header { u16 type, u16 flags, u32 size }, config @8 } __attribute__((aligned(8))), so a
 * block's size is 8 + the config's sizeof rounded up to 8, and the header's size counts itself.
 * libcamera's V4L2Params zeroes each block it appends and counts its size into data_size;
 * bytesused is 8 + data_size.
 */
import { BLOCK_HEADER_SIZE, BlockFlag, BlockType, EXT_PARAMS_BUFFER_SIZE, EXT_PARAMS_HEADER_SIZE, EXT_PARAMS_VERSION } from './constants.js';
import {
  aecConfig, type AecConfig, afcConfig, type AfcConfig, awbGainConfig, type AwbGainConfig, awbMeasConfig,
  type AwbMeasConfig, bdmConfig, type BdmConfig, blsConfig, type BlsConfig, compandBlsConfig, type CompandBlsConfig,
  compandCurveConfig, type CompandCurveConfig, cprocConfig, type CprocConfig, ctkConfig, type CtkConfig, dpccConfig,
  type DpccConfig, dpfConfig, type DpfConfig, dpfStrengthConfig, type DpfStrengthConfig, fltConfig, type FltConfig,
  gocConfig, type GocConfig, hstConfig, type HstConfig, ieConfig, type IeConfig, lscConfig, type LscConfig,
  sdgConfig, type SdgConfig, type StructCodec, wdrConfig, type WdrConfig,
} from './configs.js';
import { type Bytes, setU16, setU32, u16, u32, viewOf } from './struct.js';

/** The config struct each block type carries. */
export interface BlockConfigs {
  [BlockType.BLS]: BlsConfig;
  [BlockType.DPCC]: DpccConfig;
  [BlockType.SDG]: SdgConfig;
  [BlockType.AWB_GAIN]: AwbGainConfig;
  [BlockType.FLT]: FltConfig;
  [BlockType.BDM]: BdmConfig;
  [BlockType.CTK]: CtkConfig;
  [BlockType.GOC]: GocConfig;
  [BlockType.DPF]: DpfConfig;
  [BlockType.DPF_STRENGTH]: DpfStrengthConfig;
  [BlockType.CPROC]: CprocConfig;
  [BlockType.IE]: IeConfig;
  [BlockType.LSC]: LscConfig;
  [BlockType.AWB_MEAS]: AwbMeasConfig;
  [BlockType.HST_MEAS]: HstConfig;
  [BlockType.AEC_MEAS]: AecConfig;
  [BlockType.AFC_MEAS]: AfcConfig;
  [BlockType.COMPAND_BLS]: CompandBlsConfig;
  [BlockType.COMPAND_EXPAND]: CompandCurveConfig;
  [BlockType.COMPAND_COMPRESS]: CompandCurveConfig;
  [BlockType.WDR]: WdrConfig;
}

export const BLOCK_CODECS: { readonly [K in BlockType]: StructCodec<BlockConfigs[K]> } = {
  [BlockType.BLS]: blsConfig,
  [BlockType.DPCC]: dpccConfig,
  [BlockType.SDG]: sdgConfig,
  [BlockType.AWB_GAIN]: awbGainConfig,
  [BlockType.FLT]: fltConfig,
  [BlockType.BDM]: bdmConfig,
  [BlockType.CTK]: ctkConfig,
  [BlockType.GOC]: gocConfig,
  [BlockType.DPF]: dpfConfig,
  [BlockType.DPF_STRENGTH]: dpfStrengthConfig,
  [BlockType.CPROC]: cprocConfig,
  [BlockType.IE]: ieConfig,
  [BlockType.LSC]: lscConfig,
  [BlockType.AWB_MEAS]: awbMeasConfig,
  [BlockType.HST_MEAS]: hstConfig,
  [BlockType.AEC_MEAS]: aecConfig,
  [BlockType.AFC_MEAS]: afcConfig,
  [BlockType.COMPAND_BLS]: compandBlsConfig,
  [BlockType.COMPAND_EXPAND]: compandCurveConfig,
  [BlockType.COMPAND_COMPRESS]: compandCurveConfig,
  [BlockType.WDR]: wdrConfig,
};

/** sizeof(struct rkisp1_ext_params_<block>_config): header, config, padding to 8. */
export function blockSize(type: BlockType): number {
  return BLOCK_HEADER_SIZE + Math.ceil(BLOCK_CODECS[type].size / 8) * 8;
}

export function isBlockType(type: number): type is BlockType {
  return Number.isInteger(type) && type >= BlockType.BLS && type <= BlockType.WDR;
}

/** One block: its header's type and flags (RKISP1_EXT_PARAMS_FL_BLOCK_*, 0 = reconfigure) and its config. */
export type ExtBlock = { [K in BlockType]: { type: K; flags: number; config: BlockConfigs[K] } }[BlockType];

export interface ExtParams {
  version: number;
  blocks: ExtBlock[];
}

export type ExtParamsProblem =
  | 'truncated-header' // fewer than 8 bytes for version and data_size
  | 'unsupported-version' // version is not RKISP1_EXT_PARAM_BUFFER_V1
  | 'data-size-mismatch' // 8 + data_size is not the buffer's used size
  | 'truncated-block-header' // fewer than 8 bytes left for a block header
  | 'size-past-end' // the block's size runs past data_size
  | 'unknown-type' // not an rkisp1_ext_params_block_type
  | 'wrong-size' // size is not sizeof(struct rkisp1_ext_params_<type>_config)
  | 'conflicting-flags'; // both ENABLE and DISABLE set

/** A malformed extensible parameters buffer. `blockIndex` is undefined for buffer-level problems. */
export class ExtParamsError extends Error {
  constructor(
    readonly problem: ExtParamsProblem,
    readonly blockIndex: number | undefined,
    detail: string,
  ) {
    super(`rkisp1 extensible parameters: ${blockIndex === undefined ? '' : `block ${blockIndex}: `}${problem}: ${detail}`);
    this.name = 'ExtParamsError';
  }
}

/**
 * Parses the used bytes of an extensible parameters buffer, refusing what the kernel driver
 * would refuse. `bytes` is exactly bytesused bytes, or give `bytesused` with the whole mapped
 * buffer.
 */
export function parseExtParams(buffer: Bytes, bytesused = buffer.byteLength): ExtParams {
  if (bytesused > buffer.byteLength) throw new RangeError(`bytesused ${bytesused} past a buffer of ${buffer.byteLength} bytes`);
  const bytes = buffer.subarray(0, bytesused);
  if (bytes.byteLength < EXT_PARAMS_HEADER_SIZE) {
    throw new ExtParamsError('truncated-header', undefined, `${bytes.byteLength} bytes, the header is ${EXT_PARAMS_HEADER_SIZE}`);
  }
  const v = viewOf(bytes);
  const version = u32(v, 0);
  const dataSize = u32(v, 4);
  if (version !== EXT_PARAMS_VERSION) {
    throw new ExtParamsError('unsupported-version', undefined, `version ${version}, only ${EXT_PARAMS_VERSION} is defined`);
  }
  if (EXT_PARAMS_HEADER_SIZE + dataSize !== bytes.byteLength) {
    throw new ExtParamsError('data-size-mismatch', undefined, `data_size ${dataSize} + ${EXT_PARAMS_HEADER_SIZE} header bytes, but ${bytes.byteLength} bytes used`);
  }
  const blocks: ExtBlock[] = [];
  const end = bytes.byteLength;
  for (let off = EXT_PARAMS_HEADER_SIZE, index = 0; off < end; index++) {
    if (end - off < BLOCK_HEADER_SIZE) {
      throw new ExtParamsError('truncated-block-header', index, `${end - off} bytes left at offset ${off}`);
    }
    const type = u16(v, off);
    const flags = u16(v, off + 2);
    const size = u32(v, off + 4);
    if (size > end - off) {
      throw new ExtParamsError('size-past-end', index, `size ${size} at offset ${off}, ${end - off} bytes left`);
    }
    if (!isBlockType(type)) throw new ExtParamsError('unknown-type', index, `type ${type}`);
    if (size !== blockSize(type)) {
      throw new ExtParamsError('wrong-size', index, `${BlockType[type]} block of size ${size}, its struct is ${blockSize(type)}`);
    }
    if ((flags & BlockFlag.ENABLE) && (flags & BlockFlag.DISABLE)) {
      throw new ExtParamsError('conflicting-flags', index, `${BlockType[type]} flags 0x${flags.toString(16)} both enable and disable`);
    }
    blocks.push({ type, flags, config: BLOCK_CODECS[type].decode(v, off + BLOCK_HEADER_SIZE) } as ExtBlock);
    off += size;
  }
  return { version, blocks };
}

/**
 * Builds an extensible parameters buffer the way libcamera's V4L2Params does: the header
 * (version 1, data_size 0) at construction, then each appended block zeroed, its header filled
 * and its size added to data_size. Bytes past bytesused are left as they were.
 */
export class ExtParamsBuilder {
  readonly buffer: Bytes;
  private readonly view: DataView;
  private used = EXT_PARAMS_HEADER_SIZE;

  constructor(buffer: Bytes = new Uint8Array(EXT_PARAMS_BUFFER_SIZE), version = EXT_PARAMS_VERSION) {
    if (buffer.byteLength < EXT_PARAMS_HEADER_SIZE) throw new RangeError(`parameters buffer of ${buffer.byteLength} bytes`);
    this.buffer = buffer;
    this.view = viewOf(buffer);
    setU32(this.view, 0, version);
    setU32(this.view, 4, 0);
  }

  /** Appends a block; `flags` as in the header (BlockFlag.ENABLE / DISABLE, or 0). */
  add<K extends BlockType>(type: K, config: BlockConfigs[K], flags = 0): this {
    const size = blockSize(type);
    if (size > this.buffer.byteLength - this.used) {
      throw new RangeError(`parameters buffer out of space: ${BlockType[type]} needs ${size} bytes, ${this.buffer.byteLength - this.used} left`);
    }
    const off = this.used;
    this.buffer.fill(0, off, off + size);
    setU16(this.view, off, type);
    setU16(this.view, off + 2, flags);
    setU32(this.view, off + 4, size);
    BLOCK_CODECS[type].encode(this.view, off + BLOCK_HEADER_SIZE, config);
    this.used += size;
    setU32(this.view, 4, this.used - EXT_PARAMS_HEADER_SIZE);
    return this;
  }

  addBlock(block: ExtBlock): this {
    return this.add(block.type, block.config as BlockConfigs[typeof block.type], block.flags);
  }

  /** 8 + data_size: what the IPA reports as bytesused. */
  get bytesused(): number {
    return this.used;
  }

  /** The used bytes (a view of the buffer). */
  bytes(): Bytes {
    return this.buffer.subarray(0, this.used);
  }
}

/** Encodes blocks into a fresh buffer of exactly bytesused bytes. */
export function encodeExtParams(blocks: readonly ExtBlock[], version = EXT_PARAMS_VERSION): Bytes {
  const size = EXT_PARAMS_HEADER_SIZE + blocks.reduce((n, b) => n + blockSize(b.type), 0);
  const builder = new ExtParamsBuilder(new Uint8Array(size), version);
  for (const b of blocks) builder.addBlock(b);
  return builder.bytes();
}

/**
 * The ISP block configurations, `struct rkisp1_cif_isp_*_config`, shared by the extensible
 * format (each after an 8-byte block header) and the legacy `rkisp1_params_cfg` (at fixed
 * offsets). Field names are the C names. Offsets are from the start of each struct; "pad" is C
 * padding, written as zero. Arrays decode at their C length and encode from up to that many
 * values (V10 fills the first 25 histogram weights, 17 gamma samples).
 */

/** Reads and writes one C struct at a byte offset of a DataView. */
export interface StructCodec<T> {
  /** sizeof the C struct, trailing padding included. */
  readonly size: number;
  decode(v: DataView, off: number): T;
  /** Writes into bytes that are zero (padding is not written). */
  encode(v: DataView, off: number, value: T): void;
}

/**
 * Width-carrying number types for contract declarations.
 *
 * Each is the base type intersected with an optional brand. The brand is what the transformer
 * reads to tell `u32` from `i32` anywhere (inside arrays, maps, promises, aliases of aliases),
 * and because it is optional a plain literal or a `number` expression is accepted at call
 * sites without a cast: `ipa.computeParams(3, 1)` compiles.
 */
export type u8 = number & { readonly __ipaWidth?: 'u8' };
export type u16 = number & { readonly __ipaWidth?: 'u16' };
export type u32 = number & { readonly __ipaWidth?: 'u32' };
export type i8 = number & { readonly __ipaWidth?: 'i8' };
export type i16 = number & { readonly __ipaWidth?: 'i16' };
export type i32 = number & { readonly __ipaWidth?: 'i32' };
export type f32 = number & { readonly __ipaWidth?: 'f32' };
export type f64 = number & { readonly __ipaWidth?: 'f64' };
/** 64-bit integers are `bigint` so that every value survives the trip. */
export type u64 = bigint & { readonly __ipaWidth?: 'u64' };
export type i64 = bigint & { readonly __ipaWidth?: 'i64' };

/** A set of flags of enum `E` (libcamera's `[flags]`); a u32 on the wire. */
export type Flags<E extends number> = number & { readonly __ipaFlags?: E };

/** Every width the wire format knows, with its size in bytes. */
export const widthBytes = {
  u8: 1, u16: 2, u32: 4, u64: 8,
  i8: 1, i16: 2, i32: 4, i64: 8,
  f32: 4, f64: 8,
} as const;

export type Width = keyof typeof widthBytes;

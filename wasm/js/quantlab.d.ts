// Type declarations for the quantlab npm package.

/** Options of {@link init}. */
export interface InitOptions {
  /**
   * Maps a file the package needs (e.g. "quantlab_core.wasm") to a URL.
   * By default the file is found next to the package's JS (bundlers such as
   * Vite emit it as an asset).
   */
  locateFile?: (path: string, prefix: string) => string;
  /** The .wasm bytes, when you load them yourself. */
  wasmBinary?: ArrayBuffer | Uint8Array;
}

/** The float formats, widest first. */
export type FloatFormat = 'fp32' | 'fp16' | 'bf16' | 'fp8_e4m3' | 'fp8_e5m2';

/** A float format, or a signed / unsigned integer of 2..16 bits: "int8", "uint4", ... */
export type FormatName = FloatFormat | `int${number}` | `uint${number}`;

/** What a stored pattern is. */
export type ValueClass = 'zero' | 'subnormal' | 'normal' | 'infinity' | 'nan' | 'integer';

/** One step of the textbook walkthrough (data, rendered by the page). */
export interface WalkthroughStep {
  /** Stable key: "sign", "integer_part", "fraction_part", "combined", "normalized", "biased_exponent", "mantissa", "pattern", ... */
  id: string;
  title: string;
  detail: string;
  /** The result of the step: bits or an expression. */
  value: string;
}

/** A value seen through a format. Field names match `quantlab bits --json`. */
export interface FloatBits {
  format: FormatName;
  /** The value asked for; for a decoded pattern, its value. */
  input: number;
  /** All bits, most significant first, e.g. "01000010101010100100000000000000". */
  bits: string;
  /** The pattern in hexadecimal, e.g. "0x42aa4000". */
  hex: string;
  /** Sign bit (0 for unsigned integers). */
  sign: 0 | 1;
  /** Exponent field ("" for integers). */
  exponent_bits: string;
  /** Mantissa (fraction) field ("" for integers). */
  mantissa_bits: string;
  /** Unbiased exponent of normal and subnormal values, else null. */
  exponent: number | null;
  class: ValueClass;
  /** The exact value of the stored pattern. */
  stored_value: number;
  /** stored_value - input. */
  error: number;
  /** Spacing between this value and the next one of larger magnitude. */
  ulp: number;
  /** The input was outside the finite range (saturated, or became Inf/NaN). */
  overflowed: boolean;
  steps: WalkthroughStep[];
}

/** The parameters and limits of a format. */
export interface FormatInfo {
  name: FormatName;
  kind: 'float' | 'integer';
  total_bits: number;
  exponent_bits: number;
  mantissa_bits: number;
  bias: number;
  is_signed: boolean;
  has_infinity: boolean;
  max_finite: number;
  lowest: number;
  min_normal: number;
  min_subnormal: number;
  epsilon: number;
  min_exponent: number;
  max_exponent: number;
}

/** Options of {@link Quantlab.floatBits}. */
export interface FloatBitsOptions {
  /**
   * fp8 only, as ONNX Cast's `saturate`: overflow and ±Inf become ±max finite
   * (default true); when false they become ±Inf (E5M2) or NaN (E4M3).
   */
  saturate?: boolean;
}

/** An initialised instance. Every method throws an `Error` with a message on bad input; the instance keeps working afterwards. */
export interface Quantlab {
  /** Package version. */
  readonly version: string;

  /**
   * Encodes a value with round-to-nearest-even and explains the result.
   * @param value a number, or text such as "85.125", "1e-3", "inf", "nan"
   * @param format defaults to "fp32"
   * @example
   * const b = ql.floatBits(85.125, 'fp32');
   * b.bits // "01000010101010100100000000000000"
   */
  floatBits(value: number | string, format?: FormatName, options?: FloatBitsOptions): FloatBits;

  /**
   * Explains an existing pattern, e.g. after flipping a bit.
   * @param bits a bit string (MSB first, exactly total_bits long) or the pattern as a number
   * @example ql.decodeBits('0111110000000000', 'fp16').class // "infinity"
   */
  decodeBits(bits: string | number, format: FormatName): FloatBits;

  /** Parameters and limits of a format. */
  formatInfo(format: FormatName): FormatInfo;

  /** The float format names, widest first. */
  floatFormats(): FloatFormat[];

  /** Bytes of the instance's WebAssembly heap currently allocated; useful to check that objects are `.delete()`d. */
  memoryInUse(): number;
}

/**
 * Loads and initialises the WebAssembly core (once per call). Works in Node 20
 * and in browsers. Rejects with a clear Error when WebAssembly SIMD is missing.
 * @example
 * import { init } from 'quantlab';
 * const ql = await init();
 */
export function init(options?: InitOptions): Promise<Quantlab>;

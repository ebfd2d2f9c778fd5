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

// --- kernels: types of the kernel methods -------------------------------------

/** "scalar": portable C++ compiled without auto-vectorization; "simd": WebAssembly SIMD128. */
export type KernelImpl = 'scalar' | 'simd';

/** What {@link Quantlab.kernelInfo} returns. */
export interface KernelInfo {
  /** Implementations in this build, scalar first. */
  impls: KernelImpl[];
  /** True when the SIMD kernels are compiled in (always, in the npm package). */
  simd: boolean;
  /** Microkernel names per impl (XNNPACK-style: type, op, tile, ISA). */
  kernels: Record<KernelImpl, { f32Gemm: string; f32Matvec: string; int8Gemm: string; int8Matvec: string; requant: string; int8Dwconv: string }>;
}

/**
 * One benchmark case. GEMM/matvec use m, k, n (matvec: m = 1); conv uses the image and channel fields ("same" padding,
 * `stride`, `groups`); dwconv is the direct int8 depthwise kernel on `inChannels` channels (compare it with conv at
 * groups = inChannels = outChannels).
 */
export interface BenchmarkSpec {
  kernel: 'gemm' | 'matvec' | 'conv' | 'dwconv';
  dtype: 'fp32' | 'int8';
  /** Default "simd". */
  impl?: KernelImpl;
  m?: number;
  k?: number;
  n?: number;
  height?: number;
  width?: number;
  inChannels?: number;
  outChannels?: number;
  /** Odd, 1..15; default 3. */
  kernelSize?: number;
  /** conv and dwconv, both directions; default 1. */
  stride?: number;
  /** conv only; default 1. */
  groups?: number;
  /** Measuring time after the warm-up, default 300. */
  minTimeMs?: number;
  /** The result is the median of this many samples, default 5. */
  samples?: number;
}

/** A benchmark record, as in bench/results.json. */
export interface BenchmarkResult {
  kernel: 'gemm' | 'matvec' | 'conv' | 'dwconv';
  dtype: 'fp32' | 'int8';
  impl: KernelImpl;
  /** "256x256x256" (M×K×N) or "28x28x64x64k3" (H×W×Cin×Cout, kernel size), then "s2" (stride 2), "g16" (16 groups). */
  shape: string;
  /** Median milliseconds per run. */
  ms: number;
  /** 2 × multiply-adds / time, in 10^9 operations per second. */
  gops: number;
  /** Runs timed in total (warm-up excluded). */
  iterations: number;
}

/** Options of {@link Quantlab.gemmF32}. */
export interface GemmF32Options {
  a: Float32Array | number[];
  b: Float32Array | number[];
  m: number;
  k: number;
  n: number;
  /** n values. */
  bias?: Float32Array | number[];
  impl?: KernelImpl;
}

/** Options of {@link Quantlab.gemmInt8}. */
export interface GemmInt8Options {
  /** m×k activations: Uint8Array (or numbers 0..255) or Int8Array. */
  a: Uint8Array | Int8Array | number[];
  /** k×n int8 weights. */
  b: Int8Array | number[];
  m: number;
  k: number;
  n: number;
  /** 0..255 for uint8 activations, -128..127 for int8. Default 0. */
  aZeroPoint?: number;
  /** One value, or n (per column), in -128..127. Default 0. */
  bZeroPoint?: number | Int32Array | number[];
  /** n int32 values added to the sums. */
  bias?: Int32Array | number[];
  /** Default "int32". */
  output?: 'int32' | 'fp32' | 'uint8' | 'int8';
  /** 'fp32': s_a·s_b; 'uint8'/'int8': s_a·s_b/s_y. One value or n. */
  scale?: number | Float32Array | number[];
  /** 'fp32' only: n values added after scaling. */
  floatBias?: Float32Array | number[];
  outputZeroPoint?: number;
  /** Clamp in the output's integer domain (fused ReLU: min = outputZeroPoint). */
  min?: number;
  max?: number;
  impl?: KernelImpl;
}
// --- end kernels ----------------------------------------------------------------

/** A tensor: a typed array (1-D) or data with a row-major shape. */
export type TensorInput = Float32Array | Int32Array | number[] | { data: ArrayLike<number>; shape?: number[] };

/** A tensor returned by the package: fresh JS memory. */
export interface Tensor<T> {
  data: T;
  shape: number[];
}

/** Observers: how the clipping range is chosen from the data. */
export type ObserverKind = 'minmax' | 'moving_average' | 'percentile' | 'mse' | 'entropy';

/** Options shared by every quantization call. Unknown names are an error. */
export interface QuantOptions {
  /** 'asymmetric' (affine, default) or 'symmetric' (zero point at the grid's middle). */
  scheme?: 'symmetric' | 'asymmetric';
  /** 2..8 or 16 (default 8). */
  bits?: number;
  /** Signed codes; default true for symmetric (int8), false for asymmetric (uint8). */
  signed?: boolean;
  /** Drop the lowest code, e.g. int8 in [-127, 127]. */
  narrowRange?: boolean;
  /** 'tensor' (default), 'channel' (one scale per index of `axis`) or 'group' (`groupSize` elements along `axis`). */
  granularity?: 'tensor' | 'channel' | 'group';
  /** Channel or group axis; negative counts from the end. */
  axis?: number;
  groupSize?: number;
  /** Default 'minmax'. Histogram observers work per tensor or per channel. */
  observer?: ObserverKind;
  /** percentile observer: 50..100 (default 99.99). */
  percentile?: number;
  /** moving_average observer: weight of the newest batch in (0, 1] (default 0.01). */
  momentum?: number;
  /** Histogram bins per slot (default 2048). */
  bins?: number;
  /** Default 'half_even' (as ONNX QuantizeLinear and PyTorch). */
  rounding?: 'half_even' | 'half_away' | 'stochastic';
  /** Seed of stochastic rounding. */
  seed?: number;
}

/** Quantization parameters: one scale and zero point per slot (tensor, channel or group). */
export interface QuantParams {
  scale: Float32Array;
  zeroPoint: Int32Array;
  qmin: number;
  qmax: number;
  scheme: 'symmetric' | 'asymmetric';
  bits: number;
  signed: boolean;
  narrowRange: boolean;
  granularity: 'tensor' | 'channel' | 'group';
  axis: number;
  groupSize: number;
  rounding: 'half_even' | 'half_away' | 'stochastic';
  seed: number;
  /** The clipping range the observer chose, per slot. */
  range: { min: Float32Array; max: Float32Array };
  /** NaN and ±Inf values the observer skipped. */
  nonfiniteCount: number;
}

/** Error of x̂ against x. */
export interface ErrorStats {
  mse: number;
  rmse: number;
  maxAbsError: number;
  /** 10·log10(Σx² / Σ(x̂−x)²); Infinity when x̂ = x. */
  sqnrDb: number;
  cosine: number;
  /** Histogram of x̂ − x. */
  histogram: { edges: Float64Array; counts: Float64Array };
}

/** A histogram of observed values (one slot). */
export interface ObserverHistogram {
  edges: Float64Array;
  counts: Float64Array;
  min: number;
  max: number;
  total: number;
}

/** See {@link Quantlab.createObserver}. */
export interface Observer {
  /** Adds a batch; returns the observer for chaining. */
  observe(batch: TensorInput): Observer;
  /** Parameters from everything observed so far. */
  params(): QuantParams;
  /** The histogram of one slot (channel), or null before the first batch. */
  histogram(slot?: number): ObserverHistogram | null;
  readonly stats: { slots: number; batches: number; nonfiniteCount: number };
  /** Frees the observer's wasm memory; later calls throw. */
  delete(): void;
}

/** An initialised instance. Every method throws an `Error` with a message on bad input; the instance keeps working afterwards. */
/** Element types of model tensors (ONNX's, with float32 spelled out). */
export type TensorType =
  | 'float32' | 'float64' | 'float16' | 'int8' | 'uint8' | 'int16' | 'uint16'
  | 'int32' | 'uint32' | 'int64' | 'uint64' | 'bool';

/** A model input: typed array (or plain numbers, converted to the input's declared type) and shape. */
export interface ModelTensorInput {
  data: ArrayBufferView | number[];
  shape: number[];
  /** Needed only when `data` does not say it (float16 as Uint16Array bit patterns, bool as Uint8Array). */
  type?: TensorType;
}

/** A model output: a fresh typed array (BigInt64Array for int64). */
export interface ModelTensorOutput {
  data: Float32Array | Float64Array | Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array | BigInt64Array | BigUint64Array;
  shape: number[];
  type: TensorType;
}

/** A graph input or output as declared in the file. */
export interface ModelValueInfo {
  name: string;
  type: TensorType | string;
  /** Dims: numbers, symbolic names ("batch") or null when unknown; null when the rank is unknown. */
  shape: (number | string | null)[] | null;
}

/** One node of a loaded model. */
export interface ModelNode {
  index: number;
  name: string;
  op: string;
  domain: string;
  inputs: string[];
  outputs: string[];
  /** Output shapes with symbolic dims set to 1 (null entries: unknown). */
  outputShapes: ((number | null)[] | null)[];
  outputTypes: string[];
  /** Elements of the node's initializer inputs. */
  parameters: number;
  /** Estimated operations for one sample (2 per multiply-add). */
  flops: number;
  /** Computed once at load time (a constant subgraph, e.g. a shape computation). */
  folded: boolean;
  /** For an integer op the executor made from a QDQ pattern: the float ops it replaces (e.g. ['Conv', 'Relu']); else empty. */
  fusedFrom: string[];
}

/** A loaded ONNX model. Owns wasm memory: call delete(). */
export interface Model {
  readonly inputs: ModelValueInfo[];
  readonly outputs: ModelValueInfo[];
  readonly nodes: ModelNode[];
  /** Total number of weights. */
  readonly parameters: number;
  readonly metadata: { irVersion: number; opset: number; producer: string };
  /** Runs the model on named inputs. Throws an Error naming the input when a type or shape is wrong. */
  run(feeds: Record<string, ModelTensorInput>): Promise<Record<string, ModelTensorOutput>>;
  /** run() without the Promise. */
  runSync(feeds: Record<string, ModelTensorInput>): Record<string, ModelTensorOutput>;
  /** Runs the model `runs` times (default 10) and returns each executed node's median time. */
  profile(feeds: Record<string, ModelTensorInput>, options?: { runs?: number }): NodeTiming[];
  /** Frees the model's wasm memory; later calls throw. */
  delete(): void;
}

/** One node's median time, from profile(). */
export interface NodeTiming {
  index: number;
  name: string;
  op: string;
  ms: number;
}

/** A batch of model inputs for calibration or evaluation: [N, ...] samples. */
export interface SampleBatch {
  data: Float32Array;
  shape: number[];
}

/** Options of {@link Quantlab.quantizeModel}. Unknown names are an error. */
export interface QuantizeModelOptions {
  /** 'static' (default): activations calibrated, the whole layer in integers. 'dynamic': int8 Gemm/MatMul weights, activations quantized per batch at run time. */
  mode?: 'static' | 'dynamic';
  /** Samples of the model's (single) input, or `{ [inputName]: samples }` as run() takes inputs; the report runs on the first 64. Required. */
  calibration: SampleBatch | SampleBatch[] | Record<string, SampleBatch | SampleBatch[]>;
  /** Calibration samples used (default 200). */
  samples?: number;
  /** Samples per calibration run (default 32). */
  batchSize?: number;
  activations?: {
    /** Default 'asymmetric'. */
    scheme?: 'symmetric' | 'asymmetric';
    /** Default 'int8'. */
    type?: 'int8' | 'uint8';
    /** Default 'minmax'. */
    observer?: ObserverKind;
    percentile?: number;
    momentum?: number;
    bins?: number;
  };
  weights?: {
    /** Default 'symmetric'. */
    scheme?: 'symmetric' | 'asymmetric';
    /**
     * 8 (default), or 2..7 (7: onnxruntime's reduce_range). Static 2..4-bit codes are
     * exported as ONNX int4, two per byte, raising the opset import to 21; others in int8.
     */
    bits?: number;
    /** Bit widths of single layers in place of `bits` ({ layerName: 2..8 }), e.g. a report's lowBits.plan. */
    layerBits?: Record<string, number>;
    /** Default 'channel' (one scale per output channel). */
    granularity?: 'tensor' | 'channel';
    /** Default 'minmax'. */
    observer?: ObserverKind;
    percentile?: number;
    bins?: number;
  };
  /** Layer (or node) names to keep in float. */
  keepFloat?: string[];
  onProgress?: (p: { stage: 'calibrate' | 'convert'; done: number; total: number }) => void;
}

/** A quantizable layer: Conv, Gemm or MatMul with a constant weight and its fused Relu/Clip. */
export interface PtqLayer {
  name: string;
  opType: 'Conv' | 'Gemm' | 'MatMul';
  activation: '' | 'Relu' | 'Clip';
  input: string;
  output: string;
  flops: number;
  weightElements: number;
  quantized: boolean;
  /** The weights' bit width (weights.layerBits, else weights.bits). */
  weightBits: number;
}

/** Error of a layer's output against the float model. */
export interface PtqError {
  /** Infinity when equal. */
  sqnrDb: number;
  maxAbsError: number;
  mse: number;
}

export interface PtqHistogram {
  edges: number[];
  counts: number[];
}

export interface PtqActivation {
  name: string;
  scale: number;
  zeroPoint: number;
  /** The clipping range the observer chose. */
  clipMin: number;
  clipMax: number;
  /** The extremes seen during calibration. */
  seenMin: number;
  seenMax: number;
  histogram: PtqHistogram;
}

export interface PtqLayerReport {
  name: string;
  opType: string;
  activation: string;
  input: string;
  output: string;
  flops: number;
  weightElements: number;
  quantized: boolean;
  /** Only this layer quantized. */
  isolated: PtqError;
  /** The whole quantized model, error accumulated up to this layer. */
  propagated: PtqError;
  weight: {
    name: string;
    shape: number[];
    granularity: 'tensor' | 'channel';
    bits: number;
    scale: number[];
    zeroPoint: number[];
    qmin: number;
    qmax: number;
    /** Per slot (channel or tensor): extremes and the chosen clipping range. */
    min: number[];
    max: number[];
    clipMin: number[];
    clipMax: number[];
    histogram: PtqHistogram;
    /** Of the dequantized weight against the float one. */
    sqnrDb: number;
  };
  /** Static mode; null otherwise. */
  inputActivation: PtqActivation | null;
  outputActivation: PtqActivation | null;
}

/**
 * An ONNX file's bytes by what they hold; the parts add up to `total`. An
 * initializer's role comes from the node that uses it (through the
 * DequantizeLinear in front of a layer).
 */
export interface PtqSizeBreakdown {
  total: number;
  /** Layers' weights: float32, or the int8 codes (one byte each, also for 4-bit weights). */
  weights: number;
  /** Layers' biases: float32, or int32 codes. */
  biases: number;
  /** Scales and zero points of weights, biases and activations. */
  quantParams: number;
  /** Every other initializer (BatchNormalization parameters, shapes). */
  otherTensors: number;
  /** The rest: nodes, names, shapes, protobuf framing. */
  graph: number;
}

/** See {@link QuantizedModel.report}. */
export interface PtqReport {
  samples: number;
  layers: PtqLayerReport[];
  modelOutput: PtqError;
  /** The float model and the quantized model as ONNX files. */
  floatBytes: number;
  quantizedBytes: number;
  sizeRatio: number;
  /** Where each file's bytes go. */
  size: { float: PtqSizeBreakdown; quantized: PtqSizeBreakdown };
  evaluation?: {
    count: number;
    floatAccuracy: number;
    quantizedAccuracy: number;
    /** Fraction of inputs with the same top-1. */
    agreement: number;
    /** Indices where the top-1 differ. */
    disagreements: number[];
    floatPredictions: number[];
    quantizedPredictions: number[];
  };
  sensitivity?: {
    floatAccuracy: number;
    quantizedAccuracy: number;
    budget: number;
    /** Accuracy with only that layer quantized; most sensitive first. */
    layers: { layer: string; accuracy: number; drop: number }[];
    /** The greedy search: one more layer kept in float per step. */
    steps: { keepFloat: string[]; accuracy: number }[];
    /** The first step within budget (or the last). */
    plan: string[];
    withinBudget: boolean;
  };
  /** Which layers can take 4-bit weights (report option lowBits; static mode). */
  lowBits?: {
    bits: number;
    floatAccuracy: number;
    /** The model as converted, and its file size. */
    quantizedAccuracy: number;
    quantizedBytes: number;
    floatBytes: number;
    budget: number;
    /** Accuracy with that layer's weights at `bits` (the others as converted); least sensitive first. */
    layers: { layer: string; accuracy: number; drop: number; bytesSaved: number }[];
    /** The greedy search: each layer tried once, kept when the model stays within budget. */
    steps: { layer: string; accuracy: number; bytes: number; accepted: boolean }[];
    /** The layer bits to apply (setLayerBits), the model's own entries included. */
    plan: Record<string, number>;
    accuracy: number;
    bytes: number;
    /** False when the converted model is already outside the budget (then the plan adds nothing). */
    withinBudget: boolean;
  };
}

/** Options of {@link QuantizedModel.report}. */
export interface PtqReportOptions {
  /** Labelled inputs: float vs quantized accuracy, agreement, disagreements. */
  evaluation?: SampleBatch & { labels: ArrayLike<number> | ArrayLike<bigint> };
  /** Per-layer sensitivity and a mixed-precision plan (needs evaluation); budget is an accuracy drop as a fraction (default 0.005). */
  sensitivity?: boolean | { budget?: number };
  /** Per-layer accuracy with 4-bit weights and the layers that can take them within budget (needs evaluation; static mode). */
  lowBits?: boolean | { budget?: number };
  /** Stages: 'report', 'evaluate float', 'evaluate int8', 'sensitivity', 'low-bit plan'. Return false to stop the report (it throws 'cancelled'). */
  onProgress?: (p: { stage: string; done: number; total: number }) => boolean | void;
}

/** A quantized model: runs on the int8 kernels. Owns wasm memory: call delete(). */
export interface QuantizedModel {
  readonly mode: 'static' | 'dynamic';
  readonly layers: PtqLayer[];
  readonly keepFloat: string[];
  readonly inputs: ModelValueInfo[];
  readonly outputs: ModelValueInfo[];
  /** The nodes as the engine runs them (QDQ patterns fused into integer ops). */
  readonly nodes: ModelNode[];
  run(feeds: Record<string, ModelTensorInput>): Promise<Record<string, ModelTensorOutput>>;
  runSync(feeds: Record<string, ModelTensorInput>): Record<string, ModelTensorOutput>;
  /** Re-converts with these layers kept in float, reusing the calibration. */
  setKeepFloat(names: string[]): QuantizedModel;
  /** Per-layer weight bit widths in place of weights.bits. */
  readonly layerBits: Record<string, number>;
  /** Re-converts with these per-layer weight bit widths (replacing the current ones), reusing the calibration. */
  setLayerBits(bits: Record<string, number>): QuantizedModel;
  report(options?: PtqReportOptions): Promise<PtqReport>;
  reportSync(options?: PtqReportOptions): PtqReport;
  /** Each executed node's median time over `runs` runs (default 10), as the engine runs it. */
  profile(feeds: Record<string, ModelTensorInput>, options?: { runs?: number }): NodeTiming[];
  /** The QDQ ONNX file. */
  exportOnnx(): Uint8Array;
  /** Every choice made (options, layers kept in float, activation parameters); see Quantlab.applyRecipe. */
  recipe(options?: { note?: string }): Record<string, unknown>;
  delete(): void;
}

/** Options of {@link Quantlab.loadModel}. */
export interface LoadModelOptions {
  /** Files holding tensors stored outside the .onnx, by the name the model uses. */
  externalData?: Record<string, Uint8Array | ArrayBuffer>;
}

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

  // --- quantization ---------------------------------------------------------

  /**
   * Quantization parameters for `x` from its range, chosen by an observer
   * (default min-max). 0.0 is always exactly representable.
   * @example
   * const p = ql.quantParams(new Float32Array([-1, 0, 3]), { scheme: 'asymmetric', bits: 8 });
   * p.scale[0]; p.zeroPoint[0]; // 0.0156862..., 64
   */
  quantParams(x: TensorInput, options?: QuantOptions): QuantParams;

  /** q = clamp(round(x / s) + z, qmin, qmax), rounding as `params.rounding` (half to even by default). */
  quantize(x: TensorInput, params: QuantParams): Tensor<Int32Array>;

  /** x̂ = s (q − z). */
  dequantize(q: TensorInput, params: QuantParams): Tensor<Float32Array>;

  /** Parameters from `options` (as quantParams), then quantize and dequantize in one go. */
  fakeQuantize(x: TensorInput, options?: QuantOptions): Tensor<Float32Array> & { params: QuantParams };

  /** Error metrics of x̂ against x (same number of elements). */
  errorStats(x: TensorInput, xhat: TensorInput, options?: { bins?: number }): ErrorStats;

  /**
   * An observer that sees many batches (observe → observe → … → params()).
   * It owns wasm memory: call `.delete()` when done.
   * @example
   * const obs = ql.createObserver({ observer: 'percentile', percentile: 99.99, scheme: 'symmetric' });
   * for (const batch of batches) obs.observe(batch);
   * const p = obs.params();
   * obs.delete();
   */
  createObserver(options?: QuantOptions): Observer;

  /**
   * Loads an ONNX model (opset 7+; see supportedOps()). Throws an Error naming
   * every unsupported operator or attribute, or the problem with a corrupt file.
   * @example
   * const model = await ql.loadModel(new Uint8Array(await (await fetch('fashion_cnn.onnx')).arrayBuffer()));
   * const { logits } = await model.run({ input: { data: pixels, shape: [1, 1, 28, 28] } });
   */
  loadModel(bytes: Uint8Array | ArrayBuffer, options?: LoadModelOptions): Promise<Model>;
  /** loadModel() without the Promise. */
  loadModelSync(bytes: Uint8Array | ArrayBuffer, options?: LoadModelOptions): Model;
  /**
   * Post-training quantization of a float model.
   * @example
   * const q = await ql.quantizeModel(model, { calibration: { data, shape: [200, 1, 28, 28] } });
   * const report = await q.report({ evaluation: { data: test, shape: [1000, 1, 28, 28], labels } });
   * const onnx = q.exportOnnx();
   */
  quantizeModel(model: Model, options: QuantizeModelOptions): Promise<QuantizedModel>;
  /** Replays a recipe on the float model it was made for: the same quantized model, byte for byte. */
  applyRecipe(model: Model, recipe: Record<string, unknown> | string): QuantizedModel;
  /** The ONNX operators this build runs. */
  supportedOps(): string[];

  // --- kernels (core/kernels; see core/docs/kernels.md) ----------------------

  /**
   * Which kernel implementations this build has.
   * @example ql.kernelInfo().impls // ["scalar", "simd"]
   */
  kernelInfo(): KernelInfo;

  /**
   * The standard benchmark cases for one impl: GEMM 256×256×256 and 64×1024×1024,
   * matvec 1×4096×4096 and a 3×3 conv 64→64 on 28×28, fp32 and int8. Feed them one by
   * one to {@link Quantlab.benchmarkKernel} to show progress.
   * @param impl defaults to "simd"
   * @param minTimeMs measuring time per case, default 300
   */
  standardBenchmarks(impl?: KernelImpl, minTimeMs?: number): BenchmarkSpec[];

  /**
   * Times one kernel case inside WebAssembly on random data: a warm-up, then
   * `samples` samples of equal iteration counts; returns the median. Blocks the
   * calling thread for about `minTimeMs` (plus setup): call it from a Web Worker in a page.
   * Throws on unknown names or bad sizes.
   * @example
   * const r = ql.benchmarkKernel({ kernel: 'gemm', dtype: 'int8', impl: 'simd', m: 256, k: 256, n: 256, minTimeMs: 500 });
   * r.gops // e.g. 40
   */
  benchmarkKernel(spec: BenchmarkSpec): BenchmarkResult;

  /**
   * C = A·B (+ bias) in fp32 with the packed-weight kernels; A is m×k, B is k×n, row-major.
   * @returns a new Float32Array of m×n values (yours; nothing to free)
   * @example ql.gemmF32({ a: new Float32Array([1, 2]), b: new Float32Array([3, 4]), m: 1, k: 2, n: 1 }) // Float32Array [11]
   */
  gemmF32(options: GemmF32Options): Float32Array;

  /**
   * Quantized GEMM: sum_k (a - aZeroPoint)(b - bZeroPoint) + bias, exactly in int32, then
   * returned as is ('int32'), scaled to fp32 ('fp32') or requantized to 'uint8'/'int8'
   * (round half to even, + outputZeroPoint, clamped to [min, max]). The activation type
   * follows `a`: Int8Array means int8, anything else uint8.
   * @returns a new typed array of m×n values
   * @example ql.gemmInt8({ a: new Uint8Array([130, 126]), aZeroPoint: 128, b: new Int8Array([3, 4]), m: 1, k: 2, n: 1 }) // Int32Array [-2]
   */
  gemmInt8(options: GemmInt8Options): Int32Array | Float32Array | Uint8Array | Int8Array;
  // --- end kernels ------------------------------------------------------------
}

/**
 * Loads and initialises the WebAssembly core (once per call). Works in Node 20
 * and in browsers. Rejects with a clear Error when WebAssembly SIMD is missing.
 * @example
 * import { init } from 'quantlab';
 * const ql = await init();
 */
export function init(options?: InitOptions): Promise<Quantlab>;

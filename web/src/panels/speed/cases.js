// The benchmark cases of the Speed panel and their labels: the package's
// standard cases (GEMM 256³ and 64×1024×1024, matvec 1×4096×4096, 3×3 conv
// 64→64 on 28×28), each in fp32 and int8, scalar and SIMD. No DOM here.

/** The four variants of a case, in chart and table order. */
export const VARIANTS = /** @type {const} */ ([
  { dtype: 'fp32', impl: 'scalar', label: 'fp32 scalar' },
  { dtype: 'fp32', impl: 'simd', label: 'fp32 SIMD' },
  { dtype: 'int8', impl: 'scalar', label: 'int8 scalar' },
  { dtype: 'int8', impl: 'simd', label: 'int8 SIMD' },
]);

/** The shape string benchmarkKernel reports for a spec ("256x256x256", "28x28x64x64k3"). */
export function shapeOf(spec) {
  if (spec.kernel === 'conv') {
    return `${spec.height}x${spec.width}x${spec.inChannels}x${spec.outChannels}k${spec.kernelSize ?? 3}`;
  }
  return `${spec.m}x${spec.k}x${spec.n}`;
}

/** A readable name of a case: "GEMM 256×256×256", "conv 3×3, 64→64, 28×28". */
export function caseTitle(spec) {
  if (spec.kernel === 'conv') {
    const k = spec.kernelSize ?? 3;
    return `conv ${k}×${k}, ${spec.inChannels}→${spec.outChannels}, ${spec.height}×${spec.width}`;
  }
  return `${spec.kernel === 'gemm' ? 'GEMM' : 'matvec'} ${spec.m}×${spec.k}×${spec.n}`;
}

/** Short chart label of a case. */
export function caseShort(spec) {
  if (spec.kernel === 'conv') return `conv ${spec.kernelSize ?? 3}×${spec.kernelSize ?? 3} ${spec.inChannels}→${spec.outChannels}`;
  if (spec.m === spec.k && spec.k === spec.n) return `GEMM ${spec.m}³`;
  return `${spec.kernel === 'gemm' ? 'GEMM' : 'matvec'} ${spec.m}×${spec.k}×${spec.n}`;
}

/** Key of a case (kernel and shape), as in the row test ids. */
export const caseKey = (spec) => `${spec.kernel}-${shapeOf(spec)}`;

/**
 * The cases to run, grouped: one entry per kernel and shape with its four
 * variants' specs. Runs are ordered case by case so the table fills row by row.
 * @param {import('quantlab').Quantlab} ql
 * @param {number} minTimeMs
 */
export function planCases(ql, minTimeMs) {
  /** @type {Map<string, { key: string, spec: import('quantlab').BenchmarkSpec, runs: import('quantlab').BenchmarkSpec[] }>} */
  const cases = new Map();
  for (const impl of ql.kernelInfo().impls) {
    for (const spec of ql.standardBenchmarks(impl, minTimeMs)) {
      const key = caseKey(spec);
      if (!cases.has(key)) cases.set(key, { key, spec, runs: [] });
    }
  }
  for (const c of cases.values()) {
    for (const v of VARIANTS) c.runs.push({ ...c.spec, dtype: v.dtype, impl: v.impl, minTimeMs });
  }
  return [...cases.values()];
}

/** Key of one result in a results map. */
export const resultKey = (caseKeyText, dtype, impl) => `${caseKeyText}/${dtype}/${impl}`;

// What data the panel analyses, as a small message the worker can cache by:
// generated from (distribution, seed, size), or pasted values.
import { generate } from '../../shared/datagen.js';

/**
 * @typedef {{ kind: 'generate', distribution: string, seed: number, size: number }
 *         | { kind: 'values', values: Float32Array, version: number }} DataSpec
 */

/** A key that changes exactly when the data does. */
export function dataKey(spec) {
  return spec.kind === 'generate' ? `generate:${spec.distribution}:${spec.seed}:${spec.size}` : `values:${spec.version}`;
}

/** The values of a spec. */
export function materialize(spec) {
  return spec.kind === 'generate' ? generate(spec) : spec.values;
}

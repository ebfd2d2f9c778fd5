// Deterministic sample data for the page, and the parser for pasted numbers.
// Plain JS with no DOM: the browser tests import this module in Node to
// rebuild exactly the data the page shows (same seed → same float32 values).

/** Largest number of values the page generates or accepts from a paste. */
export const MAX_VALUES = 1_000_000;
/** Largest finite float32. Pasted values beyond it would become ±Infinity. */
const FLT_MAX = 3.4028234663852886e38;

/**
 * mulberry32: a small 32-bit PRNG (Tommy Ettinger's), plenty for
 * illustration data. Uses only 32-bit integer arithmetic, so it gives the same
 * sequence in every JS engine.
 * @param {number} seed any integer; taken modulo 2^32
 * @returns {() => number} uniform in [0, 1), multiples of 2^-32
 */
export function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One standard normal from two uniforms (Box–Muller, cosine branch). */
function normal(random) {
  const u1 = 1 - random(); // (0, 1]: log stays finite
  const u2 = random();
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

/** Share of samples that the "outliers" distribution replaces by a large value. */
const OUTLIER_RATE = 0.001;
/** Outliers are ±U(OUTLIER_MIN, OUTLIER_MAX): 8 to 16 standard deviations. */
const OUTLIER_MIN = 8;
const OUTLIER_MAX = 16;

/**
 * The distributions the page offers, in menu order.
 * @type {Array<{ id: string, label: string, description: string, sample: (random: () => number) => number }>}
 */
export const DISTRIBUTIONS = [
  {
    id: 'normal',
    label: 'Normal',
    description: 'N(0, 1): zero-centred and symmetric, like the weights of a trained layer.',
    sample: normal,
  },
  {
    id: 'uniform',
    label: 'Uniform',
    description: 'U(−1, 1): every value equally likely; a uniform grid fits it best.',
    sample: (random) => 2 * random() - 1,
  },
  {
    id: 'laplace',
    label: 'Laplace',
    description: 'Laplace with unit variance: a sharp peak at 0 and heavier tails than the normal.',
    sample: (random) => {
      const u = random() - 0.5;
      const b = Math.SQRT1_2;
      return -b * Math.sign(u) * Math.log(1 - 2 * Math.abs(u));
    },
  },
  {
    id: 'relu',
    label: 'Post-ReLU',
    description: 'max(0, N(0, 1)): activations after a ReLU. Half are exactly 0, none are negative.',
    sample: (random) => Math.max(0, normal(random)),
  },
  {
    id: 'outliers',
    label: 'Normal + outliers',
    description: `N(0, 1) with 1 value in ${Math.round(1 / OUTLIER_RATE)} replaced by ±${OUTLIER_MIN}…${OUTLIER_MAX}: the rare huge activations of large models.`,
    sample: normal,
  },
];

/**
 * Generates `size` float32 samples. Same arguments, same values, everywhere.
 * @param {{ distribution: string, seed: number, size: number }} spec
 * @returns {Float32Array}
 */
export function generate({ distribution, seed, size }) {
  const dist = DISTRIBUTIONS.find((d) => d.id === distribution);
  if (!dist) throw new Error(`unknown distribution '${distribution}'`);
  if (!Number.isInteger(size) || size < 1 || size > MAX_VALUES) {
    throw new Error(`size must be an integer in 1..${MAX_VALUES}, got ${size}`);
  }
  if (!Number.isInteger(seed)) throw new Error(`seed must be an integer, got ${seed}`);
  const random = mulberry32(seed);
  const out = new Float32Array(size);
  for (let i = 0; i < size; i += 1) out[i] = dist.sample(random);
  if (distribution === 'outliers') {
    const count = Math.max(1, Math.floor(size * OUTLIER_RATE));
    for (let k = 0; k < count; k += 1) {
      const index = Math.floor(random() * size);
      const sign = random() < 0.5 ? -1 : 1;
      out[index] = sign * (OUTLIER_MIN + (OUTLIER_MAX - OUTLIER_MIN) * random());
    }
  }
  return out;
}

/** A decimal number: 12, -0.5, .5, 3., 1e-3, +2.5E+4. */
const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?$/i;
/** What separates pasted numbers: whitespace, commas, semicolons. */
const SEPARATORS = /[\s,;]+/;

/**
 * Reads pasted numbers: separated by spaces, commas, semicolons or new lines;
 * brackets are ignored, so a printed Python or NumPy list works too.
 * @param {string} text
 * @returns {Float32Array}
 * @throws {Error} with a message naming the first bad item
 */
export function parseNumbers(text) {
  const tokens = text.replace(/[[\]()]/g, ' ').split(SEPARATORS).filter(Boolean);
  if (tokens.length === 0) throw new Error('Paste at least one number.');
  if (tokens.length > MAX_VALUES) {
    throw new Error(`That is ${tokens.length.toLocaleString('en-US')} numbers; the page takes at most ${MAX_VALUES.toLocaleString('en-US')}.`);
  }
  const out = new Float32Array(tokens.length);
  for (let i = 0; i < tokens.length; i += 1) {
    const token = tokens[i];
    const where = `item ${i + 1}`;
    if (!NUMBER.test(token)) {
      if (/^[+-]?(nan|inf|infinity)$/i.test(token)) {
        throw new Error(`${where} is ${token}: NaN and infinity have no integer code. Remove it.`);
      }
      throw new Error(`${where} '${token.length > 24 ? `${token.slice(0, 24)}…` : token}' is not a number.`);
    }
    const value = Number(token);
    if (!(Math.abs(value) <= FLT_MAX)) throw new Error(`${where} (${token}) is outside the float32 range (±3.4e38).`);
    out[i] = value;
  }
  return out;
}

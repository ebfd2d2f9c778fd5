// A reader of NumPy .npy files (format versions 1, 2 and 3): the magic, the
// header dict ('descr', 'fortran_order', 'shape') and the data in C order.
// Types: bool, int8/uint8, int16/uint16, int32/uint32, int64/uint64 (as
// BigInt64Array / BigUint64Array), float32, float64; little-endian only.
// Every problem throws an Error naming the file.

/** Typed array class and item size of each supported descr (without byte order). */
const DTYPES = {
  b1: { name: 'bool', Ctor: Uint8Array },
  i1: { name: 'int8', Ctor: Int8Array },
  u1: { name: 'uint8', Ctor: Uint8Array },
  i2: { name: 'int16', Ctor: Int16Array },
  u2: { name: 'uint16', Ctor: Uint16Array },
  i4: { name: 'int32', Ctor: Int32Array },
  u4: { name: 'uint32', Ctor: Uint32Array },
  i8: { name: 'int64', Ctor: BigInt64Array },
  u8: { name: 'uint64', Ctor: BigUint64Array },
  f4: { name: 'float32', Ctor: Float32Array },
  f8: { name: 'float64', Ctor: Float64Array },
};
const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
/** Largest element count accepted (2^31: typed arrays and memory stay sane). */
const MAX_ELEMENTS = 2 ** 31;

/**
 * @typedef {object} NpyArray
 * @property {string} dtype 'uint8', 'int64', 'float32', ...
 * @property {number[]} shape
 * @property {Uint8Array | Int8Array | Int16Array | Uint16Array | Int32Array | Uint32Array |
 *            BigInt64Array | BigUint64Array | Float32Array | Float64Array} data C order
 */

/**
 * Parses the bytes of a .npy file.
 * @param {ArrayBuffer | Uint8Array} input
 * @param {string} [name] the file name, for error messages
 * @returns {NpyArray}
 */
export function parseNpy(input, name = 'the .npy file') {
  const bytes = input instanceof Uint8Array ? input : new Uint8Array(input);
  const fail = (why) => {
    throw new Error(`${name} is not a readable .npy file: ${why}`);
  };
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) fail('it does not start with \\x93NUMPY');
  const major = bytes[6];
  if (major < 1 || major > 3) fail(`unknown format version ${major}.${bytes[7]}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lengthBytes = major === 1 ? 2 : 4;
  if (bytes.length < 8 + lengthBytes) fail('the header is cut off');
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const dataOffset = 8 + lengthBytes + headerLength;
  if (dataOffset > bytes.length) fail('the header is cut off');
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(8 + lengthBytes, dataOffset));

  const descr = /'descr'\s*:\s*'([^']*)'/.exec(header)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) fail('the header has no descr, fortran_order or shape');
  if (fortran === 'True') fail('Fortran (column-major) order is not supported');
  const order = descr[0];
  const kind = descr.slice(1);
  const dtype = DTYPES[kind];
  if (!dtype || !'<|='.includes(order) || (order === '|' && dtype.Ctor.BYTES_PER_ELEMENT > 1)) {
    fail(`data type '${descr}' is not supported (little-endian bool, integers, float32 or float64)`);
  }
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map((s) => {
      if (!/^\d+$/.test(s)) fail(`bad dimension '${s}' in the shape`);
      return Number(s);
    });
  const count = shape.reduce((n, d) => n * d, 1);
  if (!Number.isSafeInteger(count) || count > MAX_ELEMENTS) fail(`shape (${shape.join(', ')}) is too large`);
  const itemSize = dtype.Ctor.BYTES_PER_ELEMENT;
  const expected = count * itemSize;
  const available = bytes.length - dataOffset;
  if (available < expected) fail(`shape (${shape.join(', ')}) needs ${expected} bytes of ${dtype.name} data, the file has ${available}`);

  const start = bytes.byteOffset + dataOffset;
  // a view when aligned, else a copy (typed arrays need aligned offsets)
  const data =
    start % itemSize === 0
      ? new dtype.Ctor(bytes.buffer, start, count)
      : new dtype.Ctor(bytes.slice(dataOffset, dataOffset + expected).buffer);
  return { dtype: dtype.name, shape, data };
}

/**
 * The values of an integer array as plain numbers (int64 labels → Int32Array).
 * @param {NpyArray} array
 * @returns {Int32Array}
 */
export function toInt32(array) {
  const out = new Int32Array(array.data.length);
  for (let i = 0; i < out.length; i += 1) {
    const v = Number(array.data[i]);
    if (!Number.isInteger(v) || v < -(2 ** 31) || v >= 2 ** 31) throw new Error(`value ${array.data[i]} at ${i} is not a 32-bit integer`);
    out[i] = v;
  }
  return out;
}

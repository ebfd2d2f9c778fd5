// NumPy .npy files for the JS tests: write inputs for the CLI, read what it
// (or the model training scripts) wrote. Little-endian hosts only (x86, arm).
import { readFileSync } from 'node:fs';

export const TYPED = {
  '<f4': Float32Array,
  '<f8': Float64Array,
  '<i4': Int32Array,
  '<i8': BigInt64Array,
  '|i1': Int8Array,
  '|u1': Uint8Array,
  '|b1': Uint8Array,
  '<i2': Int16Array,
  '<u2': Uint16Array,
};

/** The bytes of a version 1.0 .npy file. */
export function npyBytes(descr, shape, values, { fortran = false } = {}) {
  const dims = shape.length === 1 ? `${shape[0]},` : shape.join(', ');
  let header = `{'descr': '${descr}', 'fortran_order': ${fortran ? 'True' : 'False'}, 'shape': (${dims}), }`;
  while ((10 + header.length + 1) % 64 !== 0) header += ' ';
  header += '\n';
  const Ctor = TYPED[descr];
  const typed = ArrayBuffer.isView(values) ? values : descr === '<i8' ? Ctor.from(values, BigInt) : Ctor.from(values);
  const data = new Uint8Array(typed.buffer, typed.byteOffset, typed.byteLength);
  const out = new Uint8Array(10 + header.length + data.length);
  out.set([0x93, ...Buffer.from('NUMPY'), 1, 0, header.length & 0xff, header.length >> 8]);
  out.set(Buffer.from(header, 'latin1'), 10);
  out.set(data, 10 + header.length);
  return out;
}

/** Parses .npy bytes: { descr, shape, data (typed array) }. */
export function parseNpy(bytes) {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.subarray(1, 6).toString('latin1') !== 'NUMPY') throw new Error('not a .npy file');
  const major = buf[6];
  const len = major === 1 ? buf.readUInt16LE(8) : buf.readUInt32LE(8);
  const start = major === 1 ? 10 : 12;
  const header = buf.subarray(start, start + len).toString('latin1');
  const descr = /'descr':\s*'([^']+)'/.exec(header)[1];
  const shape = /'shape':\s*\(([^)]*)\)/.exec(header)[1].split(',').filter((s) => s.trim()).map(Number);
  const Ctor = TYPED[descr];
  if (!Ctor) throw new Error(`dtype ${descr} is not handled by the test reader`);
  const copy = new Uint8Array(buf.subarray(start + len)).buffer; // aligned
  return { descr, shape, data: new Ctor(copy) };
}

/** Reads a .npy file: { descr, shape, data }. */
export function readNpy(path) {
  return parseNpy(readFileSync(path));
}

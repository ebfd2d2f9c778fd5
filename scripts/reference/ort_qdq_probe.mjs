// Which int8 / int4 / int16 QDQ graphs onnxruntime-node (CPU) accepts, which it
// fuses into integer kernels, and how its outputs compare with the ONNX
// semantics computed in float64.
//
//   /usr/bin/python3 scripts/reference/make_qdq_probe_models.py /tmp/quantlab_qdq_probe
//   node scripts/reference/ort_qdq_probe.mjs /tmp/quantlab_qdq_probe
//
// For every model of probe.json: a session with graphOptimizationLevel
// 'disabled' (the QDQ graph as written: float ops between DequantizeLinear
// and QuantizeLinear) and one with 'all' (ORT's QDQ fusions); the optimized
// graph's operators; the largest difference from the expected output in
// output codes (|y - expected| / y_scale). Writes scripts/reference/ort_qdq_probe.json.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { runOrt, ort } from '../../tests/js/lib/ort_node.mjs';
import { readNpy } from '../../tests/js/lib/npy.mjs';

const dir = process.argv[2] ?? '/tmp/quantlab_qdq_probe';
const OUT = new URL('./ort_qdq_probe.json', import.meta.url).pathname;

// --- the operator types of an ONNX file (ModelProto.graph.node[].op_type / domain)
function fields(buf, start = 0, end = buf.length) {
  const out = [];
  let p = start;
  const varint = () => {
    let v = 0n;
    let shift = 0n;
    for (;;) {
      const b = buf[p++];
      v |= BigInt(b & 0x7f) << shift;
      if (b < 0x80) return v;
      shift += 7n;
    }
  };
  while (p < end) {
    const key = Number(varint());
    const field = key >> 3;
    const wire = key & 7;
    if (wire === 0) out.push({ field, value: varint() });
    else if (wire === 1) { out.push({ field }); p += 8; }
    else if (wire === 5) { out.push({ field }); p += 4; }
    else if (wire === 2) {
      const len = Number(varint());
      out.push({ field, start: p, end: p + len });
      p += len;
    } else throw new Error(`wire type ${wire}`);
  }
  return out;
}

function opTypes(bytes) {
  const text = (f) => Buffer.from(bytes.subarray(f.start, f.end)).toString('utf8');
  const graph = fields(bytes).find((f) => f.field === 7);
  const ops = [];
  for (const n of fields(bytes, graph.start, graph.end).filter((f) => f.field === 1)) {
    const nf = fields(bytes, n.start, n.end);
    const op = nf.find((f) => f.field === 4);
    const domain = nf.find((f) => f.field === 7);
    const d = domain ? text(domain) : '';
    ops.push(d && d !== 'ai.onnx' ? `${d}.${text(op)}` : text(op));
  }
  return ops;
}

const count = (ops) => Object.entries(ops.reduce((m, o) => ({ ...m, [o]: (m[o] ?? 0) + 1 }), {}))
  .map(([o, n]) => (n > 1 ? `${o}x${n}` : o)).join(' ');

// --- run
const LEVELS = ['disabled', 'basic', 'extended', 'all'];
const entries = JSON.parse(readFileSync(join(dir, 'probe.json'), 'utf8'));
const tmp = mkdtempSync(join(tmpdir(), 'ort-qdq-'));
const results = [];
for (const e of entries) {
  const x = readNpy(join(dir, `${e.name}_input.npy`));
  const expected = readNpy(join(dir, `${e.name}_expected.npy`)).data;
  const r = { name: e.name, op: e.op, opset: e.opset, activations: e.activations, weights: e.weights,
    weight_granularity: e.weight_granularity, weight_axis: e.weight_axis };
  for (const level of LEVELS) {
    const optimized = join(tmp, `${e.name}_${level}.onnx`);
    try {
      const out = await runOrt(join(dir, e.file), { x: { data: x.data, shape: x.shape } },
        { graphOptimizationLevel: level, optimizedModelFilePath: optimized });
      const y = out.y.data;
      let maxCodes = 0;
      let off = 0;
      for (let i = 0; i < y.length; i += 1) {
        const d = Math.round(Math.abs(y[i] - expected[i]) / e.y_scale);
        if (d > 0) off += 1;
        maxCodes = Math.max(maxCodes, d);
      }
      r[level] = { ok: true, max_code_diff: maxCodes, codes_off: off, elements: y.length };
      try { r[level].ops = count(opTypes(readFileSync(optimized))); } catch (err) { r[level].ops = `? ${err.message}`; }
    } catch (err) {
      r[level] = { ok: false, error: String(err.message ?? err).split('\n')[0].slice(0, 300) };
    }
  }
  results.push(r);
  const show = (s) => (s.ok ? `ok, max ${s.max_code_diff} code(s) off (${s.codes_off}/${s.elements}) [${s.ops}]` : `FAILS: ${s.error}`);
  console.log(`${e.name}\n${LEVELS.map((l) => `  ${l.padEnd(9)} ${show(r[l])}`).join('\n')}`);
}
rmSync(tmp, { recursive: true, force: true });
// The fused u8s8 kernels depend on the CPU: without VNNI, x86 uses vpmaddubsw, whose
// int16 pair sums saturate (see the README).
let flags = [];
try { flags = (/^flags\s*:(.*)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? '').trim().split(/\s+/); } catch { /* not Linux */ }
const cpu = { model: cpus()[0]?.model, arch: process.arch,
  simd: ['sse4_1', 'avx2', 'avx512f', 'avx512_vnni', 'avx_vnni', 'amx_int8'].filter((f) => flags.includes(f)) };
writeFileSync(OUT, `${JSON.stringify({ onnxruntime_node: ort.env.versions.node, cpu, levels: LEVELS, results }, null, 2)}\n`);
console.log(`wrote ${OUT}`);

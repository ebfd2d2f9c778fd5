// The report's headline: accuracy float against int8 on the test images, the
// change in points, top-1 agreement, the two ONNX files' sizes, and latency
// at batch 1 and 32 in this browser; where the files' bytes go; then the
// integer graph that actually runs (QuantizeLinear → QLinearConvAct → …).
import { h } from '../../shared/dom.js';
import { bytesText, countText, msText, percentText, pointsText, speedupText } from './format.js';
import { renderSizeBreakdown } from './size-breakdown.js';

/** An accuracy change within this many points reads as "kept" (the sensitivity budget's default). */
export const KEPT_POINTS = 0.5;

/** Ops of the quantized graph that run on integers (the rest move data or convert). */
const INTEGER_OPS = /^(QLinear|MatMulInteger|ConvInteger)/;

/**
 * @param {object} a
 * @param {import('./session.js').Outcome} a.outcome
 * @param {string} a.where "in a Web Worker" or "on the main thread"
 */
export function renderSummary({ outcome, where }) {
  const { report, latency } = outcome;
  const ev = /** @type {NonNullable<import('quantlab').PtqReport['evaluation']>} */ (report.evaluation);
  const points = 100 * (ev.quantizedAccuracy - ev.floatAccuracy);
  const tone = points >= -KEPT_POINTS ? 'good' : points >= -2 ? 'warn' : 'bad';
  const right = (fraction) => Math.round(fraction * ev.count);

  const stat = (label, value, note, attrs = {}, extra = null) =>
    h('div', { class: 'cb-stat', ...attrs }, h('dt', null, label), h('dd', { class: 'cb-stat__value' }, value), note ? h('dd', { class: 'cb-stat__note' }, note) : null, extra);
  const pair = (a, b) => [h('span', { class: 'cb-stat__from' }, a), h('span', { class: 'cb-stat__arrow', 'aria-label': 'to' }, ' → '), h('span', null, b)];

  const accuracy = [
    stat('Accuracy, float', percentText(ev.floatAccuracy), `${countText(right(ev.floatAccuracy))} of ${countText(ev.count)} right`, {
      'data-testid': 'cb-float-accuracy',
      'data-value': String(ev.floatAccuracy),
    }),
    stat('Accuracy, int8', percentText(ev.quantizedAccuracy), `${countText(right(ev.quantizedAccuracy))} of ${countText(ev.count)} right`, {
      'data-testid': 'cb-int8-accuracy',
      'data-value': String(ev.quantizedAccuracy),
    }),
    stat('Change', pointsText(points), points >= -KEPT_POINTS ? `within ${KEPT_POINTS} points of float` : `more than ${KEPT_POINTS} points lost`, {
      'data-testid': 'cb-drop',
      'data-value': String(points),
      'data-tone': tone,
    }),
    stat('Top-1 agreement', percentText(ev.agreement), `${countText(ev.disagreements.length)} of ${countText(ev.count)} images change their answer`, {
      'data-testid': 'cb-agreement',
      'data-value': String(ev.agreement),
    }),
  ];
  const cost = [
    stat('ONNX file', pair(bytesText(report.floatBytes), bytesText(report.quantizedBytes)), `${report.sizeRatio.toFixed(2)}× the float file`, {
      'data-testid': 'cb-size',
      'data-float-bytes': String(report.floatBytes),
      'data-quantized-bytes': String(report.quantizedBytes),
      'data-value': String(report.sizeRatio),
    }),
    ...latency.map((l) =>
      stat(`Latency, batch ${l.batch}`, pair(msText(l.floatMs), msText(l.int8Ms)), `int8 ${speedupText(l.floatMs, l.int8Ms)}`, {
        'data-testid': `cb-latency-${l.batch}`,
        'data-float-ms': String(l.floatMs),
        'data-int8-ms': String(l.int8Ms),
      }),
    ),
  ];

  const runs = latency.map((l) => `${l.runs} calls of each at batch ${l.batch}`).join(' and ');
  const integerOps = outcome.nodes.filter((n) => INTEGER_OPS.test(n.op)).length;
  const chain = h(
    'ol',
    { class: 'cb-chain', 'aria-label': 'The quantized graph, in the order it runs', 'data-testid': 'cb-graph' },
    outcome.nodes.map((n) => h('li', { class: `cb-chain__op${INTEGER_OPS.test(n.op) ? ' is-integer' : ''}`, title: n.name }, h('code', null, n.op))),
  );

  return h(
    'div',
    { class: 'cb-summary' },
    h('dl', { class: 'cb-stats cb-stats--accuracy' }, accuracy),
    h('dl', { class: 'cb-stats cb-stats--cost' }, cost),
    h(
      'p',
      { class: 'cb-note' },
      `Accuracy on the ${countText(ev.count)} bundled test images. Sizes are the ONNX files: the float model and the QDQ model you can download below. `,
      `Latency: this browser, 1 thread, ${where}; float and int8 timed in alternating rounds after a warm-up (${runs}), the median time per call; float on quantlab’s fp32 SIMD kernels, int8 on its integer kernels. `,
      'How much faster int8 runs depends on the CPU: WebAssembly has no 8-bit dot product, so int8 pairs are multiplied and added as 16-bit values (i32x4.dot_i16x8_s), and on CPUs with one unit for that instruction int8 peaks no higher than float. The gain then comes from moving a quarter of the bytes, and is larger at batch 32 than at batch 1, where the fixed cost of each layer weighs more.',
    ),
    renderSizeBreakdown(report, outcome.mode),
    h(
      'div',
      { class: 'cb-graph' },
      h('h3', { class: 'cb-subtitle' }, 'What runs'),
      h(
        'p',
        { class: 'cb-note' },
        outcome.mode === 'static'
          ? `The QDQ patterns are fused into ${integerOps} integer ops: int8 inputs times int8 weights summed in int32, then requantized to the next layer’s int8 scale, the ReLU a clamp on the codes. This is not fake quantization (float arithmetic on rounded values): the timings above and the accuracy are those of the integer kernels.`
          : `Dynamic mode: ${integerOps} integer ops. Each batch’s activations are quantized to uint8 as the model runs, multiplied by the int8 weights in int32 and scaled back to float; the rest stays float.`,
      ),
      chain,
    ),
  );
}

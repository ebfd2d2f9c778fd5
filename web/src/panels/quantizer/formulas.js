// The equations of core/docs/quantization.md with this data's numbers
// plugged in, one list per scheme: grid (Q3), range (Q4), scale (Q5 / Q7),
// zero point (Q6 / Q8), then one example value quantized (Q2), dequantized
// (Q1) and its error. Results come from the core; the intermediate steps are
// recomputed here in float32 as the core does, only to show the arithmetic.
import { h } from '../../shared/dom.js';
import { roundHalfEven } from '../../shared/float32.js';
import { float32Display, float32Text, metricText, minus, operand } from './format.js';
import { OBSERVER_TEXT } from './race.js';

/** float32 epsilon: the core's floor for the scale (Q5, Q7). */
const EPSILON = 2 ** -23;

const ROUNDING_TEXT = {
  half_even: 'round: nearest, ties to even',
  half_away: 'round: nearest, ties away from zero',
  stochastic: 'round: up with probability equal to the fraction (Q10)',
};

/** Text of a number in an expression: float32 values exactly, others to 6 digits. */
const f32 = (x) => float32Display(x);
const num = (x) => minus(String(Number(x.toPrecision(6))));

/**
 * One equation: its number, name, general form and the plugged-in lines.
 * @param {string} testid
 * @param {string} tag "Q5"
 * @param {string} name
 * @param {string} general
 * @param {Array<string | Node | Array<string | Node>>} lines
 */
function equation(testid, tag, name, general, lines) {
  return h(
    'li',
    { class: 'qz-eq', 'data-testid': testid },
    h('span', { class: 'qz-eq__tag mono', title: `Equation ${tag} in core/docs/quantization.md` }, tag),
    h(
      'div',
      { class: 'qz-eq__body' },
      h('span', { class: 'qz-eq__name' }, name),
      h('code', { class: 'qz-eq__general' }, general),
      lines.map((line) => h('code', { class: 'qz-eq__line' }, line)),
    ),
  );
}

/** A highlighted result, with its exact value for tests. */
function result(text, testid, value) {
  return h('b', { class: 'qz-eq__result', 'data-testid': testid, 'data-value': value }, text);
}

/**
 * @param {object} view
 * @param {'symmetric' | 'asymmetric'} view.scheme
 * @param {import('quantlab').QuantParams} view.params
 * @param {{ min: number, max: number }} view.range the observer's range
 * @param {string} view.observer
 * @param {{ x: number, q: number, xhat: number } | null} view.example from the core
 * @returns {HTMLElement}
 */
export function renderFormulas({ scheme, params, range, observer, example }) {
  const observerName = OBSERVER_TEXT[observer]?.name ?? observer;
  const { qmin, qmax, bits, signed, narrowRange } = params;
  const s = params.scale[0];
  const z = params.zeroPoint[0];
  const minNeg = Math.min(range.min, 0);
  const maxPos = Math.max(range.max, 0);
  const items = [];

  // Q3: the integer grid
  const sup = (n) => String(n).replace(/\d/g, (d) => '⁰¹²³⁴⁵⁶⁷⁸⁹'[Number(d)]);
  const b1 = bits - 1;
  let general;
  let plugged;
  if (signed) {
    general = narrowRange ? '[q_min, q_max] = [−(2ᵇ⁻¹ − 1), 2ᵇ⁻¹ − 1]' : '[q_min, q_max] = [−2ᵇ⁻¹, 2ᵇ⁻¹ − 1]';
    plugged = narrowRange ? `= [−(2${sup(b1)} − 1), 2${sup(b1)} − 1]` : `= [−2${sup(b1)}, 2${sup(b1)} − 1]`;
  } else {
    general = narrowRange ? '[q_min, q_max] = [1, 2ᵇ − 1]' : '[q_min, q_max] = [0, 2ᵇ − 1]';
    plugged = narrowRange ? `= [1, 2${sup(bits)} − 1]` : `= [0, 2${sup(bits)} − 1]`;
  }
  items.push(
    equation(`formula-grid-${scheme}`, 'Q3', `${signed ? 'Signed' : 'Unsigned'} ${bits}-bit codes${narrowRange ? ', narrow range' : ''}`, general, [
      [plugged, ' = ', result(`[${minus(qmin)}, ${minus(qmax)}]`, `formula-grid-value-${scheme}`, `${qmin},${qmax}`), ` (${qmax - qmin + 1} codes)`],
    ]),
  );

  // Q4: widen the range to contain 0
  items.push(
    equation(`formula-range-${scheme}`, 'Q4', `Range from the ${observerName} observer, widened to hold 0`, 'min⁻ = min(min, 0),  max⁺ = max(max, 0)', [
      `min⁻ = min(${f32(range.min)}, 0) = ${f32(minNeg)}`,
      `max⁺ = max(${f32(range.max)}, 0) = ${f32(maxPos)}`,
    ]),
  );

  // Q5 / Q7: the scale
  const floored = s === EPSILON;
  const scaleResult = result(f32(s), `formula-scale-value-${scheme}`, float32Text(s));
  const flooredNote = floored ? ' (floored to ε = 2⁻²³)' : '';
  if (scheme === 'asymmetric') {
    items.push(
      equation(`formula-scale-${scheme}`, 'Q5', 'Scale: the range over the number of steps', 's = (max⁺ − min⁻) / (q_max − q_min)', [
        [`= (${f32(maxPos)} − ${operand(f32(minNeg))}) / (${minus(qmax)} − ${operand(minus(qmin))}) = `, scaleResult, flooredNote],
      ]),
    );
  } else {
    items.push(
      equation(`formula-scale-${scheme}`, 'Q7', 'Scale: the larger side over half the steps', 's = max(−min⁻, max⁺) / ((q_max − q_min) / 2)', [
        [`= max(${f32(-minNeg)}, ${f32(maxPos)}) / (${qmax - qmin} / 2) = `, scaleResult, flooredNote],
      ]),
    );
  }

  // Q6 / Q8: the zero point
  const zResult = result(minus(z), `formula-zero-point-value-${scheme}`, String(z));
  if (scheme === 'asymmetric') {
    const ratio = Math.fround(minNeg / s);
    const rounded = roundHalfEven(ratio);
    items.push(
      equation(`formula-zero-point-${scheme}`, 'Q6', 'Zero point: the code of real 0', 'z = clamp(q_min − round(min⁻ / s), q_min, q_max)', [
        `= clamp(${minus(qmin)} − round(${f32(minNeg)} / ${f32(s)}), ${minus(qmin)}, ${minus(qmax)})`,
        [`= clamp(${minus(qmin)} − round(${num(ratio)}), …) = clamp(${minus(qmin - rounded)}, ${minus(qmin)}, ${minus(qmax)}) = `, zResult],
      ]),
    );
  } else {
    items.push(
      equation(`formula-zero-point-${scheme}`, 'Q8', 'Zero point: the middle code', 'z = ⌊(q_min + q_max + 1) / 2⌋', [
        [`= ⌊(${minus(qmin)} + ${operand(minus(qmax))} + 1) / 2⌋ = `, zResult],
      ]),
    );
  }

  // Q2, Q1: one value there and back
  if (example) {
    const { x, q, xhat } = example;
    const inv = Math.fround(1 / s);
    const v = Math.fround(x * inv);
    const rounding = params.rounding;
    const r = rounding === 'half_even' ? roundHalfEven(v) : rounding === 'half_away' ? Math.sign(v) * Math.round(Math.abs(v)) : null;
    const clamped = r !== null && (r + z < qmin || r + z > qmax);
    const qResult = result(minus(q), `example-q-${scheme}`, String(q));
    items.push(
      equation(`formula-quantize-${scheme}`, 'Q2', `Quantize x = ${f32(x)} (${ROUNDING_TEXT[rounding]})`, 'q = clamp(round(x · (1/s)) + z, q_min, q_max)', [
        `= clamp(round(${f32(x)} · ${f32(inv)}) + ${operand(minus(z))}, ${minus(qmin)}, ${minus(qmax)})`,
        r === null
          ? [`= clamp(round(${num(v)}) + ${operand(minus(z))}, …) = `, qResult]
          : [`= clamp(${minus(r)} + ${operand(minus(z))}, ${minus(qmin)}, ${minus(qmax)}) = `, qResult, clamped ? ' (clamped)' : ''],
      ]),
    );
    const xhatResult = result(f32(xhat), `example-xhat-${scheme}`, float32Text(xhat));
    items.push(
      equation(`formula-dequantize-${scheme}`, 'Q1', 'Dequantize', 'x̂ = s · (q − z)', [
        [`= ${f32(s)} · (${minus(q)} − ${operand(minus(z))}) = `, xhatResult],
      ]),
    );
    const error = xhat - x;
    // rounding to nearest errs by at most s/2, stochastic rounding by less than s
    const bound = rounding === 'stochastic' ? { value: s, text: 's' } : { value: s / 2, text: 's/2' };
    const inside = Math.abs(error) <= bound.value * (1 + 1e-6);
    items.push(
      equation(`formula-error-${scheme}`, '', 'Error of this value', 'x̂ − x', [
        [`= ${f32(xhat)} − ${operand(f32(x))} = `, result(metricText(error), `example-error-${scheme}`, String(error))],
        inside
          ? `within ${bound.text} = ${num(bound.value)}: rounding error only`
          : `beyond ${bound.text} = ${num(bound.value)}: x lies outside the grid and was clamped`,
      ]),
    );
  }

  return h('ol', { class: 'qz-eqs', 'aria-label': `${scheme} quantization, step by step` }, items);
}

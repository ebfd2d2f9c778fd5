// 4-bit weights for the layers that can take them: what each layer costs when
// its weights alone go to 4 bits (the rest of the model as converted), how
// many bytes that saves, and the plan of the greedy search: the layers that
// fit within the accuracy budget, the smallest file it found. A "4-bit"
// checkbox per layer (prefilled with the plan after a calibration); Apply re-converts with those
// layers at 4 bits, reusing the calibration, and re-evaluates.
import { h, setText } from '../../shared/dom.js';
import { bytesText, countText, opText, percentText, pointsText } from './format.js';
import { createChoiceBoxes, layerChoiceRow, sameLayers } from './layer-choice.js';

/** The bit width the search tries, and what a "4-bit" box sets. */
const LOW_BITS = 4;

/** Names of the quantized layers whose weights are 4-bit (or narrower). */
export const lowBitLayers = (layers) => layers.filter((l) => l.quantized && l.weightBits <= LOW_BITS).map((l) => l.name);

/** Names a weights.layerBits plan puts at 4 bits (or narrower). */
export const lowBitPlanLayers = (plan) => Object.keys(plan).filter((n) => plan[n] <= LOW_BITS);

/** "3 layers" / "1 layer". */
const layersText = (n) => `${countText(n)} layer${n === 1 ? '' : 's'}`;

/**
 * @param {{ onApply: (layerBits: Record<string, number>) => void }} handlers
 */
export function createLowBits({ onApply }) {
  const verdict = h('div', { class: 'cb-plan', 'data-testid': 'cb-lowbits-plan' });
  const list = h('ol', { class: 'cb-sens__list', 'data-testid': 'cb-lowbits-list' });
  const apply = h('button', { type: 'button', class: 'button cb-apply', 'data-testid': 'cb-lowbits-apply', disabled: true }, 'Apply and re-evaluate');
  const usePlan = h('button', { type: 'button', class: 'md-button-secondary', 'data-testid': 'cb-lowbits-use-plan' }, 'Use the plan');
  const none = h('button', { type: 'button', class: 'md-button-secondary', 'data-testid': 'cb-lowbits-none' }, 'No layer at 4 bits');
  const status = h('p', { class: 'cb-sens__status', 'aria-live': 'polite', 'data-testid': 'cb-lowbits-status' });
  const fieldset = h('fieldset', { class: 'cb-sens__fieldset' }, h('legend', { class: 'visually-hidden' }, 'Layers with 4-bit weights'), list);
  const actions = h('div', { class: 'cb-sens__actions' }, apply, usePlan, none);
  const el = h(
    'section',
    { class: 'card cb-sens cb-lowbits', 'aria-labelledby': 'cb-lowbits-title', 'data-testid': 'cb-lowbits' },
    h(
      'div',
      { class: 'card__header' },
      h(
        'div',
        null,
        h('h2', { class: 'card__title', id: 'cb-lowbits-title' }, 'A smaller file: which layers can take 4-bit weights'),
        h(
          'p',
          { class: 'card__lede' },
          'Weights are most of a model’s bytes. At 4 bits they take half the bytes of int8 (ONNX int4, two codes to a byte) but carry 16 times coarser steps, and layers differ in how much that costs. ',
          'Each layer’s weights go to 4 bits on their own, the rest of the model as converted, and the test accuracy is measured. The plan tries the layers in order of bytes saved per point of accuracy lost and keeps each one that leaves the model within the budget; activations stay 8-bit, so the same int8 kernels run it.',
        ),
      ),
    ),
    verdict,
    fieldset,
    actions,
    status,
  );

  const boxes = createChoiceBoxes(() => sync());
  /** The layers at 4 bits in the report above, and in the plan. */
  let current = /** @type {string[]} */ ([]);
  let planned = /** @type {string[]} */ ([]);
  /** Every layer's bit width when it has no entry of its own (the Bits setting). */
  let defaultBits = 8;
  let busy = false;
  let usable = true;

  /** weights.layerBits for these layers at 4 bits and the other listed ones at their usual width. */
  function layerBitsOf(low) {
    /** @type {Record<string, number>} */
    const bits = {};
    for (const name of boxes.names()) {
      const isLow = low.includes(name);
      if (isLow && defaultBits > LOW_BITS) bits[name] = LOW_BITS;
      if (!isLow && defaultBits <= LOW_BITS) bits[name] = 8;
    }
    return bits;
  }

  function sync() {
    const picked = boxes.chosen();
    const changed = !sameLayers(picked, current);
    apply.disabled = busy || !usable || !changed;
    usePlan.disabled = busy || !usable || planned.length === 0 || sameLayers(picked, planned);
    none.disabled = busy || !usable || picked.length === 0;
    if (!busy && usable) {
      setText(
        status,
        changed
          ? `Apply to re-convert with ${picked.length ? `${layersText(picked.length)} at 4 bits` : 'every layer at 8 bits'} (the calibration is reused).`
          : current.length
            ? `The report above has ${layersText(current.length)} with 4-bit weights.`
            : 'The report above has no layer with 4-bit weights.',
      );
    }
  }
  apply.addEventListener('click', () => onApply(layerBitsOf(boxes.chosen())));
  usePlan.addEventListener('click', () => boxes.tick(planned));
  none.addEventListener('click', () => boxes.tick([]));

  /** The verdict paragraph and the search's steps. */
  function renderVerdict(lowBits) {
    const budget = (100 * lowBits.budget).toFixed(1);
    const ratio = (bytes) => `${(bytes / lowBits.floatBytes).toFixed(2)}× of float`;
    const planNames = lowBitPlanLayers(lowBits.plan);
    const added = lowBits.steps.filter((s) => s.accepted).length;
    let text;
    let tone = 'good';
    if (!lowBits.withinBudget) {
      tone = 'warn';
      text = `The model as converted is already ${pointsText(100 * (lowBits.floatAccuracy - lowBits.quantizedAccuracy)).replace(/^[+−]/, '')} below float, outside the ${budget}-point budget, so no layer can go to 4 bits within it. Keep the sensitive layers in float first (above), then look again.`;
    } else if (added === 0) {
      tone = 'warn';
      text = `No layer can take 4-bit weights within the ${budget}-point budget: each one alone costs too much.`;
    } else {
      text = `${layersText(planNames.length)} can take 4-bit weights within the ${budget}-point budget: the file goes from ${bytesText(lowBits.quantizedBytes)} (${ratio(lowBits.quantizedBytes)}) to ${bytesText(lowBits.bytes)} (${ratio(lowBits.bytes)}), at ${percentText(lowBits.accuracy)} (float ${percentText(lowBits.floatAccuracy)}).`;
    }
    verdict.replaceChildren(
      h('p', { class: 'cb-plan__verdict', 'data-tone': tone, 'data-bytes': String(lowBits.bytes), 'data-accuracy': String(lowBits.accuracy) }, text),
      lowBits.steps.length
        ? h(
            'ol',
            { class: 'cb-plan__steps', 'aria-label': 'Steps of the 4-bit search' },
            lowBits.steps.map((s) =>
              h('li', null, `+ ${s.layer} at 4 bits → ${percentText(s.accuracy)}, ${bytesText(s.bytes)}: ${s.accepted ? 'kept' : 'over the budget, left at 8 bits'}`),
            ),
          )
        : '',
    );
  }

  return {
    el,
    /**
     * @param {object} a
     * @param {import('quantlab').PtqLayer[]} a.layers the quantized model's layers (with their weight bits)
     * @param {import('quantlab').PtqReport['lowBits'] | undefined} a.lowBits from the calibration's first report
     * @param {number} a.defaultBits the Bits setting
     * @param {'static' | 'dynamic'} a.mode
     * @param {string[] | null} a.checked the boxes to tick (null: the layers at 4 bits now)
     */
    render({ layers, lowBits, defaultBits: bits, mode, checked }) {
      defaultBits = bits;
      usable = mode === 'static';
      el.dataset.mode = mode;
      fieldset.hidden = !usable;
      actions.hidden = !usable;
      boxes.clear();
      if (!usable) {
        verdict.replaceChildren(h('p', { class: 'cb-plan__verdict muted' }, 'Dynamic mode keeps 8-bit weights: MatMulInteger multiplies 8-bit codes. Choose static mode for 4-bit weights.'));
        list.replaceChildren();
        setText(status, '');
        return;
      }
      const eligible = layers.filter((l) => l.quantized);
      current = lowBitLayers(eligible);
      planned = lowBits ? lowBitPlanLayers(lowBits.plan).filter((n) => eligible.some((l) => l.name === n)) : [];
      if (lowBits) renderVerdict(lowBits);
      else verdict.replaceChildren(h('p', { class: 'cb-plan__verdict muted' }, 'The 4-bit search was not run (tick Sensitivity analysis and calibrate again). You can still put layers at 4 bits and re-evaluate.'));

      const measured = new Map((lowBits?.layers ?? []).map((l) => [l.layer, l]));
      const ordered = [...(lowBits?.layers ?? []).map((l) => l.layer), ...eligible.map((l) => l.name)].filter((n, i, all) => all.indexOf(n) === i);
      const indexOf = new Map(layers.map((l, i) => [l.name, i]));
      const maxDrop = Math.max(1e-9, ...[...measured.values()].map((m) => Math.max(0, m.drop)));
      list.replaceChildren(
        ...ordered
          .map((name) => eligible.find((l) => l.name === name))
          .filter((l) => l !== undefined)
          .map((layer) => {
            const m = measured.get(layer.name);
            const box = boxes.add(layer.name, (checked ?? current).includes(layer.name), { 'data-testid': 'cb-4bit' });
            return layerChoiceRow({
              box,
              index: indexOf.get(layer.name) ?? 0,
              name: layer.name,
              op: `${opText(layer)}, int${layer.weightBits} now`,
              meaning: '4-bit weights',
              drop: m ? m.drop : NaN,
              maxDrop,
              note: m ? `−${bytesText(m.bytesSaved)}` : '',
              planned: planned.includes(layer.name),
              data: { 'data-drop': m ? String(m.drop) : '', 'data-bytes-saved': m ? String(m.bytesSaved) : '' },
            });
          }),
      );
      sync();
    },
    /** While a run or an apply is going: the buttons wait. */
    setBusy(value, text = '') {
      busy = value;
      boxes.setDisabled(value);
      sync();
      if (text && usable) setText(status, text);
    },
  };
}

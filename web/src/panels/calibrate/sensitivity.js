// Sensitivity and the mixed-precision plan: how much accuracy each layer costs
// when it alone is quantized, the layers the greedy plan keeps in float to
// stay within the budget, and a "keep in float" checkbox per layer (prefilled
// with the plan). Apply re-converts with those layers in float, reusing the
// calibration, and re-evaluates.
import { h, setText } from '../../shared/dom.js';
import { countText, opText, percentText, pointsText } from './format.js';
import { createChoiceBoxes, layerChoiceRow, sameLayers } from './layer-choice.js';

/**
 * @param {{ onApply: (names: string[]) => void }} handlers
 */
export function createSensitivity({ onApply }) {
  const plan = h('div', { class: 'cb-plan', 'data-testid': 'cb-plan' });
  const list = h('ol', { class: 'cb-sens__list', 'data-testid': 'cb-sensitivity-list' });
  const apply = h('button', { type: 'button', class: 'button cb-apply', 'data-testid': 'cb-apply', disabled: true }, 'Apply and re-evaluate');
  const usePlan = h('button', { type: 'button', class: 'md-button-secondary', 'data-testid': 'cb-use-plan' }, 'Use the plan');
  const none = h('button', { type: 'button', class: 'md-button-secondary', 'data-testid': 'cb-quantize-all' }, 'Quantize every layer');
  const status = h('p', { class: 'cb-sens__status', 'aria-live': 'polite', 'data-testid': 'cb-apply-status' });
  const el = h(
    'section',
    { class: 'card cb-sens', 'aria-labelledby': 'cb-sens-title' },
    h(
      'div',
      { class: 'card__header' },
      h(
        'div',
        null,
        h('h2', { class: 'card__title', id: 'cb-sens-title' }, 'Sensitivity: which layers to keep in float'),
        h(
          'p',
          { class: 'card__lede' },
          'Each layer is quantized on its own, the rest of the model left in float, and the test accuracy measured: the drop is what that layer alone costs. ',
          'The plan is greedy: starting from the quantized model, keep the most sensitive layer in float and evaluate again, until the accuracy is within the budget. Errors do not simply add, so every step is a real evaluation.',
        ),
      ),
    ),
    plan,
    h('fieldset', { class: 'cb-sens__fieldset' }, h('legend', { class: 'visually-hidden' }, 'Keep in float'), list),
    h('div', { class: 'cb-sens__actions' }, apply, usePlan, none),
    status,
  );

  const boxes = createChoiceBoxes(() => sync());
  /** The quantized model's layers kept in float now. */
  let current = /** @type {string[]} */ ([]);
  let planNames = /** @type {string[]} */ ([]);
  let busy = false;

  function sync() {
    const picked = boxes.chosen();
    const changed = !sameLayers(picked, current);
    apply.disabled = busy || !changed;
    usePlan.disabled = busy || sameLayers(picked, planNames);
    none.disabled = busy || picked.length === 0;
    if (!busy) {
      setText(
        status,
        changed
          ? `Apply to re-convert with ${picked.length ? `${countText(picked.length)} layer${picked.length === 1 ? '' : 's'} in float` : 'every layer in int8'} (the calibration is reused).`
          : current.length
            ? `The report above keeps ${countText(current.length)} layer${current.length === 1 ? '' : 's'} in float.`
            : 'The report above has every layer in int8.',
      );
    }
  }
  apply.addEventListener('click', () => onApply(boxes.chosen()));
  usePlan.addEventListener('click', () => boxes.tick(planNames));
  none.addEventListener('click', () => boxes.tick([]));

  return {
    el,
    /**
     * @param {object} a
     * @param {import('quantlab').PtqLayerReport[]} a.layers
     * @param {import('quantlab').PtqReport['sensitivity'] | undefined} a.sensitivity from the calibration's first report
     * @param {string[]} a.keepFloat the layers the report's model keeps in float
     * @param {string[]} a.checked the boxes to tick
     * @param {'static' | 'dynamic'} a.mode
     */
    render({ layers, sensitivity, keepFloat, checked, mode }) {
      current = keepFloat;
      planNames = sensitivity?.plan ?? [];
      const byName = new Map(layers.map((l, i) => [l.name, { layer: l, index: i }]));
      // dynamic mode: only the layers it quantizes can be kept in float
      const eligible = layers.filter((l) => mode === 'static' || l.quantized || keepFloat.includes(l.name));
      const ranked = sensitivity ? sensitivity.layers.filter((s) => byName.has(s.layer)) : eligible.map((l) => ({ layer: l.name, accuracy: NaN, drop: NaN }));
      const listed = [...ranked, ...eligible.filter((l) => !ranked.some((r) => r.layer === l.name)).map((l) => ({ layer: l.name, accuracy: NaN, drop: NaN }))];
      const maxDrop = Math.max(1e-9, ...listed.map((s) => (Number.isFinite(s.drop) ? s.drop : 0)));

      if (sensitivity) {
        const budget = 100 * sensitivity.budget;
        const drop = 100 * (sensitivity.floatAccuracy - sensitivity.quantizedAccuracy);
        const steps = sensitivity.steps;
        plan.replaceChildren(
          h(
            'p',
            { class: 'cb-plan__verdict', 'data-tone': sensitivity.withinBudget ? 'good' : 'warn' },
            sensitivity.plan.length === 0
              ? `Every layer in int8 is within the budget: ${pointsText(-drop)} against the ${budget.toFixed(1)}-point budget, so the plan keeps nothing in float.`
              : `${sensitivity.withinBudget ? 'Within' : 'Still outside'} the ${budget.toFixed(1)}-point budget with ${countText(sensitivity.plan.length)} layer${sensitivity.plan.length === 1 ? '' : 's'} in float: ${sensitivity.plan.join(', ')} (${percentText(steps.at(-1)?.accuracy ?? NaN)}).`,
          ),
          steps.length > 1
            ? h(
                'ol',
                { class: 'cb-plan__steps', 'aria-label': 'Steps of the greedy search' },
                steps.map((s) => h('li', null, s.keepFloat.length ? `+ ${s.keepFloat.at(-1)} in float → ${percentText(s.accuracy)}` : `every layer in int8 → ${percentText(s.accuracy)}`)),
              )
            : '',
        );
      } else {
        plan.replaceChildren(h('p', { class: 'cb-plan__verdict muted' }, 'The sensitivity analysis was not run (tick it in the settings and calibrate again). You can still keep layers in float and re-evaluate.'));
      }

      boxes.clear();
      list.replaceChildren(
        ...listed.map((s) => {
          const { layer, index } = /** @type {{ layer: import('quantlab').PtqLayerReport, index: number }} */ (byName.get(s.layer));
          const box = boxes.add(s.layer, checked.includes(s.layer), { 'data-testid': 'cb-keep-float' });
          return layerChoiceRow({
            box,
            index,
            name: s.layer,
            op: opText(layer),
            meaning: 'keep in float',
            drop: s.drop,
            maxDrop,
            note: percentText(s.accuracy),
            planned: planNames.includes(s.layer),
            data: { 'data-drop': String(s.drop) },
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
      if (text) setText(status, text);
    },
  };
}

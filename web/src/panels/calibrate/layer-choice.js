// What the two plan cards (sensitivity.js, low-bits.js) share: one row per
// layer (a checkbox with the layer's number, name and op, what the change
// costs alone as a bar and in points, and a "plan" badge) and the set of their
// checkboxes. The cards differ in what a box means and in the note after the
// points.
import { h } from '../../shared/dom.js';
import { pointsText } from './format.js';

/**
 * @param {object} a
 * @param {HTMLInputElement} a.box
 * @param {number} a.index the layer's position in the model (0-based)
 * @param {string} a.name
 * @param {string} a.op e.g. "Conv + Relu"
 * @param {string} a.meaning for screen readers: what ticking the box does, e.g. "keep in float"
 * @param {number} a.drop accuracy lost with the change alone (fraction; NaN: not measured)
 * @param {number} a.maxDrop the largest drop of the card (the bars' full width)
 * @param {string} a.note after the points, e.g. the accuracy or the bytes saved
 * @param {boolean} a.planned
 * @param {Record<string, string>} a.data extra attributes of the row (data-*)
 */
export function layerChoiceRow({ box, index, name, op, meaning, drop, maxDrop, note, planned, data }) {
  const points = 100 * drop;
  return h(
    'li',
    { class: `cb-sens__item${planned ? ' is-planned' : ''}`, 'data-layer': name, ...data },
    h(
      'label',
      { class: 'cb-sens__label' },
      box,
      h('span', { class: 'cb-sens__name' }, h('span', { class: 'mono' }, `${index + 1}. ${name}`), h('span', { class: 'cb-sens__op muted' }, ` ${op}`)),
      h('span', { class: 'visually-hidden' }, `: ${meaning}`),
    ),
    Number.isFinite(drop)
      ? h(
          'span',
          { class: 'cb-sens__cost' },
          h('span', { class: 'cb-sens__track', 'aria-hidden': 'true' }, h('span', { class: `cb-sens__fill${points < 0 ? ' is-gain' : ''}`, style: `width: ${Math.max(0, (100 * drop) / maxDrop)}%` })),
          h('span', { class: 'cb-sens__value' }, `${pointsText(-points)} alone`, h('small', null, ` ${note}`)),
        )
      : h('span', { class: 'cb-sens__cost muted' }, '—'),
    h('span', { class: 'cb-sens__tag' }, planned ? h('span', { class: 'cb-badge cb-badge--plan' }, 'plan') : ''),
  );
}

/** Whether two lists name the same layers, in any order. */
export const sameLayers = (a, b) => a.length === b.length && a.every((n) => b.includes(n));

/**
 * A card's checkboxes by layer name; `onChange` runs after every change, by
 * the user or through tick().
 * @param {() => void} onChange
 */
export function createChoiceBoxes(onChange) {
  const boxes = /** @type {Map<string, HTMLInputElement>} */ (new Map());
  return {
    /** A new box for `name` (replacing any earlier one). */
    add(name, checked, attrs) {
      const box = /** @type {HTMLInputElement} */ (h('input', { type: 'checkbox', checked, 'data-layer': name, ...attrs }));
      box.addEventListener('change', onChange);
      boxes.set(name, box);
      return box;
    },
    clear: () => boxes.clear(),
    names: () => [...boxes.keys()],
    /** The ticked layers. */
    chosen: () => [...boxes].filter(([, box]) => box.checked).map(([name]) => name),
    /** Ticks exactly these layers. */
    tick(names) {
      for (const [name, box] of boxes) box.checked = names.includes(name);
      onChange();
    },
    setDisabled(value) {
      for (const box of boxes.values()) box.disabled = value;
    },
  };
}

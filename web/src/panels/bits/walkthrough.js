// The step-by-step walkthrough: an ordered list rendered from the `steps` the
// core returns. Nothing about the steps is known here except their shape
// {id, title, detail, value}.
import { h, setText } from '../../shared/dom.js';
import { fieldOfBit } from './format-row.js';

/**
 * Colours a step value that is exactly a pattern split into its fields
 * ("0 10000101 01010100100000000000000"), so it matches the bit boxes.
 * Any other value is returned as plain text.
 * @param {string} value
 * @param {import('quantlab').FormatInfo} info
 */
function renderValue(value, info) {
  const groups = value.split(' ');
  const isPattern =
    info.kind === 'float' &&
    groups.length === 3 &&
    groups.every((g) => /^[01]+$/.test(g)) &&
    groups[0].length === 1 &&
    groups[1].length === info.exponent_bits &&
    groups[2].length === info.mantissa_bits;
  if (!isPattern) return [value];
  const fields = [fieldOfBit(info, info.total_bits - 1), 'exponent', 'mantissa'];
  return groups.flatMap((g, i) => [i ? ' ' : '', h('span', { class: `chip-field chip-field--${fields[i]}` }, g)]);
}

/** @returns {{ el: HTMLElement, update(view: object): void }} */
export function createWalkthrough() {
  const heading = h('h2', { class: 'card__title', id: 'walkthrough-title' }, 'Walkthrough');
  const summary = h('p', { class: 'card__lede' });
  const list = h('ol', { class: 'steps', 'data-testid': 'walkthrough', 'aria-labelledby': 'walkthrough-title' });
  const empty = h('p', { class: 'steps__empty', hidden: true });
  const el = h('section', { class: 'card walkthrough' }, heading, summary, list, empty);

  return {
    el,
    /**
     * @param {{ format: string, info: import('quantlab').FormatInfo,
     *           result?: import('quantlab').FloatBits, error?: string,
     *           pinned: boolean, inputText: string }} view
     */
    update({ format, info, result, error, pinned, inputText }) {
      if (!result) {
        setText(heading, `Walkthrough: ${format}`);
        setText(summary, '');
        list.replaceChildren();
        empty.hidden = false;
        setText(empty, error ?? 'Enter a value to see how it is stored.');
        return;
      }
      empty.hidden = true;
      setText(
        heading,
        pinned ? `Reading ${result.hex} as ${format}` : `Storing ${inputText} as ${format}`,
      );
      setText(
        summary,
        pinned
          ? 'You edited this pattern, so the steps decode it back into a value.'
          : 'How the core turns the value into bits, step by step (round to nearest, ties to even).',
      );
      list.replaceChildren(
        ...result.steps.map((step, i) =>
          h(
            'li',
            { class: 'step', 'data-testid': `step-${step.id}` },
            h('span', { class: 'step__number', 'aria-hidden': 'true' }, String(i + 1)),
            h(
              'div',
              { class: 'step__body' },
              h('h3', { class: 'step__title' }, step.title),
              step.detail ? h('p', { class: 'step__detail' }, step.detail) : null,
              step.value
                ? h('code', { class: 'step__value', 'data-testid': `step-value-${step.id}` }, renderValue(step.value, info))
                : null,
            ),
          ),
        ),
      );
    },
  };
}

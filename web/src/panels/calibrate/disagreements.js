// The test images whose top-1 answer changed with quantization: each image
// with the float model's answer, the int8 model's and the true label, so you
// can see whether int8 broke a right answer, fixed a wrong one, or swapped
// one wrong answer for another.
import { h, setText } from '../../shared/dom.js';
import { drawImage } from '../../shared/draw-image.js';
import { IMAGE_SIZE } from '../../shared/model-input.js';
import { countText } from './format.js';

/** Images drawn before "Show all". */
const FIRST_SHOWN = 24;

export function createDisagreements() {
  const summary = h('p', { class: 'cb-dis__summary', 'data-testid': 'cb-dis-summary' });
  const grid = h('ol', { class: 'cb-dis__grid', 'data-testid': 'cb-disagreements' });
  const more = h('button', { type: 'button', class: 'md-button-secondary', hidden: true, 'data-testid': 'cb-dis-more' });
  const el = h(
    'section',
    { class: 'card cb-dis', 'aria-labelledby': 'cb-dis-title' },
    h(
      'div',
      { class: 'card__header' },
      h(
        'div',
        null,
        h('h2', { class: 'card__title', id: 'cb-dis-title' }, 'Where float and int8 disagree'),
        h(
          'p',
          { class: 'card__lede' },
          'Test images whose top-1 class changed. Usually they are close calls, where the float model’s two best scores were nearly tied and a small error tipped the balance; int8 can fix a wrong answer as well as break a right one.',
        ),
      ),
    ),
    summary,
    grid,
    more,
  );

  /** @type {() => void} */
  let showAll = () => {};
  more.addEventListener('click', () => showAll());

  return {
    el,
    /**
     * @param {NonNullable<import('quantlab').PtqReport['evaluation']>} ev
     * @param {{ images: Uint8Array, labels: Int32Array }} test
     * @param {string[]} classNames
     */
    render(ev, test, classNames) {
      const name = (c) => classNames[c] ?? `class ${c}`;
      const items = ev.disagreements.map((index) => {
        const f = ev.floatPredictions[index];
        const q = ev.quantizedPredictions[index];
        const truth = test.labels[index];
        const verdict = q === truth ? 'fixed' : f === truth ? 'broken' : 'both-wrong';
        return { index, f, q, truth, verdict };
      });
      const count = (v) => items.filter((i) => i.verdict === v).length;
      setText(
        summary,
        items.length === 0
          ? `Float and int8 give the same answer on all ${countText(ev.count)} test images.`
          : `${countText(items.length)} of ${countText(ev.count)} test images: int8 is wrong where float was right on ${count('broken')}, right where float was wrong on ${count('fixed')}, and both are wrong on ${count('both-wrong')}.`,
      );
      el.dataset.count = String(items.length);

      const draw = (list) =>
        list.map(({ index, f, q, truth, verdict }) => {
          const canvas = h('canvas', { class: 'cb-dis__image', width: IMAGE_SIZE, height: IMAGE_SIZE, 'aria-hidden': 'true' });
          drawImage(canvas, test.images, index);
          return h(
            'li',
            {
              class: `cb-dis__item is-${verdict}`,
              'data-testid': 'cb-disagreement',
              'data-index': String(index),
              'data-float': String(f),
              'data-int8': String(q),
              'data-label': String(truth),
              'aria-label': `Test image ${index}, a ${name(truth)}: float says ${name(f)}, int8 says ${name(q)}.`,
            },
            canvas,
            h(
              'span',
              { class: 'cb-dis__text', 'aria-hidden': 'true' },
              h('span', { class: `cb-dis__pred${f === truth ? ' is-right' : ''}` }, h('b', null, 'float '), name(f)),
              h('span', { class: `cb-dis__pred${q === truth ? ' is-right' : ''}` }, h('b', null, 'int8 '), name(q)),
              h('span', { class: 'cb-dis__truth' }, `true: ${name(truth)}`),
            ),
          );
        });
      grid.replaceChildren(...draw(items.slice(0, FIRST_SHOWN)));
      grid.hidden = items.length === 0;
      more.hidden = items.length <= FIRST_SHOWN;
      setText(more, `Show all ${countText(items.length)}`);
      showAll = () => {
        grid.append(...draw(items.slice(FIRST_SHOWN)));
        more.hidden = true;
      };
    },
  };
}

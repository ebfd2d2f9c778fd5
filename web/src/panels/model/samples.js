// The sample grid: test images drawn from their raw pixels, each with the
// model's predicted class, its confidence (softmax of the logits) and the true
// label; wrong ones are marked. Shuffle asks for other images.
import { h, setText } from '../../shared/dom.js';
import { drawImage } from '../../shared/draw-image.js';
import { IMAGE_SIZE, argmax, softmax } from '../../shared/model-input.js';

/** Images in the grid. */
export const SAMPLE_COUNT = 24;

/**
 * `count` distinct image indices below `total`: the first ones, or random ones.
 * @param {number} total
 * @param {{ random?: boolean, count?: number }} [options]
 */
export function pickIndices(total, { random = false, count = SAMPLE_COUNT } = {}) {
  const n = Math.min(count, total);
  if (!random) return Array.from({ length: n }, (_, i) => i);
  const picked = new Set();
  while (picked.size < n) picked.add(Math.floor(Math.random() * total));
  return [...picked];
}

/** @param {{ onShuffle: () => void }} handlers */
export function createSamples({ onShuffle }) {
  const shuffle = h('button', { type: 'button', class: 'md-button-secondary', 'data-testid': 'model-shuffle', disabled: true }, 'Shuffle');
  shuffle.addEventListener('click', () => onShuffle());
  const status = h('p', { class: 'md-samples__status', 'data-testid': 'model-samples-status', 'aria-live': 'polite' });
  const grid = h('ol', { class: 'md-grid', 'data-testid': 'model-samples' });
  const el = h(
    'section',
    { class: 'card md-samples', 'aria-labelledby': 'md-samples-title' },
    h(
      'div',
      { class: 'card__header' },
      h(
        'div',
        null,
        h('h2', { class: 'card__title', id: 'md-samples-title' }, 'Predictions'),
        h('p', { class: 'card__lede' }, 'Test images the model never saw in training. Under each: the predicted class, the model’s confidence (softmax of its 10 scores) and the true label.'),
      ),
      shuffle,
    ),
    status,
    grid,
  );

  return {
    el,
    /** A line above the grid (loading, a summary, or why there is no grid). */
    setStatus(text, tone = '') {
      setText(status, text);
      status.dataset.tone = tone;
    },
    setShuffleEnabled(enabled) {
      shuffle.disabled = !enabled;
    },
    clear() {
      grid.replaceChildren();
      el.dataset.state = 'empty';
    },
    /**
     * @param {{ images: Uint8Array, labels: Int32Array }} data
     * @param {number[]} indices
     * @param {Float32Array} logits indices.length × classes
     * @param {number} classes
     * @param {string[]} classNames
     * @returns {number} how many are right
     */
    render(data, indices, logits, classes, classNames) {
      let right = 0;
      const items = indices.map((index, i) => {
        const row = logits.subarray(i * classes, (i + 1) * classes);
        const probs = softmax(row);
        const predicted = argmax(row);
        const truth = data.labels[index];
        const ok = predicted === truth;
        if (ok) right += 1;
        const canvas = h('canvas', { class: 'md-sample__image', width: IMAGE_SIZE, height: IMAGE_SIZE, 'aria-hidden': 'true' });
        drawImage(canvas, data.images, index);
        const name = (c) => classNames[c] ?? `class ${c}`;
        const confidence = probs[predicted];
        return h(
          'li',
          {
            class: `md-sample ${ok ? 'is-right' : 'is-wrong'}`,
            'data-testid': 'model-sample',
            'data-index': String(index),
            'data-predicted': String(predicted),
            'data-label': String(truth),
            'data-confidence': String(confidence),
            'aria-label': `Test image ${index}: predicted ${name(predicted)} with ${(100 * confidence).toFixed(1)}% confidence; it is ${ok ? 'right' : `wrong, the true label is ${name(truth)}`}.`,
          },
          canvas,
          h('span', { class: 'md-sample__mark', 'aria-hidden': 'true' }, ok ? '✓' : '✗'),
          h(
            'span',
            { class: 'md-sample__text', 'aria-hidden': 'true' },
            h('span', { class: 'md-sample__pred', 'data-testid': 'model-sample-pred' }, name(predicted)),
            h(
              'span',
              { class: 'md-sample__conf' },
              h('span', { class: 'md-sample__bar' }, h('span', { style: `width: ${(100 * confidence).toFixed(1)}%` })),
              `${(100 * confidence).toFixed(1)}%`,
            ),
            h('span', { class: 'md-sample__truth' }, ok ? 'right' : `true: ${name(truth)}`),
          ),
        );
      });
      grid.replaceChildren(...items);
      el.dataset.state = 'done';
      return right;
    },
  };
}

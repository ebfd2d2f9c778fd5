// The short lessons under the charts: when each scheme wins and why clipping
// can lower the error. Each has a button that sets up the case it describes.
import { h } from '../../shared/dom.js';

/**
 * @typedef {{ distribution: string, bits: number, observer: string, codes: string,
 *             narrowRange: boolean, logScale: boolean }} LessonSetup
 */

/** @type {Array<{ id: string, title: string, body: string[], setup: LessonSetup, button: string }>} */
export const LESSONS = [
  {
    id: 'symmetric',
    title: 'Zero-centred weights: symmetric is enough',
    body: [
      'Trained weights spread evenly around 0. A symmetric grid puts real 0 on its middle code (z = 0 for int), so an int8 matrix product needs no zero-point corrections, which is why weights are usually quantized symmetric.',
      'On such data the two grids are almost the same, and the SQNRs differ by a fraction of a dB.',
    ],
    setup: { distribution: 'normal', bits: 4, observer: 'minmax', codes: 'default', narrowRange: false, logScale: false },
    button: 'Try normal data at 4 bits',
  },
  {
    id: 'asymmetric',
    title: 'Post-ReLU activations: asymmetric wins',
    body: [
      'After a ReLU nothing is negative. A symmetric grid still keeps half its codes for negative values that never occur (watch “codes used”), so its step is twice as coarse.',
      'The asymmetric grid moves its zero point to the lowest code and spends every code on [0, max]: about 6 dB, one bit’s worth, better.',
    ],
    setup: { distribution: 'relu', bits: 4, observer: 'minmax', codes: 'default', narrowRange: false, logScale: true },
    button: 'Try post-ReLU data at 4 bits',
  },
  {
    id: 'clipping',
    title: 'Outliers: clipping can lower the error',
    body: [
      'Min-max stretches the grid to reach a few extreme values, so the step is huge for everything else. Clipping those values makes their error large, but the finer step helps thousands of ordinary ones.',
      'At 4 bits that trade wins clearly: see the race. At 8 bits the step is already fine, and clipping can cost more than it saves.',
    ],
    setup: { distribution: 'outliers', bits: 4, observer: 'mse', codes: 'default', narrowRange: false, logScale: true },
    button: 'Try outliers at 4 bits with MSE',
  },
];

/**
 * @param {(setup: LessonSetup) => void} onTry
 */
export function createLessons(onTry) {
  return h(
    'section',
    { class: 'qz-lessons', 'aria-labelledby': 'qz-lessons-title' },
    h('h2', { class: 'section-title', id: 'qz-lessons-title' }, 'When which scheme wins'),
    h('p', { class: 'section-lede' }, 'Three cases to try: each button sets the data and options it describes.'),
    h(
      'div',
      { class: 'qz-lessons__grid' },
      LESSONS.map((lesson) =>
        h(
          'article',
          { class: `card qz-lesson qz-lesson--${lesson.id}`, 'data-testid': `lesson-${lesson.id}` },
          h('h3', { class: 'qz-lesson__title' }, lesson.title),
          lesson.body.map((p) => h('p', { class: 'qz-lesson__text' }, p)),
          h(
            'button',
            { type: 'button', class: 'qz-try', 'data-testid': `lesson-try-${lesson.id}`, onclick: () => onTry(lesson.setup) },
            lesson.button,
            h('span', { 'aria-hidden': 'true' }, ' →'),
          ),
        ),
      ),
    ),
  );
}

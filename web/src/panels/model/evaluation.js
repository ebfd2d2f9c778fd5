// The evaluation card: a button, a progress bar while the Web Worker runs the
// test set through the model in batches, then the accuracy, the speed, the
// comparison with PyTorch's accuracy from the manifest and a confusion matrix.
import { h, setText } from '../../shared/dom.js';
import { createErrorMessage } from '../../shared/error-message.js';
import { accuracyText, countText, rateText } from './format.js';

/** Largest difference from the reference accuracy still called a match, in points (one image in 1,000). */
export const MATCH_POINTS = 0.1;

/** @param {{ onRun: () => void }} handlers */
export function createEvaluation({ onRun }) {
  let total = 0;
  const button = h('button', { type: 'button', class: 'button md-run', 'data-testid': 'model-evaluate', disabled: true }, 'Evaluate');
  button.addEventListener('click', () => onRun());
  const fill = h('div', { class: 'md-progress__fill' });
  const progress = h(
    'div',
    {
      class: 'md-progress',
      role: 'progressbar',
      'aria-label': 'Evaluation progress',
      'aria-valuemin': '0',
      'aria-valuemax': '100',
      'aria-valuenow': '0',
      'data-testid': 'model-eval-progress',
    },
    fill,
  );
  const status = h('p', { class: 'md-progress__text', 'data-testid': 'model-eval-status', 'aria-live': 'polite' });
  const error = createErrorMessage({ testid: 'model-eval-error', className: 'md-alert' });
  const results = h('div', { class: 'md-eval__results', 'data-testid': 'model-eval-results', hidden: true });

  const el = h(
    'section',
    { class: 'card md-eval', 'aria-labelledby': 'md-eval-title', 'data-testid': 'model-eval' },
    h(
      'div',
      { class: 'card__header' },
      h(
        'div',
        null,
        h('h2', { class: 'card__title', id: 'md-eval-title' }, 'Accuracy in fp32'),
        h(
          'p',
          { class: 'card__lede' },
          'Runs every bundled test image through the model with quantlab’s fp32 kernels, 50 at a time in a Web Worker, and counts the right answers. ',
          'PyTorch measured the same images when the model was trained: the two should agree to within one image.',
        ),
      ),
      button,
    ),
    h('div', { class: 'md-progress-row' }, progress),
    status,
    error.el,
    results,
  );

  function setProgress(done, of = total) {
    const percent = of ? Math.round((100 * done) / of) : 0;
    progress.setAttribute('aria-valuenow', String(percent));
    progress.setAttribute('aria-valuetext', `${done} of ${of} images`);
    fill.style.width = `${percent}%`;
  }

  /**
   * @param {import('./session.js').EvalResult} r
   * @param {{ accuracy: number, images: number } | null} reference PyTorch's, from the manifest
   * @param {string[]} classNames
   * @param {string} where
   */
  function showResult(r, reference, classNames, where) {
    const perSecond = r.ms > 0 ? (1000 * r.total) / r.ms : Infinity;
    const big = (label, value, testid, valueAttr, note, unit = '') =>
      h(
        'div',
        { class: 'md-stat' },
        h('dt', null, label),
        h('dd', { 'data-testid': testid, 'data-value': valueAttr }, value, unit ? h('small', null, ` ${unit}`) : null),
        note ? h('dd', { class: 'md-stat__note' }, note) : null,
      );
    const stats = [
      big('Accuracy', accuracyText(r.accuracy), 'model-accuracy', String(r.accuracy), `${countText(r.correct)} of ${countText(r.total)} right`),
      big('Speed', rateText(perSecond), 'model-rate', String(perSecond), `${(r.ms / 1000).toFixed(2)} s in all, batches of ${r.batch}`, 'images/s'),
    ];
    let verdict = null;
    if (reference) {
      const diff = r.accuracy - reference.accuracy;
      const matches = Math.abs(diff) <= MATCH_POINTS + 1e-9 && reference.images === r.total;
      stats.push(big('PyTorch', accuracyText(reference.accuracy), 'model-reference', String(reference.accuracy), `on the same ${countText(reference.images)} images`));
      verdict = h(
        'p',
        { class: 'md-verdict', 'data-testid': 'model-verdict', 'data-tone': matches ? 'good' : 'bad', 'data-diff': String(diff) },
        h('span', { class: 'md-verdict__icon', 'aria-hidden': 'true' }, matches ? '✓' : '!'),
        matches
          ? `Matches PyTorch: ${Math.abs(diff) < 1e-9 ? 'the same accuracy' : `${Math.abs(diff).toFixed(2)} points apart`}, within ${MATCH_POINTS} (one image in 1,000).`
          : `Differs from PyTorch by ${Math.abs(diff).toFixed(2)} points${reference.images !== r.total ? ` (PyTorch counted ${countText(reference.images)} images)` : ''}.`,
      );
    }
    results.replaceChildren(h('div', { class: 'md-eval__summary' }, h('dl', { class: 'md-stats' }, stats), verdict ?? ''), confusionTable(r, classNames));
    results.hidden = false;
    setText(status, `Done: ${countText(r.total)} images ${where}.`);
  }

  return {
    el,
    /** The model can (or cannot) be evaluated; `count` test images. */
    setReady(ready, count, reason = '') {
      total = count;
      button.disabled = !ready;
      setText(button, `Evaluate on ${countText(count)} test images`);
      progress.setAttribute('aria-valuenow', '0');
      progress.removeAttribute('aria-valuetext');
      fill.style.width = '0%';
      results.hidden = true;
      results.replaceChildren();
      error.clear();
      setText(status, ready ? 'Ready.' : reason);
      el.dataset.state = ready ? 'ready' : 'unavailable';
    },
    start() {
      button.disabled = true;
      setText(button, 'Evaluating…');
      error.clear();
      results.hidden = true;
      setProgress(0);
      setText(status, `Starting…`);
      el.dataset.state = 'running';
      el.classList.add('is-running');
    },
    progress(done, of) {
      setProgress(done, of);
      setText(status, `${countText(done)} of ${countText(of)} images…`);
    },
    done(result, reference, classNames, where) {
      el.classList.remove('is-running');
      setProgress(result.total, result.total);
      showResult(result, reference, classNames, where);
      button.disabled = false;
      setText(button, 'Evaluate again');
      el.dataset.state = 'done';
    },
    fail(problem) {
      el.classList.remove('is-running');
      error.show(problem);
      setText(status, 'Stopped.');
      button.disabled = false;
      setText(button, `Evaluate on ${countText(total)} test images`);
      el.dataset.state = 'error';
    },
  };
}

/** A 10×10 heat table: rows are true classes, columns predictions. */
function confusionTable(r, classNames) {
  const n = r.classes;
  const rowTotals = Array.from({ length: n }, (_, t) => r.confusion.slice(t * n, (t + 1) * n).reduce((a, b) => a + b, 0));
  const name = (c) => classNames[c] ?? `class ${c}`;
  const head = h(
    'tr',
    null,
    h('th', { scope: 'col', class: 'md-cm__corner' }, h('span', { class: 'md-cm__name' }, 'true ↓ predicted →')),
    Array.from({ length: n }, (_, p) => h('th', { scope: 'col', class: 'md-cm__col', title: name(p) }, h('abbr', { title: name(p) }, String(p)))),
    h('th', { scope: 'col', class: 'md-cm__recall' }, 'right'),
  );
  const rows = Array.from({ length: n }, (_, t) =>
    h(
      'tr',
      null,
      h('th', { scope: 'row', class: 'md-cm__row', title: name(t) }, h('span', { class: 'md-cm__index' }, String(t)), h('span', { class: 'md-cm__name' }, name(t))),
      Array.from({ length: n }, (_, p) => {
        const count = r.confusion[t * n + p];
        const share = rowTotals[t] ? count / rowTotals[t] : 0;
        return h(
          'td',
          {
            class: `num md-cm__cell${t === p ? ' is-diagonal' : ''}${count === 0 ? ' is-zero' : ''}${share > 0.5 ? ' is-hot' : ''}`,
            style: `--md-heat: ${Math.round(100 * share)}%`,
            title: `${name(t)} predicted as ${name(p)}: ${count}`,
          },
          count ? String(count) : '·',
        );
      }),
      h('td', { class: 'num md-cm__recall' }, rowTotals[t] ? `${Math.round((100 * r.confusion[t * n + t]) / rowTotals[t])}%` : '—'),
    ),
  );
  return h(
    'div',
    { class: 'md-cm' },
    h('h3', { class: 'md-subtitle' }, 'Confusion matrix'),
    h('p', { class: 'md-cm__lede muted' }, 'Each row is a true class, each column what the model said (columns numbered as the rows). The diagonal is right; the rest shows which classes it mixes up.'),
    h(
      'div',
      { class: 'table-scroll md-cm__wrap' },
      h('table', { class: 'md-cm__table', 'data-testid': 'model-confusion' }, h('caption', { class: 'visually-hidden' }, 'Confusion matrix: rows are true classes, columns predicted classes'), h('thead', null, head), h('tbody', null, rows)),
    ),
    // on a phone the row names give way to this key
    h('p', { class: 'md-cm__key muted', 'aria-hidden': 'true' }, Array.from({ length: n }, (_, c) => h('span', null, h('b', null, String(c)), ` ${name(c)}`))),
  );
}

// The run's progress: the stages as a row of steps (done, current, to come),
// one bar for the whole run weighted by how long each stage takes, the
// current stage in words (aria-live: announced once per stage, not per
// batch), and the elapsed time.
import { h, setText } from '../../shared/dom.js';
import { countText } from './format.js';

/**
 * The stages of a run, in order, with their share of a run's time (the CNN on
 * two cores: sensitivity dominates) and their text.
 */
export const STAGES = [
  { id: 'load', label: 'Load', weight: 2, text: () => 'Loading the model and the images…' },
  { id: 'calibrate', label: 'Calibrate', weight: 10, text: (p) => `Calibrating: ${countText(p.done)} of ${countText(p.total)} images through the float model, observing every activation…` },
  { id: 'convert', label: 'Convert', weight: 3, text: () => 'Converting: choosing scales and zero points, building the integer graph…' },
  { id: 'report', label: 'Layer errors', weight: 8, text: (p) => `Measuring each layer’s error against float: step ${p.done} of ${p.total}…` },
  {
    id: 'evaluate',
    label: 'Evaluate',
    weight: 15,
    text: (p) => `Evaluating the ${p.model ?? 'float'} model on the test images: ${countText(p.model === 'int8' ? p.done - p.total / 2 : p.done)} of ${countText(p.total / 2)}…`,
  },
  { id: 'sensitivity', label: 'Sensitivity', weight: 55, text: (p) => `Sensitivity: evaluation ${p.done} of ${p.total} with a different set of layers in float…` },
  { id: 'low-bit plan', label: '4-bit plan', weight: 45, text: (p) => `4-bit plan: evaluation ${p.done} of ${p.total} with a different set of layers at 4 bits…` },
  { id: 'time', label: 'Time', weight: 7, text: (p) => `Timing float against int8: batch size ${Math.min(p.done + 1, p.total)} of ${p.total}…` },
];

/** @typedef {{ stage: string, done: number, total: number, model?: 'float' | 'int8' }} Progress */

export function createProgress() {
  const fill = h('div', { class: 'cb-progress__fill' });
  const bar = h(
    'div',
    {
      class: 'cb-progress',
      role: 'progressbar',
      'aria-label': 'Calibration progress',
      'aria-valuemin': '0',
      'aria-valuemax': '100',
      'aria-valuenow': '0',
      'data-testid': 'cb-progress',
    },
    fill,
  );
  const items = new Map(
    STAGES.map((s) => [s.id, h('li', { class: 'cb-stage', 'data-stage': s.id }, h('span', { class: 'cb-stage__dot', 'aria-hidden': 'true' }), s.label)]),
  );
  const steps = h('ol', { class: 'cb-stages', 'aria-label': 'Stages', 'data-testid': 'cb-stages' }, [...items.values()]);
  const status = h('p', { class: 'cb-status', 'data-testid': 'cb-status', 'aria-live': 'polite' });
  const detail = h('p', { class: 'cb-status__detail', 'data-testid': 'cb-status-detail' });
  const clock = h('span', { class: 'cb-clock mono', 'aria-hidden': 'true' });
  const el = h('div', { class: 'cb-run-state', hidden: true }, steps, h('div', { class: 'cb-progress-row' }, bar, clock), detail, status);

  /** Stage ids of the current run. */
  let plan = /** @type {string[]} */ ([]);
  let current = '';
  let started = 0;
  let timer = 0;

  const weightOf = (id) => STAGES.find((s) => s.id === id)?.weight ?? 0;

  function setFraction(f) {
    const percent = Math.max(0, Math.min(100, Math.round(100 * f)));
    bar.setAttribute('aria-valuenow', String(percent));
    fill.style.width = `${percent}%`;
  }

  function elapsed() {
    return `${((performance.now() - started) / 1000).toFixed(1)} s`;
  }

  return {
    el,
    /** A run begins with these stages (ids of STAGES). */
    start(stageIds) {
      plan = STAGES.map((s) => s.id).filter((id) => stageIds.includes(id));
      current = '';
      started = performance.now();
      for (const [id, li] of items) {
        li.hidden = !plan.includes(id);
        li.dataset.state = 'todo';
        li.removeAttribute('aria-current');
      }
      el.hidden = false;
      el.dataset.state = 'running';
      setFraction(0);
      bar.removeAttribute('aria-valuetext');
      setText(status, 'Starting…');
      setText(detail, '');
      clearInterval(timer);
      setText(clock, '0.0 s');
      timer = window.setInterval(() => setText(clock, elapsed()), 100);
    },
    /** @param {Progress} p */
    update(p) {
      const index = plan.indexOf(p.stage);
      if (index < 0) return;
      const stage = /** @type {(typeof STAGES)[number]} */ (STAGES.find((s) => s.id === p.stage));
      const total = plan.reduce((s, id) => s + weightOf(id), 0);
      const before = plan.slice(0, index).reduce((s, id) => s + weightOf(id), 0);
      const within = p.total > 0 ? Math.min(1, p.done / p.total) : 0;
      setFraction((before + within * stage.weight) / total);
      if (p.stage !== current) {
        current = p.stage;
        plan.forEach((id, i) => {
          const li = /** @type {HTMLElement} */ (items.get(id));
          li.dataset.state = i < index ? 'done' : i === index ? 'current' : 'todo';
          if (i === index) li.setAttribute('aria-current', 'step');
          else li.removeAttribute('aria-current');
        });
        setText(status, `Step ${index + 1} of ${plan.length}: ${stage.label.toLowerCase()}.`);
      }
      const text = stage.text(p);
      setText(detail, text);
      bar.setAttribute('aria-valuetext', text);
    },
    /** The run finished: every step done, and how long it took. */
    done(message) {
      clearInterval(timer);
      setText(clock, elapsed());
      for (const id of plan) {
        const li = /** @type {HTMLElement} */ (items.get(id));
        li.dataset.state = 'done';
        li.removeAttribute('aria-current');
      }
      setFraction(1);
      bar.setAttribute('aria-valuetext', 'done');
      el.dataset.state = 'done';
      setText(detail, '');
      setText(status, message);
    },
    /** The run stopped (cancelled or failed). */
    stop(message) {
      clearInterval(timer);
      el.dataset.state = 'stopped';
      for (const li of items.values()) {
        li.removeAttribute('aria-current');
        if (li.dataset.state === 'current') li.dataset.state = 'stopped';
      }
      setText(detail, '');
      setText(status, message);
    },
    dispose() {
      clearInterval(timer);
    },
  };
}

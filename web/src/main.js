// The shell: navigation between panels and a hash router (#bits, ...). The
// wasm core is loaded once (shared/quantlab.js) and handed to each panel.
import { h } from './shared/dom.js';
import { messageOf } from './shared/error-message.js';
import { loadQuantlab } from './shared/quantlab.js';
import { mountBits } from './panels/bits.js';
import { mountQuantizer } from './panels/quantizer.js';
import { mountSpeed } from './panels/speed.js';
import { mountModel } from './panels/model.js';
import { mountCalibrate } from './panels/calibrate.js';

/**
 * The panels, in navigation order. A panel without `mount` is not built yet
 * and shows as "soon".
 * @type {Array<{ id: string, title: string, blurb: string,
 *                mount?: (el: HTMLElement, ql: import('quantlab').Quantlab) => () => void }>}
 */
const PANELS = [
  { id: 'bits', title: 'Bits', blurb: 'How fp32, fp16, bf16, fp8 and integers store a number.', mount: mountBits },
  { id: 'quantizer', title: 'Quantizer', blurb: 'Scales, zero points and rounding: quantize a tensor and see the error.', mount: mountQuantizer },
  { id: 'speed', title: 'Speed', blurb: 'int8 and fp32 kernels racing in WebAssembly SIMD.', mount: mountSpeed },
  { id: 'model', title: 'Model', blurb: 'Load an ONNX network: its layers, predictions and fp32 accuracy.', mount: mountModel },
  { id: 'calibrate', title: 'Calibrate', blurb: 'Quantize a model to int8: calibration, error per layer, sensitivity, a QDQ file to download.', mount: mountCalibrate },
  { id: 'qat', title: 'QAT', blurb: 'Quantization-aware training with fake quantization.' },
  { id: 'llm', title: 'LLM', blurb: 'Weight-only 4-bit formats for language models.' },
];
const DEFAULT_PANEL = 'bits';

const main = /** @type {HTMLElement} */ (document.getElementById('main'));
const navList = /** @type {HTMLElement} */ (document.getElementById('nav-list'));
/** Nav entries by panel id. */
const navItems = new Map();
let unmount = () => {};

function buildNav() {
  for (const panel of PANELS) {
    const item = panel.mount
      ? h('a', { class: 'nav-item', href: `#${panel.id}`, 'data-testid': `nav-${panel.id}` }, panel.title)
      : h(
          'span',
          {
            class: 'nav-item is-disabled',
            'aria-disabled': 'true',
            title: `${panel.title}: coming soon`,
            'data-testid': `nav-${panel.id}`,
          },
          panel.title,
          h('span', { class: 'nav-item__soon' }, 'soon'),
        );
    navItems.set(panel.id, item);
    navList.append(h('li', null, item));
  }
}

function currentPanelId() {
  const id = decodeURIComponent(location.hash.replace(/^#\/?/, '')).toLowerCase();
  return id || DEFAULT_PANEL;
}

/** The loading and failure states share one card. */
function statusCard(children, { testid, role = 'status' }) {
  return h('div', { class: 'status-card', role, 'data-testid': testid }, children);
}

async function route() {
  const id = currentPanelId();
  const panel = PANELS.find((p) => p.id === id);
  unmount();
  unmount = () => {};
  for (const [panelId, item] of navItems) {
    if (panelId === id) item.setAttribute('aria-current', 'page');
    else item.removeAttribute('aria-current');
  }

  if (!panel) {
    document.title = 'Not found · quantlab';
    main.replaceChildren(
      statusCard([h('h1', null, 'No such panel'), h('p', null, `There is no panel called “${id}”. `, h('a', { href: `#${DEFAULT_PANEL}` }, 'Go to Bits'), '.')], { testid: 'not-found' }),
    );
    return;
  }
  document.title = `${panel.title} · quantlab`;
  if (!panel.mount) {
    main.replaceChildren(
      statusCard(
        [
          h('p', { class: 'eyebrow' }, 'Coming soon'),
          h('h1', null, panel.title),
          h('p', null, panel.blurb),
          h('p', null, h('a', { href: `#${DEFAULT_PANEL}` }, 'Explore Bits meanwhile'), '.'),
        ],
        { testid: 'coming-soon' },
      ),
    );
    return;
  }

  main.replaceChildren(
    statusCard([h('span', { class: 'spinner', 'aria-hidden': 'true' }), 'Loading the WebAssembly core…'], { testid: 'app-loading' }),
  );
  let ql;
  try {
    ql = await loadQuantlab();
  } catch (error) {
    if (currentPanelId() !== id) return;
    main.replaceChildren(
      statusCard(
        [
          h('h1', null, 'quantlab could not start'),
          h('p', { class: 'status-card__message mono', 'data-testid': 'init-error' }, messageOf(error)),
          h(
            'p',
            null,
            'The core needs WebAssembly with SIMD: a recent Chrome, Edge, Firefox or Safari (16.4 or later). ',
            'If your browser is current, check that WebAssembly is not disabled by a policy or extension.',
          ),
          h('button', { type: 'button', class: 'button', 'data-testid': 'init-retry', onclick: () => route() }, 'Try again'),
        ],
        { testid: 'app-error', role: 'alert' },
      ),
    );
    return;
  }
  if (currentPanelId() !== id) return; // the user moved on while loading
  unmount = panel.mount(main, ql);
}

buildNav();
// The skip link moves focus without touching the hash (the hash is the router's).
document.querySelector('.skip-link')?.addEventListener('click', (event) => {
  event.preventDefault();
  main.focus();
});
window.addEventListener('hashchange', () => {
  route();
  main.focus({ preventScroll: true });
});
route();

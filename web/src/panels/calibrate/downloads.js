// Downloads: the quantized model as a QDQ ONNX file (onnxruntime runs it) and
// the recipe (every choice, to rebuild the same model without the data).
import { h, setText } from '../../shared/dom.js';
import { bytesText } from './format.js';

/** Saves bytes or text under `name` through a temporary link. */
export function saveFile(data, name, type) {
  const url = URL.createObjectURL(new Blob([data], { type }));
  const link = h('a', { href: url, download: name, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** "fashion_cnn.onnx" → "fashion_cnn". */
const stem = (file) => file.replace(/\.onnx$/i, '');

export function createDownloads() {
  const onnxButton = h('button', { type: 'button', class: 'button cb-download', 'data-testid': 'cb-download-onnx', disabled: true }, 'Download QDQ model (.onnx)');
  const recipeButton = h('button', { type: 'button', class: 'md-button-secondary cb-download', 'data-testid': 'cb-download-recipe', disabled: true }, 'Download recipe (.json)');
  const onnxNote = h('p', { class: 'cb-hint mono', 'data-testid': 'cb-onnx-name' });
  const recipeNote = h('p', { class: 'cb-hint mono', 'data-testid': 'cb-recipe-name' });
  const el = h(
    'section',
    { class: 'card cb-downloads', 'aria-labelledby': 'cb-downloads-title' },
    h('h2', { class: 'card__title', id: 'cb-downloads-title' }, 'Take it with you'),
    h(
      'div',
      { class: 'cb-downloads__grid' },
      h(
        'div',
        { class: 'cb-downloads__item' },
        onnxButton,
        onnxNote,
        h(
          'p',
          { class: 'cb-note' },
          h('strong', null, 'QDQ'),
          ' is how ONNX stores a quantized model: the float graph with a ',
          h('code', null, 'QuantizeLinear'),
          ' → ',
          h('code', null, 'DequantizeLinear'),
          ' pair on every quantized weight and activation, holding the scale and zero point chosen here. ',
          'onnxruntime recognises the pattern and runs integer kernels in its place (QLinearConv, MatMulInteger); the page’s tests check that this file gives the same top-1 as the page on at least 99.5% of the test images.',
        ),
      ),
      h(
        'div',
        { class: 'cb-downloads__item' },
        recipeButton,
        recipeNote,
        h(
          'p',
          { class: 'cb-note' },
          'The ',
          h('strong', null, 'recipe'),
          ' records every choice: the options, the layers kept in float, and each activation’s scale, zero point and clipping range. ',
          h('code', null, 'ql.applyRecipe(model, recipe)'),
          ' or ',
          h('code', null, 'quantlab ptq model.onnx --recipe'),
          ' rebuild the same model byte for byte, without the calibration images.',
        ),
      ),
    ),
  );

  /** @type {{ onnx: Uint8Array, recipe: Record<string, unknown>, file: string, mode: string } | null} */
  let current = null;
  const names = () => {
    const base = `${stem(current?.file ?? 'model.onnx')}.int8${current?.mode === 'dynamic' ? '-dynamic' : ''}`;
    return { onnx: `${base}.onnx`, recipe: `${base}.recipe.json` };
  };
  onnxButton.addEventListener('click', () => current && saveFile(current.onnx, names().onnx, 'application/octet-stream'));
  recipeButton.addEventListener('click', () => current && saveFile(`${JSON.stringify(current.recipe, null, 2)}\n`, names().recipe, 'application/json'));

  return {
    el,
    /**
     * @param {import('./session.js').Outcome} outcome
     * @param {string} file the float model's file name
     */
    render(outcome, file) {
      current = { onnx: outcome.onnx, recipe: outcome.recipe, file, mode: outcome.mode };
      onnxButton.disabled = false;
      recipeButton.disabled = false;
      setText(onnxNote, `${names().onnx} · ${bytesText(outcome.onnx.length)}`);
      setText(recipeNote, `${names().recipe} · ${outcome.keepFloat.length ? `${outcome.keepFloat.length} in float` : 'every layer in int8'}`);
    },
  };
}

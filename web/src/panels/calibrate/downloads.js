// Downloads: the quantized model as a QDQ ONNX file (onnxruntime runs it) and
// the recipe (every choice, to rebuild the same model without the data).
import { h, setText } from '../../shared/dom.js';
import { bytesText } from './format.js';
import { lowBitLayers } from './low-bits.js';

/** Saves bytes or text under `name` through a temporary link. */
export function saveFile(data, name, type) {
  const url = URL.createObjectURL(new Blob([data], { type }));
  const link = h('a', { href: url, download: name, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/**
 * What onnxruntime's fused int8 kernels make of a static model's weights, by
 * weight bits. Measured with onnxruntime-node 1.30 on the test machine (AMD
 * EPYC, AVX2 without VNNI): its u8s8 convolution adds pairs of products in
 * 16 bits with saturation (vpmaddubsw), 255 · 127 · 2 > 32767
 * (scripts/reference/README.md).
 */
const ORT_NOTES = {
  8: 'With 8-bit weights, run it in onnxruntime on an x86 CPU with VNNI, or with graphOptimizationLevel "basic": on x86 CPUs without VNNI (AVX2 only) onnxruntime’s int8 convolution overflows 16-bit sums of full-range 8-bit weights, and answers drift (fashion_cnn: 86.3% top-1 instead of 92.2% on our test machine). For those CPUs choose 7-bit weights, as onnxruntime’s own reduce_range does.',
  7: '7-bit weights: onnxruntime’s int8 kernels give this page’s answers on any CPU, at its default optimization level too.',
  4: '4-bit weights are stored as int4, which needs onnxruntime 1.18 or later (opset 21); it gives this page’s answers at every optimization level (fashion_cnn: the same top-1 on all 1,000 test images).',
};

/** "fashion_cnn.onnx" → "fashion_cnn". */
const stem = (file) => file.replace(/\.onnx$/i, '');

export function createDownloads() {
  const onnxButton = h('button', { type: 'button', class: 'button cb-download', 'data-testid': 'cb-download-onnx', disabled: true }, 'Download QDQ model (.onnx)');
  const recipeButton = h('button', { type: 'button', class: 'md-button-secondary cb-download', 'data-testid': 'cb-download-recipe', disabled: true }, 'Download recipe (.json)');
  const onnxNote = h('p', { class: 'cb-hint mono', 'data-testid': 'cb-onnx-name' });
  const recipeNote = h('p', { class: 'cb-hint mono', 'data-testid': 'cb-recipe-name' });
  // Set per result: what onnxruntime's integer kernels make of these weights.
  const ortNote = h('p', { class: 'cb-note', 'data-testid': 'cb-ort-note', hidden: true });
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
          'At its default optimization level onnxruntime recognises the pattern and runs integer kernels in its place (QLinearConv, QGemm). The page’s tests run the file in onnxruntime-node and check that its top-1 equals the page’s on at least 99.5% of the test images: 8-bit weights with the graph as written, 7-bit weights with its integer kernels too.',
        ),
        ortNote,
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
      const low = lowBitLayers(outcome.layers).length;
      setText(
        recipeNote,
        `${names().recipe} · ${outcome.keepFloat.length ? `${outcome.keepFloat.length} in float` : 'every layer quantized'}${low ? ` · ${low} with 4-bit weights` : ''}`,
      );
      // The note of the narrowest weights in the file (4-bit layers need opset 21).
      const bits = Math.min(...outcome.layers.filter((l) => l.quantized).map((l) => l.weightBits));
      const note = outcome.mode !== 'static' ? '' : ORT_NOTES[bits <= 4 ? 4 : bits] ?? '';
      ortNote.hidden = note === '';
      setText(ortNote, note);
    },
  };
}

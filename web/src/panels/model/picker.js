// The model picker: the bundled models as cards (buttons, so Tab reaches them
// and Enter or Space selects), and a drop zone with a file button for your
// own .onnx and its external-data file.
import { h, setText } from '../../shared/dom.js';
import { createErrorMessage } from '../../shared/error-message.js';
import { accuracyText, bytesText, shortCount } from './format.js';

/**
 * Splits chosen files into the model (.onnx) and its external-data files.
 * @param {File[]} files
 * @returns {{ model: File, external: File[] }}
 */
export function splitFiles(files) {
  const onnx = files.filter((f) => /\.onnx$/i.test(f.name));
  if (onnx.length > 1) throw new Error(`Choose one .onnx model at a time (got ${onnx.map((f) => f.name).join(', ')}).`);
  if (onnx.length === 0 && files.length > 1) {
    throw new Error(`None of ${files.map((f) => f.name).join(', ')} ends in .onnx: which one is the model?`);
  }
  const model = onnx[0] ?? files[0];
  return { model, external: files.filter((f) => f !== model) };
}

/**
 * @param {{ onBundled: (entry: import('../../shared/bundle.js').ManifestModel) => void, onFiles: (files: File[]) => void }} handlers
 */
export function createPicker({ onBundled, onFiles }) {
  const list = h('ul', { class: 'md-cards', 'aria-label': 'Bundled models', 'data-testid': 'model-cards' });
  const listStatus = h('p', { class: 'md-cards__status muted', 'data-testid': 'model-cards-status' }, 'Loading the bundled models…');
  const manifestError = createErrorMessage({ testid: 'model-manifest-error', className: 'md-alert' });
  /** Card buttons by model id. */
  const cards = new Map();

  // --- your own file ----------------------------------------------------------
  const fileInput = h('input', {
    type: 'file',
    multiple: true,
    class: 'visually-hidden',
    tabindex: '-1',
    'aria-hidden': 'true',
    'data-testid': 'model-file-input',
  });
  const chooseButton = h('button', { type: 'button', class: 'md-choose', 'data-testid': 'model-choose' }, 'Choose files…');
  const fileName = h('p', { class: 'md-drop__file mono', 'data-testid': 'model-file-name', 'aria-live': 'polite' });
  const drop = h(
    'div',
    { class: 'md-drop', 'data-testid': 'model-drop' },
    h('span', { class: 'md-drop__icon', 'aria-hidden': 'true' }, '⇪'),
    h(
      'div',
      { class: 'md-drop__text' },
      h('p', { class: 'md-drop__title' }, 'Open your own .onnx'),
      h('p', { class: 'md-drop__hint' }, 'Drop the file here, or choose it. If its weights live in an external-data file, select or drop both together.'),
    ),
    chooseButton,
    fileName,
    fileInput,
  );
  chooseButton.addEventListener('click', () => fileInput.click());
  fileInput.addEventListener('change', () => {
    const files = [...(fileInput.files ?? [])];
    fileInput.value = ''; // choosing the same file again fires change again
    if (files.length) onFiles(files);
  });
  let dragDepth = 0;
  drop.addEventListener('dragenter', (event) => {
    event.preventDefault();
    dragDepth += 1;
    drop.classList.add('is-over');
  });
  drop.addEventListener('dragover', (event) => {
    event.preventDefault();
    if (event.dataTransfer) event.dataTransfer.dropEffect = 'copy';
  });
  drop.addEventListener('dragleave', () => {
    dragDepth = Math.max(0, dragDepth - 1);
    if (dragDepth === 0) drop.classList.remove('is-over');
  });
  drop.addEventListener('drop', (event) => {
    event.preventDefault();
    dragDepth = 0;
    drop.classList.remove('is-over');
    const files = [...(event.dataTransfer?.files ?? [])];
    if (files.length) onFiles(files);
  });

  const el = h(
    'section',
    { class: 'card md-picker', 'aria-labelledby': 'md-picker-title' },
    h(
      'div',
      { class: 'card__header' },
      h(
        'div',
        null,
        h('h2', { class: 'card__title', id: 'md-picker-title' }, 'Pick a model'),
        h('p', { class: 'card__lede' }, 'Three small Fashion-MNIST classifiers trained with PyTorch and exported to ONNX, or a file of your own. Nothing is uploaded: the file is read here.'),
      ),
    ),
    listStatus,
    manifestError.el,
    h('div', { class: 'md-picker__grid' }, list, drop),
  );

  return {
    el,
    /** Shows the cards of the manifest's models. */
    setManifest(manifest) {
      listStatus.hidden = true;
      list.replaceChildren(
        ...manifest.models.map((entry) => {
          const button = h(
            'button',
            { type: 'button', class: 'md-card', 'aria-pressed': 'false', 'data-testid': `model-card-${entry.id}`, 'data-model': entry.id },
            h('span', { class: 'md-card__title' }, entry.title),
            h('span', { class: 'md-card__about' }, entry.description),
            h(
              'span',
              { class: 'md-card__facts' },
              h('span', { class: 'md-card__fact' }, h('strong', null, shortCount(entry.parameters)), ' params'),
              h('span', { class: 'md-card__fact' }, h('strong', null, bytesText(entry.file_size_bytes))),
              h('span', { class: 'md-card__fact' }, 'fp32 ', h('strong', null, accuracyText(entry.accuracy.fp32_full_test))),
            ),
          );
          button.addEventListener('click', () => onBundled(entry));
          cards.set(entry.id, button);
          return h('li', null, button);
        }),
      );
    },
    showManifestError(error) {
      listStatus.hidden = true;
      manifestError.show(error);
    },
    /** Marks the selected source: a bundled id, 'file', or null. */
    setSelected(id, name = '') {
      for (const [cardId, button] of cards) button.setAttribute('aria-pressed', String(cardId === id));
      drop.classList.toggle('is-selected', id === 'file');
      setText(fileName, id === 'file' ? name : '');
    },
  };
}

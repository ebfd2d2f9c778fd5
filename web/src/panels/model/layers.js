// The graph as the package sees it: a summary (inputs, outputs, opset,
// totals), a bar of where the operations go by op type, and the layer table
// (op, name, output shape, parameters, share of FLOPs; folded nodes greyed).
import { h } from '../../shared/dom.js';
import { hasBatchDim, shapeText } from '../../shared/model-input.js';
import { bytesText, countText, flopsText, shareText } from './format.js';

/** Colours of the op-type bar, largest share first (custom properties in styles.css). */
const OP_COLOURS = ['--md-op-1', '--md-op-2', '--md-op-3', '--md-op-4', '--md-op-5', '--md-op-6'];

/** The op with its domain when it is not the default one. */
const opName = (node) => (node.domain && node.domain !== 'ai.onnx' ? `${node.domain}.${node.op}` : node.op);

/**
 * Operations by op type (only nodes that run per image), largest first; the
 * tail beyond the palette is merged into "other".
 * @param {import('quantlab').ModelNode[]} nodes
 */
export function flopsByOp(nodes) {
  const byOp = new Map();
  for (const n of nodes) {
    if (n.folded || !n.flops) continue;
    byOp.set(opName(n), (byOp.get(opName(n)) ?? 0) + n.flops);
  }
  const sorted = [...byOp.entries()].sort((a, b) => b[1] - a[1]);
  if (sorted.length <= OP_COLOURS.length) return sorted;
  const head = sorted.slice(0, OP_COLOURS.length - 1);
  const rest = sorted.slice(OP_COLOURS.length - 1).reduce((s, [, f]) => s + f, 0);
  return [...head, ['other', rest]];
}

export function createLayers() {
  const body = h('div', { class: 'md-layers__body' });
  const el = h(
    'section',
    { class: 'card md-layers', 'aria-labelledby': 'md-layers-title', 'data-testid': 'model-layers' },
    h(
      'div',
      { class: 'card__header' },
      h(
        'div',
        null,
        h('h2', { class: 'card__title', id: 'md-layers-title' }, 'Layers'),
        h(
          'p',
          { class: 'card__lede' },
          'Every node of the graph in the order it runs, with its output shape for a batch of N images, its weights and its share of the arithmetic. ',
          'The share of FLOPs says where the time goes: the heavy layers are the ones worth quantizing first (see the Calibrate panel). ',
          'Greyed rows are folded: computed once when the model loads, not per image.',
        ),
      ),
    ),
    body,
  );

  /**
   * @param {import('../../shared/model-input.js').ModelInfo} info
   * @param {{ fileSize: number, fileNote?: string }} extra
   */
  function render(info, { fileSize, fileNote = '' }) {
    const input = info.inputs[0];
    const freeBatch = !!input?.shape && input.shape.length > 0 && typeof input.shape[0] !== 'number';
    const perImage = info.nodes.filter((n) => !n.folded);
    const totalFlops = perImage.reduce((s, n) => s + n.flops, 0);
    const folded = info.nodes.length - perImage.length;
    const valueText = (v) => `${v.name} ${v.type} ${shapeText(v.shape, { batch: v.shape && typeof v.shape[0] !== 'number' ? 'N' : null })}`;

    // --- summary ---------------------------------------------------------------
    const fact = (label, value, testid, valueAttr, wide = false) =>
      h('div', { class: wide ? 'md-fact md-fact--wide' : 'md-fact' }, h('dt', null, label), h('dd', { 'data-testid': testid, 'data-value': valueAttr }, value));
    const md = info.metadata;
    const summary = h(
      'dl',
      { class: 'md-facts' },
      fact('Input', info.inputs.map(valueText).join(', '), 'model-input', undefined, true),
      fact('Output', info.outputs.map(valueText).join(', '), 'model-output', undefined, true),
      fact('Parameters', countText(info.parameters), 'model-params', String(info.parameters)),
      fact('Per image', `${(totalFlops / 1e6).toFixed(totalFlops >= 1e7 ? 1 : 2)} MFLOPs`, 'model-flops', String(totalFlops)),
      fact('Nodes', `${countText(info.nodes.length)}${folded ? ` (${folded} folded)` : ''}`, 'model-nodes', String(info.nodes.length)),
      fact('File', `${bytesText(fileSize)}${fileNote}`, 'model-size', String(fileSize)),
      fact('ONNX', `IR v${md.irVersion}, opset ${md.opset}`, 'model-meta'),
      md.producer ? fact('Made by', md.producer, 'model-producer', undefined, true) : null,
    );

    // --- where the operations go ----------------------------------------------
    const groups = flopsByOp(info.nodes);
    const bar = h(
      'div',
      { class: 'md-opbar', role: 'img', 'aria-label': `FLOPs by op type: ${groups.map(([op, f]) => `${op} ${shareText(f / totalFlops)}`).join(', ')}`, 'data-testid': 'model-opbar' },
      groups.map(([op, f], i) =>
        h('span', { class: 'md-opbar__part', style: `width: ${(100 * f) / totalFlops}%; background: var(${OP_COLOURS[i]})`, title: `${op}: ${shareText(f / totalFlops)}` }),
      ),
    );
    const legend = h(
      'ul',
      { class: 'legend md-opbar__legend', 'aria-hidden': 'true' },
      groups.map(([op, f], i) =>
        h('li', null, h('span', { class: 'legend__swatch', style: `background: var(${OP_COLOURS[i]})` }), h('span', { class: 'mono' }, op), h('span', { class: 'md-opbar__share' }, shareText(f / totalFlops))),
      ),
    );
    const opBox = totalFlops > 0 ? h('div', { class: 'md-opbox' }, h('h3', { class: 'md-subtitle' }, 'Where the FLOPs go'), bar, legend) : null;

    // --- table -----------------------------------------------------------------
    const maxShare = perImage.reduce((m, n) => Math.max(m, n.flops / (totalFlops || 1)), 0);
    const rows = info.nodes.map((node) => {
      const share = node.folded || !totalFlops ? 0 : node.flops / totalFlops;
      const shapes = node.outputShapes.map((s) => shapeText(s, { batch: hasBatchDim(node, s, freeBatch) ? 'N' : null }));
      return h(
        'tr',
        {
          class: node.folded ? 'md-row is-folded' : 'md-row',
          'data-testid': 'model-layer-row',
          'data-op': node.op,
          'data-folded': node.folded ? 'true' : 'false',
        },
        h('td', { class: 'num md-col-index' }, String(node.index)),
        h(
          'th',
          { scope: 'row', class: 'md-col-op' },
          h('span', { class: 'md-op mono' }, opName(node)),
          node.folded ? h('span', { class: 'md-folded', title: 'Computed once at load: a constant subgraph, not run per image' }, 'folded') : null,
        ),
        h('td', { class: 'md-col-name mono', title: node.name }, node.name || '—'),
        h('td', { class: 'md-col-shape mono', 'data-testid': 'model-layer-shape' }, shapes.join(', ') || '—'),
        h('td', { class: 'num md-col-params', 'data-value': String(node.parameters) }, node.parameters ? countText(node.parameters) : '—'),
        h(
          'td',
          { class: 'md-col-flops', 'data-value': String(share) },
          h(
            'span',
            { class: 'md-share' },
            h('span', { class: 'md-share__track', 'aria-hidden': 'true' }, h('span', { class: 'md-share__fill', style: `width: ${maxShare ? (100 * share) / maxShare : 0}%` })),
            h('span', { class: 'md-share__text' }, node.folded ? 'once at load' : `${shareText(share)}`, node.folded ? null : h('small', null, flopsText(node.flops))),
          ),
        ),
      );
    });
    const table = h(
      'div',
      { class: 'table-scroll md-table-wrap' },
      h(
        'table',
        { class: 'format-table md-table', 'data-testid': 'model-layer-table' },
        h('caption', { class: 'visually-hidden' }, 'The layers of the model: op, name, output shape, parameters and share of FLOPs per image'),
        h(
          'thead',
          null,
          h(
            'tr',
            null,
            h('th', { scope: 'col', class: 'num' }, '#'),
            h('th', { scope: 'col' }, 'Op'),
            h('th', { scope: 'col', class: 'md-col-name' }, 'Name'),
            h('th', { scope: 'col' }, 'Output shape'),
            h('th', { scope: 'col', class: 'num' }, 'Parameters'),
            h('th', { scope: 'col' }, 'Share of FLOPs'),
          ),
        ),
        h('tbody', null, rows),
        h(
          'tfoot',
          null,
          h(
            'tr',
            { 'data-testid': 'model-layer-total' },
            h('td', null, ''),
            h('th', { scope: 'row' }, 'Total'),
            h('td', { class: 'muted md-col-name' }, `${info.nodes.length} nodes`),
            h('td', { class: 'muted' }, `${bytesText(fileSize)} file`),
            h('td', { class: 'num', 'data-value': String(info.parameters) }, countText(info.parameters)),
            h('td', null, `${(totalFlops / 1e6).toFixed(2)} MFLOPs per image`),
          ),
        ),
      ),
    );
    body.replaceChildren(summary, opBox ?? '', table);
    el.hidden = false;
  }

  return {
    el,
    render,
    clear() {
      body.replaceChildren();
      el.hidden = true;
    },
  };
}

/**
 * A plain block beside a residual block (notebook 03), drawn from a built ResNet block (lib/lesson/residualDemo.ts
 * `residualBlock`, the layers of ResNet50): its main path in units (`<name>_1_conv` -> `_1_bn` -> `_1_relu`, ...),
 * once without the shortcut (the plain block: the layers learn H(x) whole) and once with it (the layers learn
 * F(x), the `add` layer makes H(x) = F(x) + x).
 */
import type * as tf from '@tensorflow/tfjs';
import { layerRows, type LayerRow } from '../models/anatomy';
import { arrowSvg, boxSvg, diagramDocument } from './diagram';
import { label, px } from './svgAxes';
import { showDiagram } from './diagram';

/** The block read from its layers: input and output shapes, the main path's units, the shortcut. */
export interface BlockParts {
  inputShape: number[];
  outputShape: number[];
  /** One unit per number n of `<name>_<n>_...`, each as the lines of its box ('Conv2D 1×1, 64', 'BN → ReLU'). */
  units: string[][];
  /** The layers the `add` layer adds (the block's input, or a projection, and the last unit's output). */
  addInputs: string[];
  /** The shortcut goes through a 1x1 convolution (a projection block). */
  projection: boolean;
}

const shapeText = (s: number[]): string => s.join('×');

/** The lines of one unit's box: its convolution (kernel, filters, stride) and what follows it. */
function unitLines(model: tf.LayersModel, rows: LayerRow[]): string[] {
  const conv = rows.find((r) => r.type === 'Conv2D');
  const c = conv
    ? (model.getLayer(conv.name).getConfig() as { kernelSize: number[]; filters: number; strides: number[] })
    : undefined;
  const stride = c && c.strides[0] !== 1 ? `, stride ${c.strides[0]}` : '';
  const head = c ? `Conv2D ${c.kernelSize.join('×')}, ${c.filters}${stride}` : rows[0].type;
  const rest = rows
    .filter((r) => r !== conv)
    .map((r) => (r.type.includes('BatchNorm') ? 'BN' : r.name.endsWith('relu') ? 'ReLU' : r.type));
  return rest.length ? [head, rest.join(' → ')] : [head];
}

/** The parts of a block built by `residualBlock` (its layers named `<name>_<n>_...`, `<name>_add`). */
export function blockParts(model: tf.LayersModel): BlockParts {
  const rows = layerRows(model);
  const add = rows.find((r) => r.type === 'Add');
  if (!add) throw new Error(`model '${model.name}' has no Add layer: build it with residualBlock.`);
  const byUnit = new Map<number, LayerRow[]>();
  for (const r of rows) {
    const n = /_(\d+)_(?:conv|bn|relu)$/.exec(r.name)?.[1];
    if (n !== undefined && n !== '0') byUnit.set(Number(n), [...(byUnit.get(Number(n)) ?? []), r]);
  }
  return {
    inputShape: rows[0].outputShape,
    outputShape: rows[rows.length - 1].outputShape,
    units: [...byUnit.keys()].sort((a, b) => a - b).map((n) => unitLines(model, byUnit.get(n) ?? [])),
    addInputs: add.inputs,
    projection: rows.some((r) => /_0_conv$/.test(r.name)),
  };
}

/** Layout of one panel, in pixels. */
const P = { width: 380, box: 46, step: 66, boxW: 220, top: 92, r: 14 };

/** Where the rows below the units sit: the add (residual only), the ReLU, the output. */
function lowerRows(units: number, residual: boolean): { add: number; relu: number; out: number } {
  const end = P.top + units * P.step + P.box;
  const add = end + 34;
  const relu = residual ? add + P.r + 28 : end + 30;
  return { add, relu, out: relu + 26 };
}

/** The shortcut (x around the units into the add) and the labels of the residual panel. */
function shortcutSvg(cx: number, addY: number, unitsMid: number): string {
  const right = cx + P.boxW / 2;
  const y0 = P.top + P.box / 2;
  return (
    `<g class="add"><circle cx="${px(cx)}" cy="${px(addY)}" r="${P.r}" fill="white" stroke="#555" stroke-width="1.5"/>` +
    `${label(cx, addY + 6, '+', { size: 20, anchor: 'middle', color: '#222', bold: true })}</g>` +
    '<g class="shortcut">' +
    arrowSvg(
      [
        [right, y0],
        [right + 50, y0],
        [right + 50, addY],
        [cx + P.r, addY],
      ],
      { color: '#d62728', width: 2.5 },
    ) +
    label(right + 58, (y0 + addY) / 2, 'x', { size: 16, color: '#d62728', bold: true }) +
    label(right + 58, (y0 + addY) / 2 + 20, 'shortcut', { size: 12, color: '#d62728' }) +
    `</g>${label(cx - P.boxW / 2 - 8, unitsMid, 'F(x)', { size: 14, anchor: 'end', color: '#1f77b4', bold: true })}`
  );
}

/** One panel: input, the units, (the add and the shortcut,) ReLU, output; `residual` adds the shortcut. */
function panelSvg(parts: BlockParts, residual: boolean, x0: number): string {
  const cx = x0 + 40 + P.boxW / 2;
  const at = (i: number) => P.top + i * P.step;
  const n = parts.units.length;
  const rows = lowerRows(n, residual);
  const box = (y: number, lines: string[], fill: string, kind: string) =>
    boxSvg({ x: cx - P.boxW / 2, y, width: P.boxW, height: P.box, lines, fill, kind });
  const output = residual ? '출력 H(x) = F(x) + x' : '출력 H(x)';
  const boxes = [
    box(at(0), ['입력 x', shapeText(parts.inputShape)], '#f4f6fa', 'input'),
    ...parts.units.map((u, i) => box(at(i + 1), u, '#dbe9f6', 'unit')),
    box(rows.out, [output, shapeText(parts.outputShape)], '#d9f0d3', 'output'),
  ];
  const down = (a: number, b: number) =>
    arrowSvg([
      [cx, a],
      [cx, b],
    ]);
  const chain = [...Array(n).keys()].map((i) => down(at(i) + P.box, at(i + 1)));
  const end = at(n) + P.box;
  const tail = residual ? down(end, rows.add - P.r) + down(rows.add + P.r, rows.relu - 12) : down(end, rows.relu - 12);
  const relu = label(cx, rows.relu + 4, 'ReLU', { size: 12, anchor: 'middle' }) + down(rows.relu + 8, rows.out);
  const mid = (at(1) + end) / 2;
  const extra = residual
    ? shortcutSvg(cx, rows.add, mid)
    : label(cx - P.boxW / 2 - 8, mid, 'H(x)', { size: 14, anchor: 'end', color: '#1f77b4', bold: true });
  const title = residual ? '잔차 블록: F(x) + x' : '일반 블록: shortcut 없음';
  const head = label(cx, P.top - 22, title, { size: 15, anchor: 'middle', color: '#222', bold: true });
  const kind = residual ? 'residual' : 'plain';
  return `<g class="panel ${kind}">${head}${chain.join('')}${tail}${relu}${boxes.join('')}${extra}</g>`;
}

/** The SVG of a plain block (left) beside the residual block (right), both from `model`'s layers. */
export function residualBlockSvg(model: tf.LayersModel, title: string): string {
  const parts = blockParts(model);
  const height = lowerRows(parts.units.length, true).out + P.box + 16;
  return diagramDocument(2 * P.width, height, panelSvg(parts, false, 0) + panelSvg(parts, true, P.width), title);
}

/** Shows `residualBlockSvg` of a built block (notebook 03). */
export function showResidualBlockDiagram(model: tf.LayersModel): void {
  const title = `일반 블록과 잔차 블록: 위에서 만든 '${model.name}' 블록의 층에서 그린 그림`;
  showDiagram(residualBlockSvg(model, title), '일반 블록과 잔차 블록');
}

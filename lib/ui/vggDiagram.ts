/**
 * VGG16's architecture drawn from a built model (notebook 02): one column per block (`block1` ... `block5`) with its
 * convolutions and its pooling, each with its output shape, then the classifier (Flatten and the Dense layers),
 * and under every column its parameters. Everything written comes from the model's layers and their configs.
 */
import type * as tf from '@tensorflow/tfjs';
import { blockOf, layerRows } from '../models/anatomy';
import { arrowSvg, boxSvg, diagramDocument } from './diagram';
import { label } from './svgAxes';
import { showDiagram } from './diagram';

/** One layer as the diagram draws it: its kind (a colour), two lines of text, its output shape. */
export interface DiagramLayer {
  name: string;
  kind: 'conv' | 'pool' | 'flatten' | 'dense' | 'other';
  /** What the layer does ('Conv2D 3×3, 64'), then its output shape ('224×224×64'). */
  lines: [string, string];
  outputShape: number[];
}

/** A column of the diagram: a block (its name) or the classifier ('분류기'), its layers and parameters. */
export interface DiagramColumn {
  name: string;
  layers: DiagramLayer[];
  params: number;
}

const FILL: Record<DiagramLayer['kind'], string> = {
  conv: '#dbe9f6',
  pool: '#fde2c8',
  flatten: '#eeeeee',
  dense: '#d9f0d3',
  other: '#f4f6fa',
};

const shapeText = (s: number[]): string => s.map((d) => d.toLocaleString('en-US')).join('×');

/** How the diagram writes one layer, from its class and config. */
function describe(layer: tf.layers.Layer, outputShape: number[]): DiagramLayer {
  const type = layer.getClassName();
  const c = layer.getConfig() as Record<string, unknown>;
  const pair = (v: unknown) => (Array.isArray(v) ? v.join('×') : `${String(v)}×${String(v)}`);
  const shape = shapeText(outputShape);
  const row = (kind: DiagramLayer['kind'], what: string): DiagramLayer => ({
    name: layer.name,
    kind,
    lines: [what, shape],
    outputShape,
  });
  if (type === 'Conv2D') return row('conv', `Conv2D ${pair(c.kernelSize)}, ${String(c.filters)}`);
  if (type === 'MaxPooling2D') return row('pool', `MaxPooling ${pair(c.poolSize)}`);
  if (type === 'Flatten') return row('flatten', 'Flatten');
  if (type === 'Dense') {
    const units = Number(c.units).toLocaleString('en-US');
    return { ...row('dense', `Dense ${units}`), lines: [`Dense ${units}`, String(c.activation)] };
  }
  return row('other', type);
}

/** The model's layers in columns: one per block (`blockOf`), the layers outside blocks together as '분류기'. */
export function vggColumns(model: tf.LayersModel): DiagramColumn[] {
  const rows = layerRows(model);
  const columns: DiagramColumn[] = [];
  model.layers.forEach((layer, i) => {
    if (layer.getClassName() === 'InputLayer') return;
    const block = blockOf(layer.name);
    const name = /^block\d+$/.test(block) ? block : '분류기';
    let col = columns[columns.length - 1];
    if (!col || col.name !== name) columns.push((col = { name, layers: [], params: 0 }));
    col.layers.push(describe(layer, rows[i].outputShape));
    col.params += rows[i].params;
  });
  return columns;
}

/** Layout of the diagram, in pixels. */
const L = { col: 138, gap: 22, box: 40, step: 50, left: 16, top: 74, input: 92 };

/** The SVG of `vggColumns(model)`: the input, then the columns left to right, parameters under each. */
export function vggDiagramSvg(model: tf.LayersModel, title: string): string {
  const columns = vggColumns(model);
  const input = model.inputs[0].shape.slice(1).map(Number);
  const tallest = Math.max(...columns.map((c) => c.layers.length));
  const height = L.top + 30 + tallest * L.step + 44;
  const width = L.left * 2 + L.input + L.gap + columns.length * (L.col + L.gap) - L.gap;
  const inputBox = boxSvg({
    x: L.left,
    y: L.top + 30,
    width: L.input,
    height: L.box,
    lines: ['입력', shapeText(input)],
    kind: 'input',
  });
  const body = columns.map((col, k) => {
    const x = L.left + L.input + L.gap + k * (L.col + L.gap);
    const head = label(x + L.col / 2, L.top + 12, col.name, { size: 14, anchor: 'middle', color: '#222', bold: true });
    const boxes = col.layers.map((l, i) =>
      boxSvg({
        x,
        y: L.top + 30 + i * L.step,
        width: L.col,
        height: L.box,
        lines: l.lines,
        fill: FILL[l.kind],
        kind: l.kind,
      }),
    );
    const params = `파라미터 ${col.params.toLocaleString('en-US')}`;
    const foot = label(x + L.col / 2, height - 18, params, { size: 12, anchor: 'middle', color: '#333' });
    const into = arrowSvg([
      [x - L.gap + 2, L.top + 30 + L.box / 2],
      [x - 2, L.top + 30 + L.box / 2],
    ]);
    return `<g class="column">${into}${head}${boxes.join('')}${foot}</g>`;
  });
  return diagramDocument(width, height, inputBox + body.join(''), title);
}

/** Shows `vggDiagramSvg` of a built VGG model (notebook 02). */
export function showVggDiagram(model: tf.LayersModel): void {
  const [h, w, c] = model.inputs[0].shape.slice(1);
  const title = `${model.name.toUpperCase()}의 구조: 이 노트북에서 만든 모델의 층에서 그린 그림 (입력 ${h}×${w}×${c})`;
  showDiagram(vggDiagramSvg(model, title), `${model.name} 구조도`);
}

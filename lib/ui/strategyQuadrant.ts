/**
 * The fine-tuning quadrant of the lesson (notebook 07): the amount of training data (x: little, much) against how
 * much its classes resemble the base's original ones (y: high on top, low below), each cell naming the strategy
 * that `recommendedStrategy` (lib/training/finetune.ts) gives for it, with what trains in that strategy.
 */
import { recommendedStrategy, type DataSize, type FineTuneStrategy, type Similarity } from '../training/finetune';
import { boxSvg, diagramDocument } from './diagram';
import { label, px } from './svgAxes';
import { strategyLabel } from './trainableView';
import { showDiagram } from './diagram';

/** One cell of the quadrant: where it is, the strategy and the lines it shows. */
export interface QuadrantCell {
  size: DataSize;
  similarity: Similarity;
  strategy: FineTuneStrategy;
  lines: string[];
}

/** What each strategy trains, in a line under its name. */
const TRAINS: Record<FineTuneStrategy, string> = {
  all: '합성곱 기반 전체 + 분류기',
  top: '위쪽 층 일부 + 분류기 (아래쪽은 고정)',
  classifier: '분류기만 (합성곱 기반 고정)',
};

const FILL: Record<FineTuneStrategy, string> = { all: '#f8d5d5', top: '#fde9c8', classifier: '#d9f0d3' };

/** The four cells, in reading order: top row (high similarity), then bottom row; little data left, much right. */
export function quadrantCells(): QuadrantCell[] {
  const rows: Similarity[] = ['high', 'low'];
  const cols: DataSize[] = ['small', 'large'];
  return rows.flatMap((similarity) =>
    cols.map((size) => {
      const strategy = recommendedStrategy(size, similarity);
      return { size, similarity, strategy, lines: [strategyLabel(strategy), TRAINS[strategy]] };
    }),
  );
}

/** Layout, in pixels: the grid's left and top edges and its cells' size. */
const Q = { left: 150, top: 70, cellW: 270, cellH: 130 };

/**
 * The quadrant as an SVG; `mark` puts a labelled dot in one cell (e.g. where this lesson's cats and dogs are).
 */
export function strategyQuadrantSvg(
  title: string,
  mark?: { size: DataSize; similarity: Similarity; text: string },
): string {
  const place = (size: DataSize, sim: Similarity) => ({
    x: Q.left + (size === 'small' ? 0 : Q.cellW),
    y: Q.top + (sim === 'high' ? 0 : Q.cellH),
  });
  const cells = quadrantCells().map((c) => {
    const { x, y } = place(c.size, c.similarity);
    const lines = [c.lines[0], c.lines[1]];
    return boxSvg({
      x: x + 4,
      y: y + 4,
      width: Q.cellW - 8,
      height: Q.cellH - 8,
      lines,
      fill: FILL[c.strategy],
      title: true,
      size: 13,
      kind: `cell ${c.strategy}`,
    });
  });
  const [gx, gy] = [Q.left + Q.cellW, Q.top + Q.cellH];
  const bottom = Q.top + 2 * Q.cellH;
  const axes =
    label(Q.left + Q.cellW / 2, bottom + 22, '적음', { size: 13, anchor: 'middle' }) +
    label(gx + Q.cellW / 2, bottom + 22, '많음', { size: 13, anchor: 'middle' }) +
    label(gx, bottom + 46, '학습 데이터의 양 →', { size: 14, anchor: 'middle', color: '#222', bold: true }) +
    label(Q.left - 10, Q.top + Q.cellH / 2 + 4, '높음', { size: 13, anchor: 'end' }) +
    label(Q.left - 10, gy + Q.cellH / 2 + 4, '낮음', { size: 13, anchor: 'end' }) +
    label(40, gy, '원래 데이터셋과 클래스의 유사성 →', {
      size: 14,
      anchor: 'middle',
      color: '#222',
      bold: true,
      rotate: -90,
    });
  let dot = '';
  if (mark) {
    const { x, y } = place(mark.size, mark.similarity);
    const [cx, cy] = [x + 24, y + Q.cellH - 24];
    dot =
      `<g class="mark"><circle cx="${px(cx)}" cy="${px(cy)}" r="6" fill="#1f77b4"/>` +
      `${label(cx + 12, cy + 4, mark.text, { size: 12, color: '#1f77b4', bold: true })}</g>`;
  }
  return diagramDocument(Q.left + 2 * Q.cellW + 24, bottom + 64, cells.join('') + axes + dot, title);
}

/** Shows the quadrant with this lesson's cats and dogs marked: few photos, classes ImageNet knows (notebook 07). */
export function showStrategyQuadrant(): void {
  const mark = { size: 'small', similarity: 'high', text: '이 강의의 고양이·개' } as const;
  showDiagram(
    strategyQuadrantSvg('미세 조정 전략 고르기: 데이터의 양 × 클래스의 유사성', mark),
    '미세 조정 전략 사분면',
  );
}

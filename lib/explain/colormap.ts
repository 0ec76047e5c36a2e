/**
 * Viridis, matplotlib's perceptually uniform colormap (dark blue-violet for 0, yellow for 1), as a small lookup
 * table: matplotlib's colours at every 16th of its 256 entries (the table plotly ships as 'Viridis'), linearly
 * interpolated between them.
 */

const VIRIDIS_HEX = [
  '440154',
  '48186a',
  '472d7b',
  '424086',
  '3b528b',
  '33638d',
  '2c728e',
  '26828e',
  '21918c',
  '1fa088',
  '28ae80',
  '3fbc73',
  '5ec962',
  '84d44b',
  'addc30',
  'd8e219',
  'fde725',
];

const VIRIDIS: [number, number, number][] = VIRIDIS_HEX.map(
  (h) => [0, 2, 4].map((i) => parseInt(h.slice(i, i + 2), 16)) as [number, number, number],
);

/** Positions of the table's entries in [0, 1] (entry i is matplotlib's colour 16 * i of 255; the last is 1). */
const POSITIONS = VIRIDIS.map((_, i) => Math.min(1, (16 * i) / 255));

/**
 * The viridis colour of `t` in [0, 1] (clamped; NaN counts as 0), as [r, g, b] in 0..255 (not rounded).
 * Writes into `out` when given.
 */
export function viridis(t: number, out: [number, number, number] = [0, 0, 0]): [number, number, number] {
  const v = Number.isFinite(t) ? Math.min(1, Math.max(0, t)) : t === Infinity ? 1 : 0;
  let i = 0;
  while (i < POSITIONS.length - 2 && v > POSITIONS[i + 1]) i++;
  const f = (v - POSITIONS[i]) / (POSITIONS[i + 1] - POSITIONS[i]);
  const a = VIRIDIS[i];
  const b = VIRIDIS[i + 1];
  for (let c = 0; c < 3; c++) out[c] = a[c] + (b[c] - a[c]) * f;
  return out;
}

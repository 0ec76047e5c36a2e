/**
 * Notebook 04's demonstrations of the keras.applications arguments: what `includeTop`, `inputShape` and `pooling`
 * do to a model's output and parameters (built with `weights: null`: nothing is downloaded), and the errors wrong
 * arguments get. Tables in Korean; the error messages are the builders' own (Korean in a notebook).
 */
import { applicationInfo, type BackboneOptions } from '../models/applications';
import { modelStats } from '../models/anatomy';
import { showTable } from '../ui/display';
import { shapeText } from '../ui/modelTables';

/** "includeTop: false, inputShape: [150, 150, 3], pooling: 'avg'" (the options as written in a call). */
export function optionsText(opts: BackboneOptions): string {
  const value = (v: unknown): string =>
    typeof v === 'string' ? `'${v}'` : Array.isArray(v) ? `[${v.join(', ')}]` : String(v);
  return Object.entries(opts)
    .map(([k, v]) => `${k}: ${value(v)}`)
    .join(', ');
}

/** The call as a learner writes it: "vgg16({ includeTop: false })". */
export function callText(app: string, opts: BackboneOptions): string {
  const args = optionsText(opts);
  return `${app.toLowerCase()}(${args ? `{ ${args} }` : ''})`;
}

/**
 * Builds each application with each set of options (`weights: null`, so nothing is downloaded) and shows the
 * output shape, layers and parameters of each, side by side.
 */
export async function showOptionTable(apps: string[], variants: BackboneOptions[]): Promise<void> {
  const rows: Record<string, unknown>[] = [];
  for (const app of apps) {
    for (const opts of variants) {
      const model = await applicationInfo(app).build({ ...opts, weights: null, quiet: true });
      const s = modelStats(model);
      rows.push({
        모델: app,
        옵션: optionsText(opts),
        '출력 모양': `[None, ${shapeText(s.outputShape).replace(/x/g, ', ')}]`,
        '층 수': s.layers,
        파라미터: s.params,
      });
      model.dispose();
    }
  }
  showTable(rows, { caption: 'includeTop / inputShape / pooling에 따른 출력 모양과 파라미터 (weights: null)' });
}

/** Calls the builder of `app` with each set of wrong options and shows the error each one gets. */
export async function showArgumentErrors(app: string, wrong: BackboneOptions[]): Promise<void> {
  const rows: Record<string, unknown>[] = [];
  for (const opts of wrong) {
    let error = '(오류 없음)';
    try {
      (await applicationInfo(app).build({ ...opts, quiet: true })).dispose();
    } catch (e) {
      error = e instanceof Error ? e.message : String(e);
    }
    rows.push({ 호출: callText(app, opts), '오류 메시지': error });
  }
  showTable(rows, { caption: '잘못된 인자와 그 오류 메시지' });
}

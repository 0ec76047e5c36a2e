/**
 * The one walker over a model's layers, nested models included (a transfer model holds its base as one layer).
 * Everything that visits "every layer, recursively" (freezing, weight loading, BatchNorm mode, summaries,
 * finding a layer by name) goes through here.
 */
import * as tf from '@tensorflow/tfjs';

/** A layer that is a container of layers (a nested `tf.LayersModel` / Sequential). */
export function innerLayers(layer: tf.layers.Layer | tf.LayersModel): tf.layers.Layer[] | undefined {
  const inner = (layer as unknown as { layers?: unknown }).layers;
  return Array.isArray(inner) ? (inner as tf.layers.Layer[]) : undefined;
}

/** Where a visited layer sits: its parent container and the containers from the root down to that parent. */
export interface LayerPlace {
  layer: tf.layers.Layer;
  /** The container whose `layers` holds this layer (undefined for the root itself). */
  parent?: tf.LayersModel;
  /** Containers from the root down to (and including) `parent`. */
  path: tf.LayersModel[];
  /** 0 for the root's own layers, 1 inside a nested model, ... */
  depth: number;
}

/**
 * Visits `root` and every layer inside it, depth first, in model order: a container is visited before its
 * layers. Return `false` from `visit` to skip a container's inside.
 */
export function walkLayers(root: tf.layers.Layer | tf.LayersModel, visit: (place: LayerPlace) => void | false): void {
  const go = (
    layer: tf.layers.Layer,
    parent: tf.LayersModel | undefined,
    path: tf.LayersModel[],
    depth: number,
  ): void => {
    const descend = visit({ layer, parent, path, depth });
    const inner = innerLayers(layer);
    if (!inner || descend === false) return;
    const down = [...path, layer as unknown as tf.LayersModel];
    for (const l of inner) go(l, layer as unknown as tf.LayersModel, down, depth + 1);
  };
  go(root as tf.layers.Layer, undefined, [], -1);
}

/** Every layer inside `root` (not `root` itself), containers and leaves, in walk order. */
export function allLayers(root: tf.layers.Layer | tf.LayersModel): tf.layers.Layer[] {
  const out: tf.layers.Layer[] = [];
  walkLayers(root, ({ layer }) => void (layer !== (root as unknown) && out.push(layer)));
  return out;
}

/** The leaf layers (no nested models) inside `root`, in model order. */
export function leafLayers(root: tf.layers.Layer | tf.LayersModel): tf.layers.Layer[] {
  return allLayers(root).filter((l) => innerLayers(l) === undefined);
}

/** The first layer named `name` inside `root` (nested models searched), with its place; undefined if none. */
export function findLayer(root: tf.layers.Layer | tf.LayersModel, name: string): LayerPlace | undefined {
  let found: LayerPlace | undefined;
  walkLayers(root, (place) => {
    if (found) return false;
    if (place.layer !== (root as unknown) && place.layer.name === name) found = place;
  });
  return found;
}

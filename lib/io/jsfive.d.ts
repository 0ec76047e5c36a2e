/**
 * The part of jsfive (0.4.2, a pure-JavaScript HDF5 reader without type declarations) that io/kerasHdf5.ts uses.
 * jsfive throws strings as well as Errors.
 */
declare module 'jsfive' {
  /** A group or dataset of an HDF5 file. */
  export interface Node {
    attrs: Record<string, unknown>;
    /** Member names of a group. */
    keys?: string[];
    /** Shape of a dataset. */
    shape?: number[];
    /** Dtype of a dataset, e.g. '<f4'. */
    dtype?: unknown;
    /** The values of a dataset, read (and decompressed) on access. */
    value?: ArrayLike<number>;
    get(path: string): Node;
  }
  /** An HDF5 file held in memory. */
  export class File implements Node {
    constructor(buffer: ArrayBuffer, filename: string);
    attrs: Record<string, unknown>;
    keys?: string[];
    get(path: string): Node;
  }
}

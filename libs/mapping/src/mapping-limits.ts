/**
 * Bounds on one JSONata mapping (SPEC §14): what a site admin or a source's owner writes runs on every lead, so its
 * size, time, depth and output are all capped. The apps read these from their config; the defaults suit both.
 */
export interface MappingLimits {
  /** Longest mapping source accepted when saved, in characters. */
  maxSourceLength: number;
  /** Wall time of one evaluation; JSONata checks it at every step, and a worker stuck in one step is terminated. */
  timeoutMs: number;
  /** Deepest evaluation stack (JSONata's own guard against runaway recursion). */
  maxDepth: number;
  /** Longest sequence an evaluation may build. */
  maxSequenceLength: number;
  /** Largest result, as the UTF-8 bytes of its JSON. */
  maxOutputBytes: number;
  /** Heap of each evaluation worker, in MB: an evaluation that needs more ends its worker, not the process. */
  workerHeapMb: number;
}

export const DEFAULT_MAPPING_LIMITS: MappingLimits = {
  maxSourceLength: 16_384,
  timeoutMs: 100,
  maxDepth: 500,
  maxSequenceLength: 100_000,
  maxOutputBytes: 262_144,
  workerHeapMb: 64,
};

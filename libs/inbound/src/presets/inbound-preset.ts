import type { SignatureScheme } from '../signature-schemes.js';

/**
 * A starting point for a source fed by a known tool: the JSONata mapping from what the tool sends to a lead, and the
 * tool's signature scheme. Both are copied onto the source when it is made and can be edited afterwards.
 */
export interface InboundPreset {
  id: string;
  label: string;
  /** The tool's own documentation of the payload (and signature) this preset reads. */
  docs: string;
  /** What the preset expects of the tool's settings, shown next to the preset. */
  notes: string;
  signature: SignatureScheme;
  mapping: string;
}

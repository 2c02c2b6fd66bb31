import { CUSTOM_PRESET } from './custom.preset.js';
import { GRAVITY_FORMS_PRESET } from './gravity-forms.preset.js';
import type { InboundPreset } from './inbound-preset.js';
import { JOTFORM_PRESET } from './jotform.preset.js';
import { TALLY_PRESET } from './tally.preset.js';
import { TYPEFORM_PRESET } from './typeform.preset.js';
import { WEBFLOW_PRESET } from './webflow.preset.js';

export type { InboundPreset } from './inbound-preset.js';

/** Every preset a source can start from, by id (`custom` is the default). */
export const INBOUND_PRESETS: readonly InboundPreset[] = [
  TYPEFORM_PRESET,
  TALLY_PRESET,
  JOTFORM_PRESET,
  WEBFLOW_PRESET,
  GRAVITY_FORMS_PRESET,
  CUSTOM_PRESET,
];

export const INBOUND_PRESET_IDS = INBOUND_PRESETS.map((preset) => preset.id);

export function findPreset(id: string): InboundPreset | undefined {
  return INBOUND_PRESETS.find((preset) => preset.id === id);
}

export { CUSTOM_PRESET, GRAVITY_FORMS_PRESET, JOTFORM_PRESET, TALLY_PRESET, TYPEFORM_PRESET, WEBFLOW_PRESET };

import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from '../api/client.js';
import type { MappingPreview, MappingProblem } from '../api/types.js';
import { useApp } from '../app-context.js';
import { isId } from '../router.js';
import { FieldProblem, invalidProps } from '../ui/field-problems.js';
import { html } from '../ui/html.js';
import { Loading } from '../ui/states.js';

/** Where a JSONata position falls in the text: its line and column, and that line (cut around it when long). */
export function locate(
  text: string,
  position: number,
): { index: number; line: number; column: number; excerpt: string; caret: number } {
  // JSONata's position is the index just past the token it stopped at: point at that token's last character.
  const index = Math.max(0, Math.min(text.length, position) - 1);
  const lineStart = text.lastIndexOf('\n', index - 1) + 1;
  const lineEnd = text.indexOf('\n', index) === -1 ? text.length : text.indexOf('\n', index);
  const line = text.slice(0, lineStart).split('\n').length;
  const column = index - lineStart + 1;
  const from = Math.max(lineStart, index - 60);
  const to = Math.min(lineEnd, index + 60);
  return {
    index,
    line,
    column,
    excerpt: `${from > lineStart ? '…' : ''}${text.slice(from, to)}${to < lineEnd ? '…' : ''}`,
    caret: index - from + (from > lineStart ? 1 : 0),
  };
}

type PreviewState =
  | { kind: 'idle'; message: string }
  | { kind: 'running' }
  | { kind: 'ok'; preview: MappingPreview }
  | { kind: 'failed'; message: string; problem: MappingProblem | null };

/** A mapping's error, with the spot in the text it names (a caret under the line) and a way to get there. */
export function MappingProblemView({
  mapping,
  problem,
  onGoTo,
}: {
  mapping: string;
  problem: MappingProblem;
  onGoTo: (index: number) => void;
}) {
  const where = problem.position === undefined ? null : locate(mapping, problem.position);
  return html`<div class="mapping-problem">
    <p>
      <strong
        >${problem.kind === 'syntax' ? 'The mapping does not parse' : 'The mapping failed on this lead'}</strong
      >: ${problem.message}${problem.code ? html` <span class="muted">(${problem.code})</span>` : null}
    </p>
    ${
      where
        ? html`<p data-testid="mapping-position">
              At line ${where.line}, column ${where.column} (position ${problem.position})
              <button type="button" class="secondary small" onClick=${() => onGoTo(where.index)}>
                Go to it
              </button>
            </p>
            <pre class="caret" aria-hidden="true">${where.excerpt}${'\n'}${' '.repeat(where.caret)}^</pre>`
        : null
    }
  </div>`;
}

/**
 * A custom endpoint's JSONata mapping, editable, with a live preview of the exact body it makes of a real lead: the
 * site's newest, or one chosen by id (`POST /v1/admin/mappings/preview`). Nothing is stored until the form is saved.
 */
export function EndpointMappingEditor({
  fieldId,
  siteId,
  endpointId,
  mapping,
  onChange,
  saveProblem,
}: {
  fieldId: string;
  siteId: string;
  endpointId: string | null;
  mapping: string;
  onChange: (mapping: string) => void;
  saveProblem: string | undefined;
}) {
  const { api } = useApp();
  const [target, setTarget] = useState<'newest' | 'lead'>('newest');
  const [leadId, setLeadId] = useState('');
  const [state, setState] = useState<PreviewState>({ kind: 'running' });
  const textarea = useRef<HTMLTextAreaElement>(null);
  const generation = useRef(0);
  const chosen = leadId.trim();

  useEffect(() => {
    const mine = ++generation.current;
    if (!mapping.trim()) {
      setState({ kind: 'idle', message: 'Write a mapping to see the body it makes.' });
      return undefined;
    }
    if (target === 'lead' && !isId(chosen)) {
      setState({ kind: 'idle', message: 'Enter a lead id (as shown on the lead’s page) to preview on it.' });
      return undefined;
    }
    // The last preview stays up while the next one is on its way (no flicker as one types).
    const timer = setTimeout(() => {
      const body: Record<string, unknown> = {
        mapping,
        ...(endpointId ? { endpoint_id: endpointId } : { site_id: siteId }),
        ...(target === 'lead' ? { lead_id: chosen } : {}),
      };
      api.post<MappingPreview>('/v1/admin/mappings/preview', body).then(
        (preview) => {
          if (mine === generation.current) setState({ kind: 'ok', preview });
        },
        (error: unknown) => {
          if (mine !== generation.current) return;
          setState({
            kind: 'failed',
            message: error instanceof ApiError ? error.explanation : String(error),
            problem: error instanceof ApiError ? error.mappingError : null,
          });
        },
      );
    }, 400);
    return () => clearTimeout(timer);
  }, [api, siteId, endpointId, mapping, target, chosen]);

  const goTo = (index: number) => {
    const element = textarea.current;
    if (!element) return;
    element.focus();
    element.setSelectionRange(index, index + 1);
  };
  const id = (name: string) => `${fieldId}-${name}`;

  return html`<div class="mapping-editor">
    <div>
      <label for=${fieldId}>Mapping (JSONata)</label>
      <p class="hint" id=${id('hint')}>
        Evaluated for every request over${' '}
        <code>{event, event_id, timestamp, attempt, lead, changes, version, site}</code>; its result, a JSON
        object, is the body, byte for byte, and the signature covers it.
      </p>
      <textarea
        id=${fieldId}
        ref=${textarea}
        spellcheck="false"
        rows="12"
        value=${mapping}
        ...${invalidProps(fieldId, saveProblem)}
        onInput=${(e: Event) => onChange((e.target as HTMLTextAreaElement).value)}
      ></textarea>
      <${FieldProblem} fieldId=${fieldId} message=${saveProblem} />
      <fieldset>
        <legend>Preview on</legend>
        <label class="inline">
          <input
            type="radio"
            name=${id('target')}
            checked=${target === 'newest'}
            onChange=${() => setTarget('newest')}
          />
          The site’s newest lead
        </label>
        <label class="inline">
          <input
            type="radio"
            name=${id('target')}
            checked=${target === 'lead'}
            onChange=${() => setTarget('lead')}
          />
          A lead by id
        </label>
        ${
          target === 'lead'
            ? html`<div>
                <label for=${id('lead')}>Lead id</label>
                <input
                  id=${id('lead')}
                  value=${leadId}
                  placeholder="0193…"
                  size="38"
                  autocomplete="off"
                  spellcheck="false"
                  onInput=${(e: Event) => setLeadId((e.target as HTMLInputElement).value)}
                />
              </div>`
            : null
        }
      </fieldset>
    </div>
    <div>
      <h4>Preview</h4>
      <div
        class=${`preview ${state.kind === 'ok' ? 'ok' : state.kind === 'failed' ? 'failed' : ''}`}
        role="status"
        data-testid="endpoint-mapping-preview"
      >
        ${
          state.kind === 'running'
            ? html`<${Loading} what="the preview" />`
            : state.kind === 'idle'
              ? html`<p class="muted">${state.message}</p>`
              : state.kind === 'failed'
                ? state.problem
                  ? html`<${MappingProblemView} mapping=${mapping} problem=${state.problem} onGoTo=${goTo} />`
                  : html`<p>${state.message}</p>`
                : html`<${PreviewBody} preview=${state.preview} />`
        }
      </div>
    </div>
  </div>`;
}

/** The body that would be sent (indented for reading; its exact bytes a click away) and the headers with it. */
function PreviewBody({ preview }: { preview: MappingPreview }) {
  return html`<p>
      <strong>Would send ${preview.size_bytes} bytes</strong>
      ${
        preview.source === 'lead' && preview.lead_id
          ? html` · ${preview.event} of lead <code data-testid="preview-lead">${preview.lead_id}</code>`
          : ' · on the sample lead (this site has no lead yet)'
      }
    </p>
    <pre data-testid="preview-json">${JSON.stringify(preview.json, null, 2)}</pre>
    <details>
      <summary>Exact body and headers</summary>
      <pre>${preview.body}</pre>
      <dl class="facts">
        ${Object.entries(preview.headers).map(
          ([name, value]) =>
            html`<dt>${name}</dt>
              <dd>${value}</dd>`,
        )}
      </dl>
    </details>`;
}

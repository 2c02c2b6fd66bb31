import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from '../api/client.js';
import {
  type InboundRequest,
  type InboundRequestPage,
  type InboundSource,
  SIGNATURE_LABELS,
  type SourcePreview,
} from '../api/source-types.js';
import { useApp } from '../app-context.js';
import { href } from '../router.js';
import { ConfirmDialog } from '../ui/confirm.js';
import { html } from '../ui/html.js';
import { Pager, useCursorPages } from '../ui/pager.js';
import { Empty, ErrorBox, Loading } from '../ui/states.js';
import { Time } from '../ui/time.js';
import { usePoll } from '../ui/use-poll.js';
import { SourceUrlReveal } from './sources.js';

const explain = (error: unknown) => (error instanceof ApiError ? error.explanation : String(error));
const LEAD_FIELDS = ['name', 'email', 'phone', 'message', 'page_url', 'lead_source', 'form_type'] as const;

/** What an answer meant, in words (the status code is shown beside it). */
function answerWords(request: InboundRequest): string {
  if (request.status === 201) return request.replayed ? 'Repeat: first lead returned' : 'Stored';
  const words: Record<number, string> = {
    400: 'Unreadable body',
    401: 'Bad signature',
    404: 'Site gone',
    413: 'Too large',
    415: 'Unsupported type',
    422: 'Does not map',
    429: 'Rate limited',
    503: 'Unavailable',
  };
  return words[request.status] ?? 'Refused';
}

function AnswerBadge({ request }: { request: InboundRequest }) {
  const kind =
    request.status < 300 ? 'sent' : request.status === 429 || request.status >= 500 ? 'pending' : 'failed';
  return html`<span class=${`badge badge-${kind}`} data-status=${request.status}
    >${request.status} ${answerWords(request)}</span
  >`;
}

/** The mapping's verdict on a request: the lead it makes, or each field that keeps it from being one. */
function PreviewResult({ preview }: { preview: SourcePreview }) {
  return html`<div
    class=${`preview ${preview.valid ? 'ok' : 'failed'}`}
    role="status"
    data-testid="mapping-preview"
  >
    <p>
      <strong>${preview.valid ? 'Would be stored as this lead' : 'Would be refused (422)'}</strong>
      ${preview.request_id ? html` · on request <code>${preview.request_id.slice(0, 8)}</code>` : ' · on the sample'}
    </p>
    ${
      preview.errors.length
        ? html`<ul class="problems">
            ${preview.errors.map(
              (problem) => html`<li><strong>${problem.field}</strong>: ${problem.message}</li>`,
            )}
          </ul>`
        : null
    }
    ${
      preview.lead
        ? html`<dl class="facts">
              ${LEAD_FIELDS.filter((field) => preview.lead?.[field] !== undefined).map(
                (field) =>
                  html`<dt>${field}</dt>
                    <dd>${String(preview.lead?.[field])}</dd>`,
              )}
              <dt>submission id</dt>
              <dd>
                ${preview.lead.idempotency_key ?? html`<span class="muted">none: a repeat would make a second lead</span>`}
              </dd>
            </dl>
            <details>
              <summary>extra (${Object.keys(preview.lead.extra).length} fields)</summary>
              <pre>${JSON.stringify(preview.lead.extra, null, 2)}</pre>
            </details>`
        : preview.mapped
          ? html`<details open>
              <summary>What the mapping produced</summary>
              <pre>${JSON.stringify(preview.mapped, null, 2)}</pre>
            </details>`
          : null
    }
  </div>`;
}

/** The mapping, editable, with a live preview on the newest request (or a chosen one, or a sample). */
function MappingEditor({
  source,
  requestId,
  onSaved,
}: {
  source: InboundSource;
  requestId: string | null;
  onSaved: () => void;
}) {
  const { api } = useApp();
  const [mapping, setMapping] = useState(source.mapping);
  const [sample, setSample] = useState('');
  const [preview, setPreview] = useState<SourcePreview | null>(null);
  const [previewProblem, setPreviewProblem] = useState<string | null>(null);
  const [saveProblem, setSaveProblem] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const generation = useRef(0);

  useEffect(() => setMapping(source.mapping), [source.mapping]);
  useEffect(() => {
    const mine = ++generation.current;
    const timer = setTimeout(() => {
      let body: Record<string, unknown> = { mapping };
      if (sample.trim()) {
        try {
          body = { mapping, sample: { body: JSON.parse(sample) as unknown } };
        } catch {
          setPreview(null);
          setPreviewProblem('The sample is not JSON.');
          return;
        }
      } else if (requestId) body = { mapping, request_id: requestId };
      api.post<SourcePreview>(`/v1/admin/sources/${source.id}/preview`, body).then(
        (result) => {
          if (mine !== generation.current) return;
          setPreview(result);
          setPreviewProblem(null);
        },
        (error: unknown) => {
          if (mine !== generation.current) return;
          setPreview(null);
          setPreviewProblem(explain(error));
        },
      );
    }, 400);
    return () => clearTimeout(timer);
  }, [api, source.id, mapping, requestId, sample]);

  const save = async () => {
    setSaveProblem(null);
    setSaved(false);
    try {
      await api.patch(`/v1/admin/sources/${source.id}`, { mapping });
      setSaved(true);
      onSaved();
    } catch (error) {
      setSaveProblem(explain(error));
    }
  };

  return html`<section aria-labelledby="mapping-title">
    <h2 id="mapping-title">Mapping</h2>
    <p class="hint">
      JSONata over <code>{body, headers, query}</code> (credentials left out), producing${' '}
      <code>{name, email, phone, message, page_url, lead_source, form_type, extra, idempotency_key}</code>.
      The preview runs as you type${requestId ? ' on the chosen request' : ' on the newest request'}; nothing
      is stored.
    </p>
    <div class="mapping-editor">
      <div>
        <label for="mapping-source">Mapping (JSONata)</label>
        <textarea
          id="mapping-source"
          spellcheck="false"
          rows="20"
          value=${mapping}
          onInput=${(e: Event) => {
            setSaved(false);
            setMapping((e.target as HTMLTextAreaElement).value);
          }}
        ></textarea>
        <div class="actions">
          <button type="button" onClick=${save} disabled=${mapping === source.mapping}>Save mapping</button>
          <button
            type="button"
            class="secondary"
            onClick=${() => setMapping(source.mapping)}
            disabled=${mapping === source.mapping}
          >
            Undo changes
          </button>
        </div>
        ${saveProblem ? html`<p class="error" role="alert">${saveProblem}</p>` : null}
        ${saved ? html`<p class="notice" role="status">Saved: the next request uses this mapping.</p>` : null}
        <details>
          <summary>Preview on a sample body instead</summary>
          <label for="mapping-sample">Sample body (JSON)</label>
          <textarea
            id="mapping-sample"
            spellcheck="false"
            rows="6"
            value=${sample}
            onInput=${(e: Event) => setSample((e.target as HTMLTextAreaElement).value)}
          ></textarea>
        </details>
      </div>
      <div>
        <h3>Preview</h3>
        ${
          preview
            ? html`<${PreviewResult} preview=${preview} />`
            : previewProblem
              ? html`<p class="state" role="status" data-testid="mapping-preview">${previewProblem}</p>`
              : html`<${Loading} what="the preview" />`
        }
      </div>
    </div>
  </section>`;
}

/** A logged body as people read it: JSON indented when it was kept whole, else as it is. */
function readableBody(request: InboundRequest): string {
  if (request.body === null) return '—';
  if (request.body_format !== 'json' || request.body_truncated) return request.body;
  try {
    return JSON.stringify(JSON.parse(request.body), null, 2);
  } catch {
    return request.body;
  }
}

function RequestRow({ request, onPreview }: { request: InboundRequest; onPreview: (id: string) => void }) {
  const [open, setOpen] = useState(false);
  return html`<tr data-request=${request.id}>
      <td><${Time} value=${request.received_at} /></td>
      <td><${AnswerBadge} request=${request} /></td>
      <td>
        ${request.lead_id ? html`<a href=${href(`leads/${request.lead_id}`)}>${request.lead_id.slice(0, 8)}</a>` : html`<span class="muted">—</span>`}
      </td>
      <td class="problem">${request.error ?? ''}</td>
      <td>${request.content_type?.split(';')[0] ?? '—'}, ${request.size_bytes} B</td>
      <td>
        <button type="button" class="secondary small" aria-expanded=${open} onClick=${() => setOpen(!open)}>
          ${open ? 'Hide' : 'Show'}
        </button>
        ${
          request.body_format === 'json' && !request.body_truncated
            ? html`<button type="button" class="secondary small" onClick=${() => onPreview(request.id)}>
                Preview on this
              </button>`
            : null
        }
      </td>
    </tr>
    ${
      open
        ? html`<tr class="request-detail">
            <td colspan="6">
              <p><strong>Headers</strong> (credentials left out)</p>
              <pre>${JSON.stringify(request.headers, null, 2)}</pre>
              ${
                Object.keys(request.query ?? {}).length
                  ? html`<p><strong>Query</strong></p>
                      <pre>${JSON.stringify(request.query, null, 2)}</pre>`
                  : null
              }
              <p>
                <strong>Body</strong>
                ${request.body_format === 'raw' ? ' (as received: it could not be read)' : ' (as the mapping read it)'}
                ${request.body_truncated ? ' — cut for the log' : ''}
              </p>
              <pre>${readableBody(request)}</pre>
            </td>
          </tr>`
        : null
    }`;
}

/** The source's request log, newest first: every request it received, with the answer it got. */
function RequestLog({ sourceId, onPreview }: { sourceId: string; onPreview: (id: string) => void }) {
  const { api } = useApp();
  const pages = useCursorPages();
  const log = usePoll(
    () =>
      api.get<InboundRequestPage>(`/v1/admin/sources/${sourceId}/requests`, {
        cursor: pages.cursor,
        limit: 20,
      }),
    [api, sourceId, pages.cursor],
    5000,
  );
  return html`<section aria-labelledby="log-title">
    <h2 id="log-title">Request log</h2>
    ${
      log.error && !log.data
        ? html`<${ErrorBox} error=${log.error} retry=${log.reload} />`
        : !log.data
          ? html`<${Loading} what="the request log" />`
          : log.data.items.length
            ? html`<div class="table-scroll">
                  <table data-testid="request-log">
                    <caption class="visually-hidden">
                      Requests to this source, newest first
                    </caption>
                    <thead>
                      <tr>
                        <th scope="col">Received</th>
                        <th scope="col">Answer</th>
                        <th scope="col">Lead</th>
                        <th scope="col">Why</th>
                        <th scope="col">Body</th>
                        <th scope="col"><span class="visually-hidden">Details</span></th>
                      </tr>
                    </thead>
                    <tbody>
                      ${log.data.items.map((request) => html`<${RequestRow} key=${request.id} request=${request} onPreview=${onPreview} />`)}
                    </tbody>
                  </table>
                </div>
                <${Pager}
                  page=${pages.page}
                  nextCursor=${log.data.next_cursor}
                  onOlder=${pages.older}
                  onNewer=${pages.newer}
                />`
            : html`<${Empty}>No request yet. Send a test submission from the tool: it shows up here within seconds.</${Empty}>`
    }
  </section>`;
}

/** One inbound source: its URL and signature, token rotation, the mapping editor with preview, the request log. */
export function SourceDetailScreen({ siteId, sourceId }: { siteId: string; sourceId: string }) {
  const { api, navigate } = useApp();
  const source = usePoll(() => api.get<InboundSource>(`/v1/admin/sources/${sourceId}`), [api, sourceId], 0);
  const [revealed, setRevealed] = useState<InboundSource | null>(null);
  const [confirm, setConfirm] = useState<'rotate' | 'delete' | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [previewOn, setPreviewOn] = useState<string | null>(null);
  const [secret, setSecret] = useState('');

  const act = async (work: () => Promise<void>) => {
    setConfirm(null);
    setProblem(null);
    try {
      await work();
    } catch (error) {
      setProblem(explain(error));
    }
  };

  if (source.error && !source.data) return html`<${ErrorBox} error=${source.error} retry=${source.reload} />`;
  if (!source.data) return html`<${Loading} what="the source" />`;
  const current = source.data;
  return html`<section aria-labelledby="source-title" data-source-id=${current.id}>
    <p><a href=${href(`sites/${siteId}/sources`)}>← Sources</a></p>
    <h1 id="source-title">${current.name} <small>${current.preset ?? 'custom mapping'}</small></h1>
    ${revealed ? html`<${SourceUrlReveal} source=${revealed} onDone=${() => setRevealed(null)} />` : null}
    <dl class="facts">
      <dt>URL</dt>
      <dd class="url">${api.absolute(current.url)}</dd>
      <dt>Signature</dt>
      <dd>
        ${SIGNATURE_LABELS[current.signature] ?? current.signature}:${' '}
        ${current.has_secret ? 'required (a secret is set)' : 'not required (no secret)'}
      </dd>
      <dt>Token rotated</dt>
      <dd><${Time} value=${current.token_rotated_at} /></dd>
    </dl>
    ${current.problem ? html`<p class="error" role="alert">${current.problem}</p>` : null}
    <div class="actions">
      <button type="button" class="secondary" onClick=${() => setConfirm('rotate')}>Rotate token</button>
      <button type="button" class="danger" onClick=${() => setConfirm('delete')}>Delete source</button>
    </div>
    ${
      current.signature !== 'none'
        ? html`<form
            class="inline-form"
            onSubmit=${(e: Event) => {
              e.preventDefault();
              void act(async () => {
                await api.patch(`/v1/admin/sources/${current.id}`, { secret });
                setSecret('');
                source.reload();
              });
            }}
          >
            <label for="source-new-secret"
              >${current.has_secret ? 'Replace the signing secret' : 'Require signatures with the secret'}</label
            >
            <input
              id="source-new-secret"
              type="password"
              autocomplete="off"
              minlength="8"
              required
              value=${secret}
              onInput=${(e: Event) => setSecret((e.target as HTMLInputElement).value)}
            />
            <button type="submit" class="secondary">Save secret</button>
            ${
              current.has_secret
                ? html`<button
                    type="button"
                    class="secondary"
                    onClick=${() =>
                      act(async () => {
                        await api.patch(`/v1/admin/sources/${current.id}`, { secret: null });
                        source.reload();
                      })}
                  >
                    Remove secret
                  </button>`
                : null
            }
          </form>`
        : null
    }
    ${problem ? html`<p class="error" role="alert">${problem}</p>` : null}
    <${MappingEditor} source=${current} requestId=${previewOn} onSaved=${source.reload} />
    <${RequestLog}
      sourceId=${current.id}
      onPreview=${(id: string) => {
        setPreviewOn(id);
        document.getElementById('mapping-title')?.scrollIntoView();
      }}
    />
    ${
      confirm === 'rotate'
        ? html`<${ConfirmDialog} title="Rotate this source's token?" confirmLabel="Rotate" onConfirm=${() =>
            act(async () => {
              setRevealed(await api.post<InboundSource>(`/v1/admin/sources/${current.id}/rotate-token`));
              source.reload();
            })} onCancel=${() => setConfirm(null)}>
            <p>The current URL stops working at once. Paste the new one into the tool right after.</p>
          </${ConfirmDialog}>`
        : null
    }
    ${
      confirm === 'delete'
        ? html`<${ConfirmDialog} title=${`Delete ${current.name}?`} confirmLabel="Delete" onConfirm=${() =>
            act(async () => {
              await api.delete(`/v1/admin/sources/${current.id}`);
              navigate(href(`sites/${siteId}/sources`));
            })} onCancel=${() => setConfirm(null)}>
            <p>Its URL stops working and its request log goes. The leads it made stay.</p>
          </${ConfirmDialog}>`
        : null
    }
  </section>`;
}

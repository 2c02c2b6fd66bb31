import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';

/** A Kubernetes object as it is written in deploy/kubernetes (loosely typed: the schemas check the shape). */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  spec?: any;
  data?: Record<string, string>;
}

interface Kustomization {
  resources?: string[];
  labels?: Array<{ pairs: Record<string, string> }>;
}

export function readYamlDocuments(file: string): KubeObject[] {
  return YAML.parseAllDocuments(fs.readFileSync(file, 'utf8'))
    .map((document) => document.toJS() as KubeObject | null)
    .filter((object): object is KubeObject => object !== null);
}

/**
 * Renders a base the way `kustomize build` does for what the bases use (resources and `labels` on metadata), so the
 * bases are checked on a machine without kustomize too.
 */
export function renderBase(dir: string): KubeObject[] {
  const kustomization = YAML.parse(
    fs.readFileSync(path.join(dir, 'kustomization.yaml'), 'utf8'),
  ) as Kustomization;
  const labels = Object.assign({}, ...(kustomization.labels ?? []).map((entry) => entry.pairs)) as Record<
    string,
    string
  >;
  return (kustomization.resources ?? []).flatMap((resource) => {
    const target = path.join(dir, resource);
    const objects = fs.statSync(target).isDirectory() ? renderBase(target) : readYamlDocuments(target);
    return objects.map((object) => ({
      ...object,
      metadata: { ...object.metadata, labels: { ...object.metadata.labels, ...labels } },
    }));
  });
}

/** `kustomize build` (kubectl's or the standalone one) of `dir`, or null when neither is installed. */
export function kustomizeBuild(dir: string): KubeObject[] | null {
  for (const [command, args] of [
    ['kustomize', ['build', dir]],
    ['kubectl', ['kustomize', dir]],
  ] as const) {
    const result = spawnSync(command, args, { encoding: 'utf8' });
    if (result.error && (result.error as NodeJS.ErrnoException).code === 'ENOENT') continue;
    if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed:\n${result.stderr}`);
    return YAML.parseAllDocuments(result.stdout).map((document) => document.toJS() as KubeObject);
  }
  return null;
}

/** Every metric name a PromQL expression reads (label names, functions, keywords and durations left out). */
export function metricNamesIn(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ')
    .replace(/\$\w+/g, ' ');
  const keywords = new Set(['and', 'or', 'unless', 'bool', 'offset', 'inf', 'nan']);
  const names = new Set<string>();
  for (const match of stripped.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*/g)) {
    const rest = stripped.slice((match.index ?? 0) + match[0].length);
    if (/^\s*\(/.test(rest) || keywords.has(match[0].toLowerCase())) continue;
    names.add(match[0]);
  }
  return [...names];
}

/** Metric names a /metrics text exposes (histograms and summaries with their series' suffixes). */
export function exportedMetricNames(text: string): Set<string> {
  const names = new Set<string>();
  for (const [, name, type] of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    names.add(name);
    if (type === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) names.add(name + suffix);
    if (type === 'summary') for (const suffix of ['_sum', '_count']) names.add(name + suffix);
  }
  return names;
}

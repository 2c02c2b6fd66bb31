// @ts-check
// Writes deploy/kubernetes/monitoring/prometheusrule.yaml from deploy/prometheus/alerts.yml: the same groups, as a
// Prometheus Operator PrometheusRule. `--check` fails (exit 1) when the file differs, as `npm test` runs it.
//   node tools/deploy/prometheus-rule.mjs [--check]
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as prettier from 'prettier';
import YAML from 'yaml';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const source = path.join(root, 'deploy', 'prometheus', 'alerts.yml');
const target = path.join(root, 'deploy', 'kubernetes', 'monitoring', 'prometheusrule.yaml');

/** The file's text, formatted as `prettier --check` wants it. */
export async function prometheusRule() {
  const { groups } = YAML.parse(fs.readFileSync(source, 'utf8'));
  const rule = {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PrometheusRule',
    metadata: { name: 'leadhooks', labels: { 'app.kubernetes.io/name': 'leadhooks' } },
    spec: { groups },
  };
  const text =
    '# Generated from deploy/prometheus/alerts.yml by tools/deploy/prometheus-rule.mjs: edit that file, then run it.\n' +
    YAML.stringify(rule, { lineWidth: 0 });
  return prettier.format(text, { ...(await prettier.resolveConfig(target)), parser: 'yaml' });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const text = await prometheusRule();
  if (process.argv.includes('--check')) {
    const current = fs.existsSync(target) ? fs.readFileSync(target, 'utf8') : '';
    if (current !== text) {
      console.error(
        `${path.relative(root, target)} differs from deploy/prometheus/alerts.yml: run node tools/deploy/prometheus-rule.mjs`,
      );
      process.exit(1);
    }
  } else {
    fs.writeFileSync(target, text);
    console.log(`wrote ${path.relative(root, target)}`);
  }
}

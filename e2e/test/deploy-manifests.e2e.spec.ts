/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-return, @typescript-eslint/no-unsafe-call --
   the manifests are parsed YAML; their shape is what the schema tests below check. */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import YAML from 'yaml';
import * as k8s from 'kubernetes-models';
import { kedaSh } from '@kubernetes-models/keda';
import { monitoringCoreosCom } from '@kubernetes-models/prometheus-operator';
import { ENDPOINT_TIMEOUT_MAX_MS } from '@leadhooks/contracts';
import { KAFKA_CONNECTION_VARIABLES } from '@leadhooks/messaging';
import {
  createTestDatabase,
  createTestKafka,
  TEST_ENCRYPTION_KEY,
  type TestDatabase,
  type TestKafka,
  waitUntil,
} from '@leadhooks/testing';
import { AppProcess, freePort } from '../src/app-process.js';
import {
  exportedMetricNames,
  type KubeObject,
  kustomizeBuild,
  metricNamesIn,
  readYamlDocuments,
  renderBase,
} from '../src/kubernetes-manifests.js';
import { stackEnv } from '../src/stack.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const kube = path.join(repoRoot, 'deploy', 'kubernetes');
const BASES = ['leads-api', 'zapier-dispatcher', 'migrate', 'outbox-relay', 'monitoring'];

type Validatable = new (data: unknown) => { validate(): void };

/** The model class of an object (kubernetes-models, prometheus-operator and KEDA models), by apiVersion and kind. */
function modelOf(object: KubeObject): Validatable {
  const [group, version] = object.apiVersion.includes('/')
    ? object.apiVersion.split('/')
    : ['', object.apiVersion];
  const camel = group.replace(/\.([a-z])/g, (_, letter: string) => letter.toUpperCase());
  const namespaces: Record<string, unknown> = {
    ...k8s,
    '': { [version]: (k8s as Record<string, unknown>)[version] },
    monitoringCoreosCom,
    kedaSh,
  };
  const byGroup = (group ? namespaces[camel] : namespaces['']) as Record<string, Record<string, Validatable>>;
  const model = byGroup?.[version]?.[object.kind];
  if (!model) throw new Error(`no schema for ${object.apiVersion} ${object.kind}`);
  return model;
}

function containersOf(object: KubeObject): Array<Record<string, any>> {
  const pod = object.spec?.template?.spec;
  return pod ? [...(pod.initContainers ?? []), ...pod.containers] : [];
}

function matches(selector: Record<string, string>, labels: Record<string, string> | undefined): boolean {
  return Object.entries(selector).every(([key, value]) => labels?.[key] === value);
}

/** The environment variable names a typed config reads, recorded while it reads `env`. */
async function namesRead(
  configModule: string,
  loader: string,
  env: Record<string, string>,
): Promise<Set<string>> {
  const read = new Set<string>();
  const recording = new Proxy(env, {
    get: (target, name) => {
      if (typeof name === 'string') read.add(name);
      return target[name as string];
    },
  });
  const module = (await import(pathToFileURL(path.join(repoRoot, configModule)).href)) as Record<
    string,
    (env: Record<string, string>) => unknown
  >;
  try {
    module[loader](recording);
  } catch {
    // A ConfigError (e.g. a SASL password while no mechanism is set) comes after every name was read.
  }
  return read;
}

/** Names a command reads through its EnvReader (`env.int('NAME'…)`), plus the Kafka connection's. */
function namesReadBy(commandSource: string): Set<string> {
  const source = fs.readFileSync(path.join(repoRoot, commandSource), 'utf8');
  return new Set([
    ...[...source.matchAll(/env\.\w+\(\s*'([A-Z0-9_]+)'/g)].map((match) => match[1]),
    ...KAFKA_CONNECTION_VARIABLES,
  ]);
}

/** The env a container gets: its `env` entries and the keys of the ConfigMaps it takes whole. */
function containerEnv(container: Record<string, any>, objects: KubeObject[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const from of container.envFrom ?? []) {
    const map = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === from.configMapRef?.name);
    if (!map)
      throw new Error(`${container.name}: envFrom ConfigMap ${from.configMapRef?.name} is not in the base`);
    Object.assign(env, map.data);
  }
  for (const entry of container.env ?? [])
    env[entry.name] = entry.value ?? `<from ${entry.valueFrom ? 'secret' : '?'}>`;
  return env;
}

/** Values a Secret would hold, valid for the typed configs. */
const SECRET_VALUES: Record<string, string> = {
  DATABASE_URL: 'postgres://leadhooks@postgres:5432/leadhooks',
  DATA_ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
  DATA_ENCRYPTION_PREVIOUS_KEYS: '',
  ADMIN_API_KEY: 'lh_admin_0123456789abcdef0123456789',
  KAFKA_SASL_PASSWORD: 'kafka-password-0123',
};

describe('deploy/kubernetes, deploy/prometheus and deploy/grafana match the apps', () => {
  const bases = Object.fromEntries(BASES.map((base) => [base, renderBase(path.join(kube, base))]));
  const all = Object.values(bases).flat();

  it('the schema validators catch a wrong field (so a pass means something)', () => {
    const deployment = bases['leads-api'].find((o) => o.kind === 'Deployment')!;
    const broken = structuredClone(deployment);
    broken.spec.replicas = 'two';
    const Model = modelOf(broken);
    expect(() => new Model(broken).validate()).toThrow(/replicas/);
    const monitor = structuredClone(bases.monitoring.find((o) => o.kind === 'ServiceMonitor')!);
    monitor.spec.endpoints = 'metrics';
    expect(() => new (modelOf(monitor))(monitor).validate()).toThrow();
  });

  it.each(BASES)('%s: every object is valid against its Kubernetes (or operator) schema', (base) => {
    for (const object of bases[base]) {
      const Model = modelOf(object);
      expect(() => new Model(object).validate()).not.toThrow();
    }
  });

  it('builds the example overlay with kustomize (when installed) into valid objects, namespaced and re-imaged', () => {
    const built = kustomizeBuild(path.join(kube, 'overlays', 'example'));
    if (built === null) {
      console.warn(
        'kustomize (or kubectl) is not installed: the overlay is not built; the bases were checked',
      );
      return;
    }
    for (const object of built) {
      const Model = modelOf(object);
      expect(() => new Model(object).validate()).not.toThrow();
      if (object.kind !== 'Namespace') expect(object.metadata.namespace).toBe('leadhooks');
      for (const container of containersOf(object))
        expect(container.image).toMatch(/^registry\.example\.com\//);
    }
    const dispatcherConfig = built.find(
      (o) => o.kind === 'ConfigMap' && o.metadata.name === 'zapier-dispatcher',
    );
    expect(dispatcherConfig?.data).toMatchObject({
      KAFKA_TLS: 'true',
      KAFKA_SASL_MECHANISM: 'scram-sha-512',
    });
    checkNetworkPolicies(built);
  });

  it('every selector (Deployment, Service, PDB, NetworkPolicy, HPA target, ServiceMonitor) matches what it selects', () => {
    const workloads = all.filter((o) => o.kind === 'Deployment');
    for (const deployment of workloads)
      expect(matches(deployment.spec.selector.matchLabels, deployment.spec.template.metadata.labels)).toBe(
        true,
      );
    for (const object of all) {
      const podSelector =
        object.kind === 'Service'
          ? object.spec.selector
          : object.kind === 'PodDisruptionBudget'
            ? object.spec.selector.matchLabels
            : object.kind === 'NetworkPolicy'
              ? object.spec.podSelector.matchLabels
              : null;
      if (podSelector)
        expect({
          [object.kind + ' ' + object.metadata.name]: workloads.some((d) =>
            matches(podSelector, d.spec.template.metadata.labels),
          ),
        }).toEqual({ [object.kind + ' ' + object.metadata.name]: true });
      if (object.kind === 'HorizontalPodAutoscaler')
        expect(workloads.map((d) => d.metadata.name)).toContain(object.spec.scaleTargetRef.name);
      if (object.kind === 'Service')
        for (const port of object.spec.ports) {
          const deployment = workloads.find((d) =>
            matches(object.spec.selector, d.spec.template.metadata.labels),
          )!;
          expect(
            containersOf(deployment).flatMap((c) => c.ports.map((p: { name: string }) => p.name)),
          ).toContain(port.targetPort);
        }
      if (object.kind === 'ServiceMonitor') {
        const service = all.find(
          (o) => o.kind === 'Service' && matches(object.spec.selector.matchLabels, o.metadata.labels),
        );
        expect(service).toBeDefined();
        for (const endpoint of object.spec.endpoints)
          expect(service!.spec.ports.map((p: { name: string }) => p.name)).toContain(endpoint.port);
      }
    }
  });

  it('every workload runs as non-root, without privilege escalation, on a read-only root, with no capabilities', () => {
    for (const object of all.filter((o) => o.spec?.template?.spec)) {
      expect(object.spec.template.spec.securityContext).toMatchObject({ runAsNonRoot: true });
      expect(object.spec.template.spec.securityContext.runAsUser).toBeGreaterThan(0);
      for (const container of containersOf(object)) {
        expect(container.securityContext).toEqual({
          allowPrivilegeEscalation: false,
          readOnlyRootFilesystem: true,
          capabilities: { drop: ['ALL'] },
        });
        expect(container.resources.limits.memory).toBe(container.resources.requests.memory);
      }
    }
  });

  it('sizes memory as docs/memory.md says and outlasts the longest webhook on shutdown', () => {
    const deployment = (name: string) =>
      all.find((o) => o.kind === 'Deployment' && o.metadata.name === name)!;
    expect(containersOf(deployment('leads-api'))[0].resources.limits.memory).toBe('320Mi');
    expect(containersOf(deployment('zapier-dispatcher'))[0].resources.limits.memory).toBe('384Mi');
    const memoryDoc = fs.readFileSync(path.join(repoRoot, 'docs', 'memory.md'), 'utf8');
    expect(memoryDoc).toMatch(/leads-api[^\n]*320 MiB/);
    expect(memoryDoc).toMatch(/dispatcher[^\n]*384 MiB/);
    // An endpoint may wait ENDPOINT_TIMEOUT_MAX_MS for its receiver; then the outcome is recorded and offsets
    // committed. 30 s of margin on top.
    for (const name of ['leads-api', 'zapier-dispatcher'])
      expect(deployment(name).spec.template.spec.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(
        ENDPOINT_TIMEOUT_MAX_MS / 1000 + 30,
      );
    for (const name of ['leads-api', 'zapier-dispatcher'])
      expect(all.some((o) => o.kind === 'PodDisruptionBudget' && o.metadata.name === name)).toBe(true);
  });

  it("the dispatcher's NetworkPolicy lets it reach public addresses and DNS, and nothing private", () => {
    checkNetworkPolicies(all);
  });

  it('sets only environment variables the typed configs and commands read', async () => {
    const readers: Record<string, (env: Record<string, string>) => Promise<Set<string>>> = {
      'leads-api': (env) =>
        namesRead('apps/leads-api/dist/config/leads-api.config.js', 'loadLeadsApiConfig', env),
      'outbox-relay': (env) =>
        namesRead('apps/leads-api/dist/config/leads-api.config.js', 'loadLeadsApiConfig', env),
      'zapier-dispatcher': (env) =>
        namesRead('apps/zapier-dispatcher/dist/config/dispatcher.config.js', 'loadDispatcherConfig', env),
      migrate: () => Promise.resolve(namesReadBy('libs/db/src/migrate.command.ts')),
      topics: () => Promise.resolve(namesReadBy('libs/messaging/src/topics.command.ts')),
    };
    let checked = 0;
    for (const object of all)
      for (const container of containersOf(object)) {
        const env = containerEnv(container, all);
        const reader = readers[container.name];
        if (!reader) throw new Error(`no config reader known for container ${container.name}`);
        const values = Object.fromEntries(
          Object.entries(env).map(([name, value]) => [name, SECRET_VALUES[name] ?? value]),
        );
        const read = await reader(values);
        expect({ [container.name]: Object.keys(env).filter((name) => !read.has(name)) }).toEqual({
          [container.name]: [],
        });
        checked++;
      }
    expect(checked).toBe(5);
  });

  it('the PrometheusRule holds exactly the rules of deploy/prometheus/alerts.yml', () => {
    const rule = all.find((o) => o.kind === 'PrometheusRule')!;
    const alerts = YAML.parse(
      fs.readFileSync(path.join(repoRoot, 'deploy', 'prometheus', 'alerts.yml'), 'utf8'),
    );
    expect(rule.spec.groups).toEqual(alerts.groups);
  });

  describe('against the running apps', () => {
    let db: TestDatabase;
    let kafka: TestKafka;
    let api: AppProcess;
    let dispatcher: AppProcess;
    let relay: ChildProcess | undefined;
    const metricsPorts: Record<string, number> = {};
    const exported = new Set<string>(['up']);

    beforeAll(async () => {
      [db, kafka] = await Promise.all([createTestDatabase('e2edeploy'), createTestKafka('e2edeploy')]);
      for (const app of ['leads-api', 'zapier-dispatcher', 'outbox-relay'])
        metricsPorts[app] = await freePort();
      [api, dispatcher] = await Promise.all([
        AppProcess.start(
          'leads-api',
          stackEnv(db, kafka, { METRICS_PORT: String(metricsPorts['leads-api']) }),
        ),
        AppProcess.start(
          'zapier-dispatcher',
          stackEnv(db, kafka, { METRICS_PORT: String(metricsPorts['zapier-dispatcher']) }),
        ),
      ]);
      relay = spawn(
        process.execPath,
        [
          '--disable-warning=TimeoutNegativeWarning',
          path.join(repoRoot, 'apps', 'leads-api', 'dist', 'relay.main.js'),
        ],
        {
          env: {
            ...process.env,
            ...stackEnv(db, kafka, { METRICS_PORT: String(metricsPorts['outbox-relay']), HOST: '127.0.0.1' }),
          },
          stdio: 'ignore',
        },
      );
    }, 240_000);

    afterAll(async () => {
      relay?.kill('SIGTERM');
      await Promise.all([api?.stop(), dispatcher?.stop()]);
      await kafka?.cleanup();
      await db?.drop();
    });

    const metricsUrl = (app: string) => `http://127.0.0.1:${metricsPorts[app]}/metrics`;

    it('serves /metrics on METRICS_PORT only (not beside the public API), for both apps and the relay', async () => {
      expect((await fetch(`${api.url}/metrics`)).status).toBe(404);
      expect((await fetch(`${dispatcher.url}/metrics`)).status).toBe(404);
      for (const app of ['leads-api', 'zapier-dispatcher', 'outbox-relay']) {
        const text = await waitUntil(
          `${app} metrics`,
          async () => {
            try {
              const response = await fetch(metricsUrl(app));
              return response.ok ? await response.text() : undefined;
            } catch {
              return undefined;
            }
          },
          { timeoutMs: 90_000, intervalMs: 250 },
        );
        expect(text).toContain(`app="${app}"`);
        for (const name of exportedMetricNames(text)) exported.add(name);
      }
      expect((await fetch(metricsUrl('leads-api').replace('/metrics', '/health/live'))).status).toBe(404);
    });

    it("every probe's path answers on the port it names, and each named port is the one the app listens on", async () => {
      const apps: Record<string, { http?: string; metrics: string }> = {
        'leads-api': { http: api.url, metrics: `http://127.0.0.1:${metricsPorts['leads-api']}` },
        'zapier-dispatcher': {
          http: dispatcher.url,
          metrics: `http://127.0.0.1:${metricsPorts['zapier-dispatcher']}`,
        },
        'outbox-relay': { metrics: `http://127.0.0.1:${metricsPorts['outbox-relay']}` },
      };
      let probes = 0;
      for (const deployment of all.filter((o) => o.kind === 'Deployment'))
        for (const container of containersOf(deployment)) {
          const env = containerEnv(container, all);
          const portsByName = Object.fromEntries(
            container.ports.map((p: { name: string; containerPort: number }) => [p.name, p.containerPort]),
          );
          if (portsByName.http !== undefined) expect(String(portsByName.http)).toBe(env.PORT);
          expect(String(portsByName.metrics)).toBe(env.METRICS_PORT);
          for (const probe of ['startupProbe', 'livenessProbe', 'readinessProbe']) {
            const httpGet = container[probe]?.httpGet as { path: string; port: string } | undefined;
            if (!httpGet) continue;
            const base = apps[container.name][httpGet.port as 'http' | 'metrics'];
            expect(base).toBeDefined();
            // Readiness may take a moment (the dispatcher joins its group); any path that exists answers 200.
            await waitUntil(
              `${container.name} ${probe} ${httpGet.path} to answer 200`,
              async () => {
                try {
                  return (await fetch(`${base}${httpGet.path}`)).status === 200 || undefined;
                } catch {
                  return undefined;
                }
              },
              { timeoutMs: 60_000, intervalMs: 500 },
            );
            probes++;
          }
        }
      expect(probes).toBe(7);
    });

    it('every Grafana panel and every alert reads only metrics the apps export', () => {
      expect(exported.has('leadhooks_consumer_lag')).toBe(true);
      const dashboard = JSON.parse(
        fs.readFileSync(path.join(repoRoot, 'deploy', 'grafana', 'leadhooks.json'), 'utf8'),
      ) as { panels: Array<{ title: string; type: string; targets?: Array<{ expr: string }> }> };
      const exprs = dashboard.panels.flatMap((panel) =>
        (panel.targets ?? []).map((target) => ({ where: `panel '${panel.title}'`, expr: target.expr })),
      );
      expect(exprs.length).toBeGreaterThan(20);
      const alerts = YAML.parse(
        fs.readFileSync(path.join(repoRoot, 'deploy', 'prometheus', 'alerts.yml'), 'utf8'),
      ) as { groups: Array<{ rules: Array<{ alert: string; expr: string }> }> };
      for (const rule of alerts.groups.flatMap((group) => group.rules))
        exprs.push({ where: `alert ${rule.alert}`, expr: rule.expr });
      const unknown = exprs.flatMap(({ where, expr }) =>
        metricNamesIn(expr)
          .filter((name) => !exported.has(name))
          .map((name) => `${where}: ${name}`),
      );
      expect(unknown).toEqual([]);
    });
  });
});

const PRIVATE_V4 = [
  '10.0.0.0/8',
  '172.16.0.0/12',
  '192.168.0.0/16',
  '169.254.0.0/16',
  '127.0.0.0/8',
  '100.64.0.0/10',
];
describe('deploy/kubernetes/components/keda-dispatcher: optional autoscaling on consumer lag (KEDA)', () => {
  const component = path.join(kube, 'components', 'keda-dispatcher');
  const overlay = path.join(kube, 'overlays', 'example-keda');
  const dispatcher = renderBase(path.join(kube, 'zapier-dispatcher'));
  const kustomization = YAML.parse(fs.readFileSync(path.join(component, 'kustomization.yaml'), 'utf8'));
  const [scaledObject] = readYamlDocuments(path.join(component, 'scaledobject.yaml'));
  const [triggerPatch] = readYamlDocuments(path.join(overlay, 'kafka-trigger.yaml'));
  const [triggerAuth] = readYamlDocuments(path.join(overlay, 'triggerauthentication.yaml'));
  const config = dispatcher.find((o) => o.kind === 'ConfigMap')!.data!;
  const hpa = dispatcher.find((o) => o.kind === 'HorizontalPodAutoscaler')!;

  it('is a Kustomize component, not part of any base or of the example overlay (opt-in)', () => {
    expect(kustomization).toMatchObject({ kind: 'Component', resources: ['scaledobject.yaml'] });
    for (const dir of [...BASES, 'overlays/example'])
      expect(fs.readFileSync(path.join(kube, dir, 'kustomization.yaml'), 'utf8')).not.toMatch(/keda/i);
    expect(YAML.parse(fs.readFileSync(path.join(overlay, 'kustomization.yaml'), 'utf8'))).toMatchObject({
      resources: expect.arrayContaining(['../example']),
      components: ['../../components/keda-dispatcher'],
    });
  });

  it('its ScaledObject and TriggerAuthentication are valid against the KEDA schemas (which catch a wrong field)', () => {
    for (const object of [scaledObject, triggerAuth])
      expect(() => new (modelOf(object))(object).validate()).not.toThrow();
    const broken = structuredClone(scaledObject);
    broken.spec.maxReplicaCount = 'twelve';
    expect(() => new (modelOf(broken))(broken).validate()).toThrow(/maxReplicaCount/);
    const patched = { ...scaledObject, spec: { ...scaledObject.spec, triggers: triggerPatch.spec.triggers } };
    expect(() => new (modelOf(patched))(patched).validate()).not.toThrow();
  });

  it("scales the dispatcher Deployment on its own group's lag, within the CPU autoscaler's bounds, which it replaces", () => {
    const deployment = dispatcher.find((o) => o.kind === 'Deployment')!;
    expect(scaledObject.spec.scaleTargetRef).toEqual({
      apiVersion: deployment.apiVersion,
      kind: 'Deployment',
      name: deployment.metadata.name,
    });
    const [trigger] = scaledObject.spec.triggers;
    expect(scaledObject.spec.triggers).toHaveLength(1);
    expect(trigger.type).toBe('kafka');
    expect(trigger.metadata).toMatchObject({
      bootstrapServers: config.KAFKA_BROKERS,
      consumerGroup: config.KAFKA_GROUP_ID ?? 'zapier-dispatcher',
    });
    // No topic: the lag of every topic the group consumes (lead.created and lead.updated).
    expect(trigger.metadata.topic).toBeUndefined();
    expect(Number(trigger.metadata.lagThreshold)).toBeGreaterThan(0);
    expect([scaledObject.spec.minReplicaCount, scaledObject.spec.maxReplicaCount]).toEqual([
      hpa.spec.minReplicas,
      hpa.spec.maxReplicas,
    ]);
    expect(scaledObject.spec.advanced.horizontalPodAutoscalerConfig.behavior).toEqual(hpa.spec.behavior);
    // The patch deletes exactly the base's HPA (KEDA's own HPA takes its place).
    const [deletion] = readYamlDocuments(path.join(component, kustomization.patches[0].path));
    expect(deletion).toMatchObject({
      $patch: 'delete',
      apiVersion: hpa.apiVersion,
      kind: hpa.kind,
      metadata: { name: hpa.metadata.name },
    });
  });

  it("example-keda: the trigger reads the example's managed Kafka and logs in as the apps do", () => {
    const exampleKafka = readYamlDocuments(path.join(kube, 'overlays', 'example', 'kafka.yaml')).find(
      (o) => o.metadata.name === 'zapier-dispatcher',
    )!.data!;
    const [trigger] = triggerPatch.spec.triggers;
    expect(triggerPatch.metadata.name).toBe(scaledObject.metadata.name);
    expect(trigger.metadata).toMatchObject({
      ...scaledObject.spec.triggers[0].metadata,
      bootstrapServers: exampleKafka.KAFKA_BROKERS,
      sasl: exampleKafka.KAFKA_SASL_MECHANISM.replace(/-/g, '_').replace(/^scram_sha_/, 'scram_sha'),
      tls: exampleKafka.KAFKA_TLS === 'true' ? 'enable' : 'disable',
    });
    expect(trigger.authenticationRef.name).toBe(triggerAuth.metadata.name);
    expect(triggerAuth.spec.configMapTargetRef).toEqual([
      { parameter: 'username', name: 'zapier-dispatcher', key: 'KAFKA_SASL_USERNAME' },
    ]);
    expect(exampleKafka.KAFKA_SASL_USERNAME).toBeTruthy();
    expect(triggerAuth.spec.secretTargetRef).toEqual([
      { parameter: 'password', name: 'leadhooks', key: 'KAFKA_SASL_PASSWORD' },
    ]);
    expect(Object.keys(SECRET_VALUES)).toContain('KAFKA_SASL_PASSWORD');
  });

  it('builds example-keda with kustomize (when installed): a ScaledObject, no HPA, every object valid', () => {
    const built = kustomizeBuild(overlay);
    if (built === null) {
      console.warn(
        'kustomize (or kubectl) is not installed: example-keda is not built; its parts were checked',
      );
      return;
    }
    expect(built.filter((o) => o.kind === 'HorizontalPodAutoscaler')).toEqual([]);
    const scaled = built.find((o) => o.kind === 'ScaledObject')!;
    expect(scaled.spec.triggers[0].metadata.sasl).toBe('scram_sha512');
    for (const object of built) {
      expect(() => new (modelOf(object))(object).validate()).not.toThrow();
      if (object.kind !== 'Namespace') expect(object.metadata.namespace).toBe('leadhooks');
    }
  });
});

const PRIVATE_V6 = ['fc00::/7', 'fe80::/10', '::1/128'];

function checkNetworkPolicies(objects: KubeObject[]): void {
  const policy = objects.find((o) => o.kind === 'NetworkPolicy' && o.metadata.name === 'zapier-dispatcher')!;
  expect(policy.spec.policyTypes).toEqual(expect.arrayContaining(['Egress']));
  let publicV4 = false;
  for (const rule of policy.spec.egress as Array<{ to: Array<Record<string, any>>; ports?: unknown[] }>)
    for (const peer of rule.to) {
      if (!peer.ipBlock) {
        // In-cluster peers are named ones only (DNS, labelled dependencies), never "every pod".
        expect(peer.podSelector?.matchLabels ?? {}).not.toEqual({});
        continue;
      }
      const { cidr, except = [] } = peer.ipBlock as { cidr: string; except?: string[] };
      if (cidr === '0.0.0.0/0') {
        publicV4 = true;
        expect(except).toEqual(expect.arrayContaining(PRIVATE_V4));
      } else if (cidr === '::/0') expect(except).toEqual(expect.arrayContaining(PRIVATE_V6));
      else {
        // A private address allowed on purpose (a managed database) is one host, on named ports.
        expect(cidr).toMatch(/\/(32|128)$/);
        expect(rule.ports?.length).toBeGreaterThan(0);
      }
    }
  expect(publicV4).toBe(true);
}

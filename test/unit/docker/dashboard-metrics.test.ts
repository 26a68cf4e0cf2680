/**
 * Keeps docker/ from drifting away from the code: the Grafana dashboard may query only series
 * vecmesh really exports (the Prometheus sink's and the reference node's), with labels they
 * really carry, and should show every one of them; Prometheus and Grafana must point at services
 * and ports that docker/compose.yaml defines. No Docker needed: the files are read and parsed.
 */
import { readFileSync } from 'node:fs';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
// `yaml` comes with typedoc and vite (dev dependencies); it parses what Prometheus and compose read.
import { parse as parseYaml } from 'yaml';
import { METRIC_LABEL_NAMES, prometheusMetrics } from '../../../src/metrics/index.js';
import { NodeMetrics } from '../../../src/node/server/node-metrics.js';
import { openStore } from '../../../src/node/store/index.js';

function repoFile(path: string): string {
  return readFileSync(new URL(`../../../${path}`, import.meta.url), 'utf8');
}

/** The parts of a dashboard this test reads. */
interface Panel {
  title?: string;
  type?: string;
  datasource?: { uid?: string };
  targets?: { expr?: string; legendFormat?: string; datasource?: { uid?: string } }[];
  panels?: Panel[];
}
interface Dashboard {
  panels: Panel[];
  templating?: { list?: { name: string; type: string; current?: { value?: string } }[] };
}

interface Query {
  readonly panel: string;
  readonly expr: string;
  readonly legend: string;
  readonly datasource: string | undefined;
}

/** Every query of every panel, rows' nested panels included. */
function queries(panels: readonly Panel[]): Query[] {
  return panels.flatMap((p) => [
    ...(p.targets ?? []).map((t) => ({
      panel: p.title ?? '(untitled)',
      expr: t.expr ?? '',
      legend: t.legendFormat ?? '',
      datasource: t.datasource?.uid ?? p.datasource?.uid,
    })),
    ...queries(p.panels ?? []),
  ]);
}

/** The series names a metric of this type exposes, as PromQL names them. */
function seriesNames(name: string, type: string): string[] {
  if (type === 'histogram') return [`${name}_bucket`, `${name}_sum`, `${name}_count`];
  if (type === 'summary') return [name, `${name}_sum`, `${name}_count`];
  return [name];
}

/** What the Prometheus sink registers on a fresh registry: metric name -> type. */
async function sinkMetrics(): Promise<Map<string, string>> {
  const registry = new Registry();
  prometheusMetrics({ registry });
  const json = await registry.getMetricsAsJSON();
  return new Map(json.map((m) => [m.name, String(m.type)]));
}

/** What a reference node's `GET /metrics` declares (`# TYPE` lines), and the labels it uses. */
async function nodeMetrics(): Promise<{ types: Map<string, string>; labels: Set<string> }> {
  const store = await openStore({});
  try {
    const metrics = new NodeMetrics();
    // One request, so that the labelled series appear with their labels.
    metrics.observeRequest('GET', '/readyz', 200, 0.001);
    const text = metrics.render(store, true);
    const types = new Map<string, string>();
    for (const m of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) types.set(m[1]!, m[2]!);
    const labels = new Set<string>();
    for (const m of text.matchAll(/^[a-zA-Z_:][a-zA-Z0-9_:]*\{([^}]*)\}/gm)) {
      for (const l of m[1]!.matchAll(/([a-zA-Z_]\w*)="/g)) labels.add(l[1]!);
    }
    return { types, labels };
  } finally {
    await store.close();
  }
}

/** `vecmesh_*` names in a PromQL expression. */
function metricNames(expr: string): string[] {
  return [...expr.matchAll(/\bvecmesh_[a-zA-Z0-9_:]*/g)].map((m) => m[0]);
}

/** Label names an expression groups by or matches on, and those a legend interpolates. */
function labelsUsed(q: Query): string[] {
  const grouped = [...q.expr.matchAll(/\b(?:by|without)\s*\(([^)]*)\)/g)].flatMap((m) =>
    m[1]!.split(',').map((l) => l.trim()),
  );
  const matched = [...q.expr.matchAll(/\{([^}]*)\}/g)].flatMap((m) =>
    [...m[1]!.matchAll(/([a-zA-Z_]\w*)\s*(?:=~|!~|!=|=)/g)].map((l) => l[1]!),
  );
  const legend = [...q.legend.matchAll(/\{\{\s*([a-zA-Z_]\w*)\s*\}\}/g)].map((m) => m[1]!);
  return [...grouped, ...matched, ...legend].filter((l) => l !== '');
}

const dashboard = JSON.parse(repoFile('docker/grafana/dashboards/vecmesh.json')) as Dashboard;
const all = queries(dashboard.panels);

interface ComposeService {
  expose?: string[];
  ports?: string[];
  entrypoint?: string[];
  environment?: Record<string, string>;
  volumes?: string[];
}
const compose = parseYaml(repoFile('docker/compose.yaml')) as {
  services: Record<string, ComposeService>;
};

/** The ports a compose service listens on inside the network: `expose`, and `ports`' container side. */
function containerPorts(service: ComposeService): Set<string> {
  const published = (service.ports ?? []).map((p) => p.split(':').at(-1)!.split('/')[0]!);
  return new Set([...(service.expose ?? []), ...published]);
}

/** Asserts that `host:port` names a compose service that listens on that port. */
function expectServicePort(target: string, where: string): void {
  const [host, port] = target.split(':');
  expect(Object.keys(compose.services), `${where}: ${target}`).toContain(host);
  expect([...containerPorts(compose.services[host!]!)], `${where}: ${target}`).toContain(port);
}

describe('docker/grafana/dashboards/vecmesh.json', () => {
  it('queries only series that vecmesh exports', async () => {
    const known = new Set<string>();
    for (const [name, type] of await sinkMetrics())
      seriesNames(name, type).forEach((n) => known.add(n));
    for (const [name, type] of (await nodeMetrics()).types) {
      seriesNames(name, type).forEach((n) => known.add(n));
    }
    const used = all.flatMap((q) => metricNames(q.expr).map((name) => ({ panel: q.panel, name })));
    expect(used.length).toBeGreaterThan(0);
    expect(used.filter((u) => !known.has(u.name))).toEqual([]);
  });

  it('shows every metric the Prometheus sink and the reference node register', async () => {
    const names = [...(await sinkMetrics()).keys(), ...(await nodeMetrics()).types.keys()];
    const used = new Set(all.flatMap((q) => metricNames(q.expr)));
    const shown = (name: string): boolean =>
      [name, `${name}_bucket`, `${name}_sum`, `${name}_count`].some((n) => used.has(n));
    expect(names.length).toBeGreaterThan(0);
    expect(names.filter((n) => !shown(n))).toEqual([]);
  });

  it('groups, matches and labels by label names the series carry', async () => {
    const known = new Set([
      ...METRIC_LABEL_NAMES,
      ...(await nodeMetrics()).labels,
      'le', // histogram buckets
      'instance', // Prometheus target labels
      'job',
    ]);
    const unknown = all.flatMap((q) =>
      labelsUsed(q)
        .filter((l) => !known.has(l))
        .map((label) => ({ panel: q.panel, label })),
    );
    expect(all.flatMap(labelsUsed).length).toBeGreaterThan(0);
    expect(unknown).toEqual([]);
  });

  it('reads every query from the provisioned Prometheus data source, through its variable', () => {
    const variable = dashboard.templating?.list?.find((v) => v.type === 'datasource');
    const provisioned = parseYaml(
      repoFile('docker/grafana/provisioning/datasources/prometheus.yaml'),
    ) as { datasources: { uid: string; url: string }[] };
    expect(variable?.current?.value).toBe(provisioned.datasources[0]?.uid);
    expect(all.filter((q) => q.datasource !== `\${${variable?.name ?? ''}}`)).toEqual([]);
  });
});

describe('docker/prometheus/prometheus.yml and Grafana provisioning', () => {
  const prometheus = parseYaml(repoFile('docker/prometheus/prometheus.yml')) as {
    scrape_configs: {
      job_name: string;
      static_configs: { targets: string[] }[];
      authorization?: { credentials_file?: string };
    }[];
  };

  it('scrapes services that compose defines, on ports they listen on', () => {
    const targets = prometheus.scrape_configs.flatMap((job) =>
      job.static_configs.flatMap((c) => c.targets.map((t) => ({ job: job.job_name, t }))),
    );
    expect(targets.length).toBeGreaterThan(0);
    for (const { job, t } of targets) expectServicePort(t, `scrape job ${job}`);
  });

  it('scrapes the example app and both reference nodes, the nodes with the key compose writes', () => {
    const app = compose.services['metrics-server']!;
    const jobs = new Map(prometheus.scrape_configs.map((j) => [j.job_name, j]));
    const appTargets = jobs.get('vecmesh-app')!.static_configs.flatMap((c) => c.targets);
    expect(appTargets).toEqual([`metrics-server:${app.environment!.PORT!}`]);

    // The app's mesh uses the nodes Prometheus scrapes, by the same addresses.
    const nodeJob = jobs.get('vecmesh-node')!;
    const nodeTargets = nodeJob.static_configs.flatMap((c) => c.targets);
    const meshNodes = app.environment!.VECMESH_NODES!.split(/[;,]/).map((u) => new URL(u).host);
    expect(nodeTargets.toSorted()).toEqual(meshNodes.toSorted());

    const file = nodeJob.authorization?.credentials_file;
    expect(file).toBeDefined();
    expect(compose.services.prometheus!.entrypoint!.join(' ')).toContain(`> ${file!}`);
  });

  it('points Grafana at the Prometheus service and at the mounted dashboards', () => {
    const datasources = parseYaml(
      repoFile('docker/grafana/provisioning/datasources/prometheus.yaml'),
    ) as { datasources: { url: string }[] };
    const url = new URL(datasources.datasources[0]!.url);
    expectServicePort(url.host, 'Grafana data source');

    const providers = parseYaml(
      repoFile('docker/grafana/provisioning/dashboards/vecmesh.yaml'),
    ) as { providers: { options: { path: string } }[] };
    const mounts = (compose.services.grafana!.volumes ?? []).map((v) => v.split(':'));
    const dashboards = mounts.find(([from]) => from === './grafana/dashboards');
    expect(dashboards?.[1]).toBe(providers.providers[0]!.options.path);
  });
});

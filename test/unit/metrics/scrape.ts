/**
 * Reads samples out of the Prometheus text exposition format, for tests.
 */

/** One sample line: name, labels, value. */
export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/** Parses every sample of a scrape (comments skipped). */
export function parseScrape(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = LINE.exec(line);
    if (!m) throw new Error(`not a sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(LABEL)) labels[l[1]!] = l[2]!;
    samples.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return samples;
}

/**
 * The value of the one sample named `name` whose labels are exactly `labels`, or `undefined`.
 */
export function sampleValue(
  samples: readonly Sample[],
  name: string,
  labels: Readonly<Record<string, string>> = {},
): number | undefined {
  const want = Object.entries(labels).sort(([a], [b]) => a.localeCompare(b));
  const found = samples.filter((s) => {
    if (s.name !== name) return false;
    const have = Object.entries(s.labels).sort(([a], [b]) => a.localeCompare(b));
    return JSON.stringify(have) === JSON.stringify(want);
  });
  if (found.length > 1)
    throw new Error(`${name} ${JSON.stringify(labels)} matches ${found.length}`);
  return found[0]?.value;
}

/** Every distinct label name used by samples whose name starts with `prefix`. */
export function labelNames(samples: readonly Sample[], prefix: string): Set<string> {
  const names = new Set<string>();
  for (const s of samples) {
    if (s.name.startsWith(prefix)) for (const k of Object.keys(s.labels)) names.add(k);
  }
  return names;
}

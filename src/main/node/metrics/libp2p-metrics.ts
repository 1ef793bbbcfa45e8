/**
 * libp2p's own metrics (dials, connections, dial errors, protocol timings…)
 * recorded into this node's prom-client Registry. libp2p has a single
 * `metrics` component; TrafficMeter supplies it to observe bytes, so it also
 * has to honour the rest of the Metrics interface, and these adapters do.
 * Modelled on @libp2p/prometheus-metrics, but on a per-node Registry instead
 * of prom-client's global one: tests and apps run several nodes per process.
 */
import { Counter as PCounter, Gauge, Histogram as PHistogram, Summary as PSummary, type Registry } from 'prom-client'
import type {
  CalculateMetric, CalculatedMetricOptions, Counter, CounterGroup,
  Histogram, HistogramGroup, HistogramOptions, Metric, MetricGroup, MetricOptions, StopTimer, Summary, SummaryGroup, SummaryOptions
} from '@libp2p/interface'

type Opts = (MetricOptions | CalculatedMetricOptions<any> | HistogramOptions | SummaryOptions) & { calculate?: CalculateMetric<any> }
type Kind = 'gauge' | 'gaugeGroup' | 'counter' | 'counterGroup' | 'histogram' | 'histogramGroup' | 'summary' | 'summaryGroup'

/** Prometheus names are [a-zA-Z_:][a-zA-Z0-9_:]*; libp2p's are already close, this keeps any stray character legal. */
export function promName (name: string): string {
  const n = name.replace(/[^a-zA-Z0-9_:]/g, '_')
  return /^[a-zA-Z_:]/.test(n) ? n : `_${n}`
}

export class Libp2pMetricRegistry {
  private readonly made = new Map<string, { wrapper: unknown, calculators: Array<CalculateMetric<any>> }>()

  constructor (private readonly registry: Registry) {}

  register (kind: Kind, rawName: string, opts: Opts = {}): any {
    const name = promName(rawName)
    const existing = this.made.get(name)
    if (existing != null) {
      if (opts.calculate != null) existing.calculators.push(opts.calculate)
      return opts.calculate != null ? undefined : existing.wrapper
    }
    const calculators: Array<CalculateMetric<any>> = opts.calculate != null ? [opts.calculate] : []
    const wrapper = this.create(kind, name, opts, calculators)
    this.made.set(name, { wrapper, calculators })
    return opts.calculate != null ? undefined : wrapper
  }

  private create (kind: Kind, name: string, opts: Opts, calculators: Array<CalculateMetric<any>>): unknown {
    const help = opts.help ?? name
    const label = opts.label ?? 'key'
    const registers = [this.registry]
    const grouped = kind.endsWith('Group')
    const labelNames = grouped ? [label] : []
    const calculated = calculators.length > 0
    // calculated metrics are read at scrape time: sum the calculators (scalar) or merge them (groups)
    const read = async (): Promise<number | Record<string, number>> => {
      const values = await Promise.all(calculators.map(async c => await c()))
      if (!grouped) return values.reduce((a: number, v: number) => a + v, 0)
      return Object.assign({}, ...values)
    }
    switch (kind) {
      case 'gauge':
      case 'gaugeGroup': {
        const g: Gauge = new Gauge({
          name, help, labelNames, registers,
          collect: calculated ? async () => { setAll(g, await read(), label, (m, l, v) => { m.set(l, v) }) } : undefined
        })
        return grouped ? metricGroup(g, label) : metric(g)
      }
      case 'counter':
      case 'counterGroup': {
        const c: PCounter = new PCounter({
          name, help, labelNames, registers,
          collect: calculated ? async () => { setAll(c, await read(), label, (m, l, v) => { m.inc(l, v) }) } : undefined
        })
        return grouped
          ? { increment: (values: Record<string, number | true>) => { incAll(c, values, label) }, reset: () => { c.reset() } } satisfies CounterGroup
          : { increment: (v = 1) => { c.inc(v) }, reset: () => { c.reset() } } satisfies Counter
      }
      case 'histogram':
      case 'histogramGroup': {
        const buckets = (opts as HistogramOptions).buckets
        const h: PHistogram = new PHistogram({
          name, help, labelNames, registers, ...(buckets != null ? { buckets } : {}),
          collect: calculated ? async () => { observeAll(h, await read(), label) } : undefined
        })
        return observer(h, label, grouped)
      }
      case 'summary':
      case 'summaryGroup': {
        const { percentiles, maxAgeSeconds, ageBuckets, pruneAgedBuckets, compressCount } = opts as SummaryOptions
        const s: PSummary = new PSummary({
          name, help, labelNames, registers,
          ...(percentiles != null ? { percentiles } : {}),
          ...(maxAgeSeconds != null ? { maxAgeSeconds, ageBuckets: ageBuckets ?? 5 } : {}),
          ...(pruneAgedBuckets != null ? { pruneAgedBuckets } : {}),
          ...(compressCount != null ? { compressCount } : {}),
          collect: calculated ? async () => { observeAll(s, await read(), label) } : undefined
        })
        return observer(s, label, grouped)
      }
    }
  }
}

type Labels = Record<string, string>

function setAll<M extends Gauge | PCounter> (m: M, value: number | Record<string, number>, label: string, apply: (m: M, labels: Labels, v: number) => void): void {
  m.reset()
  if (typeof value === 'number') apply(m, {}, value)
  else for (const [k, v] of Object.entries(value)) apply(m, { [label]: k }, v)
}

function observeAll (m: PHistogram | PSummary, value: number | Record<string, number>, label: string): void {
  if (typeof value === 'number') m.observe(value)
  else for (const [k, v] of Object.entries(value)) m.observe({ [label]: k }, v)
}

function incAll (c: PCounter | Gauge, values: Record<string, number | true | undefined>, label: string): void {
  for (const [k, v] of Object.entries(values)) if (v != null) c.inc({ [label]: k }, v === true ? 1 : v)
}

function metric (g: Gauge): Metric {
  return {
    update: v => { g.set(v) },
    increment: (v = 1) => { g.inc(v) },
    decrement: (v = 1) => { g.dec(v) },
    reset: () => { g.reset() },
    timer: (): StopTimer => { const end = g.startTimer(); return () => { end() } }
  }
}

function metricGroup (g: Gauge, label: string): MetricGroup {
  return {
    update: values => { for (const [k, v] of Object.entries(values)) if (v != null) g.set({ [label]: k }, v as number) },
    increment: values => { incAll(g, values, label) },
    decrement: values => { for (const [k, v] of Object.entries(values)) if (v != null) g.dec({ [label]: k }, v === true ? 1 : v as number) },
    reset: () => { g.reset() },
    timer: (key: string): StopTimer => { const end = g.startTimer({ [label]: key }); return () => { end() } }
  }
}

function observer (m: PHistogram | PSummary, label: string, grouped: boolean): Histogram & Summary | HistogramGroup & SummaryGroup {
  if (!grouped) {
    return {
      observe: (v: number) => { m.observe(v) },
      reset: () => { m.reset() },
      timer: (): StopTimer => { const end = m.startTimer(); return () => { end() } }
    }
  }
  return {
    observe: (values: Partial<Record<string, number>>) => { for (const [k, v] of Object.entries(values)) if (v != null) m.observe({ [label]: k }, v) },
    reset: () => { m.reset() },
    timer: (key: string): StopTimer => { const end = m.startTimer({ [label]: key }); return () => { end() } }
  }
}


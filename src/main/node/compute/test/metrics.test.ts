/** The compute series in Prometheus: the worker's figures in Prometheus units, zero with no compute module. */
import { Registry } from 'prom-client'
import { describe, expect, it } from 'vitest'
import { PrometheusExporter } from '../../metrics/prometheus.js'
import type { ComputeFigures } from '../../metrics/prometheus.js'

const zero = { inBps: 0, outBps: 0, inTotal: 0, outTotal: 0 }
const exporter = (compute?: () => ComputeFigures | null): PrometheusExporter => new PrometheusExporter({
  registry: new Registry(),
  traffic: { totals: () => zero, traffic: () => zero },
  rtt: () => null,
  localCapacity: () => null,
  connectedPeers: () => [],
  compute
})

describe('compute figures', () => {
  it('are a gauge of running tasks and counters of tasks and CPU seconds given', async () => {
    let figures: ComputeFigures = { running: 2, tasksTotal: 5, cpuMsTotal: 1500 }
    const e = exporter(() => figures)
    const text = await e.text()
    expect(text).toMatch(/^wgt_compute_tasks_running 2$/m)
    expect(text).toMatch(/^wgt_compute_tasks_total 5$/m)
    expect(text).toMatch(/^wgt_compute_cpu_seconds_total 1\.5$/m)
    figures = { running: 0, tasksTotal: 6, cpuMsTotal: 2500 }
    expect(await e.text()).toMatch(/^wgt_compute_cpu_seconds_total 2\.5$/m)
    // no compute module: nothing ran here
    const none = await exporter().text()
    for (const name of ['wgt_compute_tasks_running', 'wgt_compute_tasks_total', 'wgt_compute_cpu_seconds_total']) expect(none).toMatch(new RegExp(`^${name} 0$`, 'm'))
  })
})

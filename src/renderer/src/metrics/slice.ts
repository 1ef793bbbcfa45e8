/** metrics in the UI: the history behind the charts, kept to the last ten minutes. */
import type { MetricsSample } from '../../../shared/api/index.js'
import type { UiSlice } from '../app/slice.js'

/** Enough for ten minutes at a one-second tick; older points are dropped. */
export const HISTORY_CAP = 600

export interface MetricsState {
  history: readonly MetricsSample[]
  /** the node's metrics tick, from getHistory() */
  intervalMs: number | null
}

/**
 * Append a sample, keeping time order and at most `cap` entries. A sample not
 * newer than the last one is dropped: after a resync the same tick can arrive
 * both in getHistory() and as an event.
 */
export function appendSample (history: readonly MetricsSample[], sample: MetricsSample, cap = HISTORY_CAP): readonly MetricsSample[] {
  const last = history[history.length - 1]
  if (last != null && sample.t <= last.t) return history
  const next = history.length >= cap ? history.slice(history.length - cap + 1) : history.slice()
  next.push(sample)
  return next
}

export function capHistory (samples: readonly MetricsSample[], cap = HISTORY_CAP): readonly MetricsSample[] {
  const sorted = [...samples].sort((a, b) => a.t - b.t)
  return sorted.length > cap ? sorted.slice(sorted.length - cap) : sorted
}

export const metricsSlice: UiSlice<MetricsState> = {
  name: 'the metrics history',
  create: () => ({ history: [], intervalMs: null }),
  events: {
    'metrics:sample': (store, sample) => { store.setState(s => ({ history: appendSample(s.history, sample) })) }
  },
  load: async (api, store) => {
    const h = await api.getHistory()
    store.setState({ history: capHistory(h.samples), intervalMs: h.intervalMs })
  }
}

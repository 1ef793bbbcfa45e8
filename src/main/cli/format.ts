/** Figures as text for the client commands; each command formats its own results with these. */
import type { RttStats } from '../../shared/api/index.js'

export function bytes (n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB']
  let value = n
  let unit = 0
  while (Math.abs(value) >= 1024 && unit < units.length - 1) { value /= 1024; unit++ }
  return unit === 0 ? `${Math.round(value)} B` : `${value.toFixed(1)} ${units[unit]}`
}

export function rate (bps: number): string {
  return `${bytes(bps)}/s`
}

/** 0:07, 3:05, 1:02:03 */
export function duration (ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000))
  const h = Math.floor(s / 3600)
  const m = Math.floor((s % 3600) / 60)
  const sec = String(s % 60).padStart(2, '0')
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`
}

export function ms (value: number): string {
  return `${value.toFixed(3)} ms`
}

export function percent (fraction: number): string {
  return `${(fraction * 100).toFixed(fraction === 0 || fraction === 1 ? 0 : 1)}%`
}

export function rttSummary (rtt: RttStats | null): string {
  if (rtt == null || rtt.samples === 0) return 'rtt -'
  return `rtt p50 ${ms(rtt.p50)} p95 ${ms(rtt.p95)} jitter ${ms(rtt.jitter)} loss ${percent(rtt.loss)}`
}

/**
 * Text that came from a peer (a file name, an agent string) made safe for a
 * terminal: control characters, escape sequences and line breaks would
 * otherwise run, or forge lines, when printed.
 */
export function printable (text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, c => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
}

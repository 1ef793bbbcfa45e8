/** Pure formatting helpers for figures shown in the UI. */

const BYTE_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB']

/** Binary units with three significant digits: 0 B, 512 B, 1.50 KiB, 12.3 MiB, 456 GiB. */
export function formatBytes (bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '—'
  let value = bytes
  let unit = 0
  // 1000 rather than 1024 as the switch point keeps at most three integer digits ("1000 KiB" never shows)
  while (value >= 1000 && unit < BYTE_UNITS.length - 1) {
    value /= 1024
    unit++
  }
  if (unit === 0) return `${Math.round(value)} B`
  return `${significant(value)} ${BYTE_UNITS[unit]}`
}

/** A count with thousands separators: 1,234. */
export function formatCount (n: number): string {
  return Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '—'
}

/** "1 shard", "1,234 shards". */
export function plural (n: number, one: string, many = `${one}s`): string {
  return `${formatCount(n)} ${n === 1 ? one : many}`
}

export function formatRate (bytesPerSecond: number): string {
  if (!Number.isFinite(bytesPerSecond) || bytesPerSecond < 0) return '—'
  return `${formatBytes(bytesPerSecond)}/s`
}

/**
 * Milliseconds: loopback RTTs are a fraction of a millisecond, WAN RTTs hundreds;
 * show µs-level precision only where it means something.
 */
export function formatMs (ms: number | null | undefined): string {
  if (ms == null || !Number.isFinite(ms) || ms < 0) return '—'
  if (ms === 0) return '0 ms'
  if (ms < 1) return `${ms.toFixed(2)} ms`
  if (ms < 10) return `${ms.toFixed(1)} ms`
  if (ms < 10_000) return `${Math.round(ms)} ms`
  return `${(ms / 1000).toFixed(1)} s`
}

/** A 0..1 ratio as a percentage. */
export function formatRatio (ratio: number | null | undefined): string {
  if (ratio == null || !Number.isFinite(ratio)) return '—'
  return formatPercent(ratio * 100)
}

/** A 0..100 value as a percentage. */
export function formatPercent (percent: number | null | undefined): string {
  if (percent == null || !Number.isFinite(percent)) return '—'
  if (percent === 0) return '0%'
  if (percent < 1) return `${percent.toFixed(1)}%`
  return `${Math.round(percent)}%`
}

/** 12D3KooW…x7Yz: enough of the tail to tell peers apart, the full id is always one hover or copy away. */
export function shortPeerId (peerId: string, tail = 6): string {
  if (peerId.length <= 8 + tail + 1) return peerId
  return `${peerId.slice(0, 8)}…${peerId.slice(-tail)}`
}

export function formatClock (t: number): string {
  const d = new Date(t)
  return [d.getHours(), d.getMinutes(), d.getSeconds()].map(n => String(n).padStart(2, '0')).join(':')
}

/** "3 s ago", "5 min ago": how old a measurement is. */
export function formatAge (ms: number): string {
  if (!Number.isFinite(ms)) return '—'
  const s = Math.max(0, Math.round(ms / 1000))
  if (s < 60) return `${s} s ago`
  const m = Math.round(s / 60)
  if (m < 60) return `${m} min ago`
  const h = Math.round(m / 60)
  if (h < 48) return `${h} h ago`
  return `${Math.round(h / 24)} d ago`
}

function significant (value: number): string {
  if (value >= 100) return value.toFixed(0)
  if (value >= 10) return value.toFixed(1)
  return value.toFixed(2)
}

/** For axis labels: "4.00 KiB/s" → "4 KiB/s", "0.10 ms" → "0.1 ms". */
export function trimZeros (label: string): string {
  return label.replace(/\.(\d*?)0+(?=\D|$)/, (_m, kept: string) => kept === '' ? '' : `.${kept}`)
}

/** Time left, as people say it: "8 s", "3 min", "1 h 5 min". */
export function formatDuration (ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '—'
  const s = Math.round(ms / 1000)
  if (s < 60) return `${s} s`
  const m = Math.round(s / 60)
  if (m < 60) return `${m} min`
  const h = Math.floor(m / 60)
  return `${h} h ${m % 60} min`
}

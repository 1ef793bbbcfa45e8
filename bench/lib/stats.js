/** Order statistics for benchmark samples. Nearest-rank percentiles: no interpolation between samples. */

export function percentile (values, p) {
  if (values.length === 0) throw new Error('percentile of no samples')
  const sorted = [...values].sort((a, b) => a - b)
  const rank = Math.ceil((p / 100) * sorted.length)
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]
}

export function median (values) {
  if (values.length === 0) throw new Error('median of no samples')
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

/** Rounded for a readable report; the figures are medians of noisy runs, more digits would be false precision. */
export function round (value, digits = 3) {
  const f = 10 ** digits
  return Math.round(value * f) / f
}

import type { CallQuality } from '../../../shared/api/index.js'
import { formatMs } from '../format.js'
import { pathLabel } from './quality.js'

const kbps = (v: number): string => v >= 1000 ? `${(v / 1000).toFixed(1)} Mbit/s` : `${Math.round(v)} kbit/s`
const orDash = (v: number | null, f: (n: number) => string): string => v == null ? '—' : f(v)

/** A line of the last minute's values, scaled to its own maximum: the shape, not the figure (the figure is beside it). */
function Spark ({ values, label }: { values: readonly number[], label: string }): React.JSX.Element | null {
  if (values.length < 2) return null
  const max = Math.max(...values, 1)
  const w = 176
  const h = 28
  const points = values.map((v, i) => `${(i * w / (values.length - 1)).toFixed(1)},${(h - 1 - v * (h - 2) / max).toFixed(1)}`).join(' ')
  return (
    <svg className='call-spark' viewBox={`0 0 ${w} ${h}`} preserveAspectRatio='none' role='img' aria-label={label}>
      <polyline points={points} fill='none' stroke='currentColor' strokeWidth='1.4' strokeLinejoin='round' vectorEffect='non-scaling-stroke' />
    </svg>
  )
}

/** The call's quality as measured here over the last second, and the received bitrate over the last minute. */
export function QualityPanel ({ history }: { history: readonly CallQuality[] }): React.JSX.Element {
  const q = history.at(-1)
  if (q == null) return <p className='call-quality muted' role='status'>Measuring…</p>
  const recent = history.slice(-60)
  return (
    <dl className='call-quality' data-testid='call-quality' data-path={q.path} aria-label='Call quality'>
      <div><dt>Path</dt><dd data-testid='call-path' className={q.path === 'direct' ? '' : 'call-path-tunnel'}>{pathLabel(q.path)}</dd></div>
      <div><dt>RTT</dt><dd>{formatMs(q.rttMs)}</dd></div>
      <div><dt>In</dt><dd>{kbps(q.recvKbps)}</dd></div>
      <div><dt>Out</dt><dd>{kbps(q.sendKbps)}</dd></div>
      <div><dt>Frames</dt><dd data-testid='call-fps'>{q.fps == null ? '—' : `${Math.round(q.fps)} fps`}</dd></div>
      <div><dt>Size</dt><dd data-testid='call-size'>{q.width != null && q.height != null ? `${q.width}×${q.height}` : '—'}</dd></div>
      <div><dt>Loss</dt><dd>{orDash(q.lossPct, v => `${v.toFixed(1)} %`)}</dd></div>
      <div><dt>Jitter</dt><dd>{formatMs(q.jitterMs)}</dd></div>
      <div className='call-spark-box'><dt>In, last min</dt><dd><Spark values={recent.map(x => x.recvKbps)} label={`Received bitrate over the last ${recent.length} s, now ${kbps(q.recvKbps)}`} /></dd></div>
    </dl>
  )
}

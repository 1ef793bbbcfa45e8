import { useEffect, useMemo, useRef } from 'react'
import { Area, AreaChart, CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts'
import { useWgt } from '../app/context.js'
import { cpuRows, maxOf, niceTicks, rttRows, trafficRows } from './charts-data.js'
import { formatClock, formatMs, formatPercent, formatRate, trimZeros } from '../format.js'
import { peerLabel } from '../guard/state.js'
import { useTheme, type Theme } from '../theme.js'

// recharts sets colours as SVG attributes, so the palette lives here rather than in CSS variables
export const PALETTE: Record<Theme, { grid: string, axis: string, tooltipBg: string, tooltipBorder: string, series: string[], in: string, out: string, cpu: string }> = {
  light: {
    grid: '#e4e7ec', axis: '#667085', tooltipBg: '#ffffff', tooltipBorder: '#d0d5dd',
    series: ['#2563eb', '#d97706', '#059669', '#db2777', '#7c3aed', '#0891b2', '#65a30d', '#dc2626'],
    in: '#2563eb', out: '#d97706', cpu: '#7c3aed'
  },
  dark: {
    grid: '#2a2f3a', axis: '#98a2b3', tooltipBg: '#1b1f27', tooltipBorder: '#3a404d',
    series: ['#60a5fa', '#fbbf24', '#34d399', '#f472b6', '#a78bfa', '#22d3ee', '#a3e635', '#f87171'],
    in: '#60a5fa', out: '#fbbf24', cpu: '#a78bfa'
  }
}

const HEIGHT = 180

export function axisProps (theme: Theme): { stroke: string, tick: { fontSize: number, fill: string }, tickLine: boolean } {
  return { stroke: PALETTE[theme].grid, tick: { fontSize: 11, fill: PALETTE[theme].axis }, tickLine: false }
}

export function tooltipStyle (theme: Theme): React.CSSProperties {
  return { background: PALETTE[theme].tooltipBg, border: `1px solid ${PALETTE[theme].tooltipBorder}`, borderRadius: 6, fontSize: 12 }
}

export function TimeAxis ({ theme }: { theme: Theme }): React.JSX.Element {
  return <XAxis dataKey='t' type='number' scale='time' domain={['dataMin', 'dataMax']} tickFormatter={formatClock} minTickGap={40} {...axisProps(theme)} />
}

/**
 * One tab stop per chart: the figure takes focus and names its latest values,
 * the chart's own parts (recharts' keyboard layer, legend) take none.
 */
export function ChartCard ({ title, summary, children, empty }: { title: string, summary: string, children: React.ReactNode, empty: string | null }): React.JSX.Element {
  const body = useRef<HTMLDivElement>(null)
  useEffect(() => {
    // Chromium puts recharts' layer groups (<g>) in the tab order; every Tab through a chart
    // stopped on each of them. tabindex=-1 takes them out, as they are added.
    const el = body.current
    if (el == null) return
    const untab = (): void => { for (const g of el.querySelectorAll('svg, svg *:not([tabindex])')) g.setAttribute('tabindex', '-1') }
    untab()
    const observer = new MutationObserver(untab)
    observer.observe(el, { childList: true, subtree: true })
    return () => { observer.disconnect() }
  }, [empty])
  return (
    <figure className='card chart-card' tabIndex={0} aria-label={`${title}: ${empty ?? summary}`} data-testid='chart'>
      <figcaption><h3>{title}</h3>{empty == null && <span className='muted chart-summary'>{summary}</span>}</figcaption>
      {empty != null ? <p className='empty chart-empty'>{empty}</p> : <div ref={body} style={{ height: HEIGHT }}>{children}</div>}
    </figure>
  )
}

export function Charts (): React.JSX.Element {
  const history = useWgt(s => s.history)
  const contacts = useWgt(s => s.contacts)
  const label = (id: unknown): string => peerLabel(contacts, String(id))
  const { theme } = useTheme()
  const p = PALETTE[theme]
  const rtt = useMemo(() => rttRows(history), [history])
  const traffic = useMemo(() => trafficRows(history), [history])
  const cpu = useMemo(() => cpuRows(history), [history])
  const rttTicks = useMemo(() => niceTicks(maxOf(rtt.rows, rtt.peerIds)), [rtt])
  const trafficTicks = useMemo(() => niceTicks(maxOf(traffic as unknown as Array<Record<string, number>>, ['inBps', 'outBps']), 4, 'bytes'), [traffic])
  const noSamples = history.length === 0 ? 'Waiting for the first metrics sample…' : null
  const labelFormatter = (t: unknown): string => typeof t === 'number' ? formatClock(t) : String(t)
  const last = history[history.length - 1]
  const rttSummary = last == null ? '' : last.peers.filter(p => p.rttP50 != null).map(p => `${label(p.peerId)} ${formatMs(p.rttP50)}`).join(', ') || 'no RTT yet'
  const trafficSummary = last == null ? '' : `now in ${formatRate(last.traffic.inBps)}, out ${formatRate(last.traffic.outBps)}`
  const cpuSummary = last == null ? '' : `now ${formatPercent(last.cpuLoad)}`

  return (
    <section className='charts' aria-label='Live charts'>
      <ChartCard title='RTT p50 per peer' summary={rttSummary} empty={noSamples ?? (rtt.peerIds.length === 0 ? 'No peer RTT measured yet.' : null)}>
        <ResponsiveContainer width='100%' height='100%'>
          <LineChart accessibilityLayer={false} data={rtt.rows} margin={{ top: 4, right: 8, bottom: 0, left: 0 }}>
            <CartesianGrid stroke={p.grid} vertical={false} />
            <TimeAxis theme={theme} />
            <YAxis width={60} domain={[0, rttTicks[rttTicks.length - 1]]} ticks={rttTicks} tickFormatter={(v: number) => trimZeros(formatMs(v))} {...axisProps(theme)} />
            <Tooltip contentStyle={tooltipStyle(theme)} labelFormatter={labelFormatter} formatter={(v, name) => [formatMs(typeof v === 'number' ? v : null), label(name)]} />
            <Legend formatter={label} wrapperStyle={{ fontSize: 11 }} iconSize={8} />
            {rtt.peerIds.map((id, i) => (
              <Line key={id} dataKey={id} name={id} type='monotone' dot={false} strokeWidth={1.5} isAnimationActive={false}
                stroke={p.series[i % p.series.length]} connectNulls={false} />
            ))}
          </LineChart>
        </ResponsiveContainer>
      </ChartCard>

      <ChartCard title='Traffic, all peers' summary={trafficSummary} empty={noSamples}>
        <ResponsiveContainer width='100%' height='100%'>
          <AreaChart accessibilityLayer={false} data={traffic} margin={{ top: 4, right: 8, bottom: 0, left: 0 }}>
            <CartesianGrid stroke={p.grid} vertical={false} />
            <TimeAxis theme={theme} />
            <YAxis width={76} domain={[0, trafficTicks[trafficTicks.length - 1]]} ticks={trafficTicks} tickFormatter={(v: number) => trimZeros(formatRate(v))} {...axisProps(theme)} />
            <Tooltip contentStyle={tooltipStyle(theme)} labelFormatter={labelFormatter} formatter={(v, name) => [formatRate(Number(v)), String(name)]} />
            <Legend wrapperStyle={{ fontSize: 11 }} iconSize={8} />
            <Area dataKey='inBps' name='in' type='monotone' stroke={p.in} fill={p.in} fillOpacity={0.08} strokeWidth={1.5} isAnimationActive={false} />
            <Area dataKey='outBps' name='out' type='monotone' stroke={p.out} fill={p.out} fillOpacity={0.08} strokeWidth={1.5} isAnimationActive={false} />
          </AreaChart>
        </ResponsiveContainer>
      </ChartCard>

      <ChartCard title='CPU load, this node' summary={cpuSummary} empty={noSamples}>
        <ResponsiveContainer width='100%' height='100%'>
          <AreaChart accessibilityLayer={false} data={cpu} margin={{ top: 4, right: 8, bottom: 0, left: 0 }}>
            <CartesianGrid stroke={p.grid} vertical={false} />
            <TimeAxis theme={theme} />
            <YAxis width={44} domain={[0, 100]} ticks={[0, 25, 50, 75, 100]} tickFormatter={(v: number) => `${v}%`} {...axisProps(theme)} />
            <Tooltip contentStyle={tooltipStyle(theme)} labelFormatter={labelFormatter} formatter={(v) => [formatPercent(typeof v === 'number' ? v : null), 'CPU']} />
            <Legend wrapperStyle={{ fontSize: 11 }} iconSize={8} />
            <Area dataKey='cpuLoad' name='CPU' type='monotone' stroke={p.cpu} fill={p.cpu} fillOpacity={0.08} strokeWidth={1.5} isAnimationActive={false} connectNulls={false} />
          </AreaChart>
        </ResponsiveContainer>
      </ChartCard>
    </section>
  )
}

import type { FileHealth } from '../../../shared/api/index.js'
import { formatAge } from '../format.js'
import { healthCells, needsRepair, type HealthState } from './state.js'

/** What the health figures mean, in one sentence: the table header's tooltip and the note under My files. */
export const HEALTH_EXPLAINED = 'Health counts the shards of each segment held right now; a holder counts only when it proves it still has the bytes.'

function HealthBar ({ health }: { health: FileHealth }): React.JSX.Element {
  const cells = healthCells(health)
  return (
    <span className='health-bar' role='img' aria-label={`${health.segments.length} segments; fewest shards proven held in a segment: ${health.minReachable} of ${health.segments[0]?.total ?? 0}, ${health.segments[0]?.k ?? 0} needed`}>
      {cells.map(c => (
        <span
          key={c.from}
          className={`health-cell health-${c.state}`}
          title={`${c.from === c.to ? `segment ${c.from}` : `segments ${c.from}–${c.to} (worst shown)`}: ${c.reachable} of ${c.total} shards proven held, ${c.k} needed`}
        />
      ))}
    </span>
  )
}

/** How many shards of each segment holders proved they still have, as a bar and a word, and how old the check is. */
export function HealthCell ({ state, now }: { state: HealthState | undefined, now: number }): React.JSX.Element {
  const health = state == null ? null : state.status === 'ok' ? state.health : state.last
  const total = health?.segments[0]?.total
  const verdict = health == null ? null : health.recoverable ? (needsRepair(health) ? 'degraded' : 'complete') : 'lost'
  return (
    <span className='health' data-testid='health'>
      {health != null && <HealthBar health={health} />}
      {health != null && (
        <span className={verdict === 'complete' ? 'ok' : verdict === 'degraded' ? 'warn-text' : 'error-text'} data-health={verdict}>
          {verdict === 'lost' ? 'not recoverable' : verdict}
          <span className='muted' title='fewest shards proven held in any segment'> · min {health.minReachable}{total != null ? `/${total}` : ''}</span>
        </span>
      )}
      {state?.status === 'checking' && <span className='muted'>checking…</span>}
      {state?.status === 'error' && <span className='error-text' title={`${state.error.advice} (${state.error.detail})`}>check failed</span>}
      {health != null && state?.status === 'ok' && <span className='muted' title={new Date(health.checkedAt).toLocaleString()}>{formatAge(now - health.checkedAt)}</span>}
      {state == null && <span className='muted'>not checked</span>}
    </span>
  )
}

import { useApp, useConnectionState } from './context.js'
import { useNow } from '../hooks.js'

/** Shown while the link to the node is down; the data on screen is then the last known. */
export function ConnectionBanner (): React.JSX.Element | null {
  const { connection } = useApp()
  const state = useConnectionState(connection)
  const now = useNow(500)
  if (state.status === 'ready' || state.status === 'closed' || state.status === 'unauthorized') return null
  if (state.status === 'connecting' && state.attempt <= 1) return null
  const wait = state.status === 'disconnected' ? Math.max(0, Math.ceil((state.retryAt - now) / 1000)) : 0
  return (
    <div className='banner banner-bad' role='alert'>
      <span>
        <strong>Disconnected from node — reconnecting</strong>
        {state.status === 'disconnected'
          ? <span className='muted'> · {state.reason} · next attempt {wait > 0 ? `in ${wait} s` : 'now'}</span>
          : <span className='muted'> · attempt {state.attempt}</span>}
      </span>
      {state.status === 'disconnected' && (
        <button type='button' className='btn btn-small' onClick={() => { connection.retryNow() }}>Retry now</button>
      )}
    </div>
  )
}

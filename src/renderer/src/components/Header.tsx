import { nextPreference, setPreference, useTheme } from '../theme.js'
import { useApp, useConnectionState, useWgt } from '../context.js'
import { shortPeerId } from '../format.js'

const THEME_LABEL = { system: 'System theme', light: 'Light theme', dark: 'Dark theme' } as const

export function Header (): React.JSX.Element {
  const { preference } = useTheme()
  const { connection } = useApp()
  const state = useConnectionState(connection)
  const peerId = useWgt(s => s.identity?.peerId)
  const status = state.status === 'ready' ? 'connected' : state.status === 'connecting' ? 'connecting' : 'disconnected'
  return (
    <header className='app-header'>
      <div className='brand'>
        <span className='brand-name'>WGT</span>
        {peerId != null && <span className='muted mono' title={peerId}>{shortPeerId(peerId)}</span>}
      </div>
      <div className='header-actions'>
        <span className={`pill pill-${status === 'connected' ? 'ok' : status === 'connecting' ? 'warn' : 'bad'}`} role='status'>
          node {status}
        </span>
        <button
          type='button'
          className='btn btn-small'
          onClick={() => { setPreference(nextPreference(preference)) }}
          title='Switch between system, light and dark themes'
        >
          {THEME_LABEL[preference]}
        </button>
      </div>
    </header>
  )
}

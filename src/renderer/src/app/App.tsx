import { useEffect, useState } from 'react'
import type { WgtApi } from '../../../shared/api/index.js'
import type { HostFiles } from '../api/host-files.js'
import { CallOverlay } from '../calls/CallOverlay.js'
import { DropOverlay } from '../files/DropOverlay.js'
import { LinkPrompt } from '../files/LinkPrompt.js'
import { shortPeerId } from '../format.js'
import { useTheme } from '../theme.js'
import { AuthScreen } from '../ui/AuthScreen.js'
import { describeError } from '../ui/errors.js'
import { ErrorNotice } from '../ui/ErrorNotice.js'
import { ViewErrorBoundary } from '../ui/ViewErrorBoundary.js'
import { ConnectionBanner } from './ConnectionBanner.js'
import { AppContext, useApp, useConnectionState, useWgt, type Connection } from './context.js'
import { Nav } from './Nav.js'
import { applyShellCommand } from './shell-commands.js'
import { createWgtStore } from './slices.js'
import { syncStore } from './sync.js'
import { VIEWS } from './views.js'

/** hidden at least this long (a metrics tick or more), a window reloads its state when shown */
const RELOAD_AFTER_HIDDEN_MS = 2000

export function App ({ api, connection, host }: { api: WgtApi, connection: Connection, host: HostFiles }): React.JSX.Element {
  useTheme()
  const [store] = useState(createWgtStore)
  const state = useConnectionState(connection)

  // events first, then the state; every (re)connect reloads it because events were missed meanwhile
  useEffect(() => {
    const sync = syncStore(api, store)
    if (connection.state().status === 'ready') void sync.resync()
    const off = connection.onState(s => { if (s.status === 'ready') void sync.resync() })
    // the desktop app forwards the live figures only to a window on screen (src/main/ipc.ts):
    // one shown again after a while reloads what it missed, the charts' history included
    let hiddenAt: number | null = null
    const onVisibility = (): void => {
      if (document.visibilityState === 'hidden') { hiddenAt = Date.now(); return }
      const away = hiddenAt == null ? 0 : Date.now() - hiddenAt
      hiddenAt = null
      if (away >= RELOAD_AFTER_HIDDEN_MS && connection.state().status === 'ready') void sync.resync()
    }
    document.addEventListener('visibilitychange', onVisibility)
    return () => { off(); document.removeEventListener('visibilitychange', onVisibility); sync.stop() }
  }, [api, store, connection])

  // the desktop shell's commands (tray, notifications, wgt:// links); a browser has none
  useEffect(() => host.shellCommands?.(cmd => { applyShellCommand(store, cmd) }), [host, store])

  if (state.status === 'unauthorized') return <AuthScreen reason={state.reason.includes('replaced') ? 'rotated' : 'invalid'} />

  return (
    <AppContext.Provider value={{ api, store, connection, host }}>
      <WindowTitle />
      <div className='frame'>
        <header className='sidebar'>
          <Brand />
          <Nav />
          <NodeStatus />
        </header>
        <div className='main-column'>
          <ConnectionBanner />
          {/* while the link is down the figures are the last known ones: dimmed, so they do not pass for live */}
          <main className={state.status === 'ready' ? 'layout' : 'layout stale'} id='main'>
            <LoadErrors />
            <CurrentView />
          </main>
        </div>
      </div>
      <DropOverlay />
      <LinkPrompt />
      {VIEWS.map(v => v.Overlay != null && <v.Overlay key={v.id} />)}
      <CallOverlay />
    </AppContext.Provider>
  )
}

function CurrentView (): React.JSX.Element {
  const view = useWgt(s => s.view)
  const def = VIEWS.find(v => v.id === view) ?? VIEWS[0]
  // keyed by view: going to another view and back starts a stopped one afresh
  return <ViewErrorBoundary key={def.id} view={def.label}><def.View /></ViewErrorBoundary>
}

function Brand (): React.JSX.Element {
  const peerId = useWgt(s => s.identity?.peerId)
  return (
    <div className='brand'>
      <span className='brand-name'>WGT</span>
      {peerId != null && <span className='muted mono' title={peerId}>{shortPeerId(peerId)}</span>}
    </div>
  )
}

function NodeStatus (): React.JSX.Element {
  const { connection } = useApp()
  const state = useConnectionState(connection)
  const status = state.status === 'ready' ? 'connected' : state.status === 'connecting' ? 'connecting' : 'disconnected'
  return (
    <span className={`pill pill-${status === 'connected' ? 'ok' : status === 'connecting' ? 'warn' : 'bad'} node-status`} role='status'>
      node {status}
    </span>
  )
}

/** "(2) WGT" while offers, requests or unread messages wait, as messaging apps count what needs attention. */
function WindowTitle (): null {
  const count = useWgt(s => VIEWS.reduce((n, v) => n + (v.badge?.(s) ?? 0), 0))
  useEffect(() => { document.title = count > 0 ? `(${count}) WGT` : 'WGT' }, [count])
  return null
}

function LoadErrors (): React.JSX.Element | null {
  const errors = useWgt(s => s.loadErrors)
  const entries = Object.entries(errors)
  if (entries.length === 0) return null
  return (
    <>
      {entries.map(([name, e]) => {
        const human = describeError('load', e)
        return <ErrorNotice key={name} error={{ ...human, title: `Could not load ${name}` }} />
      })}
    </>
  )
}

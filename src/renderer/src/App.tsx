import { useEffect, useState } from 'react'
import type { WgtApi } from '../../shared/api.js'
import { AppContext, useConnectionState, useWgt, type Connection } from './context.js'
import { createWgtStore } from './store.js'
import { syncStore } from './sync.js'
import { useTheme } from './theme.js'
import { AuthScreen } from './components/AuthScreen.js'
import { ConnectionBanner } from './components/ConnectionBanner.js'
import { Header } from './components/Header.js'
import { IdentityPanel } from './components/IdentityPanel.js'
import { ReachabilityPanel } from './components/ReachabilityPanel.js'
import { PeersTable } from './components/PeersTable.js'
import { Charts } from './components/Charts.js'
import { DropOverlay } from './components/DropOverlay.js'
import { FilesPanel } from './components/FilesPanel.js'
import type { HostFiles } from './api/host-files.js'

export function App ({ api, connection, host }: { api: WgtApi, connection: Connection, host: HostFiles }): React.JSX.Element {
  useTheme()
  const [store] = useState(createWgtStore)
  const state = useConnectionState(connection)

  // events first, then the snapshot; every (re)connect reloads it because events were missed meanwhile
  useEffect(() => {
    const sync = syncStore(api, store)
    if (connection.state().status === 'ready') void sync.resync()
    const off = connection.onState(s => { if (s.status === 'ready') void sync.resync() })
    return () => { off(); sync.stop() }
  }, [api, store, connection])

  if (state.status === 'unauthorized') return <AuthScreen reason='invalid' />

  return (
    <AppContext.Provider value={{ api, store, connection, host }}>
      <Header />
      <ConnectionBanner />
      {/* while the link is down the figures are the last known ones: dimmed, so they do not pass for live */}
      <main className={state.status === 'ready' ? 'layout' : 'layout stale'}>
        <LoadError />
        <div className='top-row'>
          <IdentityPanel />
          <ReachabilityPanel />
        </div>
        <FilesPanel />
        <PeersTable />
        <Charts />
      </main>
      <DropOverlay />
    </AppContext.Provider>
  )
}

function LoadError (): React.JSX.Element | null {
  const error = useWgt(s => s.loadError)
  if (error == null) return null
  return <div className='banner banner-bad' role='alert'>Could not load the node's state: {error}</div>
}

import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import type { WgtApi } from '../../shared/api/index.js'
import { App } from './app/App.js'
import { ALWAYS_READY } from './app/context.js'
import { AuthScreen } from './ui/AuthScreen.js'
import { apiUrlFor, createWsClient, tokenFromHash } from './api/ws-client.js'
import { apiFromIpcBridge, type IpcBridge } from './api/ipc-client.js'
import { browserHost, electronHost, type ElectronFiles, type HostFiles } from './api/host-files.js'
import { applyInitialTheme } from './theme.js'
import './styles.css'

applyInitialTheme()
const rootEl = document.getElementById('root')
if (rootEl == null) throw new Error('index.html has no #root element')
const root = createRoot(rootEl)

// Electron's preload provides window.wgtIpc (and window.wgt); a browser served by `wgt daemon` gets a WebSocket client.
const bridge = globalThis as { wgt?: WgtApi, wgtIpc?: IpcBridge, wgtFiles?: ElectronFiles }
const injected = bridge.wgtIpc != null ? apiFromIpcBridge(bridge.wgtIpc) : bridge.wgt
if (injected != null) {
  const host: HostFiles = electronHost(bridge.wgtFiles ?? null)
  root.render(<StrictMode><App api={injected} connection={ALWAYS_READY} host={host} /></StrictMode>)
} else {
  const token = tokenFromHash(location.hash)
  if (token == null) {
    root.render(<StrictMode><AuthScreen reason='missing' /></StrictMode>)
  } else {
    const client = createWsClient({ url: apiUrlFor(location), token })
    const host = browserHost({ origin: location.origin, token })
    root.render(<StrictMode><App api={client.api} connection={client} host={host} /></StrictMode>)
  }
  // pasting a different token into the address bar changes only the fragment: start over with it
  window.addEventListener('hashchange', () => { location.reload() })
}

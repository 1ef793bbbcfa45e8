/**
 * Preload (sandboxed, context-isolated): exposes the node's API to the renderer
 * as window.wgt, and the envelope-level window.wgtIpc (see bridge.ts for why both).
 */
import { contextBridge, ipcRenderer } from 'electron'
import { clientFromIpcBridge, createIpcBridge } from './bridge.js'

const bridge = createIpcBridge(ipcRenderer)
contextBridge.exposeInMainWorld('wgtIpc', bridge)
contextBridge.exposeInMainWorld('wgt', clientFromIpcBridge(bridge))

/**
 * Preload (sandboxed, context-isolated): exposes the node's API to the renderer
 * as window.wgt, the envelope-level window.wgtIpc (see bridge.ts for why both),
 * and window.wgtFiles, which turns a dropped or picked File into its path on disk:
 * Electron no longer puts File.path on files, and the node shares by path.
 */
import { contextBridge, ipcRenderer, webUtils } from 'electron'
import { clientFromIpcBridge, createIpcBridge } from './bridge.js'

const bridge = createIpcBridge(ipcRenderer)
contextBridge.exposeInMainWorld('wgtIpc', bridge)
contextBridge.exposeInMainWorld('wgt', clientFromIpcBridge(bridge))
contextBridge.exposeInMainWorld('wgtFiles', {
  /** '' for a File that is not on disk (built in the page, or from a web drag) */
  getPathForFile: (file: File): string => webUtils.getPathForFile(file)
})

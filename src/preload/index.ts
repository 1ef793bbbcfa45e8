/**
 * Preload (sandboxed, context-isolated): exposes the node's API to the renderer
 * as window.wgt, the envelope-level window.wgtIpc (see bridge.ts for why both),
 * and window.wgtFiles, which turns a dropped or picked File into its path on disk
 * (Electron no longer puts File.path on files, and the node shares by path) and
 * opens a fetched file or shows it in its folder, and window.wgtShell, through
 * which the desktop shell (tray, notifications, wgt:// links) asks the page
 * to open a view, a link or the add-contact flow (shell-commands.ts).
 */
import { contextBridge, ipcRenderer, webUtils } from 'electron'
import { unwrap, type RpcResult } from '../shared/rpc.js'
import { clientFromIpcBridge, createIpcBridge } from './bridge.js'
import { SHELL_CHANNEL } from './channels.js'
import { createShellBridge } from './shell-commands.js'

const renderer = ipcRenderer
const shell = async (action: 'open' | 'reveal', fileId: string): Promise<void> => {
  unwrap(await renderer.invoke(SHELL_CHANNEL, action, fileId) as RpcResult)
}

const bridge = createIpcBridge(ipcRenderer)
contextBridge.exposeInMainWorld('wgtIpc', bridge)
contextBridge.exposeInMainWorld('wgt', clientFromIpcBridge(bridge))
contextBridge.exposeInMainWorld('wgtFiles', {
  /** '' for a File that is not on disk (built in the page, or from a web drag) */
  getPathForFile: (file: File): string => webUtils.getPathForFile(file),
  /** open a fetched file with its application, or show it in its folder (by file id) */
  open: async (fileId: string): Promise<void> => { await shell('open', fileId) },
  reveal: async (fileId: string): Promise<void> => { await shell('reveal', fileId) }
})
contextBridge.exposeInMainWorld('wgtShell', createShellBridge(ipcRenderer))

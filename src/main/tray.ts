/**
 * The tray (notification area, menu bar extra): an icon and tooltip that say
 * how the node is (peers connected, contributions paused, unread messages)
 * and a menu: open the window, share a file, pause or resume contributions,
 * quit. Its state comes from the node's events (peer:update, peer:remove,
 * compute:settings, chat:conversation), read once at start and followed,
 * never polled. Electron objects are passed in (structurally typed) so this
 * is tested without an Electron binary.
 *
 * The menu is rebuilt and set again on every change: on Linux a change to a
 * menu item shows only after setContextMenu is called again (Electron's Tray
 * docs), and rebuilding is as cheap.
 */
import type { ComputeSettings, NodeApi, PeerEntry } from '../shared/api/index.js'
import type { ShellCommand } from '../shared/shell.js'
import { trackUnread } from './unread.js'

export type TrayState = 'online' | 'offline' | 'paused'
export const TRAY_STATES: readonly TrayState[] = ['online', 'offline', 'paused']

/** What we use of an Electron Tray. */
export interface TrayLike {
  setImage: (image: any) => void
  setToolTip: (text: string) => void
  setContextMenu: (menu: any) => void
  on: (event: 'click', listener: () => void) => unknown
  destroy: () => void
}

/** A MenuItemConstructorOptions as we build them. */
export interface TrayMenuItem {
  label?: string
  type?: 'normal' | 'separator'
  enabled?: boolean
  click?: () => void
}

export interface TrayOptions {
  api: Pick<NodeApi, 'on' | 'listPeers' | 'listConversations' | 'getComputeSettings' | 'updateComputeSettings' | 'shareFile'>
  /** new Tray(image) */
  createTray: (image: unknown) => TrayLike
  /** Menu.buildFromTemplate */
  buildMenu: (template: TrayMenuItem[]) => unknown
  /** the icon for a state (nativeImage; a template image on macOS) */
  icon: (state: TrayState) => unknown
  /** bring the window forward (restore, show, focus), or open one */
  showWindow: () => void
  /** bring the window forward at a view */
  open: (cmd: ShellCommand) => void
  /** dialog.showOpenDialog for one file: its path, or null when cancelled */
  chooseFile: () => Promise<string | null>
  /** tell the person something failed (dialog.showErrorBox) */
  showError: (title: string, message: string) => void
  /** app.quit(): stops the node, then exits */
  quit: () => void
  /** process.platform */
  platform: string
}

export interface TrayStatus {
  /** connected peers; null until the node has said */
  peers: number | null
  /** whether this node takes tasks from others; null until known */
  contributing: boolean | null
  unread: number
}

export interface TrayHandle {
  status: () => TrayStatus
  stop: () => void
}

/** The icon file for a state: macOS menu bar icons are template images (black and alpha; the system colours them), named so. */
export function trayIconFile (state: TrayState, platform: string): string {
  return platform === 'darwin' ? `tray-${state}Template.png` : `tray-${state}.png`
}

export function trayState (s: TrayStatus): TrayState {
  if (s.peers == null || s.peers === 0) return 'offline'
  return s.contributing === false ? 'paused' : 'online'
}

const plural = (n: number, one: string, many: string): string => `${n} ${n === 1 ? one : many}`

/** One line saying how the node is, for the tooltip and the menu's first item. */
export function describeStatus (s: TrayStatus): string {
  const parts = [s.peers == null ? 'starting' : s.peers === 0 ? 'no peers connected' : `online, ${plural(s.peers, 'peer', 'peers')}`]
  if (s.contributing === false) parts.push('contributions paused')
  if (s.unread > 0) parts.push(plural(s.unread, 'unread message', 'unread messages'))
  return parts.join(' · ')
}

export function startTray (opts: TrayOptions): TrayHandle {
  const connected = new Map<string, boolean>()
  const status: TrayStatus = { peers: null, contributing: null, unread: 0 }
  let toggling = false
  let stopped = false
  let shown = ''
  let shownState: TrayState | null = null

  const tray = opts.createTray(opts.icon(trayState(status)))
  shownState = trayState(status)

  const menu = (): TrayMenuItem[] => [
    { label: describeStatus(status), enabled: false },
    { type: 'separator' },
    { label: 'Open WGT', click: () => { if (!stopped) opts.showWindow() } },
    { label: 'Share a file…', click: () => { void share() } },
    {
      label: status.contributing === false ? 'Resume contributions' : 'Pause contributions',
      enabled: status.contributing != null && !toggling,
      click: () => { void toggleContributions() }
    },
    { type: 'separator' },
    { label: 'Quit WGT', click: () => { if (!stopped) opts.quit() } }
  ]

  const render = (): void => {
    if (stopped) return
    const text = describeStatus(status)
    const key = `${text}|${String(status.contributing)}|${String(toggling)}`
    if (key === shown) return
    shown = key
    const state = trayState(status)
    if (state !== shownState) {
      shownState = state
      tray.setImage(opts.icon(state))
    }
    tray.setToolTip(`WGT: ${text}`)
    tray.setContextMenu(opts.buildMenu(menu()))
  }

  const countPeers = (): void => {
    status.peers = [...connected.values()].filter(Boolean).length
    render()
  }
  const learnCompute = (s: ComputeSettings): void => { status.contributing = s.enabled; render() }

  async function share (): Promise<void> {
    if (stopped) return
    let path: string | null
    try {
      path = await opts.chooseFile()
    } catch (err) {
      opts.showError('Could not choose a file', message(err))
      return
    }
    if (path == null || stopped) return
    try {
      await opts.api.shareFile(path)
      // the Files view follows the operation's progress
      if (!stopped) opts.open({ kind: 'open-view', view: 'files' })
    } catch (err) {
      opts.showError('Could not share the file', message(err))
    }
  }

  async function toggleContributions (): Promise<void> {
    if (stopped || toggling || status.contributing == null) return
    toggling = true
    render()
    try {
      learnCompute(await opts.api.updateComputeSettings({ enabled: !status.contributing }))
    } catch (err) {
      opts.showError(status.contributing ? 'Could not pause contributions' : 'Could not resume contributions', message(err))
    } finally {
      toggling = false
      render()
    }
  }

  // what the node says from now on is newer than the lists read below: those fill only the gaps
  const removed = new Set<string>()
  let computeKnown = false
  const offs = [
    opts.api.on('peer:update', (p: PeerEntry) => { removed.delete(p.peerId); connected.set(p.peerId, p.connected); countPeers() }),
    opts.api.on('peer:remove', ({ peerId }) => { removed.add(peerId); connected.delete(peerId); countPeers() }),
    opts.api.on('compute:settings', s => { computeKnown = true; learnCompute(s) }),
    trackUnread(opts.api, total => { status.unread = total; render() })
  ]
  opts.api.listPeers().then(list => {
    for (const p of list) if (!connected.has(p.peerId) && !removed.has(p.peerId)) connected.set(p.peerId, p.connected)
    countPeers()
  }).catch((err: unknown) => { console.error('wgt: could not read the peers for the tray', err) })
  opts.api.getComputeSettings().then(s => { if (!computeKnown) learnCompute(s) })
    .catch((err: unknown) => { console.error('wgt: could not read the compute settings for the tray', err) })

  // a click on the icon opens the window on Windows and Linux; on macOS it shows the menu, as menu bar extras do
  if (opts.platform !== 'darwin') tray.on('click', () => { if (!stopped) opts.showWindow() })
  render()

  return {
    status: () => ({ ...status }),
    stop: () => {
      if (stopped) return
      stopped = true
      for (const off of offs) off()
      tray.destroy()
    }
  }
}

function message (err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}

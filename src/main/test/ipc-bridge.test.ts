/**
 * The whole Electron path minus Electron: preload (through a contextBridge that
 * copies like the real one) -> ipcRenderer -> ipcMain -> the binding -> a real node.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import type { FileEntry, MetricsSample, NodeIdentity, WgtApi } from '../../shared/index.js'
import { WgtError } from '../../shared/errors.js'
import { createNode, type WgtNode } from '../node/index.js'
import { rendererOrigin } from '../app-paths.js'
import { bindApiToIpc, CALL_CHANNEL, EVENT_CHANNEL, runsWhenOpened, SHELL_CHANNEL, SHELL_COMMAND_CHANNEL } from '../ipc.js'
import { followOperation } from '../../shared/follow.js'
import * as preloadChannels from '../../preload/channels.js'
import { clientFromIpcBridge, createIpcBridge, type WgtIpcBridge } from '../../preload/bridge.js'
import { FakeFrame, FakeIpcMain, FakeIpcRenderer, FakeWindow } from './fake-electron.js'

// what the preload's `import { contextBridge, ipcRenderer } from 'electron'` sees while a window loads
const loading = vi.hoisted(() => ({ window: undefined as undefined | { renderer: unknown, contextBridge: unknown } }))
vi.mock('electron', () => ({
  get ipcRenderer () { return loading.window?.renderer },
  get contextBridge () { return loading.window?.contextBridge },
  // Electron knows the path of a File from a drop or a file picker; one built in the page has none
  webUtils: { getPathForFile: (file: { path?: string }) => file.path ?? '' }
}))

const ENTRY = 'app://wgt/index.html'
const RECEIVED_ID = 'bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyka'

function receivedProgram (path: string): FileEntry {
  return { id: RECEIVED_ID, link: `wgt://${RECEIVED_ID}`, name: 'setup.EXE', size: 1, k: 1, m: 0, segments: 1, direction: 'received', path, from: null, createdAt: 0 }
}

/** Run src/preload/index.ts for a window, as Electron does when the window loads. */
async function loadPreload (win: FakeWindow): Promise<void> {
  loading.window = win
  vi.resetModules()
  await import('../../preload/index.js')
  loading.window = undefined
}

/** a node of its own for one test (ticking every 100 ms), stopped and removed after */
async function withOwnNode (test: (node: WgtNode, dataDir: string) => Promise<void>): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), 'wgt-ipc-'))
  const node = await createNode({ dataDir, listen: ['/ip4/127.0.0.1/tcp/0'], mdns: false, metricsIntervalMs: 100 })
  try {
    await test(node, dataDir)
  } finally {
    await node.stop()
    await rm(dataDir, { recursive: true, force: true })
  }
}

async function until (what: string, check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise(resolve => setTimeout(resolve, 20))
  }
}

describe('IPC binding: preload -> ipc -> node', () => {
  let dataDir: string
  let node: WgtNode
  let ipcMain: FakeIpcMain
  let windows: Set<FakeWindow>
  let unbind: () => void
  let win: FakeWindow
  const shellCalls: string[] = []

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'wgt-ipc-'))
    node = await createNode({ dataDir, listen: ['/ip4/127.0.0.1/tcp/0'], mdns: false, metricsIntervalMs: 100 })
    ipcMain = new FakeIpcMain()
    windows = new Set()
    const shell = {
      openPath: async (path: string) => { shellCalls.push(`open ${path}`); return '' },
      showItemInFolder: (path: string) => { shellCalls.push(`reveal ${path}`) }
    }
    // plus a file as received from a peer, to see what opening one may do
    const api = { ...node.api, listFiles: async () => [...await node.api.listFiles(), receivedProgram(join(dataDir, 'setup.EXE'))] }
    unbind = bindApiToIpc({ ipcMain, api, windows: () => [...windows], isTrustedUrl: rendererOrigin(undefined).isTrusted, shell })
    win = new FakeWindow(ipcMain, ENTRY)
    windows.add(win)
    await loadPreload(win)
  })

  afterAll(async () => {
    unbind?.()
    await node?.stop()
    if (dataDir != null) await rm(dataDir, { recursive: true, force: true })
  })

  it('uses the same channel names on both sides', () => {
    expect(preloadChannels.CALL_CHANNEL).toBe(CALL_CHANNEL)
    expect(preloadChannels.EVENT_CHANNEL).toBe(EVENT_CHANNEL)
    expect(preloadChannels.SHELL_CHANNEL).toBe(SHELL_CHANNEL)
    expect(preloadChannels.SHELL_COMMAND_CHANNEL).toBe(SHELL_COMMAND_CHANNEL)
  })

  it('opens or reveals a file the node knows, by its id only; rotating a token is not a thing here', async () => {
    const path = join(dataDir, 'doc.txt')
    await writeFile(path, 'hello')
    const api = clientFromIpcBridge(win.mainWorld.wgtIpc as WgtIpcBridge)
    const shared = await followOperation(api, async () => await api.shareFile(path)).done
    const id = (shared.result as { id: string }).id
    await win.mainWorld.wgtFiles.open(id)
    await win.mainWorld.wgtFiles.reveal(id)
    expect(shellCalls).toEqual([`open ${path}`, `reveal ${path}`])
    await expect(win.mainWorld.wgtFiles.open('bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku')).rejects.toThrow(/no such file/)
    await expect(api.rotateToken()).rejects.toMatchObject({ code: 'UNAVAILABLE' })
  })

  it('does not run a program another peer sent: Open refuses it, Show in folder works', async () => {
    shellCalls.length = 0
    await expect(win.mainWorld.wgtFiles.open(RECEIVED_ID)).rejects.toThrow(/does not run it/)
    await win.mainWorld.wgtFiles.reveal(RECEIVED_ID)
    expect(shellCalls).toEqual([`reveal ${join(dataDir, 'setup.EXE')}`])
    expect(runsWhenOpened('/d/notes.txt')).toBe(false)
    expect(runsWhenOpened('/d/run.sh. ')).toBe(true)
    expect(runsWhenOpened('C:\\d\\x.Lnk')).toBe(true)
  })

  it('serves window.wgt calls from the node', async () => {
    const wgt = win.mainWorld.wgt as WgtApi
    const id: NodeIdentity = await wgt.getIdentity()
    expect(id.peerId).toBe(node.peerId)
    expect(await wgt.listPeers()).toEqual([])
  })

  it('keeps the WgtError code through window.wgtIpc, rebuilt on the renderer side', async () => {
    const client = clientFromIpcBridge(win.mainWorld.wgtIpc as WgtIpcBridge)
    const err = await client.getPeer('not a peer id!').catch((e: unknown) => e)
    expect(err).toBeInstanceOf(WgtError)
    expect((err as WgtError).code).toBe('INVALID_INPUT')
    expect((err as WgtError).message).toMatch(/getPeer/)
    // an unknown method is refused by dispatch() in main, not by the renderer
    const raw = await (win.mainWorld.wgtIpc as WgtIpcBridge).call('stop' as never, [])
    expect(raw).toEqual({ ok: false, error: { code: 'INVALID_INPUT', message: 'unknown method "stop"' } })
  })

  it('rejects window.wgt calls with the message (contextBridge keeps no more of an Error)', async () => {
    const err = await (win.mainWorld.wgt as WgtApi).ping('not a peer id!', 1).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(Error)
    expect((err as Error).message).toMatch(/^ping: /)
  })

  it('exposes getPathForFile for dropped files across the bridge', () => {
    const files = win.mainWorld.wgtFiles as { getPathForFile: (f: unknown) => string }
    expect(files.getPathForFile({ path: '/home/u/report.pdf' })).toBe('/home/u/report.pdf')
    expect(files.getPathForFile({})).toBe('')
  })

  it('refuses calls from an iframe, a foreign page, a foreign window and a vanished frame', async () => {
    const callFrom = async (w: FakeWindow, frame: FakeFrame | null = w.webContents.mainFrame): Promise<unknown> =>
      await ipcMain.invoke(w.webContents.id, frame, CALL_CHANNEL, 'getIdentity', [])
    const unauthorized = { ok: false, error: { code: 'UNAUTHORIZED', message: expect.any(String) } }

    // an iframe inside our window, even one showing our own origin
    const iframe = new FakeFrame(ENTRY, win.webContents.mainFrame)
    const viaIframe = clientFromIpcBridge(createIpcBridge(new FakeIpcRenderer(ipcMain, win.webContents.id, iframe)))
    const err = await viaIframe.getIdentity().catch((e: unknown) => e)
    expect(err).toBeInstanceOf(WgtError)
    expect((err as WgtError).code).toBe('UNAUTHORIZED')

    // a window we did not create, showing our URL
    const stranger = new FakeWindow(ipcMain, ENTRY)
    expect(await callFrom(stranger)).toEqual(unauthorized)
    // our window, but its frame has gone away
    expect(await callFrom(win, null)).toEqual(unauthorized)

    // our window, navigated elsewhere
    const other = new FakeWindow(ipcMain, 'https://evil.example/')
    windows.add(other)
    try {
      expect(await callFrom(other)).toEqual(unauthorized)
      other.webContents.mainFrame.url = 'file:///work/main/out/renderer/index.html'
      expect(await callFrom(other)).toEqual(unauthorized)
      // the same window back on our origin is served: the check is on the frame's current URL
      other.webContents.mainFrame.url = ENTRY
      expect(await callFrom(other)).toMatchObject({ ok: true, value: { peerId: node.peerId } })
    } finally {
      windows.delete(other)
    }
  })

  it('delivers events to our windows only, and unsubscribes across the bridge', async () => {
    const wgt = win.mainWorld.wgt as WgtApi
    const samples: MetricsSample[] = []
    const off = wgt.on('metrics:sample', s => { samples.push(s) })
    expect(typeof off).toBe('function')

    const foreign = new FakeWindow(ipcMain, 'https://evil.example/')
    const closed = new FakeWindow(ipcMain, ENTRY)
    closed.destroyed = true
    windows.add(foreign)
    windows.add(closed)
    try {
      await until('two metrics samples', () => samples.length >= 2)
      // real samples from the node's telemetry tick, in order
      expect(samples[0].peers).toEqual([])
      expect(samples[1].t).toBeGreaterThan(samples[0].t)
      expect(foreign.sent).toEqual([])
      expect(closed.sent).toEqual([])
    } finally {
      windows.delete(foreign)
      windows.delete(closed)
    }

    off()
    const seen = samples.length
    const sentBefore = win.sent.filter(s => s.channel === EVENT_CHANNEL).length
    await until('more samples sent to the window', () => win.sent.filter(s => s.channel === EVENT_CHANNEL).length >= sentBefore + 3)
    expect(samples.length).toBe(seen)
  })

  it('forwards the live figures (metrics ticks) only while a window is on screen; every other event always', async () => {
    await withOwnNode(async (node2, dataDir2) => {
      const ipc2 = new FakeIpcMain()
      const w = new FakeWindow(ipc2, ENTRY)
      let onScreen = false
      const listeners = new Set<() => void>()
      const shown = { any: () => onScreen, onChange: (l: () => void) => { listeners.add(l); return () => { listeners.delete(l) } } }
      const show = (v: boolean): void => { onScreen = v; for (const l of listeners) l() }
      const off = bindApiToIpc({ ipcMain: ipc2, api: node2.api, windows: () => [w], isTrustedUrl: rendererOrigin(undefined).isTrusted, shown })
      const names = (): string[] => w.sent.filter(s => s.channel === EVENT_CHANNEL).map(s => (s.args[0] as { event: string }).event)
      const samples = (): number => names().filter(n => n === 'metrics:sample').length

      // hidden (in the tray): other events still arrive, ticks do not
      const path = join(dataDir2, 'a.txt')
      await writeFile(path, 'x')
      await followOperation(node2.api, async () => await node2.api.shareFile(path)).done
      await until('a files event while hidden', () => names().some(n => n.startsWith('files:')))
      await new Promise(resolve => setTimeout(resolve, 350))
      expect(samples()).toBe(0)

      show(true)
      await until('ticks once shown', () => samples() >= 2)
      show(false)
      await new Promise(resolve => setTimeout(resolve, 150))
      const after = samples()
      await new Promise(resolve => setTimeout(resolve, 350))
      expect(samples()).toBe(after)

      off()
      expect(listeners.size).toBe(0)
    })
  })

  it('unbind removes the handler and stops event forwarding', async () => {
    await withOwnNode(async node2 => {
      const ipc2 = new FakeIpcMain()
      const w = new FakeWindow(ipc2, ENTRY)
      const off = bindApiToIpc({ ipcMain: ipc2, api: node2.api, windows: () => [w], isTrustedUrl: rendererOrigin(undefined).isTrusted })
      await until('an event', () => w.sent.length > 0)
      expect(ipc2.handlers.has(CALL_CHANNEL)).toBe(true)

      off()
      off() // idempotent
      expect(ipc2.handlers.size).toBe(0)
      const sent = w.sent.length
      const bridge = createIpcBridge(w.renderer)
      const result = await bridge.call('getIdentity', [])
      expect(result).toMatchObject({ ok: false, error: { code: 'UNAVAILABLE' } })
      await new Promise(resolve => setTimeout(resolve, 350))
      expect(w.sent.length).toBe(sent)
      // the same ipcMain can be bound again (the old handler is really gone)
      bindApiToIpc({ ipcMain: ipc2, api: node2.api, windows: () => [], isTrustedUrl: () => true })()
    })
  })
})

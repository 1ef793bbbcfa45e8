/** The tray (status from the node's events, the menu's actions) and close to tray, against the fake Electron and a fake node. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { ComputeSettings, Conversation, PeerEntry } from '../../shared/api/index.js'
import type { ShellCommand } from '../../shared/shell.js'
import { WgtError } from '../../shared/errors.js'
import { fakeNode, type FakeNode } from '../cli/test/fake-node.js'
import { CloseToTray } from '../close-to-tray.js'
import { describeStatus, startTray, trayIconFile, type TrayHandle, type TrayOptions, type TrayState } from '../tray.js'
import { fakeBuildMenu, FakeShellWindow, FakeTray } from './fake-electron.js'

const A = '12D3KooWRBy97UB99e3J6hiPesre1MZeuNQvfan4gBziswrRJsNK'
const B = '12D3KooWJWoaqZhDaoEFshF7Rh1bpY9ohihFhzcW6d69Lr2NASuq'
const C = '12D3KooWFqYq2uJ9UxzeFQ9ZtG5jS5fTEw4cD7Q3y4wF9TDhJEz1'
const peer = (peerId: string, connected: boolean): PeerEntry => ({ peerId, connected } as unknown as PeerEntry)
const compute = (enabled: boolean): ComputeSettings => ({ enabled, maxTasks: 2, memoryMb: 256, timeoutS: 60, idleOnly: false, idleLoadPercent: 50 })
const conversation = (peerId: string, unread: number): Conversation => ({ peerId, last: null, unread, request: false, requestCount: 0, pending: 0, updatedAt: 0 })
const settle = async (): Promise<void> => { await new Promise(resolve => setImmediate(resolve)) }

describe('the tray', () => {
  let node: FakeNode
  let tray: FakeTray
  let handle: TrayHandle
  let shown: number
  let opened: ShellCommand[]
  let errors: Array<[string, string]>
  let quits: number
  let chosen: string | null
  let computeNow: ComputeSettings

  const start = async (overrides: Partial<TrayOptions> = {}): Promise<void> => {
    handle = startTray({
      api: node.api,
      createTray: image => { tray = new FakeTray(image); return tray },
      buildMenu: fakeBuildMenu,
      icon: (state: TrayState) => `icon:${state}`,
      showWindow: () => { shown++ },
      open: cmd => { opened.push(cmd) },
      chooseFile: async () => chosen,
      showError: (title, message) => { errors.push([title, message]) },
      quit: () => { quits++ },
      platform: 'linux',
      ...overrides
    })
    await settle()
  }

  beforeEach(() => {
    shown = 0
    opened = []
    errors = []
    quits = 0
    chosen = null
    computeNow = compute(true)
    node = fakeNode({
      listPeers: async () => [peer(A, true), peer(B, true), peer(C, false)],
      listConversations: async () => [conversation(A, 2)],
      getComputeSettings: async () => computeNow,
      updateComputeSettings: async (patch) => {
        // the node answers after a moment: the settings event comes first, then the reply
        await new Promise(resolve => setTimeout(resolve, 5))
        computeNow = { ...computeNow, ...patch as Partial<ComputeSettings> }
        node.hub.emit('compute:settings', computeNow)
        return computeNow
      },
      shareFile: async () => ({ operation: 'op1' })
    })
  })

  afterEach(() => { handle?.stop() })

  it('shows the status from the node: peers connected, unread messages, in the tooltip, the menu and the icon', async () => {
    await start()
    expect(tray.tooltip).toBe('WGT: online, 2 peers · 2 unread messages')
    expect(tray.image).toBe('icon:online')
    expect(tray.labels()).toEqual(['(online, 2 peers · 2 unread messages)', '---', 'Open WGT', 'Share a file…', 'Pause contributions', '---', 'Quit WGT'])
  })

  it('follows events, not polling: peers coming and going, contributions paused elsewhere, messages read', async () => {
    await start()
    const listCalls = (): number => node.calls.filter(c => c.method === 'listPeers').length
    node.hub.emit('peer:update', peer(A, false))
    node.hub.emit('peer:remove', { peerId: B })
    expect(tray.tooltip).toBe('WGT: no peers connected · 2 unread messages')
    expect(tray.image).toBe('icon:offline')
    node.hub.emit('peer:update', peer(C, true))
    node.hub.emit('compute:settings', compute(false))
    node.hub.emit('chat:conversation', conversation(A, 0))
    expect(tray.tooltip).toBe('WGT: online, 1 peer · contributions paused')
    expect(tray.image).toBe('icon:paused')
    expect(tray.labels()).toContain('Resume contributions')
    expect(listCalls()).toBe(1)
    // an event that changes nothing shown does not rebuild the menu
    const menu = tray.menu
    node.hub.emit('peer:update', peer(C, true))
    expect(tray.menu).toBe(menu)
  })

  it('lets events that came while the first lists were read win over them', async () => {
    let answer!: (list: PeerEntry[]) => void
    node = fakeNode({
      listPeers: async () => await new Promise(resolve => { answer = resolve }),
      listConversations: async () => [],
      getComputeSettings: async () => compute(true)
    })
    await start()
    expect(tray.tooltip).toBe('WGT: starting')
    node.hub.emit('peer:remove', { peerId: A })
    node.hub.emit('peer:update', peer(B, false))
    answer([peer(A, true), peer(B, true)])
    await settle()
    expect(tray.tooltip).toBe('WGT: no peers connected')
  })

  it('opens the window from the menu and from a click on the icon (not on macOS, where a click shows the menu)', async () => {
    await start()
    tray.pick('Open WGT')
    tray.click()
    expect(shown).toBe(2)
    handle.stop()
    await start({ platform: 'darwin' })
    tray.click()
    expect(shown).toBe(2)
  })

  it('shares a chosen file and then opens the Files view; a cancelled dialog does nothing', async () => {
    await start()
    tray.pick('Share a file…')
    await settle()
    expect(node.calls.filter(c => c.method === 'shareFile')).toEqual([])
    expect(opened).toEqual([])
    chosen = '/home/ann/holiday photos.zip'
    tray.pick('Share a file…')
    await settle()
    expect(node.calls.filter(c => c.method === 'shareFile').map(c => c.args)).toEqual([['/home/ann/holiday photos.zip']])
    expect(opened).toEqual([{ kind: 'open-view', view: 'files' }])
  })

  it('says why when sharing fails', async () => {
    node = fakeNode({
      listPeers: async () => [],
      listConversations: async () => [],
      getComputeSettings: async () => compute(true),
      shareFile: async () => { throw new WgtError('NOT_FOUND', 'no such file: /gone') }
    })
    chosen = '/gone'
    await start()
    tray.pick('Share a file…')
    await settle()
    expect(errors).toEqual([['Could not share the file', 'no such file: /gone']])
    expect(opened).toEqual([])
  })

  it('pauses and resumes contributions, the item following the node\'s state', async () => {
    await start()
    tray.pick('Pause contributions')
    // while the change is under way the item cannot be picked twice
    expect(tray.labels()).toContain('(Pause contributions)')
    await new Promise(resolve => setTimeout(resolve, 20))
    expect(node.calls.filter(c => c.method === 'updateComputeSettings').map(c => c.args)).toEqual([[{ enabled: false }]])
    expect(tray.labels()).toContain('Resume contributions')
    expect(tray.image).toBe('icon:paused')
    tray.pick('Resume contributions')
    await new Promise(resolve => setTimeout(resolve, 20))
    expect(node.calls.filter(c => c.method === 'updateComputeSettings').map(c => c.args).at(-1)).toEqual([{ enabled: true }])
    expect(tray.labels()).toContain('Pause contributions')
    expect(handle.status().contributing).toBe(true)
  })

  it('cannot pause before it knows whether contributions run', async () => {
    node = fakeNode({ listPeers: async () => [], listConversations: async () => [], getComputeSettings: async () => await new Promise(() => {}) })
    await start()
    expect(() => { tray.pick('Pause contributions') }).toThrow(/disabled/)
  })

  it('quits from the menu, and goes away on stop', async () => {
    await start()
    tray.pick('Quit WGT')
    expect(quits).toBe(1)
    const subscribed = node.subscribers()
    expect(subscribed).toBeGreaterThan(0)
    handle.stop()
    handle.stop()
    expect(tray.destroyed).toBe(true)
    expect(node.subscribers()).toBe(0)
    node.hub.emit('peer:update', peer(C, true))
  })

  it('names template icons for macOS', () => {
    expect(trayIconFile('paused', 'darwin')).toBe('tray-pausedTemplate.png')
    expect(trayIconFile('online', 'win32')).toBe('tray-online.png')
    expect(describeStatus({ peers: 1, contributing: true, unread: 1 })).toBe('online, 1 peer · 1 unread message')
  })
})

describe('close to tray', () => {
  let closeToTray: boolean | null
  let hasTray: boolean

  beforeEach(() => { closeToTray = true; hasTray = true })

  const setup = (platform: string): { ctt: CloseToTray, win: FakeShellWindow } => {
    const ctt = new CloseToTray({ platform, closeToTray: () => closeToTray, hasTray: () => hasTray })
    const win = new FakeShellWindow()
    ctt.attach(win)
    return { ctt, win }
  }

  it('hides the window instead of closing it when the setting is on and a tray exists', () => {
    const { win } = setup('linux')
    win.closeByUser()
    expect(win.isDestroyed()).toBe(false)
    expect(win.isVisible()).toBe(false)
  })

  it('closes for real when quitting, when the setting is off or unknown, without a tray, and on macOS', () => {
    const quitting = setup('win32')
    quitting.ctt.quit()
    quitting.win.closeByUser()
    expect(quitting.win.isDestroyed()).toBe(true)

    closeToTray = false
    const off = setup('linux')
    off.win.closeByUser()
    expect(off.win.isDestroyed()).toBe(true)

    closeToTray = null
    const unknown = setup('linux')
    unknown.win.closeByUser()
    expect(unknown.win.isDestroyed()).toBe(true)

    closeToTray = true
    hasTray = false
    const noTray = setup('linux')
    noTray.win.closeByUser()
    expect(noTray.win.isDestroyed()).toBe(true)

    hasTray = true
    const mac = setup('darwin')
    mac.win.closeByUser()
    expect(mac.win.isDestroyed()).toBe(true)
  })

  it('follows the setting as it changes, and lets Windows end the session', () => {
    const { win } = setup('win32')
    win.closeByUser()
    expect(win.isDestroyed()).toBe(false)
    win.endSession()
    win.closeByUser()
    expect(win.isDestroyed()).toBe(true)
    const again = setup('linux')
    closeToTray = false
    again.win.closeByUser()
    expect(again.win.isDestroyed()).toBe(true)
  })
})


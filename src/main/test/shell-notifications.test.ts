/**
 * The desktop's OS notifications for offers and finished transfers, where a
 * click leads (chat, calls, offers, transfers), and the desktop settings that
 * silence them (per kind, do-not-disturb), against the fake Electron and a fake node.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { DEFAULT_DESKTOP_SETTINGS, type Call, type DesktopSettings, type FileOffer, type NodeSettings, type OperationInfo } from '../../shared/api/index.js'
import type { ShellCommand } from '../../shared/shell.js'
import { fakeNode, type FakeNode } from '../cli/test/fake-node.js'
import { startCallNotifications } from '../call-notifications.js'
import { watchDesktopSettings, type DesktopSettingsWatch } from '../desktop-settings.js'
import { NotificationBudgets, startChatNotifications } from '../notifications.js'
import { formatSize, startOfferNotifications } from '../offer-notifications.js'
import { describeTransfer, failureText, startTransferNotifications } from '../transfer-notifications.js'
import { ERROR_CODES } from '../../shared/errors.js'
import { FakeApp, FakeFocusWindow, FakeNotificationCenter } from './fake-electron.js'

const ALICE = '12D3KooWRBy97UB99e3J6hiPesre1MZeuNQvfan4gBziswrRJsNK'
const FILE_ID = `b${'a'.repeat(58)}`
const LINK = `wgt://${FILE_ID}#${'K'.repeat(43)}`
const settle = async (): Promise<void> => { await new Promise(resolve => setImmediate(resolve)) }

const offer = (id: string, extra: Partial<FileOffer> = {}): FileOffer => ({ id, from: ALICE, link: LINK, name: 'report.pdf', size: 2_400_000, receivedAt: 1, request: false, ...extra })
const progress = { fraction: 1, bytesDone: 0, bytesTotal: null, rateBps: null, etaMs: null }
const operation = (id: string, kind: 'share' | 'fetch' | 'repair', state: OperationInfo['state'], extra: Record<string, unknown> = {}): OperationInfo => ({
  id, kind, state, phase: kind === 'share' ? 'finishing' : kind === 'fetch' ? 'verifying' : 'rebuilding', label: 'report.pdf', fileId: FILE_ID, from: null,
  progress, startedAt: 1, endedAt: state === 'running' ? null : 2, error: null, result: null, ...extra
} as unknown as OperationInfo)
const call = (id: string): Call => ({
  id, peerId: ALICE, outgoing: false, video: false, state: 'ringing', request: false, startedAt: 1, answeredAt: null, endedAt: null,
  endReason: null, endedBy: null, error: null, tunnel: null, quality: null
})
const withDesktop = (desktop: Partial<DesktopSettings>): NodeSettings => ({
  downloadDir: '/tmp', keepFetchedShards: true, desktop: { ...DEFAULT_DESKTOP_SETTINGS, ...desktop, notifications: { ...DEFAULT_DESKTOP_SETTINGS.notifications, ...desktop.notifications } }
})

describe('offer and transfer notifications, and where clicks lead', () => {
  let node: FakeNode
  let center: FakeNotificationCenter
  let win: FakeFocusWindow
  let opened: ShellCommand[]
  let stops: Array<() => void>
  let settings: NodeSettings
  let watch: DesktopSettingsWatch
  let app: FakeApp

  const common = (platform = 'darwin') => ({
    api: node.api,
    isSupported: center.isSupported,
    create: center.create,
    isFocused: () => win.isFocused(),
    showWindow: () => { win.show(); win.focus() },
    open: (cmd: ShellCommand) => { opened.push(cmd); win.show(); win.focus() },
    platform,
    budgets: new NotificationBudgets()
  })

  const startAll = async (platform = 'darwin'): Promise<void> => {
    watch = watchDesktopSettings(node.api)
    const opts = common(platform)
    stops = [
      watch.stop,
      startChatNotifications({ ...opts, setBadgeCount: app.setBadgeCount, allowed: () => watch.allows('messages') }),
      startCallNotifications({ ...opts, allowed: () => watch.allows('calls') }),
      startOfferNotifications({ ...opts, allowed: () => watch.allows('offers') }),
      startTransferNotifications({ ...opts, allowed: () => watch.allows('transfers') })
    ]
    await settle()
  }

  const emitAll = (): void => {
    node.hub.emit('chat:notice', { peerId: ALICE, kind: 'message', preview: 'hello' })
    node.hub.emit('call:state', call(`c${center.shown.length}${Math.random()}`))
    node.hub.emit('offer:new', offer(`o${Math.random()}`))
    node.hub.emit('operation:update', operation(`op${Math.random()}`, 'fetch', 'done'))
  }

  beforeEach(() => {
    settings = withDesktop({})
    node = fakeNode({
      listContacts: async () => [{ peerId: ALICE, trust: 'contact', nickname: 'Alice', addresses: [], since: 0, updatedAt: 0, undelivered: false }],
      listConversations: async () => [],
      getSettings: async () => settings,
      acceptCall: async id => ({ ...call(id), state: 'connecting' })
    })
    center = new FakeNotificationCenter()
    win = new FakeFocusWindow()
    opened = []
    stops = []
    app = new FakeApp()
  })

  afterEach(() => { for (const stop of stops) stop() })

  it('announces an offer with its name and size, a stranger\'s without them; a click opens Files; it closes when the offer leaves the inbox', async () => {
    await startAll()
    node.hub.emit('offer:new', offer('o1'))
    node.hub.emit('offer:new', offer('o2', { request: true, name: 'free-money.exe' }))
    expect(center.shown.map(n => n.options)).toEqual([
      { title: 'Alice', body: 'sent you report.pdf (2.4 MB)' },
      { title: 'Alice', body: 'wants to send you a file' }
    ])
    center.shown[0].click()
    expect(opened).toEqual([{ kind: 'open-view', view: 'files' }])
    node.hub.emit('offer:remove', { id: 'o2' })
    expect(center.shown[1].closed).toBe(true)
  })

  it('keeps a peer\'s file name from driving the notification on Linux', async () => {
    await startAll('linux')
    node.hub.emit('offer:new', offer('o1', { name: '<a href="x">a</a>\u202egpj.exe' }))
    expect(center.shown[0].options.body).toBe('sent you &lt;a href="x"&gt;a&lt;/a&gt;gpj.exe (2.4 MB)')
  })

  it('announces a share or fetch that ended done or failed, once; not a cancelled one, a running one or a repair; a click opens Files at the file', async () => {
    await startAll()
    node.hub.emit('operation:update', operation('s1', 'share', 'running'))
    node.hub.emit('operation:update', operation('s1', 'share', 'done', { result: { link: LINK, id: FILE_ID, name: 'report.pdf', size: 2_400_000, k: 4, m: 2 } }))
    node.hub.emit('operation:update', operation('s1', 'share', 'done'))
    node.hub.emit('operation:update', operation('f1', 'fetch', 'failed', { fileId: null, label: LINK, error: { code: 'NOT_FOUND', message: 'no peer serves this file' } }))
    node.hub.emit('operation:update', operation('f2', 'fetch', 'cancelled'))
    node.hub.emit('operation:update', operation('r1', 'repair', 'done'))
    expect(center.shown.map(n => n.options)).toEqual([
      { title: 'Shared report.pdf', body: 'Its link is ready to send (2.4 MB)' },
      { title: `Fetching ${LINK} failed`, body: 'No peer had the file.' }
    ])
    center.shown[0].click()
    center.shown[1].click()
    expect(opened).toEqual([{ kind: 'open-view', view: 'files', fileId: FILE_ID }, { kind: 'open-view', view: 'files' }])
    expect(describeTransfer(operation('f3', 'fetch', 'done', { result: { id: FILE_ID, name: 'photo.jpg', size: 999, path: '/x', sha256: '', badHolders: [], resumedSegments: 0, existing: false } }), 'darwin'))
      .toEqual({ title: 'Fetched photo.jpg', body: 'Verified and saved (999 B)' })
  })

  it('tells a failure by its code, never by its message (which can carry a remote peer\'s text)', () => {
    const failed = describeTransfer(operation('f4', 'fetch', 'failed', { fileId: null, label: LINK, error: { code: 'PROTOCOL', message: 'peer says: <a href="https://evil.example">click</a>' } }), 'linux')
    expect(failed?.body).toBe(failureText('PROTOCOL'))
    expect(JSON.stringify(failed)).not.toContain('evil')
    for (const code of ERROR_CODES) expect(failureText(code)).toMatch(/^[A-Z].*\.$/)
    expect(failureText('SOMETHING_NEW')).toMatch(/Files view/)
    expect(failureText(undefined)).toMatch(/Files view/)
  })

  it('opens the conversation for a message, and for a call (clicked or accepted)', async () => {
    await startAll()
    node.hub.emit('chat:notice', { peerId: ALICE, kind: 'message', preview: 'hi' })
    node.hub.emit('call:state', call('c1'))
    center.shown[0].click()
    center.shown[1].act(0)
    await settle()
    expect(opened).toEqual([{ kind: 'open-view', view: 'chat', peerId: ALICE }, { kind: 'open-view', view: 'chat', peerId: ALICE }])
    expect(node.calls.some(c => c.method === 'acceptCall')).toBe(true)
  })

  it('shows nothing until the settings are known, then follows each kind\'s switch', async () => {
    let answer!: (s: NodeSettings) => void
    node = fakeNode({ listContacts: async () => [], listConversations: async () => [], getSettings: async () => await new Promise(resolve => { answer = resolve }) })
    await startAll()
    emitAll()
    expect(center.shown).toHaveLength(0)
    answer(withDesktop({ notifications: { messages: false, calls: true, offers: false, transfers: true } }))
    await settle()
    emitAll()
    expect(center.shown.map(n => n.options.body)).toEqual(['Incoming audio call', 'Verified and saved'])
    node.hub.emit('settings:update', withDesktop({ notifications: { messages: true, calls: false, offers: true, transfers: false } }))
    emitAll()
    expect(center.shown.map(n => n.options.body).slice(2)).toEqual(['hello', 'sent you report.pdf (2.4 MB)'])
  })

  it('silences every OS notification under do-not-disturb, and the badge still counts', async () => {
    settings = withDesktop({ doNotDisturb: true })
    await startAll()
    emitAll()
    node.hub.emit('chat:conversation', { peerId: ALICE, last: null, unread: 3, request: false, requestCount: 0, pending: 0, updatedAt: 0 })
    expect(center.shown).toHaveLength(0)
    expect(app.badgeCount).toBe(3)
    node.hub.emit('settings:update', withDesktop({ doNotDisturb: false }))
    emitAll()
    expect(center.shown).toHaveLength(4)
  })

  it('closes a ringing call\'s notification when do-not-disturb is turned on while it rings', async () => {
    await startAll()
    node.hub.emit('call:state', call('c1'))
    expect(center.shown.map(n => [n.options.body, n.closed])).toEqual([['Incoming audio call', false]])
    // another change leaves it ringing
    node.hub.emit('settings:update', withDesktop({ startHidden: false }))
    expect(center.shown[0].closed).toBe(false)
    node.hub.emit('settings:update', withDesktop({ doNotDisturb: true }))
    expect(center.shown[0].closed).toBe(true)
  })

  it('lets an update that came while the settings were read win over the answer', async () => {
    let answer!: (s: NodeSettings) => void
    node = fakeNode({ getSettings: async () => await new Promise(resolve => { answer = resolve }) })
    const seen: Array<[boolean, boolean | null]> = []
    const w = watchDesktopSettings(node.api, (now, before) => { seen.push([now.doNotDisturb, before?.doNotDisturb ?? null]) })
    node.hub.emit('settings:update', withDesktop({ doNotDisturb: true }))
    answer(withDesktop({ doNotDisturb: false }))
    await settle()
    expect(w.current()?.doNotDisturb).toBe(true)
    expect(w.allows('messages')).toBe(false)
    expect(seen).toEqual([[true, null]])
    w.stop()
    expect(node.subscribers()).toBe(0)
  })

  it('writes sizes as people read them', () => {
    expect([0, 999, 1000, 1536, 2_400_000, 123_456_789, 5e12].map(formatSize)).toEqual(['0 B', '999 B', '1.0 kB', '1.5 kB', '2.4 MB', '123 MB', '5.0 TB'])
  })
})

/** Incoming calls ringing on the desktop, against the fake Electron and a fake node. */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { Call, Contact } from '../../shared/api/index.js'
import { WgtError } from '../../shared/errors.js'
import { fakeNode, type FakeNode } from '../cli/test/fake-node.js'
import { CALL_ACTIONS, startCallNotifications, type CallNotificationOptions } from '../call-notifications.js'
import { MAX_CONTACT_CALLS_PER_MINUTE, MAX_LIVE, MAX_PER_MINUTE, MAX_STRANGER_PER_MINUTE, NotificationBudgets, shortPeerId, startChatNotifications } from '../notifications.js'
import { FakeFocusWindow, FakeNotificationCenter } from './fake-electron.js'

const ALICE = '12D3KooWRBy97UB99e3J6hiPesre1MZeuNQvfan4gBziswrRJsNK'
const BOB = '12D3KooWJWoaqZhDaoEFshF7Rh1bpY9ohihFhzcW6d69Lr2NASuq'
const A = 'a'.repeat(32)
const B = 'b'.repeat(32)

const contact = (peerId: string, nickname: string | null): Contact => ({ peerId, trust: 'contact', nickname, addresses: [], since: 0, updatedAt: 0, undelivered: false })
const call = (id: string, state: Call['state'], extra: Partial<Call> = {}): Call => ({
  id, peerId: ALICE, outgoing: false, video: true, state, request: false, startedAt: 1, answeredAt: null, endedAt: null,
  endReason: null, endedBy: null, error: null, tunnel: null, quality: null, ...extra
})
const settle = async (): Promise<void> => { await new Promise(resolve => setImmediate(resolve)) }

describe('call notifications', () => {
  let node: FakeNode
  let center: FakeNotificationCenter
  let win: FakeFocusWindow
  let budgets: NotificationBudgets
  let stop: () => void

  const start = async (overrides: Partial<CallNotificationOptions> = {}): Promise<void> => {
    stop = startCallNotifications({
      api: node.api,
      isSupported: center.isSupported,
      create: center.create,
      isFocused: () => win.isFocused(),
      showWindow: () => { if (win.isMinimized()) win.restore(); win.show(); win.focus() },
      platform: 'darwin',
      budgets,
      ...overrides
    })
    await settle()
  }

  beforeEach(() => {
    node = fakeNode({
      listContacts: async () => [contact(ALICE, 'Alice')],
      listConversations: async () => [],
      acceptCall: async id => call(id, 'connecting'),
      declineCall: async id => call(id, 'ended', { endReason: 'declined', endedBy: 'local' })
    })
    center = new FakeNotificationCenter()
    win = new FakeFocusWindow()
    budgets = new NotificationBudgets()
  })
  afterEach(() => { stop?.() })

  it('rings once per incoming call, titled with the caller, until the call stops ringing', async () => {
    await start()
    node.hub.emit('call:state', call(A, 'ringing'))
    // later events of the same ringing call (a tunnel, say) do not ring again
    node.hub.emit('call:state', call(A, 'ringing', { tunnel: { port: 40000, route: 'libp2p' } }))
    expect(center.shown).toHaveLength(1)
    expect(center.shown[0].options).toEqual({
      title: 'Alice', body: 'Incoming video call', timeoutType: 'never', urgency: 'critical', actions: [...CALL_ACTIONS]
    })
    node.hub.emit('call:state', call(A, 'ended', { endReason: 'cancelled', endedBy: 'remote' }))
    expect(center.shown[0].closed).toBe(true)

    node.hub.emit('call:state', call(B, 'ringing', { peerId: BOB, video: false }))
    expect(center.shown[1].options).toMatchObject({ title: shortPeerId(BOB), body: 'Incoming audio call' })
    node.hub.emit('call:state', call(B, 'connecting', { peerId: BOB }))
    expect(center.shown[1].closed).toBe(true)
    expect(center.shown).toHaveLength(2)
  })

  it('does not ring for our own calls or for a stranger\'s request', async () => {
    await start()
    node.hub.emit('call:state', call(A, 'ringing', { outgoing: true }))
    node.hub.emit('call:state', call(B, 'ringing', { peerId: BOB, request: true }))
    expect(center.shown).toHaveLength(0)
  })

  it('has no buttons where Electron shows none, and escapes a nickname on Linux', async () => {
    node = fakeNode({ listContacts: async () => [contact(ALICE, '<b>Al</b>\u202eice')] })
    await start({ platform: 'linux' })
    node.hub.emit('call:state', call(A, 'ringing'))
    expect(center.shown[0].options).toEqual({ title: '&lt;b&gt;Al&lt;/b&gt;ice', body: 'Incoming video call', timeoutType: 'never', urgency: 'critical' })
  })

  it('stays quiet while a window has the focus (the page rings), or where there are no notifications', async () => {
    await start()
    win.focused = true
    node.hub.emit('call:state', call(A, 'ringing'))
    win.blur()
    center.supported = false
    node.hub.emit('call:state', call(B, 'ringing'))
    expect(center.shown).toHaveLength(0)
  })

  it('brings the window forward when clicked, and answers nothing by itself', async () => {
    await start()
    win.minimized = true
    node.hub.emit('call:state', call(A, 'ringing'))
    center.shown[0].click()
    expect(win.isFocused()).toBe(true)
    expect(node.calls.map(c => c.method)).not.toContain('acceptCall')
  })

  it('accepts from its Accept button and shows the call', async () => {
    await start()
    node.hub.emit('call:state', call(A, 'ringing'))
    center.shown[0].act(0)
    await settle()
    expect(node.calls.filter(c => c.method === 'acceptCall')).toEqual([{ method: 'acceptCall', args: [A] }])
    expect(center.shown[0].closed).toBe(true)
    expect(win.isFocused()).toBe(true)
  })

  it('declines from its Decline button without opening the window', async () => {
    await start()
    node.hub.emit('call:state', call(A, 'ringing'))
    center.shown[0].act(1)
    await settle()
    expect(node.calls.filter(c => c.method === 'declineCall')).toEqual([{ method: 'declineCall', args: [A] }])
    expect(center.shown[0].closed).toBe(true)
    expect(win.isFocused()).toBe(false)
  })

  it('shows the window when an answer from the notification fails (the call ended meanwhile)', async () => {
    const log = vi.spyOn(console, 'error').mockImplementation(() => {})
    node = fakeNode({ listContacts: async () => [], declineCall: async () => { throw new WgtError('NOT_FOUND', 'no ringing call with that id') } })
    await start()
    node.hub.emit('call:state', call(A, 'ringing'))
    center.shown[0].act(1)
    await settle()
    expect(win.isFocused()).toBe(true)
    expect(log).toHaveBeenCalledOnce()
    log.mockRestore()
  })

  it('rings a contact\'s call even after strangers\' requests and chat used the shared budget', async () => {
    const chat = startChatNotifications({ api: node.api, isSupported: center.isSupported, create: center.create, isFocused: () => false, showWindow: () => {}, platform: 'darwin', budgets })
    await start()
    // strangers' chat requests get only their part of the shared budget
    for (let i = 0; i < 12; i++) node.hub.emit('chat:notice', { peerId: `12D3KooWStranger${String(i).padStart(36, '0')}`, kind: 'request', preview: '' })
    expect(center.shown).toHaveLength(MAX_STRANGER_PER_MINUTE)
    // a stranger's call (the 'everyone' policy) counts as a stranger's too: none left
    node.hub.emit('call:state', call(B, 'ringing', { peerId: BOB }))
    expect(center.shown).toHaveLength(MAX_STRANGER_PER_MINUTE)
    // a contact's messages fill the rest of the shared budget
    for (let i = 0; i < 20; i++) node.hub.emit('chat:notice', { peerId: ALICE, kind: 'message', preview: `m${i}` })
    expect(center.shown).toHaveLength(MAX_PER_MINUTE)
    // and a contact's call still rings
    node.hub.emit('call:state', call(A, 'ringing'))
    expect(center.shown.at(-1)?.options.body).toBe('Incoming video call')
    expect(center.shown).toHaveLength(MAX_PER_MINUTE + 1)
    chat()
  })

  it('bounds a contact\'s rings per minute, and keeps at most a few on screen', async () => {
    await start()
    for (let i = 0; i < 20; i++) node.hub.emit('call:state', call(i.toString(16).padStart(32, '0'), 'ringing'))
    expect(center.shown).toHaveLength(MAX_CONTACT_CALLS_PER_MINUTE)

    stop()
    center = new FakeNotificationCenter()
    await start({ budgets: new NotificationBudgets(Date.now, { contactCalls: 1000 }) })
    for (let i = 0; i < 20; i++) node.hub.emit('call:state', call(`c${i.toString(16).padStart(31, '0')}`, 'ringing'))
    expect(center.shown).toHaveLength(20)
    expect(center.shown.filter(n => !n.closed)).toHaveLength(MAX_LIVE)
  })

  it('closes what still rings on stop, and unsubscribes', async () => {
    await start()
    expect(node.subscribers()).toBe(4)
    node.hub.emit('call:state', call(A, 'ringing'))
    stop()
    stop()
    expect(center.shown[0].closed).toBe(true)
    expect(node.subscribers()).toBe(0)
    node.hub.emit('call:state', call(B, 'ringing'))
    expect(center.shown).toHaveLength(1)
  })
})

/** Chat notifications and the unread badge of the desktop shell, against the fake Electron and a fake node. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Contact, Conversation } from '../../shared/api/index.js'
import { fakeNode, type FakeNode } from '../cli/test/fake-node.js'
import { MAX_BODY_CHARS, MAX_LIVE, MAX_PER_MINUTE, MAX_STRANGER_PER_MINUTE, NotificationBudget, NotificationBudgets, plain, shortPeerId, startChatNotifications, type ChatNotificationOptions } from '../notifications.js'
import { FakeApp, FakeFocusWindow, FakeNotificationCenter } from './fake-electron.js'

const ALICE = '12D3KooWRBy97UB99e3J6hiPesre1MZeuNQvfan4gBziswrRJsNK'
const BOB = '12D3KooWJWoaqZhDaoEFshF7Rh1bpY9ohihFhzcW6d69Lr2NASuq'

const contact = (peerId: string, nickname: string | null): Contact => ({ peerId, trust: 'contact', nickname, addresses: [], since: 0, updatedAt: 0, undelivered: false })
const conversation = (peerId: string, unread: number): Conversation => ({ peerId, last: null, unread, request: false, requestCount: 0, pending: 0, updatedAt: 0 })
const settle = async (): Promise<void> => { await new Promise(resolve => setImmediate(resolve)) }

describe('chat notifications', () => {
  let node: FakeNode
  let center: FakeNotificationCenter
  let app: FakeApp
  let win: FakeFocusWindow
  let contacts: Contact[]
  let conversations: Conversation[]
  let stop: () => void

  const start = async (overrides: Partial<ChatNotificationOptions> = {}): Promise<void> => {
    stop = startChatNotifications({
      api: node.api,
      isSupported: center.isSupported,
      create: center.create,
      isFocused: () => win.isFocused(),
      // as window.ts focusWindow does
      showWindow: () => { if (win.isMinimized()) win.restore(); win.show(); win.focus() },
      setBadgeCount: app.setBadgeCount,
      platform: 'darwin',
      ...overrides
    })
    await settle()
  }

  beforeEach(() => {
    contacts = [contact(ALICE, 'Alice')]
    conversations = []
    node = fakeNode({ listContacts: async () => contacts, listConversations: async () => conversations })
    center = new FakeNotificationCenter()
    app = new FakeApp()
    win = new FakeFocusWindow()
  })

  afterEach(() => { stop?.() })

  it('shows one notification per message, titled with the contact\'s nickname, the preview as its body', async () => {
    await start()
    node.hub.emit('chat:notice', { peerId: ALICE, kind: 'message', preview: 'lunch at noon?' })
    expect(center.shown).toHaveLength(1)
    expect(center.shown[0].options).toEqual({ title: 'Alice', body: 'lunch at noon?' })

    // a stranger by a short PeerId; a long preview cut, on one line
    node.hub.emit('chat:notice', { peerId: BOB, kind: 'message', preview: `first\nsecond ${'x'.repeat(200)}` })
    expect(center.shown).toHaveLength(2)
    expect(center.shown[1].options.title).toBe(shortPeerId(BOB))
    expect(shortPeerId(BOB)).toBe('12D3KooW…r2NASuq')
    expect([...center.shown[1].options.body]).toHaveLength(MAX_BODY_CHARS)
    expect(center.shown[1].options.body).toMatch(/^first second x+…$/)
  })

  it('says a request is one, without its content', async () => {
    await start()
    node.hub.emit('chat:notice', { peerId: BOB, kind: 'request', preview: '' })
    expect(center.shown.map(n => n.options)).toEqual([{ title: shortPeerId(BOB), body: 'wants to chat with you' }])
  })

  it('follows nicknames as contacts change', async () => {
    await start()
    node.hub.emit('contact:update', contact(BOB, 'Bob'))
    node.hub.emit('chat:notice', { peerId: BOB, kind: 'message', preview: 'hi' })
    node.hub.emit('contact:remove', { peerId: ALICE })
    node.hub.emit('chat:notice', { peerId: ALICE, kind: 'message', preview: 'hi' })
    expect(center.shown.map(n => n.options.title)).toEqual(['Bob', shortPeerId(ALICE)])
  })

  it('stays quiet while a window has the focus, or where the system has no notifications', async () => {
    await start()
    win.focused = true
    node.hub.emit('chat:notice', { peerId: ALICE, kind: 'message', preview: 'seen in the app' })
    expect(center.shown).toHaveLength(0)
    win.blur()
    center.supported = false
    node.hub.emit('chat:notice', { peerId: ALICE, kind: 'message', preview: 'no service' })
    expect(center.shown).toHaveLength(0)
    center.supported = true
    node.hub.emit('chat:notice', { peerId: ALICE, kind: 'message', preview: 'now' })
    expect(center.shown.map(n => n.options.body)).toEqual(['now'])
  })

  it('brings the window back when clicked', async () => {
    await start()
    win.minimized = true
    node.hub.emit('chat:notice', { peerId: ALICE, kind: 'message', preview: 'look' })
    center.shown[0].click()
    expect(win.minimized).toBe(false)
    expect(win.isFocused()).toBe(true)
  })

  it('replaces a peer\'s earlier notification; a flood of strangers\' requests shows only their part of the budget, a chatty contact at most a dozen a minute, eight at once', async () => {
    await start()
    node.hub.emit('chat:notice', { peerId: ALICE, kind: 'message', preview: 'one' })
    node.hub.emit('chat:notice', { peerId: ALICE, kind: 'message', preview: 'two' })
    expect(center.shown.map(n => [n.options.body, n.closed])).toEqual([['one', true], ['two', false]])
    for (let i = 0; i < 50; i++) node.hub.emit('chat:notice', { peerId: `12D3KooWFlood${String(i).padStart(40, '0')}`, kind: 'request', preview: '' })
    expect(center.shown).toHaveLength(2 + MAX_STRANGER_PER_MINUTE)
    for (let i = 0; i < 50; i++) node.hub.emit('chat:notice', { peerId: `12D3KooWChat${String(i % 10).padStart(41, '0')}`, kind: 'message', preview: `m${i}` })
    expect(center.shown).toHaveLength(MAX_PER_MINUTE)
    expect(center.shown.filter(n => !n.closed)).toHaveLength(MAX_LIVE)
  })

  it('keeps a peer\'s text from driving the notification: no controls, and no markup on Linux', async () => {
    await start({ platform: 'linux' })
    node.hub.emit('chat:notice', { peerId: ALICE, kind: 'message', preview: 'see <a href="https://evil.example">this</a> & <img src="file:///etc/passwd"> \u202eexe.txt' })
    const body = center.shown[0].options.body
    expect(body).toBe('see &lt;a href="https://evil.example"&gt;this&lt;/a&gt; &amp; &lt;img src="file:///etc/passwd"&gt; exe.txt')
    // elsewhere the body is plain text, shown as it is
    expect(plain('a <b> & c\u0007', 'darwin')).toBe('a <b> & c')
    expect(plain('a <b>', 'win32')).toBe('a <b>')
  })

  it('sets the badge to the unread messages of every conversation', async () => {
    conversations = [conversation(ALICE, 2), conversation(BOB, 1)]
    await start()
    expect(app.badgeCount).toBe(3)
    node.hub.emit('chat:conversation', conversation(ALICE, 5))
    expect(app.badgeCount).toBe(6)
    node.hub.emit('chat:conversation', conversation(ALICE, 0))
    node.hub.emit('chat:conversation-removed', { peerId: BOB })
    expect(app.badgeCount).toBe(0)
    // a change that leaves the total as it was does not touch the badge
    node.hub.emit('chat:conversation', conversation(BOB, 0))
    expect(app.badgeHistory).toEqual([3, 6, 1, 0])
  })

  it('lets events that arrive while the first list is read win over it', async () => {
    let answer!: (list: Conversation[]) => void
    node = fakeNode({ listContacts: async () => contacts, listConversations: async () => await new Promise(resolve => { answer = resolve }) })
    await start()
    node.hub.emit('chat:conversation', conversation(ALICE, 1))
    node.hub.emit('chat:conversation-removed', { peerId: BOB })
    answer([conversation(ALICE, 7), conversation(BOB, 4)])
    await settle()
    expect(app.badgeCount).toBe(1)
  })

  it('works without a badge where the platform has none', async () => {
    conversations = [conversation(ALICE, 2)]
    await start({ setBadgeCount: undefined })
    node.hub.emit('chat:notice', { peerId: ALICE, kind: 'message', preview: 'hi' })
    expect(center.shown).toHaveLength(1)
  })

  it('on stop closes what it showed, clears the badge and unsubscribes', async () => {
    conversations = [conversation(ALICE, 2)]
    await start()
    expect(app.badgeCount).toBe(2)
    expect(node.subscribers()).toBe(5)
    node.hub.emit('chat:notice', { peerId: ALICE, kind: 'message', preview: 'before' })
    stop()
    stop()
    expect(center.shown[0].closed).toBe(true)
    expect(app.badgeCount).toBe(0)
    expect(node.subscribers()).toBe(0)
    node.hub.emit('chat:notice', { peerId: ALICE, kind: 'message', preview: 'after' })
    node.hub.emit('chat:conversation', conversation(ALICE, 9))
    expect(center.shown).toHaveLength(1)
    expect(app.badgeCount).toBe(0)
    expect(win.isFocused()).toBe(false)
  })
})

describe('notification budget', () => {
  it('allows so many a minute, and more as the minute passes', () => {
    let now = 1_000_000
    const budget = new NotificationBudget(3, () => now)
    expect([budget.take(), budget.take(), budget.take(), budget.take()]).toEqual([true, true, true, false])
    now += 59_999
    expect(budget.take()).toBe(false)
    now += 1
    expect([budget.take(), budget.take(), budget.take(), budget.take()]).toEqual([true, true, true, false])
  })

  it('gives strangers only their part of the shared budget, and contacts\' calls one of their own', () => {
    let now = 1_000_000
    const budgets = new NotificationBudgets(() => now, { perMinute: 5, strangers: 2, contactCalls: 1 })
    expect([budgets.stranger(), budgets.stranger(), budgets.stranger()]).toEqual([true, true, false])
    expect([budgets.known(), budgets.known(), budgets.known(), budgets.known()]).toEqual([true, true, true, false])
    expect([budgets.contactCall(), budgets.contactCall()]).toEqual([true, false])
    now += 60_000
    // a stranger's is refused when the shared budget is spent, and then takes nothing from strangers' part
    expect([budgets.known(), budgets.known(), budgets.known(), budgets.known(), budgets.known()]).toEqual([true, true, true, true, true])
    expect(budgets.stranger()).toBe(false)
    now += 60_000
    expect([budgets.stranger(), budgets.stranger(), budgets.contactCall()]).toEqual([true, true, true])
  })
})

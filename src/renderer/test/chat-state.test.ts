import { describe, expect, it } from 'vitest'
import { MAX_CHAT_TEXT_BYTES } from '../../shared/api/index.js'
import {
  EMPTY_THREAD, chatBadge, checkComposer, compareMessages, conversationsFromList, dayLabel, groupConversations, linkFileId,
  newMessageId, oldestCursor, previewOf, snippetOf, threadItems, withMessages, withNotice, withPage, type NoticeItem
} from '../src/chat/state.js'
import { BOB, conv, msg } from './chat-fixtures.js'

const SELF = '12D3KooWSe1fSe1fSe1fSe1fSe1fSe1fSe1fSe1fSe1fSe1fSe1f'
const ZED = '12D3KooWZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZ'

describe('the conversation list', () => {
  it('keeps requests apart, each group most recent first, and counts unread messages plus requests for the badge', () => {
    const convs = conversationsFromList([
      conv(BOB, { unread: 3, updatedAt: 5 }),
      conv(ZED, { request: true, requestCount: 4, unread: 4, updatedAt: 9 }),
      conv(SELF, { updatedAt: 7 })
    ])
    const { requests, chats } = groupConversations(convs)
    expect(requests.map(c => c.peerId)).toEqual([ZED])
    expect(chats.map(c => c.peerId)).toEqual([SELF, BOB])
    // a request counts once, whatever it holds
    expect(chatBadge({ conversations: convs })).toBe(4)
    expect(chatBadge({ conversations: {} })).toBe(0)
  })

  it('previews the newest message: its text on one line, a file by name, ours with "You:"', () => {
    expect(previewOf(null)).toBe('')
    expect(previewOf(msg('1', 1, { text: 'hello\n  there' }))).toBe('hello there')
    expect(previewOf(msg('1', 1, { outgoing: true, text: 'hi' }))).toBe('You: hi')
    expect(previewOf(msg('1', 1, { text: '', file: { link: 'wgt://x#k', name: 'a.pdf', size: 1 } }))).toBe('a.pdf')
  })
})

describe('a thread', () => {
  it('sorts by the node\'s cursor: the Lamport order, then the sending side, whatever the clocks said', () => {
    const mine = msg('a', 4, { outgoing: true, sentAt: 1 })
    const theirs = msg('b', 4, { sentAt: 9e12 })
    // BOB < SELF: at the same order Bob's message comes first, on both sides
    expect([mine, theirs].sort(compareMessages(SELF)).map(m => m.id[0])).toEqual(['b', 'a'])
    expect([msg('c', 5), msg('d', 2)].sort(compareMessages(SELF)).map(m => m.order)).toEqual([2, 5])
  })

  it('merges by place: a later copy (its state moved on) replaces the earlier one; a peer reusing an id replaces nothing', () => {
    const sent = msg('a', 1, { outgoing: true, state: 'pending' })
    const list = withMessages([sent, msg('b', 2)], [{ ...sent, state: 'read' }, msg('c', 3)], SELF)
    expect(list.map(m => [m.id[0], m.state])).toEqual([['a', 'read'], ['b', 'received'], ['c', 'received']])
    const same = [msg('x', 1)]
    expect(withMessages(same, [], SELF)).toBe(same)
    // the peer's message under the id of ours stands beside it, not in its place
    const copycat = msg('a', 9)
    expect(withMessages(list, [copycat], SELF).map(m => [m.id[0], m.outgoing])).toEqual([['a', true], ['b', false], ['c', false], ['a', false]])
  })

  it('puts an older page before what is loaded, and a latest page in place of it without losing newer arrivals', () => {
    let t = withPage(EMPTY_THREAD, { messages: [msg('5', 5), msg('6', 6)], more: true }, false, SELF)
    expect(oldestCursor(t)).toBe(msg('5', 5).cursor)
    t = withPage(t, { messages: [msg('3', 3), msg('4', 4)], more: false }, true, SELF)
    expect(t.messages.map(m => m.order)).toEqual([3, 4, 5, 6])
    expect(t.more).toBe(false)
    // reloaded after a reconnect: the page is the truth up to its newest, anything after it stays
    const live = { ...t, messages: [...t.messages, msg('8', 8)] }
    const again = withPage(live, { messages: [msg('6', 6, { state: 'read' }), msg('7', 7)], more: true }, false, SELF)
    expect(again.messages.map(m => m.order)).toEqual([6, 7, 8])
    expect(again.more).toBe(true)
    expect(oldestCursor(EMPTY_THREAD)).toBeNull()
  })

  it('puts a day separator wherever the local date changes', () => {
    const now = new Date(2025, 2, 12, 15, 0).getTime()
    const at = (d: number, h: number): number => new Date(2025, 2, d, h, 0).getTime()
    const items = threadItems([msg('1', 1, { sentAt: at(3, 9) }), msg('2', 2, { sentAt: at(11, 23) }), msg('3', 3, { sentAt: at(12, 0) }), msg('4', 4, { sentAt: at(12, 8) })], now)
    expect(items.map(i => i.kind === 'day' ? i.label : i.message.order)).toEqual(['Mon 3 Mar', 1, 'Yesterday', 2, 'Today', 3, 4])
    expect(dayLabel(new Date(2024, 11, 31).getTime(), now)).toBe('Tue 31 Dec 2024')
    expect(new Set(items.map(i => i.key)).size).toBe(items.length)
  })
})

describe('the composer', () => {
  it('counts UTF-8 bytes, shows the counter near the limit and refuses more than the node takes', () => {
    expect(checkComposer('')).toMatchObject({ sendable: false, showCounter: false })
    expect(checkComposer('  \n ')).toMatchObject({ sendable: false })
    expect(checkComposer('hi')).toEqual({ bytes: 2, over: false, showCounter: false, sendable: true })
    // é is two bytes: the limit is in bytes, as the wire checks it
    expect(checkComposer('é'.repeat(MAX_CHAT_TEXT_BYTES / 2))).toMatchObject({ bytes: MAX_CHAT_TEXT_BYTES, over: false, showCounter: true, sendable: true })
    expect(checkComposer(`${'é'.repeat(MAX_CHAT_TEXT_BYTES / 2)}x`)).toMatchObject({ over: true, sendable: false })
    expect(checkComposer('a'.repeat(Math.ceil(MAX_CHAT_TEXT_BYTES * 0.8) - 1)).showCounter).toBe(false)
  })

  it('chooses 32 hex character message ids', () => {
    const a = newMessageId()
    expect(a).toMatch(/^[0-9a-f]{32}$/)
    expect(newMessageId()).not.toBe(a)
  })
})

describe('search snippets', () => {
  it('shows the match in its context, case-insensitive, clipped with ellipses', () => {
    expect(snippetOf('Shall we meet on Tuesday at noon?', 'tuesday', 8)).toEqual({ before: '…meet on ', match: 'Tuesday', after: ' at noon…' })
    expect(snippetOf('tuesday', 'TUE')).toEqual({ before: '', match: 'tue', after: 'sday' })
    // a narrow list: little before the match, so the match is what shows
    expect(snippetOf('Hello Alice here, shall we meet on Tuesday at noon?', 'tuesday', 60, 12).before).toBe('… we meet on ')
    // matched in the file name only: the text's start
    expect(snippetOf('see attached', 'report', 40)).toEqual({ before: 'see attached', match: '', after: '' })
  })
})

describe('file links and notices', () => {
  it('finds the manifest id in a link', () => {
    expect(linkFileId('wgt://bafkreiabc#key')).toBe('bafkreiabc')
    expect(linkFileId('not a link')).toBeNull()
  })

  it('keeps the newest notice per conversation, a few at most', () => {
    const n = (key: string, peerId: string): NoticeItem => ({ key, peerId, kind: 'message', preview: key, at: 0 })
    let list = withNotice([], n('1', BOB))
    list = withNotice(list, n('2', ZED))
    list = withNotice(list, n('3', BOB))
    expect(list.map(x => x.key)).toEqual(['3', '2'])
    list = withNotice(withNotice(list, n('4', SELF)), n('5', 'QmOther'))
    expect(list.map(x => x.key)).toEqual(['5', '4', '3'])
  })
})

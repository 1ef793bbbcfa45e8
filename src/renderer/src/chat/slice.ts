/**
 * chat in the UI: the conversations (the node's list, kept current by its
 * events), the threads this window opened, the files it is sharing into a
 * conversation, and the notices it shows in the page. Every (re)connect
 * reloads the list and the open thread's latest page: events were missed.
 */
import type { ChatMessage, Conversation, PeerIdString } from '../../../shared/api/index.js'
import type { UiSlice } from '../app/slice.js'
import type { HumanError } from '../ui/errors.js'
import { pageHasAttention } from './attention.js'
import {
  EMPTY_THREAD, PAGE_SIZE, conversationsFromList, withConversation, withMessages, withNotice, withPage, withUpload, withoutKey,
  type ChatUpload, type Conversations, type NoticeItem, type Thread
} from './state.js'

export interface ChatState {
  conversations: Conversations
  /** the conversations loaded at least once since the last (re)connect */
  conversationsLoaded: boolean
  threads: Readonly<Record<PeerIdString, Thread>>
  /** the conversation shown in the Chat view */
  chatOpen: PeerIdString | null
  chatUploads: readonly ChatUpload[]
  /** fetch operations started from a file message, by message id */
  chatFetches: Readonly<Record<string, string>>
  chatNotices: readonly NoticeItem[]

  openConversation: (peerId: PeerIdString | null) => void
  conversationChanged: (c: Conversation) => void
  conversationRemoved: (peerId: PeerIdString) => void
  messagesArrived: (peerId: PeerIdString, messages: readonly ChatMessage[]) => void
  threadLoading: (peerId: PeerIdString, loading: Thread['loading']) => void
  threadPage: (peerId: PeerIdString, page: { messages: readonly ChatMessage[], more: boolean }, older: boolean) => void
  threadFailed: (peerId: PeerIdString, error: HumanError) => void
  uploadAdded: (upload: ChatUpload) => void
  uploadChanged: (key: string, change: Partial<ChatUpload>) => void
  uploadRemoved: (key: string) => void
  fetchStarted: (messageId: string, operation: string) => void
  noticeAdded: (notice: NoticeItem) => void
  noticeDismissed: (key: string) => void
}

const OPEN_KEY = 'wgt.chat.open'

function initialOpen (): PeerIdString | null {
  try { return sessionStorage.getItem(OPEN_KEY) } catch { return null }
}

let noticeSequence = 0

export const chatSlice: UiSlice<ChatState> = {
  name: 'the chats',
  create: (set, get) => ({
    conversations: {},
    conversationsLoaded: false,
    threads: {},
    chatOpen: typeof sessionStorage === 'undefined' ? null : initialOpen(),
    chatUploads: [],
    chatFetches: {},
    chatNotices: [],
    openConversation: (peerId) => {
      try {
        if (peerId == null) sessionStorage.removeItem(OPEN_KEY)
        else sessionStorage.setItem(OPEN_KEY, peerId)
      } catch {}
      // a notice about the conversation now open has done its job
      set(s => ({ chatOpen: peerId, chatNotices: s.chatNotices.filter(n => n.peerId !== peerId) }))
    },
    conversationChanged: (c) => { set(s => ({ conversations: withConversation(s.conversations, c) })) },
    conversationRemoved: (peerId) => {
      set(s => ({ conversations: withoutKey(s.conversations, peerId), threads: withoutKey(s.threads, peerId), chatNotices: s.chatNotices.filter(n => n.peerId !== peerId) }))
    },
    messagesArrived: (peerId, messages) => {
      const self = get().identity?.peerId ?? null
      // a thread not loaded here gets them with its first page
      set(s => {
        const t = s.threads[peerId]
        return t == null ? s : { threads: { ...s.threads, [peerId]: { ...t, messages: withMessages(t.messages, messages, self) } } }
      })
    },
    threadLoading: (peerId, loading) => {
      set(s => ({ threads: { ...s.threads, [peerId]: { ...(s.threads[peerId] ?? EMPTY_THREAD), loading, error: null } } }))
    },
    threadPage: (peerId, page, older) => {
      const self = get().identity?.peerId ?? null
      set(s => ({ threads: { ...s.threads, [peerId]: withPage(s.threads[peerId] ?? EMPTY_THREAD, page, older, self) } }))
    },
    threadFailed: (peerId, error) => {
      set(s => ({ threads: { ...s.threads, [peerId]: { ...(s.threads[peerId] ?? EMPTY_THREAD), loading: null, error } } }))
    },
    uploadAdded: (upload) => { set(s => ({ chatUploads: [...s.chatUploads, upload] })) },
    uploadChanged: (key, change) => { set(s => ({ chatUploads: withUpload(s.chatUploads, key, change) })) },
    uploadRemoved: (key) => { set(s => ({ chatUploads: s.chatUploads.filter(u => u.key !== key) })) },
    fetchStarted: (messageId, operation) => { set(s => ({ chatFetches: { ...s.chatFetches, [messageId]: operation } })) },
    noticeAdded: (notice) => { set(s => ({ chatNotices: withNotice(s.chatNotices, notice) })) },
    noticeDismissed: (key) => { set(s => ({ chatNotices: s.chatNotices.filter(n => n.key !== key) })) }
  }),
  events: {
    'chat:message': (store, m) => { store.getState().messagesArrived(m.peerId, [m]) },
    'chat:conversation': (store, c) => { store.getState().conversationChanged(c) },
    'chat:conversation-removed': (store, { peerId }) => { store.getState().conversationRemoved(peerId) },
    'chat:notice': (store, notice) => {
      const s = store.getState()
      // the person is looking at that conversation already: nothing to tell
      if (s.view === 'chat' && s.chatOpen === notice.peerId && pageHasAttention()) return
      s.noticeAdded({ ...notice, key: `n${++noticeSequence}`, at: Date.now() })
    }
  },
  load: async (api, store) => {
    const open = store.getState().chatOpen
    const [list, page] = await Promise.all([
      api.listConversations(),
      open != null ? api.chatHistory(open, { limit: PAGE_SIZE }) : Promise.resolve(null)
    ])
    const self = store.getState().identity?.peerId ?? null
    // other threads may have missed events while the link was down: they load again when opened
    store.setState({
      conversations: conversationsFromList(list),
      conversationsLoaded: true,
      threads: open != null && page != null ? { [open]: withPage(EMPTY_THREAD, page, false, self) } : {}
    })
  }
}

/**
 * What a person does in a conversation, as calls on the node: load its
 * history page by page, send text, share files into it, fetch a file sent in
 * it, and mark it read. Loading and file failures end in the store as errors
 * a person can read; a send that fails throws, for the composer to show
 * beside the text it kept.
 */
import type { ChatMessage, PeerIdString, WgtApi } from '../../../shared/api/index.js'
import type { WgtStore } from '../app/slices.js'
import { newDropKey, startShare, type FileActionDeps } from '../files/actions.js'
import { describeError } from '../ui/errors.js'
import { PAGE_SIZE, newMessageId, oldestCursor } from './state.js'

/** The newest page of a conversation (its first load, or again after an error). */
export async function loadLatest (api: WgtApi, store: WgtStore, peerId: PeerIdString): Promise<void> {
  const s = store.getState()
  if (s.threads[peerId]?.loading != null) return
  s.threadLoading(peerId, 'latest')
  try {
    s.threadPage(peerId, await api.chatHistory(peerId, { limit: PAGE_SIZE }), false)
  } catch (err) {
    s.threadFailed(peerId, describeError('chat-history', err))
  }
}

/** The page before the oldest message loaded. */
export async function loadOlder (api: WgtApi, store: WgtStore, peerId: PeerIdString): Promise<void> {
  const s = store.getState()
  const thread = s.threads[peerId]
  const before = thread == null ? null : oldestCursor(thread)
  if (thread == null || !thread.more || thread.loading != null || before == null) return
  s.threadLoading(peerId, 'older')
  try {
    s.threadPage(peerId, await api.chatHistory(peerId, { before, limit: PAGE_SIZE }), true)
  } catch (err) {
    s.threadFailed(peerId, describeError('chat-history', err))
  }
}

/** Send text; `id` makes a retry of the same text the same message. The node answers at once with it pending. */
export async function sendText (api: WgtApi, store: WgtStore, peerId: PeerIdString, text: string, id: string): Promise<ChatMessage> {
  const m = await api.sendMessage(peerId, { text, id })
  store.getState().messagesArrived(peerId, [m])
  return m
}

/**
 * Share each file exactly as a drop in Files does (upload in a browser, then
 * the share operation), then send the message that carries its link. The
 * upload's card in the thread shows each step, and what stopped it.
 */
export async function sendFiles (deps: FileActionDeps, peerId: PeerIdString, files: readonly File[]): Promise<void> {
  await Promise.all(files.map(async file => { await sendFile(deps, peerId, file) }))
}

async function sendFile (deps: FileActionDeps, peerId: PeerIdString, file: File): Promise<void> {
  const { api, store } = deps
  const key = newDropKey()
  const s = store.getState()
  s.uploadAdded({ key, peerId, messageId: newMessageId(), name: file.name, size: file.size, stage: 'sharing', error: null })
  const operation = await startShare(deps, file, key)
  if (operation == null) { s.uploadChanged(key, { stage: 'failed' }); return } // the drop says why
  try {
    const op = await api.waitOperation(operation)
    // failed or cancelled: the operation on the card says so
    if (op.state !== 'done' || op.kind !== 'share' || op.result == null) { s.uploadChanged(key, { stage: 'failed' }); return }
    await sendShared(api, store, key)
  } catch (err) {
    s.uploadChanged(key, { stage: 'failed', error: describeError('share', err) })
  }
}

/** Send (or send again) the message for a file whose share is done: the card goes once the message is in the thread. */
export async function sendShared (api: WgtApi, store: WgtStore, key: string): Promise<void> {
  const s = store.getState()
  const upload = s.chatUploads.find(u => u.key === key)
  const operation = s.drops.find(d => d.key === key)?.operation
  const op = operation == null ? null : s.operations[operation]
  if (upload == null || op == null || op.kind !== 'share' || op.result == null) return
  const { link, name, size } = op.result
  s.uploadChanged(key, { stage: 'sending', error: null })
  try {
    const m = await api.sendMessage(upload.peerId, { text: '', file: { link, name, size }, id: upload.messageId })
    s.messagesArrived(upload.peerId, [m])
    s.uploadRemoved(key)
    s.dropDismissed(key)
  } catch (err) {
    s.uploadChanged(key, { stage: 'failed', error: describeError('chat-send', err) })
  }
}

/** Fetch a file sent in a conversation; its progress shows on the message's card. Throws what stopped it from starting. */
export async function fetchChatFile (api: WgtApi, store: WgtStore, m: ChatMessage): Promise<void> {
  if (m.file == null) return
  const { operation } = await api.fetchFile(m.file.link)
  store.getState().fetchStarted(m.id, operation)
}

/** Mark read up to the newest message; the node tells the peer. Throws for the thread to show. */
export async function markRead (api: WgtApi, store: WgtStore, peerId: PeerIdString): Promise<void> {
  store.getState().conversationChanged(await api.markRead(peerId))
}

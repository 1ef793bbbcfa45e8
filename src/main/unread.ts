/**
 * The number of unread messages over every conversation, as the node says
 * it: read once, then followed through 'chat:conversation' and
 * 'chat:conversation-removed'. The app's badge and the tray's tooltip show it.
 */
import type { Conversation, NodeApi } from '../shared/api/index.js'

/** onChange runs with the total each time it changes (and once the first list is read); returns stop (idempotent). */
export function trackUnread (api: Pick<NodeApi, 'on' | 'listConversations'>, onChange: (total: number) => void): () => void {
  const unread = new Map<string, number>()
  let total = -1
  let stopped = false
  const report = (): void => {
    if (stopped) return
    const now = [...unread.values()].reduce((a, b) => a + b, 0)
    if (now === total) return
    total = now
    onChange(now)
  }
  const track = (c: Conversation): void => { unread.set(c.peerId, c.unread); report() }

  // what the node says from now on is newer than the list read below: that fills only the gaps
  const removed = new Set<string>()
  const offs = [
    api.on('chat:conversation', c => { removed.delete(c.peerId); track(c) }),
    api.on('chat:conversation-removed', ({ peerId }) => { removed.add(peerId); unread.delete(peerId); report() })
  ]
  api.listConversations().then(list => {
    if (stopped) return
    for (const c of list) if (!unread.has(c.peerId) && !removed.has(c.peerId)) unread.set(c.peerId, c.unread)
    report()
  }).catch((err: unknown) => { console.error('wgt: could not read conversations for the unread count', err) })

  return () => {
    if (stopped) return
    stopped = true
    for (const off of offs) off()
  }
}

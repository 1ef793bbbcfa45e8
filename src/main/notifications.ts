/**
 * Chat in the desktop shell: an OS notification for each 'chat:notice' the
 * node emits (a message, or a stranger's request), and the app's badge as
 * the number of unread messages. Electron objects are passed in
 * (structurally typed) so this is tested without an Electron binary.
 */
import type { ChatNotice, Contact, NodeApi } from '../shared/api/index.js'
import type { ShellCommand } from '../shared/shell.js'
import { trackUnread } from './unread.js'

/** Longest notification body, in characters: a preview, not the message. */
export const MAX_BODY_CHARS = 120

/** What we use of an Electron Notification. */
export interface NotificationLike {
  on: ((event: 'click', listener: () => void) => unknown) & ((event: 'close', listener: () => void) => unknown) &
  /** a button of `actions` was pressed (macOS, Windows): its index in details (as Electron 45 documents it) or in the second argument (the older form, deprecated) */
  ((event: 'action', listener: (details: { actionIndex?: number } | undefined, actionIndex?: number) => void) => unknown)
  show: () => void
  close: () => void
}

/** Notifications shown at once: one per peer (a newer one replaces it), and the oldest goes past this */
export const MAX_LIVE = 8
/** New notifications per minute at most, all kinds together: fresh PeerIds or a chatty contact must not flood the desktop (the badge still counts) */
export const MAX_PER_MINUTE = 12
/** Of those, strangers' (a chat or file request, a stranger's call) at most: strangers cannot use up what contacts need */
export const MAX_STRANGER_PER_MINUTE = 4
/** A contact's call rings outside the shared limit, within its own: nothing strangers send can silence it */
export const MAX_CONTACT_CALLS_PER_MINUTE = 6

export interface NotificationOptionsLike {
  title: string
  body: string
  /** buttons; Electron shows them on macOS (signed, alert style) and Windows */
  actions?: Array<{ type: 'button', text: string }>
  /** 'never': stays until closed (Linux, Windows) */
  timeoutType?: 'default' | 'never'
  urgency?: 'normal' | 'critical' | 'low'
}

/** New notifications in the last minute, at most `perMinute`. */
export class NotificationBudget {
  private readonly shownAt: number[] = []

  constructor (private readonly perMinute = MAX_PER_MINUTE, private readonly now = Date.now) {}

  /** whether one more may show now, without counting it */
  available (): boolean {
    const now = this.now()
    while (this.shownAt.length > 0 && this.shownAt[0] <= now - 60_000) this.shownAt.shift()
    return this.shownAt.length < this.perMinute
  }

  /** whether one more may show now; if so, it is counted */
  take (): boolean {
    if (!this.available()) return false
    this.shownAt.push(this.now())
    return true
  }
}

/**
 * The per-minute limits shared by every kind of notification (chat, offers,
 * transfers, calls): one budget for all, of which strangers get only a part,
 * and contacts' calls a budget of their own, so a flood of requests from
 * fresh PeerIds can neither fill the desktop nor keep a contact's call from
 * ringing.
 */
/** What every desktop notifier of a kind (offers, transfers) is given; Electron's parts structurally typed. */
export interface KindNotifierOptions {
  /** Notification.isSupported() */
  isSupported: () => boolean
  /** new Notification(options) */
  create: (options: NotificationOptionsLike) => NotificationLike
  /** whether one of our windows has the focus */
  isFocused: () => boolean
  showWindow: () => void
  /** hand a click's destination to the renderer */
  open?: (cmd: ShellCommand) => void
  platform: string
  budgets: NotificationBudgets
  /** the kind's switch and do-not-disturb; always when absent */
  allowed?: () => boolean
}

export class NotificationBudgets {
  private readonly shared: NotificationBudget
  private readonly strangers: NotificationBudget
  private readonly contactCalls: NotificationBudget

  constructor (now = Date.now, limits: { perMinute?: number, strangers?: number, contactCalls?: number } = {}) {
    this.shared = new NotificationBudget(limits.perMinute ?? MAX_PER_MINUTE, now)
    this.strangers = new NotificationBudget(limits.strangers ?? MAX_STRANGER_PER_MINUTE, now)
    this.contactCalls = new NotificationBudget(limits.contactCalls ?? MAX_CONTACT_CALLS_PER_MINUTE, now)
  }

  /** a contact's message or offer, or this node's own transfer */
  known (): boolean { return this.shared.take() }

  /** a stranger's request or call: within strangers' part of the shared budget */
  stranger (): boolean {
    if (!this.strangers.available() || !this.shared.available()) return false
    this.strangers.take()
    this.shared.take()
    return true
  }

  /** a contact's call: its own budget, not the shared one */
  contactCall (): boolean { return this.contactCalls.take() }
}

/** Contacts' nicknames as the node tells them, to title notifications; stop() unsubscribes. */
export function trackNicknames (api: Pick<NodeApi, 'on' | 'listContacts'>): { name: (peerId: string) => string, isContact: (peerId: string) => boolean, stop: () => void } {
  const nicknames = new Map<string, string>()
  // peers whose trust is 'contact' (not a request either way, not blocked)
  const contacts = new Set<string>()
  const remember = (c: Contact): void => {
    if (c.nickname != null) nicknames.set(c.peerId, c.nickname)
    else nicknames.delete(c.peerId)
    if (c.trust === 'contact') contacts.add(c.peerId)
    else contacts.delete(c.peerId)
  }
  // what the node says from now on is newer than the list read below: that fills only the gaps
  const removed = new Set<string>()
  const offs = [
    api.on('contact:update', c => { removed.delete(c.peerId); remember(c) }),
    api.on('contact:remove', ({ peerId }) => { removed.add(peerId); nicknames.delete(peerId); contacts.delete(peerId) })
  ]
  api.listContacts().then(list => {
    for (const c of list) if (!nicknames.has(c.peerId) && !removed.has(c.peerId)) remember(c)
  }).catch((err: unknown) => { console.error('wgt: could not read contacts for notifications', err) })
  return {
    name: peerId => nicknames.get(peerId) ?? shortPeerId(peerId),
    isContact: peerId => contacts.has(peerId),
    stop: () => { for (const off of offs) off() }
  }
}

export interface ChatNotificationOptions {
  api: Pick<NodeApi, 'on' | 'listContacts' | 'listConversations'>
  /** Notification.isSupported(): false where the system has no notification service */
  isSupported: () => boolean
  /** new Notification(options) */
  create: (options: NotificationOptionsLike) => NotificationLike
  /** whether one of our windows has the focus: the user is looking at the app, which shows the message itself */
  isFocused: () => boolean
  /** bring the window forward (restore, show, focus), or open one */
  showWindow: () => void
  /** app.setBadgeCount, where the platform has badges (macOS, Linux); absent elsewhere */
  setBadgeCount?: (count: number) => unknown
  /** process.platform: on Linux the body is markup, so peer text is escaped there */
  platform: string
  /** the per-minute limits, shared with the other kinds; limits of its own when absent */
  budgets?: NotificationBudgets
  /** whether this kind may show now (the desktop settings: its switch, do-not-disturb); always when absent */
  allowed?: () => boolean
  /** bring the window forward at a view; a click only calls showWindow when absent */
  open?: (cmd: ShellCommand) => void
}

/** A click's destination: the view through `open` when there is one, else just the window. */
export function openOrShow (opts: { open?: (cmd: ShellCommand) => void, showWindow: () => void }, cmd: ShellCommand): void {
  if (opts.open != null) opts.open(cmd)
  else opts.showWindow()
}

/** Start; returns the function that stops (idempotent), closing what is still shown and clearing the badge. */
export function startChatNotifications (opts: ChatNotificationOptions): () => void {
  const names = trackNicknames(opts.api)
  const budgets = opts.budgets ?? new NotificationBudgets()
  // Electron drops a notification's handlers once the object is garbage collected: keep each until it is done,
  // one per peer (in the order shown), so a flood replaces rather than piles up
  const live = new Map<string, NotificationLike>()
  let stopped = false

  const setBadgeCount = opts.setBadgeCount
  const offs = [
    names.stop,
    ...(setBadgeCount == null ? [] : [trackUnread(opts.api, total => { setBadgeCount(total) })]),
    opts.api.on('chat:notice', notice => { notify(notice) })
  ]

  function notify (notice: ChatNotice): void {
    if (stopped || opts.isFocused() || !opts.isSupported() || opts.allowed?.() === false) return
    const title = plain(names.name(notice.peerId), opts.platform)
    const body = notice.kind === 'request' ? 'wants to chat with you' : plain(truncate(notice.preview), opts.platform)
    // a request is a stranger's; a message comes from a conversation the user accepted
    if (!(notice.kind === 'request' ? budgets.stranger() : budgets.known())) return
    const n = opts.create({ title, body })
    const forget = (): void => { if (live.get(notice.peerId) === n) live.delete(notice.peerId) }
    n.on('click', () => {
      forget()
      if (!stopped) openOrShow(opts, { kind: 'open-view', view: 'chat', peerId: notice.peerId })
    })
    n.on('close', forget)
    const previous = live.get(notice.peerId)
    live.delete(notice.peerId)
    previous?.close()
    live.set(notice.peerId, n)
    while (live.size > MAX_LIVE) {
      const [oldestPeer, oldest] = live.entries().next().value as [string, NotificationLike]
      live.delete(oldestPeer)
      oldest.close()
    }
    n.show()
  }

  return () => {
    if (stopped) return
    stopped = true
    for (const off of offs) off()
    // the app is going: nothing it showed should outlive it, pointing at a window that is gone
    for (const n of [...live.values()]) n.close()
    live.clear()
    setBadgeCount?.(0)
  }
}

/** 12D3KooW…wrRJsNK: enough to tell peers apart at a glance. */
export function shortPeerId (peerId: string): string {
  return peerId.length <= 20 ? peerId : `${peerId.slice(0, 8)}…${peerId.slice(-7)}`
}

/** One line, at most MAX_BODY_CHARS characters. */
export function truncate (text: string): string {
  const chars = [...text.replace(/\s+/g, ' ').trim()]
  return chars.length > MAX_BODY_CHARS ? `${chars.slice(0, MAX_BODY_CHARS - 1).join('')}…` : chars.join('')
}

/**
 * A peer's text made inert for the notification service: control and
 * direction-override characters go (they could reorder or hide what is
 * shown), and on Linux, where notification servers read the body as markup
 * (<a href>, <img src>: Electron passes it to libnotify as it is), the
 * markup characters are escaped.
 */
export function plain (text: string, platform: string): string {
  const visible = inert(text)
  if (platform !== 'linux') return visible
  return visible.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}

/** Text without control and direction-override characters, which could reorder or hide what is shown. */
export function inert (text: string): string {
  // eslint-disable-next-line no-control-regex -- exactly the characters to remove
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, '')
}

/**
 * An incoming call rings on the desktop: one OS notification per call that
 * rings in and is not a request (a stranger's call under the 'contacts'
 * policy is listed, not rung). It stays up while the call rings and closes
 * the moment it stops (answered, declined, cancelled, missed), since a stale
 * "incoming call" is worse than none. Clicking it brings the window forward,
 * where the renderer shows the ringing call (it follows 'call:state' itself).
 * Where Electron shows notification buttons (macOS for a signed app with the
 * alert style, and Windows) it carries Accept and Decline; elsewhere the
 * window's own buttons answer. Do-not-disturb turned on (or the calls
 * switch turned off) while it rings closes it ('settings:update').
 *
 * A contact's ring counts against a per-minute budget of its own, so no flood
 * of strangers' requests can silence it; any other caller's (under the
 * 'everyone' policy) against strangers' part of the shared budget. Rings, like
 * chat notifications, stay away while one of our windows has the focus: the app rings
 * in the page then.
 */
import type { Call, NodeApi } from '../shared/api/index.js'
import type { ShellCommand } from '../shared/shell.js'
import { MAX_LIVE, type NotificationBudgets, openOrShow, plain, trackNicknames, type NotificationLike, type NotificationOptionsLike } from './notifications.js'

/** The buttons, in this order: on macOS the first is the one shown, the other on hover. */
export const CALL_ACTIONS = [{ type: 'button', text: 'Accept' }, { type: 'button', text: 'Decline' }] as const
const ACCEPT = 0
const DECLINE = 1
/** Platforms whose notifications show buttons (Electron's NotificationAction: macOS, Windows). */
const WITH_ACTIONS = new Set(['darwin', 'win32'])
/** Calls remembered as rung, so a ringing call's later events (tunnel, figures) do not ring it again. */
const RUNG_KEPT = 256

export interface CallNotificationOptions {
  api: Pick<NodeApi, 'on' | 'listContacts' | 'acceptCall' | 'declineCall'>
  isSupported: () => boolean
  create: (options: NotificationOptionsLike) => NotificationLike
  isFocused: () => boolean
  /** bring the window forward (restore, show, focus), or open one */
  showWindow: () => void
  /** process.platform: buttons on macOS and Windows; escaping on Linux */
  platform: string
  /** the per-minute limits shared with the other kinds */
  budgets: NotificationBudgets
  /** whether rings may show now (the desktop settings: the calls switch, do-not-disturb); always when absent */
  allowed?: () => boolean
  /** bring the window forward at a view (the caller's conversation, where the call shows); showWindow when absent */
  open?: (cmd: ShellCommand) => void
}

/** Start; returns the function that stops (idempotent), closing what still rings. */
export function startCallNotifications (opts: CallNotificationOptions): () => void {
  const names = trackNicknames(opts.api)
  // call id → its notification; Electron drops the handlers of one that is garbage collected
  const live = new Map<string, NotificationLike>()
  const rung = new Set<string>()
  let stopped = false

  const close = (callId: string): void => {
    const n = live.get(callId)
    live.delete(callId)
    n?.close()
  }
  const view = (call: Call): ShellCommand => ({ kind: 'open-view', view: 'chat', peerId: call.peerId })
  const answer = (call: Call, action: 'acceptCall' | 'declineCall'): void => {
    close(call.id)
    if (stopped) return
    if (action === 'acceptCall') openOrShow(opts, view(call))
    opts.api[action](call.id).catch((err: unknown) => {
      // e.g. the caller hung up in the same moment: the window shows the call as it is
      console.error(`wgt: could not ${action === 'acceptCall' ? 'accept' : 'decline'} the call from the notification`, err)
      opts.showWindow()
    })
  }

  function ring (call: Call): void {
    rung.add(call.id)
    if (rung.size > RUNG_KEPT) rung.delete(rung.values().next().value as string)
    if (opts.isFocused() || !opts.isSupported() || opts.allowed?.() === false) return
    if (!(names.isContact(call.peerId) ? opts.budgets.contactCall() : opts.budgets.stranger())) return
    const options: NotificationOptionsLike = {
      title: plain(names.name(call.peerId), opts.platform),
      body: call.video ? 'Incoming video call' : 'Incoming audio call',
      timeoutType: 'never',
      urgency: 'critical'
    }
    if (WITH_ACTIONS.has(opts.platform)) options.actions = CALL_ACTIONS.map(a => ({ ...a }))
    const n = opts.create(options)
    const forget = (): void => { if (live.get(call.id) === n) live.delete(call.id) }
    n.on('click', () => {
      forget()
      if (!stopped) openOrShow(opts, view(call))
    })
    n.on('action', (details, index) => {
      const actionIndex = details?.actionIndex ?? index
      if (live.get(call.id) !== n) return
      if (actionIndex === ACCEPT) answer(call, 'acceptCall')
      else if (actionIndex === DECLINE) answer(call, 'declineCall')
    })
    n.on('close', forget)
    live.set(call.id, n)
    while (live.size > MAX_LIVE) close(live.keys().next().value as string)
    n.show()
  }

  // do-not-disturb turned on (or the calls switch off) while a call rings: it stops ringing here too
  const offSettings = opts.api.on('settings:update', settings => {
    if (settings.desktop.doNotDisturb || !settings.desktop.notifications.calls) for (const id of [...live.keys()]) close(id)
  })

  const off = opts.api.on('call:state', call => {
    if (stopped || call.outgoing || call.request) return
    if (call.state !== 'ringing') {
      close(call.id)
      return
    }
    if (!rung.has(call.id)) ring(call)
  })

  return () => {
    if (stopped) return
    stopped = true
    off()
    offSettings()
    names.stop()
    for (const id of [...live.keys()]) close(id)
  }
}

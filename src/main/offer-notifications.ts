/**
 * A peer sent a file: one OS notification per offer that lands in the inbox
 * ('offer:new'), closed when the offer leaves it ('offer:remove': accepted or
 * declined, here or in another window). A click opens the Files view, where
 * the inbox is. A stranger's offer (a request, under the 'contacts' policy)
 * is announced without its content, as chat does with a stranger's request.
 * The file's name is the peer's text: made inert (and escaped on Linux).
 */
import type { FileOffer, NodeApi } from '../shared/api/index.js'
import { MAX_LIVE, openOrShow, plain, trackNicknames, truncate, type KindNotifierOptions, type NotificationLike } from './notifications.js'

export interface OfferNotificationOptions extends KindNotifierOptions {
  api: Pick<NodeApi, 'on' | 'listContacts'>
}

/** 1.5 MB: sizes as people read them (decimal units, as file managers on macOS and GNOME show them). */
export function formatSize (bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return ''
  if (bytes < 1000) return `${bytes} B`
  const units = ['kB', 'MB', 'GB', 'TB', 'PB']
  let value = bytes / 1000
  let unit = 0
  while (value >= 1000 && unit < units.length - 1) { value /= 1000; unit++ }
  return `${value >= 100 ? Math.round(value) : value.toFixed(1)} ${units[unit]}`
}

/** Start; returns the function that stops (idempotent), closing what is still shown. */
export function startOfferNotifications (opts: OfferNotificationOptions): () => void {
  const names = trackNicknames(opts.api)
  const live = new Map<string, NotificationLike>()
  let stopped = false

  const close = (offerId: string): void => {
    const n = live.get(offerId)
    live.delete(offerId)
    n?.close()
  }

  function notify (offer: FileOffer): void {
    if (stopped || opts.isFocused() || !opts.isSupported() || opts.allowed?.() === false) return
    // a request is a stranger's (under the 'contacts' policy)
    if (!(offer.request ? opts.budgets.stranger() : opts.budgets.known())) return
    const body = offer.request
      ? 'wants to send you a file'
      : `sent you ${plain(truncate(offer.name), opts.platform)} (${formatSize(offer.size)})`
    const n = opts.create({ title: plain(names.name(offer.from), opts.platform), body })
    const forget = (): void => { if (live.get(offer.id) === n) live.delete(offer.id) }
    n.on('click', () => {
      forget()
      if (!stopped) openOrShow(opts, { kind: 'open-view', view: 'files' })
    })
    n.on('close', forget)
    close(offer.id)
    live.set(offer.id, n)
    while (live.size > MAX_LIVE) close(live.keys().next().value as string)
    n.show()
  }

  const offs = [
    opts.api.on('offer:new', offer => { notify(offer) }),
    opts.api.on('offer:remove', ({ id }) => { close(id) })
  ]

  return () => {
    if (stopped) return
    stopped = true
    for (const off of offs) off()
    names.stop()
    for (const id of [...live.keys()]) close(id)
  }
}

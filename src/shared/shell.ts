/**
 * What the desktop shell (Electron main: tray, notifications, wgt:// links)
 * asks the renderer to do. Main sends these over the preload's shell channel;
 * the renderer receives them through window.wgtShell.onCommand. A browser
 * served by `wgt daemon` has no shell and receives none.
 *
 * Nothing here fetches or adds anything by itself: a link only opens the
 * renderer's confirmation (name, size, who serves it), and a contact link
 * only opens the add-contact flow filled in; the person decides.
 */
import { LINK_PATTERN } from './api/schemas.js'
import { CONTACT_LINK_PREFIX, parseContactLink } from './contact-link.js'

/** The views a shell command can open (the renderer's navigation ids). */
export const SHELL_VIEWS = ['map', 'network', 'files', 'chat', 'compute', 'contacts', 'settings'] as const
export type ShellView = typeof SHELL_VIEWS[number]

export type ShellCommand =
  /** show a view; `peerId` selects that peer's conversation (chat) or call, `fileId` a file (files) */
  | { kind: 'open-view', view: ShellView, peerId?: string, fileId?: string }
  /** a wgt://<id>#<key> file link opened from outside: ask, then fetch */
  | { kind: 'open-link', link: string }
  /** a wgt://contact/ link opened from outside: the add-contact flow, filled in */
  | { kind: 'add-contact', link: string }

/** A wgt:// URL handed to the app (argv, open-url, second-instance) as the command it asks for; null when it is neither kind. */
export function commandForUrl (url: string): ShellCommand | null {
  const trimmed = url.trim()
  if (trimmed.length > 4096) return null
  if (trimmed.startsWith(CONTACT_LINK_PREFIX)) {
    try {
      parseContactLink(trimmed)
      return { kind: 'add-contact', link: trimmed }
    } catch {
      return null
    }
  }
  // browsers and desktop launchers may append a slash before the fragment (wgt://bafy…/#key)
  const file = trimmed.replace(/^(wgt:\/\/[a-z2-7]+)\/#/, '$1#')
  return LINK_PATTERN.test(file) ? { kind: 'open-link', link: file } : null
}

/** Checks a value that crossed a process boundary; null when it is not a well-formed command. */
export function parseShellCommand (value: unknown): ShellCommand | null {
  if (typeof value !== 'object' || value === null) return null
  const v = value as Record<string, unknown>
  const opt = (x: unknown): x is string | undefined => x === undefined || (typeof x === 'string' && x.length <= 256)
  switch (v.kind) {
    case 'open-view':
      if (!SHELL_VIEWS.includes(v.view as ShellView) || !opt(v.peerId) || !opt(v.fileId)) return null
      return { kind: 'open-view', view: v.view as ShellView, peerId: v.peerId as string | undefined, fileId: v.fileId as string | undefined }
    case 'open-link':
    case 'add-contact': {
      if (typeof v.link !== 'string') return null
      const cmd = commandForUrl(v.link)
      return cmd?.kind === v.kind ? cmd : null
    }
    default:
      return null
  }
}

/**
 * The web permissions of the renderer's session. Electron asks twice, and
 * both answers come from one rule (allowed()): the request handler when a
 * page asks for a permission, the check handler when Chromium only wants to
 * know (permissions.query, device labels, before many requests). Answering
 * them differently makes pages behave oddly, or lets one path through.
 *
 * Camera, microphone and screen capture need our renderer's main frame and
 * a media grant (media-grants.ts); writing to the clipboard (copy buttons)
 * needs our renderer only; everything else is refused. Electron objects are
 * passed in (structurally typed) so this is tested without an Electron binary.
 */
import type { MediaGrants } from './media-grants.js'

/** Permissions our renderer uses without a grant: copy buttons write to the clipboard. */
const ALWAYS_ALLOWED = new Set<string>(['clipboard-sanitized-write'])
/** Camera and microphone ('media'), screen, window or tab capture ('display-capture'). */
const MEDIA = new Set<string>(['media', 'display-capture'])

/** A capturable screen, as desktopCapturer.getSources describes one. */
export interface ScreenSource { id: string, name: string }

/** What we use of an Electron Session. */
export interface PermissionSessionLike {
  setPermissionRequestHandler: (handler: (contents: unknown, permission: string, callback: (granted: boolean) => void,
    details: { requestingUrl: string, isMainFrame: boolean }) => void) => void
  setPermissionCheckHandler: (handler: (contents: unknown, permission: string, requestingOrigin: string,
    details: { isMainFrame: boolean }) => boolean) => void
  setDisplayMediaRequestHandler: (handler: (request: { frame: { url: string, parent: unknown } | null, securityOrigin: string },
    callback: (streams: { video: ScreenSource } | null) => void) => void) => void
}

export interface PermissionPolicy {
  /** whether a URL or origin belongs to our renderer (RendererOrigin.isTrusted) */
  isTrusted: (urlOrOrigin: string) => boolean
  grants: MediaGrants
  /** the screens getDisplayMedia may capture, primary first (desktopCapturer) */
  screens: () => Promise<ScreenSource[]>
}

export function applyPermissionPolicy (session: PermissionSessionLike, policy: PermissionPolicy): void {
  const allowed = (permission: string, urlOrOrigin: string, isMainFrame: boolean): boolean => {
    if (!policy.isTrusted(urlOrOrigin)) return false
    if (MEDIA.has(permission)) return isMainFrame && policy.grants.has()
    return ALWAYS_ALLOWED.has(permission)
  }
  session.setPermissionRequestHandler((_contents, permission, callback, details) => {
    callback(allowed(permission, details.requestingUrl, details.isMainFrame))
  })
  // A 'media' check carries mediaType video, audio or unknown; all three need the grant.
  session.setPermissionCheckHandler((_contents, permission, requestingOrigin, details) => {
    return allowed(permission, requestingOrigin, details.isMainFrame)
  })
  // getDisplayMedia comes here, not to the request handler. Electron's default refuses
  // it, but so would nothing else once a handler exists: the grant decides here too.
  // Not useSystemPicker: where the macOS picker exists it bypasses this handler.
  session.setDisplayMediaRequestHandler((request, callback) => {
    const frame = request.frame
    if (frame == null || frame.parent != null || !allowed('display-capture', frame.url, true) || !policy.isTrusted(request.securityOrigin)) {
      callback(null)
      return
    }
    // The primary screen, as Electron's own example does; a picker of screens and
    // windows belongs to the calls capability, which will also be what grants.
    policy.screens().then(screens => {
      callback(screens.length > 0 && policy.grants.has() ? { video: screens[0] } : null)
    }, () => { callback(null) })
  })
}

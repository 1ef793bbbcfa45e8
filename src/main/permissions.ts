/**
 * The web permissions of the renderer's session. Electron asks twice, and
 * both answers come from one rule (allowed()): the request handler when a
 * page asks for a permission, the check handler when Chromium only wants to
 * know (permissions.query, device labels, before many requests). Answering
 * them differently makes pages behave oddly, or lets one path through.
 *
 * Camera, microphone and screen capture need our renderer's main frame and
 * a media grant (media-grants.ts), and screen capture the user's choice in
 * the screen picker (screen-picker.ts); writing to the clipboard (copy buttons)
 * needs our renderer only; everything else is refused. Electron objects are
 * passed in (structurally typed) so this is tested without an Electron binary.
 */
import type { MediaGrants } from './media-grants.js'

/** Permissions our renderer uses without a grant: copy buttons write to the clipboard. */
const ALWAYS_ALLOWED = new Set<string>(['clipboard-sanitized-write'])
/** Camera and microphone ('media'), screen, window or tab capture ('display-capture'). */
const MEDIA = new Set<string>(['media', 'display-capture'])

/** The screen or window getDisplayMedia captures: desktopCapturer's id and name. */
export interface CaptureSource { id: string, name: string }

/** The frame asking for display media (Electron's WebFrameMain); null once it is gone. */
export interface DisplayFrameLike { url: string, parent: unknown }

/** What we use of an Electron Session. */
export interface PermissionSessionLike {
  setPermissionRequestHandler: (handler: (contents: unknown, permission: string, callback: (granted: boolean) => void,
    details: { requestingUrl: string, isMainFrame: boolean }) => void) => void
  setPermissionCheckHandler: (handler: (contents: unknown, permission: string, requestingOrigin: string,
    details: { isMainFrame: boolean }) => boolean) => void
  setDisplayMediaRequestHandler: (handler: (request: { frame: DisplayFrameLike | null, securityOrigin: string },
    callback: (streams: { video: CaptureSource } | null) => void) => void) => void
}

export interface PermissionPolicy {
  /** whether a URL or origin belongs to our renderer (RendererOrigin.isTrusted) */
  isTrusted: (urlOrOrigin: string) => boolean
  grants: MediaGrants
  /**
   * Ask the user which screen or window to share (screen-picker.ts); null when
   * they cancel. `signal` aborts when the last grant goes (the call ended with
   * the picker open), and the picker then closes. `frame` is the one asking.
   */
  chooseSource: (frame: DisplayFrameLike, signal: AbortSignal) => Promise<CaptureSource | null>
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
  // One picker at a time: a second request while one is open is refused, so a page
  // cannot stack pickers; getDisplayMedia rejects when the answer is null.
  let picking = false
  session.setDisplayMediaRequestHandler((request, callback) => {
    const frame = request.frame
    if (picking || frame == null || frame.parent != null || !allowed('display-capture', frame.url, true) || !policy.isTrusted(request.securityOrigin)) {
      callback(null)
      return
    }
    picking = true
    const abort = new AbortController()
    const off = policy.grants.onChange(() => { if (!policy.grants.has()) abort.abort() })
    const answer = (source: CaptureSource | null): void => {
      picking = false
      off()
      // only what the picker chose, and only if a call still holds a grant
      const streams = source != null && !abort.signal.aborted && policy.grants.has() ? { video: { id: source.id, name: source.name } } : null
      try {
        callback(streams)
      } catch (err) {
        // the request can be gone by now (the page navigated or closed): there is no one left to answer
        console.error('wgt: could not answer a screen share request', err)
      }
    }
    policy.chooseSource(frame, abort.signal).then(answer, (err: unknown) => {
      console.error('wgt: the screen picker failed', err)
      answer(null)
    })
  })
}

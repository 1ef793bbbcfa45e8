/**
 * Close to tray: with NodeSettings.desktop.closeToTray set and a tray to come
 * back from, closing the window hides it and the app (and its node) keeps
 * running; Quit in the tray or the app menu quits for real. macOS keeps its
 * own convention (closing a window never quits there; the Dock and the menu
 * bar bring it back), so nothing is intercepted there. Without a tray (its
 * creation failed) a window is never hidden: it would be the only way back.
 */

/** What we use of a BrowserWindow. */
export interface ClosableWindowLike {
  on: ((event: 'close', listener: (event: { preventDefault: () => void }) => void) => unknown) &
  ((event: 'session-end', listener: () => void) => unknown)
  hide: () => void
}

export interface CloseToTrayOptions {
  platform: string
  /** the closeToTray setting as last read; null until known (then closing closes) */
  closeToTray: () => boolean | null
  /** whether the tray is up */
  hasTray: () => boolean
  /** a window was just hidden to the tray */
  onHidden?: () => void
}

export class CloseToTray {
  private quitting = false

  constructor (private readonly opts: CloseToTrayOptions) {}

  /** the app is quitting (before-quit, a signal): windows close from now on */
  quit (): void { this.quitting = true }

  /** whether closing a window should hide it now */
  hides (): boolean {
    return this.opts.platform !== 'darwin' && !this.quitting && this.opts.closeToTray() === true && this.opts.hasTray()
  }

  /** Follow a window's close button; call once, when it is created. */
  attach (win: ClosableWindowLike): void {
    win.on('close', event => {
      if (!this.hides()) return
      event.preventDefault()
      win.hide()
      this.opts.onHidden?.()
    })
    // Windows is logging off or shutting down: a window that refuses to close would hold it up
    win.on('session-end', () => { this.quit() })
  }
}

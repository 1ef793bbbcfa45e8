/**
 * What the app does with a command from the desktop shell (tray,
 * notifications, wgt:// links): show a view, ask before fetching a link, or
 * open Add a contact filled in. Nothing is fetched or sent from here: the
 * person confirms in the view the command opens. Pure over the store, so it
 * is unit-tested.
 */
import type { ShellCommand } from '../../../shared/shell.js'
import { VIEW_IDS, type ViewId } from './app-slice.js'
import type { WgtStore } from './slices.js'

/** The shell may name a view this build of the renderer does not have (yet): such a command shows nothing. */
function knownView (view: string): ViewId | null {
  return VIEW_IDS.find(id => id === view) ?? null
}

export function applyShellCommand (store: WgtStore, cmd: ShellCommand): void {
  const s = store.getState()
  switch (cmd.kind) {
    case 'open-view': {
      const view = knownView(cmd.view)
      if (view == null) return
      // a notification about a message or a call opens that peer's conversation
      if (view === 'chat' && cmd.peerId != null) s.openConversation(cmd.peerId)
      s.showView(view)
      // a notification about a transfer points at its file
      if (view === 'files' && cmd.fileId != null) revealFile(cmd.fileId)
      return
    }
    case 'open-link':
      s.promptLink(cmd.link)
      return
    case 'add-contact':
      s.draftContact(cmd.link)
      s.showView('contacts')
  }
}

/** Scroll a file's row into view and put focus on its first action, once the Files view has drawn it. */
function revealFile (fileId: string): void {
  if (typeof document === 'undefined') return
  let tries = 0
  const find = (): void => {
    const row = [...document.querySelectorAll<HTMLElement>('tr[data-file-id]')].find(r => r.dataset.fileId === fileId)
    if (row != null) {
      row.scrollIntoView({ block: 'center' })
      row.querySelector<HTMLElement>('button, a[href]')?.focus({ preventScroll: true })
      return
    }
    // the view, or the file list, may still be loading
    if (++tries < 40) setTimeout(find, 50)
  }
  setTimeout(find, 0)
}

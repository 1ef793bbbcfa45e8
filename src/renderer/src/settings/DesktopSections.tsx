/**
 * Notifications and the desktop app's behaviour (NodeSettings.desktop). They
 * are kept with the node's settings, so every window and the CLI edit the
 * same choices and see each other's changes (settings:update); only the
 * Electron app acts on them. In a browser tab, served by `wgt daemon`, the
 * sections say so.
 */
import type { DesktopSettings, NotificationChoices } from '../../../shared/api/index.js'
import { useApp, useWgt } from '../app/context.js'
import { ErrorNotice } from '../ui/ErrorNotice.js'
import { useAction } from '../ui/useAction.js'

type DesktopPatch = Partial<Omit<DesktopSettings, 'notifications'>> & { notifications?: Partial<NotificationChoices> }

const KINDS: Array<{ key: keyof NotificationChoices, label: string, help: string }> = [
  { key: 'messages', label: 'Messages', help: 'a chat message arrives' },
  { key: 'calls', label: 'Calls', help: 'someone calls you' },
  { key: 'offers', label: 'Files sent to you', help: 'a peer offers you a file' },
  { key: 'transfers', label: 'Transfers', help: 'a share or fetch you started has finished or failed' }
]

/** Saves a patch of the desktop settings; the node's answer (and its settings:update event) is what the boxes then show. */
function useDesktopUpdate (): { busy: boolean, error: ReturnType<typeof useAction>['error'], clear: () => void, update: (patch: DesktopPatch) => void } {
  const { api, store } = useApp()
  const { busy, error, run, clear } = useAction()
  return {
    busy,
    error,
    clear,
    update: (desktop) => { void run('save', async () => { store.getState().settingsChanged(await api.updateSettings({ desktop })) }) }
  }
}

function BrowserNote ({ what }: { what: string }): React.JSX.Element | null {
  const { host } = useApp()
  if (host.kind !== 'browser') return null
  return <p className='settings-note' data-testid='desktop-only'>{what} apply to the WGT desktop app. This browser tab, served by <span className='mono'>wgt daemon</span>, keeps them for it but does not act on them.</p>
}

export function NotificationsSection (): React.JSX.Element {
  const desktop = useWgt(s => s.settings?.desktop ?? null)
  const { busy, error, clear, update } = useDesktopUpdate()
  return (
    <section className='card' aria-labelledby='notifications-title' data-testid='notification-settings'>
      <h2 id='notifications-title'>Notifications</h2>
      <BrowserNote what='Notifications' />
      {desktop == null
        ? <p className='muted'>Loading…</p>
        : (
          <>
            <label className='check'>
              <input type='checkbox' checked={desktop.doNotDisturb} disabled={busy} data-testid='dnd'
                onChange={e => { update({ doNotDisturb: e.target.checked }) }} />
              <span>Do not disturb <span className='muted'>— no notifications at all; the unread counts still show in the app and the tray</span></span>
            </label>
            <fieldset className='check-list' disabled={busy}>
              <legend>Notify me when{desktop.doNotDisturb ? <span className='muted'> (silenced while Do not disturb is on)</span> : null}</legend>
              {KINDS.map(k => (
                <label key={k.key} className='check'>
                  <input type='checkbox' checked={desktop.notifications[k.key]} data-testid={`notify-${k.key}`}
                    onChange={e => { update({ notifications: { [k.key]: e.target.checked } }) }} />
                  <span>{k.label} <span className='muted'>— {k.help}</span></span>
                </label>
              ))}
            </fieldset>
            <p className='muted'>Shown only while the WGT window is not in front.</p>
          </>)}
      {error != null && <ErrorNotice error={error} compact onDismiss={clear} />}
    </section>
  )
}

export function DesktopSection (): React.JSX.Element {
  const desktop = useWgt(s => s.settings?.desktop ?? null)
  const { busy, error, clear, update } = useDesktopUpdate()
  return (
    <section className='card' aria-labelledby='desktop-title' data-testid='desktop-settings'>
      <h2 id='desktop-title'>Desktop app</h2>
      <BrowserNote what='These choices' />
      {desktop == null
        ? <p className='muted'>Loading…</p>
        : (
          <>
            <label className='check'>
              <input type='checkbox' checked={desktop.startAtLogin} disabled={busy} data-testid='start-at-login'
                onChange={e => { update({ startAtLogin: e.target.checked }) }} />
              <span>Start WGT when I log in</span>
            </label>
            <label className='check check-nested'>
              <input type='checkbox' checked={desktop.startHidden} disabled={busy || !desktop.startAtLogin} data-testid='start-hidden'
                onChange={e => { update({ startHidden: e.target.checked }) }} />
              <span>…in the tray, with no window <span className='muted'>— the node runs; click the tray icon to open WGT</span></span>
            </label>
            <label className='check'>
              <input type='checkbox' checked={desktop.closeToTray} disabled={busy} data-testid='close-to-tray'
                onChange={e => { update({ closeToTray: e.target.checked }) }} />
              <span>Closing the window keeps WGT running in the tray <span className='muted'>— peers can still reach you and your shards stay served; Quit is in the tray menu</span></span>
            </label>
          </>)}
      {error != null && <ErrorNotice error={error} compact onDismiss={clear} />}
    </section>
  )
}

/**
 * The desktop shell's settings (NodeSettings.desktop) as the node says them:
 * read once at start, then followed through 'settings:update', which the node
 * emits after every change from any client.
 */
import type { DesktopSettings, NodeApi, NotificationChoices } from '../shared/api/index.js'

export interface DesktopSettingsWatch {
  /** the latest settings; null until the node has answered */
  current: () => DesktopSettings | null
  /** whether an OS notification of this kind may show: not before the settings are known, never under do-not-disturb */
  allows: (kind: keyof NotificationChoices) => boolean
  stop: () => void
}

/** onChange runs with the settings each time they are learnt (first read included) and the ones before (null the first time). */
export function watchDesktopSettings (
  api: Pick<NodeApi, 'on' | 'getSettings'>,
  onChange: (now: DesktopSettings, before: DesktopSettings | null) => void = () => {}
): DesktopSettingsWatch {
  let settings: DesktopSettings | null = null
  let stopped = false
  const learn = (next: DesktopSettings): void => {
    if (stopped) return
    const before = settings
    settings = next
    try {
      onChange(next, before)
    } catch (err) {
      console.error('wgt: could not apply the desktop settings', err)
    }
  }
  const off = api.on('settings:update', s => { learn(s.desktop) })
  api.getSettings().then(s => {
    // an update that came meanwhile is newer than this answer
    if (settings == null) learn(s.desktop)
  }).catch((err: unknown) => { console.error('wgt: could not read the desktop settings', err) })
  return {
    current: () => settings,
    allows: kind => settings != null && !settings.doNotDisturb && settings.notifications[kind],
    stop: () => {
      if (stopped) return
      stopped = true
      off()
    }
  }
}

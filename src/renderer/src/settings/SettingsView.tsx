/**
 * Settings: everything a person chooses for this node and this app, in one
 * page of sections with a small in-page list to jump between them. The
 * sections other capabilities own (storage, policies, calls, contribution)
 * are theirs, shown here as they are.
 *
 * The list moves focus rather than using #anchors: the page's fragment holds
 * the browser UI's access token, and changing it reloads the page.
 */
import type { ComponentType } from 'react'
import { CallSettingsSection } from '../calls/CallSettingsSection.js'
import { ContributeSection } from '../compute/ContributeSection.js'
import { PoliciesSection } from '../guard/PoliciesSection.js'
import { setPreference, useTheme, type ThemePreference } from '../theme.js'
import { AboutSection } from './AboutSection.js'
import { DesktopSection, NotificationsSection } from './DesktopSections.js'
import { FilesSection } from './FilesSection.js'
import { StorageSection } from './StorageSection.js'
import './settings.css'

const THEMES: Array<{ value: ThemePreference, label: string }> = [
  { value: 'system', label: 'Follow the system' },
  { value: 'light', label: 'Light' },
  { value: 'dark', label: 'Dark' }
]

function AppearanceSection (): React.JSX.Element {
  const { preference } = useTheme()
  return (
    <section className='card' aria-labelledby='appearance-title'>
      <h2 id='appearance-title'>Appearance</h2>
      <fieldset className='radio-row'>
        <legend className='visually-hidden'>Theme</legend>
        {THEMES.map(t => (
          <label key={t.value} className='check'>
            <input type='radio' name='theme' value={t.value} checked={preference === t.value} onChange={() => { setPreference(t.value) }} />
            {t.label}
          </label>
        ))}
      </fieldset>
    </section>
  )
}

export const SETTINGS_SECTIONS: ReadonlyArray<{ id: string, label: string, Section: ComponentType }> = [
  { id: 'appearance', label: 'Appearance', Section: AppearanceSection },
  { id: 'notifications', label: 'Notifications', Section: NotificationsSection },
  { id: 'desktop', label: 'Desktop app', Section: DesktopSection },
  { id: 'files', label: 'Files', Section: FilesSection },
  { id: 'storage', label: 'Storage', Section: StorageSection },
  { id: 'policies', label: 'Policies', Section: PoliciesSection },
  { id: 'calls', label: 'Calls', Section: CallSettingsSection },
  { id: 'contribute', label: 'Contribute', Section: ContributeSection },
  { id: 'about', label: 'About', Section: AboutSection }
]

/** Scroll a section to the top and put focus on its heading, so the keyboard carries on from there. */
function goTo (id: string): void {
  const el = document.getElementById(`settings-${id}`)
  if (el == null) return
  el.scrollIntoView({ block: 'start' })
  const heading = el.querySelector<HTMLElement>('h2')
  if (heading == null) return
  heading.tabIndex = -1
  heading.focus({ preventScroll: true })
}

export function SettingsView (): React.JSX.Element {
  return (
    <div className='settings-page'>
      <nav className='settings-nav' aria-label='Settings sections'>
        <ul>
          {SETTINGS_SECTIONS.map(s => (
            <li key={s.id}><button type='button' className='settings-nav-item' onClick={() => { goTo(s.id) }}>{s.label}</button></li>
          ))}
        </ul>
      </nav>
      <div className='settings-sections'>
        {SETTINGS_SECTIONS.map(({ id, Section }) => (
          <div key={id} id={`settings-${id}`} className='settings-anchor' data-section={id}><Section /></div>
        ))}
      </div>
    </div>
  )
}

/**
 * The app's views, in navigation order. A view appears when its capability
 * works (calls and compute join here as they arrive); its
 * badge is a count worth attention, shown in the navigation and the title.
 */
import type { ComponentType } from 'react'
import { ChatNotices } from '../chat/ChatNotices.js'
import { ChatView } from '../chat/ChatView.js'
import { chatBadge } from '../chat/state.js'
import { ComputeView } from '../compute/ComputeView.js'
import { FilesView } from '../files/FilesView.js'
import { inboxCount } from '../files/slice.js'
import { ContactsView } from '../guard/ContactsView.js'
import { requestCount } from '../guard/state.js'
import { MapView } from '../map/MapView.js'
import { NetworkView } from '../net/NetworkView.js'
import { SettingsView } from '../settings/SettingsView.js'
import type { ViewId } from './app-slice.js'
import type { WgtState } from './slices.js'

export interface ViewDef {
  id: ViewId
  label: string
  View: ComponentType
  /** a count worth attention (offers or requests waiting), or 0 */
  badge?: (s: WgtState) => number
  badgeLabel?: string
  /** shown over every view (chat's notices of new messages) */
  Overlay?: ComponentType
}

export const VIEWS: readonly ViewDef[] = [
  { id: 'map', label: 'Map', View: MapView },
  { id: 'network', label: 'Network', View: NetworkView },
  { id: 'files', label: 'Files', View: FilesView, badge: inboxCount, badgeLabel: 'offers waiting' },
  { id: 'chat', label: 'Chat', View: ChatView, badge: chatBadge, badgeLabel: 'unread messages and requests', Overlay: ChatNotices },
  { id: 'compute', label: 'Compute', View: ComputeView },
  { id: 'contacts', label: 'Contacts', View: ContactsView, badge: requestCount, badgeLabel: 'requests waiting' },
  { id: 'settings', label: 'Settings', View: SettingsView }
]

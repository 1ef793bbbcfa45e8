/**
 * The user's settings for this node, in its datastore under /wgt/settings,
 * so they survive restarts and apply to the desktop app and the daemon alike.
 * Reads are synchronous (loaded at open); every change is written before it
 * is announced.
 */
import { Key, type Datastore } from 'interface-datastore'
import { DEFAULT_DESKTOP_SETTINGS, type DesktopSettings, type NodeSettings } from '../../../shared/api/settings.js'
import { WgtError } from '../../../shared/errors.js'

const KEY = new Key('/wgt/settings/node')
const encoder = new TextEncoder()
const decoder = new TextDecoder()

export class SettingsBook {
  private current: NodeSettings
  private readonly listeners = new Set<(s: NodeSettings) => void>()

  private constructor (private readonly datastore: Datastore, initial: NodeSettings) {
    this.current = initial
  }

  /** Stored values win over the defaults; a stored value of the wrong type is ignored. */
  static async open (datastore: Datastore, defaults: NodeSettings): Promise<SettingsBook> {
    let stored: Partial<Record<keyof NodeSettings, unknown>> = {}
    try {
      stored = JSON.parse(decoder.decode(await datastore.get(KEY)))
    } catch (err) {
      if ((err as Error).name !== 'NotFoundError' && !(err instanceof SyntaxError)) throw WgtError.from(err, 'UNAVAILABLE')
    }
    return new SettingsBook(datastore, {
      downloadDir: typeof stored.downloadDir === 'string' && stored.downloadDir !== '' ? stored.downloadDir : defaults.downloadDir,
      keepFetchedShards: typeof stored.keepFetchedShards === 'boolean' ? stored.keepFetchedShards : defaults.keepFetchedShards,
      desktop: desktopFrom(stored.desktop)
    })
  }

  get (): NodeSettings {
    return structuredClone(this.current)
  }

  async update (patch: SettingsPatch): Promise<NodeSettings> {
    const { desktop, ...top } = patch
    const next: NodeSettings = { ...this.current, ...Object.fromEntries(Object.entries(top).filter(([, v]) => v !== undefined)) }
    if (desktop != null) {
      const { notifications, ...flags } = desktop
      next.desktop = {
        ...this.current.desktop,
        ...defined(flags),
        notifications: { ...this.current.desktop.notifications, ...defined(notifications ?? {}) }
      }
    }
    await this.datastore.put(KEY, encoder.encode(JSON.stringify(next)))
    this.current = next
    for (const l of this.listeners) l(this.get())
    return this.get()
  }

  onChange (listener: (s: NodeSettings) => void): () => void {
    this.listeners.add(listener)
    return () => { this.listeners.delete(listener) }
  }
}

/** A patch as updateSettings takes it: `desktop` and its `notifications` merge field by field. */
export interface SettingsPatch {
  downloadDir?: string
  keepFetchedShards?: boolean
  desktop?: Partial<Omit<DesktopSettings, 'notifications'>> & { notifications?: Partial<DesktopSettings['notifications']> }
}

function defined<T extends object> (o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>
}

/** Stored desktop choices over the defaults, field by field; a field of the wrong type keeps its default. */
function desktopFrom (stored: unknown): DesktopSettings {
  const d = typeof stored === 'object' && stored !== null ? stored as Record<string, unknown> : {}
  const n = typeof d.notifications === 'object' && d.notifications !== null ? d.notifications as Record<string, unknown> : {}
  const bool = (v: unknown, fallback: boolean): boolean => (typeof v === 'boolean' ? v : fallback)
  const dn = DEFAULT_DESKTOP_SETTINGS.notifications
  return {
    notifications: { messages: bool(n.messages, dn.messages), calls: bool(n.calls, dn.calls), offers: bool(n.offers, dn.offers), transfers: bool(n.transfers, dn.transfers) },
    doNotDisturb: bool(d.doNotDisturb, DEFAULT_DESKTOP_SETTINGS.doNotDisturb),
    startAtLogin: bool(d.startAtLogin, DEFAULT_DESKTOP_SETTINGS.startAtLogin),
    startHidden: bool(d.startHidden, DEFAULT_DESKTOP_SETTINGS.startHidden),
    closeToTray: bool(d.closeToTray, DEFAULT_DESKTOP_SETTINGS.closeToTray)
  }
}

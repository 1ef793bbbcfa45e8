/** settings: what the user chooses for this node, persisted in its data directory, and what it runs on. */
import { carries, method, returns } from './define.js'
import { localPathSchema } from './schemas.js'

/** Which OS notifications the desktop app shows (each also needs the window to be out of focus). */
export interface NotificationChoices {
  messages: boolean
  calls: boolean
  /** a peer sent a file (an offer) */
  offers: boolean
  /** a share or fetch this node ran has finished (or failed) */
  transfers: boolean
}

/**
 * The desktop shell's choices. Kept with the node's settings so every UI
 * edits them through the one API; only the Electron app acts on them (the
 * daemon keeps and ignores them).
 */
export interface DesktopSettings {
  notifications: NotificationChoices
  /** silence every OS notification (the badge and the tray still count) */
  doNotDisturb: boolean
  /** launch when the user logs in (login item on macOS and Windows, an autostart .desktop file on Linux) */
  startAtLogin: boolean
  /** when launched at login, stay in the tray with no window */
  startHidden: boolean
  /** closing the window keeps the app (and the node) running in the tray */
  closeToTray: boolean
}

export interface NodeSettings {
  /** where fetched files are saved when no output path is given */
  downloadDir: string
  /**
   * after fetching a file, keep the verified shards and serve them to others
   * (counted in this node's own storage), so a file gets more durable as it spreads
   */
  keepFetchedShards: boolean
  desktop: DesktopSettings
}

export const DEFAULT_DESKTOP_SETTINGS: DesktopSettings = Object.freeze({
  notifications: Object.freeze({ messages: true, calls: true, offers: true, transfers: true }),
  doNotDisturb: false,
  startAtLogin: false,
  startHidden: true,
  closeToTray: true
}) as DesktopSettings

export interface About {
  wgt: string
  node: string
  v8: string
  /** set when the node runs inside the desktop app */
  electron: string | null
  chrome: string | null
  libp2p: string
  platform: string
  arch: string
  dataDir: string
}

export const settings = {
  name: 'settings',
  methods: {
    getSettings: method({ args: z => z.tuple([]), result: returns<NodeSettings>() }),
    /** a partial patch; `desktop` and `desktop.notifications` merge field by field */
    updateSettings: method({
      args: z => z.tuple([z.object({
        downloadDir: localPathSchema(z).optional(),
        keepFetchedShards: z.boolean().optional(),
        desktop: z.object({
          notifications: z.object({
            messages: z.boolean().optional(),
            calls: z.boolean().optional(),
            offers: z.boolean().optional(),
            transfers: z.boolean().optional()
          }).strict().optional(),
          doNotDisturb: z.boolean().optional(),
          startAtLogin: z.boolean().optional(),
          startHidden: z.boolean().optional(),
          closeToTray: z.boolean().optional()
        }).strict().optional()
      }).strict()]),
      result: returns<NodeSettings>()
    }),
    getAbout: method({ args: z => z.tuple([]), result: returns<About>() })
  },
  events: {
    /** the settings after every change, from any client */
    'settings:update': carries<NodeSettings>()
  }
} as const

/** settings: what the user chooses for this node, persisted in its data directory, and what it runs on. */
import { method, returns } from './define.js'
import { localPathSchema } from './schemas.js'

export interface NodeSettings {
  /** where fetched files are saved when no output path is given */
  downloadDir: string
  /**
   * after fetching a file, keep the verified shards and serve them to others
   * (counted in this node's own storage), so a file gets more durable as it spreads
   */
  keepFetchedShards: boolean
}

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
    updateSettings: method({
      args: z => z.tuple([z.object({
        downloadDir: localPathSchema(z).optional(),
        keepFetchedShards: z.boolean().optional()
      }).strict()]),
      result: returns<NodeSettings>()
    }),
    getAbout: method({ args: z => z.tuple([]), result: returns<About>() })
  },
  events: {}
} as const

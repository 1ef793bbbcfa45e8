/**
 * The user's settings for this node, in its datastore under /wgt/settings,
 * so they survive restarts and apply to the desktop app and the daemon alike.
 * Reads are synchronous (loaded at open); every change is written before it
 * is announced.
 */
import { Key, type Datastore } from 'interface-datastore'
import type { NodeSettings } from '../../../shared/api/index.js'
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
      keepFetchedShards: typeof stored.keepFetchedShards === 'boolean' ? stored.keepFetchedShards : defaults.keepFetchedShards
    })
  }

  get (): NodeSettings {
    return { ...this.current }
  }

  async update (patch: Partial<NodeSettings>): Promise<NodeSettings> {
    const next = { ...this.current, ...Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) }
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

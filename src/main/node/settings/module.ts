/** The settings capability: persisted user choices (download folder, keeping fetched shards) and what the node runs on. */
import { mkdir } from 'node:fs/promises'
import { isAbsolute } from 'node:path'
import type { SliceApi, settings } from '../../../shared/api/index.js'
import { DEFAULT_DESKTOP_SETTINGS } from '../../../shared/api/settings.js'
import { WgtError } from '../../../shared/errors.js'
import { WGT_VERSION } from '../config.js'
import { part, type NodeModule } from '../module.js'
import { SettingsBook } from './settings-book.js'
import { LIBP2P_VERSION } from './versions.js'

export const SETTINGS = part<SettingsBook>('settings.book')

export const settingsModule: NodeModule = {
  name: 'settings',
  open: async ctx => {
    ctx.provide(SETTINGS, await SettingsBook.open(ctx.datastore, { downloadDir: ctx.config.downloadDir, keepFetchedShards: true, desktop: structuredClone(DEFAULT_DESKTOP_SETTINGS) }))
  },
  start: ctx => {
    const book = ctx.need(SETTINGS)
    const off = book.onChange(s => { ctx.events.emit('settings:update', s) })
    const api: SliceApi<typeof settings> = {
      getSettings: async () => book.get(),
      updateSettings: async (patch) => {
        if (patch.downloadDir != null) {
          if (!isAbsolute(patch.downloadDir)) throw new WgtError('INVALID_INPUT', `the download folder must be an absolute path, got ${patch.downloadDir}`)
          try {
            await mkdir(patch.downloadDir, { recursive: true })
          } catch (err) {
            throw new WgtError('INVALID_INPUT', `cannot use ${patch.downloadDir} as the download folder: ${(err as Error).message}`, { cause: err })
          }
        }
        return await book.update(patch)
      },
      getAbout: async () => ({
        wgt: WGT_VERSION,
        node: process.versions.node,
        v8: process.versions.v8,
        electron: process.versions.electron ?? null,
        chrome: process.versions.chrome ?? null,
        libp2p: LIBP2P_VERSION,
        platform: process.platform,
        arch: process.arch,
        dataDir: ctx.config.dataDir
      })
    }
    return { api, stop: off }
  }
}

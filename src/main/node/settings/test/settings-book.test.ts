import { MemoryDatastore } from 'datastore-core'
import { Key } from 'interface-datastore'
import { describe, expect, it } from 'vitest'
import { DEFAULT_DESKTOP_SETTINGS, type NodeSettings } from '../../../../shared/api/settings.js'
import { SettingsBook } from '../settings-book.js'

const DEFAULTS: NodeSettings = { downloadDir: '/tmp/dl', keepFetchedShards: true, desktop: structuredClone(DEFAULT_DESKTOP_SETTINGS) }

describe('SettingsBook', () => {
  it('merges desktop choices field by field and keeps them across a reopen', async () => {
    const ds = new MemoryDatastore()
    const book = await SettingsBook.open(ds, DEFAULTS)
    const seen: NodeSettings[] = []
    book.onChange(s => { seen.push(s) })
    await book.update({ desktop: { doNotDisturb: true, notifications: { offers: false } } })
    const after = book.get()
    expect(after.desktop).toEqual({ ...DEFAULT_DESKTOP_SETTINGS, doNotDisturb: true, notifications: { ...DEFAULT_DESKTOP_SETTINGS.notifications, offers: false } })
    expect(seen).toHaveLength(1)
    const reopened = await SettingsBook.open(ds, DEFAULTS)
    expect(reopened.get()).toEqual(after)
  })

  it('hands out copies: changing what get() returned changes nothing', async () => {
    const book = await SettingsBook.open(new MemoryDatastore(), DEFAULTS)
    book.get().desktop.notifications.calls = false
    expect(book.get().desktop.notifications.calls).toBe(true)
  })

  it('keeps the default for a stored field of the wrong type', async () => {
    const ds = new MemoryDatastore()
    await ds.put(new Key('/wgt/settings/node'), new TextEncoder().encode(JSON.stringify({ downloadDir: 7, desktop: { closeToTray: 'yes', notifications: { calls: false } } })))
    const book = await SettingsBook.open(ds, DEFAULTS)
    expect(book.get()).toEqual({ ...DEFAULTS, desktop: { ...DEFAULTS.desktop, notifications: { ...DEFAULTS.desktop.notifications, calls: false } } })
  })
})

import { renderToStaticMarkup } from 'react-dom/server'
import { describe, expect, it } from 'vitest'
import { createStore } from 'zustand/vanilla'
import type { StorageInfo, StorageLimits, WgtApi } from '../../shared/api/index.js'
import { AppContext, ALWAYS_READY } from '../src/app/context.js'
import { createWgtStore, type WgtState } from '../src/app/slices.js'
import { parseByteSize } from '../src/settings/slice.js'
import { poolBar, scrubSummary, setLimit } from '../src/settings/storage.js'
import { StoragePools, StorageSection } from '../src/settings/StorageSection.js'
import { storageInfo } from './fixtures.js'

const text = (html: string): string => html.replace(/<[^>]+>/g, '').replace(/&quot;/g, '"').replace(/&#x27;/g, '\'')

function renderSection (info: StorageInfo | null): string {
  // server rendering reads a store's initial state: bake the fixture in
  const store = createStore<WgtState>()(() => ({ ...createWgtStore().getState(), storage: info }))
  return renderToStaticMarkup(
    <AppContext.Provider value={{ api: {} as WgtApi, store, connection: ALWAYS_READY, host: { kind: 'browser' } as never }}>
      <StorageSection />
    </AppContext.Provider>
  )
}

describe('Settings → Storage', () => {
  it('shows both pools, the per-peer quota and the policy that decides whether others store at all', () => {
    const html = renderToStaticMarkup(<StoragePools info={storageInfo()} policy='contacts' onPolicy={() => {}} />)
    const t = text(html)
    expect(t).toContain('Your files: 1.20 GiB (12 shards)')
    expect(t).toContain('Kept for others: 300 MiB of a 5.00 GiB pool, from 3 peers (75 shards)')
    expect(t).toContain('Free: 8.51 GiB of the 10.0 GiB limit')
    expect(t).toContain('Each peer may keep at most 640 MiB and 4,096 shards.')
    expect(t).toContain('so 5.00 GiB always stays for your own files')
    expect(t).toContain('Store shards for others policy below (now: contacts only)')
    expect(html).toContain('aria-label="Of the 10.0 GiB limit: your files 1.20 GiB, kept for others 300 MiB of a 5.00 GiB pool, 8.51 GiB free"')
    // the policy is one keyboard stop away
    expect(html).toMatch(/<button type="button" class="link-button">Store shards for others<\/button>/)
  })

  it('says so when the pool is the whole limit, and counts in the singular', () => {
    const t = text(renderToStaticMarkup(<StoragePools info={storageInfo({ own: { bytes: 4096, shards: 1 }, others: { pool: 10 * 2 ** 30, peers: 1, shards: 0, bytes: 0 } })} policy={null} />))
    expect(t).toContain('Your files: 4.00 KiB (1 shard)')
    expect(t).toContain('from 1 peer')
    expect(t).not.toContain('shards)')
    expect(t).toContain('others could fill it before your own files')
    expect(t).toMatch(/policy below\.$/)
  })

  it('draws own shards from the left and others\' from the right, never past the pool, within the quota', () => {
    const bar = poolBar(storageInfo())
    expect(bar.own).toBeCloseTo(0.12)
    expect(bar.others).toBeCloseTo(300 / 10240)
    expect(bar.own + bar.others + bar.free).toBeCloseTo(1)
    expect(bar.poolStart).toBeCloseTo(0.5)
    expect(bar.reservedForOwn).toBe(5 * 2 ** 30)
    // a quota lowered below what is stored: the shares fill the bar, nothing is free
    const over = poolBar(storageInfo({ quota: 2 ** 30 }))
    expect(over.free).toBe(0)
    expect(over.own + over.others).toBeCloseTo(1)
    expect(poolBar(storageInfo({ quota: 0, own: { bytes: 0 }, others: { bytes: 0 } }))).toMatchObject({ own: 0, others: 0, free: 1 })
  })

  it('has a limit, a pool and a per-peer input showing the current figures, and the verify button', () => {
    const html = renderSection(storageInfo())
    expect(html).toMatch(/<label for="quota">Limit<\/label><input id="quota"[^>]*placeholder="10.0 GiB"/)
    expect(html).toMatch(/<label for="pool">Pool for others<\/label><input id="pool"[^>]*placeholder="5.00 GiB"/)
    expect(html).toMatch(/<label for="per-peer">Each peer<\/label><input id="per-peer"[^>]*placeholder="640 MiB"/)
    expect(html).toContain('aria-label="Pool for others: back to the default">Default</button>')
    expect(html).toContain('aria-label="Each peer: back to the default">Default</button>')
    expect(html).toContain('>Verify stored shards now</button>')
    // before the node answers: the forms, no figures
    expect(renderSection(null)).not.toContain('storage-pools')
  })

  it('sends a typed limit as bytes and Default as null, and keeps the node\'s answer', async () => {
    const sent: StorageLimits[] = []
    const store = createWgtStore()
    const api = { setStorageLimits: async (patch: StorageLimits) => { sent.push(patch); return storageInfo({ others: { pool: patch.pool ?? 5 * 2 ** 30 } }) } }
    await setLimit(api, store, 'pool', parseByteSize('500 MB'))
    expect(store.getState().storage?.others.pool).toBe(500_000_000)
    await setLimit(api, store, 'perPeerBytes', parseByteSize('2 GiB'))
    await setLimit(api, store, 'pool', null)
    await setLimit(api, store, 'perPeerBytes', null)
    expect(sent).toEqual([{ pool: 500_000_000 }, { perPeerBytes: 2 * 2 ** 30 }, { pool: null }, { perPeerBytes: null }])
    expect(store.getState().storage?.others.pool).toBe(5 * 2 ** 30)
  })

  it('reports a scrub in a few words', () => {
    expect(scrubSummary({ checked: 1234, corrupt: [] })).toBe('1,234 shards checked, 0 rotten')
    expect(scrubSummary({ checked: 1234, corrupt: ['a', 'b'] })).toBe('1,234 shards checked, 2 rotten shards deleted')
    expect(scrubSummary({ checked: 1, corrupt: ['a'] })).toBe('1 shard checked, 1 rotten shard deleted')
    expect(scrubSummary({ checked: 0, corrupt: [] })).toBe('No shards stored here: nothing to check.')
  })
})

/**
 * The shard store's figures, measured again every few seconds while a view
 * shows them: shares, fetches and peers placing shards here all move them,
 * and no event says so.
 */
import { useEffect } from 'react'
import type { StorageInfo } from '../../../shared/api/index.js'
import { useApp, useWgt } from '../app/context.js'

const REFRESH_MS = 5000

export function useStorage (): StorageInfo | null {
  const { api, store } = useApp()
  useEffect(() => {
    const refresh = (): void => { void api.getStorage().then(s => { store.getState().storageChanged(s) }, () => {}) }
    refresh()
    const timer = setInterval(refresh, REFRESH_MS)
    return () => { clearInterval(timer) }
  }, [api, store])
  return useWgt(s => s.storage)
}

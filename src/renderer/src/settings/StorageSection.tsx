/**
 * Settings → Storage: the quota and its two pools (this node's own files, and
 * what it keeps for other peers), the limits on the second, and a scrub on
 * demand. Whether others may store here at all is the 'storage' policy, in
 * the Policies section of the same view.
 */
import { useState } from 'react'
import { CAPABILITY_LABELS, type PolicyValue, type ScrubResult, type StorageInfo } from '../../../shared/api/index.js'
import { useApp, useWgt } from '../app/context.js'
import { useStorage } from '../files/useStorage.js'
import { formatBytes, plural } from '../format.js'
import { ErrorNotice } from '../ui/ErrorNotice.js'
import { ProgressBar } from '../ui/ProgressBar.js'
import { useAction } from '../ui/useAction.js'
import { poolBar, scrubSummary, setLimit } from './storage.js'
import { parseByteSize } from './slice.js'

const POLICY_WORD: Record<PolicyValue, string> = { anyone: 'anyone', contacts: 'contacts only', 'contacts-only': 'contacts only', nobody: 'nobody' }

/** Move focus to the chosen value of the 'Store shards for others' policy (which scrolls it into view). */
function focusStoragePolicy (): void {
  const radio = document.querySelector<HTMLInputElement>('[data-capability=storage] input:checked') ??
    document.querySelector<HTMLInputElement>('[data-capability=storage] input')
  radio?.focus()
}

/** The quota as one bar, the user's files from the left and others' shards from the right, and the figures in words. */
export function StoragePools ({ info, policy, onPolicy }: { info: StorageInfo, policy: PolicyValue | null, onPolicy?: () => void }): React.JSX.Element {
  const bar = poolBar(info)
  const free = Math.max(0, info.quota - info.used)
  const { others } = info
  const pct = (f: number): string => `${(f * 100).toFixed(2)}%`
  return (
    <div className='pools' data-testid='storage-pools'>
      <div className='pool-caption muted' aria-hidden='true'><span>your files</span><span>pool for others</span></div>
      <div
        className='pool-bar'
        role='img'
        aria-label={`Of the ${formatBytes(info.quota)} limit: your files ${formatBytes(info.own.bytes)}, kept for others ${formatBytes(others.bytes)} of a ${formatBytes(others.pool)} pool, ${formatBytes(free)} free`}
      >
        <span className='pool-region' style={{ left: pct(bar.poolStart) }} title={`Pool for others: ${formatBytes(others.pool)}; their shards never go past its edge`} />
        <span className={`pool-fill pool-own${info.own.bytes > 0 ? ' some' : ''}`} style={{ width: pct(bar.own) }} />
        <span className={`pool-fill pool-others${others.bytes > 0 ? ' some' : ''}`} style={{ width: pct(bar.others) }} />
        {bar.poolStart > 0 && bar.poolStart < 1 && <span className='pool-mark' style={{ left: pct(bar.poolStart) }} />}
      </div>
      <ul className='pool-legend'>
        <li data-testid='storage-own'>
          <span className='swatch swatch-own' aria-hidden='true' />
          <span><strong>Your files:</strong> {formatBytes(info.own.bytes)} ({plural(info.own.shards, 'shard')})</span>
        </li>
        <li data-testid='storage-others'>
          <span className='swatch swatch-others' aria-hidden='true' />
          <span>
            <strong>Kept for others:</strong> {formatBytes(others.bytes)} of a {formatBytes(others.pool)} pool, from {plural(others.peers, 'peer')}
            {others.shards > 0 && <span className='muted'> ({plural(others.shards, 'shard')})</span>}
          </span>
        </li>
        <li data-testid='storage-free'>
          <span className='swatch swatch-free' aria-hidden='true' />
          <span><strong>Free:</strong> {formatBytes(free)} of the {formatBytes(info.quota)} limit</span>
        </li>
      </ul>
      <p data-testid='storage-per-peer'>Each peer may keep at most {formatBytes(others.perPeerBytes)} and {plural(others.perPeerShards, 'shard')}.</p>
      <p className='muted storage-note'>
        {bar.reservedForOwn > 0
          ? `Others never take more than their pool, so ${formatBytes(bar.reservedForOwn)} always stays for your own files. `
          : 'The pool is the whole limit: others could fill it before your own files. '}
        Whether others may store here at all is the{' '}
        {onPolicy != null
          ? <button type='button' className='link-button' onClick={onPolicy}>{CAPABILITY_LABELS.storage}</button>
          : CAPABILITY_LABELS.storage}
        {' '}policy below{policy != null ? ` (now: ${POLICY_WORD[policy]})` : ''}.
      </p>
    </div>
  )
}

/** One byte limit: typed as people write sizes, with Set and, where the node has one, Default. */
function ByteLimitForm ({ id, label, current, help, onSet, onDefault }: {
  id: string
  label: string
  current: number | undefined
  help: string
  onSet: (bytes: number) => Promise<unknown>
  onDefault?: () => Promise<unknown>
}): React.JSX.Element {
  const [text, setText] = useState('')
  const [saved, setSaved] = useState(false)
  const { busy, error, run, clear } = useAction()
  const parsed = parseByteSize(text)
  const invalid = text !== '' && parsed == null
  const go = async (work: () => Promise<unknown>): Promise<void> => {
    setSaved(false)
    if (await run('save', work)) { setText(''); setSaved(true) }
  }
  return (
    <form className='limit-form' onSubmit={e => {
      e.preventDefault()
      if (parsed != null) void go(async () => await onSet(parsed))
    }}>
      <label htmlFor={id}>{label}</label>
      <input id={id} className='input' value={text} placeholder={current != null ? formatBytes(current) : ''}
        onChange={e => { setText(e.target.value); setSaved(false); clear() }}
        aria-invalid={invalid} aria-describedby={`${id}-help`} />
      <span className='limit-buttons'>
        <button type='submit' className='btn' disabled={busy || parsed == null}>Set</button>
        {onDefault != null && <button type='button' className='btn' disabled={busy} onClick={() => { void go(onDefault) }} aria-label={`${label}: back to the default`}>Default</button>}
      </span>
      <span id={`${id}-help`} className='muted limit-help' role={saved ? 'status' : undefined}>
        {invalid ? 'Write a size like 500 MB or 10 GiB.' : saved ? 'Saved.' : help}
      </span>
      {error != null && <ErrorNotice error={error} compact onDismiss={clear} />}
    </form>
  )
}

/** Re-hash every shard kept here now; the node deletes rotten ones (it also does so on a schedule). */
function ScrubButton (): React.JSX.Element {
  const { api, store } = useApp()
  const { busy, error, run, clear } = useAction()
  const [result, setResult] = useState<ScrubResult | null>(null)
  const scrub = async (): Promise<void> => {
    setResult(null)
    await run('scrub', async () => {
      setResult(await api.scrubStorage())
      // rotten shards are gone: the figures above move
      store.getState().storageChanged(await api.getStorage())
    })
  }
  return (
    <div className='scrub'>
      <div className='scrub-row'>
        <button type='button' className='btn' disabled={busy} onClick={() => { void scrub() }} data-testid='scrub'>
          {busy ? 'Verifying…' : 'Verify stored shards now'}
        </button>
        <span role='status' data-testid='scrub-result' className={result != null && result.corrupt.length > 0 ? 'warn-text' : result != null ? '' : 'muted'}>
          {busy ? 'Re-hashing every shard kept here…' : result != null ? scrubSummary(result) : 'Re-hashes every shard here, deleting rotten ones; also runs on a schedule.'}
        </span>
      </div>
      {busy && <ProgressBar fraction={null} label='Verifying stored shards' />}
      {error != null && <ErrorNotice error={error} compact onDismiss={clear} />}
    </div>
  )
}

export function StorageSection (): React.JSX.Element {
  const { api, store } = useApp()
  const storage = useStorage()
  const policy = useWgt(s => s.policies?.storage ?? null)
  const changed = (info: StorageInfo): void => { store.getState().storageChanged(info) }
  return (
    <section className='card' aria-labelledby='storage-title'>
      <h2 id='storage-title'>Storage</h2>
      <p className='muted'>Disk this node may use for shards: of your files, shared or fetched, and of files other peers place here.</p>
      {storage != null && <StoragePools info={storage} policy={policy} onPolicy={focusStoragePolicy} />}
      <div className='limit-forms'>
        <ByteLimitForm id='quota' label='Limit' current={storage?.quota} help='All shards together, e.g. 500 MB, 10 GiB'
          onSet={async bytes => { changed(await api.setStorageQuota(bytes)) }} />
        <ByteLimitForm id='pool' label='Pool for others' current={storage?.others.pool} help='Default: half the limit'
          onSet={async bytes => await setLimit(api, store, 'pool', bytes)}
          onDefault={async () => await setLimit(api, store, 'pool', null)} />
        <ByteLimitForm id='per-peer' label='Each peer' current={storage?.others.perPeerBytes} help='Default: an eighth of the pool, at least 64 MiB'
          onSet={async bytes => await setLimit(api, store, 'perPeerBytes', bytes)}
          onDefault={async () => await setLimit(api, store, 'perPeerBytes', null)} />
      </div>
      <ScrubButton />
    </section>
  )
}


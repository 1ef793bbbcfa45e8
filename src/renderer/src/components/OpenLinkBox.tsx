import { useState } from 'react'
import { WgtError } from '../../../shared/errors.js'
import type { FetchResult } from '../../../shared/types.js'
import { useApp } from '../context.js'
import { formatBytes } from '../format.js'

type Outcome = { kind: 'error', message: string } | { kind: 'ok', result: FetchResult } | null

/** Paste a wgt:// link; the node fetches, verifies and saves the file (progress shows under Transfers). */
export function OpenLinkBox (): React.JSX.Element {
  const { api } = useApp()
  const [link, setLink] = useState('')
  const [busy, setBusy] = useState(false)
  const [outcome, setOutcome] = useState<Outcome>(null)

  const submit = async (e: React.FormEvent): Promise<void> => {
    e.preventDefault()
    const value = link.trim()
    if (value === '' || busy) return
    setBusy(true)
    setOutcome(null)
    try {
      const result = await api.fetchFile(value)
      setOutcome({ kind: 'ok', result })
      setLink('')
    } catch (err) {
      setOutcome({ kind: 'error', message: WgtError.from(err).message })
    } finally {
      setBusy(false)
    }
  }

  return (
    <form className='connect-box' onSubmit={(e) => { void submit(e) }} aria-label='Open a link'>
      <label htmlFor='open-link' className='visually-hidden'>wgt:// link</label>
      <input
        id='open-link'
        className='input mono'
        type='text'
        spellCheck={false}
        autoComplete='off'
        placeholder='wgt://bafkrei…#key — paste a link to fetch the file'
        value={link}
        onChange={(e) => { setLink(e.target.value); if (outcome?.kind === 'error') setOutcome(null) }}
        aria-invalid={outcome?.kind === 'error'}
        aria-describedby='open-link-outcome'
      />
      <button type='submit' className='btn btn-primary' disabled={busy || link.trim() === ''}>
        {busy ? 'Fetching…' : 'Fetch'}
      </button>
      <div id='open-link-outcome' className='connect-outcome' aria-live='polite'>
        {outcome?.kind === 'error' && <p className='error-text' role='alert' data-testid='fetch-error'>{outcome.message}</p>}
        {outcome?.kind === 'ok' && (
          <p className='ok' data-testid='fetch-result'>
            Fetched {outcome.result.name} ({formatBytes(outcome.result.size)}, SHA-256 verified) to{' '}
            <span className='mono break'>{outcome.result.path}</span>
            {outcome.result.badHolders.length > 0 && <span className='warn-text'> — rejected corrupt shards from {outcome.result.badHolders.length} holder{outcome.result.badHolders.length === 1 ? '' : 's'}</span>}
          </p>
        )}
      </div>
    </form>
  )
}

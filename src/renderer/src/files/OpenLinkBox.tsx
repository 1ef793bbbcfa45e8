import { useState } from 'react'
import { useApp } from '../app/context.js'
import { describeError, type HumanError } from '../ui/errors.js'
import { ErrorNotice } from '../ui/ErrorNotice.js'

/** Paste a wgt:// link; the node fetches, verifies and saves the file (progress shows under Transfers). */
export function OpenLinkBox (): React.JSX.Element {
  const { api } = useApp()
  const [link, setLink] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<HumanError | null>(null)

  const submit = async (e: React.FormEvent): Promise<void> => {
    e.preventDefault()
    const value = link.trim()
    if (value === '' || busy) return
    setBusy(true)
    setError(null)
    try {
      await api.fetchFile(value)
      setLink('')
    } catch (err) {
      setError(describeError('fetch', err))
    } finally {
      setBusy(false)
    }
  }

  return (
    <form className='connect-box' onSubmit={(e) => { void submit(e) }} aria-label='Fetch a file by its link'>
      <label htmlFor='open-link' className='visually-hidden'>wgt:// link</label>
      <input
        id='open-link'
        className='input mono'
        type='text'
        spellCheck={false}
        autoComplete='off'
        placeholder='wgt://bafkrei…#key — paste a link to fetch the file'
        value={link}
        onChange={(e) => { setLink(e.target.value); setError(null) }}
        aria-invalid={error != null}
        aria-describedby='open-link-outcome'
      />
      <button type='submit' className='btn btn-primary' disabled={busy || link.trim() === ''}>Fetch</button>
      <div id='open-link-outcome' className='connect-outcome' aria-live='polite' data-testid='fetch-error'>
        {error != null && <ErrorNotice error={error} compact onDismiss={() => { setError(null) }} />}
      </div>
    </form>
  )
}

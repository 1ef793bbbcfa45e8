import { useState } from 'react'
import { useApp } from '../app/context.js'

/**
 * Paste a wgt:// link: the link prompt shows what it leads to (name, size,
 * who serves it) and fetches only when the person says so; the fetch then
 * shows its progress under Transfers.
 */
export function OpenLinkBox (): React.JSX.Element {
  const { store } = useApp()
  const [link, setLink] = useState('')

  const submit = (e: React.FormEvent): void => {
    e.preventDefault()
    const value = link.trim()
    if (value === '') return
    store.getState().promptLink(value)
  }

  return (
    <form className='connect-box' onSubmit={submit} aria-label='Fetch a file by its link'>
      <label htmlFor='open-link' className='visually-hidden'>wgt:// link</label>
      <input
        id='open-link'
        className='input mono'
        type='text'
        spellCheck={false}
        autoComplete='off'
        placeholder='wgt://bafkrei…#key — paste a link to see the file, then fetch it'
        value={link}
        onChange={(e) => { setLink(e.target.value) }}
      />
      <button type='submit' className='btn btn-primary' disabled={link.trim() === ''}>Fetch…</button>
    </form>
  )
}

import { useState } from 'react'
import { useApp } from '../app/context.js'
import { shortPeerId } from '../format.js'
import { describeError, type HumanError } from '../ui/errors.js'
import { ErrorNotice } from '../ui/ErrorNotice.js'

type Outcome = { kind: 'error', error: HumanError } | { kind: 'ok', peerId: string } | null

/** Dial a multiaddr; the node answers with the peer's entry or a WgtError shown inline. */
export function ConnectBox (): React.JSX.Element {
  const { api } = useApp()
  const [address, setAddress] = useState('')
  const [busy, setBusy] = useState(false)
  const [outcome, setOutcome] = useState<Outcome>(null)

  const submit = async (e: React.FormEvent): Promise<void> => {
    e.preventDefault()
    const value = address.trim()
    if (value === '' || busy) return
    setBusy(true)
    setOutcome(null)
    try {
      const entry = await api.connect(value)
      setOutcome({ kind: 'ok', peerId: entry.peerId })
      setAddress('')
    } catch (err) {
      setOutcome({ kind: 'error', error: describeError('connect', err) })
    } finally {
      setBusy(false)
    }
  }

  return (
    <form className='connect-box' onSubmit={(e) => { void submit(e) }} aria-label='Connect to a peer by address'>
      <label htmlFor='connect-addr' className='visually-hidden'>Peer multiaddr</label>
      <input
        id='connect-addr'
        className='input mono'
        type='text'
        spellCheck={false}
        autoComplete='off'
        placeholder='/ip4/203.0.113.7/tcp/4001/p2p/12D3KooW…'
        value={address}
        onChange={(e) => { setAddress(e.target.value); if (outcome?.kind === 'error') setOutcome(null) }}
        aria-invalid={outcome?.kind === 'error'}
        aria-describedby='connect-outcome'
      />
      <button type='submit' className='btn btn-primary' disabled={busy || address.trim() === ''}>
        {busy ? 'Connecting…' : 'Connect'}
      </button>
      <div id='connect-outcome' className='connect-outcome' aria-live='polite'>
        {outcome?.kind === 'error' && <div data-testid='connect-error'><ErrorNotice error={outcome.error} compact onDismiss={() => { setOutcome(null) }} /></div>}
        {outcome?.kind === 'ok' && <p className='ok'>Connected to <span className='mono' title={outcome.peerId}>{shortPeerId(outcome.peerId)}</span></p>}
      </div>
    </form>
  )
}

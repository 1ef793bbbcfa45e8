import { useState } from 'react'
import type { FileOffer } from '../../../shared/api/index.js'
import { useApp, useWgt } from '../app/context.js'
import { formatAge, formatBytes } from '../format.js'
import { PeerName } from '../guard/PeerName.js'
import { useNow } from '../hooks.js'
import { describeError, type HumanError } from '../ui/errors.js'
import { ErrorNotice } from '../ui/ErrorNotice.js'

function OfferRow ({ offer, now }: { offer: FileOffer, now: number }): React.JSX.Element {
  const { api } = useApp()
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<HumanError | null>(null)
  const act = async (work: () => Promise<unknown>): Promise<void> => {
    setBusy(true)
    setError(null)
    try { await work() } catch (err) { setError(describeError('accept', err)); setBusy(false) }
  }
  return (
    <li className='offer' data-testid='offer' data-offer={offer.id}>
      <span>
        <PeerName peerId={offer.from} /> offers <strong title={offer.name}>{offer.name}</strong>{' '}
        <span className='muted'>{formatBytes(offer.size)} · {formatAge(now - offer.receivedAt)}</span>
      </span>
      <span className='offer-actions'>
        <button type='button' className='btn btn-small btn-primary' disabled={busy} onClick={() => { void act(async () => await api.acceptOffer(offer.id)) }}>
          Fetch
        </button>
        <button type='button' className='btn btn-small' disabled={busy} onClick={() => { void act(async () => { await api.declineOffer(offer.id) }) }} aria-label={`Decline the offer of ${offer.name}`}>
          Decline
        </button>
      </span>
      {error != null && <ErrorNotice error={error} compact onDismiss={() => { setError(null) }} />}
    </li>
  )
}

/** Links peers sent us, kept by the node until accepted or declined. */
export function Inbox (): React.JSX.Element | null {
  const offers = useWgt(s => s.offers)
  const now = useNow(10_000)
  if (offers.length === 0) return null
  return (
    <section className='card inbox' aria-labelledby='inbox-title'>
      <h2 id='inbox-title'>Offered to you <span className='count' data-testid='inbox-count'>{offers.length}</span></h2>
      <ul className='offers' aria-label='Files offered by peers'>
        {offers.map(o => <OfferRow key={o.id} offer={o} now={now} />)}
      </ul>
    </section>
  )
}

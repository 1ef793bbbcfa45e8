import { useState } from 'react'
import { WgtError } from '../../../shared/errors.js'
import type { FileOffer } from '../../../shared/types.js'
import { useApp, useWgt } from '../context.js'
import { formatBytes, shortPeerId } from '../format.js'

function OfferRow ({ offer }: { offer: FileOffer }): React.JSX.Element {
  const { api, store } = useApp()
  const [state, setState] = useState<{ kind: 'idle' } | { kind: 'busy' } | { kind: 'error', message: string }>({ kind: 'idle' })
  const fetchIt = async (): Promise<void> => {
    setState({ kind: 'busy' })
    try {
      await api.fetchFile(offer.link)
      store.getState().dismissOffer(offer)
    } catch (err) {
      setState({ kind: 'error', message: WgtError.from(err).message })
    }
  }
  return (
    <li className='offer' data-testid='offer'>
      <span>
        <span className='mono' title={offer.from}>{shortPeerId(offer.from)}</span> offers <strong>{offer.name}</strong>{' '}
        <span className='muted'>{formatBytes(offer.size)}</span>
      </span>
      <span className='offer-actions'>
        <button type='button' className='btn btn-small btn-primary' disabled={state.kind === 'busy'} onClick={() => { void fetchIt() }}>
          {state.kind === 'busy' ? 'Fetching…' : 'Fetch'}
        </button>
        <button type='button' className='btn btn-small' onClick={() => { store.getState().dismissOffer(offer) }} aria-label={`Dismiss the offer of ${offer.name}`}>Dismiss</button>
      </span>
      {state.kind === 'error' && <span className='error-text offer-error' role='alert'>{state.message}</span>}
    </li>
  )
}

export function Offers (): React.JSX.Element | null {
  const offers = useWgt(s => s.offers)
  if (offers.length === 0) return null
  return (
    <div className='files-block'>
      <h3>Offered to you</h3>
      <ul className='offers' aria-label='Files offered by peers'>
        {offers.map(o => <OfferRow key={`${o.from}:${o.link}`} offer={o} />)}
      </ul>
    </div>
  )
}

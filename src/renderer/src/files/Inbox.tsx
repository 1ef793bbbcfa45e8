import { useMemo } from 'react'
import type { FileOffer, WgtApi } from '../../../shared/api/index.js'
import { useApp, useWgt } from '../app/context.js'
import type { WgtStore } from '../app/slices.js'
import { formatAge, formatBytes } from '../format.js'
import { PeerName } from '../guard/PeerName.js'
import { useNow } from '../hooks.js'
import { ConfirmButton } from '../ui/ConfirmButton.js'
import { ErrorNotice } from '../ui/ErrorNotice.js'
import { useAction } from '../ui/useAction.js'

/**
 * Block the peer, then decline every offer it left in the inbox: a blocked
 * peer's offers are not worth a decision (the node keeps them until answered).
 */
async function blockSender (api: WgtApi, store: WgtStore, from: string): Promise<void> {
  store.getState().contactChanged(await api.blockPeer(from))
  const theirs = store.getState().offers.filter(o => o.from === from)
  await Promise.allSettled(theirs.map(async o => { await api.declineOffer(o.id) }))
}

function OfferRow ({ offer, now }: { offer: FileOffer, now: number }): React.JSX.Element {
  const { api, store } = useApp()
  const { busy, error, run, clear } = useAction()
  return (
    <li className='offer' data-testid={offer.request ? 'offer-request' : 'offer'} data-offer={offer.id}>
      <span>
        {/* a request comes from a peer that is not a contact by definition: no pill to say so */}
        <PeerName peerId={offer.from} pill={offer.request ? 'never' : 'known'} /> {offer.request ? 'wants to send you' : 'offers'} <strong title={offer.name}>{offer.name}</strong>{' '}
        <span className='muted'>{formatBytes(offer.size)} · {formatAge(now - offer.receivedAt)}</span>
      </span>
      <span className='offer-actions'>
        <button type='button' className='btn btn-small btn-primary' disabled={busy} onClick={() => { void run('accept', async () => await api.acceptOffer(offer.id)) }}
          aria-label={`${offer.request ? 'Accept' : 'Fetch'} ${offer.name}`}>
          {offer.request ? 'Accept' : 'Fetch'}
        </button>
        <button type='button' className='btn btn-small' disabled={busy} onClick={() => { void run('decline-offer', async () => { await api.declineOffer(offer.id) }) }} aria-label={`Decline the offer of ${offer.name}`}>
          Decline
        </button>
        {offer.request && (
          <ConfirmButton label='Block sender' what={`of ${offer.name}`} confirmLabel='Block' busy={busy}
            question='Refuse everything from this peer?' onConfirm={async () => await run('block', async () => { await blockSender(api, store, offer.from) })} />
        )}
      </span>
      {error != null && <ErrorNotice error={error} compact onDismiss={clear} />}
    </li>
  )
}

/** Offers from strangers that the 'offers' policy holds as requests: nothing is fetched unless accepted. */
export function FileRequestList ({ offers }: { offers: readonly FileOffer[] }): React.JSX.Element {
  const now = useNow(10_000)
  return (
    <ul className='offers' aria-label='File requests from strangers'>
      {offers.map(o => <OfferRow key={o.id} offer={o} now={now} />)}
    </ul>
  )
}

/** Links peers sent us, kept by the node until accepted or declined; requests from strangers apart. */
export function Inbox (): React.JSX.Element | null {
  const all = useWgt(s => s.offers)
  const offers = useMemo(() => all.filter(o => !o.request), [all])
  const requests = useMemo(() => all.filter(o => o.request), [all])
  const now = useNow(10_000)
  return (
    <>
      {offers.length > 0 && (
        <section className='card inbox' aria-labelledby='inbox-title'>
          <h2 id='inbox-title'>Offered to you <span className='count' data-testid='inbox-count'>{offers.length}</span></h2>
          <ul className='offers' aria-label='Files offered by peers'>
            {offers.map(o => <OfferRow key={o.id} offer={o} now={now} />)}
          </ul>
        </section>
      )}
      {requests.length > 0 && (
        <section className='card inbox' aria-labelledby='file-requests-title'>
          <h2 id='file-requests-title'>File requests from strangers <span className='count' data-testid='file-request-count'>{requests.length}</span></h2>
          <p className='muted'>Peers that are not your contacts offered these. Nothing is fetched unless you accept (Settings → Policies decides who may offer files).</p>
          <FileRequestList offers={requests} />
        </section>
      )}
    </>
  )
}

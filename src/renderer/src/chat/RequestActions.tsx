import type { PeerIdString, WgtApi } from '../../../shared/api/index.js'
import { useApp, useWgt } from '../app/context.js'
import type { WgtStore } from '../app/slices.js'
import { peerLabel } from '../guard/state.js'
import { ConfirmButton } from '../ui/ConfirmButton.js'
import { ErrorNotice } from '../ui/ErrorNotice.js'
import { useAction } from '../ui/useAction.js'

/** Block the stranger (nothing more from it is accepted), then drop the messages its request held. */
async function blockAndDecline (api: WgtApi, store: WgtStore, peerId: PeerIdString): Promise<void> {
  store.getState().contactChanged(await api.blockPeer(peerId))
  await api.declineChat(peerId).catch(() => {}) // the node may have dropped the request with the block already
  store.getState().conversationRemoved(peerId)
}

/** Accept, Decline or Block a stranger's chat request. */
export function RequestActions ({ peerId }: { peerId: PeerIdString }): React.JSX.Element {
  const { api, store } = useApp()
  const name = useWgt(s => peerLabel(s.contacts, peerId))
  const { busy, error, run, clear } = useAction()
  return (
    <>
      <span className='offer-actions'>
        <button type='button' className='btn btn-small btn-primary' disabled={busy} aria-label={`Accept the chat request of ${name}`}
          onClick={() => { void run('chat-accept', async () => { store.getState().conversationChanged(await api.acceptChat(peerId)) }) }}>
          Accept
        </button>
        <button type='button' className='btn btn-small' disabled={busy} aria-label={`Decline the chat request of ${name}`}
          onClick={() => { void run('chat-decline', async () => { await api.declineChat(peerId); store.getState().conversationRemoved(peerId) }) }}>
          Decline
        </button>
        <ConfirmButton label='Block' what={name} busy={busy} question='Refuse everything from this peer?'
          onConfirm={async () => await run('block', async () => { await blockAndDecline(api, store, peerId) })} />
      </span>
      {error != null && <ErrorNotice error={error} compact onDismiss={clear} />}
    </>
  )
}

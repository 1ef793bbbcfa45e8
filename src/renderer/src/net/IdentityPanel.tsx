import { useWgt } from '../app/context.js'
import { CopyButton } from '../ui/CopyButton.js'

export function IdentityPanel (): React.JSX.Element {
  const identity = useWgt(s => s.identity)
  return (
    <section className='card' aria-labelledby='identity-title'>
      <h2 id='identity-title'>This node</h2>
      {identity == null
        ? <p className='muted'>Loading identity…</p>
        : (
          <dl className='facts'>
            <dt>PeerId</dt>
            <dd className='with-action'>
              <span className='mono break' data-testid='own-peer-id'>{identity.peerId}</span>
              <CopyButton text={identity.peerId} what='PeerId' />
            </dd>
            <dt>Agent</dt>
            <dd className='mono'>{identity.agent}</dd>
            <dt>Listening</dt>
            <dd>
              {identity.multiaddrs.length === 0
                ? <span className='muted'>not listening on any address</span>
                : (
                  <ul className='addr-list'>
                    {identity.multiaddrs.map(a => (
                      <li key={a} className='with-action'>
                        <span className='mono break'>{a}</span>
                        <CopyButton text={a} what='address' />
                      </li>
                    ))}
                  </ul>)}
            </dd>
          </dl>)}
    </section>
  )
}

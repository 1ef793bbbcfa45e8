import { useWgt } from '../app/context.js'
import { useNow } from '../hooks.js'
import { formatAge } from '../format.js'

const STATUS_CLASS = { public: 'pill-ok', private: 'pill-warn', unknown: 'pill-neutral' } as const

export function ReachabilityPanel (): React.JSX.Element {
  const reach = useWgt(s => s.reachability)
  const now = useNow(5000)
  return (
    <section className='card' aria-labelledby='reach-title'>
      <h2 id='reach-title'>Reachability</h2>
      {reach == null
        ? <p className='muted'>Loading…</p>
        : (
          <>
            <p className='reach-status'>
              <span className={`pill ${STATUS_CLASS[reach.status]}`} data-testid='reachability-status'>{reach.status}</span>
              <span className='muted'>{reach.reason}</span>
            </p>
            {reach.addresses.length === 0
              ? <p className='muted'>No observed addresses yet.</p>
              : (
                <table className='table compact'>
                  <thead>
                    <tr><th scope='col'>Address</th><th scope='col'>Source</th><th scope='col'>Verified</th></tr>
                  </thead>
                  <tbody>
                    {reach.addresses.map(a => (
                      <tr key={`${a.type} ${a.multiaddr}`}>
                        <td className='mono break'>{a.multiaddr}</td>
                        <td>{a.type}</td>
                        <td>
                          {a.verified
                            ? <span className='ok' title={a.expires != null ? `confirmation lapses ${new Date(a.expires).toLocaleString()}` : undefined}>✓ verified</span>
                            : <span className='muted'>not verified</span>}
                          {a.verified && a.expires != null && a.expires < now && <span className='muted'> (lapsed {formatAge(now - a.expires)})</span>}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>)}
          </>)}
    </section>
  )
}

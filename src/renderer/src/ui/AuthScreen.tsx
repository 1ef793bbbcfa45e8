/** Shown when the page has no token, or the node refused it: how to open the UI properly. */
export function AuthScreen ({ reason }: { reason: 'missing' | 'invalid' | 'rotated' }): React.JSX.Element {
  return (
    <main className='auth-screen'>
      <div className='card auth-card' role='alert'>
        <h1>{reason === 'missing' ? 'This page needs an access token' : reason === 'rotated' ? 'The access token was replaced' : 'The node rejected the access token'}</h1>
        <p>
          {reason === 'missing'
            ? 'The WGT node only talks to pages that carry its access token in the address (after #token=).'
            : reason === 'rotated'
              ? 'Someone ran wgt token rotate on the node, so this address no longer works. The node printed the new address; it is also in api.json.'
              : 'The token in this address does not match the running node: the link may be incomplete, or its token was replaced (wgt token rotate).'}
        </p>
        <p>Open the address the daemon printed when it started, for example:</p>
        <pre className='mono'>http://127.0.0.1:4100/#token=…</pre>
        <p>
          The token is also kept in <code>api.json</code> in the daemon's data directory (readable only by its owner),
          where <code>wgt</code> client commands read it.
        </p>
      </div>
    </main>
  )
}

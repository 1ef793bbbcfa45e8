import type { About, NodeIdentity } from '../../../shared/api/index.js'
import { useWgt } from '../app/context.js'
import { CopyButton } from '../ui/CopyButton.js'

/**
 * What a bug report needs to say about this install, as plain text: the
 * versions and the system, no PeerId and no paths (a report is often posted
 * in public).
 */
export function bugReportText (about: About): string {
  return [
    `WGT ${about.wgt}`,
    about.electron != null ? `Electron ${about.electron} (Chromium ${about.chrome ?? '?'})` : 'wgt daemon (no Electron)',
    `Node.js ${about.node} (V8 ${about.v8})`,
    `libp2p ${about.libp2p}`,
    `System ${about.platform} ${about.arch}`
  ].join('\n')
}

/** Versions and the system, pure over its props for tests. */
export function AboutFacts ({ about, identity }: { about: About, identity: NodeIdentity | null }): React.JSX.Element {
  return (
    <dl className='facts' data-testid='about'>
      <dt>WGT</dt><dd>{about.wgt}</dd>
      {identity != null && <><dt>PeerId</dt><dd className='with-action'><span className='mono break'>{identity.peerId}</span><CopyButton text={identity.peerId} what='PeerId' /></dd></>}
      <dt>Node.js</dt><dd>{about.node} (V8 {about.v8})</dd>
      {about.electron != null
        ? <><dt>Electron</dt><dd>{about.electron} (Chromium {about.chrome})</dd></>
        : <><dt>Runs as</dt><dd><span className='mono'>wgt daemon</span>, without Electron</dd></>}
      <dt>libp2p</dt><dd>{about.libp2p}</dd>
      <dt>System</dt><dd>{about.platform} {about.arch}</dd>
    </dl>
  )
}

export function AboutSection (): React.JSX.Element {
  const about = useWgt(s => s.about)
  const identity = useWgt(s => s.identity)
  return (
    <section className='card' aria-labelledby='about-title'>
      <div className='section-head'>
        <h2 id='about-title'>About</h2>
        {about != null && <CopyButton text={bugReportText(about)} what='the versions for a bug report' label='Copy for a bug report' />}
      </div>
      {about == null ? <p className='muted'>Loading…</p> : <AboutFacts about={about} identity={identity} />}
    </section>
  )
}

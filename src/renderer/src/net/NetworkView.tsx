import { Charts } from '../metrics/Charts.js'
import { IdentityPanel } from './IdentityPanel.js'
import { KnownPeers } from './KnownPeers.js'
import { PeersTable } from './PeersTable.js'
import { ReachabilityPanel } from './ReachabilityPanel.js'

/** The network as this node sees it: itself, whether others can reach it, its peers, and how the links perform. */
export function NetworkView (): React.JSX.Element {
  return (
    <>
      <div className='top-row'>
        <IdentityPanel />
        <ReachabilityPanel />
      </div>
      <PeersTable />
      <Charts />
      <KnownPeers />
    </>
  )
}

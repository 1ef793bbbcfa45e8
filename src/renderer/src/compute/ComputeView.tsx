/**
 * The Compute view (DESIGN.md §9): contribute to others under limits, submit
 * jobs and watch them run and verify, and see what this node ran for others.
 */
import './compute.css'
import { ContributeSection } from './ContributeSection.js'
import { ContributionSection } from './Contribution.js'
import { JobsSection } from './Jobs.js'
import { SubmitJob } from './SubmitJob.js'

export function ComputeView (): React.JSX.Element {
  return (
    <>
      <div className='compute-top'>
        <SubmitJob />
        <ContributeSection />
      </div>
      <JobsSection />
      <ContributionSection />
    </>
  )
}

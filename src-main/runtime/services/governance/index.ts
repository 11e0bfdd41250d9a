/** Community governance: revoke, promote and demote with the co-signatures the policy asks for. */
export { applyGovernance, coSignAction, GovernanceService } from './governance';
export type { GovernanceAction, GovernanceComponents, GovernanceRequest, GovernanceResult } from './governance';

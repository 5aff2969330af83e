/** platform/remote: services on hosts reached over SSH. */
export { AgentApi } from '../local/agent-api.js';
export { HostPlatform, type HostPlatformOptions } from './host-platform.js';
export {
  type FlagHost,
  type FlagHostFailure,
  FlagsNotPublishedError,
  HostsFlagPublisher,
} from './hosts-flag-publisher.js';
export { closeHosts, hostTarget, type OpenHostsOptions, openHosts } from './open-hosts.js';
export { ensureRemoteAgent, type RemoteAgent, type RemoteAgentOptions } from './remote-agent.js';
export { RemoteHostError, type RemoteHostErrorCode } from './remote-errors.js';

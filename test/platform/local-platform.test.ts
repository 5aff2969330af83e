/** Runs the Platform contract suite against the local platform (a real agent with real processes). */
import { fixtureService, localPlatform, tempProject } from './helpers.js';
import { platformContract } from './platform-contract.js';

platformContract('local', async () => {
  const project = tempProject();
  const { platform, close } = localPlatform(project.stateDir);
  return {
    platform,
    baseDir: project.dir,
    service: fixtureService,
    localServices: '127.0.0.1',
    close: async () => {
      await close();
      project.cleanup();
    },
  };
});

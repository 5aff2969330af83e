/** `slipway flags --server URL`: the same commands through the server's `/api/v1/flags` routes. */
import type { FlagVersion } from '../../flags/versions/flag-versions.js';
import type { ApiClient } from '../remote/api-client.js';
import type { FlagChangeAnswer, FlagChangeRequest, FlagList, FlagsBackend } from './flags-backend.js';

/** The flags of the server `client` talks to. */
export function remoteFlags(client: ApiClient): FlagsBackend {
  const path = (key: string, rest = '') => `/api/v1/flags/${encodeURIComponent(key)}${rest}`;
  const send = async (key: string, request: FlagChangeRequest) => {
    switch (request.kind) {
      case 'set':
        return client.post<FlagChangeAnswer>(path(key, '/set'), { variant: request.variant });
      case 'weights':
        return client.post<FlagChangeAnswer>(path(key, '/set'), { weights: request.weights });
      case 'define':
        return client.request<FlagChangeAnswer>('PUT', path(key), { body: request.definition });
      case 'enable':
      case 'disable':
        return client.post<FlagChangeAnswer>(path(key, `/${request.kind}`));
      case 'rollback':
        return client.post<FlagChangeAnswer>(
          path(key, '/rollback'),
          request.to === undefined ? {} : { to: request.to },
        );
    }
  };
  return {
    list: () => client.get<FlagList>('/api/v1/flags'),
    get: async (key) => (await client.get<{ flag: FlagVersion }>(path(key))).flag,
    history: async (key) => (await client.get<{ versions: FlagVersion[] }>(path(key, '/history'))).versions,
    async change(key, request) {
      const { body } = await send(key, request);
      return { ...body, served: { ...body.served, server: client.url } };
    },
    close: async () => {},
  };
}

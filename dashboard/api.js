// API access: the shared session state, role checks and JSON calls to /api/v1 with the session cookie.

const ROLES = ['viewer', 'deployer', 'approver', 'admin'];

/** The signed-in user, the project and the open event stream, shared by every module. */
export const state = { me: null, project: null, view: null, events: null };

export const can = (role) => state.me !== null && ROLES.indexOf(state.me.role) >= ROLES.indexOf(role);

let sessionEnded = () => {};
/** Sets what to do when the API answers 401 (the session ended or was revoked). */
export function onSessionEnded(handler) {
  sessionEnded = handler;
}

class HttpError extends Error {
  constructor(status, body) {
    super(body?.error?.message ?? `HTTP ${status}`);
    this.status = status;
  }
}

/** Calls the API with the session cookie; mutations always send JSON (see the CSRF note in auth.ts). */
export async function api(method, path, body) {
  const init = { method, headers: { accept: 'application/json' }, credentials: 'same-origin' };
  if (method !== 'GET') {
    init.headers['content-type'] = 'application/json';
    init.body = JSON.stringify(body ?? {});
  }
  const response = await fetch(path, init);
  const json = await response.json().catch(() => null);
  if (response.status === 401 && path !== '/api/v1/session') {
    sessionEnded();
    throw new HttpError(401, json);
  }
  if (!response.ok) throw new HttpError(response.status, json);
  return json;
}

/** Every pending approval of the waiting runs, each with its run. */
export async function pendingApprovals() {
  const { runs } = await api('GET', '/api/v1/runs?status=waiting&limit=50');
  const lists = await Promise.all(runs.map((run) => api('GET', `/api/v1/runs/${run.id}/approvals`)));
  return runs.flatMap((run, i) =>
    lists[i].approvals.filter((a) => a.status === 'pending').map((approval) => ({ run, approval })),
  );
}

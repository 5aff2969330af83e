// DOM helpers: building elements, status pills, the toast and button actions.

const STATUS_LABEL = {
  success: 'succeeded',
  failure: 'failed',
  timed_out: 'timed out',
  rolled_back: 'rolled back',
};

/** Builds an element: attributes (on* become listeners) and children (strings become text). */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else if (key === 'class') node.className = value;
    else if (key === 'style') node.style.cssText = value;
    else node.setAttribute(key, value === true ? '' : String(value));
  }
  node.append(...nodes(children));
  return node;
}

/** Children as nodes: nested arrays flattened, null, undefined and false dropped, the rest as text. */
function nodes(children) {
  return children
    .flat(Infinity)
    .filter((child) => child !== undefined && child !== null && child !== false)
    .map((child) => (child instanceof Node ? child : String(child)));
}

/** Replaces the children of `node` (with the same leniency as `el`). */
export function fill(node, ...children) {
  node.replaceChildren(...nodes(children));
}

export const pill = (status, attrs = {}) =>
  el('span', { class: `pill s-${status}`, ...attrs }, STATUS_LABEL[status] ?? status);

let toastTimer;
function toast(message, bad = false) {
  const box = document.getElementById('toast');
  box.textContent = message;
  box.className = bad ? 'toast bad' : 'toast';
  box.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => {
    box.hidden = true;
  }, 4000);
}

/** Runs an action of a button: disables it meanwhile and reports the outcome. */
export async function act(button, what, action) {
  button.disabled = true;
  try {
    await action();
    toast(what);
  } catch (error) {
    toast(`${error.message}`, true);
  } finally {
    button.disabled = false;
  }
}

/** A full-width panel holding a table with `headers` over `body` (a tbody the caller fills). */
export function tablePanel(headers, body) {
  return el(
    'div',
    { class: 'panel flush' },
    el(
      'table',
      {},
      el(
        'thead',
        {},
        el(
          'tr',
          {},
          headers.map((h) => el('th', {}, h)),
        ),
      ),
      body,
    ),
  );
}

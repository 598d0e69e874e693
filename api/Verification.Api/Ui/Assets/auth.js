// The API token of the built-in UI. With tokens on, every data call needs `Authorization: Bearer …`: a call answered
// 401 shows a small form asking for a token; the token is kept in sessionStorage (this tab only, gone when it closes)
// and sent on every fetch and in the GraphQL WebSocket's connection_init payload. "Forget token" drops it.
const key = 'verification.token';

/** The token entered in this tab, or null. */
export function token() {
  try {
    return sessionStorage.getItem(key);
  } catch {
    return null; // storage disabled: no token can be kept
  }
}

/** `headers` with the Authorization header added when a token is kept. */
export function withToken(headers = {}) {
  const current = token();
  return current ? { ...headers, Authorization: `Bearer ${current}` } : { ...headers };
}

/** The connection_init payload of the GraphQL WebSocket. */
export function connectionPayload() {
  const current = token();
  return current ? { authorization: `Bearer ${current}` } : {};
}

/** fetch with the token; a 401 answer asks for a (new) token. */
export async function authFetch(url, init = {}) {
  const response = await fetch(url, { ...init, headers: withToken(init.headers) });
  if (response.status === 401) {
    askForToken();
  }
  return response;
}

/** Shows the token form (once) above the page, saying whether a token was refused or none was given. */
export function askForToken() {
  if (document.getElementById('token-form')) {
    return;
  }
  const refused = token() !== null;
  const form = document.createElement('form');
  form.id = 'token-form';
  form.className = 'token-form';
  form.setAttribute('aria-labelledby', 'token-title');
  form.innerHTML = `<h2 id="token-title">${refused ? 'The token was refused' : 'This service needs an API token'}</h2>
    <p>${refused ? 'It is unknown, revoked or expired. Enter another one.' : 'Enter a token with the <code>read</code> scope (an administrator creates one with <code>POST /v1/tokens</code>).'}
    It is kept in this browser tab only and sent as <code>Authorization: Bearer …</code>.</p>
    <div class="token-row"><label for="token-input">API token</label>
    <input id="token-input" name="token" type="password" autocomplete="off" spellcheck="false" required>
    <button type="submit" class="primary">Use token</button></div>`;
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const value = form.querySelector('input').value.trim();
    if (value) {
      sessionStorage.setItem(key, value);
      location.reload();
    }
  });
  document.querySelector('header.top').after(form);
  form.querySelector('input').focus();
}

/** Forgets the kept token and reloads (the next data call asks again). */
export function forgetToken() {
  sessionStorage.removeItem(key);
  location.reload();
}

// The "Forget token" control, in the header while a token is kept.
if (token()) {
  const button = document.createElement('button');
  button.type = 'button';
  button.id = 'forget-token';
  button.className = 'forget-token';
  button.textContent = 'Forget token';
  button.addEventListener('click', forgetToken);
  document.querySelector('header.top').append(button);
}

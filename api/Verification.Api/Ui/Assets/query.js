// The query page at /graphql: an editor, variables, run, and the result; subscriptions stream over WebSocket.
import { subscribe } from './gql.js';
import { authFetch } from './auth.js';
import { esc } from './format.js';

const form = document.getElementById('runner');
const editor = document.getElementById('query');
const variablesBox = document.getElementById('variables');
const result = document.querySelector('#result pre');
const status = document.getElementById('status');
const stopButton = document.getElementById('stop');
let stopSubscription = null;

const initial = `# Every deployment with its verdict
query Deployments {
  deployments(first: 10) {
    id
    service
    version
    status
    verdict { decision reason score }
  }
}`;

editor.value = new URLSearchParams(location.search).get('q') ?? initial;

function show(value) {
  result.textContent = typeof value === 'string' ? value : JSON.stringify(value, null, 2);
}

function endSubscription() {
  if (stopSubscription) {
    stopSubscription();
    stopSubscription = null;
  }
  stopButton.disabled = true;
}

async function run() {
  endSubscription();
  let variables;
  try {
    variables = variablesBox.value.trim() === '' ? {} : JSON.parse(variablesBox.value);
  } catch (e) {
    status.textContent = `Variables are not valid JSON: ${e.message}`;
    variablesBox.setAttribute('aria-invalid', 'true');
    variablesBox.focus();
    return;
  }
  variablesBox.removeAttribute('aria-invalid');
  const text = editor.value;
  if (/^\s*(#[^\n]*\n\s*)*subscription\b/.test(text)) {
    const events = [];
    status.textContent = 'Subscribing…';
    stopButton.disabled = false;
    stopSubscription = subscribe(text, variables, {
      next: (data) => {
        events.push({ data });
        show(events);
        status.textContent = `${events.length} event${events.length === 1 ? '' : 's'} received`;
      },
      error: (errors) => {
        show({ errors });
        status.textContent = 'The subscription was refused';
        endSubscription();
      },
      status: (s) => {
        if (s === 'closed') {
          status.textContent = 'Connection closed; reconnecting';
        }
      },
    });
    return;
  }
  status.textContent = 'Running…';
  const started = performance.now();
  try {
    const response = await authFetch('/graphql', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/graphql-response+json, application/json' },
      body: JSON.stringify({ query: text, variables }),
    });
    const body = await response.text();
    let parsed = body;
    try {
      parsed = JSON.parse(body);
    } catch {
      // Not JSON: show the text as it came.
    }
    show(parsed);
    const ms = Math.round(performance.now() - started);
    const errors = parsed && Array.isArray(parsed.errors) ? parsed.errors.length : 0;
    status.textContent = `HTTP ${response.status} in ${ms} ms${errors ? ` · ${errors} error${errors === 1 ? '' : 's'}` : ''}`;
  } catch (e) {
    status.textContent = `Request failed: ${e.message}`;
  }
}

form.addEventListener('submit', (event) => {
  event.preventDefault();
  run();
});
stopButton.addEventListener('click', () => {
  endSubscription();
  status.textContent = 'Subscription stopped';
});
for (const box of [editor, variablesBox]) {
  box.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      run();
    }
  });
}

const introspection = `{ __schema {
  queryType { name fields { name description args { name type { kind name ofType { kind name ofType { kind name } } } } } }
  mutationType { name fields { name description args { name type { kind name ofType { kind name ofType { kind name } } } } } }
  subscriptionType { name fields { name description args { name type { kind name ofType { kind name ofType { kind name } } } } } }
} }`;

const typeName = (t) => (t.kind === 'NON_NULL' ? `${typeName(t.ofType)}!` : t.kind === 'LIST' ? `[${typeName(t.ofType)}]` : t.name);

async function loadSchema() {
  const host = document.getElementById('schema');
  try {
    const response = await authFetch('/graphql', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ query: introspection }),
    });
    const schema = (await response.json()).data.__schema;
    const groups = [['query', schema.queryType], ['mutation', schema.mutationType], ['subscription', schema.subscriptionType]].filter(([, t]) => t);
    host.innerHTML = groups.map(([keyword, type]) => `<h3>${esc(type.name)}</h3><ul class="fields">${type.fields.map((f) =>
      `<li><button type="button" class="link" data-keyword="${keyword}" data-field="${esc(f.name)}">${esc(f.name)}</button>${
        f.args.length ? `<span class="muted-text">(${f.args.map((a) => `${esc(a.name)}: ${esc(typeName(a.type))}`).join(', ')})</span>` : ''}
        <span class="desc">${esc(f.description ?? '')}</span></li>`).join('')}</ul>`).join('');
  } catch (e) {
    host.innerHTML = `<p class="error" role="alert">Could not load the schema: ${esc(e.message)}</p>`;
  }
}

document.getElementById('schema').addEventListener('click', (event) => {
  const button = event.target.closest('button[data-field]');
  if (!button) {
    return;
  }
  editor.value = `${button.dataset.keyword} {\n  ${button.dataset.field} {\n    __typename\n  }\n}`;
  editor.focus();
});

loadSchema();
run();

// The playground page: renders what the server's bot core says, in plain DOM. Every rule and sentence about
// jobs comes from the core; this file only knows how to show messages, pictures and buttons.
const $ = (selector, root = document) => root.querySelector(selector);

/** Protocol-level refusals (the request itself): the page's own chrome. */
const PROTOCOL = {
  TOO_MANY_FILES: 'Too many files in one request.',
  TOO_MANY_FIELDS: 'Too many form fields in one request.',
  BAD_UPLOAD: 'The upload did not arrive complete. Try again.',
  BUSY: 'Several uploads are already arriving. Try again in a moment.',
  TOKEN_REQUIRED: 'This page needs its access token: reload to log in.',
  FOREIGN_ORIGIN: 'The request did not come from this page.',
  MULTIPART_REQUIRED: 'The form was not sent as an upload.',
  INTERNAL: 'Something went wrong on the server; its log says what.',
};
const protocolText = (code) => PROTOCOL[code] ?? `The server refused the request (${code}).`;

async function api(path, init) {
  const response = await fetch(path, { credentials: 'same-origin', ...init });
  let data;
  try {
    data = await response.json();
  } catch {
    data = { error: { code: response.ok ? 'INTERNAL' : `HTTP_${response.status}` } };
  }
  return data;
}
const postJson = (path, body) => api(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

// ---------- light markdown of the core's texts: **bold**, `code`, line breaks; everything escaped first ----------
function inline(text) {
  const fragment = document.createDocumentFragment();
  const pattern = /(\*\*[^*]+\*\*|`[^`]+`)/g;
  let last = 0;
  for (const match of text.matchAll(pattern)) {
    if (match.index > last) fragment.append(text.slice(last, match.index));
    const token = match[0];
    const el = document.createElement(token.startsWith('**') ? 'strong' : 'code');
    el.textContent = token.startsWith('**') ? token.slice(2, -2) : token.slice(1, -1);
    fragment.append(el);
    last = match.index + token.length;
  }
  if (last < text.length) fragment.append(text.slice(last));
  return fragment;
}

// ---------- messages ----------
function renderMessage(message, messageId) {
  const el = document.createElement('article');
  el.className = 'message';
  el.dataset.tone = message.tone;
  if (messageId) el.dataset.messageId = messageId;
  const title = document.createElement('h3');
  title.append(inline(message.title));
  el.append(title);
  if (message.body) {
    const body = document.createElement('p');
    body.className = 'body';
    body.append(inline(message.body));
    el.append(body);
  }
  if (message.fields?.length) {
    const dl = document.createElement('dl');
    for (const field of message.fields) {
      const dt = document.createElement('dt');
      dt.append(inline(field.name));
      const dd = document.createElement('dd');
      dd.append(inline(field.value));
      dl.append(dt, dd);
    }
    el.append(dl);
  }
  const outputs = document.createElement('div');
  outputs.className = 'outputs';
  for (const image of message.images ?? []) {
    const img = document.createElement('img');
    img.src = image.url;
    img.alt = image.alt;
    img.dataset.role = image.role;
    img.decoding = 'async';
    if (image.role === 'preview') {
      img.className = 'preview';
      el.append(img);
      continue;
    }
    const figure = document.createElement('figure');
    const caption = document.createElement('figcaption');
    const link = document.createElement('a');
    link.href = image.url;
    link.download = image.name;
    link.textContent = `Download ${image.name}`;
    caption.append(link);
    figure.append(img, caption);
    outputs.append(figure);
  }
  if (outputs.childElementCount > 0) el.append(outputs);
  if (message.actions?.length) {
    const bar = document.createElement('div');
    bar.className = 'actions';
    for (const action of message.actions) {
      const button = document.createElement('button');
      button.type = 'button';
      button.textContent = action.label;
      button.dataset.action = action.id;
      if (action.style !== 'secondary') button.className = action.style;
      if (action.asksFor) button.dataset.asks = JSON.stringify(action.asksFor);
      bar.append(button);
    }
    el.append(bar);
  }
  if (message.footer) {
    const footer = document.createElement('footer');
    footer.append(inline(message.footer));
    el.append(footer);
  }
  return el;
}

// ---------- jobs: one panel per conversation, newest first ----------
const panels = new Map();

function panel(conversation, jobId) {
  let el = panels.get(conversation);
  if (!el) {
    el = document.createElement('section');
    el.className = 'job';
    el.dataset.conversation = conversation;
    el.setAttribute('aria-label', 'Job');
    const messages = document.createElement('div');
    messages.className = 'messages';
    const notes = document.createElement('div');
    notes.className = 'notes';
    notes.setAttribute('role', 'status');
    notes.setAttribute('aria-live', 'polite');
    el.append(messages, notes);
    $('#job-list').prepend(el);
    panels.set(conversation, el);
    $('#no-jobs').hidden = true;
  }
  if (jobId) {
    el.dataset.job = jobId;
    el.setAttribute('aria-label', `Job ${jobId}`);
  }
  return el;
}

const actionsOf = (el) => el.querySelector(':scope > .actions');
const signature = (bar) => (bar ? [...bar.children].map((b) => `${b.dataset.action}|${b.textContent}`).join(';') : '');

function upsert(conversation, jobId, messageId, message) {
  const host = panel(conversation, jobId);
  const list = $('.messages', host);
  if (messageId.endsWith('.reply') && list.querySelector('[data-message-id]:not([data-message-id$=".reply"])')) return;
  const next = renderMessage(message, messageId);
  const previous = [...list.children].find((child) => child.dataset.messageId === messageId);
  if (previous && signature(actionsOf(previous)) === signature(actionsOf(next)) && actionsOf(next)) {
    // same buttons: update around them, so that a button being focused or pressed (Cancel) stays put
    const bar = actionsOf(previous);
    const nextBar = actionsOf(next);
    previous.dataset.tone = next.dataset.tone;
    for (const child of [...previous.childNodes]) if (child !== bar) child.remove();
    let beforeBar = true;
    for (const child of [...next.childNodes]) {
      if (child === nextBar) beforeBar = false;
      else if (beforeBar) previous.insertBefore(child, bar);
      else previous.append(child);
    }
  } else if (previous) {
    previous.replaceWith(next);
  } else {
    list.append(next);
  }
  // the command's answer stands in until the core's own status message for the job arrives
  if (!messageId.endsWith('.reply')) list.querySelector('[data-message-id$=".reply"]')?.remove();
}

function note(host, reply) {
  const notes = $('.notes', host);
  notes.replaceChildren(renderMessage(reply.message));
}

// ---------- the option form, generated from the server's descriptors ----------
function optionInput(field) {
  const wrap = document.createElement('div');
  wrap.className = 'field';
  const id = `opt-${field.name}`;
  const label = document.createElement('label');
  label.htmlFor = id;
  label.textContent = field.label;
  let input;
  if (field.kind === 'choice' || field.kind === 'boolean') {
    input = document.createElement('select');
    const choices = field.kind === 'boolean' ? ['true', 'false'] : field.choices;
    input.append(new Option(field.placeholder !== undefined ? `default (${field.placeholder})` : 'default', ''));
    for (const choice of choices) input.append(new Option(choice, choice));
  } else {
    input = document.createElement('input');
    input.type = field.kind === 'integer' || field.kind === 'number' ? 'number' : 'text';
    if (field.min !== undefined) input.min = String(field.min);
    if (field.max !== undefined) input.max = String(field.max);
    if (field.step) input.step = field.step;
    if (field.kind === 'list') input.inputMode = 'decimal';
    if (field.placeholder !== undefined) input.placeholder = field.placeholder;
    input.autocomplete = 'off';
  }
  input.id = id;
  input.name = field.name;
  const help = document.createElement('p');
  help.className = 'help';
  help.id = `help-${field.name}`;
  help.textContent = field.help;
  const error = document.createElement('p');
  error.className = 'error';
  error.id = `err-${field.name}`;
  error.setAttribute('role', 'alert');
  input.setAttribute('aria-describedby', `${help.id} ${error.id}`);
  wrap.append(label, input, help, error);
  return wrap;
}

function setPresetChoices(choices) {
  const select = $('#preset');
  const current = select.value;
  select.replaceChildren(new Option('(none)', ''), ...choices.map((c) => new Option(c.name, c.value)));
  select.value = choices.some((c) => c.value === current) ? current : '';
}

async function loadForm() {
  const form = await api('/api/form');
  if (form.error) return showFormMessage(protocolText(form.error.code));
  for (const field of form.fields) $(field.primary ? '#primary-options' : '#more-options').append(optionInput(field));
  setPresetChoices(form.presets);
}

// ---------- pictures: thumbnails and drag and drop ----------
function showThumbs(input) {
  const host = $(`#thumbs-${input.name}`);
  for (const img of host.querySelectorAll('img')) URL.revokeObjectURL(img.src);
  host.replaceChildren(...[...input.files].map((file) => {
    const img = document.createElement('img');
    img.src = URL.createObjectURL(file);
    img.alt = `${input.name === 'content' ? 'Content' : 'Style'} picture ${file.name}`;
    return img;
  }));
}

for (const drop of document.querySelectorAll('.drop')) {
  const input = $('input', drop);
  input.addEventListener('change', () => showThumbs(input));
  drop.addEventListener('dragover', (event) => { event.preventDefault(); drop.classList.add('over'); });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', (event) => {
    event.preventDefault();
    drop.classList.remove('over');
    if (event.dataTransfer?.files.length) {
      input.files = event.dataTransfer.files;
      showThumbs(input);
    }
  });
}

// ---------- submitting ----------
function showFormMessage(text, reply) {
  const host = $('#form-message');
  if (reply) host.replaceChildren(renderMessage(reply.message));
  else if (text) host.textContent = text;
  else host.replaceChildren();
}

function clearErrors() {
  for (const el of document.querySelectorAll('#stylize .error')) el.textContent = '';
  for (const el of document.querySelectorAll('#stylize [aria-invalid]')) el.removeAttribute('aria-invalid');
  showFormMessage('');
}

/** The core names problems by option or picture; style2..style8 belong to the one style input. */
function showFieldErrors(errors) {
  let first;
  for (const [key, text] of Object.entries(errors)) {
    const name = /^style\d+$/.test(key) ? 'style' : key;
    const error = document.getElementById(`err-${name}`);
    if (!error) continue;
    error.textContent = error.textContent ? `${error.textContent} ${text}` : text;
    const input = document.getElementById(name) ?? document.getElementById(`opt-${name}`);
    input?.setAttribute('aria-invalid', 'true');
    if (input?.closest('details')) input.closest('details').open = true;
    first ??= input;
  }
  first?.focus();
}

function formOptions() {
  const options = {};
  for (const input of document.querySelectorAll('#primary-options [name], #more-options [name]')) if (input.value.trim() !== '') options[input.name] = input.value.trim();
  return options;
}

$('#stylize').addEventListener('submit', async (event) => {
  event.preventDefault();
  clearErrors();
  const button = $('#submit');
  button.disabled = true;
  try {
    const body = new FormData();
    // fields first, files last: the server reads the options before the pictures arrive
    for (const [name, value] of Object.entries(formOptions())) body.append(name, value);
    if ($('#preset').value) body.append('preset', $('#preset').value);
    for (const file of $('#content').files) body.append('content', file, file.name);
    for (const file of $('#style').files) body.append('style', file, file.name);
    const data = await api('/api/jobs', { method: 'POST', body });
    if (data.error) return showFormMessage(protocolText(data.error.code));
    const { reply, conversation } = data;
    if (reply.fieldErrors) showFieldErrors(reply.fieldErrors);
    if (reply.jobId) {
      upsert(conversation, reply.jobId, `${conversation}.reply`, reply.message);
      panels.get(conversation)?.scrollIntoView({ block: 'nearest' });
    } else {
      showFormMessage('', reply);
    }
  } catch (error) {
    showFormMessage(`The server could not be reached (${error.message}).`);
  } finally {
    button.disabled = false;
  }
});

// ---------- buttons of messages: follow-ups, cancel, card, save as preset ----------
function ask(spec) {
  const dialog = $('#ask');
  $('#ask-label').textContent = spec.label;
  const input = $('#ask-input');
  input.value = '';
  input.maxLength = spec.maxLength;
  input.placeholder = spec.placeholder ?? '';
  dialog.showModal();
  return new Promise((resolve) => {
    dialog.addEventListener('close', () => resolve(dialog.returnValue === 'ok' && input.value.trim() ? input.value.trim() : undefined), { once: true });
  });
}

document.addEventListener('click', async (event) => {
  const button = event.target.closest('button[data-action]');
  if (!button) return;
  const host = button.closest('.job');
  let text;
  if (button.dataset.asks) {
    text = await ask(JSON.parse(button.dataset.asks));
    if (text === undefined) return;
  }
  button.disabled = true;
  try {
    const data = await postJson('/api/actions', { id: button.dataset.action, ...(text !== undefined ? { text } : {}) });
    if (data.error) return host && note(host, { message: { tone: 'error', title: protocolText(data.error.code), images: [] } });
    if (data.conversation && data.reply.jobId) {
      upsert(data.conversation, data.reply.jobId, `${data.conversation}.reply`, data.reply.message);
    } else if (host) {
      note(host, data.reply);
    }
    if (button.dataset.action.includes(':save:')) refreshPresets();
  } finally {
    button.disabled = false;
  }
});

// ---------- presets ----------
async function refreshPresets() {
  const data = await api('/api/presets/choices');
  if (!data.error) setPresetChoices(data.choices);
}

function presetMessage(data) {
  const host = $('#preset-message');
  if (data.error) host.textContent = protocolText(data.error.code);
  else host.replaceChildren(renderMessage(data.reply.message));
  if (data.reply?.fieldErrors) host.append(...Object.values(data.reply.fieldErrors).map((t) => Object.assign(document.createElement('p'), { className: 'error', textContent: t })));
}

$('#list-presets').addEventListener('click', async () => presetMessage(await api('/api/presets')));

$('#save-options').addEventListener('click', async () => {
  const name = await ask({ label: 'Preset name', maxLength: 64 });
  if (name === undefined) return;
  presetMessage(await postJson('/api/presets', { op: 'save', name, options: formOptions() }));
  refreshPresets();
});

for (const button of document.querySelectorAll('[data-preset-op]')) {
  button.addEventListener('click', async () => {
    const op = button.dataset.presetOp;
    const name = $('#preset-name').value.trim();
    const body = op === 'import' ? { op, code: $('#preset-code').value.trim(), ...(name ? { name } : {}) } : { op, name: name || $('#preset').value };
    presetMessage(await postJson('/api/presets', body));
    refreshPresets();
  });
}

// ---------- challenges (read only: they run on Discord and Slack) ----------
$('#list-challenges').addEventListener('click', async () => {
  const data = await api('/api/challenges');
  const host = $('#challenge-message');
  if (data.error) host.textContent = protocolText(data.error.code);
  else host.replaceChildren(renderMessage(data.reply.message));
});

// ---------- the engine's weights on a first run ----------
const mb = (bytes) => `${(bytes / 1e6).toFixed(1)} MB`;
function showWeights(status) {
  const host = $('#weights');
  if (!status || status.state === 'ready') {
    host.hidden = true;
    return;
  }
  host.hidden = false;
  host.dataset.state = status.state;
  const bar = $('#weights-progress');
  if (status.state === 'downloading') {
    $('#weights-label').textContent = status.totalBytes
      ? `Downloading the VGG19 weights, needed once: ${mb(status.receivedBytes)} of ${mb(status.totalBytes)}`
      : `Downloading the VGG19 weights, needed once: ${mb(status.receivedBytes)}`;
    bar.hidden = false;
    if (status.totalBytes) bar.value = status.receivedBytes / status.totalBytes;
    else bar.removeAttribute('value');
    $('#weights-message').textContent = '';
  } else {
    $('#weights-label').textContent = 'The VGG19 weights are missing.';
    bar.hidden = true;
    $('#weights-message').textContent = status.message;
  }
}

// ---------- live updates ----------
function applyEvent(event) {
  upsert(event.conversation, event.jobId, event.messageId, event.message);
}

async function restore() {
  const state = await api('/api/state');
  showWeights(state.weights);
  for (const c of state.conversations ?? []) for (const m of c.messages) upsert(c.conversation, c.jobId, m.messageId, m.message);
}

/** resolves once the stream is open, so that nothing said after the snapshot below is missed */
function listen() {
  const source = new EventSource('/api/events');
  source.addEventListener('message', (event) => applyEvent(JSON.parse(event.data)));
  source.addEventListener('weights', (event) => showWeights(JSON.parse(event.data)));
  source.addEventListener('error', () => { document.body.dataset.live = 'false'; });
  return new Promise((resolve) => source.addEventListener('open', () => { document.body.dataset.live = 'true'; resolve(); }));
}

await loadForm();
await listen();
await restore();
document.body.dataset.ready = 'true';

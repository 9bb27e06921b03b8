// The operator console: tasks (submit, live steps, history, timeline), the approval inbox and provenance
// verification, routed by URL fragment (#/tasks/…) so the Gateway needs no route per view.
import { t, has, languages, language, setLanguage } from './i18n.js';
import { session, signIn, signOut, completeSignIn } from './auth.js';
import { get, post, followEvents, whenUnauthorized, ApiError } from './api.js';
import { verifyProvenance, verifyBundle, classify } from './verify.js';

const finalStatuses = new Set(['succeeded', 'failed', 'rejected', 'cancelled']);
const taskStatuses = ['pending', 'running', 'awaiting_approval', 'succeeded', 'failed', 'rejected', 'cancelled'];
const approvalStatuses = ['pending', 'approved', 'rejected', 'expired', 'withdrawn'];
const verifyKey = 'openmcp.verify';

/** Builds an element: h('a', {href, class, text, onclick, 'data-testid'}, ...children). Text is never parsed as HTML. */
function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'text') el.textContent = value;
    else if (key === 'class') el.className = value;
    else if (key.startsWith('on')) el.addEventListener(key.slice(2), value);
    else if (key === 'value') el.value = value;
    else el.setAttribute(key, value === true ? '' : value);
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

/** Replaces an element's children, skipping absent ones (replaceChildren would write "null"). */
function fill(el, ...children) {
  el.replaceChildren(...children.flat(Infinity).filter(c => c !== null && c !== undefined && c !== false));
}

const badge = status => h('span', { class: `badge ${status}`, 'data-testid': 'status', 'data-status': status, text: t(`status.${status}`) });
/** A time (Unix seconds, as tasks give it, or ISO 8601, as approvals do) in the reader's language. */
const when = time => time ? new Date(typeof time === 'number' ? time * 1000 : time).toLocaleString(language() === 'zh' ? 'zh-CN' : 'en') : '—';

function errorText(e) {
  if (!(e instanceof ApiError)) return e?.message ?? String(e);
  if (e.code === 'NETWORK') return t('error.network');
  const known = has(`error.${e.code}`) ? t(`error.${e.code}`) : e.message;
  return t('error.generic', { code: e.code, message: known });
}
const alertText = text => h('div', { class: 'alert', role: 'alert', text });
const alertBox = e => h('div', { class: 'alert', role: 'alert', 'data-testid': 'error', 'data-code': e?.code, text: errorText(e) });
const notVerified = () => h('span', { class: 'verdict bad', 'data-testid': 'verdict', 'data-verified': 'false', text: t('prov.notVerified') });

let signer = null;
async function serviceSigner() {
  signer ??= get('/api/v1/signer').then(s => s.address);
  return signer;
}

// ---- shell -------------------------------------------------------------------------------------------------------

let current = new AbortController();

/** The fragment's path segments without its query: '#/tasks/abc?x=1' → ['tasks', 'abc']. */
function routeParts() {
  return location.hash.replace(/^#\/?/, '').split('?')[0].split('/');
}

function shell() {
  document.title = t('app.title');
  document.getElementById('lang-label').textContent = t('lang.label');
  const select = document.getElementById('lang');
  fill(select, ...languages.map(([code, name]) => h('option', { value: code, text: name, selected: code === language() })));
  const route = routeParts()[0] || 'tasks';
  fill(document.getElementById('nav'), ...[['tasks', 'nav.tasks'], ['approvals', 'nav.approvals'], ['verify', 'nav.verify']]
    .map(([path, key]) => h('a', { href: `#/${path}`, class: route === path ? 'active' : null, text: t(key) })));
  const me = session();
  fill(document.getElementById('who'), ...(me
    ? [h('span', { 'data-testid': 'user', text: t('auth.signedInAs', { user: me.user }) }),
       h('button', { type: 'button', text: t('auth.signOut'), onclick: async () => { await signOut(); render(); } })]
    : []));
}

function render(notice) {
  current.abort();
  current = new AbortController();
  shell();
  const view = document.getElementById('view');
  fill(view);
  if (!session() && !location.hash.startsWith('#/verify')) {
    view.append(h('section', { class: 'card' },
      h('h1', { text: t('app.title') }),
      notice ? alertText(notice) : null,
      h('p', { text: t('auth.intro') }),
      h('button', { class: 'primary', type: 'button', text: t('auth.signIn'), onclick: signIn })));
    return;
  }
  const [section, id] = routeParts();
  const signal = current.signal;
  if (section === 'approvals') approvalsView(view, signal);
  else if (section === 'verify') verifyView(view, signal);
  else if (section === 'tasks' && id) taskView(view, decodeURIComponent(id), signal);
  else tasksView(view, signal);
}

// ---- tasks: submit and history ---------------------------------------------------------------------------------

function tasksView(view, signal) {
  const goal = h('textarea', { id: 'goal', rows: 3, placeholder: t('submit.goalPlaceholder') });
  const submitMessage = h('div');
  const submit = h('button', { class: 'primary', type: 'submit', text: t('submit.button') });
  const form = h('form', { class: 'card', onsubmit: async e => {
    e.preventDefault();
    if (!goal.value.trim()) {
      fill(submitMessage, alertText(t('submit.empty')));
      return;
    }
    submit.disabled = true;
    submit.textContent = t('submit.sending');
    try {
      const task = await post('/api/v1/tasks', { goal: goal.value.trim() });
      location.hash = `#/tasks/${encodeURIComponent(task.task_id ?? task.id)}`;
    } catch (error) {
      fill(submitMessage, alertBox(error));
      submit.disabled = false;
      submit.textContent = t('submit.button');
    }
  } }, h('h2', { text: t('submit.title') }), h('label', { for: 'goal', text: t('submit.goal') }), goal, submitMessage, h('div', { class: 'row' }, submit));

  const params = new URLSearchParams(location.hash.split('?')[1] ?? '');
  const status = h('select', { id: 'filter-status', 'aria-label': t('history.status') },
    h('option', { value: '', text: t('history.any') }),
    taskStatuses.map(s => h('option', { value: s, text: t(`status.${s}`), selected: params.get('status') === s })));
  const q = h('input', { id: 'filter-q', type: 'search', placeholder: t('history.search'), 'aria-label': t('history.search'), value: params.get('q') ?? '' });
  const offset = Number(params.get('offset') ?? 0);
  const limit = 20;
  const go = off => {
    const next = new URLSearchParams();
    if (status.value) next.set('status', status.value);
    if (q.value.trim()) next.set('q', q.value.trim());
    if (off) next.set('offset', off);
    location.hash = `#/tasks?${next}`;
  };
  const list = h('div', { 'data-testid': 'task-list' });
  const history = h('section', { class: 'card' }, h('h2', { text: t('history.title') }),
    h('form', { class: 'row', onsubmit: e => { e.preventDefault(); go(0); } }, status, q, h('button', { type: 'submit', text: t('history.filter') })), list);
  view.append(form, history);

  const query = new URLSearchParams({ limit, offset });
  if (params.get('status')) query.set('status', params.get('status'));
  if (params.get('q')) query.set('q', params.get('q'));
  get(`/api/v1/tasks?${query}`, signal).then(page => {
    if (page.tasks.length === 0) {
      fill(list, h('p', { class: 'muted', text: t('history.empty') }));
      return;
    }
    fill(list,
      h('table', {}, h('thead', {}, h('tr', {}, ['col.task', 'col.goal', 'col.status', 'col.by', 'col.updated'].map(k => h('th', { text: t(k) })))),
        h('tbody', {}, page.tasks.map(task => h('tr', { 'data-testid': 'task-row' },
          h('td', { class: 'mono' }, h('a', { href: `#/tasks/${encodeURIComponent(task.task_id)}`, text: task.task_id.slice(0, 12) })),
          h('td', { text: task.goal }), h('td', {}, badge(task.status)), h('td', { text: task.submitted_by ?? '—' }), h('td', { text: when(task.updated_at) }))))),
      h('div', { class: 'row' },
        h('span', { class: 'muted', text: t('history.count', { shown: page.tasks.length, total: page.total }) }),
        offset > 0 ? h('button', { type: 'button', text: t('history.prev'), onclick: () => go(Math.max(0, offset - limit)) }) : null,
        page.has_more ? h('button', { type: 'button', text: t('history.next'), onclick: () => go(page.next_offset) }) : null));
  }).catch(e => { if (!signal.aborted) fill(list, alertBox(e)); });
}

// ---- one task: live steps, timeline, provenance ----------------------------------------------------------------------

function taskView(view, id, signal) {
  const head = h('section', { class: 'card', 'data-testid': 'task-head' });
  const steps = h('section', { class: 'card' });
  const proof = h('section', { class: 'card', 'data-testid': 'provenance' });
  view.append(h('p', {}, h('a', { href: '#/tasks', text: t('task.back') })), head, steps, proof);
  let verifiedFor = null;

  async function refresh() {
    const [task, list] = await Promise.all([get(`/api/v1/tasks/${encodeURIComponent(id)}`, signal), get(`/api/v1/tasks/${encodeURIComponent(id)}/steps`, signal)]);
    if (signal.aborted) return task;
    drawHead(task);
    drawSteps(list);
    const provenance = task.result?.provenance;
    const key = provenance ? `${provenance.signature}|${provenance.anchor?.tx_hash ?? ''}` : null;
    if (key !== verifiedFor) {
      verifiedFor = key;
      drawProvenance(task, provenance);
    }
    return task;
  }

  function drawHead(task) {
    const live = !finalStatuses.has(task.status);
    fill(head,
      h('h1', { text: t('task.title', { id: task.task_id }) }),
      h('p', { 'data-testid': 'goal', text: task.goal }),
      h('div', { class: 'row' }, badge(task.status),
        task.submitted_by ? h('span', { class: 'muted', text: t('task.submittedBy', { user: task.submitted_by }) }) : null,
        h('span', { class: 'muted', 'data-testid': 'usage', text: t('task.usage', { input: task.usage?.input_tokens ?? 0, output: task.usage?.output_tokens ?? 0 }) }),
        live ? h('span', { class: 'live', 'data-testid': 'live', text: t('task.live') }) : h('span', { class: 'muted', text: t('task.ended') })),
      task.status === 'awaiting_approval' ? h('p', {}, t('task.waitsFor', { id: task.approval_id ?? '' }), ' ',
        h('a', { href: '#/approvals', text: t('task.openInbox') })) : null,
      live && task.status !== 'running' ? h('button', { type: 'button', text: t('task.cancel'), onclick: async ev => {
        ev.target.disabled = true;
        try { await post(`/api/v1/tasks/${encodeURIComponent(id)}/cancel`); await refresh(); } catch (e) { head.append(alertBox(e)); }
      } }) : null,
      task.result?.reply ? h('div', {}, h('h2', { text: t('task.reply') }), h('p', { 'data-testid': 'reply', text: task.result.reply })) : null,
      task.error ? h('div', {}, h('h2', { text: t('task.error') }), h('div', { class: 'alert', 'data-testid': 'task-error',
        text: t('error.generic', { code: task.error.code, message: task.error.message }) })) : null);
  }

  function drawSteps(list) {
    fill(steps, h('h2', { text: t('task.steps') }), list.length === 0 ? h('p', { class: 'muted', text: t('task.noSteps') }) :
      h('table', { 'data-testid': 'steps' },
        h('thead', {}, h('tr', {}, ['col.step', 'col.kind', 'col.name', 'col.duration', 'col.tokens', 'col.policy', 'col.output'].map(k => h('th', { text: t(k) })))),
        h('tbody', {}, list.map(s => h('tr', { 'data-testid': 'step', class: s.is_error ? 'error' : null },
          h('td', { class: 'num', text: `${s.attempt}.${s.seq}` }), h('td', { text: s.kind }), h('td', { class: 'mono', text: s.name }),
          h('td', { class: 'num', 'data-testid': 'duration', text: t('time.ms', { n: s.duration_ms }) }),
          h('td', { class: 'num', 'data-testid': 'tokens', text: `${s.input_tokens} / ${s.output_tokens}` }),
          h('td', { text: s.policy_decision ?? '' }),
          h('td', {}, s.error_code ? h('span', { class: 'badge failed', text: s.error_code }) : null, h('pre', { class: 'output', text: s.output })))))));
  }

  function drawProvenance(task, provenance) {
    fill(proof, h('h2', { text: t('prov.title') }));
    if (!provenance) {
      proof.append(h('p', { class: 'muted', text: t('prov.none') }));
      return;
    }
    const results = h('div', { 'data-testid': 'verification' });
    const verify = () => showChecks(results, (expected, fetchJson) => verifyProvenance(provenance, expected, fetchJson));
    proof.append(results,
      h('dl', { class: 'facts' },
        fact('prov.signer', provenance.signer), fact('prov.signature', provenance.signature),
        fact('prov.logIndex', provenance.log?.index), fact('prov.treeSize', provenance.log?.tree_size), fact('prov.root', provenance.log?.root),
        provenance.anchor ? [fact('prov.anchorNetwork', `${provenance.anchor.network} (${provenance.anchor.chain_id})`),
          fact('prov.anchorBlock', provenance.anchor.block_number, 'anchor-block'), fact('prov.anchorTx', provenance.anchor.tx_hash, 'anchor-tx'),
          fact('prov.anchorContract', provenance.anchor.contract)] : null),
      h('div', { class: 'row' },
        h('button', { type: 'button', text: t('prov.verify'), onclick: verify }),
        h('button', { type: 'button', 'data-testid': 'open-verifier', text: t('prov.openVerifier'), onclick: () => {
          sessionStorage.setItem(verifyKey, JSON.stringify(provenance, null, 2));
          location.hash = '#/verify';
        } }),
        h('button', { type: 'button', text: t('prov.download'), onclick: async () => {
          const bundle = await get(`/api/v1/bundles/${encodeURIComponent(task.task_id)}`);
          const link = h('a', { href: URL.createObjectURL(new Blob([JSON.stringify(bundle, null, 2)], { type: 'application/json' })), download: `bundle-${task.task_id}.json` });
          link.click();
        } })));
    verify();
  }

  async function follow() {
    let task = await refresh();
    await followEvents(`/api/v1/tasks/${encodeURIComponent(id)}/events`,
      { signal, onChange: async () => { task = await refresh(); }, done: () => finalStatuses.has(task.status) });
    // Ended: the anchor transaction follows within the anchoring interval; look again until it is there.
    for (let i = 0; i < 60 && !signal.aborted && task.result?.provenance && !task.result.provenance.anchor; i++) {
      await new Promise(r => setTimeout(r, 2000));
      if (!signal.aborted) task = await refresh();
    }
  }
  follow().catch(e => {
    if (signal.aborted) return;
    fill(head, e instanceof ApiError && e.status === 404 ? alertText(t('task.notFound')) : alertBox(e));
  });
}

function fact(key, value, testid) {
  return [h('dt', { text: t(key) }), h('dd', { class: 'mono', 'data-testid': testid, text: value ?? '—' })];
}

/** Runs the checks (run(expectedSigner, fetchJson) → [{id, ok, detail}]) and shows one verified / not verified mark with each check. */
async function showChecks(target, run) {
  fill(target, h('span', { class: 'verdict wait', 'data-testid': 'verdict', text: t('prov.checking') }));
  let checks;
  try {
    checks = await run(await serviceSigner(), path => get(path));
  } catch (e) {
    fill(target, notVerified(), alertBox(e));
    return;
  }
  const ok = checks.every(c => c.ok);
  const waitingAnchor = !ok && checks.filter(c => !c.ok).every(c => c.id === 'anchor' && c.detail?.key === 'check.detail.noAnchor');
  fill(target,
    h('span', { class: `verdict ${ok ? 'ok' : waitingAnchor ? 'wait' : 'bad'}`, 'data-testid': 'verdict', 'data-verified': String(ok),
      text: ok ? t('prov.verified') : waitingAnchor ? t('prov.waitingAnchor') : t('prov.notVerified') }),
    h('ul', { class: 'checks' }, checks.map(c => h('li', { class: c.ok ? 'ok' : 'bad', 'data-testid': 'check', 'data-check': c.id, 'data-ok': String(c.ok) },
      h('span', { class: 'mark', text: c.ok ? '✔' : '✘' }), t(`check.${c.id}`),
      c.detail?.key ? h('span', { class: 'muted mono', text: ` — ${t(c.detail.key, c.detail)}` }) : null))));
}

// ---- the approval inbox -------------------------------------------------------------------------------------------

function approvalsView(view, signal) {
  const params = new URLSearchParams(location.hash.split('?')[1] ?? '');
  const shown = params.get('status') ?? 'pending';
  const status = h('select', { id: 'approval-status', 'aria-label': t('approvals.show'), onchange: e => { location.hash = `#/approvals?status=${e.target.value}`; } },
    approvalStatuses.map(s => h('option', { value: s, text: t(`status.${s}`), selected: s === shown })));
  const liveMark = h('span', { class: 'muted', 'data-testid': 'approvals-live' });
  const list = h('div', { 'data-testid': 'approval-list' });
  view.append(h('section', { class: 'card' }, h('h1', { text: t('approvals.title') }), h('p', { class: 'muted', text: t('approvals.intro') }),
    h('div', { class: 'row' }, h('label', { for: 'approval-status', text: t('approvals.show') }), status, liveMark)), list);
  const messages = new Map(); // what a decision answered, kept across redraws of the list

  async function refresh() {
    try {
      const page = await get(`/api/v1/approvals?status=${encodeURIComponent(shown)}&limit=50`, signal);
      if (signal.aborted) return;
      fill(list, ...(page.approvals.length === 0 ? [h('p', { class: 'card muted', text: t('approvals.empty') })]
        : page.approvals.map(a => approvalCard(a, messages, refresh))));
      for (const [id, message] of messages) list.append(...(page.approvals.some(a => a.id === id) ? [] : [message]));
    } catch (e) {
      if (!signal.aborted) fill(list, alertBox(e));
    }
  }
  refresh();

  followEvents('/api/v1/approvals/events', {
    signal, onChange: refresh, accept: event => event.event === 'approval',
    onLive: live => { liveMark.textContent = live ? `● ${t('approvals.live')}` : t('approvals.offline'); },
  });
}

function approvalCard(a, messages, refresh) {
  const reason = h('textarea', { rows: 2, 'aria-label': t('approvals.reason'), placeholder: t('approvals.reasonPlaceholder'), 'data-testid': 'reason' });
  const outcome = h('div');
  if (messages.has(a.id)) outcome.append(messages.get(a.id));
  const decide = verb => async ev => {
    const buttons = ev.target.parentElement.querySelectorAll('button');
    buttons.forEach(b => { b.disabled = true; });
    try {
      const decided = await post(`/api/v1/approvals/${encodeURIComponent(a.id)}/${verb}`, { reason: reason.value.trim() || null });
      // Approving answers the sent write (its transaction); rejecting answers the request.
      const status = verb === 'approve' ? 'approved' : 'rejected';
      messages.set(a.id, h('div', { class: 'note', role: 'status', 'data-testid': 'decision' }, t('approvals.done', { status: t(`status.${status}`) }),
        decided?.tx_hash ? h('span', { class: 'mono', text: ` ${t('approvals.txHash')}: ${decided.tx_hash}` }) : null));
      fill(outcome, messages.get(a.id));
      refresh();
    } catch (e) {
      fill(outcome, alertBox(e));
      buttons.forEach(b => { b.disabled = false; });
    }
  };
  const value = a.value !== undefined && a.value !== null
    ? `${t('approvals.valueEther', { ether: a.value_ether ?? '?' })} (${t('approvals.valueWei', { wei: a.value })})` : null;
  return h('article', { class: 'card', 'data-testid': 'approval', 'data-id': a.id },
    h('div', { class: 'row' }, h('h2', { class: 'mono', text: a.id }), badge(a.status)),
    a.summary ? h('p', { 'data-testid': 'summary', text: a.summary }) : null,
    h('dl', { class: 'facts' },
      fact('approvals.network', a.network ? `${a.network}${a.chain_id ? ` (${a.chain_id})` : ''}` : null),
      fact('approvals.wallet', [a.wallet, a.from].filter(Boolean).join(' · ') || null),
      fact('approvals.recipient', a.to, 'recipient'),
      value ? fact('approvals.value', value, 'value') : null,
      a.token ? fact('approvals.token', `${a.token.amount_formatted ?? a.token.amount} ${a.token.symbol ?? ''} (${a.token.address})`) : null,
      a.method ? fact('approvals.method', `${a.method.signature}(${(a.method.arguments ?? []).map(x => `${x.name ? x.name + ': ' : ''}${x.value}`).join(', ')})`) : null,
      a.simulation ? fact('approvals.simulation', t('approvals.simulationText', { outcome: a.simulation.outcome, gas: a.simulation.gas })) : null,
      a.task_id ? [h('dt', { text: t('approvals.task') }), h('dd', { class: 'mono' }, h('a', { href: `#/tasks/${encodeURIComponent(a.task_id)}`, text: a.task_id }))] : null,
      fact('approvals.goal', a.goal, 'approval-goal'),
      fact('approvals.requestedBy', a.requested_by ?? a.caller, 'requested-by'),
      fact('approvals.expiresAt', when(a.expires_at)),
      a.decided_by ? fact('approvals.decidedBy', a.decided_by) : null,
      a.reason ? fact('approvals.reason', a.reason) : null,
      a.tx_hash ? fact('approvals.txHash', a.tx_hash) : null),
    a.status === 'pending' ? [h('label', { text: t('approvals.reason') }), reason,
      h('div', { class: 'row' },
        h('button', { class: 'primary', type: 'button', text: t('approvals.approve'), onclick: decide('approve') }),
        h('button', { class: 'danger', type: 'button', text: t('approvals.reject'), onclick: decide('reject') }))] : null,
    outcome);
}

// ---- verify a pasted provenance or bundle -----------------------------------------------------------------------------

function verifyView(view) {
  const input = h('textarea', { id: 'verify-input', class: 'code', 'aria-label': t('verify.input'), spellcheck: 'false' });
  input.value = sessionStorage.getItem(verifyKey) ?? '';
  const file = h('input', { type: 'file', accept: 'application/json,.json', 'aria-label': t('verify.file'), onchange: async e => {
    const chosen = e.target.files?.[0];
    if (chosen) input.value = await chosen.text();
  } });
  const results = h('div', { 'data-testid': 'verification' });
  const run = () => {
    sessionStorage.setItem(verifyKey, input.value);
    let json;
    try {
      json = JSON.parse(input.value);
    } catch (e) {
      fill(results, notVerified(), alertText(t('verify.badJson', { reason: e.message })));
      return;
    }
    const shape = classify(json);
    if (!shape) {
      fill(results, notVerified(), alertText(t('verify.unknownShape')));
      return;
    }
    showChecks(results, (expected, fetchJson) => (shape.kind === 'bundle' ? verifyBundle : verifyProvenance)(shape.value, expected, fetchJson));
  };
  view.append(h('section', { class: 'card' }, h('h1', { text: t('verify.title') }), h('p', { class: 'muted', text: t('verify.intro') }),
    h('label', { for: 'verify-input', text: t('verify.input') }), input,
    h('div', { class: 'row' }, h('label', {}, t('verify.file'), ' ', file), h('button', { class: 'primary', type: 'button', 'data-testid': 'verify', text: t('verify.button'), onclick: run })),
    results));
}

// ---- start --------------------------------------------------------------------------------------------------------

document.getElementById('lang').addEventListener('change', e => { setLanguage(e.target.value); render(); });
window.addEventListener('hashchange', () => render());
whenUnauthorized(() => render(t('auth.expired')));

(async () => {
  let notice;
  try {
    const route = await completeSignIn();
    if (route) location.hash = route;
  } catch (e) {
    notice = t('auth.failed', { reason: e.message });
  }
  render(notice);
})();

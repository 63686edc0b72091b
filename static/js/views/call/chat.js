// The call's chat: the history (sent on admission), new lines, and a file attached to a line. A
// file is uploaded first (with a progress bar); then the line names it by the id the upload gave.

import { api } from '../../api.js';
import { h } from '../../dom.js';
import { busy, resetStatus, showError, statusLine } from '../../forms.js';
import { formatBytes, t } from '../../i18n.js';
import { formatTime, timeEl } from '../../time.js';
import { zoneFor } from '../labels.js';

/** What the server accepts (it checks the content itself; this only helps the file picker). */
const ACCEPT = '.pdf,.jpg,.jpeg,.png,.dcm,.txt,.ogg,.wav,.ivf,.webm,application/pdf,image/jpeg,image/png,'
  + 'application/dicom,text/plain,audio/ogg,audio/wav,video/webm';

function line(s, m, zone) {
  const mine = m.user_id === s.myUserId;
  return h('li', { class: mine ? 'chat-line chat-line--mine' : 'chat-line',
    dataset: { messageId: m.id, userId: m.user_id } },
  h('p', { class: 'chat-meta' }, h('strong', {}, m.name), ' ', timeEl(m.at, zone, formatTime)),
  m.text ? h('p', { class: 'chat-text' }, m.text) : null,
  m.file ? h('p', { class: 'chat-file' },
    h('a', { href: api.materialUrl(s.id, m.file.id), download: m.file.name }, m.file.name),
    ' ', h('span', { class: 'muted' }, `(${formatBytes(m.file.size)})`)) : null);
}

export function chatPanel(s) {
  const zone = zoneFor(s.me, s.c);
  const log = h('ul', { id: 'chat-log', class: 'chat-log', role: 'log', 'aria-labelledby': 'chat-heading',
    tabindex: '0' });
  const empty = h('p', { class: 'muted chat-empty' }, t('call.chat_empty'));
  const text = h('textarea', { id: 'chat-text', name: 'chat-text', rows: '2', maxlength: '4000',
    autocomplete: 'off' });
  const file = h('input', { id: 'chat-file', name: 'chat-file', type: 'file', accept: ACCEPT });
  const progress = h('progress', { id: 'chat-progress', max: '1', value: '0', hidden: true });
  const status = statusLine('chat-status');
  const send = h('button', { type: 'submit', class: 'button', id: 'chat-send' }, t('call.chat_send'));
  const form = h('form', { id: 'chat-form', class: 'chat-form', novalidate: true },
    h('label', { for: 'chat-text', class: 'visually-hidden' }, t('call.chat_message')),
    text,
    h('div', { class: 'chat-attach' },
      h('label', { for: 'chat-file' }, t('call.chat_attach')), file,
      h('p', { class: 'hint' }, t('call.chat_attach_hint'))),
    progress, send, status);

  // Enter sends, Shift+Enter starts a new line (as in most messengers).
  text.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      send.click(); // Not form.requestSubmit(): older Safari lacks it; a busy (disabled) button ignores it.
    }
  });

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const body = text.value.trim();
    const chosen = file.files[0];
    if (!body && !chosen) return;
    await busy(form, async () => {
      resetStatus(status, form);
      let fileId;
      if (chosen) {
        progress.hidden = false;
        progress.value = 0;
        try {
          fileId = (await api.uploadFile(s.id, chosen, (share) => { progress.value = share; })).id;
        } catch (err) {
          showError(status, form, err, { focus: false });
          return;
        } finally {
          progress.hidden = true;
        }
      }
      if (!s.sendChat(body, fileId)) {
        showError(status, form, { code: 'network' }, { focus: false });
        return;
      }
      text.value = '';
      file.value = '';
      text.focus();
    });
  });

  let shown = [];
  function update() {
    const ids = s.messages.map((m) => m.id);
    const continues = shown.every((id, i) => ids[i] === id);
    const atBottom = log.scrollHeight - log.scrollTop - log.clientHeight < 40;
    if (!continues) {
      log.replaceChildren();
      shown = [];
    }
    const fresh = s.messages.slice(shown.length);
    for (const m of fresh) log.append(line(s, m, zone));
    shown = ids;
    empty.hidden = ids.length > 0;
    if (fresh.length && (atBottom || !continues || fresh.some((m) => m.user_id === s.myUserId))) {
      log.scrollTop = log.scrollHeight;
    }
  }

  const el = h('section', { class: 'call-panel call-chat', 'aria-labelledby': 'chat-heading' },
    h('h2', { id: 'chat-heading' }, t('call.chat')), log, empty, form);
  return { el, update };
}

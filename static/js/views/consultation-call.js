// The real-time call on a consultation's page: how the call went (start, end, length, video or
// telephone), the way into the video call, and for the consultation's own doctor the invitation
// of other participants (a second doctor, an interpreter, a relative) and the record that it was
// held by telephone instead of video (art. 33.2).

import { api } from '../api.js';
import { h } from '../dom.js';
import { busy, field, selectField, showError, showOk, statusLine, textareaField } from '../forms.js';
import { errorText, has, t } from '../i18n.js';
import { formatDuration, timeEl } from '../time.js';
import { item } from './common.js';

const GUEST_KINDS = ['guest_doctor', 'interpreter', 'relative'];
const OPEN = ['booked', 'in_progress'];

const named = (prefix, code) => (has(`${prefix}.${code}`) ? t(`${prefix}.${code}`) : code);

function panel(id, titleKey, attrs, ...content) {
  return h('section', { class: 'panel', 'aria-labelledby': id, ...attrs },
    h('h2', { id }, t(titleKey)), ...content);
}

/** Rows for the consultation's facts, present only once the call happened. */
export function callFacts(c, zone) {
  return [
    c.started_at ? item('started_at', t('call.started_at'), timeEl(c.started_at, zone)) : null,
    c.ended_at ? item('ended_at', t('call.ended_at'), timeEl(c.ended_at, zone)) : null,
    c.duration_seconds !== null && c.duration_seconds !== undefined
      ? item('duration', t('call.duration'), formatDuration(c.duration_seconds)) : null,
    c.held_by ? item('held_by', t('call.held_by'), named('call.held_by', c.held_by)) : null,
  ];
}

/** Whether the viewer has a call to join: a booked or running real-time consultation. */
export const joinable = (c) => c.mode === 'realtime' && Boolean(c.my_call_role) && OPEN.includes(c.status);

export function joinSection(c, zone) {
  const early = c.join_opens_at && Date.parse(c.join_opens_at) > Date.now();
  return panel('call-heading', 'call.section_title', { id: 'call-section' },
    early
      ? h('p', {}, t('call.opens_at'), ' ', h('strong', {}, timeEl(c.join_opens_at, zone)))
      : h('p', {}, t('call.open_now')),
    h('p', {}, h('a', { href: `#/consultations/${encodeURIComponent(c.id)}/call`, id: 'join-call', class: 'button' },
      t('call.join_link'))));
}

function guestItem(g, zone) {
  return h('li', { dataset: { guestId: g.id, kind: g.kind } },
    h('strong', {}, g.user.full_name), ' — ', named('guests.kind', g.kind),
    h('span', { class: 'muted' }, ' · ', t('guests.invited_at'), ' ', timeEl(g.invited_at, zone)));
}

/** The doctor's invitations: the list so far and, while the consultation is open, the form. */
export function guestsSection(c, zone) {
  const list = h('ul', { id: 'guests', class: 'inline-list' });
  const empty = h('p', { class: 'muted', id: 'guests-empty' }, t('common.loading'));
  const show = (guests) => {
    list.replaceChildren(...guests.map((g) => guestItem(g, zone)));
    empty.hidden = guests.length > 0;
    empty.textContent = t('guests.none');
  };
  api.guests(c.id).then(show, (err) => {
    empty.textContent = errorText(err);
  });

  let form = null;
  if (OPEN.includes(c.status)) {
    const status = statusLine('guest-status');
    form = h('form', { id: 'guest-form', class: 'form', novalidate: true },
      field('guest-email', 'guests.email', { type: 'email', required: true, autocomplete: 'off' }, 'guests.email_hint'),
      selectField('guest-kind', 'guests.kind', GUEST_KINDS.map((k) => [k, named('guests.kind', k)])),
      h('button', { type: 'submit', class: 'button', id: 'guest-submit' }, t('guests.submit')),
      status);
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      const email = form.querySelector('#guest-email');
      const body = { email: email.value.trim(), kind: form.querySelector('#guest-kind').value };
      if (!body.email) {
        showError(status, form, { code: 'invalid_email' });
        email.focus();
        return;
      }
      await busy(form, async () => {
        try {
          const guest = await api.inviteGuest(c.id, body);
          list.append(guestItem(guest, zone));
          empty.hidden = true;
          email.value = '';
          showOk(status, form, 'guests.invited', { name: guest.user.full_name });
        } catch (err) {
          showError(status, form, err);
        }
      });
    });
  }
  return panel('guests-heading', 'guests.title', { id: 'guests-section' },
    h('p', { class: 'hint' }, t('guests.hint')), list, empty, form);
}

/** Art. 33.2: the consultation took place by telephone; this completes it. */
export function phoneSection(c, redraw) {
  const status = statusLine('phone-status');
  const form = h('form', { id: 'phone-form', class: 'form', novalidate: true },
    h('p', { class: 'hint' }, t('call.phone_hint')),
    field('phone-minutes', 'call.phone_minutes', { type: 'number', min: '1', max: '240', step: '1',
      inputmode: 'numeric', required: true }),
    textareaField('phone-note', 'call.phone_note', { maxlength: '1000' }, 'call.phone_note_hint'),
    h('button', { type: 'submit', class: 'button', id: 'phone-submit' }, t('call.phone_submit')),
    status);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const minutes = Number(form.querySelector('#phone-minutes').value);
    if (!Number.isInteger(minutes) || minutes < 1 || minutes > 240) {
      showError(status, form, { code: 'invalid_minutes' });
      return;
    }
    const note = form.querySelector('#phone-note').value.trim();
    await busy(form, async () => {
      try {
        redraw(await api.heldByPhone(c.id, { minutes, note }), 'call.phone_done');
      } catch (err) {
        showError(status, form, err);
      }
    });
  });
  return panel('phone-heading', 'call.phone_title', { id: 'phone-section' }, form);
}

// #/consultations/{id}/confirm?token=… — the link from the e-mail asking a patient to agree to a
// booking staff made on their own initiative (art. 12). No sign-in is needed: the token is the
// proof. The answer is kept for the page's life, so a change of language does not ask twice.

import { api } from '../api.js';
import { h, pageTitle } from '../dom.js';
import { errorText, t } from '../i18n.js';
import { formatDateTime, userTimeZone } from '../time.js';
import { item } from './common.js';

const answers = new Map();

function confirmOnce(id, token) {
  const key = `${id}\n${token}`;
  if (!answers.has(key)) {
    answers.set(key, api.confirm(id, token).then((c) => ({ c }), (err) => ({ err })));
  }
  return answers.get(key);
}

export async function render({ params, query }) {
  const id = params[0];
  const token = query.get('token') || '';
  const { c, err } = token ? await confirmOnce(id, token) : { err: { code: 'not_found' } };
  const link = h('p', {}, h('a', { href: `#/consultations/${encodeURIComponent(id)}` },
    t('confirm.open')));

  if (err) {
    const already = err.code === 'already_confirmed';
    return h('section', { class: 'narrow', id: 'confirm' },
      pageTitle(t('confirm.title')),
      h('p', {
        id: 'confirm-result', class: `status ${already ? 'status--ok' : 'status--error'}`,
        role: already ? 'status' : 'alert', dataset: { errorCode: err.code || 'unknown' },
      }, already ? t('error.already_confirmed') : errorText(err)),
      already ? link : null);
  }
  const zone = userTimeZone();
  return h('section', { class: 'narrow', id: 'confirm' },
    pageTitle(t('confirm.title')),
    h('p', { id: 'confirm-result', class: 'status status--ok', role: 'status', dataset: { status: 'ok' } },
      t('confirm.done')),
    h('dl', { class: 'facts panel' },
      item('practitioner', t('consultation.doctor'), c.practitioner && c.practitioner.full_name),
      item('organization', t('consultation.organization'), c.organization_name),
      item('slot', t('consultation.slot'), c.slot_start &&
        `${formatDateTime(c.slot_start, zone)} (${zone})`)),
    link);
}

// Informed consent (Rules art. 33.1): the organisation's public offer and the patient's answer —
// accept by click, accept with a one-time code sent by e-mail, or refuse. Each answer is stored
// by the server as a signed-off document; this block only shows the state and asks.

import { api } from '../api.js';
import { h } from '../dom.js';
import { field, showError, showOk, statusLine } from '../forms.js';
import { t } from '../i18n.js';
import { formatDateTime, userTimeZone } from '../time.js';

function offerBox(offer, timeZone) {
  return h('div', { class: 'consent-offer' },
    h('h4', { id: 'consent-offer-title' }, t('consent.offer_title', { version: offer.version })),
    h('p', { class: 'hint' }, t('consent.offer_published', {
      date: formatDateTime(offer.published_at, timeZone),
    })),
    h('div', {
      class: 'offer-scroll', id: 'consent-offer-text', tabindex: '0', role: 'region',
      'aria-labelledby': 'consent-offer-title',
    }, offer.body),
    h('p', { class: 'hint' }, t('org.offer_sha256'), ': ', h('code', { class: 'hash' }, offer.sha256)));
}

function explanation(state) {
  if (state.state === 'accepted') return t('consent.offer_changed', { version: state.current_offer_version });
  if (state.state === 'refused') return t('consent.was_refused');
  if (state.state === 'revoked') return t('consent.was_revoked');
  return t('consent.needed');
}

/**
 * The consent fieldset for one patient. `onChange(valid)` hears of every new answer; the result
 * carries the element and whether consent is valid now.
 */
export async function consentBlock({ org, patientId, form, onChange }) {
  const zone = userTimeZone();
  let state = await api.consent(org.id, patientId);
  const status = statusLine('consent-status');
  const body = h('div', { class: 'consent-body' });
  const fieldset = h('fieldset', { id: 'consent', class: 'consent' },
    h('legend', {}, t('consent.title')), body, status);

  async function act(button, request, okKey, vars = () => ({})) {
    button.disabled = true;
    try {
      const result = await request();
      if (result && 'valid' in result) {
        state = result;
        draw();
        onChange(state.valid);
      }
      showOk(status, form, okKey, vars(result));
      // The clicked button may have been redrawn away; keep the keyboard in the block.
      const target = fieldset.querySelector(state.valid ? '#consent-accepted' : '#consent-accept');
      if (target && !fieldset.contains(document.activeElement)) target.focus();
      return result;
    } catch (err) {
      showError(status, form, err);
      if (err.code === 'offer_changed') {
        state = await api.consent(org.id, patientId).catch(() => state);
        draw();
      }
      return null;
    } finally {
      button.disabled = false;
    }
  }

  const offerVersion = () => (org.offer ? org.offer.version : undefined);
  const base = () => ({ patient_id: patientId, offer_version: offerVersion() });

  function draw() {
    fieldset.dataset.state = state.state;
    fieldset.dataset.valid = String(state.valid);
    if (state.valid) {
      const when = state.last_document ? formatDateTime(state.last_document.created_at, zone) : '';
      const revoke = h('button', { type: 'button', class: 'link-button', id: 'consent-revoke' },
        t('consent.revoke'));
      revoke.addEventListener('click', () => act(revoke,
        () => api.consentAct(org.id, { action: 'revoke', patient_id: patientId }), 'consent.revoked_now'));
      body.replaceChildren(h('p', { id: 'consent-accepted', class: 'consent-ok', tabindex: '-1' },
        t('consent.accepted', { version: state.current_offer_version, date: when })), h('p', {}, revoke));
      return;
    }
    if (!org.offer) {
      body.replaceChildren(h('p', { class: 'status status--error' }, t('error.offer_not_published')));
      return;
    }
    const accept = h('button', { type: 'button', class: 'button', id: 'consent-accept' },
      t('consent.accept'));
    const refuse = h('button', { type: 'button', class: 'button button--secondary', id: 'consent-refuse' },
      t('consent.refuse'));
    const sendCode = h('button', { type: 'button', class: 'button button--secondary', id: 'consent-send-code' },
      t('consent.send_code'));
    const codeField = field('consent-code', 'consent.code', {
      type: 'text', inputmode: 'numeric', maxlength: '6', autocomplete: 'one-time-code',
      spellcheck: 'false', pattern: '[0-9]*',
    }, 'consent.code_hint');
    const useCode = h('button', { type: 'button', class: 'button button--secondary', id: 'consent-code-accept' },
      t('consent.accept_with_code'));

    accept.addEventListener('click', () => act(accept,
      () => api.consentAct(org.id, { action: 'accept', method: 'click', ...base() }), 'consent.accepted_now'));
    refuse.addEventListener('click', () => act(refuse,
      () => api.consentAct(org.id, { action: 'refuse', ...base() }), 'consent.refused_now'));
    sendCode.addEventListener('click', () => act(sendCode,
      () => api.consentCode(org.id, { patient_id: patientId }), 'consent.code_sent',
      (sent) => ({ to: sent.sent_to, until: formatDateTime(sent.expires_at, zone) })));
    const submitCode = () => {
      const code = fieldset.querySelector('#consent-code').value.trim();
      return act(useCode, () => api.consentAct(org.id,
        { action: 'accept', method: 'email_code', code, ...base() }), 'consent.accepted_now');
    };
    useCode.addEventListener('click', submitCode);
    // Enter in the code box confirms the code rather than submitting the booking.
    codeField.querySelector('input').addEventListener('keydown', (e) => {
      if (e.key === 'Enter') {
        e.preventDefault();
        submitCode();
      }
    });

    body.replaceChildren(
      h('p', { class: 'consent-why' }, explanation(state)),
      offerBox(org.offer, zone),
      h('div', { class: 'actions' }, accept, refuse),
      h('div', { class: 'consent-code' },
        h('p', { class: 'hint' }, t('consent.or_code')),
        sendCode, codeField, useCode));
  }

  draw();
  return { element: fieldset, valid: state.valid };
}

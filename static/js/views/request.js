// #/requests/new — a deferred consultation request (Rules art. 13, 17): the patient, their legal
// representative or the treating doctor asks an organisation for a consultation on documents, the
// interpretation of a study or a second opinion. Documents are attached on the request's own page
// once it exists; the response deadline runs from when they are marked complete.

import { api } from '../api.js';
import { h, pageTitle } from '../dom.js';
import {
  busy, field, resetStatus, selectField, showError, statusLine, textareaField,
} from '../forms.js';
import { errorText, formatBytes, locale, specialtyName, t } from '../i18n.js';
import { fundingOptions } from './booking.js';
import { signInNeeded, signedIn } from './common.js';
import { consentBlock } from './consent.js';
import { REQUEST_KINDS, requestKindText } from './labels.js';

const SENDERS = ['patient', 'representative', 'doctor'];

function page(...content) {
  return h('section', { class: 'narrow request-page', id: 'request' },
    h('p', { class: 'back' }, h('a', { href: '#/consultations' }, t('consultations.back'))),
    pageTitle(t('request.title'), { id: 'request-title' }), ...content);
}

const refusal = (text) => page(h('p', { class: 'status status--error', role: 'alert' }, text));

/** Puts new <option>s into a select and keeps the chosen value if it is still offered. */
function setOptions(select, options) {
  const before = select.value;
  select.replaceChildren(...options.map(([value, text]) => h('option', { value }, text)));
  if (options.some(([value]) => value === before)) select.value = before;
}

export async function render({ query }, app) {
  const me = await signedIn(app);
  if (!me) return signInNeeded('request.title', 'request.need_login');
  if (!SENDERS.includes(me.role)) return refusal(t('request.senders_only'));
  const patients = me.role === 'representative' ? me.represented_patients : [];
  if (me.role === 'representative' && !patients.length) return refusal(t('booking.no_represented'));

  const [all, specialties] = await Promise.all([api.organizations(), api.specialties()]);
  // Only organisations that disclose deferred consultations among their services (art. 34).
  const orgs = all.filter((o) => !Array.isArray(o.service_kinds) || o.service_kinds.includes('deferred'));
  if (!orgs.length) return page(h('p', { class: 'empty' }, t('request.no_organizations')));
  const profiles = specialties.map((s) => [s.code, specialtyName(s)])
    .sort((a, b) => a[1].localeCompare(b[1], locale()));
  const profileName = new Map(profiles);
  // The list's summaries may lack the licence; then only the chosen organisation's is known.
  const listKnowsLicences = orgs.some((o) => Array.isArray(o.licensed_profiles));

  const status = statusLine('request-status');
  const consentHost = h('div', { id: 'consent-host' });
  const orgNote = h('div', { id: 'request-org-note', class: 'hint request-org-note' });
  const licensed = h('p', { id: 'request-study-profile-licensed', class: 'hint', 'aria-live': 'polite' });
  const urgencyHint = h('p', { class: 'hint', id: 'request-urgency-hint' });
  let patientField = null;
  if (me.role === 'representative') {
    patientField = selectField('request-patient', 'booking.patient', patients.map((p) => [p.id, p.full_name]));
  } else if (me.role === 'doctor') {
    patientField = field('request-patient-id', 'request.patient_id', {
      type: 'text', required: true, autocomplete: 'off', spellcheck: 'false',
      value: query.get('patient') || null,
    }, 'request.patient_id_hint');
  }
  const profileField = h('div', { id: 'request-study-profile-field', class: 'form' },
    selectField('request-study-profile', 'request.study_profile',
      [['', t('request.choose_profile')], ...profiles], { required: true }, 'request.study_profile_hint'),
    licensed);
  const form = h('form', { id: 'request-form', class: 'form', novalidate: true },
    h('p', { class: 'lead' }, t('request.intro')),
    patientField,
    selectField('request-organization', 'request.organization', orgs.map((o) => [o.id, o.name])),
    orgNote,
    selectField('request-kind', 'request.kind', REQUEST_KINDS.map((k) => [k, requestKindText(k)]),
      {}, 'request.kind_hint'),
    profileField,
    selectField('request-specialty', 'request.specialty',
      [['', t('request.any_specialty')], ...profiles], {}, 'request.specialty_hint'),
    selectField('request-urgency', 'booking.urgency', [
      ['planned', t('consultation.urgency.planned')],
      ['urgent', t('consultation.urgency.urgent')],
    ]),
    urgencyHint,
    selectField('request-funding', 'booking.funding', [], {}, 'booking.funding_hint'),
    textareaField('request-question', 'request.question', { required: true, maxlength: '2000' },
      'request.question_hint'),
    h('p', { class: 'hint', id: 'request-documents-hint' }, t('request.documents_after')),
    consentHost,
    h('button', { type: 'submit', class: 'button', id: 'request-submit' }, t('request.submit')),
    status);
  const $ = (sel) => form.querySelector(sel);
  $('#request-urgency').setAttribute('aria-describedby', 'request-urgency-hint');
  const orgSelect = $('#request-organization');
  const kindSelect = $('#request-kind');
  const profileSelect = $('#request-study-profile');
  if (orgs.some((o) => o.id === query.get('organization'))) orgSelect.value = query.get('organization');
  if (REQUEST_KINDS.includes(query.get('kind'))) kindSelect.value = query.get('kind');

  const patientId = () => {
    if (me.role === 'representative') return $('#request-patient').value;
    if (me.role === 'doctor') return $('#request-patient-id').value.trim() || undefined;
    return undefined;
  };

  /** Art. 34 and Order No. 5 of 2025: who may interpret a study of this profile. */
  function describeLicences(org) {
    const code = profileSelect.value;
    profileField.hidden = kindSelect.value !== 'interpretation';
    delete licensed.dataset.licensed;
    licensed.className = 'hint';
    if (!code) {
      licensed.textContent = t('request.profile_pick');
      return;
    }
    const mine = (org.licensed_profiles || []).includes(code);
    licensed.dataset.licensed = String(mine);
    const holders = orgs.filter((o) => (o.licensed_profiles || []).includes(code)).map((o) => o.name);
    const parts = [];
    if (!mine) {
      parts.push(t('request.not_licensed', { org: org.name, profile: profileName.get(code) || code }));
      licensed.className = 'hint request-warning';
    }
    if (listKnowsLicences) {
      parts.push(holders.length ? t('request.licensed_orgs', { orgs: holders.join('; ') })
        : t('request.licensed_none'));
    }
    licensed.textContent = parts.join(' ');
  }

  let org = null;
  let consentValid = me.role === 'doctor';
  let consentSeq = 0;
  async function refreshConsent() {
    const mine = ++consentSeq;
    if (me.role === 'doctor') {
      // Consent is the patient's own act (art. 33.1); the treating doctor cannot give it.
      consentHost.replaceChildren(h('p', { class: 'hint', id: 'consent-staff-note' },
        t('request.consent_staff_hint')));
      return;
    }
    const block = await consentBlock({
      org, patientId: patientId(), form, onChange(valid) { consentValid = valid; },
    });
    if (mine !== consentSeq) return;
    consentValid = block.valid;
    consentHost.replaceChildren(block.element);
  }

  let orgSeq = 0;
  const loaded = new Map();
  /** The chosen organisation in full: its funding, deadlines, requirements and offer. */
  async function chooseOrganization() {
    const mine = ++orgSeq;
    const id = orgSelect.value;
    if (!loaded.has(id)) loaded.set(id, await api.organization(id));
    if (mine !== orgSeq) return;
    org = loaded.get(id);
    setOptions($('#request-funding'), fundingOptions(org));
    urgencyHint.textContent = t('request.urgency_hint', {
      urgent: org.urgent_deadline_hours, planned: org.planned_deadline_hours,
    });
    // The size limit comes from the organisation's setting, which uploads are held to, not
    // from its free text.
    orgNote.replaceChildren(...[
      org.document_requirements
        ? h('p', {}, h('strong', {}, t('org.document_requirements')), ': ', org.document_requirements)
        : null,
      org.max_file_bytes
        ? h('p', { id: 'request-file-limit', dataset: { bytes: String(org.max_file_bytes) } },
          t('documents.limit', { limit: formatBytes(org.max_file_bytes) }))
        : null,
    ].filter(Boolean));
    describeLicences(org);
    try {
      await refreshConsent();
    } catch (err) {
      consentHost.replaceChildren(h('p', { class: 'status status--error', role: 'alert' }, errorText(err)));
    }
  }

  const failed = (err) => showError(status, form, err, { focus: false });
  orgSelect.addEventListener('change', () => chooseOrganization().catch(failed));
  kindSelect.addEventListener('change', () => org && describeLicences(org));
  profileSelect.addEventListener('change', () => org && describeLicences(org));
  if (me.role === 'representative') {
    $('#request-patient').addEventListener('change', () => refreshConsent().catch(failed));
  }

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (!org) return;
    resetStatus(status, form);
    const kind = kindSelect.value;
    const [funding, priceIndex] = $('#request-funding').value.split(':');
    const body = {
      mode: 'deferred',
      urgency: $('#request-urgency').value,
      organization_id: org.id,
      specialty: $('#request-specialty').value || undefined,
      reason: $('#request-question').value.trim(),
      funding,
      price_service: priceIndex === undefined ? undefined : org.price_list[Number(priceIndex)].service,
      request_kind: kind,
      study_profile: kind === 'interpretation' ? profileSelect.value || undefined : undefined,
      patient_id: patientId(),
      documents_complete: false,
    };
    if (me.role === 'doctor' && !body.patient_id) {
      showError(status, form, { code: 'patient_required' });
      return;
    }
    if (kind === 'interpretation' && !body.study_profile) {
      showError(status, form, { code: 'study_profile_required' });
      return;
    }
    if (!body.reason) {
      showError(status, form, { code: 'missing_field' });
      return;
    }
    if (!consentValid) {
      showError(status, form, { code: 'consent_required' }, { focus: false });
      const accept = $('#consent-accept');
      if (accept) accept.focus();
      return;
    }
    await busy(form, async () => {
      try {
        const c = await api.book(body);
        app.go(`#/consultations/${encodeURIComponent(c.id)}?created=1`);
      } catch (err) {
        showError(status, form, err);
        if (['consent_required', 'offer_changed'].includes(err.code)) await refreshConsent().catch(() => {});
      }
    });
  });

  await chooseOrganization();
  return page(form);
}

// #/councils/new — a doctor calls a council (консилиум, art. 2.6, 18–24): the patient, the
// question, urgency, real time (a video call at a set time) or deferred, on whose initiative (on
// the doctor's own, the patient must agree first, art. 20), and who takes part: consultants named
// by the doctor, and specialties the organisations fill by schedule or by turn (art. 22–23). With
// the initiator there must be at least three doctors; the server counts and says if not.

import { api } from '../api.js';
import { h, pageTitle } from '../dom.js';
import {
  busy, field, resetStatus, selectField, showError, statusLine, textareaField,
} from '../forms.js';
import { locale, specialtyName, t } from '../i18n.js';
import { instantFromLocal, localInputValue, zoneLabel } from '../time.js';
import { signInNeeded, signedIn, specialtyNames } from './common.js';
import { consultantPicker, organizationPicker, specialtyPicker } from './council-pickers.js';
import { councilInitiativeText, zoneOf } from './council-labels.js';
import { modeText } from './labels.js';

/** Art. 2.6: a council is at least three doctors, the initiator included. */
const MIN_DOCTORS = 3;
const ABOUT_MEMBERS = [
  'consultants_or_specialties', 'council_too_small', 'no_consultant_available', 'duplicate_consultant',
  'initiator_not_consultant', 'unknown_practitioner',
];

function page(...content) {
  return h('section', { class: 'council-new', id: 'council-new' },
    h('p', { class: 'back' }, h('a', { href: '#/councils' }, t('council.back'))),
    pageTitle(t('council.new_title'), { id: 'council-new-title' }), ...content);
}

export async function render({ query }, app) {
  const me = await signedIn(app);
  if (!me) return signInNeeded('council.new_title', 'council.need_login');
  if (me.role !== 'doctor') {
    return page(h('p', { class: 'status status--error', role: 'alert' }, t('council.doctors_only')));
  }
  const [specialties, names, all, zone] = await Promise.all([
    api.specialties(), specialtyNames(), api.organizations(), zoneOf(me)]);
  const profiles = specialties.map((s) => [s.code, specialtyName(s)])
    .sort((a, b) => a[1].localeCompare(b[1], locale()));
  // Only organisations that disclose councils among their services (art. 34).
  const orgs = all.filter((o) => !Array.isArray(o.service_kinds) || o.service_kinds.includes('council'));

  const count = h('p', { id: 'council-count', class: 'hint', 'aria-live': 'polite' });
  const status = statusLine('council-status');
  // The practitioner list names no user; the initiator is the one of their organisation and name.
  const isMe = (p) => p.organization_id === me.organization_id && p.full_name === me.full_name;
  let consultants = null;
  let chosenSpecialties = null;
  const recount = () => {
    const n = 1 + consultants.ids().length + chosenSpecialties.codes().length;
    count.textContent = t('council.count', { n, min: MIN_DOCTORS });
    count.dataset.count = String(n);
    count.className = n < MIN_DOCTORS ? 'hint council-count--short' : 'hint';
  };
  consultants = consultantPicker(profiles, names, isMe, () => recount());
  chosenSpecialties = specialtyPicker(profiles, () => recount());
  const organizations = organizationPicker(orgs);

  const scheduled = h('div', { id: 'council-scheduled-field' },
    field('council-scheduled-at', 'council.scheduled_at', {
      type: 'datetime-local', min: localInputValue(new Date(), zone), step: '300',
    }, 'council.scheduled_at_hint'));
  const zoneHint = scheduled.querySelector('#council-scheduled-at-hint');
  zoneHint.textContent = t('council.scheduled_at_hint', { zone: zoneLabel(zone) });

  const form = h('form', { id: 'council-form', class: 'form', novalidate: true },
    h('p', { class: 'lead' }, t('council.new_intro')),
    field('council-patient-id', 'council.patient_id', {
      type: 'text', required: true, autocomplete: 'off', spellcheck: 'false',
      value: query.get('patient') || null,
    }, 'council.patient_id_hint'),
    textareaField('council-question', 'council.question', { required: true, maxlength: '2000' },
      'council.question_hint'),
    selectField('council-urgency', 'booking.urgency', [
      ['planned', t('consultation.urgency.planned')],
      ['urgent', t('consultation.urgency.urgent')],
    ]),
    selectField('council-mode', 'council.mode', [
      ['realtime', modeText('realtime')],
      ['deferred', modeText('deferred')],
    ], {}, 'council.mode_hint'),
    scheduled,
    selectField('council-initiative', 'council.initiative', [
      ['patient', councilInitiativeText('patient')],
      ['own', councilInitiativeText('own')],
    ], {}, 'council.initiative_hint'),
    consultants.el,
    chosenSpecialties.el,
    organizations.el,
    count,
    h('button', { type: 'submit', class: 'button', id: 'council-submit' }, t('council.submit')),
    status);
  const $ = (sel) => form.querySelector(sel);
  const mode = $('#council-mode');
  if (['realtime', 'deferred'].includes(query.get('mode'))) mode.value = query.get('mode');
  const showSchedule = () => {
    scheduled.hidden = mode.value !== 'realtime';
    $('#council-scheduled-at').required = mode.value === 'realtime';
  };
  mode.addEventListener('change', showSchedule);
  showSchedule();
  recount();

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    resetStatus(status, form);
    const realtime = mode.value === 'realtime';
    const body = {
      patient_id: $('#council-patient-id').value.trim(),
      question: $('#council-question').value.trim(),
      urgency: $('#council-urgency').value,
      mode: mode.value,
      initiative: $('#council-initiative').value,
      scheduled_at: realtime ? instantFromLocal($('#council-scheduled-at').value, zone) : undefined,
      consultants: consultants.ids(),
      specialties: chosenSpecialties.codes(),
      organizations: organizations.ids(),
    };
    // What the server would refuse anyway is said here at once, at the field concerned.
    let problem = null;
    if (!body.patient_id) problem = 'patient_required';
    else if (!body.question) problem = 'question_required';
    else if (realtime && !body.scheduled_at) problem = 'scheduled_at_required';
    else if (!body.consultants.length && !body.specialties.length) problem = 'consultants_or_specialties';
    // A problem with who takes part has no single input: the way back is the consultant search.
    const failed = (code) => {
      showError(status, form, { code });
      if (ABOUT_MEMBERS.includes(code)) $('#council-consultant-specialty').focus();
    };
    if (problem) {
      failed(problem);
      return;
    }
    await busy(form, async () => {
      try {
        const k = await api.createCouncil(body);
        app.go(`#/councils/${encodeURIComponent(k.id)}?created=1`);
      } catch (err) {
        showError(status, form, err);
        if (ABOUT_MEMBERS.includes(err.code)) $('#council-consultant-specialty').focus();
      }
    });
  });

  await consultants.load();
  return page(form);
}

// The choices of the new-council form (art. 20–24): consultants by name, found by specialty
// (art. 20: the initiator may name them), specialties the organisations fill from their schedule
// or by turn (art. 22–23), and the organisations to ask. Each is a fieldset of checkboxes whose
// data attributes carry the ids sent to the server.

import { api } from '../api.js';
import { h } from '../dom.js';
import { errorText, t } from '../i18n.js';

function box(id, data, checked, label, detail, onchange) {
  return h('li', { class: 'choice' },
    h('input', { type: 'checkbox', id, dataset: data, checked, onchange }),
    h('label', { for: id }, label, detail ? h('span', { class: 'muted choice-detail' }, detail) : null));
}

function fieldset(id, legendKey, hintKey, ...content) {
  return h('fieldset', { id, class: 'choices', 'aria-describedby': `${id}-hint` },
    h('legend', {}, t(legendKey)),
    h('p', { class: 'hint', id: `${id}-hint` }, t(hintKey)),
    ...content);
}

/**
 * Named consultants: a specialty filter (#council-consultant-specialty) and one checkbox per
 * doctor, `input[data-practitioner-id]`. The chosen stay listed first whatever the filter shows,
 * so each doctor has exactly one checkbox. `isMe(p)` leaves the initiator out.
 */
export function consultantPicker(profiles, names, isMe, onChange) {
  const chosen = new Map();
  const filter = h('select', { id: 'council-consultant-specialty', name: 'council-consultant-specialty' },
    h('option', { value: '' }, t('directory.all_specialties')),
    profiles.map(([code, name]) => h('option', { value: code }, name)));
  const list = h('ul', { id: 'council-consultant-list', class: 'choice-list' });
  const chosenLine = h('p', { id: 'council-consultants-chosen', class: 'hint', 'aria-live': 'polite' });
  let found = [];
  let seq = 0;

  const describe = (p) => {
    const specs = (p.specialties || []).map((s) => names.get(s.code) || s.code).join(', ');
    return ` — ${[specs, p.organization_name].filter(Boolean).join(' · ')}`;
  };
  function toggle(p, on) {
    if (on) chosen.set(p.id, p);
    else chosen.delete(p.id);
    chosenLine.textContent = t('council.consultants_chosen', { n: chosen.size });
    onChange();
  }
  function draw() {
    const rest = found.filter((p) => !chosen.has(p.id));
    const all = [...chosen.values(), ...rest];
    list.replaceChildren(...(all.length ? all.map((p) => box(`council-consultant-${p.id}`,
      { practitionerId: p.id }, chosen.has(p.id), p.full_name, describe(p),
      (e) => toggle(p, e.target.checked))) : [h('li', { class: 'empty' }, t('common.none_found'))]));
  }
  async function load() {
    const mine = ++seq;
    list.setAttribute('aria-busy', 'true');
    try {
      const pracs = await api.practitioners(filter.value || undefined);
      if (mine !== seq) return;
      found = pracs.filter((p) => !isMe(p));
      draw();
    } catch (err) {
      if (mine !== seq) return;
      list.replaceChildren(h('li', { class: 'status status--error' }, errorText(err)));
    }
    // Tests wait on this to know the list matches the filter.
    list.removeAttribute('aria-busy');
    list.dataset.specialty = filter.value;
  }
  filter.addEventListener('change', load);
  chosenLine.textContent = t('council.consultants_chosen', { n: 0 });

  const el = fieldset('council-consultants', 'council.consultants', 'council.consultants_hint',
    h('div', { class: 'field' },
      h('label', { for: 'council-consultant-specialty' }, t('council.consultant_filter')), filter),
    list, chosenLine);
  return { el, load, ids: () => [...chosen.keys()] };
}

/** Specialties a consultant is to be found for: `input[data-specialty]`. */
export function specialtyPicker(profiles, onChange) {
  const el = fieldset('council-specialties', 'council.specialties', 'council.specialties_hint',
    h('ul', { class: 'choice-list choice-list--columns' }, profiles.map(([code, name]) =>
      box(`council-specialty-${code}`, { specialty: code }, false, name, null, onChange))));
  return {
    el,
    codes: () => [...el.querySelectorAll('input[data-specialty]:checked')].map((i) => i.dataset.specialty),
  };
}

/** Organisations to ask (several allowed): `input[data-organization-id]`. */
export function organizationPicker(orgs) {
  const el = fieldset('council-organizations', 'council.organizations', 'council.organizations_hint',
    orgs.length
      ? h('ul', { class: 'choice-list' }, orgs.map((o) =>
        box(`council-organization-${o.id}`, { organizationId: o.id }, false, o.name, null, null)))
      : h('p', { class: 'empty' }, t('council.no_organizations')));
  return {
    el,
    ids: () => [...el.querySelectorAll('input[data-organization-id]:checked')]
      .map((i) => i.dataset.organizationId),
  };
}

// #/organizations/{id}/admin/prices — the price list (art. 34.3): lines are added, edited and
// removed here and saved together. A booking names its line by the Russian name; the Kazakh and
// English names are what readers of those languages see.

import { api } from '../api.js';
import { h } from '../dom.js';
import { busy, showError, showOk, statusLine } from '../forms.js';
import { formatNumber, t } from '../i18n.js';
import { adminFrame, requireManager } from './admin-common.js';
import { editableBody } from './admin-org-form.js';

let nextLine = 0;

function input(id, labelKey, value, attrs) {
  const el = h('input', { id, name: id, ...attrs });
  el.value = value ?? '';
  return h('div', { class: 'field' }, h('label', { for: id }, t(labelKey)), el);
}

/** One line of the list; `n` keeps ids unique however lines are added and removed. */
function lineEditor(line, onRemove) {
  const n = nextLine++;
  const li = h('li', { class: 'price-line', dataset: { line: String(n) } });
  const remove = h('button', { type: 'button', class: 'button button--secondary price-remove' },
    t('admin.prices.remove'));
  remove.addEventListener('click', () => onRemove(li));
  li.append(
    input(`price-${n}-service`, 'admin.prices.service_ru', line.service, { type: 'text', required: true, maxlength: 300 }),
    input(`price-${n}-service-kk`, 'admin.prices.service_kk', line.service_kk, { type: 'text', maxlength: 300 }),
    input(`price-${n}-service-en`, 'admin.prices.service_en', line.service_en, { type: 'text', maxlength: 300 }),
    input(`price-${n}-price`, 'admin.prices.price', line.price_kzt,
      { type: 'number', min: '0', step: '1', required: true, inputmode: 'numeric' }),
    h('div', { class: 'price-line-actions' }, remove));
  return li;
}

function readLines(list) {
  return [...list.querySelectorAll('.price-line')].map((li) => {
    const n = li.dataset.line;
    const value = (suffix) => li.querySelector(`#price-${n}-${suffix}`).value.trim();
    return {
      service: value('service'),
      service_kk: value('service-kk'),
      service_en: value('service-en'),
      price_kzt: Number(value('price')),
    };
  });
}

export async function render({ params }, app) {
  const orgId = params[0];
  const { me, page } = await requireManager(app, orgId, 'admin.prices.title');
  if (page) return page;
  const org = await api.organizationForEdit(orgId);
  const list = h('ol', { class: 'price-lines', id: 'price-lines' });
  const empty = h('p', { class: 'muted', id: 'price-empty' }, t('admin.prices.empty'));
  const paid = h('input', { type: 'checkbox', id: 'price-paid', name: 'price-paid', checked: org.paid });
  const status = statusLine('form-status');
  const form = h('form', { class: 'form admin-form', id: 'price-form', novalidate: true });

  const redraw = () => {
    empty.hidden = list.children.length > 0;
  };
  const remove = (li) => {
    const next = li.nextElementSibling || li.previousElementSibling;
    li.remove();
    redraw();
    (next ? next.querySelector('input') : add).focus();
  };
  const add = h('button', { type: 'button', class: 'button button--secondary', id: 'price-add' },
    t('admin.prices.add'));
  add.addEventListener('click', () => {
    const li = lineEditor({ service: '', price_kzt: '' }, remove);
    list.append(li);
    redraw();
    li.querySelector('input').focus();
  });
  for (const line of org.price_list) list.append(lineEditor(line, remove));
  redraw();

  form.append(
    h('div', { class: 'choice' }, paid, h('label', { for: 'price-paid' }, t('admin.prices.paid'))),
    h('p', { class: 'hint' }, t('admin.prices.paid_hint')),
    list, empty,
    h('div', { class: 'actions' }, add,
      h('button', { type: 'submit', class: 'button', id: 'price-save' }, t('admin.prices.save'))),
    status);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const body = editableBody(org);
    body.price_list = readLines(list);
    body.paid = paid.checked;
    busy(form, async () => {
      try {
        const saved = await api.updateOrganization(orgId, body);
        org.price_list = saved.price_list;
        org.paid = saved.paid;
        const total = saved.price_list.length;
        showOk(status, form, 'admin.prices.saved', { n: formatNumber(total) });
      } catch (err) {
        showError(status, form, err);
      }
    });
  });
  return adminFrame(org, me, '/prices', t('admin.prices.title'),
    h('p', { class: 'lead' }, t('admin.prices.intro')), form);
}

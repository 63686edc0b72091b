// #/register — patient self-registration. The server checks the IIN (with its check digit), so
// its `invalid_iin` is what the user sees for a mistyped number.

import { api } from '../api.js';
import { h, pageTitle } from '../dom.js';
import { field, busy, showError, showOk, statusLine } from '../forms.js';
import { language, t } from '../i18n.js';

export async function render() {
  const status = statusLine();
  const form = h('form', { id: 'register-form', class: 'form', novalidate: true },
    field('full_name', 'register.full_name', { type: 'text', autocomplete: 'name', required: true }),
    field('iin', 'register.iin', {
      type: 'text', inputmode: 'numeric', maxlength: '12', autocomplete: 'off', required: true,
      spellcheck: 'false',
    }, 'register.iin_hint'),
    field('email', 'register.email', { type: 'email', autocomplete: 'email', required: true }),
    field('password', 'register.password',
      { type: 'password', autocomplete: 'new-password', required: true }, 'register.password_hint'),
    h('p', { class: 'hint' }, t('register.language_note', { language: t('lang.self') })),
    h('button', { type: 'submit', class: 'button' }, t('register.submit')),
    status);

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const value = (id) => form.querySelector(`#${id}`).value;
    const body = {
      full_name: value('full_name').trim(),
      iin: value('iin').trim(),
      email: value('email').trim(),
      password: value('password'),
      language: language(),
    };
    await busy(form, async () => {
      try {
        await api.register(body);
        form.reset();
        showOk(status, form, 'register.success');
      } catch (err) {
        showError(status, form, err);
      }
    });
  });

  return h('section', { class: 'narrow' },
    pageTitle(t('register.title')),
    form,
    h('p', {}, t('register.have_account'), ' ', h('a', { href: '#/login' }, t('nav.login'))));
}

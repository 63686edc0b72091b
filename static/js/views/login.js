// #/login — e-mail and password; the server sets an HttpOnly session cookie. `?next=#/...` is
// where to go afterwards (a doctor's page the visitor wanted to book on).

import { api } from '../api.js';
import { h, pageTitle } from '../dom.js';
import { field, busy, showError, statusLine } from '../forms.js';
import { t } from '../i18n.js';

export async function render({ query }, app) {
  const next = query.get('next') || '';
  const status = statusLine();
  const form = h('form', { id: 'login-form', class: 'form', novalidate: true },
    field('login-email', 'login.email', { type: 'email', autocomplete: 'username', required: true }),
    field('login-password', 'login.password',
      { type: 'password', autocomplete: 'current-password', required: true }),
    h('button', { type: 'submit', class: 'button' }, t('login.submit')),
    status);

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const body = {
      email: form.querySelector('#login-email').value.trim(),
      password: form.querySelector('#login-password').value,
    };
    await busy(form, async () => {
      try {
        const session = await api.login(body);
        app.setUser(session.user);
        app.go(next.startsWith('#/') && !next.startsWith('#/login') ? next : '#/me');
      } catch (err) {
        showError(status, form, err);
      }
    });
  });

  return h('section', { class: 'narrow' },
    pageTitle(t('login.title')),
    form,
    h('p', {}, h('a', { href: '#/forgot-password', id: 'forgot-link' }, t('account.forgot_link'))),
    h('p', {}, t('login.no_account'), ' ', h('a', { href: '#/register' }, t('nav.register'))));
}

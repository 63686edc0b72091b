// The pages behind the links an account's owner gets by e-mail and the request for one:
// #/forgot-password, #/reset-password/{token}, #/verify-email/{token}, #/invite/{token}.
// Each module-level `render*` is a view of its own (see app.js).

import { api } from '../api.js';
import { h, pageTitle } from '../dom.js';
import { busy, field, showError, showOk, statusLine } from '../forms.js';
import { errorText, has, t } from '../i18n.js';

function page(titleKey, ...children) {
  return h('section', { class: 'narrow' }, pageTitle(t(titleKey)), ...children);
}

function passwordField(id, labelKey) {
  return field(id, labelKey, { type: 'password', autocomplete: 'new-password', required: true,
    minlength: '10' }, 'register.password_hint');
}

/** #/forgot-password: asks for a reset link. The answer is the same for any address. */
export const forgotPassword = {
  async render() {
    const status = statusLine();
    const form = h('form', { id: 'forgot-form', class: 'form', novalidate: true },
      h('p', {}, t('account.forgot_intro')),
      field('email', 'login.email', { type: 'email', autocomplete: 'username', required: true }),
      h('button', { type: 'submit', class: 'button' }, t('account.forgot_submit')),
      status);
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      await busy(form, async () => {
        try {
          await api.requestPasswordReset({ email: form.querySelector('#email').value.trim() });
          showOk(status, form, 'account.forgot_sent');
        } catch (err) {
          showError(status, form, err);
        }
      });
    });
    return page('account.forgot_title', form,
      h('p', {}, h('a', { href: '#/login' }, t('nav.login'))));
  },
};

/** #/reset-password/{token}: chooses the new password; then every session is ended. */
export const resetPassword = {
  async render({ params: [token] }, app) {
    const status = statusLine();
    const form = h('form', { id: 'reset-form', class: 'form', novalidate: true },
      passwordField('password', 'account.new_password'),
      h('button', { type: 'submit', class: 'button' }, t('account.reset_submit')),
      status);
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      await busy(form, async () => {
        try {
          await api.resetPassword({ token, new_password: form.querySelector('#password').value });
          app.setUser(null);
          form.replaceWith(h('div', {},
            h('p', { class: 'status status--ok', role: 'status', id: 'reset-done' },
              t('account.reset_done')),
            h('p', {}, h('a', { href: '#/login', class: 'button' }, t('nav.login')))));
        } catch (err) {
          showError(status, form, err);
        }
      });
    });
    return page('account.reset_title', form);
  },
};

/** #/verify-email/{token}: opens the link at once (it carries nothing else to decide). */
export const verifyEmail = {
  async render({ params: [token] }, app) {
    try {
      const done = await api.verifyEmail({ token });
      if (app.user) app.setUser({ ...app.user, email: done.email, email_verified: true });
      return page('account.verify_title',
        h('p', { class: 'status status--ok', role: 'status', id: 'verify-done' },
          t('account.verify_done', { email: done.email })),
        h('p', {}, h('a', { href: app.user ? '#/' : '#/login', class: 'button' },
          t(app.user ? 'nav.directory' : 'nav.login'))));
    } catch (err) {
      return page('account.verify_title',
        h('p', { class: 'status status--error', role: 'alert', id: 'verify-failed' }, errorText(err)),
        h('p', {}, t('account.verify_again')));
    }
  },
};

/** #/invite/{token}: an invited employee sees who invited them and chooses a password. */
export const invitation = {
  async render({ params: [token] }, app) {
    let invite;
    try {
      invite = await api.invitation(token);
    } catch (err) {
      return page('account.invite_title',
        h('p', { class: 'status status--error', role: 'alert' }, errorText(err)),
        h('p', {}, t('account.invite_expired')));
    }
    const role = has(`role.${invite.role}`) ? t(`role.${invite.role}`) : invite.role;
    const status = statusLine();
    const form = h('form', { id: 'invite-form', class: 'form', novalidate: true },
      h('p', {}, t('account.invite_intro',
        { name: invite.full_name, organization: invite.organization_name, role })),
      h('p', {}, t('login.email'), ': ', h('strong', {}, invite.email)),
      passwordField('password', 'account.choose_password'),
      h('button', { type: 'submit', class: 'button' }, t('account.invite_submit')),
      status);
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      const password = form.querySelector('#password').value;
      await busy(form, async () => {
        try {
          await api.acceptInvitation(token, { password });
          const session = await api.login({ email: invite.email, password });
          app.setUser(session.user);
          app.go('#/me');
        } catch (err) {
          showError(status, form, err);
        }
      });
    });
    return page('account.invite_title', form);
  },
};

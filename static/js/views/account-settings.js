// The owner's settings on #/me: the address to confirm, name and language, password, a new
// address (confirmed by its link), and the open sessions with a way to end one.

import { api } from '../api.js';
import { h } from '../dom.js';
import { busy, field, selectField, showError, showOk, statusLine } from '../forms.js';
import { LANGUAGES, errorText, formatInstant, t } from '../i18n.js';

const LANGUAGE_NAMES = { ru: 'Русский', kk: 'Қазақша', en: 'English' };

function panel(id, titleKey, ...children) {
  return h('section', { class: 'panel', id, 'aria-labelledby': `${id}-heading` },
    h('h2', { id: `${id}-heading` }, t(titleKey)), ...children);
}

function formOf(id, submitKey, fields, onSubmit, statusId = `${id}-status`) {
  const status = statusLine(statusId);
  const form = h('form', { id, class: 'form', novalidate: true }, ...fields,
    h('button', { type: 'submit', class: 'button' }, t(submitKey)), status);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    await busy(form, async () => {
      try {
        await onSubmit(form, status);
      } catch (err) {
        showError(status, form, err);
      }
    });
  });
  return form;
}

/** Shown while the address is not confirmed: booking waits for it. */
export function verificationNotice(me) {
  if (me.email_verified) return null;
  const status = statusLine('verify-status');
  const resend = h('button', { type: 'button', class: 'button button--secondary', id: 'resend-verification' },
    t('account.verify_resend'));
  resend.addEventListener('click', async () => {
    resend.disabled = true;
    try {
      await api.resendVerification();
      status.textContent = t('account.verify_sent', { email: me.email });
      status.className = 'status status--ok';
    } catch (err) {
      status.textContent = errorText(err);
      status.className = 'status status--error';
    } finally {
      resend.disabled = false;
    }
  });
  return h('div', { class: 'notice', id: 'verify-notice', role: 'note' },
    h('p', {}, t('account.verify_needed', { email: me.email })), resend, status);
}

function profileForm(me, app) {
  const languages = LANGUAGES.map((l) => [l, LANGUAGE_NAMES[l]]);
  const form = formOf('profile-form', 'account.save', [
    field('profile-name', 'me.full_name', { value: me.full_name, autocomplete: 'name', required: true }),
    selectField('profile-language', 'account.language', languages, {}, 'account.language_hint'),
  ], async (f, status) => {
    const updated = await api.updateMe({
      full_name: f.querySelector('#profile-name').value.trim(),
      language: f.querySelector('#profile-language').value,
    });
    showOk(status, f, 'account.saved');
    // Not through setUser: the saved language is the account's own choice, to follow.
    app.user = { ...app.user, ...updated };
    // Drawn again in the new language; the page's main status line carries "saved" over.
    await app.followLanguage(updated.language);
  }, 'form-status');
  form.querySelector('#profile-language').value = me.language;
  return form;
}

function passwordForm() {
  return formOf('password-form', 'account.change_password', [
    field('current-password', 'account.current_password',
      { type: 'password', autocomplete: 'current-password', required: true }),
    field('password', 'account.new_password',
      { type: 'password', autocomplete: 'new-password', required: true, minlength: '10' },
      'register.password_hint'),
  ], async (f, status) => {
    await api.changePassword({
      current_password: f.querySelector('#current-password').value,
      new_password: f.querySelector('#password').value,
    });
    f.reset();
    showOk(status, f, 'account.password_changed');
  });
}

function emailForm() {
  return formOf('email-form', 'account.change_email', [
    field('email', 'account.new_email', { type: 'email', autocomplete: 'email', required: true }),
    field('email-password', 'account.current_password',
      { type: 'password', autocomplete: 'current-password', required: true }),
  ], async (f, status) => {
    const email = f.querySelector('#email').value.trim();
    await api.changeEmail({ new_email: email, password: f.querySelector('#email-password').value });
    f.reset();
    showOk(status, f, 'account.email_link_sent', { email });
  });
}

async function sessionsList() {
  const list = h('ul', { class: 'sessions', id: 'sessions' });
  const draw = async () => {
    const sessions = await api.sessions();
    list.replaceChildren(...sessions.map((s) => {
      const end = s.current ? h('span', { class: 'badge' }, t('account.this_session'))
        : h('button', { type: 'button', class: 'button button--secondary', dataset: { session: s.id } },
          t('account.end_session'));
      if (!s.current) {
        end.addEventListener('click', async () => {
          end.disabled = true;
          await api.endSession(s.id).catch(() => {});
          await draw();
        });
      }
      return h('li', { class: 'session' },
        h('div', {},
          h('strong', {}, s.user_agent || t('account.unknown_browser')),
          h('p', { class: 'muted' }, t('account.session_opened',
            { when: formatInstant(s.created_at), ip: s.ip || '—' }))),
        end);
    }));
  };
  await draw();
  return list;
}

export async function accountSettings(me, app) {
  return [
    panel('profile', 'account.profile', profileForm(me, app)),
    panel('password', 'account.password', passwordForm()),
    panel('address', 'account.address', emailForm()),
    panel('open-sessions', 'account.sessions', await sessionsList()),
  ];
}

// Start-up, the header and the hash router. Each view module exports
// `render({params, query}, app)` returning the element to show in <main>.

import { api } from './api.js';
import { h, pageTitle } from './dom.js';
import { captureForms, restoreForms } from './forms.js';
import { errorText, initialLanguage, setLanguage, t, translatePage } from './i18n.js';
import * as accessLog from './views/access-log.js';
import * as breakGlassReview from './views/break-glass-review.js';
import { forgotPassword, invitation, resetPassword, verifyEmail } from './views/account-links.js';
import * as call from './views/call.js';
import * as confirmation from './views/confirm.js';
import * as consultation from './views/consultation.js';
import * as consultantLists from './views/consultant-lists.js';
import * as consultations from './views/consultations.js';
import * as council from './views/council.js';
import * as newCouncil from './views/council-new.js';
import * as councils from './views/councils.js';
import * as directory from './views/directory.js';
import * as healthPassport from './views/health-passport.js';
import * as login from './views/login.js';
import * as me from './views/me.js';
import * as organization from './views/organization.js';
import * as practitioner from './views/practitioner.js';
import * as queue from './views/queue.js';
import * as register from './views/register.js';
import * as newRequest from './views/request.js';
import * as adminHome from './views/admin-home.js';
import * as adminOffer from './views/admin-offer.js';
import * as adminOrganization from './views/admin-organization.js';
import * as adminPractitioner from './views/admin-practitioner.js';
import * as adminPrices from './views/admin-prices.js';
import * as adminStaff from './views/admin-staff.js';
import * as operatorHome from './views/operator-home.js';
import * as operatorNewOrganization from './views/operator-organization-new.js';
import * as myWeek from './views/schedule-week.js';

const ROUTES = [
  [/^\/$/, directory],
  [/^\/organizations\/([^/]+)$/, organization],
  [/^\/organizations\/([^/]+)\/consultant-lists$/, consultantLists],
  [/^\/practitioners\/([^/]+)$/, practitioner],
  [/^\/register$/, register],
  [/^\/login$/, login],
  [/^\/forgot-password$/, forgotPassword],
  [/^\/reset-password\/([^/]+)$/, resetPassword],
  [/^\/verify-email\/([^/]+)$/, verifyEmail],
  [/^\/invite\/([^/]+)$/, invitation],
  [/^\/me$/, me],
  [/^\/access-log$/, accessLog],
  [/^\/break-glass\/review$/, breakGlassReview],
  [/^\/health-passport$/, healthPassport],
  [/^\/consultations$/, consultations],
  [/^\/consultations\/([^/]+)\/confirm$/, confirmation],
  [/^\/consultations\/([^/]+)\/call$/, call],
  [/^\/consultations\/([^/]+)$/, consultation],
  [/^\/queue$/, queue],
  [/^\/requests\/new$/, newRequest],
  [/^\/councils$/, councils],
  [/^\/councils\/new$/, newCouncil],
  [/^\/councils\/([^/]+)$/, council],
  [/^\/organizations\/([^/]+)\/admin$/, adminHome],
  [/^\/organizations\/([^/]+)\/admin\/details$/, adminOrganization],
  [/^\/organizations\/([^/]+)\/admin\/prices$/, adminPrices],
  [/^\/organizations\/([^/]+)\/admin\/offer$/, adminOffer],
  [/^\/organizations\/([^/]+)\/admin\/staff$/, adminStaff],
  [/^\/practitioners\/([^/]+)\/admin$/, adminPractitioner],
  [/^\/my-week$/, myWeek],
  [/^\/operator$/, operatorHome],
  [/^\/operator\/organizations\/new$/, operatorNewOrganization],
];

/** Who has a list of consultations, and who works a queue. */
const WITH_CONSULTATIONS = ['patient', 'representative', 'doctor', 'org_admin', 'support'];
const WITH_QUEUE = ['doctor', 'org_admin', 'support'];
/** Who sends deferred requests (art. 17): the patient, their representative, a treating doctor. */
const WITH_REQUESTS = ['patient', 'representative', 'doctor'];
/** Art. 40: the people whose data it is (or their representative) read who accessed it. */
const WITH_ACCESS_LOG = ['patient', 'representative'];
/** Councils (art. 18–27): doctors call and join them; the patient's side agrees and reads them. */
const WITH_COUNCILS = ['patient', 'representative', 'doctor'];

const main = document.getElementById('main');
const header = document.getElementById('site-header');
const navToggle = document.getElementById('nav-toggle');
const navList = document.getElementById('nav-list');
const langSwitch = document.getElementById('lang-switch');
let renderSeq = 0;
/** Whether the language switch was used since the page loaded. */
let languageChosenThisVisit = false;
let firstRender = true;

/** Shared with the views: who is signed in, and a way to change it. */
const app = {
  user: null,
  setUser(user) {
    app.user = user;
    renderNav();
    // The interface follows the language stored on the account (mail does too), unless the
    // person picked another one on this visit: then that choice becomes the account's.
    const shown = document.documentElement.lang;
    if (user && user.language && user.language !== shown) {
      if (languageChosenThisVisit) {
        user.language = shown;
        api.updateMe({ language: shown }).catch(() => {});
      } else {
        app.followLanguage(user.language);
      }
    }
  },
  /** Switches the interface to `lang` (the account's language changed, or was learnt). */
  async followLanguage(lang) {
    if (lang === document.documentElement.lang) return;
    if (!(await setLanguage(lang))) return;
    langSwitch.value = lang;
    translatePage();
    renderNav();
    await renderView({ keepForms: true });
  },
  go(hash) {
    if (location.hash === hash) renderView();
    else location.hash = hash;
  },
};

function currentRoute() {
  const raw = location.hash.replace(/^#/, '') || '/';
  const [path, search = ''] = raw.split('?');
  const query = new URLSearchParams(search);
  for (const [pattern, view] of ROUTES) {
    const m = pattern.exec(path);
    if (m) return { view, path, params: m.slice(1).map(decodeURIComponent), query };
  }
  return { view: null, path, params: [], query };
}

function navLink(hash, key, text) {
  const current = currentRoute().path === hash.slice(1);
  return h('li', {}, h('a', { href: hash, 'aria-current': current ? 'page' : null },
    text ?? t(key)));
}

function renderNav() {
  const items = [navLink('#/', 'nav.directory')];
  if (app.user) {
    if (WITH_CONSULTATIONS.includes(app.user.role)) {
      items.push(navLink('#/consultations', 'nav.consultations'));
    }
    if (WITH_REQUESTS.includes(app.user.role)) items.push(navLink('#/requests/new', 'nav.new_request'));
    if (WITH_QUEUE.includes(app.user.role)) items.push(navLink('#/queue', 'nav.queue'));
    if (WITH_COUNCILS.includes(app.user.role)) items.push(navLink('#/councils', 'nav.councils'));
    if (app.user.role === 'doctor') {
      items.push(navLink('#/councils/new', 'nav.new_council'), navLink('#/my-week', 'nav.my_week'));
    }
    // The administration area holds the organisation's pages, its consultant lists among them
    // (art. 24: the organisation's head decides who sits on councils).
    if (app.user.role === 'org_admin' && app.user.organization_id) {
      items.push(navLink(`#/organizations/${encodeURIComponent(app.user.organization_id)}/admin`, 'nav.admin'));
    }
    if (app.user.role === 'platform_admin') items.push(navLink('#/operator', 'nav.operator'));
    if (WITH_ACCESS_LOG.includes(app.user.role)) {
      items.push(navLink('#/health-passport', 'nav.health_passport'));
      items.push(navLink('#/access-log', 'nav.access_log'));
    }
    items.push(navLink('#/me', 'nav.me', app.user.full_name));
    const signOutButton = h('button',
      { type: 'button', id: 'sign-out', class: 'link-button', onclick: signOut }, t('nav.logout'));
    items.push(h('li', {}, signOutButton));
  } else {
    items.push(navLink('#/login', 'nav.login'), navLink('#/register', 'nav.register'));
  }
  navList.replaceChildren(...items);
}

/** The phone's menu: the button opens and closes the folded navigation; moving to another
 *  page or pressing Escape folds it again. On a wide screen the CSS ignores the state. */
function setMenu(open) {
  header.dataset.menu = open ? 'open' : 'closed';
  navToggle.setAttribute('aria-expanded', String(open));
}

function wireMenu() {
  navToggle.addEventListener('click', () => setMenu(header.dataset.menu !== 'open'));
  header.addEventListener('keydown', (e) => {
    if (e.key !== 'Escape' || header.dataset.menu !== 'open') return;
    setMenu(false);
    navToggle.focus();
  });
  // A link or the sign-out button in the open menu: the menu has done its job.
  navList.addEventListener('click', (e) => {
    if (e.target.closest('a, button')) setMenu(false);
  });
}

async function signOut() {
  try {
    await api.logout();
  } catch {
    // The cookie may already be gone; either way the user is signed out here.
  }
  app.setUser(null);
  app.go('#/');
}

function notFound() {
  return h('section', {}, pageTitle(t('notfound.title')),
    h('p', {}, h('a', { href: '#/' }, t('common.back_to_directory'))));
}

function failed(err) {
  return h('section', {}, pageTitle(t(err.code === 'not_found' ? 'notfound.title' : 'error.title')),
    h('p', { class: 'status status--error', role: 'alert' }, errorText(err)),
    h('p', {}, h('a', { href: '#/' }, t('common.back_to_directory'))));
}

/** Draws the current route. A newer navigation wins over a slower, older one. */
/** The call page is its own document (`/call`): only there may the camera and microphone be
 *  used (the server's Permissions-Policy). Moves to it, or away from it, by a full load. */
function inRightDocument(route) {
  const wantsCall = route.view === call;
  const onCall = location.pathname === '/call';
  if (wantsCall === onCall) return true;
  location.replace(`${wantsCall ? '/call' : '/'}${location.hash}`);
  return false;
}

async function renderView({ keepForms = false } = {}) {
  const seq = ++renderSeq;
  const route = currentRoute();
  if (!inRightDocument(route)) return;
  const snapshot = keepForms ? captureForms(main) : null;
  main.setAttribute('aria-busy', 'true');
  const loading = setTimeout(() => {
    if (seq === renderSeq && !keepForms) {
      main.replaceChildren(h('p', { class: 'loading' }, t('common.loading')));
    }
  }, 250);
  let view;
  try {
    view = route.view ? await route.view.render(route, app) : notFound();
  } catch (err) {
    view = failed(err);
  }
  clearTimeout(loading);
  if (seq !== renderSeq) return;
  main.replaceChildren(view);
  main.removeAttribute('aria-busy');
  if (snapshot) restoreForms(main, snapshot);
  const title = main.querySelector('h1');
  document.title = title ? `${title.textContent} — ${t('app.name')}` : t('app.name');
  // After a navigation, start screen readers and keyboard users at the new page's heading.
  if (!keepForms && !firstRender && title) title.focus();
  firstRender = false;
}

async function changeLanguage() {
  try {
    if (!(await setLanguage(langSwitch.value))) return;
  } catch {
    langSwitch.value = document.documentElement.lang;
    return;
  }
  languageChosenThisVisit = true;
  // Signed in, the choice is the account's: mail follows it too.
  if (app.user && app.user.language !== langSwitch.value) {
    app.user.language = langSwitch.value;
    api.updateMe({ language: langSwitch.value }).catch(() => {});
  }
  translatePage();
  renderNav();
  await renderView({ keepForms: true });
}

async function start() {
  await setLanguage(initialLanguage());
  langSwitch.value = document.documentElement.lang;
  translatePage();
  renderNav();
  wireMenu();
  langSwitch.addEventListener('change', changeLanguage);
  document.getElementById('skip-link').addEventListener('click', (e) => {
    e.preventDefault();
    main.focus();
  });
  window.addEventListener('hashchange', () => {
    setMenu(false);
    renderNav();
    renderView();
  });
  api.me().then((user) => app.setUser(user), () => app.setUser(null));
  await renderView();
}

start();

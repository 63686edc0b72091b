// #/health-passport — the patient's signed records (art. 36–38), newest first, every version with
// its electronic signature: who signed, for which organisation, when, whether the signature
// verifies today (a badge), the certificate on demand, and the consultation it came from; and the
// final conclusions of councils (art. 27) with every doctor who signed them. A deferred request's page
// links here with ?record=<id> to the conclusion that answered it, a council's with ?council=<id>.

import { api } from '../api.js';
import { h, pageTitle } from '../dom.js';
import { has, t } from '../i18n.js';
import { timeEl, userTimeZone } from '../time.js';
import { breakGlassForm, openedByGlass } from './break-glass.js';
import { item, signInNeeded, signedIn } from './common.js';
import { kindText, recordContent as content } from './record-content.js';

/** Verified again as the passport was read (the server's `check`): a badge, and why not. */
function badge(check) {
  const ok = Boolean(check && check.verified);
  const code = check && check.code;
  const dataset = ok ? { verified: 'true' } : { verified: 'false', code: code || 'unknown' };
  return h('span', { class: ok ? 'badge badge--verified' : 'badge badge--alert', dataset },
  ok ? `✓ ${t('passport.verified')}` : t('passport.not_verified'),
  !ok && code && has(`passport.reason.${code}`) ? [': ', t(`passport.reason.${code}`)] : null);
}

/** The certificate as it is, on demand: most readers need only the name, date and badge. */
function certificateDetails(rows) {
  return h('details', { class: 'cert-details' },
    h('summary', {}, t('passport.certificate_details')),
    h('dl', { class: 'facts' }, rows));
}

function signature(v, zone) {
  const s = v.signature;
  if (!s) return null;
  return h('div', { class: 'signature' },
    h('p', { class: 'signature-line' }, badge(v.check)),
    h('dl', { class: 'facts' },
      item('signer', t('passport.signer'), s.signer_name),
      item('organization', t('passport.organization'), v.organization.name),
      item('signed_at', t('passport.signed_at'), s.signed_at ? timeEl(s.signed_at, zone) : null)),
    certificateDetails([
      item('iin', t('record.iin'), s.signer_iin),
      item('subject', t('passport.subject'), s.certificate_subject),
      item('serial', t('record.serial'), h('code', { class: 'cert-serial' }, s.certificate_serial)),
      item('issuer', t('record.issuer'), s.certificate_issuer),
      item('validity', t('passport.validity'), s.certificate_not_before
        ? [timeEl(s.certificate_not_before, zone), ' — ', timeEl(s.certificate_not_after, zone)] : null),
      item('algorithm', t('passport.algorithm'), s.algorithm),
    ]));
}

function version(v, zone, focus) {
  return h('article', {
    class: focus ? 'record-version record-version--focus' : 'record-version',
    dataset: { record: v.id, version: String(v.version) },
    tabindex: focus ? '-1' : null, id: focus ? 'record-focus' : null,
  },
    h('h3', {}, t('passport.version', { n: v.version }), v.replaces_id ? ` (${t('passport.correction')})` : ''),
    h('p', { class: 'muted' }, t('passport.author'), ': ', v.author.full_name, ', ', v.organization.name),
    v.consultation_id ? h('p', {}, h('a', { class: 'passport-link', href: `#/consultations/${encodeURIComponent(v.consultation_id)}` },
      t('passport.open_consultation'))) : null,
    content(v.kind, v.content || {}),
    signature(v, zone));
}

/** The signed text as it was signed, and its content if it reads as a conclusion. */
function councilDocument(doc) {
  let parsed = doc;
  if (typeof doc === 'string') {
    try {
      parsed = JSON.parse(doc);
    } catch {
      parsed = null;
    }
  }
  const c = parsed && typeof parsed === 'object' ? parsed.content || parsed : null;
  const exact = typeof doc === 'string' ? doc : JSON.stringify(doc, null, 2);
  return [
    c && (c.findings || c.diagnoses || c.recommendations) ? content('conclusion', c) : null,
    h('details', { class: 'council-exact' }, h('summary', {}, t('passport.council_document')),
      h('pre', { class: 'document council-document' }, exact)),
  ];
}

function councilSigner(s, zone) {
  return h('li', { dataset: { verified: String(Boolean(s.check && s.check.verified)) } },
    h('p', {}, h('strong', {}, s.full_name), s.organization_name ? `, ${s.organization_name}` : '',
      s.signed_at ? [' · ', timeEl(s.signed_at, zone)] : null),
    h('p', { class: 'signature-line' }, badge(s.check)),
    certificateDetails([
      item('iin', t('record.iin'), s.iin),
      item('subject', t('passport.subject'), s.certificate_subject),
      item('serial', t('record.serial'), h('code', { class: 'cert-serial' }, s.certificate_serial)),
      item('issuer', t('record.issuer'), s.certificate_issuer),
    ]));
}

function councilItem(k, zone, focus) {
  return h('li', {
    class: focus ? 'record-version record-version--focus' : 'record-version',
    dataset: { councilId: k.council_id }, tabindex: focus ? '-1' : null, id: focus ? 'council-focus' : null,
  },
  h('h3', {}, k.question),
  k.final_at ? h('p', { class: 'muted' }, t('passport.council_final'), ' ', timeEl(k.final_at, zone)) : null,
  h('p', {}, h('a', { class: 'passport-link', href: `#/councils/${encodeURIComponent(k.council_id)}` },
    t('passport.open_council'))),
  councilDocument(k.document),
  h('p', { class: 'hash muted' }, 'SHA-256: ', h('code', {}, k.sha256)),
  h('h4', {}, t('passport.council_signers')),
  h('ul', { class: 'council-signers' }, (k.signatures || []).map((s) => councilSigner(s, zone))));
}

/** Councils' final conclusions (art. 27), each signed by every participant. */
function councilsSection(councils, zone, wanted) {
  if (!councils.length) return null;
  return h('section', { class: 'panel', id: 'passport-councils', 'aria-labelledby': 'passport-councils-heading' },
    h('h2', { id: 'passport-councils-heading' }, t('passport.councils')),
    h('ul', { class: 'passport-councils' }, councils.map((k) => councilItem(k, zone, k.council_id === wanted))));
}

export async function render({ query }, app) {
  const me = await signedIn(app);
  if (!me) return signInNeeded('passport.title', 'me.need_login');
  const zone = userTimeZone();
  let passport;
  if (me.role === 'doctor') {
    const opened = await forDoctor(query, zone, app);
    if (opened.page) return opened.page;
    passport = opened.passport;
  } else {
    const patients = me.role === 'representative' ? me.represented_patients : [];
    const chosen = query.get('patient') || patients[0]?.id || null;
    passport = await api.healthPassport(me.role === 'representative' ? chosen : null);
  }
  const records = passport.records || [];
  const councils = passport.councils || [];
  // The record asked for may be a version's id or its chain's: either finds it.
  const wanted = query.get('record');
  const focusOf = (r, v) => Boolean(wanted) && (v.id === wanted || (r.chain_id === wanted && v === r.versions[0]));
  const until = query.get('until');
  const page = h('section', { id: 'health-passport' },
    pageTitle(t('passport.title')),
    until ? openedByGlass(until, zone) : null,
    h('p', {}, t('passport.intro', { name: passport.patient.full_name })),
    records.length ? records.map((r) => h('section', { class: 'panel record', dataset: { chain: r.chain_id, kind: r.kind } },
      h('h2', {}, kindText(r.kind)),
      r.versions.map((v) => version(v, zone, focusOf(r, v)))))
      : councils.length ? null : h('p', { class: 'empty' }, t('passport.empty')),
    councilsSection(councils, zone, query.get('council')));
  const target = page.querySelector('#record-focus, #council-focus');
  // After the router has put the page in and focused its heading, move on to the record.
  if (target) setTimeout(() => target.isConnected && target.scrollIntoView({ block: 'start' }), 0);
  return page;
}

/** A doctor names the patient: within a care relationship the chart opens as usual
 *  (`{ passport }`); without one, or with no patient named, the page offers to break the glass. */
async function forDoctor(query, zone, app) {
  const patient = query.get('patient');
  if (patient) {
    try {
      return { passport: await api.healthPassport(patient) };
    } catch (err) {
      if (err.status !== 403) throw err;
    }
  }
  return { page: h('section', { id: 'health-passport' },
    pageTitle(t('passport.title')),
    h('p', { class: 'notice' }, t(patient ? 'break_glass.no_relationship' : 'break_glass.from_consultation')),
    breakGlassForm(patient, zone, app)) };
}

// Names of a council's codes (its status, a member's status and how they were chosen, the
// conclusion's and each signature's state) in the interface language, the viewer's part in a
// council, and the time zone its times are shown in. An unknown code shows as it is.

import { api } from '../api.js';
import { h } from '../dom.js';
import { has, t } from '../i18n.js';
import { userTimeZone } from '../time.js';
import { isStaff } from './labels.js';

function named(prefix, code) {
  if (code === null || code === undefined) return '';
  return has(`${prefix}.${code}`) ? t(`${prefix}.${code}`) : code;
}

export const councilStatusText = (code) => named('council.status', code);
export const memberStatusText = (code) => named('council.member_status', code);
export const sourceText = (code) => named('council.source', code);
export const councilInitiativeText = (code) => named('council.initiative', code);
export const conclusionStatusText = (code) => named('council.conclusion_status', code);
export const signatureStatusText = (code) => named('council.signature_status', code);

/** A coloured label with the code in data-status, for tests and styles. */
export function councilBadge(code, text, attrs = {}) {
  return h('span', { class: `badge badge--${code}`, dataset: { status: code }, ...attrs }, text);
}

/** The patient, or their legal representative: they agree (art. 20) and join the call. */
export const patientSide = (k) => k.my_role === 'patient' || k.my_role === 'representative';

/** Councils the viewer may no longer change. */
export const closed = (k) => k.status === 'final' || k.status === 'cancelled';

/** The viewer's own membership, if they were invited as a consultant. */
export function myMember(k, me) {
  return (k.members || []).find((m) => m.user && m.user.id === me.id) || null;
}

/** A doctor of the council: its initiator or a consultant who accepted (art. 18). */
export function councilDoctor(k, me) {
  const mine = myMember(k, me);
  return k.my_role === 'initiator' || (mine !== null && mine.status === 'accepted');
}

/** The viewer's row in the conclusion's signature table, if they are to sign it. */
export function mySignature(k, me) {
  const sigs = (k.conclusion && k.conclusion.signatures) || [];
  return sigs.find((s) => s.user && s.user.id === me.id) || null;
}

/** Doctors taking part so far: the initiator and every consultant who has not declined. */
export function doctorCount(k) {
  return 1 + (k.members || []).filter((m) => m.status !== 'declined').length;
}

const zones = new Map();

/**
 * Staff read and enter times in their organisation's zone, as everywhere else in the interface;
 * patients and representatives in their browser's. Asked once per organisation and page load.
 */
export function zoneOf(me) {
  if (!isStaff(me.role) || !me.organization_id) return Promise.resolve(userTimeZone());
  if (!zones.has(me.organization_id)) {
    zones.set(me.organization_id, api.organization(me.organization_id)
      .then((o) => o.time_zone || userTimeZone(), () => {
        zones.delete(me.organization_id);
        return userTimeZone();
      }));
  }
  return zones.get(me.organization_id);
}

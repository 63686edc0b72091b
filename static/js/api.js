// The JSON API. The session lives in an HttpOnly cookie the browser sends by itself.

import { language } from './i18n.js';

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message || code);
    this.status = status;
    this.code = code;
  }
}

async function request(method, path, body) {
  // Texts the organisations write (addresses, procedures, job titles) come in the language the
  // interface shows, Russian where they have no translation.
  const init = {
    method,
    credentials: 'same-origin',
    headers: { Accept: 'application/json', 'Accept-Language': language() },
  };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(path, init);
  } catch (e) {
    throw new ApiError(0, 'network', e.message);
  }
  if (res.status === 204) return null;
  const data = await res.json().catch(() => null);
  if (!res.ok) {
    const code = data && typeof data.error === 'string' ? data.error : 'internal_error';
    throw new ApiError(res.status, code, data && data.message);
  }
  return data;
}

/**
 * One page of a list: its items and the cursor of the next page (null on the last), which the
 * server gives in X-Next-Cursor beside the array body.
 */
async function requestPage(path, cursor, limit) {
  const params = new URLSearchParams();
  if (limit) params.set('limit', String(limit));
  if (cursor) params.set('cursor', cursor);
  const query = params.toString();
  let res;
  try {
    res = await fetch(query ? `${path}?${query}` : path, {
      credentials: 'same-origin',
      headers: { Accept: 'application/json', 'Accept-Language': language() },
    });
  } catch (e) {
    throw new ApiError(0, 'network', e.message);
  }
  const data = await res.json().catch(() => null);
  if (!res.ok) {
    const code = data && typeof data.error === 'string' ? data.error : 'internal_error';
    throw new ApiError(res.status, code, data && data.message);
  }
  return { items: data || [], next: res.headers.get('X-Next-Cursor') };
}

/** The exact bytes of a signable document and the SHA-256 the server states for them. */
async function documentBytes(path) {
  let res;
  try {
    res = await fetch(path, { credentials: 'same-origin' });
  } catch (e) {
    throw new ApiError(0, 'network', e.message);
  }
  if (!res.ok) {
    const data = await res.json().catch(() => null);
    throw new ApiError(res.status, (data && data.error) || 'internal_error', data && data.message);
  }
  const bytes = new Uint8Array(await res.arrayBuffer());
  return { bytes, text: new TextDecoder().decode(bytes), sha256: res.headers.get('X-Document-Sha256') };
}

function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v) q.set(k, v);
  const s = q.toString();
  return s ? `?${s}` : '';
}

const id = (value) => encodeURIComponent(value);
let specialties = null;

/** A 413 or 415 from a layer in front of the handler has no JSON body; its status still says why. */
const UPLOAD_STATUS_CODES = { 413: 'file_too_large', 415: 'file_type_not_allowed' };

/**
 * Sends a file's raw bytes (the server detects the type from the content). XMLHttpRequest rather
 * than fetch, because only it reports upload progress: `onProgress(fraction)` while it goes.
 */
function uploadFile(cId, file, onProgress = () => {}) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `/api/consultations/${id(cId)}/files?name=${encodeURIComponent(file.name)}`);
    xhr.setRequestHeader('Accept', 'application/json');
    xhr.upload.addEventListener('progress', (e) => {
      if (e.lengthComputable) onProgress(e.loaded / e.total);
    });
    xhr.addEventListener('load', () => {
      let data = null;
      try {
        data = JSON.parse(xhr.responseText);
      } catch {
        // Not JSON: the status alone explains the failure below.
      }
      if (xhr.status >= 200 && xhr.status < 300 && data) {
        resolve(data);
        return;
      }
      const code = data && typeof data.error === 'string'
        ? data.error : UPLOAD_STATUS_CODES[xhr.status] || 'internal_error';
      reject(new ApiError(xhr.status, code, data && data.message));
    });
    xhr.addEventListener('error', () => reject(new ApiError(0, 'network', 'upload failed')));
    xhr.send(file);
  });
}

export const api = {
  /** The code list changes only with a release, so one request per page load is enough. */
  specialties() {
    specialties ??= request('GET', '/api/specialties').catch((e) => {
      specialties = null;
      throw e;
    });
    return specialties;
  },
  organizations: (specialty) => request('GET', `/api/organizations${query({ specialty })}`),
  organization: (orgId) => request('GET', `/api/organizations/${id(orgId)}`),
  practitioners: (specialty, organization) =>
    request('GET', `/api/practitioners${query({ specialty, organization })}`),
  practitioner: (pracId) => request('GET', `/api/practitioners/${id(pracId)}`),
  register: (body) => request('POST', '/api/auth/register', body),
  login: (body) => request('POST', '/api/auth/login', body),
  logout: () => request('POST', '/api/auth/logout'),
  me: () => request('GET', '/api/me'),
  updateMe: (body) => request('PATCH', '/api/me', body),
  verifyEmail: (body) => request('POST', '/api/auth/verify-email', body),
  resendVerification: () => request('POST', '/api/me/verify-email'),
  requestPasswordReset: (body) => request('POST', '/api/auth/password-reset', body),
  resetPassword: (body) => request('POST', '/api/auth/password-reset/confirm', body),
  changePassword: (body) => request('POST', '/api/me/password', body),
  changeEmail: (body) => request('POST', '/api/me/email', body),
  sessions: () => request('GET', '/api/me/sessions'),
  endSession: (sessionId) => request('DELETE', `/api/me/sessions/${id(sessionId)}`),
  invitation: (token) => request('GET', `/api/invites/${id(token)}`),
  acceptInvitation: (token, body) => request('POST', `/api/invites/${id(token)}/accept`, body),
  /** Art. 40, a page at a time: `params` = { page, limit, who, kind, include_own }. */
  accessLog: (patientId, params = {}) =>
    request('GET', `/api/me/access-log${query({ patient_id: patientId, ...params })}`),
  slots: (practitioner, from, to) => request('GET', `/api/slots${query({ practitioner, from, to })}`),
  consent: (orgId, patientId) =>
    request('GET', `/api/organizations/${id(orgId)}/consent${query({ patient_id: patientId })}`),
  consentAct: (orgId, body) => request('POST', `/api/organizations/${id(orgId)}/consent`, body),
  consentCode: (orgId, body) => request('POST', `/api/organizations/${id(orgId)}/consent/code`, body),
  book: (body) => request('POST', '/api/consultations', body),
  consultations: () => request('GET', '/api/consultations?limit=200'),
  consultationsPage: (cursor) => requestPage('/api/consultations', cursor),
  consultation: (cId) => request('GET', `/api/consultations/${id(cId)}`),
  cancel: (cId, body) => request('POST', `/api/consultations/${id(cId)}/cancel`, body),
  reschedule: (cId, body) => request('POST', `/api/consultations/${id(cId)}/reschedule`, body),
  confirm: (cId, token) => request('POST', `/api/consultations/${id(cId)}/confirm`, { token }),
  documentsComplete: (cId) => request('POST', `/api/consultations/${id(cId)}/documents-complete`),
  /** A consultant of the receiving organisation takes a deferred request (art. 17). */
  take: (cId) => request('POST', `/api/consultations/${id(cId)}/take`),
  requestDocuments: (cId, note) =>
    request('POST', `/api/consultations/${id(cId)}/request-documents`, { note }),
  decline: (cId, reason) => request('POST', `/api/consultations/${id(cId)}/decline`, { reason }),
  /** ICD-10 codes matching `q`, titled in `lang` (the interface's language). */
  icd10: (q, limit = 20, lang) => request('GET', `/api/icd10${query({ q, limit, lang })}`),
  queuePage: (cursor) => requestPage('/api/queue', cursor),
  createRecord: (patientId, body) => request('POST', `/api/patients/${id(patientId)}/records`, body),
  updateRecord: (rId, content) => request('PUT', `/api/records/${id(rId)}`, { content }),
  recordDocument: (rId) => documentBytes(`/api/records/${id(rId)}/document`),
  signRecord: (rId, body) => request('POST', `/api/records/${id(rId)}/sign`, body),
  breakGlass: (body) => request('POST', '/api/break-glass', body),
  /** The grants doctors of the organisation opened, with their reasons, for its administrators. */
  breakGlassReview: (orgId) => request('GET', `/api/organizations/${id(orgId)}/break-glass`),
  agree: (cId) => request('POST', `/api/consultations/${id(cId)}/agree`),
  healthPassport: (patientId) =>
    request('GET', `/api/me/health-passport${query({ patient_id: patientId })}`),
  signingChallenge: () => request('POST', '/api/me/signing-key/challenge', {}),
  enrolSigningKey: (body) => request('POST', '/api/me/signing-key', body),
  iceServers: () => request('GET', '/api/ice-servers'),
  uploadFile,
  materials: (cId) => request('GET', `/api/consultations/${id(cId)}/materials`),
  /**
   * Where a material's bytes come from (a plain link: the cookie goes with it). `inline` asks
   * for a PDF or an image to be shown in the page rather than downloaded.
   */
  materialUrl: (cId, mId, inline = false) =>
    `/api/consultations/${id(cId)}/materials/${id(mId)}${inline ? '?inline=1' : ''}`,
  guests: (cId) => request('GET', `/api/consultations/${id(cId)}/guests`),
  inviteGuest: (cId, body) => request('POST', `/api/consultations/${id(cId)}/guests`, body),
  heldByPhone: (cId, body) => request('POST', `/api/consultations/${id(cId)}/phone`, body),
  // Councils (art. 2.6, 18–27): every action answers with the council's whole view.
  createCouncil: (body) => request('POST', '/api/councils', body),
  councils: () => request('GET', '/api/councils'),
  council: (kId) => request('GET', `/api/councils/${id(kId)}`),
  agreeCouncil: (kId) => request('POST', `/api/councils/${id(kId)}/agree`),
  acceptCouncil: (kId) => request('POST', `/api/councils/${id(kId)}/accept`),
  declineCouncil: (kId, reason) => request('POST', `/api/councils/${id(kId)}/decline`, { reason }),
  /** The initiator cancels, or the patient's side refuses to agree (art. 20): with a reason. */
  cancelCouncil: (kId, reason) => request('POST', `/api/councils/${id(kId)}/cancel`, { reason }),
  addCouncilMember: (kId, body) => request('POST', `/api/councils/${id(kId)}/members`, body),
  councilOpinion: (kId, text) => request('POST', `/api/councils/${id(kId)}/opinion`, { text }),
  saveCouncilConclusion: (kId, content) =>
    request('PUT', `/api/councils/${id(kId)}/conclusion`, { content }),
  freezeCouncilConclusion: (kId) => request('POST', `/api/councils/${id(kId)}/conclusion/freeze`),
  councilDocument: (kId) => documentBytes(`/api/councils/${id(kId)}/conclusion/document`),
  signCouncil: (kId, body) => request('POST', `/api/councils/${id(kId)}/conclusion/sign`, body),
  refuseCouncil: (kId, reason) =>
    request('POST', `/api/councils/${id(kId)}/conclusion/refuse`, { reason }),
  /** Art. 24: who of an organisation takes part in councils, per specialty, in queue order. */
  consultantLists: (orgId) => request('GET', `/api/organizations/${id(orgId)}/consultant-lists`),
  saveConsultantList: (orgId, specialty, practitionerIds) => request('PUT',
    `/api/organizations/${id(orgId)}/consultant-lists/${id(specialty)}`, { practitioner_ids: practitionerIds }),
  // Administration (an organisation's administrators; the operator for any organisation).
  /** The organisation with its Russian texts, as the editing form sends them back. */
  organizationForEdit: (orgId) => request('GET', `/api/organizations/${id(orgId)}?lang=ru`),
  practitionerForEdit: (pracId) => request('GET', `/api/practitioners/${id(pracId)}?lang=ru`),
  createOrganization: (body) => request('POST', '/api/organizations', body),
  updateOrganization: (orgId, body) => request('PUT', `/api/organizations/${id(orgId)}`, body),
  publishOffer: (orgId, body) => request('POST', `/api/organizations/${id(orgId)}/offers`, body),
  offerAcceptances: (orgId, params = {}) =>
    request('GET', `/api/organizations/${id(orgId)}/offer-acceptances${query(params)}`),
  staff: (orgId) => request('GET', `/api/organizations/${id(orgId)}/staff`),
  inviteStaff: (orgId, body) => request('POST', `/api/organizations/${id(orgId)}/invites`, body),
  resendInvite: (orgId, userId) =>
    request('POST', `/api/organizations/${id(orgId)}/staff/${id(userId)}/invite`),
  deactivateStaff: (orgId, userId) =>
    request('POST', `/api/organizations/${id(orgId)}/staff/${id(userId)}/deactivate`),
  reactivateStaff: (orgId, userId) =>
    request('POST', `/api/organizations/${id(orgId)}/staff/${id(userId)}/reactivate`),
  updatePractitioner: (pracId, body) => request('PUT', `/api/practitioners/${id(pracId)}`, body),
  setSchedule: (pracId, body) => request('PUT', `/api/practitioners/${id(pracId)}/schedule`, body),
  /** A doctor's week (`date`: any day of it, YYYY-MM-DD); without an id, the signed-in doctor's. */
  week: (pracId, date) => request('GET', pracId
    ? `/api/practitioners/${id(pracId)}/week${query({ date })}` : `/api/me/week${query({ date })}`),
  platformOrganizations: () => request('GET', '/api/platform/organizations'),
  platformHealth: () => request('GET', '/api/platform/health'),
  /** Liveness and readiness: plain JSON whatever the status (503 when not ready). */
  async probe(path) {
    try {
      const res = await fetch(path, { credentials: 'same-origin' });
      return { status: res.status, body: await res.json().catch(() => null) };
    } catch (e) {
      return { status: 0, body: { status: e.message } };
    }
  },
};

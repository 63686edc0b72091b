// Electronic signature in the browser (art. 37): NCALayer when it runs on this computer (a
// detached CMS from the national CA's key), otherwise a WebCrypto P-256 key made here, never
// extractable, kept in IndexedDB and certified once by the platform CA (enrolment).

import { api } from './api.js';

const NCALAYER = 'wss://127.0.0.1:13579';
const DB_NAME = 'telemed-signing';
const STORE = 'keys';

export function toBase64(bytes) {
  let s = '';
  for (const b of new Uint8Array(bytes)) s += String.fromCharCode(b);
  return btoa(s);
}

/** A detached CMS over `bytes` from NCALayer, or a rejection when it is not there in time. */
export function signWithNcaLayer(bytes, lang, timeoutMs = 2000) {
  return new Promise((resolve, reject) => {
    let ws;
    let done = false;
    const finish = (fn, value) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      try { ws.close(); } catch { /* already closed */ }
      fn(value);
    };
    const timer = setTimeout(() => finish(reject, new Error('ncalayer_unavailable')), timeoutMs);
    try {
      ws = new WebSocket(NCALAYER);
    } catch (e) {
      finish(reject, e);
      return;
    }
    ws.onerror = () => finish(reject, new Error('ncalayer_unavailable'));
    ws.onclose = () => finish(reject, new Error('ncalayer_unavailable'));
    ws.onopen = () => ws.send(JSON.stringify({
      module: 'kz.gov.pki.knca.basics',
      method: 'sign',
      args: {
        allowedStorages: null,
        format: 'cms',
        data: toBase64(bytes),
        signingParams: { decode: true, encapsulate: false, digested: false, tsaProfile: {} },
        signerParams: { extKeyUsageOids: [], chain: [] },
        locale: lang,
      },
    }));
    ws.onmessage = (ev) => {
      let msg;
      try { msg = JSON.parse(ev.data); } catch { return; }
      const cms = msg.responseObject || (msg.body && msg.body.result);
      if (typeof cms === 'string' && cms) finish(resolve, cms);
      else if (msg.status === false || (msg.code && String(msg.code) !== '200')) {
        finish(reject, new Error('ncalayer_refused'));
      }
      // Anything else (the version greeting) is not the answer yet.
    };
  });
}

function openDb() {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB_NAME, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE);
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

async function withStore(mode, fn) {
  const db = await openDb();
  try {
    return await new Promise((resolve, reject) => {
      const tx = db.transaction(STORE, mode);
      const req = fn(tx.objectStore(STORE));
      tx.oncomplete = () => resolve(req.result);
      tx.onerror = () => reject(tx.error);
    });
  } finally {
    db.close();
  }
}

/** The user's enrolled key and certificate, enrolling a new key when there is none (or expired). */
export async function enrolledKey(userId) {
  const stored = await withStore('readonly', (s) => s.get(userId));
  if (stored && stored.certificate && new Date(stored.not_after) > new Date()) return stored;
  const pair = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign']);
  const spki = await crypto.subtle.exportKey('spki', pair.publicKey);
  const { challenge } = await api.signingChallenge();
  const proof = await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, pair.privateKey,
    new TextEncoder().encode(challenge));
  const cert = await api.enrolSigningKey({ spki: toBase64(spki), challenge, signature: toBase64(proof) });
  const entry = { privateKey: pair.privateKey, ...cert };
  await withStore('readwrite', (s) => s.put(entry, userId));
  return entry;
}

/** Raw r‖s (64 bytes, base64) over `bytes` with the enrolled key, and its certificate. */
export async function signWithWebCrypto(userId, bytes) {
  const key = await enrolledKey(userId);
  const sig = await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, key.privateKey, bytes);
  return { signature: toBase64(sig), certificate: key.certificate, serial: key.serial };
}

/**
 * The body that signs a document's exact bytes (`doc` from api.recordDocument and the like):
 * a CMS from NCALayer when it answers, else the raw signature of the enrolled WebCrypto key with
 * its certificate. `method` says which was used, for the page to tell the signer.
 */
export async function signDocument(userId, doc, lang = document.documentElement.lang) {
  try {
    const cms = await signWithNcaLayer(doc.bytes, lang);
    return { method: 'ncalayer', body: { form: 'cms', signature: cms, sha256: doc.sha256 } };
  } catch {
    const raw = await signWithWebCrypto(userId, doc.bytes);
    return {
      method: 'webcrypto',
      body: { form: 'raw_p256', signature: raw.signature, certificate: raw.certificate, sha256: doc.sha256 },
    };
  }
}

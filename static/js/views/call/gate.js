// Whether the viewer may open the call now, judged from the consultation view before any socket
// is opened: the server refuses an early, closed or foreign call before the WebSocket upgrade,
// and a browser sees such a refusal only as a failed socket, without the reason.

const CLOSED = { completed: 'consultation_ended', cancelled: 'consultation_cancelled' };
const CALLABLE = ['booked', 'in_progress'];

/**
 * `{open: true}`, or `{open: false, phase: 'ended' | 'error', code, opensAt}` where `code` is an
 * error code with a text (`error.<code>`) and `opensAt` is set when waiting will help.
 */
export function gate(c, now = Date.now()) {
  if (c.mode !== 'realtime') return { open: false, phase: 'error', code: 'not_realtime' };
  if (CLOSED[c.status]) return { open: false, phase: 'ended', code: CLOSED[c.status] };
  if (!c.my_call_role) return { open: false, phase: 'error', code: 'not_a_participant' };
  // Awaiting the patient's agreement: there is no call to open yet, and no time to wait for.
  if (!CALLABLE.includes(c.status)) return { open: false, phase: 'error', code: 'call_not_open' };
  if (c.join_opens_at && Date.parse(c.join_opens_at) > now) {
    return { open: false, phase: 'error', code: 'call_not_open', opensAt: c.join_opens_at };
  }
  return { open: true };
}

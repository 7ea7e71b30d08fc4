// @ts-check
// The HTTP API as the pages use it (docs/protocol.md, section 3): one function per route, so
// this is the one file of the web client that knows the paths, as the server's route table
// does on its side. A function returns the parsed JSON body (null for 204) or throws an
// ApiError carrying the problem+json `code` and `field`. Commands keep one Idempotency-Key
// over their retries. No DOM here: the module also runs under node (createClient with a base
// URL and a bearer token), and it holds the shapes of the views the pages read.

/** @typedef {'draft' | 'scheduled' | 'open' | 'closed'} MeetingStatus */
/** @typedef {'moderator' | 'panelist' | 'citizen' | 'organizer'} Role */

/**
 * @typedef {Object} StaffView
 * @property {string} participant_id
 * @property {string} name
 * @property {Role} role
 * @property {string | null} [role_line]
 * @property {boolean} [revoked]
 */

/**
 * @typedef {Object} MeetingSettings
 * @property {boolean} premoderation
 * @property {number} slow_mode_secs
 * @property {string[]} [keywords]
 * @property {number} max_body_chars
 * @property {number} [report_threshold]
 * @property {boolean} [auto_hold_reports]
 */

/**
 * @typedef {Object} Counters
 * @property {number} questions
 * @property {number} answered
 * @property {number} [dismissed]
 * @property {number} [comments]
 * @property {number} [participants]
 */

/**
 * The meeting as a viewer sees it (HTTP and the live stream's snapshot and events).
 * @typedef {Object} MeetingView
 * @property {string} id
 * @property {string} title
 * @property {MeetingStatus} status
 * @property {string} language
 * @property {string | null} [starts_at]
 * @property {string | null} [ends_at]
 * @property {string} [time_zone]
 * @property {string | null} [description]
 * @property {string | null} [description_html]
 * @property {string | null} [video_url]
 * @property {number | null} [on_air]
 * @property {number | null} [pinned_notice]
 * @property {Counters} counters
 * @property {MeetingSettings} settings
 * @property {StaffView[]} [staff]
 * @property {any} [organization]
 * @property {any} [follow_up]
 * @property {AgendaItemView[]} [agenda] in order
 * @property {number | null} [current_agenda_item]
 * @property {PollView[]} [polls] launched ones for the public, drafts too for staff
 * @property {number | null} [poll_on_screen]
 */

/**
 * @typedef {Object} AgendaItemView
 * @property {number} id
 * @property {string} title
 * @property {string} description Markdown
 * @property {string} description_html sanitized
 * @property {string | null} planned_start
 */

/**
 * `type`: single_choice (options), multiple_choice (options, max_picks), scale (max,
 * low_label, high_label), word_cloud, open_answer.
 * @typedef {Object} PollKind
 * @property {'single_choice' | 'multiple_choice' | 'scale' | 'word_cloud' | 'open_answer'} type
 * @property {string[]} [options]
 * @property {number} [max_picks]
 * @property {number} [max]
 * @property {string} [low_label]
 * @property {string} [high_label]
 */

/** @typedef {'live' | 'after_close' | 'staff_only'} ResultsShown */

/**
 * @typedef {Object} PollView
 * @property {number} id
 * @property {string} question
 * @property {PollKind} kind
 * @property {ResultsShown} results_shown
 * @property {number | null} [agenda_item]
 * @property {'draft' | 'open' | 'closed'} status
 * @property {string | null} [launched_at]
 * @property {string | null} [closed_at]
 * @property {boolean} results_public
 */

/**
 * What staff prepare (a draft, replaced as a whole on every edit).
 * @typedef {Object} PollDefinition
 * @property {string} question
 * @property {PollKind} kind
 * @property {ResultsShown} results
 * @property {number | null} [agenda_item]
 */

/**
 * One citizen's answer, as sent and as stored (normalized).
 * @typedef {{ kind: 'choice', picks: number[] } | { kind: 'scale', value: number } | { kind: 'words', words: string[] } | { kind: 'text', text: string }} PollAnswer
 */

/**
 * @typedef {Object} PollResults
 * @property {number} respondents
 * @property {number[]} [counts] per option, or per scale value 1..max
 * @property {{ word: string, count: number }[]} [words] most given first
 * @property {string[]} [texts] newest first
 */

/**
 * @typedef {Object} AgendaItemRequest
 * @property {string} title
 * @property {string} [description]
 * @property {string | null} [planned_start]
 * @property {number} [position] adding only
 */

/**
 * @typedef {Object} Author
 * @property {string} [participant_id]
 * @property {string | null} name
 * @property {Role} [role]
 * @property {string | null} [role_line]
 * @property {boolean} [verified]
 */

/**
 * @typedef {Object} AnswerView
 * @property {'written' | 'live'} mode
 * @property {{ name: string, role_line?: string | null }} by
 * @property {string} at
 * @property {string | null} [html]
 * @property {string | null} [note]
 */

/**
 * @typedef {Object} QuestionView
 * @property {'open' | 'claimed' | 'answered' | 'dismissed' | 'merged'} state
 * @property {string | null} [claimed_by]
 * @property {AnswerView | null} [answer]
 * @property {string | null} [dismissed_reason]
 * @property {{ kind: 'panelist' | 'department', name: string, participant_id?: string } | null} [assignee]
 * @property {number | null} [merged_into]
 */

/**
 * @typedef {Object} PostView
 * @property {number} id
 * @property {'question' | 'comment' | 'notice'} kind
 * @property {'visible' | 'pending' | 'hidden' | 'rejected' | 'erased'} status
 * @property {string | null} body
 * @property {Author} author
 * @property {string} [source]
 * @property {number | null} [parent]
 * @property {number} votes
 * @property {number} [reports]
 * @property {string} created_at
 * @property {QuestionView | null} [question]
 * @property {string | null} [hidden_reason]
 * @property {string | null} [held_reason]
 * @property {string} [moderation_note]
 * @property {number | null} [agenda_item]
 */

/**
 * The viewer in a meeting (hello frame, join).
 * @typedef {Object} YouView
 * @property {string} participant_id
 * @property {string} name
 * @property {Role} role
 * @property {boolean} [banned]
 * @property {string | null} [muted_until]
 * @property {number[]} [voted]
 * @property {{ poll: number, answer: PollAnswer }[]} [poll_answers]
 */

/** @typedef {'mute' | 'unmute' | 'ban' | 'unban'} ParticipantAction */

export class ApiError extends Error {
  /**
   * @param {number} status HTTP status, 0 when the server could not be reached
   * @param {{ detail?: string, code?: string, field?: string, retry_after?: number } | null} problem
   */
  constructor(status, problem) {
    super((problem && problem.detail) || `HTTP ${status}`);
    this.status = status;
    /** @type {string} problem+json `code`; `network` or `http` when the answer had none */
    this.code = (problem && problem.code) || (status === 0 ? 'network' : 'http');
    /** @type {string | undefined} the body field the server refused */
    this.field = problem ? problem.field : undefined;
    /** @type {number | undefined} */
    this.retryAfter = problem ? problem.retry_after : undefined;
  }
}

/** @param {number} ms */
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const newKey = () => (globalThis.crypto && crypto.randomUUID ? crypto.randomUUID() : `${Date.now()}-${Math.random()}`);

/**
 * One HTTP command or query. A retried command keeps its Idempotency-Key (a busy or
 * restarting server, or a lost answer, can never make it happen twice).
 * @param {string} base origin for node ('' in the page)
 * @param {string | null} bearer
 * @param {string} method
 * @param {string} path
 * @param {unknown} [body] JSON, or a Blob sent as it is (a logo)
 * @returns {Promise<any>}
 */
async function request(base, bearer, method, path, body) {
  /** @type {Record<string, string>} */
  const headers = {};
  const raw = typeof Blob !== 'undefined' && body instanceof Blob;
  if (body !== undefined && !raw) headers['Content-Type'] = 'application/json';
  if (method !== 'GET') headers['Idempotency-Key'] = newKey();
  if (bearer) headers.Authorization = `Bearer ${bearer}`;
  const payload = body === undefined ? undefined : raw ? /** @type {Blob} */ (body) : JSON.stringify(body);
  for (let attempt = 0; ; attempt++) {
    let res;
    try {
      res = await fetch(base + path, { method, headers, body: payload, credentials: 'same-origin' });
    } catch (_) {
      if (attempt < 3) { await sleep(800 * (attempt + 1)); continue; }
      throw new ApiError(0, null);
    }
    const text = await res.text();
    let data = null;
    try { data = text ? JSON.parse(text) : null; } catch (_) { data = null; }
    if (res.ok) return data;
    const err = new ApiError(res.status, data);
    if (res.status === 503 && attempt < 3) { await sleep(1000 * (err.retryAfter || 1)); continue; }
    throw err;
  }
}

const LOGO = /^\/api\/organizations\/[0-9a-f-]{36}\/logo\?v=\d+$/;

/** Whether `url` is an organization logo as the server hands it out (checked again before it
 *  goes into an img: the server validated it). */
export function isLogoUrl(url) { return LOGO.test(url || ''); }

/**
 * The path of a meeting's live stream: `live` (WebSocket) or `events` (SSE), resuming after
 * `since` when given. The page speaks protocol version 2 (`v=2`: lean event frames, which
 * live.js expands; docs/protocol.md "Protocol version 2").
 * @param {string} meetingId
 * @param {'live' | 'events'} transport
 * @param {number | null} since
 */
export function streamPath(meetingId, transport, since) {
  return `/api/meetings/${meetingId}/${transport}?v=2${since ? `&since=${since}` : ''}`;
}

/** Downloads after the meeting, for the organizer (links, not calls: the browser saves them).
 *  @param {string} meetingId @param {string} lang */
export function reportLinks(meetingId, lang) {
  const m = `/api/meetings/${meetingId}`;
  return { html: `${m}/report.html?lang=${lang}`, csv: `${m}/report.csv`, ndjson: `${m}/export.ndjson`, exportCsv: `${m}/export.csv` };
}

/**
 * The API bound to an origin and a credential. Pages use `client` (same origin, cookies);
 * node (tests, scripts) makes its own with the server's URL and a bearer token.
 * @param {{ base?: string, bearer?: string | null }} [opts]
 */
export function createClient({ base = '', bearer = null } = {}) {
  /** @type {(method: string, path: string, body?: unknown) => Promise<any>} */
  const call = (method, path, body) => request(base, bearer, method, path, body);
  /** @param {string} id */
  const m = (id) => `/api/meetings/${id}`;
  /** @param {string} id @param {number} post */
  const q = (id, post) => `${m(id)}/questions/${post}`;
  /** @param {string} id @param {number} post */
  const p = (id, post) => `${m(id)}/posts/${post}`;
  /** @param {string} org */
  const answers = (org) => `/api/organizations/${org}/answers`;
  return {
    // Sessions: the admin token, staff and personal links, organizer accounts and invites.
    /** @param {string} token */
    adminSignIn: (token) => call('POST', '/api/admin/session', { token }),
    adminSignOut: () => call('DELETE', '/api/admin/session'),
    /** A staff link's or personal link's secret for a session cookie.
     *  @param {string} key @returns {Promise<{ meeting_id: string }>} */
    linkSession: (key) => call('POST', '/api/staff-session', { key }),
    account: () => call('GET', '/api/account'),
    /** @param {string} email @param {string} password */
    accountSignIn: (email, password) => call('POST', '/api/account/session', { email, password }),
    accountSignOut: () => call('DELETE', '/api/account/session'),
    accountSignOutEverywhere: () => call('DELETE', '/api/account/sessions'),
    /** @param {string} invite */
    inviteInfo: (invite) => call('POST', '/api/account/invite-info', { invite }),
    /** @param {{ invite: string, display_name: string, email: string, password: string }} body */
    acceptInvite: (body) => call('POST', '/api/account/invite', body),

    // Meetings (organizer).
    /** @returns {Promise<any[]>} */
    meetings: () => call('GET', '/api/meetings'),
    /** @param {object} body @returns {Promise<{ meeting_id: string }>} */
    createMeeting: (body) => call('POST', '/api/meetings', body),
    /** @param {string} id @returns {Promise<MeetingView>} */
    meeting: (id) => call('GET', m(id)),
    /** @param {string} id @param {object} body */
    editMeeting: (id, body) => call('PATCH', m(id), body),
    /** @param {string} id */
    scheduleMeeting: (id) => call('POST', `${m(id)}/schedule`),
    /** @param {string} id */
    openMeeting: (id) => call('POST', `${m(id)}/open`),
    /** @param {string} id */
    closeMeeting: (id) => call('POST', `${m(id)}/close`),
    /** @param {string} id @param {Partial<MeetingSettings>} body */
    changeSettings: (id, body) => call('PATCH', `${m(id)}/settings`, body),
    /** @param {string} id @param {{ role: string, name: string, role_line?: string }} body @returns {Promise<{ link: string }>} */
    createStaffLink: (id, body) => call('POST', `${m(id)}/staff`, body),
    /** @param {string} id @param {string} participant */
    revokeStaff: (id, participant) => call('DELETE', `${m(id)}/staff/${participant}`),
    /** @param {string} id */
    announcements: (id) => call('GET', `${m(id)}/announcements`),
    /** @param {string} id */
    reportOptions: (id) => call('GET', `${m(id)}/report-options`),
    /** @param {string} id @param {object} body */
    setReportOptions: (id, body) => call('PUT', `${m(id)}/report-options`, body),

    // Data protection.
    /** @param {string} id */
    privacyNotice: (id) => call('GET', `${m(id)}/privacy`),
    /** @param {string} id @param {string | null} notice Markdown, null for the default */
    setPrivacyNotice: (id, notice) => call('PUT', `${m(id)}/privacy`, { notice }),
    /** @param {string} id @param {string} participant */
    erase: (id, participant) => call('POST', `${m(id)}/participants/${participant}/erase`),

    // Taking part (citizens).
    /** @param {string} id @param {{ display_name: string, age_band: string | null, gender: string | null }} body
     *  @returns {Promise<{ you: YouView, my_questions_link?: string }>} */
    join: (id, body) => call('POST', `${m(id)}/join`, body),
    /** @param {string} id @param {{ kind: string, body: string, parent?: number, agenda_item?: number | null }} body
     *  @returns {Promise<{ post_id: number, status: string }>} */
    createPost: (id, body) => call('POST', `${m(id)}/posts`, body),
    /** "Has someone asked this already?": up to three visible questions like `text`.
     *  @param {string} id @param {string} text @param {number} [exclude]
     *  @returns {Promise<{ questions: PostView[] }>} */
    similar: (id, text, exclude) => call('GET', `${m(id)}/similar?text=${encodeURIComponent(text)}${exclude ? `&exclude=${exclude}` : ''}`),
    /** The words the meeting's questions share most (the big screen's cloud).
     *  @param {string} id @returns {Promise<{ topics: { word: string, questions: number }[] }>} */
    topics: (id) => call('GET', `${m(id)}/topics`),
    /** @param {string} id @param {number} post @param {boolean} up @returns {Promise<{ votes: number }>} */
    vote: (id, post, up) => call('PUT', `${p(id, post)}/vote`, { up }),
    /** @param {string} id @param {number} post @param {string} [reason] */
    reportPost: (id, post, reason) => call('POST', `${p(id, post)}/report`, reason ? { reason } : {}),
    /** @param {string} id */
    myQuestions: (id) => call('GET', `${m(id)}/mine`),
    /** @param {string} id @param {string} email */
    notifyMe: (id, email) => call('PUT', `${m(id)}/mine/notify`, { email }),
    /** @param {string} id */
    stopNotifying: (id) => call('DELETE', `${m(id)}/mine/notify`),

    // The staff console: notices, room questions, the queue.
    /** @param {string} id @param {string} body @param {boolean} pin */
    postNotice: (id, body, pin) => call('POST', `${m(id)}/notices`, { body, pin }),
    /** @param {string} id */
    unpinNotice: (id) => call('DELETE', `${m(id)}/notices/pin`),
    /** @param {string} id @param {string} body @param {string | null} name */
    roomQuestion: (id, body, name) => call('POST', `${m(id)}/room-questions`, { body, name }),
    /** @param {string} id @param {number} post */
    claim: (id, post) => call('POST', `${q(id, post)}/claim`),
    /** @param {string} id @param {number} post */
    release: (id, post) => call('POST', `${q(id, post)}/release`),
    /** @param {string} id @param {number} post @param {string} body Markdown */
    answer: (id, post, body) => call('POST', `${q(id, post)}/answer`, { body }),
    /** @param {string} id @param {number} post @param {{ note?: string, panelist?: string }} body */
    answerLive: (id, post, body) => call('POST', `${q(id, post)}/answer-live`, body),
    /** @param {string} id @param {number} post @param {string} reason */
    dismiss: (id, post, reason) => call('POST', `${q(id, post)}/dismiss`, { reason }),
    /** @param {string} id @param {number} post @param {number} into */
    merge: (id, post, into) => call('POST', `${q(id, post)}/merge`, { into }),
    /** @param {string} id @param {number | null} post */
    setOnAir: (id, post) => call('PUT', `${m(id)}/on-air`, { post }),
    /** @param {string} id @param {number} post @param {{ panelist: string } | { department: string }} body */
    assign: (id, post, body) => call('POST', `${q(id, post)}/assign`, body),
    /** @param {string} id @param {number} post */
    unassign: (id, post) => call('DELETE', `${q(id, post)}/assign`),

    // Moderation.
    /** @param {string} id @param {number} post */
    approve: (id, post) => call('POST', `${p(id, post)}/approve`),
    /** @param {string} id @param {number} post @param {string} [reason] */
    reject: (id, post, reason) => call('POST', `${p(id, post)}/reject`, reason ? { reason } : {}),
    /** @param {string} id @param {number} post @param {string} reason @param {string | null} note */
    hide: (id, post, reason, note) => call('POST', `${p(id, post)}/hide`, { reason, note }),
    /** @param {string} id @param {number} post */
    restore: (id, post) => call('POST', `${p(id, post)}/restore`),
    /** @param {string} id @param {string} participant @param {ParticipantAction} action @param {object} [body] */
    moderateParticipant: (id, participant, action, body) => call('POST', `${m(id)}/participants/${participant}/${action}`, body),

    // The agenda (organizer and moderators; filing a post: panelists too).
    /** @param {string} id @param {AgendaItemRequest} body @returns {Promise<{ seq: number }>} */
    addAgendaItem: (id, body) => call('POST', `${m(id)}/agenda`, body),
    /** @param {string} id @param {number} item @param {AgendaItemRequest} body */
    editAgendaItem: (id, item, body) => call('PUT', `${m(id)}/agenda/${item}`, body),
    /** @param {string} id @param {number} item */
    removeAgendaItem: (id, item) => call('DELETE', `${m(id)}/agenda/${item}`),
    /** @param {string} id @param {number} item @param {number} position 0 = first */
    moveAgendaItem: (id, item, position) => call('POST', `${m(id)}/agenda/${item}/move`, { position }),
    /** @param {string} id @param {number | null} item */
    setCurrentAgendaItem: (id, item) => call('PUT', `${m(id)}/agenda/current`, { item }),
    /** @param {string} id @param {number} post @param {number | null} item */
    filePost: (id, post, item) => call('PUT', `${p(id, post)}/agenda-item`, { item }),

    // Polls: staff prepare, launch, close, publish, show on screen; citizens answer.
    /** Launched polls with the results this viewer may see, and the viewer's own answers.
     *  @param {string} id @returns {Promise<{ polls: { poll: PollView, results: PollResults | null }[], yours?: { poll: number, answer: PollAnswer }[] }>} */
    polls: (id) => call('GET', `${m(id)}/polls`),
    /** @param {string} id @param {PollDefinition} body @returns {Promise<{ seq: number }>} */
    createPoll: (id, body) => call('POST', `${m(id)}/polls`, body),
    /** @param {string} id @param {number} poll @param {PollDefinition} body */
    editPoll: (id, poll, body) => call('PUT', `${m(id)}/polls/${poll}`, body),
    /** @param {string} id @param {number} poll */
    deletePoll: (id, poll) => call('DELETE', `${m(id)}/polls/${poll}`),
    /** @param {string} id @param {number} poll @param {number} position */
    movePoll: (id, poll, position) => call('POST', `${m(id)}/polls/${poll}/move`, { position }),
    /** @param {string} id @param {number} poll */
    launchPoll: (id, poll) => call('POST', `${m(id)}/polls/${poll}/launch`),
    /** @param {string} id @param {number} poll */
    closePoll: (id, poll) => call('POST', `${m(id)}/polls/${poll}/close`),
    /** @param {string} id @param {number} poll */
    publishPoll: (id, poll) => call('POST', `${m(id)}/polls/${poll}/publish`),
    /** @param {string} id @param {number | null} poll */
    setPollOnScreen: (id, poll) => call('PUT', `${m(id)}/polls/on-screen`, { poll }),
    /** A citizen's answer (again to change it, until the poll closes).
     *  @param {string} id @param {number} poll @param {PollAnswer} answer
     *  @returns {Promise<{ poll: number, answer: PollAnswer, held_reason: string | null, results: PollResults | null }>} */
    answerPoll: (id, poll, answer) => call('PUT', `${m(id)}/polls/${poll}/answer`, answer),
    /** Every answer, newest first, with the moderation state of open answers (staff).
     *  @param {string} id @param {number} poll @returns {Promise<{ answer_id: string, answer: PollAnswer, held_reason: string | null, hidden: boolean, answered_at: string }[]>} */
    pollAnswers: (id, poll) => call('GET', `${m(id)}/polls/${poll}/answers`),
    /** @param {string} id @param {number} poll @param {string} answer the answer_id @param {'approve' | 'hide' | 'restore'} action */
    moderatePollAnswer: (id, poll, answer, action) => call('POST', `${m(id)}/polls/${poll}/answers/${answer}/${action}`),

    // Follow-up and prepared answers.
    /** @param {string} id */
    followUp: (id) => call('GET', `${m(id)}/follow-up`),
    /** @param {string} id */
    closeFollowUp: (id) => call('POST', `${m(id)}/follow-up/close`),
    /** The meeting's organization's prepared answers, for its staff. @param {string} id @returns {Promise<any[]>} */
    meetingAnswers: (id) => call('GET', `${m(id)}/answers`),
    /** @param {string} org @returns {Promise<any[]>} */
    answers: (org) => call('GET', answers(org)),
    /** @param {string} org @param {{ title: string, body: string }} body */
    createAnswer: (org, body) => call('POST', answers(org), body),
    /** @param {string} org @param {string} answer @param {{ title: string, body: string }} body */
    editAnswer: (org, answer, body) => call('PUT', `${answers(org)}/${answer}`, body),
    /** @param {string} org @param {string} answer */
    deleteAnswer: (org, answer) => call('DELETE', `${answers(org)}/${answer}`),

    // Organizations.
    /** @returns {Promise<any[]>} */
    organizations: () => call('GET', '/api/organizations'),
    /** @param {{ name: string, privacy_contact: string | null }} body */
    createOrganization: (body) => call('POST', '/api/organizations', body),
    /** @param {string} org @param {object} body */
    editOrganization: (org, body) => call('PATCH', `/api/organizations/${org}`, body),
    /** @param {string} org @param {Blob} file PNG, JPEG or WebP */
    uploadLogo: (org, file) => call('PUT', `/api/organizations/${org}/logo`, file),
    /** @param {string} org @returns {Promise<{ link: string, expires_at: string }>} */
    createInvite: (org) => call('POST', `/api/organizations/${org}/invites`, {}),
  };
}

/** @typedef {ReturnType<typeof createClient>} Client */

/** The page's client: same origin, the session cookie. */
export const client = createClient();

//! Every HTTP route of the server, in one place: the tests name a route by a function, never
//! by a path string, so a route that moves is changed here once. Ids are anything `Display`
//! (a `MeetingId`, an organization id as a `String`, a post number). Tests that talk to an
//! instance by its address (cluster and process tests) put a route on it with `url` or `ws`.

use std::fmt::Display;

/// A route on an instance's HTTP address: `url("http://127.0.0.1:8080", &posts(&m))`.
pub fn url(base: &str, route: &str) -> String {
    format!("{base}{route}")
}

/// A route on an instance's WebSocket address (`ws://127.0.0.1:{port}`), optionally resuming
/// after `since` (the live stream's `?since=`).
pub fn ws(port: u16, route: &str, since: Option<u64>) -> String {
    match since {
        Some(s) => format!("ws://127.0.0.1:{port}{route}?since={s}"),
        None => format!("ws://127.0.0.1:{port}{route}"),
    }
}

/// `/api/meetings`: create (POST) or list (GET) meetings.
pub fn meetings() -> String {
    "/api/meetings".to_string()
}

/// `/api/meetings/{}`: one meeting: read, edit (PATCH).
pub fn meeting(id: &(impl Display + ?Sized)) -> String {
    format!("/api/meetings/{id}")
}

/// `/api/meetings/{}/open`
pub fn open(id: &(impl Display + ?Sized)) -> String {
    format!("/api/meetings/{id}/open")
}

/// `/api/meetings/{}/close`
pub fn close(id: &(impl Display + ?Sized)) -> String {
    format!("/api/meetings/{id}/close")
}

/// `/api/meetings/{}/schedule`
pub fn schedule(id: &(impl Display + ?Sized)) -> String {
    format!("/api/meetings/{id}/schedule")
}

/// `/api/meetings/{}/settings`
pub fn settings(id: &(impl Display + ?Sized)) -> String {
    format!("/api/meetings/{id}/settings")
}

/// `/api/meetings/{}/join`
pub fn join(id: &(impl Display + ?Sized)) -> String {
    format!("/api/meetings/{id}/join")
}

/// `/api/meetings/{}/me`
pub fn me(id: &(impl Display + ?Sized)) -> String {
    format!("/api/meetings/{id}/me")
}

/// `/api/meetings/{}/staff`: create a staff link (organizer).
pub fn staff_links(id: &(impl Display + ?Sized)) -> String {
    format!("/api/meetings/{id}/staff")
}

/// `/api/meetings/{}/staff/{}`: revoke a staff member (DELETE).
pub fn staff_member(id: &(impl Display + ?Sized), sub: &(impl Display + ?Sized)) -> String {
    format!("/api/meetings/{id}/staff/{sub}")
}

/// `/api/meetings/{}/posts`: create (POST) or list (GET) posts.
pub fn posts(id: &(impl Display + ?Sized)) -> String {
    format!("/api/meetings/{id}/posts")
}

/// `/api/meetings/{}/posts/{}/vote`
pub fn post_vote(id: &(impl Display + ?Sized), sub: &(impl Display + ?Sized)) -> String {
    format!("/api/meetings/{id}/posts/{sub}/vote")
}

/// `/api/meetings/{}/posts/{}/hide`
pub fn post_hide(id: &(impl Display + ?Sized), sub: &(impl Display + ?Sized)) -> String {
    format!("/api/meetings/{id}/posts/{sub}/hide")
}

/// `/api/meetings/{}/posts/{}/restore`
pub fn post_restore(id: &(impl Display + ?Sized), sub: &(impl Display + ?Sized)) -> String {
    format!("/api/meetings/{id}/posts/{sub}/restore")
}

/// `/api/meetings/{}/posts/{}/report`
pub fn post_report(id: &(impl Display + ?Sized), sub: &(impl Display + ?Sized)) -> String {
    format!("/api/meetings/{id}/posts/{sub}/report")
}

/// `/api/meetings/{}/posts/{}/approve`
pub fn post_approve(id: &(impl Display + ?Sized), sub: &(impl Display + ?Sized)) -> String {
    format!("/api/meetings/{id}/posts/{sub}/approve")
}

/// `/api/meetings/{}/questions/{}/answer`
pub fn answer(id: &(impl Display + ?Sized), sub: &(impl Display + ?Sized)) -> String {
    format!("/api/meetings/{id}/questions/{sub}/answer")
}

/// `/api/meetings/{}/questions/{}/answer-live`
pub fn answer_live(id: &(impl Display + ?Sized), sub: &(impl Display + ?Sized)) -> String {
    format!("/api/meetings/{id}/questions/{sub}/answer-live")
}

/// `/api/meetings/{}/questions/{}/claim`
pub fn claim(id: &(impl Display + ?Sized), sub: &(impl Display + ?Sized)) -> String {
    format!("/api/meetings/{id}/questions/{sub}/claim")
}

/// `/api/meetings/{}/questions/{}/merge`
pub fn merge(id: &(impl Display + ?Sized), sub: &(impl Display + ?Sized)) -> String {
    format!("/api/meetings/{id}/questions/{sub}/merge")
}

/// `/api/meetings/{}/questions/{}/dismiss`
pub fn dismiss(id: &(impl Display + ?Sized), sub: &(impl Display + ?Sized)) -> String {
    format!("/api/meetings/{id}/questions/{sub}/dismiss")
}

/// `/api/meetings/{}/questions/{}/assign`
pub fn assign(id: &(impl Display + ?Sized), sub: &(impl Display + ?Sized)) -> String {
    format!("/api/meetings/{id}/questions/{sub}/assign")
}

/// `/api/meetings/{}/participants/{}/erase`
pub fn erase(id: &(impl Display + ?Sized), sub: &(impl Display + ?Sized)) -> String {
    format!("/api/meetings/{id}/participants/{sub}/erase")
}

/// `/api/meetings/{}/participants/{}/mute`
pub fn mute(id: &(impl Display + ?Sized), sub: &(impl Display + ?Sized)) -> String {
    format!("/api/meetings/{id}/participants/{sub}/mute")
}

/// `/api/meetings/{}/participants/{}/ban`
pub fn ban(id: &(impl Display + ?Sized), sub: &(impl Display + ?Sized)) -> String {
    format!("/api/meetings/{id}/participants/{sub}/ban")
}

/// `/api/meetings/{}/room-questions`
pub fn room_questions(id: &(impl Display + ?Sized)) -> String {
    format!("/api/meetings/{id}/room-questions")
}

/// `/api/meetings/{}/on-air`
pub fn on_air(id: &(impl Display + ?Sized)) -> String {
    format!("/api/meetings/{id}/on-air")
}

/// `/api/meetings/{}/notices`
pub fn notices(id: &(impl Display + ?Sized)) -> String {
    format!("/api/meetings/{id}/notices")
}

/// `/api/meetings/{}/similar` (the query, `text=...&exclude=...`, is the caller's)
pub fn similar(id: &(impl Display + ?Sized)) -> String {
    format!("/api/meetings/{id}/similar")
}

/// `/api/meetings/{}/topics`
pub fn topics(id: &(impl Display + ?Sized)) -> String {
    format!("/api/meetings/{id}/topics")
}

/// `/api/meetings/{}/queue`
pub fn queue(id: &(impl Display + ?Sized)) -> String {
    format!("/api/meetings/{id}/queue")
}

/// `/api/meetings/{}/events`: the live stream as Server-Sent Events.
pub fn events(id: &(impl Display + ?Sized)) -> String {
    format!("/api/meetings/{id}/events")
}

/// `/api/meetings/{}/live`: the live stream's WebSocket (path only; `TestApp::ws_url` adds the origin).
pub fn live(id: &(impl Display + ?Sized)) -> String {
    format!("/api/meetings/{id}/live")
}

/// `/api/meetings/{}/privacy`
pub fn privacy(id: &(impl Display + ?Sized)) -> String {
    format!("/api/meetings/{id}/privacy")
}

/// `/api/meetings/{}/archive`
pub fn archive(id: &(impl Display + ?Sized)) -> String {
    format!("/api/meetings/{id}/archive")
}

/// `/api/meetings/{}/report`
pub fn report(id: &(impl Display + ?Sized)) -> String {
    format!("/api/meetings/{id}/report")
}

/// `/api/meetings/{}/report.csv`
pub fn report_csv(id: &(impl Display + ?Sized)) -> String {
    format!("/api/meetings/{id}/report.csv")
}

/// `/api/meetings/{}/report.html`
pub fn report_html(id: &(impl Display + ?Sized)) -> String {
    format!("/api/meetings/{id}/report.html")
}

/// `/api/meetings/{}/report-options`
pub fn report_options(id: &(impl Display + ?Sized)) -> String {
    format!("/api/meetings/{id}/report-options")
}

/// `/api/meetings/{}/export.csv`
pub fn export_csv(id: &(impl Display + ?Sized)) -> String {
    format!("/api/meetings/{id}/export.csv")
}

/// `/api/meetings/{}/export.ndjson`
pub fn export_ndjson(id: &(impl Display + ?Sized)) -> String {
    format!("/api/meetings/{id}/export.ndjson")
}

/// `/api/meetings/{}/announcements`
pub fn announcements(id: &(impl Display + ?Sized)) -> String {
    format!("/api/meetings/{id}/announcements")
}

/// `/api/meetings/{}/answers`: the prepared answers a meeting's staff may use.
pub fn meeting_answers(id: &(impl Display + ?Sized)) -> String {
    format!("/api/meetings/{id}/answers")
}

/// `/api/meetings/{}/mine`
pub fn mine(id: &(impl Display + ?Sized)) -> String {
    format!("/api/meetings/{id}/mine")
}

/// `/api/meetings/{}/mine/notify`
pub fn mine_notify(id: &(impl Display + ?Sized)) -> String {
    format!("/api/meetings/{id}/mine/notify")
}

/// `/api/meetings/{}/follow-up`
pub fn follow_up(id: &(impl Display + ?Sized)) -> String {
    format!("/api/meetings/{id}/follow-up")
}

/// `/api/meetings/{}/follow-up/close`
pub fn follow_up_close(id: &(impl Display + ?Sized)) -> String {
    format!("/api/meetings/{id}/follow-up/close")
}

/// `/api/meetings/{}/{}`: any route under a meeting, named by the rest of its path (tables of routes).
pub fn meeting_sub(id: &(impl Display + ?Sized), sub: &(impl Display + ?Sized)) -> String {
    format!("/api/meetings/{id}/{sub}")
}

/// `/api/staff-session`
pub fn staff_session() -> String {
    "/api/staff-session".to_string()
}

/// `/api/admin/session`
pub fn admin_session() -> String {
    "/api/admin/session".to_string()
}

/// `/api/account`
pub fn account() -> String {
    "/api/account".to_string()
}

/// `/api/account/invite`
pub fn accept_invite() -> String {
    "/api/account/invite".to_string()
}

/// `/api/account/invite-info`
pub fn invite_info() -> String {
    "/api/account/invite-info".to_string()
}

/// `/api/account/session`: sign in (POST) or out (DELETE).
pub fn account_session() -> String {
    "/api/account/session".to_string()
}

/// `/api/account/sessions`: sign out everywhere.
pub fn account_sessions() -> String {
    "/api/account/sessions".to_string()
}

/// `/api/organizations`
pub fn organizations() -> String {
    "/api/organizations".to_string()
}

/// `/api/organizations/{}`
pub fn organization(id: &(impl Display + ?Sized)) -> String {
    format!("/api/organizations/{id}")
}

/// `/api/organizations/{}/logo`
pub fn organization_logo(id: &(impl Display + ?Sized)) -> String {
    format!("/api/organizations/{id}/logo")
}

/// `/api/organizations/{}/invites`
pub fn organization_invites(id: &(impl Display + ?Sized)) -> String {
    format!("/api/organizations/{id}/invites")
}

/// `/api/organizations/{}/answers`
pub fn organization_answers(id: &(impl Display + ?Sized)) -> String {
    format!("/api/organizations/{id}/answers")
}

/// `/api/organizations/{}/answers/{}`
pub fn organization_answer(id: &(impl Display + ?Sized), sub: &(impl Display + ?Sized)) -> String {
    format!("/api/organizations/{id}/answers/{sub}")
}

/// `/api/docs`: the OpenAPI document's HTML viewer.
pub fn api_docs() -> String {
    "/api/docs".to_string()
}

/// `/api/nothing-here`: under `/api`, but no route (the 404 problem).
pub fn unknown() -> String {
    "/api/nothing-here".to_string()
}

/// `/api/openapi.json`
pub fn openapi_json() -> String {
    "/api/openapi.json".to_string()
}

/// `/api/meetings/{}/agenda`: add an item (POST).
pub fn agenda(id: &(impl Display + ?Sized)) -> String {
    format!("/api/meetings/{id}/agenda")
}

/// `/api/meetings/{}/agenda/{}`: edit (PUT) or remove (DELETE) an item.
pub fn agenda_item(id: &(impl Display + ?Sized), item: &(impl Display + ?Sized)) -> String {
    format!("/api/meetings/{id}/agenda/{item}")
}

/// `/api/meetings/{}/agenda/{}/move`
pub fn agenda_move(id: &(impl Display + ?Sized), item: &(impl Display + ?Sized)) -> String {
    format!("/api/meetings/{id}/agenda/{item}/move")
}

/// `/api/meetings/{}/agenda/current`
pub fn agenda_current(id: &(impl Display + ?Sized)) -> String {
    format!("/api/meetings/{id}/agenda/current")
}

/// `/api/meetings/{}/posts/{}/agenda-item`
pub fn file_post(id: &(impl Display + ?Sized), post: &(impl Display + ?Sized)) -> String {
    format!("/api/meetings/{id}/posts/{post}/agenda-item")
}

/// `/api/meetings/{}/polls`: create a draft (POST).
pub fn polls(id: &(impl Display + ?Sized)) -> String {
    format!("/api/meetings/{id}/polls")
}

/// `/api/meetings/{}/polls/{}`: edit (PUT) or delete (DELETE) a draft.
pub fn poll(id: &(impl Display + ?Sized), poll: &(impl Display + ?Sized)) -> String {
    format!("/api/meetings/{id}/polls/{poll}")
}

/// `/api/meetings/{}/polls/{}/{}`: `launch`, `close`, `publish`, `move`.
pub fn poll_action(
    id: &(impl Display + ?Sized),
    poll: &(impl Display + ?Sized),
    action: &str,
) -> String {
    format!("/api/meetings/{id}/polls/{poll}/{action}")
}

/// `/api/meetings/{}/polls/on-screen`
pub fn poll_on_screen(id: &(impl Display + ?Sized)) -> String {
    format!("/api/meetings/{id}/polls/on-screen")
}

/// `/api/meetings/{}/polls/{}/answer`: a citizen's answer (PUT).
pub fn poll_answer(id: &(impl Display + ?Sized), poll: &(impl Display + ?Sized)) -> String {
    format!("/api/meetings/{id}/polls/{poll}/answer")
}

/// `/api/meetings/{}/polls/{}/answers`: every answer, for moderators (GET).
pub fn poll_answers(id: &(impl Display + ?Sized), poll: &(impl Display + ?Sized)) -> String {
    format!("/api/meetings/{id}/polls/{poll}/answers")
}

/// `/api/meetings/{}/polls/{}/answers/{}/{}`: `approve`, `hide`, `restore` one open answer.
pub fn poll_answer_moderation(
    id: &(impl Display + ?Sized),
    poll: &(impl Display + ?Sized),
    participant: &(impl Display + ?Sized),
    action: &str,
) -> String {
    format!("/api/meetings/{id}/polls/{poll}/answers/{participant}/{action}")
}

/// `/api/meetings/{}/export/polls.csv`
pub fn export_polls_csv(id: &(impl Display + ?Sized)) -> String {
    format!("/api/meetings/{id}/export/polls.csv")
}

/// `/m/{}/archive`: the archive page.
pub fn archive_page(id: &(impl Display + ?Sized)) -> String {
    format!("/m/{id}/archive")
}

/// `/m/{}/meeting.ics`: the calendar file.
pub fn meeting_ics(id: &(impl Display + ?Sized)) -> String {
    format!("/m/{id}/meeting.ics")
}

/// `/m/{}`: the meeting's page (with its link-preview tags).
pub fn meeting_page(id: &(impl Display + ?Sized)) -> String {
    format!("/m/{id}")
}

/// `/m/{}/poster`: the printable poster.
pub fn poster(id: &(impl Display + ?Sized)) -> String {
    format!("/m/{id}/poster")
}

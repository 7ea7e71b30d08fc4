//! Reaching the asker after they left: the personal "my questions" link, the e-mail address
//! kept outside the log, and the notification mail, sent to a real SMTP sink (aiosmtpd from
//! PyPI, `pip install aiosmtpd`, see .ci/run) started per test on a free port.

use crate::common::routes;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::app::{cookie_token, spawn_app_with, TestApp, Who};
use crate::common::client::Outcome;
use borgermode_protocol::http::{
    CreateMeetingRequest, JoinRequest, LiveAnswerRequest, MyQuestionsResponse, Problem,
    SessionResponse, StaffSessionRequest, WrittenAnswerRequest,
};
use borgermode_protocol::{Language, MeetingId, StaffRole};

/// aiosmtpd with the Maildir handler; killed when dropped.
struct SmtpSink {
    child: Child,
    port: u16,
    dir: tempfile::TempDir,
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl SmtpSink {
    async fn start() -> SmtpSink {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .expect("free port")
            .local_addr()
            .unwrap()
            .port();
        let dir = tempfile::tempdir().expect("maildir");
        // .ci/run installs aiosmtpd in a venv and names its interpreter here.
        let python = std::env::var("BORGERMODE_TEST_PYTHON").unwrap_or_else(|_| "python3".into());
        let child = Command::new(python)
            .args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}")])
            .args(["-c", "aiosmtpd.handlers.Mailbox"])
            .arg(dir.path().join("maildir"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("python3 -m aiosmtpd (pip install aiosmtpd==1.4.6)");
        let sink = SmtpSink { child, port, dir };
        let deadline = Instant::now() + Duration::from_secs(20);
        while tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_err()
        {
            assert!(Instant::now() < deadline, "aiosmtpd did not start");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        sink
    }

    fn new_dir(&self) -> PathBuf {
        self.dir.path().join("maildir").join("new")
    }

    fn messages(&self) -> Vec<String> {
        read_all(&self.new_dir())
    }

    /// Poll until at least `n` messages are there.
    async fn wait_for(&self, n: usize) -> Vec<String> {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let m = self.messages();
            if m.len() >= n {
                return m;
            }
            assert!(
                Instant::now() < deadline,
                "only {} of {n} mails arrived",
                m.len()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

/// `PUT .../mine/notify` as `who`.
async fn set_email(
    app: &TestApp,
    who: &Who,
    meeting: MeetingId,
    email: &str,
) -> Result<(), Problem> {
    app.as_who(who).notify(meeting, email).await
}

fn read_all(dir: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut v: Vec<String> = entries
        .filter_map(|e| std::fs::read_to_string(e.ok()?.path()).ok())
        .collect();
    v.sort();
    v
}

async fn english_meeting(app: &TestApp, title: &str) -> MeetingId {
    let admin = app.as_admin();
    let request = CreateMeetingRequest {
        title: title.into(),
        description: String::new(),
        starts_at: None,
        ends_at: None,
        language: Language::En,
        video_url: None,
        settings: Default::default(),
        organization_id: None,
    };
    let ack = admin.create_meeting(&request).await.accepted();
    let id = ack.meeting_id.expect("meeting id");
    admin.open(id).await.accepted();
    id
}

/// Join and keep the "my questions" link from the join answer.
async fn join_with_link(app: &TestApp, meeting: MeetingId, name: &str) -> (Who, String) {
    let resp = app
        .http
        .post(app.url(&routes::join(&meeting)))
        .json(&JoinRequest {
            display_name: name.into(),
            age_band: None,
            gender: None,
        })
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201);
    let token = cookie_token(&resp).unwrap();
    let s: SessionResponse = resp.json().await.unwrap();
    let link = s.my_questions_link.expect("my questions link at join");
    (
        Who {
            id: s.you.participant_id,
            token,
        },
        link,
    )
}

async fn mine(app: &TestApp, who: &Who, meeting: MeetingId) -> MyQuestionsResponse {
    app.as_who(who).mine(meeting).await.accepted()
}

#[tokio::test]
async fn answer_mail_reaches_the_asker_once_and_the_address_goes() {
    let sink = SmtpSink::start().await;
    let port = sink.port;
    let app = spawn_app_with(|s| {
        s.smtp_url = Some(format!("smtp://127.0.0.1:{port}"));
        s.mail_from = Some("Town meetings <noreply@kommune.example>".into());
        s.mail_retry_ms = 50;
    })
    .await;
    let meeting = english_meeting(&app, "Harbour plan").await;
    let ida = app.staff(meeting, StaffRole::Panelist, "Ida Holm").await;
    let (anne, anne_link) = join_with_link(&app, meeting, "Anne").await;
    let (bo, bo_link) = join_with_link(&app, meeting, "Bo").await;
    assert_ne!(anne_link, bo_link);
    let q1 = app
        .post(&anne, meeting, "question", "When does the ferry start?")
        .await;
    let q2 = app
        .post(&anne, meeting, "question", "Where do cars park?")
        .await;
    let q3 = app.post(&bo, meeting, "question", "Who pays?").await;

    // Bad addresses are refused with a typed error; a good one is kept, never shown back.
    for bad in ["", "anne", "a b@example.dk", "<x@y.dk>", "x@@y.dk"] {
        let p = set_email(&app, &anne, meeting, bad).await.expect_err(bad);
        assert_eq!(
            (p.status, p.code.as_str()),
            (422, "validation_failed"),
            "{bad}: {p:?}"
        );
    }
    // `accepted` checks the documented 204.
    set_email(&app, &anne, meeting, "anne@example.dk")
        .await
        .accepted();
    set_email(&app, &bo, meeting, "bo@example.dk")
        .await
        .accepted();
    let view = mine(&app, &anne, meeting).await;
    assert!(view.notify.available && view.notify.email_on_file);
    assert_eq!(
        view.questions.iter().map(|p| p.id).collect::<Vec<_>>(),
        vec![q1, q2]
    );
    // The address is in no event, no frame, no public answer.
    let public = app
        .http
        .get(app.url(&routes::posts(&meeting)))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!public.contains("anne@example.dk"));

    // Answer q1: one mail to Anne (her q2 is still open, so the address stays).
    let in_may = WrittenAnswerRequest {
        body: "In May.".into(),
    };
    app.as_who(&ida)
        .answer(meeting, q1, &in_may)
        .await
        .accepted();
    let mails = sink.wait_for(1).await;
    let m = &mails[0];
    assert!(m.contains("X-RcptTo: anne@example.dk"), "{m}");
    assert!(
        m.contains("Subject: Your question was answered: Harbour plan"),
        "{m}"
    );
    assert!(m.contains(&format!("/m/{meeting}#post-{q1}")), "{m}");
    assert!(m.contains("When does the ferry start?"), "{m}");
    assert!(
        !m.contains("key=") && !m.contains("bo@example.dk") && !m.contains("Who pays"),
        "{m}"
    );
    assert!(mine(&app, &anne, meeting).await.notify.email_on_file);

    // Close the meeting; answer q2 in the follow-up: the second mail, then her address goes.
    app.as_admin().close(meeting).await.accepted();
    app.as_who(&ida)
        .answer_live(meeting, q2, &LiveAnswerRequest::default())
        .await
        .accepted();
    let mails = sink.wait_for(2).await;
    // Exactly once each: q1's mail was not repeated while q2's arrived.
    assert_eq!(mails.len(), 2, "{mails:?}");
    assert!(
        mails
            .iter()
            .filter(|m| m.contains(&format!("#post-{q1}")))
            .count()
            == 1
    );
    assert!(mails.iter().any(|m| m.contains(&format!("#post-{q2}"))));
    let deadline = Instant::now() + Duration::from_secs(10);
    while app
        .state
        .store
        .notify_address(meeting, anne.id)
        .await
        .unwrap()
        .is_some()
    {
        assert!(
            Instant::now() < deadline,
            "address kept after all questions were answered"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(!mine(&app, &anne, meeting).await.notify.email_on_file);

    // The "my questions" link restores Anne's session in a fresh client (another device) and
    // shows the answer given after the meeting.
    let key = anne_link.split("#key=").nth(1).unwrap().to_string();
    let fresh = reqwest::Client::new();
    let resp = fresh
        .post(app.url(&routes::staff_session()))
        .json(&StaffSessionRequest { key })
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let token = cookie_token(&resp).unwrap();
    let s: SessionResponse = resp.json().await.unwrap();
    assert_eq!(s.you.participant_id, anne.id);
    let again = Who { id: anne.id, token };
    let view = mine(&app, &again, meeting).await;
    let answered: Vec<&str> = view
        .questions
        .iter()
        .map(|p| p.question.as_ref().unwrap().state.as_str())
        .collect();
    assert_eq!(answered, ["answered", "answered"]);
    assert_eq!(view.meeting.counters.answered, 2);
    assert_eq!(view.meeting.counters.questions, 3);

    // Bo's address goes when the organizer closes the follow-up, without a mail.
    assert!(app
        .state
        .store
        .notify_address(meeting, bo.id)
        .await
        .unwrap()
        .is_some());
    app.as_admin().follow_up_close(meeting).await.accepted();
    assert!(app
        .state
        .store
        .notify_address(meeting, bo.id)
        .await
        .unwrap()
        .is_none());
    let view = mine(&app, &bo, meeting).await;
    assert!(!view.notify.available && !view.notify.email_on_file);
    assert_eq!(view.questions[0].id, q3);
    set_email(&app, &bo, meeting, "bo@example.dk")
        .await
        .refused(409, "mail_off");
    assert_eq!(sink.messages().len(), 2);
    app.shutdown().await;
}

#[tokio::test]
async fn without_smtp_there_is_no_mail_and_answers_never_wait_for_it() {
    // No mail configured: the field is not offered and an address is refused.
    let app = spawn_app_with(|_| {}).await;
    let meeting = english_meeting(&app, "No mail").await;
    let (anne, _) = join_with_link(&app, meeting, "Anne").await;
    let view = mine(&app, &anne, meeting).await;
    assert!(!view.notify.available);
    set_email(&app, &anne, meeting, "anne@example.dk")
        .await
        .refused(409, "mail_off");
    // The organizer has no questions of their own.
    app.as_admin().mine(meeting).await.refused_status(401);
    app.shutdown().await;

    // SMTP configured but nothing listening: the answer is acknowledged at once anyway.
    let dead = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let app = spawn_app_with(|s| {
        s.smtp_url = Some(format!("smtp://127.0.0.1:{dead}"));
        s.mail_from = Some("noreply@kommune.example".into());
        s.mail_retry_ms = 10_000;
    })
    .await;
    let meeting = english_meeting(&app, "Dead relay").await;
    let ida = app.staff(meeting, StaffRole::Panelist, "Ida Holm").await;
    let (anne, _) = join_with_link(&app, meeting, "Anne").await;
    let q = app.post(&anne, meeting, "question", "Hello?").await;
    set_email(&app, &anne, meeting, "anne@example.dk")
        .await
        .accepted();
    let started = Instant::now();
    let yes = WrittenAnswerRequest {
        body: "Yes.".into(),
    };
    app.as_who(&ida).answer(meeting, q, &yes).await.accepted();
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "the answer waited for the mail"
    );
    app.shutdown().await;
}

#[test]
fn mail_settings_are_checked_at_start() {
    let base = || borgermode_server::Settings::for_tests("sqlite:/tmp/unused.db");
    let mut s = base();
    assert!(
        s.validate().is_ok() && s.mail().is_none(),
        "mail is off by default"
    );
    s.smtp_url = Some("smtp://127.0.0.1:2525".into());
    assert!(s.validate().unwrap_err().contains("--mail-from"));
    s.mail_from = Some("Borgermøde <noreply@kommune.example>".into());
    assert!(s.validate().is_ok());
    for url in [
        "smtps://user:secret@mail.example:465",
        "smtp://mail.example:587?tls=required",
    ] {
        s.smtp_url = Some(url.into());
        assert!(s.validate().is_ok(), "{url}");
    }
    s.smtp_url = Some("http://user:secret@mail.example".into());
    let err = s.validate().unwrap_err();
    assert!(!err.contains("secret"), "the URL is never echoed: {err}");
    s.smtp_url = Some("smtp://127.0.0.1:2525".into());
    s.mail_from = Some("not an address".into());
    assert!(s.validate().is_err());
    // Empty values (compose passes unset variables as "") mean off.
    s.smtp_url = Some(String::new());
    s.mail_from = Some(String::new());
    assert!(s.validate().is_ok() && s.mail().is_none());
}

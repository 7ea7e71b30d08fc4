//! Outgoing mail: "your question was answered".
//!
//! Why this exists: most citizens leave a town meeting before every question is answered; the
//! follow-up happens days later. A citizen may leave an e-mail address (stored outside the log,
//! `store::followup`), and is told when their question gets its answer.
//!
//! Rules: mail is sent after the answer is committed and never delays or fails the command
//! (a background task); each mail is tried `--mail-attempts` times with doubling back-off;
//! failures are logged without the address. The mail names the meeting and the question and
//! links to the meeting page, where the answer is public; it carries no secret (the citizen's
//! own link secret is only stored hashed) and nothing about anybody else.

use std::sync::Arc;
use std::time::Duration;

use borgermode_domain::{
    Language, MeetingId, MeetingState, ParticipantId, PostId, QuestionState, Role,
};
use lettre::message::header::ContentType;
use lettre::message::Mailbox;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::settings::Settings;
use crate::store::Store;

pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    attempts: u32,
    retry: Duration,
    public_url: String,
}

/// One mail to send: the recipient and what the question was.
#[derive(Clone, Debug)]
pub struct AnsweredMail {
    pub to: String,
    pub meeting: MeetingId,
    pub meeting_title: String,
    pub language: Language,
    pub post: PostId,
    pub question: String,
}

impl Mailer {
    /// The mailer, if mail is configured.
    pub fn from_settings(settings: &Settings) -> Option<Arc<Mailer>> {
        let (url, from) = settings.mail()?;
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .ok()?
            .timeout(Some(Duration::from_secs(20)))
            .build();
        Some(Arc::new(Mailer {
            transport,
            from: from.parse().ok()?,
            attempts: settings.mail_attempts.max(1),
            retry: Duration::from_millis(settings.mail_retry_ms),
            public_url: settings.public_url(),
        }))
    }

    /// Subject and plain-text body, in the meeting's language.
    pub fn compose(&self, m: &AnsweredMail) -> (String, String) {
        compose(&self.public_url, m)
    }
}

/// Subject and plain-text body of an answer notification: the meeting title, the asker's own
/// question and a link to the meeting page; nothing secret, nothing about anybody else.
pub fn compose(public_url: &str, m: &AnsweredMail) -> (String, String) {
    let link = format!("{}/m/{}#post-{}", public_url, m.meeting, m.post.0);
    match m.language {
        Language::Da => (
            format!("Dit spørgsmål er besvaret: {}", m.meeting_title),
            format!(
                "Hej\n\nDit spørgsmål til borgermødet \"{}\" har fået et svar:\n\n\
                     > {}\n\nLæs svaret her:\n{}\n\n\
                     Du får denne mail, fordi du bad om besked. Vi sletter din e-mailadresse, \
                     når alle dine spørgsmål er besvaret.\n",
                m.meeting_title,
                m.question.replace('\n', "\n> "),
                link
            ),
        ),
        Language::En => (
            format!("Your question was answered: {}", m.meeting_title),
            format!(
                "Hello\n\nYour question to the town meeting \"{}\" has an answer:\n\n\
                     > {}\n\nRead the answer here:\n{}\n\n\
                     You get this mail because you asked to be told. We delete your e-mail \
                     address once all your questions are answered.\n",
                m.meeting_title,
                m.question.replace('\n', "\n> "),
                link
            ),
        ),
    }
}

impl Mailer {
    /// Send in the background with retries; never blocks the caller.
    pub fn send_later(self: &Arc<Self>, mail: AnsweredMail) {
        let this = self.clone();
        tokio::spawn(async move { this.send_with_retries(mail).await });
    }

    async fn send_with_retries(&self, mail: AnsweredMail) {
        let (subject, body) = self.compose(&mail);
        let to: Mailbox = match mail.to.parse() {
            Ok(to) => to,
            Err(_) => {
                tracing::warn!(meeting = %mail.meeting, post = mail.post.0, "notification address does not parse; not sent");
                return;
            }
        };
        let message = match Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(subject)
            .header(ContentType::TEXT_PLAIN)
            .body(body)
        {
            Ok(m) => m,
            Err(e) => {
                tracing::warn!(meeting = %mail.meeting, post = mail.post.0, error = %e, "notification mail could not be built");
                return;
            }
        };
        let mut wait = self.retry;
        for attempt in 1..=self.attempts {
            match self.transport.send(message.clone()).await {
                Ok(_) => {
                    tracing::info!(meeting = %mail.meeting, post = mail.post.0, attempt, "answer notification sent");
                    return;
                }
                Err(e) => {
                    // The error may quote the recipient; log its kind only.
                    let permanent = e.is_permanent();
                    tracing::warn!(meeting = %mail.meeting, post = mail.post.0, attempt, permanent,
                        transient = e.is_transient(), "answer notification failed");
                    if permanent || attempt == self.attempts {
                        break;
                    }
                    tokio::time::sleep(wait).await;
                    wait = wait.saturating_mul(2);
                }
            }
        }
        tracing::warn!(meeting = %mail.meeting, post = mail.post.0, "answer notification given up");
    }
}

/// Citizens who asked `post` or a question merged into it.
fn askers(state: &MeetingState, post: PostId) -> Vec<(borgermode_domain::ParticipantId, PostId)> {
    let Some(p) = state.posts.get(&post) else {
        return Vec::new();
    };
    let mut ids = vec![post];
    if let Some(q) = &p.question {
        ids.extend(q.merged_from.iter().copied());
    }
    ids.into_iter()
        .filter_map(|id| {
            let author = state.posts.get(&id)?.author?;
            (state.participant(author)?.role == Role::Citizen).then_some((author, id))
        })
        .collect()
}

/// Whether a citizen still has a question waiting for an answer.
pub fn has_open_questions(state: &MeetingState, who: borgermode_domain::ParticipantId) -> bool {
    state.posts.values().any(|p| {
        p.author == Some(who)
            && matches!(
                p.question.as_ref().map(|q| &q.state),
                Some(QuestionState::Open | QuestionState::Claimed { .. })
            )
            && !matches!(
                p.visibility,
                borgermode_domain::Visibility::Rejected { .. }
                    | borgermode_domain::Visibility::Hidden { .. }
            )
    })
}

/// After a committed answer to `post`: tell every asker who left an address, and delete the
/// address of each whose questions are now all answered. Errors are logged, never returned:
/// the answer stands whatever happens here.
pub async fn after_answer(
    mailer: Option<Arc<Mailer>>,
    store: Arc<dyn Store>,
    meeting: MeetingId,
    answered: Answered,
) {
    for asker in answered.askers {
        let address = match store.notify_address(meeting, asker.who).await {
            Ok(Some(a)) => a,
            Ok(None) => continue,
            Err(e) => {
                tracing::warn!(%meeting, error = %e, "notification address lookup failed");
                continue;
            }
        };
        if asker.done {
            if let Err(e) = store.delete_notify_address(meeting, asker.who).await {
                tracing::warn!(%meeting, error = %e, "notification address not deleted");
            }
        }
        if let Some(mailer) = &mailer {
            mailer.send_later(AnsweredMail {
                to: address.email,
                meeting,
                meeting_title: answered.title.clone(),
                language: answered.language,
                post: answered.post,
                question: asker.question,
            });
        }
    }
}

/// What [`after_answer`] needs to know of the meeting, read from its state at the moment of
/// the answer (so mail never holds a room or its lock while it talks to the store or SMTP).
pub struct Answered {
    pub post: PostId,
    pub title: String,
    pub language: Language,
    pub askers: Vec<Asker>,
}

/// One person who asked the answered question (or one merged into it).
pub struct Asker {
    pub who: ParticipantId,
    /// The text they asked, for the mail.
    pub question: String,
    /// Whether all their questions are answered now: then their address is deleted.
    pub done: bool,
}

impl Answered {
    pub fn of(state: &MeetingState, post: PostId) -> Self {
        let askers = askers(state, post)
            .into_iter()
            .map(|(who, q)| Asker {
                who,
                question: state
                    .posts
                    .get(&q)
                    .map(|p| p.body.as_str().to_string())
                    .unwrap_or_default(),
                done: !has_open_questions(state, who),
            })
            .collect();
        Self {
            post,
            title: state.details.title.clone(),
            language: state.details.language,
            askers,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    fn mail(language: Language) -> AnsweredMail {
        AnsweredMail {
            to: "anne@example.dk".into(),
            meeting: MeetingId(Uuid::from_u128(7)),
            meeting_title: "Havnen".into(),
            language,
            post: PostId(42),
            question: "Hvornår?\nOg hvor?".into(),
        }
    }

    #[test]
    fn danish_and_english_name_meeting_question_and_link() {
        let link = format!("https://b.example/m/{}#post-42", Uuid::from_u128(7));
        let (subject, body) = compose("https://b.example", &mail(Language::Da));
        assert_eq!(subject, "Dit spørgsmål er besvaret: Havnen");
        assert!(
            body.contains("\"Havnen\"") && body.contains(&link),
            "{body}"
        );
        assert!(body.contains("> Hvornår?\n> Og hvor?"), "{body}");
        let (subject, body) = compose("https://b.example", &mail(Language::En));
        assert_eq!(subject, "Your question was answered: Havnen");
        assert!(
            body.contains(&link) && body.contains("Read the answer"),
            "{body}"
        );
        // The recipient's own address is the envelope's business, not the text's.
        assert!(!body.contains("anne@example.dk") && !body.contains("key="));
    }
}

//! `--demo`: a ready-to-try meeting (open, with a moderator and a panelist) so that someone
//! evaluating borgermode sees a whole meeting within a minute of `cargo run`.

use borgermode_domain::event::Actor;
use borgermode_domain::{
    Command, Language, MeetingDetails, MeetingId, MeetingSettings, ParticipantId, StaffRole,
};
use uuid::Uuid;

use crate::api::staff::issue_link;
use crate::api::AppState;

pub struct DemoLinks {
    pub citizen: String,
    pub moderator: String,
    pub panelist: String,
}

pub async fn create(state: &AppState) -> anyhow::Result<DemoLinks> {
    let id = MeetingId(Uuid::new_v4());
    state
        .store
        .assign_meeting(id, crate::store::orgs::DEFAULT_ORGANIZATION)
        .await?;
    let room = state.hub.new_room(id);
    let now = chrono::Utc::now();
    let details = MeetingDetails {
        title: "Digitalt borgermøde: Fremtidens havn".into(),
        description: "Kom med dine spørgsmål og kommentarer om planerne for havnen. Politikerne svarer undervejs.\n\nSe planerne på [kommunens side](https://www.example.org/havn).".into(),
        starts_at: Some(now),
        ends_at: Some(now + chrono::Duration::minutes(90)),
        language: Language::Da,
        video_url: None,
    };
    let settings = MeetingSettings {
        max_body_chars: state.settings.max_body_chars,
        ..MeetingSettings::default()
    };
    room.execute(
        Actor::Organizer,
        Command::CreateMeeting { details, settings },
        None,
    )
    .await?;
    room.execute(Actor::Organizer, Command::Open, None).await?;
    let moderator = ParticipantId(Uuid::new_v4());
    room.execute(
        Actor::Organizer,
        Command::AddStaff {
            participant: moderator,
            role: StaffRole::Moderator,
            name: "Mødeleder".into(),
            role_line: "Kommunikation".into(),
        },
        None,
    )
    .await?;
    let panelist = ParticipantId(Uuid::new_v4());
    room.execute(
        Actor::Organizer,
        Command::AddStaff {
            participant: panelist,
            role: StaffRole::Panelist,
            name: "Anne Borgmester".into(),
            role_line: "Borgmester".into(),
        },
        None,
    )
    .await?;
    let (moderator, _) = issue_link(state, id, moderator).await?;
    let (panelist, _) = issue_link(state, id, panelist).await?;
    Ok(DemoLinks {
        citizen: format!("{}/m/{}", state.settings.public_url(), id),
        moderator,
        panelist,
    })
}

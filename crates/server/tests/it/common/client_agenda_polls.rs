//! The typed client's calls for the agenda and polls (the rest is in `client.rs`).

use std::fmt::Display;

use borgermode_protocol::http::{
    AgendaItemChoice, AgendaItemRequest, CommandAck, MoveRequest, PollAnswerResponse, PollChoice,
    PollsResponse, Problem, StaffPollAnswerView,
};
use borgermode_protocol::{PollAnswer, PollDefinition};
use reqwest::Method;
use serde_json::Value;

use super::client::Client;
use super::routes;

impl Client<'_> {
    pub async fn add_agenda_item(
        &self,
        meeting: impl Display,
        body: &AgendaItemRequest,
    ) -> Result<CommandAck, Problem> {
        self.call(Method::POST, &routes::agenda(&meeting), Some(body), 201)
            .await
    }

    pub async fn edit_agenda_item(
        &self,
        meeting: impl Display,
        item: u64,
        body: &AgendaItemRequest,
    ) -> Result<CommandAck, Problem> {
        let path = routes::agenda_item(&meeting, &item);
        self.call(Method::PUT, &path, Some(body), 200).await
    }

    pub async fn remove_agenda_item(
        &self,
        meeting: impl Display,
        item: u64,
    ) -> Result<CommandAck, Problem> {
        let path = routes::agenda_item(&meeting, &item);
        self.call(Method::DELETE, &path, None::<&Value>, 200).await
    }

    pub async fn move_agenda_item(
        &self,
        meeting: impl Display,
        item: u64,
        position: u32,
    ) -> Result<CommandAck, Problem> {
        let path = routes::agenda_move(&meeting, &item);
        self.call(Method::POST, &path, Some(&MoveRequest { position }), 200)
            .await
    }

    pub async fn set_current_agenda_item(
        &self,
        meeting: impl Display,
        item: Option<u64>,
    ) -> Result<CommandAck, Problem> {
        let path = routes::agenda_current(&meeting);
        self.call(Method::PUT, &path, Some(&AgendaItemChoice { item }), 200)
            .await
    }

    pub async fn file_post(
        &self,
        meeting: impl Display,
        post: u64,
        item: Option<u64>,
    ) -> Result<CommandAck, Problem> {
        let path = routes::file_post(&meeting, &post);
        self.call(Method::PUT, &path, Some(&AgendaItemChoice { item }), 200)
            .await
    }

    pub async fn create_poll(
        &self,
        meeting: impl Display,
        body: &PollDefinition,
    ) -> Result<CommandAck, Problem> {
        self.call(Method::POST, &routes::polls(&meeting), Some(body), 201)
            .await
    }

    pub async fn edit_poll(
        &self,
        meeting: impl Display,
        poll: u64,
        body: &PollDefinition,
    ) -> Result<CommandAck, Problem> {
        let path = routes::poll(&meeting, &poll);
        self.call(Method::PUT, &path, Some(body), 200).await
    }

    pub async fn delete_poll(
        &self,
        meeting: impl Display,
        poll: u64,
    ) -> Result<CommandAck, Problem> {
        let path = routes::poll(&meeting, &poll);
        self.call(Method::DELETE, &path, None::<&Value>, 200).await
    }

    /// `launch`, `close` or `publish`.
    pub async fn poll_action(
        &self,
        meeting: impl Display,
        poll: u64,
        action: &str,
    ) -> Result<CommandAck, Problem> {
        let path = routes::poll_action(&meeting, &poll, action);
        self.call(Method::POST, &path, None::<&Value>, 200).await
    }

    pub async fn set_poll_on_screen(
        &self,
        meeting: impl Display,
        poll: Option<u64>,
    ) -> Result<CommandAck, Problem> {
        let path = routes::poll_on_screen(&meeting);
        self.call(Method::PUT, &path, Some(&PollChoice { poll }), 200)
            .await
    }

    pub async fn answer_poll(
        &self,
        meeting: impl Display,
        poll: u64,
        answer: &PollAnswer,
    ) -> Result<PollAnswerResponse, Problem> {
        let path = routes::poll_answer(&meeting, &poll);
        self.call(Method::PUT, &path, Some(answer), 200).await
    }

    pub async fn polls(&self, meeting: impl Display) -> Result<PollsResponse, Problem> {
        let path = routes::polls(&meeting);
        self.call(Method::GET, &path, None::<&Value>, 200).await
    }

    pub async fn poll_answers(
        &self,
        meeting: impl Display,
        poll: u64,
    ) -> Result<Vec<StaffPollAnswerView>, Problem> {
        let path = routes::poll_answers(&meeting, &poll);
        self.call(Method::GET, &path, None::<&Value>, 200).await
    }

    /// `approve`, `hide` or `restore`.
    pub async fn moderate_poll_answer(
        &self,
        meeting: impl Display,
        poll: u64,
        participant: impl Display,
        action: &str,
    ) -> Result<(), Problem> {
        let path = routes::poll_answer_moderation(&meeting, &poll, &participant, action);
        self.call(Method::POST, &path, None::<&Value>, 204).await
    }
}

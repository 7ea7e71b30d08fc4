//! The typed client's calls for organizations, invites and organizer accounts (the rest is in
//! `client.rs`). An organizer account signs in on a cookie jar: `Client::jar()` makes one and
//! `TestApp::with_jar` sends through it.

use std::fmt::Display;

use borgermode_protocol::http::Problem;
use borgermode_protocol::organizations::{
    AcceptInviteRequest, AccountView, CreateInviteRequest, CreateOrganizationRequest, InviteInfo,
    InviteInfoRequest, InviteResponse, OrganizationPatch, OrganizationView, SignInRequest,
    SignedOutResponse,
};
use reqwest::Method;
use serde_json::Value;

use super::client::{Body, Client};
use super::routes;

/// A cookie jar of its own: a browser an organizer signs in on.
pub fn jar() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .timeout(std::time::Duration::from_secs(30))
        .build()
        .expect("client")
}

impl Client<'_> {
    pub async fn create_organization(
        &self,
        body: &CreateOrganizationRequest,
    ) -> Result<OrganizationView, Problem> {
        let path = routes::organizations();
        self.call(Method::POST, &path, Some(body), 201).await
    }

    pub async fn organizations(&self) -> Result<Vec<OrganizationView>, Problem> {
        let path = routes::organizations();
        self.call(Method::GET, &path, None::<&Value>, 200).await
    }

    pub async fn edit_organization(
        &self,
        org: impl Display,
        body: &OrganizationPatch,
    ) -> Result<OrganizationView, Problem> {
        let path = routes::organization(&org);
        self.call(Method::PATCH, &path, Some(body), 200).await
    }

    /// Upload a logo: the route takes the image's bytes as they are.
    pub async fn put_logo(
        &self,
        org: impl Display,
        bytes: Vec<u8>,
    ) -> Result<OrganizationView, Problem> {
        let path = routes::organization_logo(&org);
        self.call_body(Method::PUT, &path, Body::Bytes(bytes), 200)
            .await
    }

    /// An invite link; `None` sends no body (the installation's default validity).
    pub async fn create_invite(
        &self,
        org: impl Display,
        body: Option<&CreateInviteRequest>,
    ) -> Result<InviteResponse, Problem> {
        let path = routes::organization_invites(&org);
        self.call(Method::POST, &path, body, 201).await
    }

    pub async fn invite_info(&self, invite: &str) -> Result<InviteInfo, Problem> {
        let body = InviteInfoRequest {
            invite: invite.into(),
        };
        let path = routes::invite_info();
        self.call(Method::POST, &path, Some(&body), 200).await
    }

    /// Sign up with an invite (sets the session cookie on a jar).
    pub async fn accept_invite(&self, body: &AcceptInviteRequest) -> Result<AccountView, Problem> {
        let path = routes::accept_invite();
        self.call(Method::POST, &path, Some(body), 201).await
    }

    /// The signed-in organizer.
    pub async fn account(&self) -> Result<AccountView, Problem> {
        self.call(Method::GET, &routes::account(), None::<&Value>, 200)
            .await
    }

    pub async fn sign_in(&self, email: &str, password: &str) -> Result<AccountView, Problem> {
        let body = SignInRequest {
            email: email.into(),
            password: password.into(),
        };
        let path = routes::account_session();
        self.call(Method::POST, &path, Some(&body), 200).await
    }

    /// Sign this browser out (204).
    pub async fn sign_out(&self) -> Result<(), Problem> {
        let path = routes::account_session();
        self.call(Method::DELETE, &path, None::<&Value>, 204).await
    }

    pub async fn sign_out_everywhere(&self) -> Result<SignedOutResponse, Problem> {
        let path = routes::account_sessions();
        self.call(Method::DELETE, &path, None::<&Value>, 200).await
    }
}

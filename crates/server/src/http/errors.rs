//! Every rejection leaves the server as `application/problem+json` with a stable `code`.
//! Domain errors keep their own codes; transport-level failures get theirs here.

use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use borgermode_domain::{Code, DomainError};
use borgermode_protocol::http::Problem;

use crate::live::room::ExecuteError;
use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error(transparent)]
    Domain(#[from] DomainError),
    #[error("the database is not reachable right now; try again shortly")]
    StoreUnavailable(String),
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("sign in first: join the meeting, or open your staff or admin link")]
    Unauthorized,
    #[error("{detail}")]
    BadRequest { code: Code, detail: String },
    #[error("wrong e-mail address or password")]
    InvalidCredentials,
    /// A resource that existed is used up or expired (an invite link).
    #[error("{detail}")]
    Gone { code: Code, detail: String },
    #[error("{detail}")]
    Conflict { code: Code, detail: String },
    #[error("the request body is larger than {limit} bytes")]
    PayloadTooLarge { limit: usize },
    /// The request body did not arrive within `--body-read-timeout-ms`.
    #[error("the request body did not arrive in time")]
    BodyTimeout,
    #[error("requests from this page's origin are not allowed")]
    OriginForbidden,
    #[error("too many requests from this address; wait {retry_after_secs} s")]
    RateLimited { retry_after_secs: u64 },
    #[error("the meeting is busy; try again")]
    Busy,
    #[error("the server is shutting down; try again in a moment")]
    ShuttingDown,
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        tracing::warn!(error = %e, "store error");
        ApiError::StoreUnavailable(e.to_string())
    }
}

impl From<ExecuteError> for ApiError {
    fn from(e: ExecuteError) -> Self {
        match e {
            ExecuteError::Domain(d) => ApiError::Domain(d),
            ExecuteError::Store(s) => s.into(),
            ExecuteError::Contended => ApiError::Busy,
        }
    }
}

impl ApiError {
    pub fn code(&self) -> Code {
        match self {
            ApiError::Domain(d) => d.error_code(),
            ApiError::StoreUnavailable(_) => Code::StoreUnavailable,
            ApiError::NotFound(_) => Code::NotFound,
            ApiError::Unauthorized => Code::Unauthorized,
            ApiError::BadRequest { code, .. } => *code,
            ApiError::InvalidCredentials => Code::InvalidCredentials,
            ApiError::Gone { code, .. } | ApiError::Conflict { code, .. } => *code,
            ApiError::PayloadTooLarge { .. } => Code::PayloadTooLarge,
            ApiError::BodyTimeout => Code::BodyTimeout,
            ApiError::OriginForbidden => Code::OriginForbidden,
            ApiError::RateLimited { .. } => Code::RateLimited,
            ApiError::Busy => Code::Busy,
            ApiError::ShuttingDown => Code::ShuttingDown,
        }
    }

    fn retry_after(&self) -> Option<u64> {
        match self {
            ApiError::Domain(d) => d.retry_after_secs(),
            ApiError::StoreUnavailable(_) => Some(5),
            ApiError::RateLimited { retry_after_secs } => Some(*retry_after_secs),
            ApiError::Busy | ApiError::ShuttingDown => Some(1),
            _ => None,
        }
    }

    pub fn invalid_json(detail: impl Into<String>) -> Self {
        ApiError::BadRequest {
            code: Code::InvalidJson,
            detail: detail.into(),
        }
    }
}

fn title(status: StatusCode) -> String {
    status.canonical_reason().unwrap_or("Error").to_string()
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::Domain(d) => match d {
                DomainError::Forbidden | DomainError::Muted { .. } | DomainError::Banned => {
                    StatusCode::FORBIDDEN
                }
                DomainError::SessionEnded => StatusCode::UNAUTHORIZED,
                DomainError::NotFound(_) => StatusCode::NOT_FOUND,
                DomainError::Validation { .. } | DomainError::BodyTooLong { .. } => {
                    StatusCode::UNPROCESSABLE_ENTITY
                }
                DomainError::NameReserved
                | DomainError::MeetingNotOpen
                | DomainError::MeetingClosed
                | DomainError::InvalidState(_)
                | DomainError::AlreadyClaimed
                | DomainError::PollNotOpen
                | DomainError::PollClosed
                | DomainError::PollLaunched => StatusCode::CONFLICT,
                DomainError::TooManyChoices { .. } => StatusCode::UNPROCESSABLE_ENTITY,
                DomainError::SlowMode { .. } | DomainError::RateLimited { .. } => {
                    StatusCode::TOO_MANY_REQUESTS
                }
            },
            ApiError::StoreUnavailable(_) | ApiError::Busy | ApiError::ShuttingDown => {
                StatusCode::SERVICE_UNAVAILABLE
            }
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::Unauthorized => StatusCode::UNAUTHORIZED,
            ApiError::BadRequest { .. } => StatusCode::BAD_REQUEST,
            ApiError::InvalidCredentials => StatusCode::UNAUTHORIZED,
            ApiError::Gone { .. } => StatusCode::GONE,
            ApiError::Conflict { .. } => StatusCode::CONFLICT,
            ApiError::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::BodyTimeout => StatusCode::REQUEST_TIMEOUT,
            ApiError::OriginForbidden => StatusCode::FORBIDDEN,
            ApiError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let status = self.status_code();
        let field = match self {
            ApiError::Domain(DomainError::Validation { field, .. }) => Some(field.to_string()),
            ApiError::Domain(DomainError::BodyTooLong { field, .. }) => Some(field.to_string()),
            _ => None,
        };
        // Store details stay in the log; the client gets a stable, harmless message.
        let detail = match self {
            ApiError::StoreUnavailable(_) => {
                "the database is not reachable right now; try again shortly".to_string()
            }
            other => other.to_string(),
        };
        let problem = Problem {
            type_: format!("/errors/{}", self.code()),
            title: title(status),
            status: status.as_u16(),
            code: self.code().to_string(),
            detail: Some(detail),
            field,
            retry_after: self.retry_after(),
        };
        let mut resp = HttpResponse::build(status);
        resp.content_type("application/problem+json");
        if let Some(secs) = self.retry_after() {
            resp.insert_header((header::RETRY_AFTER, secs.to_string()));
        }
        resp.json(problem)
    }
}

/// Turn actix's JSON extractor errors into problem+json.
pub fn json_error(
    err: actix_web::error::JsonPayloadError,
    _req: &actix_web::HttpRequest,
) -> actix_web::Error {
    use actix_web::error::JsonPayloadError as E;
    let api = match &err {
        E::OverflowKnownLength { limit, .. } | E::Overflow { limit } => {
            ApiError::PayloadTooLarge { limit: *limit }
        }
        E::ContentType => ApiError::BadRequest {
            code: Code::UnsupportedMediaType,
            detail: "send Content-Type: application/json".into(),
        },
        E::Deserialize(e) => ApiError::invalid_json(e.to_string()),
        other => ApiError::invalid_json(other.to_string()),
    };
    api.into()
}

pub fn path_error(
    err: actix_web::error::PathError,
    _req: &actix_web::HttpRequest,
) -> actix_web::Error {
    let _ = err;
    ApiError::NotFound("resource").into()
}

pub fn query_error(
    err: actix_web::error::QueryPayloadError,
    _req: &actix_web::HttpRequest,
) -> actix_web::Error {
    ApiError::BadRequest {
        code: Code::ValidationFailed,
        detail: err.to_string(),
    }
    .into()
}

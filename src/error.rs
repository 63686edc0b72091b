//! The one error type of the services: a stable machine-readable code for every failure a
//! client can cause, and an opaque internal error (logged, never shown) for everything else.

use std::fmt;

/// How a client-caused failure maps onto HTTP; kept here so services need not know actix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    BadRequest,
    Unauthorized,
    Forbidden,
    NotFound,
    Conflict,
    /// A single-use link that was spent or expired.
    Gone,
    PayloadTooLarge,
    UnsupportedMediaType,
    Unprocessable,
    TooManyRequests,
    /// The service is at a bound it keeps on purpose (e.g. password hashes in flight): the
    /// request may be repeated after `retry_after`.
    ServiceUnavailable,
}

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("{message}")]
    Client {
        kind: ErrorKind,
        code: &'static str,
        message: String,
        /// Seconds until a refused request may be retried (429, 503).
        retry_after: Option<u64>,
    },
    #[error("the database is unavailable")]
    Unavailable(#[source] anyhow::Error),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    pub fn client(kind: ErrorKind, code: &'static str, message: impl fmt::Display) -> Self {
        AppError::Client {
            kind,
            code,
            message: message.to_string(),
            retry_after: None,
        }
    }

    pub fn bad_request(code: &'static str, message: impl fmt::Display) -> Self {
        Self::client(ErrorKind::BadRequest, code, message)
    }

    pub fn unprocessable(code: &'static str, message: impl fmt::Display) -> Self {
        Self::client(ErrorKind::Unprocessable, code, message)
    }

    pub fn conflict(code: &'static str, message: impl fmt::Display) -> Self {
        Self::client(ErrorKind::Conflict, code, message)
    }

    pub fn not_found(what: &str) -> Self {
        Self::client(
            ErrorKind::NotFound,
            "not_found",
            format!("{what} not found"),
        )
    }

    pub fn unauthenticated() -> Self {
        Self::client(
            ErrorKind::Unauthorized,
            "unauthenticated",
            "sign in to do this",
        )
    }

    pub fn forbidden() -> Self {
        Self::client(
            ErrorKind::Forbidden,
            "forbidden",
            "you are not allowed to do this",
        )
    }

    /// The service is at a bound it keeps on purpose: 503 with the stable code `busy`.
    pub fn busy(retry_after_seconds: u64) -> Self {
        AppError::Client {
            kind: ErrorKind::ServiceUnavailable,
            code: "busy",
            message: "the service is busy; try again in a moment".into(),
            retry_after: Some(retry_after_seconds),
        }
    }

    /// A refusal (403) of any code: what the access log must show when it is about a patient.
    pub fn is_forbidden(&self) -> bool {
        matches!(
            self,
            AppError::Client {
                kind: ErrorKind::Forbidden,
                ..
            }
        )
    }

    pub fn code(&self) -> &'static str {
        match self {
            AppError::Client { code, .. } => code,
            AppError::Unavailable(_) => "service_unavailable",
            AppError::Internal(_) => "internal_error",
        }
    }
}

impl From<diesel::result::Error> for AppError {
    fn from(e: diesel::result::Error) -> Self {
        use diesel::result::{DatabaseErrorKind, Error};
        match e {
            Error::NotFound => AppError::not_found("record"),
            Error::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => {
                AppError::conflict("already_exists", "such a record already exists")
            }
            Error::DatabaseError(DatabaseErrorKind::ClosedConnection, info) => {
                AppError::Unavailable(anyhow::anyhow!("connection closed: {}", info.message()))
            }
            other => AppError::Internal(other.into()),
        }
    }
}

impl From<diesel::r2d2::PoolError> for AppError {
    fn from(e: diesel::r2d2::PoolError) -> Self {
        AppError::Unavailable(e.into())
    }
}

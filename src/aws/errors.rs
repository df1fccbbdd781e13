//! SDK errors, classified: "AWS says there is none" (the codes a caller names, such as
//! `NoSuchBucketPolicy`) or a typed [`Unavailable`] naming the IAM action, the cause and what
//! AWS said, on one line a reader can act on.

use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::display::DisplayErrorContext;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;

use crate::model::{Unavailable, UnavailableKind};

/// What a failed call means for the fact it was to read.
#[derive(Debug, Clone, PartialEq)]
pub enum Classified {
    /// AWS answered with one of the "there is none" codes the caller named.
    Absent,
    Unavailable(Unavailable),
}

/// The error code AWS gave, or one derived from the HTTP status when the body had none
/// (S3 HEAD requests answer 403/404 with no body).
pub fn error_code<E: ProvideErrorMetadata>(err: &SdkError<E, HttpResponse>) -> Option<String> {
    match err {
        SdkError::ServiceError(service) => match service.err().code() {
            Some(code) => Some(code.to_string()),
            None => match service.raw().status().as_u16() {
                404 => Some("NotFound".to_string()),
                403 => Some("AccessDenied".to_string()),
                301 => Some("PermanentRedirect".to_string()),
                429 => Some("TooManyRequests".to_string()),
                _ => None,
            },
        },
        _ => None,
    }
}

/// Error codes AWS uses for "you may not".
const DENIED: &[&str] = &["AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "AuthorizationError", "AuthorizationErrorException", "UnrecognizedClientException", "InvalidClientTokenId", "ExpiredToken", "ExpiredTokenException", "SignatureDoesNotMatch", "AllAccessDisabled", "OptInRequired"];
/// Error codes AWS uses for "slow down" (each protocol has its own).
const THROTTLED: &[&str] = &["Throttling", "ThrottlingException", "ThrottledException", "RequestThrottled", "RequestThrottledException", "TooManyRequestsException", "TooManyRequests", "SlowDown", "RequestLimitExceeded", "ProvisionedThroughputExceededException", "BandwidthLimitExceeded", "PriorRequestNotComplete", "EC2ThrottledException"];

/// The kind of an SDK error.
pub fn kind_of<E: ProvideErrorMetadata>(err: &SdkError<E, HttpResponse>) -> UnavailableKind {
    match err {
        SdkError::ServiceError(service) => {
            let code = error_code(err).unwrap_or_default();
            let status = service.raw().status().as_u16();
            if DENIED.contains(&code.as_str()) || status == 403 {
                UnavailableKind::AccessDenied
            } else if THROTTLED.contains(&code.as_str()) || status == 429 {
                UnavailableKind::Throttled
            } else if code.contains("NotFound") || code.starts_with("NoSuch") || status == 404 {
                UnavailableKind::NotFound
            } else {
                UnavailableKind::ServiceError
            }
        }
        SdkError::TimeoutError(_) | SdkError::DispatchFailure(_) => UnavailableKind::TimedOut,
        _ => UnavailableKind::ServiceError,
    }
}

/// A one-line reason naming the call and what went wrong.
pub fn describe_error<E: ProvideErrorMetadata + std::error::Error + 'static>(action: &str, err: &SdkError<E, HttpResponse>) -> String {
    match err {
        SdkError::ServiceError(service) => {
            let status = service.raw().status().as_u16();
            let code = error_code(err).unwrap_or_else(|| "UnknownError".to_string());
            match service.err().message().filter(|m| !m.is_empty()) {
                Some(message) => format!("{action}: {code}: {} (HTTP {status})", one_line(message)),
                None => format!("{action}: {code} (HTTP {status})"),
            }
        }
        // The source says which limit it was: "operation attempt timeout (single attempt)
        // occurred after 5s" or "operation timeout (all attempts including retries) …".
        SdkError::TimeoutError(_) => match std::error::Error::source(err) {
            Some(cause) => format!("{action}: timed out: {}", cause_chain(cause)),
            None => format!("{action}: timed out"),
        },
        SdkError::DispatchFailure(failure) => {
            let cause = failure.as_connector_error().map(|e| e as &dyn std::error::Error).unwrap_or(err);
            format!("{action}: could not reach AWS: {}", cause_chain(cause))
        }
        other => format!("{action}: {}", one_line(&DisplayErrorContext(other).to_string())),
    }
}

/// The typed reason for a failed call.
pub fn unavailable<E: ProvideErrorMetadata + std::error::Error + 'static>(action: &str, err: &SdkError<E, HttpResponse>) -> Unavailable {
    Unavailable::new(kind_of(err), Some(action), describe_error(action, err))
}

/// `Absent` for the listed "there is none" codes, else the typed reason.
pub fn classify<E: ProvideErrorMetadata + std::error::Error + 'static>(action: &str, err: &SdkError<E, HttpResponse>, absent_codes: &[&str]) -> Classified {
    match error_code(err) {
        Some(code) if absent_codes.contains(&code.as_str()) => Classified::Absent,
        _ => Classified::Unavailable(unavailable(action, err)),
    }
}

/// An error and its sources, by their Display forms only (the SDK's DisplayErrorContext adds
/// the Debug form too, a page of struct dump), without repeats.
pub fn cause_chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut cause = Some(err);
    while let Some(e) = cause {
        let text = one_line(&e.to_string());
        if !text.is_empty() && !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        cause = e.source();
    }
    parts.join(": ")
}

/// Collapse whitespace so a reason is always one line (SDK errors can span several).
pub fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

//! From a call's result to a [`Fact`], and the shared concurrency limit.

use std::future::Future;
use std::sync::Arc;

use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use tokio::sync::Semaphore;

use crate::aws::{Classified, classify};
use crate::inventory::Fact;
use crate::model::{Unavailable, UnavailableKind};

/// `Present` on success, `Absent` for the listed "there is none" error codes, else
/// `Unavailable` with the kind, the IAM action and what AWS said.
pub fn fact<T, E>(action: &str, result: Result<T, SdkError<E, HttpResponse>>, absent_codes: &[&str]) -> Fact<T>
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    match result {
        Ok(value) => Fact::Present(value),
        Err(err) => match classify(action, &err, absent_codes) {
            Classified::Absent => Fact::Absent,
            Classified::Unavailable(reason) => {
                super::progress::count_unreadable();
                Fact::Unavailable(reason)
            }
        },
    }
}

/// A fact the scan did not read, for a reason of its own (not an AWS error).
pub fn not_read<T>(kind: UnavailableKind, message: impl Into<String>) -> Fact<T> {
    Fact::Unavailable(Unavailable::new(kind, None, message))
}

/// The one limit on how much is read at once (`--concurrency`): every unit of work of
/// every stage takes a permit, so concurrent streams never multiply the limit.
#[derive(Clone)]
pub struct Limit(Arc<Semaphore>);

impl Limit {
    pub fn new(permits: usize) -> Limit {
        Limit(Arc::new(Semaphore::new(permits.max(1))))
    }

    pub async fn run<F: Future>(&self, work: F) -> F::Output {
        let _permit = self.0.acquire().await.expect("the scan's semaphore is never closed");
        work.await
    }
}

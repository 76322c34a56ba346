//! Request ids: one random UUID per process, then a counter.
//!
//! `tower_http`'s `MakeRequestUuid` draws a fresh UUID v4 from the kernel
//! for every request, which showed in the server's profile (a `getrandom`
//! system call per request). Ids only need to be unique: a random prefix
//! drawn once tells processes apart, and the counter tells this process's
//! requests apart.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::http::{HeaderValue, Request};
use tower_http::request_id::{MakeRequestId, RequestId};

/// Makes `<uuid>-<n>` ids, `n` counting from 1 in this process.
#[derive(Clone)]
pub struct Sequential {
    prefix: Arc<str>,
    next: Arc<AtomicU64>,
}

impl Default for Sequential {
    fn default() -> Self {
        Self {
            prefix: uuid::Uuid::new_v4().to_string().into(),
            next: Arc::new(AtomicU64::new(1)),
        }
    }
}

impl MakeRequestId for Sequential {
    fn make_request_id<B>(&mut self, _request: &Request<B>) -> Option<RequestId> {
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        HeaderValue::try_from(format!("{}-{n}", self.prefix))
            .ok()
            .map(RequestId::new)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_distinct_and_share_the_process_prefix() {
        let mut make = Sequential::default();
        let request = Request::new(());
        let ids: Vec<String> = (0..3)
            .filter_map(|_| make.make_request_id(&request))
            .filter_map(|id| id.header_value().to_str().ok().map(str::to_owned))
            .collect();
        assert_eq!(ids.len(), 3);
        assert!(ids.iter().all(|id| id.starts_with(&*make.prefix)));
        assert!(ids[0] != ids[1] && ids[1] != ids[2] && ids[0] != ids[2]);
        let other = Sequential::default();
        assert_ne!(
            make.prefix, other.prefix,
            "each process draws its own prefix"
        );
    }
}

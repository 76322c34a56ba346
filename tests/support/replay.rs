//! A proxy in front of a server that records the answers to the questions
//! users ask (`GET /v1/designs/{id}`, `POST /v1/licenses/check`,
//! `POST /v1/royalties/split`) and can later answer them with what it
//! recorded, properly signed and proven, but old: the replay an operator
//! could mount. Everything else is forwarded as it is.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, Mutex};

use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;

use super::proxy::{Asked, Proxy, respond};

/// What the proxy does with a recorded question.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Mode {
    /// Forward, and record the answer.
    Record = 0,
    /// Answer with the recording, every time.
    Replay = 1,
    /// Answer with the recording once per question, then forward.
    ReplayOnce = 2,
}

/// A question: method, path and query, body.
type Question = (String, String, Vec<u8>);

/// The proxy, served until dropped.
pub struct Replayer {
    pub base: String,
    state: Arc<Upstream>,
    _proxy: Proxy,
}

struct Upstream {
    base: String,
    client: reqwest::Client,
    mode: AtomicU8,
    /// Each question's status and body.
    recorded: Mutex<HashMap<Question, (StatusCode, Vec<u8>)>>,
    replayed: Mutex<Vec<Question>>,
}

impl Replayer {
    pub fn start(upstream: &str) -> Replayer {
        let state = Arc::new(Upstream {
            base: upstream.to_owned(),
            client: reqwest::Client::new(),
            mode: AtomicU8::new(Mode::Record as u8),
            recorded: Mutex::new(HashMap::new()),
            replayed: Mutex::new(Vec::new()),
        });
        let proxy = Proxy::start(
            axum::Router::new()
                .fallback(forward)
                .with_state(state.clone()),
        );
        Replayer {
            base: proxy.base.clone(),
            state,
            _proxy: proxy,
        }
    }

    /// Switches the mode, and starts counting replays afresh.
    pub fn set(&self, mode: Mode) {
        self.state.replayed.lock().unwrap().clear();
        self.state.mode.store(mode as u8, Ordering::SeqCst);
    }

    /// How many answers were replayed since the mode was set.
    pub fn replayed(&self) -> usize {
        self.state.replayed.lock().unwrap().len()
    }
}

fn recorded_route(method: &str, path: &str) -> bool {
    (method == "GET" && path.starts_with("/v1/designs/") && path.len() == "/v1/designs/".len() + 64)
        || (method == "POST" && (path == "/v1/licenses/check" || path == "/v1/royalties/split"))
}

async fn forward(State(up): State<Arc<Upstream>>, req: Request) -> Response {
    let asked = Asked::of(req).await;
    let question = (
        asked.method.to_string(),
        asked.path.clone(),
        asked.body.clone(),
    );
    let recorded = recorded_route(&question.0, asked.route());
    let mode = up.mode.load(Ordering::SeqCst);
    if recorded && mode != Mode::Record as u8 {
        let once = mode == Mode::ReplayOnce as u8;
        let already = up.replayed.lock().unwrap().contains(&question);
        if !(once && already)
            && let Some((status, bytes)) = up.recorded.lock().unwrap().get(&question).cloned()
        {
            up.replayed.lock().unwrap().push(question);
            return respond(status, HeaderMap::new(), bytes);
        }
    }
    let (status, headers, bytes) = asked.forward(&up.client, &up.base).await;
    if recorded && mode == Mode::Record as u8 {
        up.recorded
            .lock()
            .unwrap()
            .insert(question, (status, bytes.clone()));
    }
    respond(status, headers, bytes)
}

//! The client against a real HTTP server on loopback that answers `503`
//! a few times: it retries as `Retry-After` says, up to its cap, and tells
//! a refusal (not retried) from a server that stays unavailable.

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use provenant_client::{Client, ClientError, Failure, RetryPolicy};

/// One scripted answer: status, extra headers, content type and body.
struct Reply {
    status: &'static str,
    headers: &'static str,
    content_type: &'static str,
    body: String,
}

fn busy(retry_after: &'static str) -> Reply {
    Reply {
        status: "503 Service Unavailable",
        headers: retry_after,
        content_type: "application/problem+json",
        body: r#"{"type":"https://provenant.dev/problems/overloaded","title":"Service unavailable","status":503,"detail":"the write queue is full"}"#.to_owned(),
    }
}

fn log_info() -> Reply {
    Reply {
        status: "200 OK",
        headers: "",
        content_type: "application/json",
        body: r#"{"origin":"example.test/log","verifier_key":"k","public_key":"ed25519:x","size":7,"arbiters":[]}"#.to_owned(),
    }
}

fn refused() -> Reply {
    Reply {
        status: "404 Not Found",
        headers: "",
        content_type: "application/problem+json",
        body: r#"{"type":"https://provenant.dev/problems/not-found","title":"Not found","status":404,"detail":"no such thing","field":"id"}"#.to_owned(),
    }
}

/// The bodies of the requests a test server read, in order.
type Seen = Arc<Mutex<Vec<Vec<u8>>>>;

fn count(seen: &Seen) -> usize {
    seen.lock().unwrap().len()
}

/// A server on a free loopback port answering one request per connection
/// from `script`, in order, then no more; the requests it read.
fn serve(script: Vec<Reply>) -> (String, Seen) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let served = Seen::default();
    let seen = Arc::clone(&served);
    std::thread::spawn(move || {
        for reply in script {
            let Ok((stream, _)) = listener.accept() else {
                return;
            };
            let Some(body) = read_request(&stream) else {
                return;
            };
            seen.lock().unwrap().push(body);
            let head = format!(
                "HTTP/1.1 {}\r\nContent-Type: {}\r\nContent-Length: {}\r\nConnection: close\r\n{}\r\n",
                reply.status,
                reply.content_type,
                reply.body.len(),
                reply.headers
            );
            let mut stream = stream;
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(reply.body.as_bytes());
        }
    });
    (base, served)
}

/// Reads one request's head and body: the body, `None` when the
/// connection failed.
fn read_request(stream: &TcpStream) -> Option<Vec<u8>> {
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .ok()?;
    let mut reader = BufReader::new(stream);
    let mut length = 0usize;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        if line == "\r\n" {
            break;
        }
        if let Some((name, value)) = line.split_once(':')
            && name.eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse().ok()?;
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    Some(body)
}

#[test]
fn a_busy_server_is_asked_again_until_it_answers() {
    let script = vec![
        busy("Retry-After: 0\r\n"),
        busy("Retry-After: 1\r\n"),
        busy("Retry-After: 0\r\n"),
        log_info(),
    ];
    let (base, served) = serve(script);
    let info = Client::new(&base).unwrap().log().unwrap();
    assert_eq!(info.size, 7);
    assert_eq!(count(&served), 4);
}

#[test]
fn it_gives_up_after_its_attempts_and_says_the_server_is_unavailable() {
    let script = (0..10).map(|_| busy("Retry-After: 0\r\n")).collect();
    let (base, served) = serve(script);
    let policy = RetryPolicy {
        attempts: 3,
        ..RetryPolicy::DEFAULT
    };
    let err = Client::new(&base)
        .unwrap()
        .with_retry(policy)
        .log()
        .unwrap_err();
    assert_eq!(count(&served), 3);
    assert_eq!(err.failure(), Failure::Unavailable);
    let ClientError::Unavailable {
        problem,
        attempts,
        retry_after,
        ..
    } = &err
    else {
        panic!("{err:?}")
    };
    assert_eq!((*attempts, *retry_after), (3, Some(Duration::ZERO)));
    assert_eq!(problem.code(), "overloaded");
    assert!(
        err.to_string().contains("gave up after 3 attempt(s)"),
        "{err}"
    );
}

#[test]
fn a_wait_past_the_time_budget_is_not_waited() {
    let script = (0..10).map(|_| busy("Retry-After: 60\r\n")).collect();
    let (base, served) = serve(script);
    let err = Client::new(&base).unwrap().log().unwrap_err();
    // The default budget is 30 s: a minute's wait is not started.
    assert_eq!(count(&served), 1);
    assert!(
        matches!(err, ClientError::Unavailable { attempts: 1, .. }),
        "{err:?}"
    );
}

#[test]
fn a_refusal_is_not_repeated() {
    let (base, served) = serve(vec![refused(), log_info()]);
    let err = Client::new(&base).unwrap().log().unwrap_err();
    assert_eq!(count(&served), 1);
    assert_eq!(err.failure(), Failure::Refused);
    let problem = err.problem().unwrap();
    assert_eq!(
        (problem.code(), problem.field.as_deref()),
        ("not-found", Some("id"))
    );
}

#[test]
fn a_server_out_of_reach_is_unavailable_not_refused() {
    // A port just freed: nothing listens there.
    let base = {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}", listener.local_addr().unwrap())
    };
    let err = Client::new(&base).unwrap().log().unwrap_err();
    assert!(matches!(err, ClientError::Transport { .. }), "{err:?}");
    assert_eq!(err.failure(), Failure::Unavailable);
}

#[test]
fn a_post_is_sent_again_with_the_same_body() {
    let identified = Reply {
        status: "200 OK",
        headers: "",
        content_type: "application/json",
        body: format!(
            r#"{{"blake3":"{}","sha256":"{}","size":5,"registered":false}}"#,
            "ab".repeat(32),
            "cd".repeat(32)
        ),
    };
    let script = vec![busy("Retry-After: 0\r\n"), busy(""), identified];
    let (base, served) = serve(script);
    let answer = Client::new(&base)
        .unwrap()
        .identify(b"charm".to_vec())
        .unwrap();
    assert!(!answer.registered);
    let bodies = served.lock().unwrap().clone();
    assert_eq!(bodies, vec![b"charm".to_vec(); 3]);
}

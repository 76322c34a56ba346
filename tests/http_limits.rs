//! Abuse limits on a real server: a client over its request rate or its
//! connection count gets `429` with `Retry-After` while others are served,
//! and a client that stalls mid-body or mid-headers is cut off without
//! holding up anyone's writes.

mod support;

use std::io::{Read as _, Write as _};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use provenant_api::Problem;
use support::raw::{authority, get_from, parse, request};
use support::*;

#[test]
fn a_client_over_its_rate_gets_429_and_others_are_served() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &["--rate-limit", "5", "--rate-burst", "10"]);
    let started = Instant::now();
    let statuses: Vec<u16> = (0..30)
        .map(|_| {
            request(
                &server.base,
                "GET",
                GetLog::ROUTE.path.as_bytes(),
                None,
                b"",
            )
            .status
        })
        .collect();
    let earned = started.elapsed().as_secs_f64() * 5.0;
    let ok = statuses.iter().filter(|&&s| s == 200).count();
    let limited = statuses.iter().filter(|&&s| s == 429).count();
    assert_eq!(ok + limited, 30, "{statuses:?}");
    // The burst of 10, and the tokens earned meanwhile at 5 a second.
    assert!(
        ok >= 10 && f64::from(u32::try_from(ok).unwrap()) <= 11.0 + earned,
        "{statuses:?}"
    );
    let r = request(
        &server.base,
        "GET",
        GetLog::ROUTE.path.as_bytes(),
        None,
        b"",
    );
    assert_eq!(r.status, 429);
    let retry: u64 = r.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=2).contains(&retry), "Retry-After {retry}");
    let body: Problem = serde_json::from_slice(&r.body).unwrap();
    assert_eq!(body.kind, "https://provenant.dev/problems/rate-limited");

    // Probes are not limited, and another address has its own bucket.
    assert_eq!(
        request(
            &server.base,
            "GET",
            Health::ROUTE.path.as_bytes(),
            None,
            b""
        )
        .status,
        200
    );
    let other = std::net::IpAddr::from([127, 0, 0, 2]);
    assert_eq!(
        get_from(other, &server.base, GetLog::ROUTE.path.as_bytes()).status,
        200
    );
    // The bucket refills at the rate.
    std::thread::sleep(Duration::from_millis(1200));
    assert_eq!(
        request(
            &server.base,
            "GET",
            GetLog::ROUTE.path.as_bytes(),
            None,
            b""
        )
        .status,
        200
    );
}

#[test]
fn a_client_over_its_connections_gets_429() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &["--max-client-connections", "4"]);
    let held: Vec<TcpStream> = (0..4)
        .map(|_| TcpStream::connect(authority(&server.base)).unwrap())
        .collect();
    // Let the server count the four before the fifth arrives.
    std::thread::sleep(Duration::from_millis(200));
    let r = request(
        &server.base,
        "GET",
        GetLog::ROUTE.path.as_bytes(),
        None,
        b"",
    );
    assert_eq!(r.status, 429, "{:?}", String::from_utf8_lossy(&r.body));
    assert_eq!(r.header("retry-after"), Some("1"));
    let body: Problem = serde_json::from_slice(&r.body).unwrap();
    assert_eq!(
        body.kind,
        "https://provenant.dev/problems/too-many-connections"
    );
    // Closing one gives its slot back.
    drop(held);
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(
        request(
            &server.base,
            "GET",
            GetLog::ROUTE.path.as_bytes(),
            None,
            b""
        )
        .status,
        200
    );
}

#[test]
fn a_stalled_body_times_out_without_holding_the_sequencer() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &["--body-timeout", "1"]);
    let envelope = register(b"slow", &[(&key(1), 1_000_000)])
        .to_value()
        .to_string();
    // Half an envelope, then nothing.
    let mut slow = TcpStream::connect(authority(&server.base)).unwrap();
    let head = format!(
        "POST {} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        SubmitEntry::ROUTE.path,
        envelope.len()
    );
    slow.write_all(head.as_bytes()).unwrap();
    slow.write_all(&envelope.as_bytes()[..envelope.len() / 2])
        .unwrap();
    let started = Instant::now();

    // Meanwhile other clients' writes go through at once.
    for i in 0..20u8 {
        let fast = register(&[b'f', i], &[(&key(2), 1_000_000)]);
        let t = Instant::now();
        server.write(&fast);
        assert!(
            t.elapsed() < Duration::from_millis(900),
            "{:?}",
            t.elapsed()
        );
    }

    slow.set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut answer = Vec::new();
    let _ = slow.read_to_end(&mut answer);
    let waited = started.elapsed();
    let r = parse(&answer);
    assert_eq!(r.status, 408, "{:?}", String::from_utf8_lossy(&r.body));
    let body: Problem = serde_json::from_slice(&r.body).unwrap();
    assert_eq!(body.kind, "https://provenant.dev/problems/body-timeout");
    assert!(waited < Duration::from_secs(5), "{waited:?}");
    // The stalled envelope was not logged: 20 writes and their
    // commitments, not 21.
    assert_eq!(server.log_info().size, size_after(20));
}

#[test]
fn stalled_headers_are_cut_off() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &["--header-timeout", "1"]);
    let mut slow = TcpStream::connect(authority(&server.base)).unwrap();
    slow.write_all(format!("GET {} HTTP/1.1\r\nHost: x\r\n", GetLog::ROUTE.path).as_bytes())
        .unwrap();
    slow.set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let started = Instant::now();
    let mut answer = Vec::new();
    let _ = slow.read_to_end(&mut answer);
    let waited = started.elapsed();
    // hyper closes the connection (with a bare 408, or nothing) once the
    // header deadline passes; the server goes on serving others.
    assert!(waited < Duration::from_secs(5), "{waited:?}");
    assert!(
        answer.is_empty() || answer.starts_with(b"HTTP/1.1 408"),
        "{:?}",
        String::from_utf8_lossy(&answer)
    );
    assert_eq!(
        request(
            &server.base,
            "GET",
            GetLog::ROUTE.path.as_bytes(),
            None,
            b""
        )
        .status,
        200
    );
}

//! Connections that hold a slot without using it, on a real server: sockets
//! that never speak, a torn HTTP/2 preface, HTTP/2 connections with no
//! request or idle after one, and clients that ask for a large entry bundle
//! and never read it. Each is closed after its deadline (set short with
//! flags), its slot is given back, and a stalled reader holds a bounded
//! amount of the server's memory.

mod support;

use std::io::{ErrorKind, Read as _, Write as _};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use provenant_model::{Entry, Kind};
use provenant_tlog::Hash;
use provenant_tlog::tile::{Tile, parse_bundle};
use serde_json::json;
use support::raw::{authority, request};
use support::*;

/// What an HTTP/2 client sends first (RFC 9113 section 3.4).
const PREFACE: &[u8] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
/// An empty SETTINGS frame (type 4) on stream 0.
const SETTINGS: &[u8] = &[0, 0, 0, 4, 0, 0, 0, 0, 0];

/// A HEADERS frame (`END_STREAM | END_HEADERS`) on stream 1 for
/// `GET http://x/healthz`, HPACK-coded with the static table and literals.
fn h2_get_healthz() -> Vec<u8> {
    let mut block = vec![0x82, 0x86]; // :method GET, :scheme http
    let path = Health::ROUTE.path.as_bytes();
    block.extend_from_slice(&[0x44, u8::try_from(path.len()).unwrap()]); // :path, literal
    block.extend_from_slice(path);
    block.extend_from_slice(&[0x41, 1, b'x']); // :authority x
    let len = u8::try_from(block.len()).unwrap();
    let mut frame = vec![0, 0, len, 1, 0x5, 0, 0, 0, 1];
    frame.extend_from_slice(&block);
    frame
}

/// Reads HTTP/2 frames until one on stream 1 ends the stream.
fn h2_read_answer(stream: &mut TcpStream) {
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    loop {
        let mut head = [0u8; 9];
        stream.read_exact(&mut head).expect("an HTTP/2 frame");
        let len = usize::from(head[0]) << 16 | usize::from(head[1]) << 8 | usize::from(head[2]);
        let mut payload = vec![0u8; len];
        stream.read_exact(&mut payload).unwrap();
        let stream_id = u32::from_be_bytes([head[5], head[6], head[7], head[8]]) & 0x7fff_ffff;
        if stream_id == 1 && head[4] & 0x1 != 0 {
            return;
        }
    }
}

/// How long after `since` the server closed `stream`, reading (and
/// discarding) whatever it sends meanwhile; `None` if it was still open
/// `limit` after `since`.
fn closed_after(stream: &mut TcpStream, since: Instant, limit: Duration) -> Option<Duration> {
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let left = limit.checked_sub(since.elapsed())?;
        stream
            .set_read_timeout(Some(left.max(Duration::from_millis(1))))
            .unwrap();
        match stream.read(&mut buf) {
            Ok(0) => return Some(since.elapsed()),
            Ok(_) => {}
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                return None;
            }
            // A reset is a close too.
            Err(_) => return Some(since.elapsed()),
        }
    }
}

#[test]
fn connections_that_never_speak_are_closed_and_their_slots_given_back() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(
        dir.path(),
        &[
            "--max-connections",
            "4",
            "--max-client-connections",
            "4",
            "--header-timeout",
            "1",
            "--idle-timeout",
            "2",
        ],
    );
    let connect = || TcpStream::connect(authority(&server.base)).unwrap();
    let opened = Instant::now();
    let silent = connect();
    let mut torn = connect();
    torn.write_all(&PREFACE[..16]).unwrap();
    let mut no_request = connect();
    no_request.write_all(PREFACE).unwrap();
    no_request.write_all(SETTINGS).unwrap();
    let mut idle = connect();
    idle.write_all(PREFACE).unwrap();
    idle.write_all(SETTINGS).unwrap();
    idle.write_all(&h2_get_healthz()).unwrap();
    h2_read_answer(&mut idle);
    let answered = Instant::now();

    // The four fill the server.
    let r = request(
        &server.base,
        "GET",
        GetLog::ROUTE.path.as_bytes(),
        None,
        b"",
    );
    assert_eq!(r.status, 429, "{:?}", String::from_utf8_lossy(&r.body));

    // Each is closed after its deadline: the first request's (1 s), or the
    // idle one's (2 s) after the answer; not before, and well within 10 s.
    let limit = Duration::from_secs(10);
    for (name, mut stream, since, deadline) in [
        ("silent", silent, opened, 1),
        ("torn HTTP/2 preface", torn, opened, 1),
        ("HTTP/2 without a request", no_request, opened, 1),
        ("idle HTTP/2", idle, answered, 2),
    ] {
        let after = closed_after(&mut stream, since, limit)
            .unwrap_or_else(|| panic!("{name}: still open after {limit:?}"));
        assert!(
            after >= Duration::from_millis(deadline * 1000 - 100),
            "{name}: closed after {after:?}, before its deadline"
        );
    }
    // Their slots are given back.
    std::thread::sleep(Duration::from_millis(200));
    let r = request(
        &server.base,
        "GET",
        GetLog::ROUTE.path.as_bytes(),
        None,
        b"",
    );
    assert_eq!(r.status, 200, "{:?}", String::from_utf8_lossy(&r.body));
}

/// `n` registrations of about 32 KiB each (a 4,000-character description
/// and human contribution of 4-byte characters, the most the rules allow),
/// written one after the other: the leaf hashes of their receipts, in log
/// order. Each write is a batch of its own, so each entry is followed by
/// the log's `state.commit`.
fn fill_big(server: &Server, n: u16) -> Vec<Hash> {
    let text: String = "\u{1d11e}".repeat(4000);
    (0..n)
        .map(|i| {
            let content = format!("big design {i}");
            let h = provenant_model::hash_content(content.as_bytes()).unwrap();
            let payload = json!({
                "content": {"blake3": h.blake3, "sha256": h.sha256, "size": h.size,
                            "media_type": "image/png"},
                "title": "A large record",
                "description": text,
                "creators": [{"key": id(&key(1)).to_string(), "share_ppm": 1_000_000,
                              "role": "designer"}],
                "parents": [],
                "ai": {"digital_source_type":
                       "http://cv.iptc.org/newscodes/digitalsourcetype/compositeWithTrainedAlgorithmicMedia",
                       "human_contribution": text},
            });
            let env = provenant_testkit::envelope(
                provenant_model::Kind::DesignRegister,
                payload,
                &[&key(1)],
            );
            let receipt = server.write(&env);
            assert_eq!(receipt.index, size_after(i.into()), "written one by one");
            Hash::from(receipt.leaf_hash)
        })
        .collect()
}

/// Checks a bundle's entries: each of `written` (leaf hashes), in order,
/// followed by the log's `state.commit`.
fn assert_each_then_commit(entries: &[&[u8]], written: &[Hash]) {
    assert_eq!(entries.len(), 2 * written.len());
    for (pair, leaf) in entries.chunks(2).zip(written) {
        assert_eq!(provenant_tlog::hash_leaf(pair[0]), *leaf);
        let commit = Entry::from_leaf_bytes(pair[1]).unwrap();
        assert_eq!(commit.envelope.kind(), Kind::StateCommit);
    }
}

/// A socket with a small receive buffer that asks for `path` and reads
/// nothing.
fn stalled_reader(server: &Server, path: &str) -> TcpStream {
    let socket = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).unwrap();
    socket.set_recv_buffer_size(4096).unwrap();
    let addr: std::net::SocketAddr = authority(&server.base).parse().unwrap();
    socket.connect(&addr.into()).unwrap();
    let mut stream: TcpStream = socket.into();
    write!(stream, "GET {path} HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
    stream
}

/// The path of the first full entry bundle.
fn full_bundle() -> String {
    tile_path(&Tile::entries(0, 256).unwrap())
}

fn resident_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmRSS in /proc/<pid>/status")
}

#[test]
fn large_bundles_are_streamed_and_readers_that_stall_are_cut_off() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), &["--write-timeout", "3"]);
    // 128 large writes and their commitments fill the first bundle (about
    // 4 MiB); two small ones and theirs begin the next.
    let big = fill_big(&server, 128);
    let small: Vec<Hash> = (0..2u8)
        .map(|i| {
            let receipt = server.write(&register(&[b's', i], &[(&key(1), 1_000_000)]));
            Hash::from(receipt.leaf_hash)
        })
        .collect();
    assert_eq!(server.log_info().size, size_after(130));

    // A reader that reads gets the bundle byte for byte: 256 entries, the
    // writes whose leaf hashes the receipts named and the log's
    // commitments, nothing more.
    let bundle = server
        .client
        .get(server.url(&full_bundle()))
        .send()
        .unwrap()
        .bytes()
        .unwrap();
    assert!(bundle.len() > 4_000_000, "{} bytes", bundle.len());
    assert_each_then_commit(&parse_bundle(&bundle, 256).unwrap(), &big);
    // A partial bundle of one chunk, sent whole with its length.
    let partial = tile_path(&Tile::entries(1, 4).unwrap());
    let r = request(&server.base, "GET", partial.as_bytes(), None, b"");
    assert_eq!(r.status, 200);
    assert_each_then_commit(&parse_bundle(&r.body, 4).unwrap(), &small);

    // Many readers that ask for the bundle and read nothing hold a bounded
    // amount each, not the 4 MiB bundle (before streaming, 24 readers of an
    // 8 MiB bundle held about 16 MiB each: twice the bundle, so here 8 MiB
    // each, three times the bound for all 24).
    let pid = server.pid();
    let (before, sockets_before) = (resident_kib(pid), sockets(pid));
    let started = Instant::now();
    let stalled: Vec<TcpStream> = (0..24)
        .map(|_| stalled_reader(&server, &full_bundle()))
        .collect();
    std::thread::sleep(Duration::from_millis(1500));
    let during = resident_kib(pid);
    let grown = during.saturating_sub(before);
    assert!(
        grown < 64 * 1024,
        "24 stalled readers grew the server from {before} KiB to {during} KiB"
    );
    assert!(sockets(pid) >= sockets_before + 24, "the readers are held");

    // Others are served meanwhile.
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

    // After the write deadline (3 s) the server has let go of every one.
    // Reading them before then would let their answers go on.
    std::thread::sleep(Duration::from_secs(6).saturating_sub(started.elapsed()));
    let left = sockets(pid);
    assert!(
        left <= sockets_before + 1,
        "{left} sockets open {:?} after 24 readers stalled, {sockets_before} before",
        started.elapsed()
    );
    drop(stalled);
}

/// The sockets a process holds open (its listener and connections).
fn sockets(pid: u32) -> usize {
    std::fs::read_dir(format!("/proc/{pid}/fd"))
        .unwrap()
        .filter_map(Result::ok)
        .filter(|fd| {
            std::fs::read_link(fd.path())
                .is_ok_and(|target| target.to_string_lossy().starts_with("socket:"))
        })
        .count()
}

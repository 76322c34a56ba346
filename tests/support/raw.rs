//! Plain HTTP/1.1 over a TCP socket, for requests an HTTP client library
//! would refuse or tidy up (dot segments, non-UTF-8 bytes, torn bodies).

use std::io::{Read as _, Write as _};
use std::net::TcpStream;
use std::time::Duration;

/// A parsed response.
#[derive(Debug)]
pub struct RawResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl RawResponse {
    /// The first header named `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// `host:port` of a base URL such as `http://127.0.0.1:1234`.
pub fn authority(base: &str) -> &str {
    base.trim_start_matches("http://").trim_end_matches('/')
}

/// Sends `method path` with `body` (and `content_type` when given), reads
/// the whole answer (the request says `Connection: close`).
pub fn request(
    base: &str,
    method: &str,
    path: &[u8],
    content_type: Option<&str>,
    body: &[u8],
) -> RawResponse {
    exchange(base, &request_bytes(base, method, path, content_type, body))
}

/// `GET path` from the local address `source` (any of 127.0.0.0/8 reaches
/// a server on 127.0.0.1), as another client would.
pub fn get_from(source: std::net::IpAddr, base: &str, path: &[u8]) -> RawResponse {
    let socket = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).unwrap();
    socket
        .bind(&std::net::SocketAddr::new(source, 0).into())
        .unwrap();
    let server: std::net::SocketAddr = authority(base).parse().unwrap();
    socket.connect(&server.into()).unwrap();
    talk(socket.into(), &request_bytes(base, "GET", path, None, b""))
}

fn request_bytes(
    base: &str,
    method: &str,
    path: &[u8],
    content_type: Option<&str>,
    body: &[u8],
) -> Vec<u8> {
    let mut head = Vec::new();
    head.extend_from_slice(method.as_bytes());
    head.push(b' ');
    head.extend_from_slice(path);
    head.extend_from_slice(b" HTTP/1.1\r\nHost: ");
    head.extend_from_slice(authority(base).as_bytes());
    head.extend_from_slice(b"\r\nConnection: close\r\n");
    if let Some(ct) = content_type {
        head.extend_from_slice(format!("Content-Type: {ct}\r\n").as_bytes());
    }
    head.extend_from_slice(format!("Content-Length: {}\r\n\r\n", body.len()).as_bytes());
    head.extend_from_slice(body);
    head
}

/// Writes `bytes` as they are and reads the whole answer.
pub fn exchange(base: &str, bytes: &[u8]) -> RawResponse {
    talk(
        TcpStream::connect(authority(base)).expect("the server accepts"),
        bytes,
    )
}

fn talk(mut stream: TcpStream, bytes: &[u8]) -> RawResponse {
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    // The server may answer (413, say) before reading everything: a failed
    // write is fine as long as the answer arrives.
    let _ = stream.write_all(bytes);
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    parse(&answer)
}

/// Parses a response with a `Content-Length` body (hyper's answers to
/// `Connection: close` requests).
pub fn parse(answer: &[u8]) -> RawResponse {
    let split = answer
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("no response head in {:?}", String::from_utf8_lossy(answer)));
    let head = String::from_utf8_lossy(&answer[..split]);
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .expect("a status line");
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect();
    let mut body = answer[split + 4..].to_vec();
    if let Some(len) = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse::<usize>().ok())
    {
        body.truncate(len);
    }
    RawResponse {
        status,
        headers,
        body,
    }
}

//! The server a saved page asks: an `http` or `https` origin, checked
//! character by character, because it is written into the file's HTML and
//! into its Content-Security-Policy, where a space, a quote or a `;` would
//! change what the policy allows.

use std::fmt;

/// `scheme://host[:port]`: the scheme `http` or `https`; the host a DNS
/// name or IPv4 address (letters, digits, `-` and `.`) or an IPv6 address
/// in brackets; the port 1 to 65535. Nothing else: no user, no path, no
/// query. Host letters are kept as given (a browser lower-cases them).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiOrigin(String);

/// A text that is not an [`ApiOrigin`].
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("not an http(s) origin (scheme://host[:port]): {0:?}")]
pub struct InvalidApiOrigin(pub String);

impl ApiOrigin {
    /// Parses `text` as `http://host[:port]` or `https://host[:port]`.
    ///
    /// # Errors
    /// [`InvalidApiOrigin`] when it is anything else.
    pub fn parse(text: &str) -> Result<Self, InvalidApiOrigin> {
        let invalid = || InvalidApiOrigin(text.to_owned());
        let authority = text
            .strip_prefix("http://")
            .or_else(|| text.strip_prefix("https://"))
            .ok_or_else(invalid)?;
        if is_host_port(authority) {
            Ok(Self(text.to_owned()))
        } else {
            Err(invalid())
        }
    }

    /// The plain-`http` origin of a `Host` header's value (`host[:port]`).
    ///
    /// # Errors
    /// [`InvalidApiOrigin`] when `host` is not `host[:port]` alone.
    pub fn http(host: &str) -> Result<Self, InvalidApiOrigin> {
        Self::parse(&format!("http://{host}")).map_err(|_| InvalidApiOrigin(host.to_owned()))
    }

    /// The origin's text.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ApiOrigin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// `host[:port]` as [`ApiOrigin`] describes it.
fn is_host_port(text: &str) -> bool {
    let (host, port) = if let Some(rest) = text.strip_prefix('[') {
        let Some((v6, after)) = rest.split_once(']') else {
            return false;
        };
        let port = match after {
            "" => None,
            p => match p.strip_prefix(':') {
                Some(p) => Some(p),
                None => return false,
            },
        };
        if v6.is_empty()
            || !v6
                .chars()
                .all(|c| c.is_ascii_hexdigit() || c == ':' || c == '.')
        {
            return false;
        }
        (None, port)
    } else {
        match text.split_once(':') {
            Some((host, port)) => (Some(host), Some(port)),
            None => (Some(text), None),
        }
    };
    let host_ok = host.is_none_or(|h| {
        !h.is_empty()
            && !h.starts_with(['.', '-'])
            && h.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
    });
    let port_ok = port.is_none_or(|p| {
        (1..=5).contains(&p.len())
            && p.chars().all(|c| c.is_ascii_digit())
            && p.parse::<u16>().is_ok_and(|n| n > 0)
    });
    host_ok && port_ok
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_a_browser_would_ask() {
        for good in [
            "http://127.0.0.1:8080",
            "http://localhost",
            "https://ledger.example",
            "https://ledger.example:443",
            "http://[::1]:8080",
            "http://[2001:db8::1]",
            "http://xn--bcher-kva.example",
        ] {
            assert_eq!(
                ApiOrigin::parse(good).map(|o| o.to_string()),
                Ok(good.to_owned())
            );
        }
    }

    /// Each of these would change the page's HTML or its policy, point
    /// elsewhere than a host, or is not an origin.
    #[test]
    fn anything_else_is_refused() {
        for bad in [
            "",
            "127.0.0.1:8080",
            "ftp://ledger.example",
            "http://",
            "http://ledger.example/",
            "http://ledger.example/api",
            "http://ledger.example?x",
            "http://user@ledger.example",
            "http://ledger.example:",
            "http://ledger.example:0",
            "http://ledger.example:65536",
            "http://ledger.example:80:80",
            "http://ledger.example; script-src *",
            "http://ledger.example\" onload=\"x",
            "http://ledger example",
            "http://.example",
            "http://-example",
            "http://[::1",
            "http://[]",
            "http://[::1]x",
            "http://[::1]:",
            "http://ledger.exämple",
            "HTTP://ledger.example",
        ] {
            assert!(ApiOrigin::parse(bad).is_err(), "{bad:?} was accepted");
        }
    }

    #[test]
    fn a_host_header_makes_an_http_origin() {
        assert_eq!(
            ApiOrigin::http("127.0.0.1:8080").unwrap().as_str(),
            "http://127.0.0.1:8080"
        );
        for bad in ["", "a/b", "a b", "a:1/x", "evil.example'", "a;b"] {
            assert_eq!(ApiOrigin::http(bad), Err(InvalidApiOrigin(bad.to_owned())));
        }
    }
}

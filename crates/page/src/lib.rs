//! The verification page, embedded: plain HTML, CSS and JavaScript modules
//! (under `assets/`, served as they are, no build step) with which a
//! shopper, a brand or an auditor checks Provenant's answers in their own
//! browser against a log key they pinned, not the server's word.
//!
//! The verifier itself is `assets/js/verify/` (`WebCrypto` for SHA-256 and
//! Ed25519; BLAKE3 from the vendored `hash-wasm`), tested under
//! `node --test` on the same golden vectors as the Rust verifier
//! (`crates/page/tests`). This crate only holds the files and what the
//! service needs to serve them: their media types, the page with a
//! deploy-time key in it, and the Content-Security-Policy they run under;
//! and the same page as one self-contained HTML file ([`standalone`]) that
//! a user saves and opens from disk.

mod imports;
mod origin;
mod standalone;

pub use origin::{ApiOrigin, InvalidApiOrigin};
pub use standalone::{Standalone, standalone};

include!(concat!(env!("OUT_DIR"), "/assets.rs"));

/// The policy every page file is served with: scripts, styles and
/// fetches only from the page's own origin, WebAssembly compiled (BLAKE3)
/// but no `eval`, nothing inline, no frames around it.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; \
     style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; \
     form-action 'none'; frame-ancestors 'none'";

/// Where `index.html` takes the deploy-time key.
const KEY_MARKER: &str = "<!-- provenant:log-key -->";

/// The page's entry file.
const INDEX: &str = "index.html";

/// One file of the page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Asset {
    /// Its path under `assets/` (`js/app.js`), served at `/assets/<path>`.
    pub path: &'static str,
    /// Its bytes.
    pub bytes: &'static [u8],
}

impl Asset {
    /// The media type it is served as, from its extension; files without
    /// one (`LICENSE`, `VERSION`) are text.
    #[must_use]
    pub fn content_type(&self) -> &'static str {
        let ext = self.path.rsplit_once('.').map_or("", |(_, ext)| ext);
        match ext {
            "html" => "text/html; charset=utf-8",
            "css" => "text/css; charset=utf-8",
            "js" | "mjs" => "text/javascript; charset=utf-8",
            "json" => "application/json",
            "svg" => "image/svg+xml",
            "png" => "image/png",
            "wasm" => "application/wasm",
            _ => "text/plain; charset=utf-8",
        }
    }
}

/// The file at `path` under `assets/`, if the page has one.
#[must_use]
pub fn asset(path: &str) -> Option<Asset> {
    FILES
        .binary_search_by(|(p, _)| (*p).cmp(path))
        .ok()
        .map(|i| Asset {
            path: FILES[i].0,
            bytes: FILES[i].1,
        })
}

/// Every file of the page.
pub fn assets() -> impl Iterator<Item = Asset> {
    FILES.iter().map(|&(path, bytes)| Asset { path, bytes })
}

/// The page's HTML, with `log_key` (a verifier key, as
/// `provenant serve --page-log-key` takes it) in a
/// `<meta name="provenant-log-key">` when the deployment pins one. A key
/// the user pinned in the page itself takes precedence.
#[must_use]
pub fn index(log_key: Option<&str>) -> String {
    let html = asset(INDEX).map_or("", |a| std::str::from_utf8(a.bytes).unwrap_or(""));
    let meta = log_key.map_or_else(String::new, |key| {
        format!(
            "<meta name=\"provenant-log-key\" content=\"{}\">",
            escape(key)
        )
    });
    html.replacen(KEY_MARKER, &meta, 1)
}

/// `text` safe inside a double-quoted HTML attribute.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "provenant.example/log+0a1b2c3d+AdMdRgPNkPg7N6jMAUN+plIRGeCS1+Xlw2dtwLnRnm/L";

    #[test]
    fn the_page_takes_the_deploy_time_key_once() {
        let page = index(Some(KEY));
        assert_eq!(
            page.matches("name=\"provenant-log-key\"").count(),
            1,
            "{page}"
        );
        assert!(page.contains(&format!("content=\"{KEY}\"")));
        assert!(!page.contains(KEY_MARKER));
        assert!(!index(None).contains("provenant-log-key\""));
    }

    #[test]
    fn a_key_cannot_break_out_of_its_attribute() {
        let page = index(Some("a\"><script>alert(1)</script>"));
        assert!(!page.contains("<script>alert"), "{page}");
        assert!(page.contains("a&quot;&gt;&lt;script&gt;"));
    }

    #[test]
    fn the_table_is_sorted_and_holds_the_page() {
        assert!(FILES.windows(2).all(|w| w[0].0 < w[1].0));
        assert!(asset(INDEX).is_some());
        assert!(asset("js/app.js").is_some());
        assert!(asset("../Cargo.toml").is_none());
        assert!(asset("nothing.js").is_none());
    }

    /// Every `/assets/...` URL and every relative `import` of a module
    /// names a file of the page: a renamed file fails here, not in a
    /// user's browser.
    #[test]
    fn every_reference_resolves() {
        let mut missing = Vec::new();
        for a in assets() {
            let Ok(text) = std::str::from_utf8(a.bytes) else {
                continue;
            };
            let ext = a.path.rsplit_once('.').map(|(_, ext)| ext);
            if !matches!(ext, Some("html" | "js" | "css")) {
                continue;
            }
            for url in references(text) {
                let target = resolve(a.path, url);
                if target.as_deref().and_then(asset).is_none() {
                    missing.push(format!("{} -> {url}", a.path));
                }
            }
        }
        assert!(missing.is_empty(), "{missing:#?}");
    }

    /// `/assets/...` URLs and relative module specifiers in `text`: every
    /// quoted run on one line that looks like one.
    fn references(text: &str) -> Vec<&str> {
        let mut refs = Vec::new();
        for line in text.lines() {
            for (i, q) in line
                .char_indices()
                .filter(|(_, c)| matches!(c, '"' | '\'' | '`'))
            {
                let rest = &line[i + 1..];
                let Some(end) = rest.find(q) else { continue };
                let piece = &rest[..end];
                let is_module = (piece.starts_with("./") || piece.starts_with("../"))
                    && matches!(piece.rsplit_once('.'), Some((_, "js" | "mjs")));
                if piece.starts_with("/assets/") || is_module {
                    refs.push(piece);
                }
            }
        }
        refs
    }

    /// The asset path `url` names from the file at `from`.
    fn resolve(from: &str, url: &str) -> Option<String> {
        match url.strip_prefix("/assets/") {
            Some(abs) => Some(abs.to_owned()),
            None => crate::imports::resolve(from, url),
        }
    }
}

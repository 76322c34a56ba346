//! The page as one self-contained HTML file, for a user to save and open
//! from disk (`GET /verify/page.html`): an auditor's copy of the verifier,
//! which the server it checks can no longer change.
//!
//! It is put together from the embedded files as they are, with no build
//! step: the style sheet inlined in a `<style>`; every JavaScript module a
//! `data:` URL in an import map ([`crate::imports`]); the entry an inline
//! module that imports `js/app.js`; the vendored libraries' licences
//! appended, their links made fragments. A `<meta>` policy replaces the
//! served page's header: scripts only by the hashes of the two inline
//! scripts and from `data:` (the modules), WebAssembly compiled (BLAKE3),
//! the style by its hash, requests only to the server the file was saved
//! from, named in `<meta name="provenant-api">` (`js/ui/settings.js` asks
//! it when the page is not served over http(s)).

use std::fmt::Write as _;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use sha2::{Digest as _, Sha256};

use crate::imports::{import_map, specifier};
use crate::{ApiOrigin, asset, escape, index};

/// The page's style sheet and how `index.html` links it.
const STYLE: &str = "css/page.css";
const STYLE_TAG: &str = "<link rel=\"stylesheet\" href=\"/assets/css/page.css\">";

/// The page's entry module and how `index.html` loads it.
const ENTRY: &str = "js/app.js";
const ENTRY_TAG: &str = "<script type=\"module\" src=\"/assets/js/app.js\"></script>";

/// The first element of `index.html`'s head; the policy comes right after
/// it, before anything it governs.
const CHARSET: &str = "<meta charset=\"utf-8\">";

/// Where links to other files of the page start (the vendored licences).
const ASSET_LINK: &str = "href=\"/assets/";

/// Where the licences are appended.
const FOOTER_END: &str = "</footer>";

/// The policy when the file names no server: the user names one in the
/// page's settings, so any http(s) server may be asked.
const ANY_SERVER: &str = "http: https:";

/// The saved page for one deploy-time key, but any server: built once,
/// finished per request by [`Standalone::html`].
#[derive(Clone, Debug)]
pub struct Standalone {
    /// The HTML up to and including [`CHARSET`].
    head: String,
    /// The policy, but for its `connect-src`.
    policy: String,
    /// The HTML after [`CHARSET`].
    rest: String,
}

impl Standalone {
    /// The saved page with `log_key` as its deploy-time key (as
    /// [`index`] takes it).
    #[must_use]
    pub fn new(log_key: Option<&str>) -> Self {
        let css = text_of(STYLE);
        let map = import_map();
        let entry = format!("import \"{}\";", specifier(ENTRY));
        let page = index(log_key)
            .replacen(STYLE_TAG, &format!("<style>{css}</style>"), 1)
            .replacen(
                ENTRY_TAG,
                &format!(
                    "<script type=\"importmap\">{map}</script>\n\
                     <script type=\"module\">{entry}</script>"
                ),
                1,
            );
        let page = with_files_inlined(&page);
        let policy = format!(
            "default-src 'none'; script-src {} {} data: 'wasm-unsafe-eval'; style-src {}; \
             img-src data:; base-uri 'none'; form-action 'none'",
            source_hash(&map),
            source_hash(&entry),
            source_hash(&css)
        );
        let split = page.find(CHARSET).map_or(0, |at| at + CHARSET.len());
        Self {
            head: page[..split].to_owned(),
            policy,
            rest: page[split..].to_owned(),
        }
    }

    /// The file, asking `api` (or, with `None`, the server its user names
    /// in the page's settings).
    #[must_use]
    pub fn html(&self, api: Option<&ApiOrigin>) -> String {
        let connect = api.map_or(ANY_SERVER, ApiOrigin::as_str);
        let api_meta = api.map_or_else(String::new, |api| {
            format!(
                "\n<meta name=\"provenant-api\" content=\"{}\">",
                escape(api.as_str())
            )
        });
        format!(
            "{}\n<meta http-equiv=\"Content-Security-Policy\" content=\"{}; connect-src {}\">{api_meta}{}",
            self.head,
            self.policy,
            escape(connect),
            self.rest
        )
    }
}

/// The page as one file to open from disk: its deploy-time key `log_key`
/// (as [`index`] takes it), asking `api`, or with `None` the server its
/// user names in the page's settings.
#[must_use]
pub fn standalone(log_key: Option<&str>, api: Option<&ApiOrigin>) -> String {
    Standalone::new(log_key).html(api)
}

/// The embedded text file at `path`, or nothing.
fn text_of(path: &str) -> String {
    asset(path).map_or_else(String::new, |a| {
        String::from_utf8_lossy(a.bytes).into_owned()
    })
}

/// A CSP source expression allowing the inline element whose text is
/// `text`: `'sha256-<base64 of SHA-256 of its UTF-8 bytes>'`.
fn source_hash(text: &str) -> String {
    format!(
        "'sha256-{}'",
        STANDARD.encode(Sha256::digest(text.as_bytes()))
    )
}

/// `page` with each link to another file of the page (`/assets/...`, the
/// vendored licences) pointing at that file's text, appended to the
/// footer.
fn with_files_inlined(page: &str) -> String {
    let mut out = String::with_capacity(page.len());
    let mut files: Vec<&str> = Vec::new();
    let mut rest = page;
    while let Some(at) = rest.find(ASSET_LINK) {
        let after = &rest[at + ASSET_LINK.len()..];
        let path = &after[..after.find('"').unwrap_or(0)];
        out.push_str(&rest[..at]);
        write!(out, "href=\"#{}\"", file_id(path)).expect("writing to a string");
        if !files.contains(&path) {
            files.push(path);
        }
        rest = &after[path.len()..];
    }
    out.push_str(rest);
    if files.is_empty() {
        return out;
    }
    let mut texts = String::from(
        "<details class=\"bundled\">\n<summary>The licences of the libraries in this file</summary>\n",
    );
    for path in files {
        write!(
            texts,
            "<h2 id=\"{}\">{}</h2>\n<pre>{}</pre>\n",
            file_id(path),
            escape(path),
            escape(&text_of(path))
        )
        .expect("writing to a string");
    }
    texts.push_str("</details>\n");
    out.replacen(FOOTER_END, &format!("{texts}{FOOTER_END}"), 1)
}

/// The element id of an inlined file's text.
fn file_id(path: &str) -> String {
    let slug: String = path
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    format!("file-{slug}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::imports::{SCHEME, is_module};
    use crate::{KEY_MARKER, assets};

    const KEY: &str = "provenant.example/log+0a1b2c3d+AdMdRgPNkPg7N6jMAUN+plIRGeCS1+Xlw2dtwLnRnm/L";

    fn api() -> ApiOrigin {
        ApiOrigin::parse("http://127.0.0.1:8080").unwrap()
    }

    /// The text of every `<tag ...>...</tag>` element in `html` whose
    /// opening tag starts with `open`.
    fn elements<'a>(html: &'a str, open: &str, tag: &str) -> Vec<&'a str> {
        let close = format!("</{tag}>");
        let mut found = Vec::new();
        let mut rest = html;
        while let Some(at) = rest.find(open) {
            let after = &rest[at..];
            let body = &after[after.find('>').unwrap() + 1..];
            let end = body.find(&close).unwrap();
            found.push(&body[..end]);
            rest = &body[end..];
        }
        found
    }

    /// The policy in the file's `<meta http-equiv>`.
    fn policy(html: &str) -> &str {
        let start = "<meta http-equiv=\"Content-Security-Policy\" content=\"";
        let from = &html[html.find(start).unwrap() + start.len()..];
        &from[..from.find('"').unwrap()]
    }

    /// The sources a directive of `policy` allows.
    fn directive<'a>(policy: &'a str, name: &str) -> Vec<&'a str> {
        policy
            .split(';')
            .map(str::trim)
            .find_map(|d| d.strip_prefix(name).and_then(|s| s.strip_prefix(' ')))
            .unwrap_or_else(|| panic!("no {name} in {policy}"))
            .split_whitespace()
            .collect()
    }

    /// Each inline script and style is allowed by exactly the hash of its
    /// bytes, and the policy allows nothing else inline.
    #[test]
    fn the_policy_hashes_are_those_of_the_inline_elements() {
        let html = standalone(Some(KEY), Some(&api()));
        let policy = policy(&html);
        let scripts = elements(&html, "<script", "script");
        assert_eq!(scripts.len(), 2, "the import map and the entry");
        let mut allowed = directive(policy, "script-src");
        let mut expected: Vec<String> = scripts.iter().map(|s| source_hash(s)).collect();
        expected.extend(["data:".to_owned(), "'wasm-unsafe-eval'".to_owned()]);
        allowed.sort_unstable();
        expected.sort_unstable();
        assert_eq!(allowed, expected);
        let styles = elements(&html, "<style", "style");
        assert_eq!(styles.len(), 1);
        assert_eq!(directive(policy, "style-src"), [source_hash(styles[0])]);
        assert!(
            !styles[0].contains('\r') && !scripts.concat().contains('\r'),
            "the HTML parser turns CR LF into LF: the hash would not match"
        );
        for (name, sources) in [
            ("default-src", vec!["'none'"]),
            ("img-src", vec!["data:"]),
            ("connect-src", vec!["http://127.0.0.1:8080"]),
            ("base-uri", vec!["'none'"]),
            ("form-action", vec!["'none'"]),
        ] {
            assert_eq!(directive(policy, name), sources, "{name}");
        }
        assert!(!policy.contains("unsafe-inline") && !policy.contains("'unsafe-eval'"));
    }

    /// The policy comes before anything it governs.
    #[test]
    fn the_policy_comes_first() {
        let html = standalone(None, Some(&api()));
        let at = html.find("http-equiv=\"Content-Security-Policy\"").unwrap();
        for later in ["<style", "<script", "<link", "<meta name="] {
            assert!(
                html.find(later).is_none_or(|l| l > at),
                "{later} before the policy"
            );
        }
        assert!(html.find(CHARSET).unwrap() < at);
    }

    /// Every module of the page is in the file's import map, and the entry
    /// imports the page's entry module by it.
    #[test]
    fn the_import_map_covers_every_module() {
        let html = standalone(None, None);
        let scripts = elements(&html, "<script", "script");
        let map = scripts[0];
        let mut count = 0;
        for module in assets().filter(|a| is_module(a.path)) {
            count += 1;
            assert!(
                map.contains(&format!("\"{SCHEME}{}\": \"data:", module.path)),
                "{}",
                module.path
            );
        }
        assert!(count > 10);
        assert_eq!(scripts[1], format!("import \"{SCHEME}{ENTRY}\";"));
        assert!(html.contains("<script type=\"importmap\">"));
        assert!(html.contains("<script type=\"module\">import"));
    }

    /// The file needs nothing beside it: no `/assets/` URL, no file link.
    #[test]
    fn nothing_refers_to_the_servers_files() {
        let html = standalone(Some(KEY), Some(&api()));
        assert!(
            !html.contains("/assets/"),
            "a link to the server's files is left"
        );
        assert!(!html.contains(" src="), "a script or image from a URL");
        assert!(!html.contains("<link rel=\"stylesheet\""));
        for id in [
            "file-vendor-hash-wasm-LICENSE",
            "file-vendor-qrcode-generator-LICENSE",
        ] {
            assert_eq!(html.matches(&format!("href=\"#{id}\"")).count(), 1, "{id}");
            assert_eq!(html.matches(&format!("id=\"{id}\"")).count(), 1, "{id}");
        }
        assert!(html.contains("MIT") || html.contains("Permission is hereby granted"));
    }

    #[test]
    fn the_file_names_its_server_and_key() {
        let html = standalone(Some(KEY), Some(&api()));
        assert_eq!(
            html.matches("name=\"provenant-api\" content=\"http://127.0.0.1:8080\"")
                .count(),
            1
        );
        assert_eq!(
            html.matches(&format!("name=\"provenant-log-key\" content=\"{KEY}\""))
                .count(),
            1
        );
        assert!(!html.contains(KEY_MARKER));

        let anywhere = standalone(None, None);
        assert!(!anywhere.contains("provenant-api\""));
        assert!(!anywhere.contains("provenant-log-key\""));
        assert_eq!(
            directive(policy(&anywhere), "connect-src"),
            ["http:", "https:"]
        );
    }

    /// Built once, finished per server: the same file as building it whole.
    #[test]
    fn a_prepared_file_is_the_same_file() {
        let prepared = Standalone::new(Some(KEY));
        assert_eq!(
            prepared.html(Some(&api())),
            standalone(Some(KEY), Some(&api()))
        );
        let other = ApiOrigin::parse("https://ledger.example").unwrap();
        assert_eq!(
            prepared.html(Some(&other)),
            standalone(Some(KEY), Some(&other))
        );
    }
}

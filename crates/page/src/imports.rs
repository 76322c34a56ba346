//! The page's JavaScript modules as one import map of `data:` URLs, for the
//! saved page ([`crate::standalone`]).
//!
//! A browser loads no module from a `file://` page's disk, and a relative
//! specifier (`./dom.js`) cannot resolve against a `data:` URL. So each
//! module becomes `data:text/javascript;base64,<its bytes>`, its relative
//! specifiers are rewritten to absolute ones in a scheme of the page's own
//! (`provenant-page:js/ui/dom.js`, the path under `assets/` of the module
//! it names), and the import map sends each of those to its `data:` URL.
//! Import map keys are URLs normalised against the document's, which is
//! why the specifiers are absolute URLs and not bare names or paths.
//!
//! The rewriting knows one style, the one the page is written in: a static
//! `import ... from '<specifier>';`, `export ... from '<specifier>';` or
//! `import '<specifier>';`, the specifier in single or double quotes right
//! after the word `from` or `import` (spaces between them allowed, not a
//! line break). The tests fail on a module that imports any other way.

use std::fmt::Write as _;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use crate::{Asset, assets};

/// The scheme of the specifiers by which the saved page's modules import
/// each other.
pub(crate) const SCHEME: &str = "provenant-page:";

/// Whether the file at `path` (under `assets/`) is a JavaScript module.
pub(crate) fn is_module(path: &str) -> bool {
    matches!(
        std::path::Path::new(path)
            .extension()
            .and_then(|e| e.to_str()),
        Some("js" | "mjs")
    )
}

/// The specifier by which the saved page imports the module at `path`.
pub(crate) fn specifier(path: &str) -> String {
    format!("{SCHEME}{path}")
}

/// The import map (JSON) from every module's specifier to a `data:` URL of
/// the module, its relative specifiers rewritten.
pub(crate) fn import_map() -> String {
    let modules: Vec<Asset> = assets().filter(|a| is_module(a.path)).collect();
    let mut map = String::from("{\"imports\": {");
    for (i, module) in modules.iter().enumerate() {
        let text = String::from_utf8_lossy(module.bytes);
        let url = format!(
            "data:text/javascript;base64,{}",
            STANDARD.encode(rewrite(module.path, &text))
        );
        let comma = if i + 1 < modules.len() { "," } else { "" };
        write!(
            map,
            "\n  {}: {}{comma}",
            json_string(&specifier(module.path)),
            json_string(&url)
        )
        .expect("writing to a string");
    }
    map.push_str("\n}}");
    map
}

/// `text`, the module at `path`, with the relative specifier of each of its
/// import statements replaced by the absolute one of the module it names.
pub(crate) fn rewrite(path: &str, text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut done = 0;
    for (start, end) in specifiers(text) {
        let Some(target) = resolve(path, &text[start..end]) else {
            continue;
        };
        out.push_str(&text[done..start]);
        out.push_str(&specifier(&target));
        done = end;
    }
    out.push_str(&text[done..]);
    out
}

/// The byte ranges, in order, of the quoted text right after each word
/// `import` or `from` in `text` (spaces between them allowed).
fn specifiers(text: &str) -> Vec<(usize, usize)> {
    let bytes = text.as_bytes();
    let is_word = |b: u8| b.is_ascii_alphanumeric() || b == b'_' || b == b'$' || b == b'.';
    let mut found = Vec::new();
    for keyword in ["import", "from"] {
        for (at, _) in text.match_indices(keyword) {
            if at > 0 && is_word(bytes[at - 1]) {
                continue;
            }
            let mut open = at + keyword.len();
            while bytes.get(open) == Some(&b' ') {
                open += 1;
            }
            let Some(&quote) = bytes.get(open).filter(|&&q| q == b'\'' || q == b'"') else {
                continue;
            };
            let start = open + 1;
            let Some(len) = bytes[start..]
                .iter()
                .position(|&b| b == quote || b == b'\n')
            else {
                continue;
            };
            if bytes[start + len] == quote {
                found.push((start, start + len));
            }
        }
    }
    found.sort_unstable();
    found
}

/// The path under `assets/` that the relative specifier `spec` names from
/// the module at `from`; `None` when `spec` is not relative or climbs
/// above `assets/`.
pub(crate) fn resolve(from: &str, spec: &str) -> Option<String> {
    if !(spec.starts_with("./") || spec.starts_with("../")) {
        return None;
    }
    let mut parts: Vec<&str> = from.split('/').collect();
    parts.pop();
    for segment in spec.split('/') {
        match segment {
            "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    Some(parts.join("/"))
}

/// `text` as a JSON string.
fn json_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if u32::from(c) < 0x20 => {
                write!(out, "\\u{:04x}", u32::from(c)).expect("writing to a string");
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::asset;

    fn modules() -> impl Iterator<Item = (Asset, String)> {
        assets().filter(|a| is_module(a.path)).map(|a| {
            (
                a,
                String::from_utf8(a.bytes.to_vec()).expect("modules are UTF-8"),
            )
        })
    }

    /// The import and export-from statements of a module, each as one
    /// string: from a line that starts with `import` or `export ... from`
    /// up to the line that ends it with `;`.
    fn statements(text: &str) -> Vec<String> {
        let mut found = Vec::new();
        let mut open: Option<String> = None;
        for line in text.lines() {
            if let Some(statement) = open.as_mut() {
                statement.push_str(line);
            } else if line.starts_with("import ")
                || line.starts_with("import{")
                || line.starts_with("import'")
                || line.starts_with("import\"")
                || line.starts_with("export {")
                || line.starts_with("export *")
            {
                open = Some(line.to_owned());
            }
            if open.is_some() && line.trim_end().ends_with(';') {
                found.extend(open.take());
            }
        }
        found.retain(|s| s.starts_with("import") || s.contains(" from "));
        found
    }

    /// Every import statement of every module names its module by the
    /// page's scheme once rewritten, and nothing else was rewritten.
    #[test]
    fn every_import_statement_is_rewritten() {
        let mut wrong = Vec::new();
        let mut total = 0;
        for (module, text) in modules() {
            let rewritten = rewrite(module.path, &text);
            let statements = statements(&rewritten);
            total += statements.len();
            for statement in &statements {
                if !statement.contains(&format!("'{SCHEME}"))
                    && !statement.contains(&format!("\"{SCHEME}"))
                {
                    wrong.push(format!("{}: {statement}", module.path));
                }
            }
            let uses = rewritten.matches(SCHEME).count();
            if uses != statements.len() {
                wrong.push(format!(
                    "{}: {} statements, {uses} rewritten specifiers",
                    module.path,
                    statements.len()
                ));
            }
        }
        assert!(wrong.is_empty(), "{wrong:#?}");
        assert!(
            total > 50,
            "only {total} import statements found: the scan is broken"
        );
    }

    /// No quoted relative module path is left in any module, however it is
    /// written (a dynamic `import()`, a line break after `from`): the
    /// saved page could not load it.
    #[test]
    fn no_relative_specifier_is_left() {
        let mut left = Vec::new();
        for (module, text) in modules() {
            let rewritten = rewrite(module.path, &text);
            for quote in ['\'', '"', '`'] {
                for prefix in ["./", "../"] {
                    if rewritten.contains(&format!("{quote}{prefix}")) {
                        left.push(format!("{}: {quote}{prefix}...", module.path));
                    }
                }
            }
            if rewritten.contains("import(") {
                left.push(format!("{}: a dynamic import()", module.path));
            }
        }
        assert!(left.is_empty(), "{left:#?}");
    }

    /// Every rewritten specifier names a module in the import map.
    #[test]
    fn every_rewritten_specifier_is_a_module() {
        for (module, text) in modules() {
            let rewritten = rewrite(module.path, &text);
            for (start, end) in specifiers(&rewritten) {
                let spec = &rewritten[start..end];
                let target = spec
                    .strip_prefix(SCHEME)
                    .unwrap_or_else(|| panic!("{}: {spec} is not the page's scheme", module.path));
                assert!(
                    asset(target).is_some_and(|a| is_module(a.path)),
                    "{}: {spec} is not a module",
                    module.path
                );
            }
        }
    }

    #[test]
    fn the_styles_the_page_is_written_in_are_recognised() {
        let text = "import {a} from './a.js';\nimport { b } from \"../b.js\";\nimport './c.js';\n\
                    import {\n  d,\n} from './d/d.js';\nexport { e } from './e.js';\n\
                    import x from '../../vendor/x.mjs';\nimport z from 'zlib';\n\
                    const s = 'not from here';\nsubtle.importKey('raw');\n";
        let out = rewrite("js/ui/m.js", text);
        for spec in [
            "'provenant-page:js/ui/a.js'",
            "\"provenant-page:js/b.js\"",
            "'provenant-page:js/ui/c.js'",
            "'provenant-page:js/ui/d/d.js'",
            "'provenant-page:js/ui/e.js'",
            "'provenant-page:vendor/x.mjs'",
        ] {
            assert!(out.contains(spec), "{spec} missing from {out}");
        }
        assert!(out.contains("from 'zlib'") && out.contains("'not from here'"));
        assert!(out.contains("importKey('raw')"));
    }

    #[test]
    fn the_import_map_is_json_of_every_module() {
        let map = import_map();
        let count = modules().count();
        assert_eq!(
            map.matches("\": \"data:text/javascript;base64,").count(),
            count
        );
        for (module, _) in modules() {
            assert!(
                map.contains(&format!("\"{SCHEME}{}\"", module.path)),
                "{}",
                module.path
            );
        }
        assert!(!map.contains('<'), "a map that could close its <script>");
        assert!(count > 10);
    }

    #[test]
    fn specifiers_resolve_as_a_browser_would() {
        assert_eq!(
            resolve("js/ui/a.js", "./b.js").as_deref(),
            Some("js/ui/b.js")
        );
        assert_eq!(
            resolve("js/ui/a.js", "../v/b.js").as_deref(),
            Some("js/v/b.js")
        );
        assert_eq!(
            resolve("js/ui/a.js", "../../vendor/q.mjs").as_deref(),
            Some("vendor/q.mjs")
        );
        assert_eq!(resolve("js/a.js", "../../x.js"), None);
        assert_eq!(resolve("js/a.js", "x.js"), None);
    }
}

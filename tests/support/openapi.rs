//! Every JSON answer and problem the end-to-end tests receive through
//! [`super::Server`]'s helpers is checked against the OpenAPI document:
//! the schema of the route's answer for its status and media type. An
//! answer the document does not describe (a route, a status or a media
//! type it lacks, or a body its schema refuses) fails the test.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};

use jsonschema::Validator;
use serde_json::{Value, json};

/// The generated document, and the validators built from it so far.
pub struct Document {
    doc: Value,
    validators: Mutex<HashMap<String, Arc<Validator>>>,
}

static DOCUMENT: LazyLock<Document> =
    LazyLock::new(|| Document::new(provenant_api::openapi::document()));

/// Checks one answer against the service's document.
pub fn check(method: &str, url: &str, status: u16, content_type: &str, body: &Value) {
    if let Err(e) = DOCUMENT.check(method, url, status, content_type, body) {
        panic!(
            "{method} {url} answered {status} {content_type} off its OpenAPI schema: {e}\n{body}"
        );
    }
}

impl Document {
    pub fn new(doc: Value) -> Self {
        Self {
            doc,
            validators: Mutex::new(HashMap::new()),
        }
    }

    /// The document's path template that `path` (no query) matches.
    pub fn template(&self, path: &str) -> Option<&str> {
        let concrete: Vec<&str> = path.split('/').collect();
        let paths = self.doc["paths"].as_object()?;
        paths.keys().map(String::as_str).find(|template| {
            let parts: Vec<&str> = template.split('/').collect();
            let rest = parts.last().is_some_and(|p| p.starts_with('{'));
            let fits = |(t, c): (&&str, &&str)| (t.starts_with('{') && !c.is_empty()) || t == c;
            parts.len() == concrete.len() && parts.iter().zip(&concrete).all(fits)
                // A tile path keeps its slashes.
                || (rest && template.starts_with("/tile/") && path.starts_with("/tile/"))
        })
    }

    /// The schema of the answer of `method url` with `status` in
    /// `content_type`, or why there is none.
    pub fn schema(
        &self,
        method: &str,
        url: &str,
        status: u16,
        content_type: &str,
    ) -> Result<&Value, String> {
        let path = url.split('?').next().unwrap_or_default();
        let template = self
            .template(path)
            .ok_or_else(|| format!("no path of the document matches {path}"))?;
        let operation = &self.doc["paths"][template][method.to_ascii_lowercase()];
        let responses = operation["responses"]
            .as_object()
            .ok_or_else(|| format!("{method} {template} is not in the document"))?;
        let range = format!("{}XX", status / 100);
        let response = [status.to_string(), range, "default".to_owned()]
            .iter()
            .find_map(|key| responses.get(key))
            .ok_or_else(|| format!("status {status} of {method} {template} is not documented"))?;
        let media = content_type.split(';').next().unwrap_or_default().trim();
        response["content"][media]
            .get("schema")
            .ok_or_else(|| format!("{media} is not an answer of {method} {template} {status}"))
    }

    /// A validator of `schema`, whose references point into the document.
    fn validator(&self, schema: &Value) -> Result<Arc<Validator>, String> {
        let key = schema.to_string();
        let mut cache = self.validators.lock().unwrap();
        if let Some(v) = cache.get(&key) {
            return Ok(Arc::clone(v));
        }
        let root = json!({
            "$schema": self.doc["jsonSchemaDialect"],
            "allOf": [schema],
            "components": self.doc["components"],
        });
        let validator = Arc::new(
            jsonschema::validator_for(&root)
                .map_err(|e| format!("the schema does not compile: {e}"))?,
        );
        cache.insert(key, Arc::clone(&validator));
        Ok(validator)
    }

    /// Checks `body` against the answer's schema.
    pub fn check(
        &self,
        method: &str,
        url: &str,
        status: u16,
        content_type: &str,
        body: &Value,
    ) -> Result<(), String> {
        let schema = self.schema(method, url, status, content_type)?;
        let errors: Vec<String> = self
            .validator(schema)?
            .iter_errors(body)
            .map(|e| format!("at {}: {e}", e.instance_path()))
            .take(5)
            .collect();
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors.join("; "))
        }
    }

    /// The document itself, for tests that change it.
    pub fn value_mut(&mut self) -> &mut Value {
        &mut self.doc
    }
}

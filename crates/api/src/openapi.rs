//! The service's OpenAPI 3.1 document, generated: the paths from the
//! route definitions ([`crate::routes`]), the request bodies, query
//! parameters and answers from the JSON Schemas (2020-12, the dialect of
//! OpenAPI 3.1) that `schemars` derives from the types themselves, and the
//! problem body for every error. Nothing in it is written by hand but the
//! one-line summaries, so it cannot drift from the types; the payload of
//! each entry kind carries the limits the rules enforce
//! (`provenant_model::schema`).
//!
//! The server builds it once at start-up and serves it at
//! `GET /v1/openapi.json` ([`GetOpenApi`]).

use std::any::type_name;

use schemars::generate::SchemaSettings;
use schemars::{JsonSchema, SchemaGenerator};
use serde_json::{Map, Value, json};

use crate::problem::CONTENT_TYPE as PROBLEM;
use crate::routes::{
    CheckLicense, Endpoint, GetCheckpoint, GetCredential, GetDesign, GetEntry, GetGrant, GetLog,
    GetOpenApi, GetSimilar, GetTile, GetTlogCheckpoint, GetWitnessedCheckpoint, Health,
    IdentifyFile, Input, KeyEntries, ListDesigns, Metrics, ProveConsistency, ProveInclusion, Ready,
    SplitRoyalty, StateRoyalties, SubmitBatch, SubmitEntry,
};
use crate::{Problem, WriteQuery};
use provenant_model::{DesignId, GrantId};

/// The JSON Schema dialect of every schema in the document.
pub const DIALECT: &str = "https://json-schema.org/draft/2020-12/schema";

/// Where the named schemas live in the document.
pub const SCHEMAS: &str = "/components/schemas";

/// How a route's answer is written.
#[derive(Clone, Copy)]
enum Answer {
    /// The endpoint's `Response` type as JSON.
    Json,
    /// Plain text.
    Text(&'static str),
    /// Bytes.
    Bytes(&'static str),
}

/// What the document says of one route beyond its types.
struct Operation {
    summary: &'static str,
    /// The success statuses and what each means.
    ok: &'static [(u16, &'static str)],
    answer: Answer,
    /// The schema of the path's one parameter, if any.
    parameter: Option<Value>,
    /// A write route: its query string is [`WriteQuery`].
    write: bool,
}

impl Operation {
    fn new(summary: &'static str) -> Self {
        Self {
            summary,
            ok: &[(200, "The answer.")],
            answer: Answer::Json,
            parameter: None,
            write: false,
        }
    }
}

/// The document under construction: the schema generator and the paths.
struct Builder {
    generator: SchemaGenerator,
    paths: Map<String, Value>,
}

impl Builder {
    fn schema<T: JsonSchema + ?Sized>(&mut self) -> Value {
        self.generator.subschema_for::<T>().to_value()
    }

    /// The query parameters of a request type: one per member of its
    /// object schema, required as the type requires it.
    fn query<T: JsonSchema>(&mut self) -> Vec<Value> {
        let schema = T::json_schema(&mut self.generator).to_value();
        let required: Vec<&str> = schema["required"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        let Some(members) = schema["properties"].as_object() else {
            return Vec::new();
        };
        members
            .iter()
            .map(|(name, member)| {
                let mut member = not_null(member.clone());
                let description = member
                    .as_object_mut()
                    .and_then(|m| m.remove("description"))
                    .unwrap_or(Value::Null);
                json!({
                    "name": name,
                    "in": "query",
                    "required": required.contains(&name.as_str()),
                    "description": description,
                    "schema": member,
                })
            })
            .collect()
    }

    fn add<E: Endpoint>(&mut self, op: Operation)
    where
        E::Request: JsonSchema,
        E::Response: JsonSchema,
    {
        let route = E::ROUTE;
        let path = route.path.replace("{*", "{");
        let mut operation = json!({
            "operationId": type_name::<E>().rsplit("::").next().unwrap_or_default(),
            "summary": op.summary,
        });
        let mut parameters = Vec::new();
        if let (Some(schema), Some(open), Some(close)) =
            (op.parameter, path.find('{'), path.find('}'))
        {
            parameters.push(json!({
                "name": &path[open + 1..close],
                "in": "path",
                "required": true,
                "schema": schema,
            }));
        }
        if op.write {
            parameters.extend(self.query::<WriteQuery>());
        }
        match route.input {
            Input::None => {}
            Input::Query => parameters.extend(self.query::<E::Request>()),
            Input::Json => {
                let schema = self.schema::<E::Request>();
                operation["requestBody"] = json!({
                    "required": true,
                    "content": {"application/json": {"schema": schema}},
                });
            }
            Input::Bytes => {
                operation["requestBody"] = json!({
                    "required": true,
                    "content": {"application/octet-stream": {
                        "schema": {"type": "string", "contentMediaType": "application/octet-stream"},
                    }},
                });
            }
        }
        if !parameters.is_empty() {
            operation["parameters"] = Value::Array(parameters);
        }
        let content = match op.answer {
            Answer::Json => json!({"application/json": {"schema": self.schema::<E::Response>()}}),
            Answer::Text(media) => json!({media: {"schema": {"type": "string"}}}),
            Answer::Bytes(media) => json!({media: {
                "schema": {"type": "string", "contentMediaType": media},
            }}),
        };
        let mut responses = Map::new();
        for (status, description) in op.ok {
            responses.insert(
                status.to_string(),
                json!({"description": description, "content": content}),
            );
        }
        let problem = json!({PROBLEM: {"schema": self.schema::<Problem>()}});
        responses.insert(
            "4XX".to_owned(),
            json!({
                "description": "Refused: an RFC 9457 problem whose `type` names the rule \
                    (a rule of the ledger, a malformed request, a limit).",
                "content": problem,
            }),
        );
        responses.insert(
            "5XX".to_owned(),
            json!({
                "description": "Not the caller's fault: a `503` (busy, shutting down, storage \
                    failing) carries `Retry-After` and may be retried.",
                "content": problem,
            }),
        );
        operation["responses"] = Value::Object(responses);
        let method = route.method.as_str().to_ascii_lowercase();
        let item = self
            .paths
            .entry(path)
            .or_insert_with(|| Value::Object(Map::new()));
        item[method] = operation;
    }
}

/// Descriptions without rustdoc's link brackets: "[`MAX_PAGE`]" reads
/// "`MAX_PAGE`" (descriptions are the types' doc comments).
fn plain_descriptions(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (key, member) in map.iter_mut() {
                match member {
                    Value::String(text) if key == "description" => {
                        *text = text.replace("[`", "`").replace("`]", "`");
                    }
                    _ => plain_descriptions(member),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(plain_descriptions),
        _ => {}
    }
}

/// What the service writes in every problem: a `type`, a `title`, a
/// `status` and a `detail` (a reader defaults them, for proxies' problems).
pub fn problem_members(schema: &mut schemars::Schema) {
    schema.insert(
        "required".to_owned(),
        json!(["type", "title", "status", "detail"]),
    );
}

/// A member schema without its `null` alternative: a query parameter is
/// present or absent, never null.
fn not_null(schema: Value) -> Value {
    let alternatives = schema
        .get("anyOf")
        .or_else(|| schema.get("oneOf"))
        .and_then(Value::as_array);
    if let Some(list) = alternatives {
        let rest: Vec<&Value> = list
            .iter()
            .filter(|s| s.get("type") != Some(&json!("null")))
            .collect();
        if let [only] = rest.as_slice() {
            let mut out = (*only).clone();
            if let (Some(out), Some(description)) = (out.as_object_mut(), schema.get("description"))
            {
                out.insert("description".to_owned(), description.clone());
            }
            return out;
        }
    }
    if let Some(Value::Array(types)) = schema.get("type") {
        let rest: Vec<&Value> = types.iter().filter(|t| *t != "null").collect();
        if let [only] = rest.as_slice() {
            let mut out = schema.clone();
            out["type"] = (*only).clone();
            return out;
        }
    }
    schema
}

/// The two write routes, with their `wait` query.
fn writes(b: &mut Builder) {
    b.add::<SubmitEntry>(Operation {
        ok: &[
            (201, "A new entry: its receipt."),
            (
                200,
                "The envelope was already logged: its original receipt.",
            ),
            (
                202,
                "With `wait=witnessed`: the entry is logged (durably, as with \
                    `201` or `200`), but no checkpoint covering it was cosigned by \
                    the witness quorum in time; the receipt is proven under the \
                    log's own checkpoint.",
            ),
        ],
        write: true,
        ..Operation::new("Write a signed envelope")
    });
    b.add::<SubmitBatch>(Operation {
        ok: &[
            (
                200,
                "One result per envelope, in order: its receipt (`201` new, \
                `200` already logged) or its problem. The batch itself is \
                refused only when it is not a readable batch.",
            ),
            (
                202,
                "With `wait=witnessed`: as `200`, but no checkpoint covering \
                    the batch was cosigned by the witness quorum in time; the \
                    receipts are proven under the log's own checkpoint.",
            ),
        ],
        write: true,
        ..Operation::new("Write many signed envelopes, each answered on its own")
    });
}

/// The whole OpenAPI 3.1 document.
#[must_use]
pub fn document() -> Value {
    let settings = SchemaSettings::draft2020_12().with(|s| {
        s.definitions_path = SCHEMAS.into();
        s.meta_schema = None;
    });
    let mut b = Builder {
        generator: settings.into_generator(),
        paths: Map::new(),
    };
    let text = Answer::Text("text/plain");
    writes(&mut b);
    let parameter = Some(b.schema::<u64>());
    b.add::<GetEntry>(Operation {
        parameter,
        ..Operation::new("Read an entry back")
    });
    b.add::<GetLog>(Operation::new("What a client needs to verify the log"));
    b.add::<GetCheckpoint>(Operation {
        answer: text,
        ..Operation::new("The latest signed checkpoint (C2SP signed note)")
    });
    b.add::<GetTlogCheckpoint>(Operation {
        answer: text,
        ..Operation::new("The latest signed checkpoint, where C2SP tlog-tiles clients look")
    });
    b.add::<GetWitnessedCheckpoint>(Operation {
        answer: text,
        ..Operation::new(
            "The latest checkpoint cosigned by the witness quorum (C2SP signed note with \
                cosignatures)",
        )
    });
    b.add::<GetTile>(Operation {
        answer: Answer::Bytes("application/octet-stream"),
        parameter: Some(json!({
            "type": "string",
            "description": "The tile's path, slashes included (C2SP tlog-tiles): \
                `{level}/{index}[.p/{width}]` or `entries/{index}[.p/{width}]`.",
        })),
        ..Operation::new("A C2SP hash tile or entry bundle")
    });
    b.add::<ProveInclusion>(Operation::new("The inclusion proof of an entry"));
    b.add::<ProveConsistency>(Operation::new("The consistency proof between two sizes"));
    b.add::<ListDesigns>(Operation::new(
        "The designs a key owns a share of, or that are licensed to it",
    ));
    b.add::<IdentifyFile>(Operation::new("Is this file registered, and by whom?"));
    state_reads(&mut b);
    b.add::<CheckLicense>(Operation::new(
        "May this licensee do this, here, now, this many times?",
    ));
    b.add::<SplitRoyalty>(Operation::new(
        "Who gets what of one revenue, each link under its grant's policy",
    ));
    b.add::<StateRoyalties>(Operation::new("Payouts per payee over many sales"));
    statement_as_csv(&mut b);
    b.add::<GetOpenApi>(Operation::new("This document"));
    b.add::<Health>(Operation {
        answer: text,
        ..Operation::new("`ok` while the process serves")
    });
    b.add::<Ready>(Operation {
        answer: text,
        ..Operation::new("`ready` while the ledger can write")
    });
    b.add::<Metrics>(Operation {
        answer: Answer::Text("text/plain; version=0.0.4"),
        ..Operation::new("Prometheus metrics")
    });
    let mut schemas = Value::Object(b.generator.take_definitions(true));
    plain_descriptions(&mut schemas);
    let mut paths = Value::Object(b.paths);
    plain_descriptions(&mut paths);
    json!({
        "openapi": "3.1.0",
        "jsonSchemaDialect": DIALECT,
        "info": {
            "title": "Provenant",
            "version": env!("CARGO_PKG_VERSION"),
            "license": {"name": "Apache-2.0", "identifier": "Apache-2.0"},
            "description": "A provenance and licensing ledger for co-created designs. Every \
                write is answered with a receipt that verifies offline; every answer about \
                state names its checkpoint and carries inclusion proofs. Errors are RFC 9457 \
                problems whose `type`, https://provenant.dev/problems/<rule>, names the rule.",
        },
        "paths": paths,
        "components": {"schemas": schemas},
    })
}

/// The reads of one design, grant or key, each with its path parameter.
fn state_reads(b: &mut Builder) {
    let parameter = Some(b.schema::<DesignId>());
    b.add::<GetDesign>(Operation {
        parameter: parameter.clone(),
        ..Operation::new("A design, proven")
    });
    b.add::<GetSimilar>(Operation {
        parameter: parameter.clone(),
        ..Operation::new("Registered designs whose image looks like this design's")
    });
    b.add::<GetCredential>(Operation {
        parameter,
        answer: Answer::Bytes("application/c2pa"),
        ..Operation::new(
            "The design's C2PA Content Credential: a sidecar manifest store bound to its \
                bytes by their SHA-256",
        )
    });
    let parameter = Some(b.schema::<GrantId>());
    b.add::<GetGrant>(Operation {
        parameter,
        ..Operation::new("A grant with its units used, proven")
    });
    let parameter = Some(json!({
        "type": "string",
        "description": "The key's `ed25519:` identity, percent-encoded.",
    }));
    b.add::<KeyEntries>(Operation {
        parameter,
        ..Operation::new("The entries a key signed, proven")
    });
}

/// The statement route also takes its sales as CSV.
fn statement_as_csv(b: &mut Builder) {
    let path = StateRoyalties::ROUTE.path;
    let operation = &mut b.paths[path]["post"];
    operation["requestBody"]["content"]["text/csv"] = json!({
        "schema": {
            "type": "string",
            "description": "One sale a line under the header `design,amount_minor,currency`.",
        },
    });
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;
    use crate::routes::ALL;

    #[test]
    fn every_route_and_nothing_else() {
        let doc = document();
        let documented: BTreeSet<(String, String)> = doc["paths"]
            .as_object()
            .unwrap()
            .iter()
            .flat_map(|(path, item)| {
                item.as_object()
                    .unwrap()
                    .keys()
                    .map(|m| (m.to_ascii_uppercase(), path.clone()))
                    .collect::<Vec<_>>()
            })
            .collect();
        let routes: BTreeSet<(String, String)> = ALL
            .iter()
            .map(|r| (r.method.as_str().to_owned(), r.path.replace("{*", "{")))
            .collect();
        assert_eq!(documented, routes);
    }

    #[test]
    fn every_reference_resolves() {
        let doc = document();
        let text = doc.to_string();
        let schemas = doc["components"]["schemas"].as_object().unwrap();
        let prefix = format!("\"#{SCHEMAS}/");
        for piece in text.split(&prefix).skip(1) {
            let name = piece.split('"').next().unwrap();
            assert!(schemas.contains_key(name), "{name}");
        }
        // Payloads have their schemas, not a bare object.
        for kind in provenant_model::Kind::ALL {
            let name = kind
                .as_str()
                .split('.')
                .map(|w| w[..1].to_ascii_uppercase() + &w[1..])
                .collect::<String>();
            assert!(schemas.contains_key(&format!("{name}Envelope")), "{name}");
            assert!(schemas.contains_key(&name), "{name}");
        }
    }
}

//! `GET /v1/designs/{id}/c2pa`: a registered design's C2PA Content
//! Credential, a sidecar manifest store signed with the operator's C2PA
//! certificate (see `provenant_c2pa`; the `c2pa` feature).

#[cfg(feature = "c2pa")]
use std::sync::Arc;

use axum::extract::{Extension, State};
use axum::http::StatusCode;
#[cfg(feature = "c2pa")]
use axum::http::{HeaderValue, header};
#[cfg(feature = "c2pa")]
use axum::response::IntoResponse as _;
use axum::response::Response;
#[cfg(feature = "c2pa")]
use provenant_c2pa::{Credential, Issuer, Parent};
use provenant_ledger::Ledger;
use provenant_model::DesignId;
#[cfg(feature = "c2pa")]
use provenant_model::Receipt;

use crate::path::PathText;
use crate::{ComputePool, Problem};

/// The issuer of Content Credentials, when the operator configured one,
/// given to the handler as a request extension.
#[derive(Clone, Debug, Default)]
pub struct Credentials {
    /// The issuer.
    #[cfg(feature = "c2pa")]
    pub issuer: Option<Arc<Issuer>>,
}

impl Credentials {
    /// Credentials signed by `issuer`.
    #[cfg(feature = "c2pa")]
    #[must_use]
    pub fn signed_by(issuer: Issuer) -> Self {
        Credentials {
            issuer: Some(Arc::new(issuer)),
        }
    }

    /// Whether an issuer is configured.
    #[must_use]
    pub fn configured(&self) -> bool {
        #[cfg(feature = "c2pa")]
        return self.issuer.is_some();
        #[cfg(not(feature = "c2pa"))]
        false
    }
}

/// A read that should have found something the store holds: a `500`.
#[cfg(feature = "c2pa")]
fn missing(what: &str) -> Problem {
    provenant_ledger::ReadError::Store(provenant_ledger::store::StoreError::missing(what)).into()
}

/// The handler.
///
/// # Errors
/// `400` for a malformed id, `404` for an unknown design (with the proof
/// of its absence), `409 design-disputed` for a design a dispute blocks
/// (a credential would vouch for what is contested), `501
/// c2pa-not-configured` when the operator gave no signing certificate,
/// `503 compute-busy` when the pool is full.
pub async fn credential(
    State(ledger): State<Ledger>,
    Extension(credentials): Extension<Credentials>,
    Extension(pool): Extension<ComputePool>,
    PathText(text): PathText,
) -> Result<Response, Problem> {
    let design: DesignId = crate::queries::id(&text, "design")?;
    #[cfg(feature = "c2pa")]
    if let Some(issuer) = credentials.issuer {
        return sign(&ledger, issuer, &pool, design).await;
    }
    #[cfg(not(feature = "c2pa"))]
    let _ = (ledger, credentials, pool, design);
    Err(Problem::new(
        StatusCode::NOT_IMPLEMENTED,
        "c2pa-not-configured",
        "Content Credentials not configured",
        if cfg!(feature = "c2pa") {
            "this server has no C2PA signing certificate (serve --c2pa-chain and --c2pa-key)"
        } else {
            "this server was built without Content Credentials (the c2pa feature)"
        },
    ))
}

/// The credential of `design`, signed by `issuer` on the compute pool.
#[cfg(feature = "c2pa")]
async fn sign(
    ledger: &Ledger,
    issuer: Arc<Issuer>,
    pool: &ComputePool,
    design: DesignId,
) -> Result<Response, Problem> {
    let report = crate::queries::registered(ledger, &design)?;
    if let Some(blocked) = &report.answer.state.blocked_by {
        return Err(Problem::new(
            StatusCode::CONFLICT,
            "design-disputed",
            "Design disputed",
            format!(
                "design {design} is blocked by dispute {} ({} in all): no Content Credential \
                 vouches for a contested design",
                blocked.dispute, blocked.disputes
            ),
        ));
    }
    let registered = report.answer.state.registered;
    let proof = report
        .proofs
        .iter()
        .find(|p| p.index == registered.index)
        .ok_or_else(|| missing("the registration's inclusion proof"))?;
    let entry = ledger.entry(registered.index)?;
    let receipt = Receipt::new(
        &entry,
        registered.index,
        proof.inclusion_proof.clone(),
        report.checkpoint.clone(),
    )
    .map_err(|e| {
        tracing::error!(error = %e, "a registration's receipt");
        missing("the registration's receipt")
    })?;
    let mut parents = Vec::with_capacity(report.answer.state.parents.len());
    for link in &report.answer.state.parents {
        let parent = ledger.design(&link.design)?;
        parents.push(Parent {
            design: link.design,
            title: parent.answer.details.title,
            media_type: parent.answer.details.content.media_type,
        });
    }
    let details = report.answer.details;
    let signed = pool
        .run(move |_| {
            issuer.sign(&Credential {
                details: &details,
                parents,
                receipt: &receipt,
            })
        })
        .await?
        .map_err(|e| {
            tracing::error!(error = %e, "signing a Content Credential");
            Problem::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "Internal error",
                "the Content Credential could not be signed",
            )
        })?;
    let mut response = signed.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(provenant_c2pa::MEDIA_TYPE),
    );
    if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"{design}.c2pa\"")) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    Ok(response)
}

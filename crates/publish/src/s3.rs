//! An S3-compatible bucket through `object_store`: create-only puts are
//! `If-None-Match: *`, replaces are `If-Match` on the `ETag`.

use bytes::Bytes;
use futures_util::TryStreamExt;
use object_store::aws::{AmazonS3, AmazonS3Builder, AmazonS3ConfigKey, S3ConditionalPut};
use object_store::path::Path;
use object_store::{
    Attribute, Attributes, ObjectStore, ObjectStoreExt, PutMode, PutOptions, PutPayload,
    UpdateVersion,
};

use crate::bucket::{BucketError, Created, Swapped, Version};
use crate::https::Connector;
use crate::target::S3Options;

/// A bucket at a prefix.
#[derive(Debug)]
pub struct S3Bucket {
    store: AmazonS3,
    prefix: String,
}

impl S3Bucket {
    /// `bucket` at `prefix`, configured by `options` over the `AWS_*`
    /// environment.
    pub(crate) fn open(
        bucket: &str,
        prefix: &str,
        options: &S3Options,
    ) -> Result<Self, BucketError> {
        let mut builder = AmazonS3Builder::from_env();
        let given = [
            (AmazonS3ConfigKey::Endpoint, options.endpoint.clone()),
            (AmazonS3ConfigKey::Region, options.region.clone()),
            (
                AmazonS3ConfigKey::AccessKeyId,
                options.access_key_id.clone(),
            ),
            (
                AmazonS3ConfigKey::SecretAccessKey,
                options.secret_access_key.clone(),
            ),
            (
                AmazonS3ConfigKey::Client(object_store::ClientConfigKey::AllowHttp),
                options.allow_http.map(|a| a.to_string()),
            ),
        ];
        for (key, value) in given {
            if let Some(value) = value {
                builder = builder.with_config(key, value);
            }
        }
        let store = builder
            .with_bucket_name(bucket)
            .with_conditional_put(S3ConditionalPut::ETagMatch)
            .with_http_connector(Connector)
            .build()?;
        Ok(Self {
            store,
            prefix: prefix.to_owned(),
        })
    }

    fn path(&self, key: &str) -> Result<Path, BucketError> {
        let full = if self.prefix.is_empty() {
            key.to_owned()
        } else {
            format!("{}/{key}", self.prefix)
        };
        Path::parse(&full).map_err(|_| BucketError::Key(full))
    }

    fn options(mode: PutMode, cache: &'static str) -> PutOptions {
        let mut attributes = Attributes::new();
        attributes.insert(Attribute::CacheControl, cache.into());
        attributes.insert(Attribute::ContentType, content_type(cache).into());
        PutOptions {
            mode,
            attributes,
            ..PutOptions::default()
        }
    }

    pub(crate) async fn create(
        &self,
        key: &str,
        bytes: Bytes,
        cache: &'static str,
    ) -> Result<Created, BucketError> {
        let options = Self::options(PutMode::Create, cache);
        match self
            .store
            .put_opts(&self.path(key)?, PutPayload::from(bytes), options)
            .await
        {
            Ok(_) => Ok(Created::New),
            Err(object_store::Error::AlreadyExists { .. }) => Ok(Created::Existed),
            Err(e) => Err(e.into()),
        }
    }

    pub(crate) async fn get(&self, key: &str) -> Result<Option<(Bytes, Version)>, BucketError> {
        match self.store.get(&self.path(key)?).await {
            Ok(got) => {
                let version = Version {
                    etag: got.meta.e_tag.clone(),
                    version: got.meta.version.clone(),
                };
                Ok(Some((got.bytes().await?, version)))
            }
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    pub(crate) async fn swap(
        &self,
        key: &str,
        bytes: Bytes,
        cache: &'static str,
        expected: Option<&Version>,
    ) -> Result<Swapped, BucketError> {
        let mode = expected.map_or(PutMode::Create, |v| {
            PutMode::Update(UpdateVersion {
                e_tag: v.etag.clone(),
                version: v.version.clone(),
            })
        });
        match self
            .store
            .put_opts(
                &self.path(key)?,
                PutPayload::from(bytes),
                Self::options(mode, cache),
            )
            .await
        {
            Ok(put) => Ok(Swapped::Done(Version {
                etag: put.e_tag,
                version: put.version,
            })),
            Err(
                object_store::Error::Precondition { .. }
                | object_store::Error::AlreadyExists { .. }
                | object_store::Error::NotFound { .. },
            ) => Ok(Swapped::Lost),
            Err(e) => Err(e.into()),
        }
    }

    pub(crate) async fn list(&self, prefix: &str) -> Result<Vec<String>, BucketError> {
        let under = self.path(prefix)?;
        let strip = if self.prefix.is_empty() {
            String::new()
        } else {
            format!("{}/", self.prefix)
        };
        let found: Vec<_> = self.store.list(Some(&under)).try_collect().await?;
        Ok(found
            .into_iter()
            .map(|meta| {
                let key = meta.location.as_ref();
                key.strip_prefix(&strip).unwrap_or(key).to_owned()
            })
            .collect())
    }

    pub(crate) async fn delete(&self, key: &str) -> Result<(), BucketError> {
        match self.store.delete(&self.path(key)?).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }
}

/// The checkpoint is a signed note (text); tiles and bundles are binary.
fn content_type(cache: &'static str) -> &'static str {
    if cache == crate::NO_CACHE {
        "text/plain; charset=utf-8"
    } else {
        "application/octet-stream"
    }
}

//! Blobs in an S3-compatible object store (AWS S3, MinIO, Ceph, a cloud provider's compatible
//! service), through object_store. A blob's key is `blobs/ab/cd/<sha256>`; a finished upload is
//! sent in parts from its temporary file, so the object appears whole or not at all.

use std::path::Path;
use std::sync::Arc;

use futures_util::StreamExt;
use object_store::aws::AmazonS3Builder;
use object_store::path::Path as Key;
use object_store::{ObjectStore, ObjectStoreExt, WriteMultipart};
use tokio::io::AsyncReadExt;

use super::BlobStream;
use crate::config::StorageSettings;
use crate::error::AppError;

/// Parts of an upload to the store (S3 wants at least 5 MiB per part but the last).
const PART: usize = 8 * 1024 * 1024;

#[derive(Clone)]
pub(super) struct Remote {
    store: Arc<dyn ObjectStore>,
}

impl std::fmt::Debug for Remote {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Remote({})", self.store)
    }
}

fn key(sha256: &str) -> Key {
    Key::from(format!(
        "blobs/{}/{}/{sha256}",
        &sha256[0..2],
        &sha256[2..4]
    ))
}

fn failed(what: &str, e: impl std::fmt::Display) -> AppError {
    AppError::Internal(anyhow::anyhow!("object store, {what}: {e}"))
}

impl Remote {
    pub(super) fn s3(s: &StorageSettings) -> anyhow::Result<Remote> {
        anyhow::ensure!(
            !s.s3_bucket.trim().is_empty() && !s.s3_endpoint.trim().is_empty(),
            "storage.backend = \"s3\" needs storage.s3_endpoint and storage.s3_bucket"
        );
        // TLS to the store uses rustls with the ring provider (no system library to build).
        let _ = rustls::crypto::ring::default_provider().install_default();
        let mut builder = AmazonS3Builder::new()
            .with_endpoint(s.s3_endpoint.trim())
            .with_region(&s.s3_region)
            .with_bucket_name(s.s3_bucket.trim())
            .with_allow_http(s.s3_allow_http)
            // Path-style addressing: what MinIO and most compatible stores expect.
            .with_virtual_hosted_style_request(false);
        if !s.s3_access_key_id.is_empty() {
            builder = builder.with_access_key_id(&s.s3_access_key_id);
        }
        if let Some(secret) = &s.s3_secret_access_key {
            builder = builder.with_secret_access_key(secret.expose());
        }
        Ok(Remote {
            store: Arc::new(builder.build()?),
        })
    }

    /// Uploads a finished file under its hash, unless the same content is there already.
    pub(super) async fn put_file(&self, file: &Path, sha256: &str) -> Result<(), AppError> {
        let key = key(sha256);
        match self.store.head(&key).await {
            Ok(_) => return Ok(()),
            Err(object_store::Error::NotFound { .. }) => {}
            Err(e) => return Err(failed("looking for a blob", e)),
        }
        let mut source = tokio::fs::File::open(file)
            .await
            .map_err(|e| failed("reading an upload", e))?;
        let upload = self
            .store
            .put_multipart(&key)
            .await
            .map_err(|e| failed("starting an upload", e))?;
        let mut writer = WriteMultipart::new_with_chunk_size(upload, PART);
        let mut buf = vec![0u8; 256 * 1024];
        loop {
            let n = source
                .read(&mut buf)
                .await
                .map_err(|e| failed("reading an upload", e))?;
            if n == 0 {
                break;
            }
            // Bounds the parts in flight, so a slow store slows the upload instead of filling
            // memory.
            writer
                .wait_for_capacity(2)
                .await
                .map_err(|e| failed("uploading", e))?;
            writer.write(&buf[..n]);
        }
        writer
            .finish()
            .await
            .map_err(|e| failed("finishing an upload", e))?;
        Ok(())
    }

    pub(super) async fn get(&self, sha256: &str) -> Result<BlobStream, AppError> {
        let found = self
            .store
            .get(&key(sha256))
            .await
            .map_err(|e| failed(&format!("reading blob {sha256}"), e))?;
        Ok(Box::pin(
            found
                .into_stream()
                .map(|r| r.map_err(std::io::Error::other)),
        ))
    }
}

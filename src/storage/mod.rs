//! Blobs: files addressed by the SHA-256 of their content, in a local folder
//! (`storage.blob_dir`) or an S3-compatible object store (`storage.backend = "s3"`). Uploads
//! stream to a temporary file in the local folder while they are hashed and checked, and only
//! a complete file is moved (renamed, or uploaded in parts) to its address, so an interrupted
//! upload leaves nothing half-written where a reader could find it, and the whole file is
//! never held in memory.

mod remote;
pub mod sniff;

use std::path::{Path, PathBuf};
use std::pin::Pin;

use futures_util::{Stream, StreamExt};
use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;

pub use sniff::FileKind;

use crate::config::{StorageBackend, StorageSettings};
use crate::error::{AppError, ErrorKind};

/// A stored blob's bytes, as they are read.
pub type BlobStream = Pin<Box<dyn Stream<Item = std::io::Result<bytes::Bytes>> + Send>>;

/// A stored blob.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stored {
    /// Hex SHA-256 of the content; also its address.
    pub sha256: String,
    pub size: u64,
    pub kind: FileKind,
}

#[derive(Debug, Clone)]
pub struct BlobStore {
    root: PathBuf,
    /// The object store blobs go to, when not the local folder.
    remote: Option<remote::Remote>,
}

/// Deletes a temporary file unless it was moved into the store.
struct TempFile(Option<PathBuf>);

impl TempFile {
    fn keep(mut self) -> PathBuf {
        self.0.take().unwrap_or_default()
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if let Some(path) = self.0.take() {
            let _ = std::fs::remove_file(path);
        }
    }
}

/// Names the limit, so that whoever is refused knows what would have been accepted.
pub fn file_too_large(limit: u64) -> AppError {
    AppError::client(
        ErrorKind::PayloadTooLarge,
        "file_too_large",
        format!(
            "the file is larger than the limit of {} ({limit} bytes)",
            size_text(limit)
        ),
    )
}

/// "25 MiB", "1.5 MiB", "512 KiB": for messages, which name the limit.
pub fn size_text(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["bytes", "KiB", "MiB", "GiB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    let rounded = (value * 10.0).round() / 10.0;
    if unit == 0 || rounded.fract() == 0.0 {
        format!("{} {}", rounded as u64, UNITS[unit])
    } else {
        format!("{rounded:.1} {}", UNITS[unit])
    }
}

pub fn file_type_not_allowed() -> AppError {
    AppError::client(
        ErrorKind::UnsupportedMediaType,
        "file_type_not_allowed",
        "only PDF, JPEG, PNG, DICOM, plain text, Ogg, WAV, IVF and WebM files are accepted",
    )
}

impl BlobStore {
    /// Opens (and creates) the store and its folder for uploads in progress. Leftovers of
    /// uploads a crash interrupted are removed.
    pub fn open(settings: &StorageSettings) -> anyhow::Result<BlobStore> {
        let remote = match settings.backend {
            StorageBackend::Local => None,
            StorageBackend::S3 => Some(remote::Remote::s3(settings)?),
        };
        let store = BlobStore {
            root: settings.blob_dir.clone(),
            remote,
        };
        let tmp = store.tmp_dir();
        if tmp.exists() {
            std::fs::remove_dir_all(&tmp)?;
        }
        std::fs::create_dir_all(&tmp)?;
        Ok(store)
    }

    fn tmp_dir(&self) -> PathBuf {
        self.root.join("tmp")
    }

    /// A fresh path for a file being written, inside the store's folder (so the final rename
    /// never crosses file systems).
    pub fn temp_path(&self, suffix: &str) -> PathBuf {
        self.tmp_dir()
            .join(format!("{}{suffix}", uuid::Uuid::new_v4().simple()))
    }

    /// Where the blob with this hash lives: `ab/cd/abcd…`, so no folder grows too large.
    pub fn path_of(&self, sha256: &str) -> Option<PathBuf> {
        let valid = sha256.len() == 64
            && sha256
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        valid.then(|| {
            self.root
                .join(&sha256[0..2])
                .join(&sha256[2..4])
                .join(sha256)
        })
    }

    /// Streams an upload into the store: at most `limit` bytes, of an accepted kind.
    pub async fn put_stream<S, E>(&self, mut body: S, limit: u64) -> Result<Stored, AppError>
    where
        S: Stream<Item = Result<bytes::Bytes, E>> + Unpin,
        E: std::fmt::Display,
    {
        let temp = TempFile(Some(self.temp_path(".part")));
        let path = temp.0.clone().unwrap_or_default();
        let mut file = tokio::fs::File::create(&path)
            .await
            .map_err(|e| AppError::Internal(anyhow::anyhow!("creating {}: {e}", path.display())))?;
        let mut hasher = Sha256::new();
        let mut size: u64 = 0;
        let mut head: Vec<u8> = Vec::with_capacity(sniff::SNIFF_LEN);
        let mut kind = None;
        while let Some(chunk) = body.next().await {
            let chunk = chunk.map_err(|e| {
                AppError::bad_request("upload_interrupted", format!("the upload broke off: {e}"))
            })?;
            size += chunk.len() as u64;
            if size > limit {
                return Err(file_too_large(limit));
            }
            if kind.is_none() {
                let take = (sniff::SNIFF_LEN - head.len()).min(chunk.len());
                head.extend_from_slice(&chunk[..take]);
                if head.len() == sniff::SNIFF_LEN {
                    kind = Some(sniff::sniff(&head).ok_or_else(file_type_not_allowed)?);
                }
            }
            hasher.update(&chunk);
            file.write_all(&chunk)
                .await
                .map_err(|e| AppError::Internal(anyhow::anyhow!("writing an upload: {e}")))?;
        }
        let kind = match kind {
            Some(k) => k,
            None => sniff::sniff(&head).ok_or_else(file_type_not_allowed)?,
        };
        file.sync_all()
            .await
            .map_err(|e| AppError::Internal(anyhow::anyhow!("syncing an upload: {e}")))?;
        drop(file);
        let sha256 = hex::encode(hasher.finalize());
        self.place(temp, &sha256).await?;
        Ok(Stored { sha256, size, kind })
    }

    /// Moves a finished file (written under [`Self::temp_path`]) into the store.
    pub async fn put_file(&self, path: PathBuf) -> Result<Stored, AppError> {
        let temp = TempFile(Some(path.clone()));
        let (sha256, size, head) = tokio::task::spawn_blocking(move || hash_file(&path))
            .await
            .map_err(|e| AppError::Internal(anyhow::anyhow!("hashing task: {e}")))?
            .map_err(|e| AppError::Internal(anyhow::anyhow!("hashing a file: {e}")))?;
        let kind = sniff::sniff(&head).ok_or_else(file_type_not_allowed)?;
        self.place(temp, &sha256).await?;
        Ok(Stored { sha256, size, kind })
    }

    async fn place(&self, temp: TempFile, sha256: &str) -> Result<(), AppError> {
        if let Some(remote) = &self.remote {
            let from = temp.0.clone().unwrap_or_default();
            // The temporary file goes with `temp` whether the upload succeeds or not.
            return remote.put_file(&from, sha256).await;
        }
        let target = self
            .path_of(sha256)
            .ok_or_else(|| AppError::Internal(anyhow::anyhow!("bad hash {sha256}")))?;
        if tokio::fs::try_exists(&target).await.unwrap_or(false) {
            // The same content is already stored; the temporary copy goes.
            return Ok(());
        }
        if let Some(dir) = target.parent() {
            tokio::fs::create_dir_all(dir).await.map_err(|e| {
                AppError::Internal(anyhow::anyhow!("creating {}: {e}", dir.display()))
            })?;
        }
        let from = temp.keep();
        tokio::fs::rename(&from, &target).await.map_err(|e| {
            let _ = std::fs::remove_file(&from);
            AppError::Internal(anyhow::anyhow!("storing a blob: {e}"))
        })
    }

    /// A stored blob's bytes, streamed.
    pub async fn open_blob(&self, sha256: &str) -> Result<BlobStream, AppError> {
        let path = self
            .path_of(sha256)
            .ok_or_else(|| AppError::not_found("file"))?;
        if let Some(remote) = &self.remote {
            return remote.get(sha256).await;
        }
        let file = tokio::fs::File::open(&path).await.map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                AppError::Internal(anyhow::anyhow!("blob {sha256} is missing from the store"))
            } else {
                AppError::Internal(anyhow::anyhow!("opening blob {sha256}: {e}"))
            }
        })?;
        Ok(Box::pin(tokio_util::io::ReaderStream::new(file)))
    }
}

fn hash_file(path: &Path) -> std::io::Result<(String, u64, Vec<u8>)> {
    use std::io::Read;
    let mut file = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut head = Vec::with_capacity(sniff::SNIFF_LEN);
    let mut buf = vec![0u8; 64 * 1024];
    let mut size = 0u64;
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        if head.len() < sniff::SNIFF_LEN {
            let take = (sniff::SNIFF_LEN - head.len()).min(n);
            head.extend_from_slice(&buf[..take]);
        }
        hasher.update(&buf[..n]);
        size += n as u64;
    }
    Ok((hex::encode(hasher.finalize()), size, head))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_are_named_in_binary_units() {
        assert_eq!(size_text(213), "213 bytes");
        assert_eq!(size_text(26_214_400), "25 MiB");
        assert_eq!(size_text(1_572_864), "1.5 MiB");
        assert_eq!(size_text(65_536), "64 KiB");
        assert!(file_too_large(26_214_400).to_string().contains("25 MiB"));
    }

    fn local(dir: &Path) -> StorageSettings {
        let mut s = crate::config::Settings::embedded().unwrap().storage;
        s.blob_dir = dir.to_owned();
        s
    }

    fn chunks(
        parts: Vec<&'static [u8]>,
    ) -> impl Stream<Item = Result<bytes::Bytes, String>> + Unpin {
        futures_util::stream::iter(parts.into_iter().map(|p| Ok(bytes::Bytes::from_static(p))))
    }

    #[tokio::test]
    async fn a_stream_is_stored_under_its_hash() {
        let dir = tempfile::tempdir().unwrap();
        let store = BlobStore::open(&local(dir.path())).unwrap();
        let stored = store
            .put_stream(chunks(vec![b"%PDF-1.4\n", b"rest of it"]), 1000)
            .await
            .unwrap();
        assert_eq!(stored.kind, FileKind::Pdf);
        assert_eq!(stored.size, 19);
        assert_eq!(
            stored.sha256,
            hex::encode(Sha256::digest(b"%PDF-1.4\nrest of it"))
        );
        let path = store.path_of(&stored.sha256).unwrap();
        assert_eq!(std::fs::read(path).unwrap(), b"%PDF-1.4\nrest of it");
        assert_eq!(std::fs::read_dir(store.tmp_dir()).unwrap().count(), 0);
    }

    #[tokio::test]
    async fn too_large_or_wrong_kind_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let store = BlobStore::open(&local(dir.path())).unwrap();
        let err = store
            .put_stream(chunks(vec![b"%PDF-1.4\n", b"0123456789"]), 12)
            .await
            .unwrap_err();
        assert_eq!(err.code(), "file_too_large");
        let err = store
            .put_stream(chunks(vec![b"MZ\x90\0\x03\0\0\0"]), 100)
            .await
            .unwrap_err();
        assert_eq!(err.code(), "file_type_not_allowed");
        let broken = futures_util::stream::iter(vec![
            Ok(bytes::Bytes::from_static(b"%PDF-1.4")),
            Err("connection reset".to_owned()),
        ]);
        let err = store.put_stream(broken, 100).await.unwrap_err();
        assert_eq!(err.code(), "upload_interrupted");
        let entries: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(entries, vec![std::ffi::OsString::from("tmp")]);
        assert_eq!(std::fs::read_dir(store.tmp_dir()).unwrap().count(), 0);
    }

    #[test]
    fn only_hashes_name_blobs() {
        let store = BlobStore {
            root: PathBuf::from("/x"),
            remote: None,
        };
        assert!(store.path_of("../../etc/passwd").is_none());
        assert!(store.path_of(&"A".repeat(64)).is_none());
        assert_eq!(
            store.path_of(&"ab".repeat(32)).unwrap(),
            PathBuf::from(format!("/x/ab/ab/{}", "ab".repeat(32)))
        );
    }
}

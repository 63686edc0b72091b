//! Blob storage in an S3-compatible object store: a real S3 server (s3s over a temporary
//! folder) on loopback, the app configured with `storage.backend = "s3"`, and a deferred
//! request's documents going into and coming out of it.

use std::path::{Path, PathBuf};

use hyper_util::rt::{TokioExecutor, TokioIo};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::deferred::{Deferred, XRAY_PNG};
use crate::support::assert_error;

const ACCESS_KEY: &str = "telemed-test";
const SECRET_KEY: &str = "telemed-test-secret-key";
const BUCKET: &str = "telemed-blobs";

/// An S3 server on a free loopback port, keeping objects under `root/<bucket>/<key>`.
async fn s3_server(root: &Path) -> String {
    std::fs::create_dir_all(root.join(BUCKET)).unwrap();
    let fs = s3s_fs::FileSystem::new(root).unwrap();
    let mut builder = s3s::service::S3ServiceBuilder::new(fs);
    builder.set_auth(s3s::auth::SimpleAuth::from_single(ACCESS_KEY, SECRET_KEY));
    let service = builder.build();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let http = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new());
        while let Ok((socket, _)) = listener.accept().await {
            let conn = http
                .serve_connection(TokioIo::new(socket), service.clone())
                .into_owned();
            tokio::spawn(async move {
                let _ = conn.await;
            });
        }
    });
    format!("http://{addr}")
}

fn objects(root: &Path) -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, out);
            } else if !path.to_string_lossy().contains(".s3s") {
                out.push(path);
            }
        }
    }
    let mut out = Vec::new();
    walk(&root.join(BUCKET), &mut out);
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn documents_go_to_an_s3_compatible_store_and_come_back_whole() {
    let store = tempfile::tempdir().unwrap();
    let endpoint = s3_server(store.path()).await;
    let s = Deferred::with(move |s| {
        s.storage.backend = telemed::config::StorageBackend::S3;
        s.storage.s3_endpoint = endpoint;
        s.storage.s3_bucket = BUCKET.into();
        s.storage.s3_access_key_id = ACCESS_KEY.into();
        s.storage.s3_secret_access_key = Some(telemed::config::Secret::new(SECRET_KEY));
        s.storage.s3_allow_http = true;
    })
    .await;
    let view = Deferred::created(s.xray_request(&s.patient, json!({})).await).await;
    let id = view["id"].as_str().unwrap();
    let res = s.upload(&s.patient, id, "chest.png", XRAY_PNG).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let doc: Value = res.json().await.unwrap();
    let sha = doc["sha256"].as_str().unwrap();
    let stored = objects(store.path());
    assert_eq!(stored.len(), 1, "{stored:?}");
    assert!(
        stored[0].ends_with(format!("blobs/{}/{}/{sha}", &sha[0..2], &sha[2..4])),
        "{stored:?}"
    );
    assert_eq!(std::fs::read(&stored[0]).unwrap(), XRAY_PNG);

    // A refused upload and the same content again add nothing to the store.
    let res = s
        .upload(&s.patient, id, "x.png", b"MZ\x90\0\x03\0\0\0")
        .await;
    assert_error(
        res,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "file_type_not_allowed",
    )
    .await;
    let res = s.upload(&s.patient, id, "again.png", XRAY_PNG).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    assert_eq!(objects(store.path()).len(), 1);

    // A large file goes up in parts and comes back byte for byte.
    let mut big = b"%PDF-1.7\n".to_vec();
    big.extend((0..20 * 1024 * 1024).map(|i: u32| (i % 251) as u8));
    let res = s.upload(&s.patient, id, "scan.pdf", &big).await;
    let pdf: Value = res.json().await.unwrap();
    let back = s
        .app
        .get_as(
            &s.patient,
            &format!(
                "/api/consultations/{id}/materials/{}",
                pdf["id"].as_str().unwrap()
            ),
        )
        .await
        .bytes()
        .await
        .unwrap();
    assert_eq!(back.len(), big.len());
    assert!(back.as_ref() == big.as_slice(), "the same bytes");
    // Nothing of the uploads stays in the local folder.
    let local = s.app.context.settings.storage.blob_dir.join("tmp");
    assert_eq!(std::fs::read_dir(local).unwrap().count(), 0);
}

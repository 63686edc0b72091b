//! A real SMTP server on loopback for the mail tests: the `mailin` protocol state machine (a
//! crate with no I/O and no TLS of its own) behind a tokio listener, keeping every message it
//! accepts. `mailin-embedded` would do the I/O, but it cannot be built without a TLS stack.

use std::sync::{Arc, Mutex};

use mailin::{Action, Handler, Response, SessionBuilder};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

/// One message as the server received it.
#[derive(Debug, Clone)]
pub(super) struct Received {
    pub(super) to: Vec<String>,
    pub(super) raw: Vec<u8>,
}

/// The loopback SMTP server; stops accepting when dropped.
pub(super) struct SmtpServer {
    pub(super) port: u16,
    inbox: Arc<Mutex<Vec<Received>>>,
    accept: tokio::task::JoinHandle<()>,
}

/// Collects the messages of one SMTP session.
struct Collector {
    inbox: Arc<Mutex<Vec<Received>>>,
    login: Option<(String, String)>,
    to: Vec<String>,
    data: Vec<u8>,
}

impl Handler for Collector {
    fn data_start(&mut self, _domain: &str, _from: &str, _8bit: bool, to: &[String]) -> Response {
        self.to = to.to_vec();
        self.data.clear();
        mailin::response::OK
    }

    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.data.extend_from_slice(buf);
        Ok(())
    }

    fn data_end(&mut self) -> Response {
        let message = Received {
            to: std::mem::take(&mut self.to),
            raw: std::mem::take(&mut self.data),
        };
        self.inbox.lock().unwrap().push(message);
        mailin::response::OK
    }

    fn auth_plain(&mut self, _authz: &str, user: &str, password: &str) -> Response {
        match &self.login {
            Some((u, p)) if u == user && p == password => mailin::response::AUTH_OK,
            _ => mailin::response::INVALID_CREDENTIALS,
        }
    }
}

impl SmtpServer {
    pub(super) async fn start() -> SmtpServer {
        Self::start_on(0, None).await
    }

    /// `login`: the server then requires AUTH PLAIN with this user and password.
    pub(super) async fn start_on(port: u16, login: Option<(&str, &str)>) -> SmtpServer {
        let listener = TcpListener::bind(("127.0.0.1", port)).await.expect("bind");
        let port = listener.local_addr().expect("address").port();
        let inbox = Arc::new(Mutex::new(Vec::new()));
        let mut builder = SessionBuilder::new("smtp.test");
        let login = login.map(|(u, p)| (u.to_owned(), p.to_owned()));
        if login.is_some() {
            builder
                .enable_auth(mailin::AuthMechanism::Plain)
                .insecure_enable_plaintext_auth();
        }
        let shared = inbox.clone();
        let accept = tokio::spawn(async move {
            while let Ok((stream, peer)) = listener.accept().await {
                let handler = Collector {
                    inbox: shared.clone(),
                    login: login.clone(),
                    to: Vec::new(),
                    data: Vec::new(),
                };
                let session = builder.build(peer.ip(), handler);
                tokio::spawn(converse(stream, session));
            }
        });
        SmtpServer {
            port,
            inbox,
            accept,
        }
    }

    pub(super) fn received(&self) -> Vec<Received> {
        self.inbox.lock().unwrap().clone()
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        self.accept.abort();
    }
}

/// Feeds the client's lines to the session and writes its replies.
async fn converse(stream: TcpStream, mut session: mailin::Session<Collector>) {
    let (read, mut write) = stream.into_split();
    let mut read = BufReader::new(read);
    let greeting = session.greeting().buffer().expect("greeting");
    if write.write_all(&greeting).await.is_err() {
        return;
    }
    let mut line = Vec::new();
    loop {
        line.clear();
        match read.read_until(b'\n', &mut line).await {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
        let reply = session.process(&line);
        if reply.action != Action::NoReply {
            let bytes = reply.buffer().expect("reply");
            if write.write_all(&bytes).await.is_err() {
                return;
            }
        }
        if matches!(reply.action, Action::Close | Action::UpgradeTls) {
            return;
        }
    }
}

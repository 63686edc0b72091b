//! ICE servers for browsers, with short-lived TURN credentials in coturn's `use-auth-secret`
//! scheme (the "TURN REST API"): the username is `<expiry unix time>:<user id>` and the password
//! is base64(HMAC-SHA1(static-auth-secret, username)). coturn recomputes the same HMAC, so the
//! platform and the TURN server share only the secret, and a leaked credential dies on expiry.

use base64::Engine as _;
use hmac::{Hmac, Mac};
use serde::Serialize;
use sha1::Sha1;

use super::protocol::IceServer;
use crate::config::CallSettings;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct IceServers {
    pub ice_servers: Vec<IceServer>,
    /// How long the TURN credentials stay valid, in seconds.
    pub ttl_seconds: u64,
}

/// The coturn credential for `user` valid until `expires_unix`.
pub fn credential(secret: &str, user: &str, expires_unix: i64) -> (String, String) {
    let username = format!("{expires_unix}:{user}");
    // HMAC takes a key of any length, so this cannot fail.
    let mut mac = Hmac::<Sha1>::new_from_slice(secret.as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC accepts keys of every length"));
    mac.update(username.as_bytes());
    let password = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
    (username, password)
}

/// The STUN servers, and the TURN servers with a fresh credential for this user when a
/// secret is configured (without one, TURN URLs are left out: coturn would refuse them).
pub fn ice_servers(settings: &CallSettings, user: &str, now_unix: i64) -> IceServers {
    let mut servers = Vec::new();
    if !settings.stun_urls.is_empty() {
        servers.push(IceServer {
            urls: settings.stun_urls.clone(),
            username: None,
            credential: None,
        });
    }
    let secret = settings
        .turn_secret
        .as_ref()
        .map(|s| s.expose())
        .filter(|s| !s.is_empty());
    if let Some(secret) = secret
        && !settings.turn_urls.is_empty()
    {
        let expires = now_unix + i64::try_from(settings.turn_ttl_seconds).unwrap_or(i64::MAX / 2);
        let (username, password) = credential(secret, user, expires);
        servers.push(IceServer {
            urls: settings.turn_urls.clone(),
            username: Some(username),
            credential: Some(password),
        });
    }
    IceServers {
        ice_servers: servers,
        ttl_seconds: settings.turn_ttl_seconds,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Secret, Settings};

    #[test]
    fn credentials_follow_the_coturn_rest_scheme() {
        // Computed independently: printf '1700000000:alice' |
        //   openssl dgst -sha1 -hmac 'north' -binary | base64
        let (user, pass) = credential("north", "alice", 1_700_000_000);
        assert_eq!(user, "1700000000:alice");
        assert_eq!(pass, "Cd/49soE35ICqcJF/bCTn8Z4OyE=");
    }

    #[test]
    fn turn_is_offered_only_with_a_secret() {
        let mut s = Settings::embedded().unwrap().calls;
        assert!(
            ice_servers(&s, "u1", 0).ice_servers.is_empty(),
            "loopback/LAN need none"
        );
        s.stun_urls = vec!["stun:stun.example.kz:3478".into()];
        s.turn_urls = vec!["turn:turn.example.kz:3478?transport=udp".into()];
        let servers = ice_servers(&s, "u1", 1000).ice_servers;
        assert_eq!(servers.len(), 1, "no secret, no TURN: {servers:?}");
        s.turn_secret = Some(Secret::new("north"));
        s.turn_ttl_seconds = 600;
        let servers = ice_servers(&s, "u1", 1000).ice_servers;
        assert_eq!(servers.len(), 2);
        assert_eq!(servers[1].username.as_deref(), Some("1600:u1"));
        assert_eq!(
            servers[1].credential.as_deref(),
            Some(credential("north", "u1", 1600).1.as_str())
        );
    }
}

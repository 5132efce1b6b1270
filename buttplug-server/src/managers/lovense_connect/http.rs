//! HTTP(S) GET for the Lovense Connect manager: the app's local API (`http`, small JSON bodies)
//! and Lovense's public lookup (`https`).
//!
//! Built on `ureq` 3, a maintained blocking client, each request on the runtime's blocking pool
//! (the crate's `rt::spawn_blocking`). Why this one: it needs no async runtime of its own (the
//! async clients `reqwest` and `hyper` bring tokio, which this crate keeps to the btleplug
//! thread), it parses URLs (IPv6 literals too), bodies (chunked, by length, until close),
//! redirects and timeouts, and its TLS is rustls with the `ring` provider (no cmake, no system C
//! library) and the bundled webpki (Mozilla) roots. The requests are a handful every few seconds,
//! so a blocking thread each is cheap.

use crate::rt;
use std::time::Duration;

/// How long one request may take (resolve, connect, TLS, send, read everything).
pub const HTTP_TIMEOUT: Duration = Duration::from_secs(5);

/// Largest response accepted.
pub const HTTP_MAX_RESPONSE: usize = 1 << 20;

/// Why a request failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum HttpError {
    /// The URL is not `http://` or `https://` with a host.
    #[error("bad URL {url:?}: {reason}")]
    BadUrl {
        /// The URL.
        url: String,
        /// What is wrong.
        reason: String,
    },
    /// Resolving, connecting, TLS, sending or reading failed.
    #[error("{url}: {message}")]
    Io {
        /// The URL.
        url: String,
        /// What happened.
        message: String,
    },
    /// The server answered with a status other than 200.
    #[error("{url}: HTTP status {status}")]
    Status {
        /// The URL.
        url: String,
        /// The status code.
        status: u16,
    },
}

/// A GET client; cheap to clone (clones share the connection pool).
#[derive(Debug, Clone)]
pub struct HttpClient {
    agent: ureq::Agent,
}

impl Default for HttpClient {
    fn default() -> Self {
        Self::new()
    }
}

impl HttpClient {
    /// A client that checks `https` servers against the bundled webpki (Mozilla) roots.
    pub fn new() -> Self {
        Self::with_tls(ureq::tls::TlsConfig::builder().build())
    }

    /// A client that checks `https` servers against these root certificates (DER) only,
    /// instead of the bundled roots: for tests with a certificate they made, or a private
    /// lookup service.
    pub fn with_roots(roots_der: &[Vec<u8>]) -> Self {
        let roots: Vec<ureq::tls::Certificate<'static>> = roots_der
            .iter()
            .map(|der| ureq::tls::Certificate::from_der(der).to_owned())
            .collect();
        Self::with_tls(
            ureq::tls::TlsConfig::builder()
                .root_certs(ureq::tls::RootCerts::new_with_certs(&roots))
                .build(),
        )
    }

    fn with_tls(tls: ureq::tls::TlsConfig) -> Self {
        let config = ureq::Agent::config_builder()
            .timeout_global(Some(HTTP_TIMEOUT))
            // The app is on the local network: no proxy from the environment.
            .proxy(None)
            .tls_config(tls)
            .build();
        HttpClient {
            agent: ureq::Agent::new_with_config(config),
        }
    }

    /// GET a URL (`http` or `https`) and return the body of a 200 answer (invalid UTF-8 is
    /// replaced).
    ///
    /// # Errors
    /// [`HttpError`].
    pub async fn get(&self, url: &str) -> Result<String, HttpError> {
        let (agent, url) = (self.agent.clone(), url.to_string());
        rt::spawn_blocking(move || get_blocking(&agent, &url)).await
    }
}

fn get_blocking(agent: &ureq::Agent, url: &str) -> Result<String, HttpError> {
    let bad = |reason: String| HttpError::BadUrl {
        url: url.to_string(),
        reason,
    };
    if !(url.starts_with("http://") || url.starts_with("https://")) {
        return Err(bad("only http:// and https:// URLs are supported".into()));
    }
    let io = |message: String| HttpError::Io {
        url: url.to_string(),
        message,
    };
    let map = |e: ureq::Error| match e {
        ureq::Error::StatusCode(status) => HttpError::Status {
            url: url.to_string(),
            status,
        },
        ureq::Error::BadUri(reason) => bad(reason),
        ureq::Error::Http(e) => bad(e.to_string()),
        ureq::Error::BodyExceedsLimit(_) => io("response too large".into()),
        e => io(e.to_string()),
    };
    let mut response = agent
        .get(url)
        .header("Accept", "application/json")
        .call()
        .map_err(map)?;
    // `http_status_as_error` (the default) turns 4xx/5xx into errors; 1xx-3xx other than 200
    // (after redirects) are not an answer either.
    let status = response.status().as_u16();
    if status != 200 {
        return Err(HttpError::Status {
            url: url.to_string(),
            status,
        });
    }
    let body = response
        .body_mut()
        .with_config()
        .limit(HTTP_MAX_RESPONSE as u64)
        .read_to_vec()
        .map_err(map)?;
    Ok(String::from_utf8_lossy(&body).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_other_than_http_are_refused_before_any_connection() {
        crate::rt::block_on(async {
            let client = HttpClient::new();
            for url in ["ftp://x/y", "127.0.0.1:1/GetToys", ""] {
                assert!(
                    matches!(client.get(url).await, Err(HttpError::BadUrl { .. })),
                    "{url}"
                );
            }
            for url in ["http://", "http://[::1/GetToys", "http://a b/"] {
                let r = client.get(url).await;
                assert!(matches!(r, Err(HttpError::BadUrl { .. })), "{url}: {r:?}");
            }
        });
    }
}

//! A minimal HTTP/1.1 GET client over the runtime's TCP stream: enough for the Lovense Connect
//! app's local API (plain `http`, small JSON bodies). No TLS: `https` URLs are refused.

use crate::rt;
use futures::{AsyncReadExt, AsyncWriteExt};
use std::time::Duration;

/// How long one request may take (connect, send, read everything).
pub const HTTP_TIMEOUT: Duration = Duration::from_secs(5);

/// Largest response accepted.
pub const HTTP_MAX_RESPONSE: usize = 1 << 20;

/// Why a request failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum HttpError {
    /// The URL is not `http://host[:port][/path]`.
    #[error("bad URL {url:?}: {reason}")]
    BadUrl {
        /// The URL.
        url: String,
        /// What is wrong.
        reason: &'static str,
    },
    /// `https` needs TLS, which this build does not have.
    #[error("https is not supported (no TLS in this build): {url}")]
    TlsUnsupported {
        /// The URL.
        url: String,
    },
    /// Connecting, sending or reading failed.
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

/// A parsed `http` URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct HttpUrl {
    pub(super) host: String,
    pub(super) port: u16,
    pub(super) path: String,
}

impl HttpUrl {
    pub(super) fn parse(url: &str) -> Result<Self, HttpError> {
        let bad = |reason| HttpError::BadUrl {
            url: url.to_string(),
            reason,
        };
        if url.starts_with("https://") {
            return Err(HttpError::TlsUnsupported {
                url: url.to_string(),
            });
        }
        let rest = url
            .strip_prefix("http://")
            .ok_or_else(|| bad("only http:// URLs are supported"))?;
        let (authority, path) = match rest.find('/') {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, "/"),
        };
        if authority.is_empty() {
            return Err(bad("no host"));
        }
        let (host, port) = match authority.rsplit_once(':') {
            Some((h, p)) => (
                h.trim_start_matches('[').trim_end_matches(']'),
                p.parse::<u16>().map_err(|_| bad("bad port"))?,
            ),
            None => (authority, 80),
        };
        Ok(HttpUrl {
            host: host.to_string(),
            port,
            path: path.to_string(),
        })
    }
}

/// GET a URL and return the body of a 200 answer.
///
/// # Errors
/// [`HttpError`].
pub async fn get(url: &str) -> Result<String, HttpError> {
    let parsed = HttpUrl::parse(url)?;
    let io = |message: String| HttpError::Io {
        url: url.to_string(),
        message,
    };
    let request = async {
        let mut stream = rt::TcpStream::connect((parsed.host.as_str(), parsed.port))
            .await
            .map_err(|e| io(e.to_string()))?;
        let head = format!(
            "GET {} HTTP/1.1\r\nHost: {}:{}\r\nAccept: application/json\r\nConnection: close\r\n\r\n",
            parsed.path, parsed.host, parsed.port
        );
        stream
            .write_all(head.as_bytes())
            .await
            .map_err(|e| io(e.to_string()))?;
        let mut response = Vec::new();
        let mut chunk = [0u8; 4096];
        loop {
            let n = stream
                .read(&mut chunk)
                .await
                .map_err(|e| io(e.to_string()))?;
            if n == 0 {
                break;
            }
            response.extend_from_slice(&chunk[..n]);
            if response.len() > HTTP_MAX_RESPONSE {
                return Err(io("response too large".into()));
            }
            if let Some(done) = complete_body(&response) {
                return done.map_err(io);
            }
        }
        match complete_body(&response) {
            Some(done) => done.map_err(io),
            // Connection closed without a length: everything after the head is the body.
            None => split_response(&response)
                .map(|(status, _, body)| (status, String::from_utf8_lossy(body).into_owned()))
                .map_err(io),
        }
    };
    let (status, body) = buttplug_devices::with_timeout(HTTP_TIMEOUT, request)
        .await
        .map_err(|_| io("timed out".into()))??;
    if status != 200 {
        return Err(HttpError::Status {
            url: url.to_string(),
            status,
        });
    }
    Ok(body)
}

/// Lower-cased header names and their values.
type Headers = Vec<(String, String)>;

/// Status, lower-cased headers and the raw body of a response whose head is complete.
fn split_response(data: &[u8]) -> Result<(u16, Headers, &[u8]), String> {
    let end = data
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or("incomplete response head")?;
    let head = String::from_utf8_lossy(&data[..end]);
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap_or_default();
    let status = status_line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse::<u16>().ok())
        .ok_or_else(|| format!("bad status line {status_line:?}"))?;
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    Ok((status, headers, &data[end + 4..]))
}

/// `Some` once the response is complete by its `Content-Length` or chunked encoding.
fn complete_body(data: &[u8]) -> Option<Result<(u16, String), String>> {
    let (status, headers, body) = split_response(data).ok()?;
    let header = |name: &str| {
        headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    if header("transfer-encoding").is_some_and(|v| v.eq_ignore_ascii_case("chunked")) {
        return dechunk(body).map(|b| Ok((status, String::from_utf8_lossy(&b).into_owned())));
    }
    let length: usize = header("content-length")?.parse().ok()?;
    (body.len() >= length).then(|| {
        Ok((
            status,
            String::from_utf8_lossy(&body[..length]).into_owned(),
        ))
    })
}

/// The body of a complete chunked encoding, `None` while incomplete.
fn dechunk(mut data: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        let line_end = data.windows(2).position(|w| w == b"\r\n")?;
        let size_text = String::from_utf8_lossy(&data[..line_end]);
        let size = usize::from_str_radix(size_text.split(';').next()?.trim(), 16).ok()?;
        data = &data[line_end + 2..];
        if size == 0 {
            return Some(out);
        }
        if data.len() < size + 2 {
            return None;
        }
        out.extend_from_slice(&data[..size]);
        data = &data[size + 2..];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        assert_eq!(
            HttpUrl::parse("http://127.0.0.1:30010/GetToys").unwrap(),
            HttpUrl {
                host: "127.0.0.1".into(),
                port: 30010,
                path: "/GetToys".into()
            }
        );
        assert_eq!(HttpUrl::parse("http://example.invalid").unwrap().port, 80);
        assert!(matches!(
            HttpUrl::parse("https://api.example.invalid/x"),
            Err(HttpError::TlsUnsupported { .. })
        ));
        assert!(HttpUrl::parse("ftp://x").is_err());
        assert!(HttpUrl::parse("http://h:notaport/").is_err());
    }

    #[test]
    fn bodies() {
        let r = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
        assert_eq!(complete_body(r), Some(Ok((200, "ok".to_string()))));
        let partial = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nok";
        assert_eq!(complete_body(partial), None);
        let chunked = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n";
        assert_eq!(complete_body(chunked), Some(Ok((200, "abcde".to_string()))));
        assert_eq!(
            complete_body(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"),
            Some(Ok((404, String::new())))
        );
    }
}

//! The HTTP side: hyper's HTTP/1 server on the runtime's TCP sockets (smol-hyper adapts
//! futures-io to hyper's I/O traits and gives it async-io timers), the connection bound, the
//! request bounds, and the response bodies (whole, or the event stream).

use super::clients::Clients;
use super::events::{EventLog, Sources, Subscription, pump};
use super::routes::{Reply, handle};
use super::{RestError, RestLimits, RestOptions};
use crate::DeviceManager;
use crate::rt;
use futures::FutureExt;
use hyper::body::{Body, Bytes, Frame, Incoming, SizeHint};
use hyper::header::{self, HeaderValue};
use hyper::{Request, Response, StatusCode};
use smol_hyper::rt::{FuturesIo, SmolTimer};
use std::collections::VecDeque;
use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

/// A running REST server. Dropping it stops the server (as [`RestServer::stop`] does, without
/// waiting).
#[derive(Debug)]
#[must_use = "dropping the RestServer stops it"]
pub struct RestServer {
    address: SocketAddr,
    stop: async_channel::Sender<()>,
    /// Ends (all senders dropped) when the accept loop, the event pump and every connection
    /// have finished.
    finished: async_channel::Receiver<()>,
    connections: Arc<AtomicUsize>,
}

impl RestServer {
    /// The address the server listens on (with the real port when port 0 was asked for).
    pub fn local_addr(&self) -> SocketAddr {
        self.address
    }

    /// How many connections are open now (event readers included).
    pub fn connection_count(&self) -> usize {
        self.connections.load(Ordering::Relaxed)
    }

    /// Stop accepting, close every connection (event streams end) and wait until all of the
    /// server's tasks are gone. Devices are left as they are.
    pub async fn stop(self) {
        self.stop.close();
        let _ = self.finished.recv().await;
    }
}

impl Drop for RestServer {
    fn drop(&mut self) {
        self.stop.close();
    }
}

/// Counts an open connection while alive.
struct ConnectionSlot(Arc<AtomicUsize>);

impl Drop for ConnectionSlot {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

/// Run `future` until the stop channel closes.
async fn until_stopped<F: Future<Output = ()>>(stop: async_channel::Receiver<()>, future: F) {
    let stopped = async move {
        let _ = stop.recv().await;
    };
    futures::pin_mut!(future, stopped);
    futures::future::select(future, stopped).await;
}

pub(super) fn start(
    listener: std::net::TcpListener,
    device_manager: DeviceManager,
    options: RestOptions,
) -> Result<RestServer, RestError> {
    let address = listener.local_addr().map_err(|source| RestError::Bind {
        address: SocketAddr::from(([0, 0, 0, 0], 0)),
        source,
    })?;
    listener
        .set_nonblocking(true)
        .map_err(|source| RestError::Bind { address, source })?;
    let listener = rt::TcpListener::from(listener);
    let (stop_tx, stop_rx) = async_channel::bounded::<()>(1);
    let (alive_tx, finished) = async_channel::bounded::<()>(1);
    let connections = Arc::new(AtomicUsize::new(0));
    let log = Arc::new(EventLog::new(options.event_history));

    // The event pump: subscribes now, so events from here on are numbered.
    {
        let log = log.clone();
        let sources = Sources::subscribe(device_manager.clone());
        let stop = stop_rx.clone();
        let alive = alive_tx.clone();
        rt::spawn(async move {
            let _alive = alive;
            until_stopped(stop, pump(sources, &log)).await;
            log.close();
        });
    }

    if let Some(clients) = &options.clients {
        clients.attach(&log);
    }
    let shared = Arc::new(Shared {
        loopback_only: address.ip().is_loopback(),
        device_manager,
        log,
        limits: options.limits,
        keepalive: options.keepalive,
        panel: options.panel,
        clients: options.clients,
    });
    let count = connections.clone();
    rt::spawn(async move {
        let accept_stop = stop_rx.clone();
        let alive = alive_tx;
        until_stopped(accept_stop, async move {
            loop {
                let stream = match listener.accept().await {
                    Ok((stream, _)) => stream,
                    Err(e) => {
                        // Out of file descriptors and the like: wait, then go on.
                        tracing::warn!("REST accept failed: {e}");
                        rt::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                };
                if count.fetch_add(1, Ordering::Relaxed) >= shared.limits.max_connections {
                    count.fetch_sub(1, Ordering::Relaxed);
                    tracing::debug!("REST connection refused: too many connections");
                    drop(stream);
                    continue;
                }
                let slot = ConnectionSlot(count.clone());
                let shared = shared.clone();
                let stop = stop_rx.clone();
                let alive = alive.clone();
                rt::spawn(async move {
                    let _alive = alive;
                    let _slot = slot;
                    until_stopped(stop, serve_connection(stream, shared)).await;
                });
            }
        })
        .await;
    });
    tracing::info!("REST API listening on {address}");
    Ok(RestServer {
        address,
        stop: stop_tx,
        finished,
        connections,
    })
}

struct Shared {
    /// Bound to a loopback address: only requests naming a local host are served (see
    /// [`host_allowed`]).
    loopback_only: bool,
    device_manager: DeviceManager,
    log: Arc<EventLog>,
    limits: RestLimits,
    keepalive: Duration,
    panel: bool,
    clients: Option<Clients>,
}

async fn serve_connection(stream: rt::TcpStream, shared: Arc<Shared>) {
    let limits = shared.limits;
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(SmolTimer::new())
        .header_read_timeout(limits.header_timeout)
        .max_buf_size(limits.max_head_bytes.max(8192))
        .max_headers(limits.max_headers);
    let service = hyper::service::service_fn(move |request: Request<Incoming>| {
        let shared = shared.clone();
        async move { Ok::<_, Infallible>(respond(&shared, request).await) }
    });
    if let Err(e) = builder
        .serve_connection(FuturesIo::new(stream), service)
        .await
    {
        tracing::debug!("REST connection ended: {e}");
    }
}

async fn respond(shared: &Shared, request: Request<Incoming>) -> Response<RestBody> {
    let limits = shared.limits;
    if shared.loopback_only {
        let host = request
            .headers()
            .get(header::HOST)
            .map(|h| h.to_str().unwrap_or(""));
        if !host.is_none_or(host_allowed) {
            return with_body(
                StatusCode::FORBIDDEN,
                "text/plain; charset=utf-8",
                HOST_REFUSED.to_string(),
            );
        }
    }
    let target_len = request
        .uri()
        .path_and_query()
        .map_or(0, |p| p.as_str().len());
    if target_len > limits.max_path_bytes {
        return closing(StatusCode::URI_TOO_LONG);
    }
    if request.body().size_hint().lower() > limits.max_body_bytes {
        return closing(StatusCode::PAYLOAD_TOO_LARGE);
    }
    let last_event_id = request
        .headers()
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse().ok());
    let head = request.method() == hyper::Method::HEAD;
    if shared.panel && (head || request.method() == hyper::Method::GET) {
        if let Some((content_type, body)) = super::panel::asset(request.uri().path()) {
            let mut r = Response::new(RestBody::Full((!head).then(|| Bytes::from_static(body))));
            let h = r.headers_mut();
            h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
            h.insert(
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static(super::panel::CONTENT_SECURITY_POLICY),
            );
            h.insert(
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            );
            h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
            return r;
        }
    }
    let reply = handle(
        &shared.device_manager,
        &shared.log,
        shared.clients.as_ref(),
        request.method(),
        request.uri().path(),
        last_event_id,
    )
    .await;
    // The request body (if any) is never read: hyper closes the connection after the
    // response instead of reading an unbounded body.
    let mut response = match reply {
        Reply::Empty(status) => status_only(status),
        Reply::Text(status, text) => with_body(status, "text/plain; charset=utf-8", text),
        Reply::Json(value) => with_body(StatusCode::OK, "application/json", value.to_string()),
        Reply::MethodNotAllowed(allow) => {
            let mut r = status_only(StatusCode::METHOD_NOT_ALLOWED);
            r.headers_mut()
                .insert(header::ALLOW, HeaderValue::from_static(allow));
            r
        }
        Reply::Events(subscription) => {
            let mut r = Response::new(RestBody::Events(EventStream::new(
                subscription,
                shared.keepalive,
            )));
            let h = r.headers_mut();
            h.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/event-stream"),
            );
            h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
            r
        }
    };
    if head {
        *response.body_mut() = RestBody::Full(None);
    }
    response
}

/// The answer to a request whose `Host` is a name other than `localhost`.
pub(super) const HOST_REFUSED: &str = "Forbidden: this server only answers requests for localhost \
     or an IP address (a page that renamed itself to reach it is refused)";

/// Whether a server bound to loopback serves a request with this `Host` header: an IP
/// literal (`127.0.0.1:8080`, `[::1]:8080`) or `localhost` (or a `*.localhost` name), any port.
///
/// A web page can point a name it controls at 127.0.0.1 after the browser loaded it ("DNS
/// rebinding") and then call this API as if it were the page's own origin; its requests still
/// carry that name as `Host`, so refusing other names closes the hole. A server bound to every
/// interface is meant to be reached by whatever name the machine has, and accepts any `Host`.
pub(super) fn host_allowed(host: &str) -> bool {
    // The header is an authority (`name[:port]`, `[v6][:port]`): hyper's parser splits it.
    let Ok(authority) = host.trim().parse::<hyper::http::uri::Authority>() else {
        return false;
    };
    let name = authority.host();
    let literal = name
        .strip_prefix('[')
        .and_then(|n| n.strip_suffix(']'))
        .unwrap_or(name);
    if literal.parse::<std::net::IpAddr>().is_ok() {
        return true;
    }
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    name == "localhost" || name.ends_with(".localhost")
}

fn status_only(status: StatusCode) -> Response<RestBody> {
    let mut r = Response::new(RestBody::Full(None));
    *r.status_mut() = status;
    r
}

/// An error answer after which the connection is closed (what remains of the request is
/// never read).
fn closing(status: StatusCode) -> Response<RestBody> {
    let mut r = status_only(status);
    r.headers_mut()
        .insert(header::CONNECTION, HeaderValue::from_static("close"));
    r
}

fn with_body(status: StatusCode, content_type: &'static str, body: String) -> Response<RestBody> {
    let mut r = Response::new(RestBody::Full(Some(Bytes::from(body))));
    *r.status_mut() = status;
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    r
}

/// A response body: whole, or the event stream.
pub(crate) enum RestBody {
    Full(Option<Bytes>),
    Events(EventStream),
}

impl Body for RestBody {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        match self.get_mut() {
            RestBody::Full(data) => Poll::Ready(data.take().map(|d| Ok(Frame::data(d)))),
            RestBody::Events(events) => events.poll_next(cx).map(|f| f.map(|d| Ok(Frame::data(d)))),
        }
    }

    fn is_end_stream(&self) -> bool {
        matches!(self, RestBody::Full(None))
    }

    fn size_hint(&self) -> SizeHint {
        match self {
            RestBody::Full(data) => {
                SizeHint::with_exact(data.as_ref().map_or(0, |d| d.len() as u64))
            }
            RestBody::Events(_) => SizeHint::default(),
        }
    }
}

/// The `/events` body: the replay, then the reader's queue, with keep-alive comments.
pub(crate) struct EventStream {
    replay: VecDeque<Bytes>,
    queue: Pin<Box<async_channel::Receiver<Bytes>>>,
    keepalive: Duration,
    timer: async_io::Timer,
}

impl EventStream {
    fn new(subscription: Subscription, keepalive: Duration) -> Self {
        EventStream {
            replay: subscription.replay.into(),
            queue: Box::pin(subscription.queue),
            keepalive,
            timer: async_io::Timer::after(keepalive),
        }
    }

    fn poll_next(&mut self, cx: &mut Context<'_>) -> Poll<Option<Bytes>> {
        if let Some(frame) = self.replay.pop_front() {
            self.timer.set_after(self.keepalive);
            return Poll::Ready(Some(frame));
        }
        match futures::Stream::poll_next(self.queue.as_mut(), cx) {
            Poll::Ready(Some(frame)) => {
                self.timer.set_after(self.keepalive);
                Poll::Ready(Some(frame))
            }
            Poll::Ready(None) => Poll::Ready(None),
            Poll::Pending => match self.timer.poll_unpin(cx) {
                Poll::Ready(_) => {
                    self.timer.set_after(self.keepalive);
                    Poll::Ready(Some(Bytes::from_static(b":\n\n")))
                }
                Poll::Pending => Poll::Pending,
            },
        }
    }
}

#[cfg(test)]
mod host_tests {
    use super::host_allowed;

    #[test]
    fn local_names_and_ip_literals_are_served_other_names_are_not() {
        for ok in [
            "127.0.0.1",
            "127.0.0.1:8080",
            "localhost",
            "LOCALHOST:12345",
            "localhost.",
            "panel.localhost:80",
            "[::1]",
            "[::1]:8080",
            "10.0.0.5:1",
        ] {
            assert!(host_allowed(ok), "{ok}");
        }
        for refused in [
            "evil.example",
            "evil.example:8080",
            "localhost.evil.example",
            "127.0.0.1.evil.example",
            "[not-an-ip]",
            "",
            "t",
        ] {
            assert!(!host_allowed(refused), "{refused}");
        }
    }
}

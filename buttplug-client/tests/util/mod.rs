//! A scripted fake server: a connector whose remote end (a pipe of JSON text frames) the test
//! drives message by message.

use buttplug_client::{ButtplugClient, ClientDriver};
use buttplug_core::v4::ClientMessageV4;
use buttplug_core::{
    BoxFrameTransport, ButtplugConnector, ClientMessage, ConnectorError, DeviceInfo, FeatureInfo,
    FramePipe, InputCommandType, InputInfo, InputType, OutputInfo, OutputType, ServerInfo,
    ServerMessage, SpecVersion, StepRange, device_list_message, frame_pipe, handshake_version,
    parse_client_frame, render_server_frame,
};
use futures::channel::mpsc;
use futures::future::{BoxFuture, Either};
use futures::{FutureExt, SinkExt, StreamExt};
use std::collections::VecDeque;
use std::thread::JoinHandle;
use std::time::Duration;

/// How long the fake server waits for a client message before failing the test.
pub const RECV_TIMEOUT: Duration = Duration::from_secs(5);

/// A connector that hands the remote end of every connection to the test.
#[derive(Debug)]
pub struct FakeConnector {
    remotes: mpsc::UnboundedSender<Remote>,
}

#[async_trait::async_trait]
impl ButtplugConnector for FakeConnector {
    async fn connect(&self) -> Result<BoxFrameTransport, ConnectorError> {
        let (client, server) = frame_pipe();
        self.remotes
            .unbounded_send(Remote::new(server))
            .map_err(|e| {
                ConnectorError::connect_failed("fake", std::io::Error::other(e.to_string()))
            })?;
        Ok(Box::pin(client))
    }
}

/// A connector that never finishes connecting.
#[derive(Debug)]
pub struct HangingConnector;

#[async_trait::async_trait]
impl ButtplugConnector for HangingConnector {
    async fn connect(&self) -> Result<BoxFrameTransport, ConnectorError> {
        futures::future::pending().await
    }
}

/// The server side of a fake connection: client frames are parsed at the version of the
/// client's `RequestServerInfo`, server messages are rendered one per frame.
#[derive(Debug)]
pub struct Remote {
    frames: FramePipe,
    version: Option<SpecVersion>,
    inbox: VecDeque<ClientMessage>,
}

/// A connector that accepts one connection: the future yields its remote end (a second
/// connection attempt fails).
pub fn fake() -> (FakeConnector, BoxFuture<'static, Option<Remote>>) {
    let (connector, mut remotes) = fake_multi();
    (connector, async move { remotes.next().await }.boxed())
}

/// A connector that accepts any number of connections, whose remote ends arrive in order.
pub fn fake_multi() -> (FakeConnector, mpsc::UnboundedReceiver<Remote>) {
    let (remotes, receiver) = mpsc::unbounded();
    (FakeConnector { remotes }, receiver)
}

impl Remote {
    fn new(frames: FramePipe) -> Self {
        Remote {
            frames,
            version: None,
            inbox: VecDeque::new(),
        }
    }

    /// The next client message (panics after [`RECV_TIMEOUT`] or when the client closed).
    pub async fn recv(&mut self) -> ClientMessage {
        self.try_recv(RECV_TIMEOUT)
            .await
            .expect("no client message in time")
            .expect("client closed the connection")
    }

    /// The next client message within `timeout`: `None` on timeout, `Some(None)` when closed.
    pub async fn try_recv(&mut self, timeout: Duration) -> Option<Option<ClientMessage>> {
        let next = async {
            loop {
                if let Some(m) = self.inbox.pop_front() {
                    return Some(m);
                }
                let text = self.frames.next().await?.ok()?;
                let version = *self
                    .version
                    .get_or_insert_with(|| handshake_version(&text).expect("a handshake first"));
                for parsed in parse_client_frame(&text, version) {
                    self.inbox
                        .push_back(parsed.expect("the client sends valid messages"));
                }
            }
        };
        match futures::future::select(std::pin::pin!(next), async_io::Timer::after(timeout)).await {
            Either::Left((m, _)) => Some(m),
            Either::Right(_) => None,
        }
    }

    /// Asserts that the client sends nothing within `time`.
    pub async fn expect_silence(&mut self, time: Duration) {
        if let Some(m) = self.try_recv(time).await {
            panic!("unexpected client message {m:?}");
        }
    }

    /// Sends one frame as it is.
    pub async fn send_frame(&mut self, frame: impl Into<String>) {
        self.frames.send(frame.into()).await.expect("client gone");
    }

    /// Closes the connection.
    pub async fn close(&mut self) {
        let _ = self.frames.close().await;
    }

    pub async fn send(&mut self, m: ServerMessage) {
        self.send_frame(render_server_frame(&[m])).await;
    }

    pub async fn ok(&mut self, request: &ClientMessage) {
        self.send(ServerMessage::ok(request.id(), request.version()))
            .await;
    }

    /// Receives one message and answers it with `Ok`.
    pub async fn recv_ok(&mut self) -> ClientMessage {
        let m = self.recv().await;
        self.ok(&m).await;
        m
    }

    /// Answers the handshake (ServerInfo, then the device list) at the request's version.
    pub async fn handshake(&mut self, max_ping_ms: u32, devices: &[DeviceInfo]) -> SpecVersion {
        let request = self.recv().await;
        let (_, version) = request
            .handshake_request()
            .expect("RequestServerInfo first");
        self.send(ServerInfo::new("Fake Server", max_ping_ms).to_message(request.id(), version))
            .await;
        let list = self.recv().await;
        assert_eq!(list.name(), "RequestDeviceList");
        self.send(device_list_message(list.id(), devices, version))
            .await;
        version
    }
}

/// The device most tests use.
///
/// Features: 0 Vibrate [0,20]; 1 Rotate [-20,20]; 2 HwPositionWithDuration [0,100] over
/// [0,10000] ms; 3 Battery input (Read, Subscribe); 4 Vibrate [0,10].
pub fn test_device(index: u32) -> DeviceInfo {
    DeviceInfo::new(index, "Test Device")
        .with_feature(
            FeatureInfo::new(0, "vibrator")
                .with_output(OutputInfo::new(OutputType::Vibrate, StepRange::new(0, 20))),
        )
        .with_feature(
            FeatureInfo::new(1, "rotator")
                .with_output(OutputInfo::new(OutputType::Rotate, StepRange::new(-20, 20))),
        )
        .with_feature(FeatureInfo::new(2, "stroker").with_output(
            OutputInfo::position_with_duration(StepRange::new(0, 100), StepRange::new(0, 10_000)),
        ))
        .with_feature(FeatureInfo::new(3, "battery").with_input(InputInfo::new(
            InputType::Battery,
            vec![StepRange::new(0, 100)],
            vec![InputCommandType::Read, InputCommandType::Subscribe],
        )))
        .with_feature(
            FeatureInfo::new(4, "second vibrator")
                .with_output(OutputInfo::new(OutputType::Vibrate, StepRange::new(0, 10))),
        )
}

/// Runs the driver on its own thread.
pub fn spawn(driver: ClientDriver) -> JoinHandle<()> {
    std::thread::spawn(move || futures::executor::block_on(driver))
}

/// A connected client (driver running) and the fake server's end.
pub async fn connected(
    client: &ButtplugClient,
    max_ping_ms: u32,
    devices: &[DeviceInfo],
) -> (Remote, JoinHandle<()>) {
    let (connector, remote) = fake();
    let (driver, remote) = futures::join!(client.connect(connector), async {
        let mut remote = remote.await.unwrap();
        remote.handshake(max_ping_ms, devices).await;
        remote
    });
    (remote, spawn(driver.expect("connect")))
}

pub fn v4(m: impl Into<ClientMessageV4>) -> ClientMessage {
    ClientMessage::V4(m.into())
}

pub fn v3(m: impl Into<buttplug_core::v3::ClientMessageV3>) -> ClientMessage {
    ClientMessage::V3(m.into())
}

pub fn v3_client(name: &str) -> ButtplugClient {
    ButtplugClient::builder(name)
        .spec_version(SpecVersion::V3)
        .build()
}

pub fn block_on<F: std::future::Future>(f: F) -> F::Output {
    futures::executor::block_on(f)
}

//! A scripted fake server: a connector whose remote end the test drives message by message.

use buttplug_client::{ButtplugClient, ClientDriver};
use buttplug_core::v4::ClientMessageV4;
use buttplug_core::{
    ButtplugConnector, ClientMessage, ConnectorError, ConnectorReceiver, ConnectorSender,
    DeviceInfo, FeatureInfo, InputCommandType, InputInfo, InputType, OutputInfo, OutputType,
    RemoteReceiver, RemoteSender, ServerInfo, ServerMessage, SpecVersion, StepRange,
    connector_pair, device_list_message,
};
use futures::channel::oneshot;
use futures::future::Either;
use futures::{SinkExt, StreamExt};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

/// How long the fake server waits for a client message before failing the test.
pub const RECV_TIMEOUT: Duration = Duration::from_secs(5);

/// A connector that hands its remote end to the test.
#[derive(Debug)]
pub struct FakeConnector {
    remote: Arc<Mutex<Option<oneshot::Sender<Remote>>>>,
}

#[async_trait::async_trait]
impl ButtplugConnector for FakeConnector {
    async fn connect(
        self: Box<Self>,
    ) -> Result<(ConnectorSender, ConnectorReceiver), ConnectorError> {
        let (client, (rx, tx)) = connector_pair();
        let sender = self.remote.lock().unwrap().take().unwrap();
        sender.send(Remote { rx, tx }).unwrap();
        Ok(client)
    }
}

/// A connector that never finishes connecting.
#[derive(Debug)]
pub struct HangingConnector;

#[async_trait::async_trait]
impl ButtplugConnector for HangingConnector {
    async fn connect(
        self: Box<Self>,
    ) -> Result<(ConnectorSender, ConnectorReceiver), ConnectorError> {
        futures::future::pending().await
    }
}

/// The server side of a fake connection.
#[derive(Debug)]
pub struct Remote {
    pub rx: RemoteReceiver,
    pub tx: RemoteSender,
}

pub fn fake() -> (FakeConnector, oneshot::Receiver<Remote>) {
    let (sender, receiver) = oneshot::channel();
    (
        FakeConnector {
            remote: Arc::new(Mutex::new(Some(sender))),
        },
        receiver,
    )
}

impl Remote {
    /// The next client message (panics after [`RECV_TIMEOUT`] or when the client closed).
    pub async fn recv(&mut self) -> ClientMessage {
        self.try_recv(RECV_TIMEOUT)
            .await
            .expect("no client message in time")
            .expect("client closed the connection")
    }

    /// The next client message within `timeout`: `None` on timeout, `Some(None)` when closed.
    pub async fn try_recv(&mut self, timeout: Duration) -> Option<Option<ClientMessage>> {
        let next = self.rx.next();
        match futures::future::select(next, async_io::Timer::after(timeout)).await {
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

    pub async fn send(&mut self, m: ServerMessage) {
        self.tx.send(m).await.expect("client gone");
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

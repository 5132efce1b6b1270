//! Engine runs over loopback: the event sequence of a client session, the port-in-use error,
//! the dial-out back-off, and the repeater between our client and our server.

use async_std::net::TcpListener;
use async_tungstenite::tungstenite::Message;
use buttplug_client::ButtplugClient;
use buttplug_engine::{
    Engine, EngineError, EngineEvent, EngineOptions, ErrorDetail, Listening, REDIAL_FIRST_DELAY,
};
use buttplug_transport_ws::WebsocketClientConnector;
use futures::StreamExt;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

const WITHIN: Duration = Duration::from_secs(10);

/// A running engine with its channels.
struct Running {
    events: async_channel::Receiver<EngineEvent>,
    stop: buttplug_engine::StopHandle,
    task: async_std::task::JoinHandle<Result<(), EngineError>>,
    address: Option<SocketAddr>,
}

async fn start(options: EngineOptions) -> Running {
    let wants_address = options.websocket_listen_address.is_some() || options.repeater_mode;
    start_with(options, wants_address).await
}

/// `wait`: wait for the engine's listening address.
async fn start_with(options: EngineOptions, wants_address: bool) -> Running {
    let engine = Engine::new(options);
    let events = engine.events();
    let listening = engine.listening();
    let stop = engine.stop_handle();
    let task = async_std::task::spawn(engine.run());
    let mut address = None;
    if wants_address {
        let bound = async_std::future::timeout(WITHIN, listening.recv())
            .await
            .expect("engine did not listen")
            .unwrap();
        address = Some(match bound {
            Listening::Client(a) | Listening::Repeater(a) => a,
            other => panic!("unexpected {other:?}"),
        });
    }
    Running {
        events,
        stop,
        task,
        address,
    }
}

fn server_options(name: &str) -> EngineOptions {
    EngineOptions {
        server_name: name.to_string(),
        websocket_listen_address: Some("127.0.0.1:0".parse().unwrap()),
        simulated_devices: vec!["Lovense Hush".to_string()],
        ..EngineOptions::default()
    }
}

async fn next_event(events: &async_channel::Receiver<EngineEvent>) -> EngineEvent {
    async_std::future::timeout(WITHIN, events.recv())
        .await
        .expect("no engine event in time")
        .unwrap()
}

/// Events up to (and including) the first one `until` accepts.
async fn events_until(
    events: &async_channel::Receiver<EngineEvent>,
    until: impl Fn(&EngineEvent) -> bool,
) -> Vec<EngineEvent> {
    let mut seen = Vec::new();
    loop {
        let e = next_event(events).await;
        let done = until(&e);
        seen.push(e);
        if done {
            return seen;
        }
    }
}

/// A raw WebSocket to `url` (ws://host:port).
async fn raw(
    url: &str,
) -> (
    async_tungstenite::WebSocketStream<async_std::net::TcpStream>,
    (),
) {
    let host = url.trim_start_matches("ws://");
    let tcp = async_std::net::TcpStream::connect(host).await.unwrap();
    let (ws, _) = async_tungstenite::client_async(url, tcp).await.unwrap();
    (ws, ())
}

async fn client(url: String, name: &str) -> ButtplugClient {
    let client = ButtplugClient::new(name);
    let driver = client
        .connect(WebsocketClientConnector::new(url))
        .await
        .unwrap();
    async_std::task::spawn(driver);
    client
}

#[test]
fn a_client_session_gives_the_engine_event_sequence() {
    async_std::task::block_on(async {
        let engine = start(server_options("Events")).await;
        let url = format!("ws://{}", engine.address.unwrap());
        let c = client(url, "Example Game").await;
        c.start_scanning().await.unwrap();
        let seen = events_until(&engine.events, |e| {
            matches!(e, EngineEvent::DeviceConnected { .. })
        })
        .await;
        let json: Vec<String> = seen.iter().map(EngineEvent::to_json).collect();
        assert_eq!(
            json,
            vec![
                r#"{"EngineStarted":{}}"#.to_string(),
                r#"{"EngineServerCreated":{}}"#.to_string(),
                r#"{"ClientConnected":{"client_name":"Example Game"}}"#.to_string(),
                r#"{"DeviceConnected":{"name":"Lovense Hush","index":0,"identifier":{"protocol":"lovense","identifier":"Z","address":"SI:MU:LA:TE:00:00"},"needs_keepalive":false}}"#.to_string(),
            ]
        );
        c.disconnect().await.unwrap();
        assert_eq!(
            next_event(&engine.events).await,
            EngineEvent::ClientDisconnected {}
        );
        engine.stop.stop();
        engine.task.await.unwrap();
        let rest = events_until(&engine.events, |e| *e == EngineEvent::EngineStopped {}).await;
        // The device leaves as the engine shuts down (or the forwarder is gone first); nothing
        // else comes before the last event.
        assert!(
            rest.iter().all(|e| matches!(
                e,
                EngineEvent::DeviceDisconnected { index: 0 } | EngineEvent::EngineStopped {}
            )),
            "{rest:?}"
        );
    });
}

#[test]
fn output_observations_are_events_when_asked_for() {
    async_std::task::block_on(async {
        for emit in [true, false] {
            let engine = start(EngineOptions {
                emit_output_observations: emit,
                ..server_options("Observations")
            })
            .await;
            let url = format!("ws://{}", engine.address.unwrap());
            let c = client(url, "Observer").await;
            c.start_scanning().await.unwrap();
            events_until(&engine.events, |e| {
                matches!(e, EngineEvent::DeviceConnected { .. })
            })
            .await;
            let hush = crate::shared::the_device(&c).await;
            // The Hush's vibrator has 20 steps: 0.5 is step 10, then the same value again (an
            // exact repeat is not written, so it is not observed), then 0.25 is step 5.
            hush.vibrate(buttplug_client::Level::Fraction(0.5))
                .await
                .unwrap();
            hush.vibrate(buttplug_client::Level::Fraction(0.5))
                .await
                .unwrap();
            hush.vibrate(buttplug_client::Level::Fraction(0.25))
                .await
                .unwrap();
            c.disconnect().await.unwrap();
            let is_stop_observation = |e: &EngineEvent| matches!(e, EngineEvent::DeviceOutputObservation { value, .. } if *value == 0.0);
            let mut seen = Vec::new();
            if emit {
                // The client's leaving stops the device: that write is observed too.
                seen = events_until(&engine.events, is_stop_observation).await;
            }
            engine.stop.stop();
            engine.task.await.unwrap();
            seen.extend(
                events_until(&engine.events, |e| *e == EngineEvent::EngineStopped {}).await,
            );
            let mut observed: Vec<String> = seen
                .iter()
                .filter(|e| matches!(e, EngineEvent::DeviceOutputObservation { .. }))
                .map(EngineEvent::to_json)
                .collect();
            if observed.len() == 4 {
                // The engine's shutdown stops every device once more (stops are always written).
                assert_eq!(observed.pop(), observed.last().cloned());
            }
            let expected = if emit {
                vec![
                    r#"{"DeviceOutputObservation":{"device_index":0,"feature_index":0,"output_type":"Vibrate","value":10.0}}"#,
                    r#"{"DeviceOutputObservation":{"device_index":0,"feature_index":0,"output_type":"Vibrate","value":5.0}}"#,
                    r#"{"DeviceOutputObservation":{"device_index":0,"feature_index":0,"output_type":"Vibrate","value":0.0}}"#,
                ]
            } else {
                vec![]
            };
            assert_eq!(observed, expected, "emit_output_observations {emit}");
        }
    });
}

#[test]
fn a_port_in_use_is_a_fatal_error_with_the_engine_detail() {
    async_std::task::block_on(async {
        let taken = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = taken.local_addr().unwrap();
        let engine = start_with(
            EngineOptions {
                websocket_listen_address: Some(address),
                ..EngineOptions::default()
            },
            false,
        )
        .await;
        let result = async_std::future::timeout(WITHIN, engine.task)
            .await
            .expect("the engine kept running");
        assert!(
            matches!(result, Err(EngineError::PortInUse { address: a, .. }) if a == address),
            "{result:?}"
        );
        let seen = events_until(&engine.events, |e| *e == EngineEvent::EngineStopped {}).await;
        assert!(
            seen.contains(&EngineEvent::EngineError {
                error: format!(
                    "the client websocket server cannot listen on {address}: the port is already in use"
                ),
                detail: Some(ErrorDetail::PortInUse {
                    address: "127.0.0.1".to_string(),
                    port: address.port(),
                }),
            }),
            "{seen:?}"
        );
    });
}

#[test]
fn dial_out_retries_with_growing_delays() {
    async_std::task::block_on(async {
        // Accepts TCP and drops it at once: every attempt fails its WebSocket upgrade.
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("ws://{}", listener.local_addr().unwrap());
        let engine = start(EngineOptions {
            websocket_client_address: Some(url),
            ..EngineOptions::default()
        })
        .await;
        let started = Instant::now();
        let mut attempts = Vec::new();
        while started.elapsed() < Duration::from_millis(2600) {
            let left = Duration::from_millis(2600).saturating_sub(started.elapsed());
            if let Ok(Ok((stream, _))) = async_std::future::timeout(left, listener.accept()).await {
                attempts.push(started.elapsed());
                drop(stream);
            }
        }
        engine.stop.stop();
        engine.task.await.unwrap();
        // 0, 0.25, 0.75, 1.75 s (+ the time each attempt takes): 4 in 2.6 s, where a tight
        // loop would make thousands and a fixed 1 s delay 3.
        assert!(
            (3..=5).contains(&attempts.len()),
            "attempts at {attempts:?}"
        );
        let gaps: Vec<Duration> = attempts.windows(2).map(|w| w[1] - w[0]).collect();
        assert!(gaps[0] >= REDIAL_FIRST_DELAY, "{gaps:?}");
        for w in gaps.windows(2) {
            assert!(
                w[1] > w[0] + REDIAL_FIRST_DELAY / 2,
                "delays do not grow: {gaps:?}"
            );
        }
        let errors = events_until(&engine.events, |e| *e == EngineEvent::EngineStopped {})
            .await
            .into_iter()
            .filter(|e| matches!(e, EngineEvent::EngineError { error, .. } if error.contains("cannot reach client")))
            .count();
        assert_eq!(errors, attempts.len(), "one EngineError per failed attempt");
    });
}

#[test]
fn the_repeater_relays_our_client_to_our_server_unmodified() {
    async_std::task::block_on(async {
        let server = start(server_options("Behind the repeater")).await;
        let remote = server.address.unwrap().to_string(); // no scheme: ws:// is added
        let repeater = start(EngineOptions {
            repeater_mode: true,
            repeater_local_port: Some(0),
            repeater_remote_address: Some(remote),
            ..EngineOptions::default()
        })
        .await;
        let url = format!("ws://{}", repeater.address.unwrap());

        // A whole session through the relay: the server sees our client by name, the client
        // sees the server's name and its device, and a command reaches the device.
        let c = client(url.clone(), "Through the relay").await;
        assert_eq!(c.server_name().as_deref(), Some("Behind the repeater"));
        c.start_scanning().await.unwrap();
        let seen = events_until(&server.events, |e| {
            matches!(e, EngineEvent::DeviceConnected { .. })
        })
        .await;
        assert!(seen.contains(&EngineEvent::ClientConnected {
            client_name: "Through the relay".to_string()
        }));
        crate::shared::the_device(&c)
            .await
            .vibrate(0.5)
            .await
            .unwrap();

        // One upstream connection per local client: a second client gets its own connection
        // to the server, which turns it away (one client at a time) with its busy frame.
        let (mut second, _) = raw(&url).await;
        let busy = async_std::future::timeout(WITHIN, second.next())
            .await
            .expect("no frame through the relay")
            .unwrap()
            .unwrap();
        let Message::Text(busy) = busy else {
            panic!("{busy:?}")
        };
        assert!(busy.contains("another client is connected"), "{busy}");
        // ... and the server's close reaches it as a close.
        let end = async_std::future::timeout(WITHIN, second.next())
            .await
            .expect("not closed");
        assert!(
            matches!(end, None | Some(Ok(Message::Close(_))) | Some(Err(_))),
            "{end:?}"
        );

        // The local client leaves: the relay closes its upstream connection.
        c.disconnect().await.unwrap();
        let _ = events_until(&server.events, |e| *e == EngineEvent::ClientDisconnected {}).await;

        // The remote goes away: the relay closes the local client.
        let (mut third, _) = raw(&url).await;
        third
            .send(Message::Text(
                r#"[{"RequestServerInfo":{"Id":1,"ClientName":"raw","ProtocolVersionMajor":4,"ProtocolVersionMinor":0}}]"#.into(),
            ))
            .await
            .unwrap();
        let reply = async_std::future::timeout(WITHIN, third.next())
            .await
            .expect("no reply")
            .unwrap()
            .unwrap();
        assert!(
            reply
                .to_string()
                .contains(r#""ServerName":"Behind the repeater""#),
            "{reply}"
        );
        server.stop.stop();
        server.task.await.unwrap();
        let end = async_std::future::timeout(WITHIN, async {
            loop {
                match third.next().await {
                    Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return,
                    Some(Ok(_)) => {}
                }
            }
        })
        .await;
        assert!(end.is_ok(), "the local client was not closed");
        repeater.stop.stop();
        repeater.task.await.unwrap();
    });
}

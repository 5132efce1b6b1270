//! The dongle state machine: one task that owns the link, searches, connects the toy, forwards
//! its commands and answers, and notices when the toy or the dongle goes away.

use super::hardware;
use super::link::{Incoming, Link, Outgoing, code};
use super::{DONGLE_COMMAND_CAPACITY, DONGLE_CONNECT_TIMEOUT, DONGLE_STATUS_WAIT};
use crate::comm::{CommunicationEvent, CommunicationEventSender};
use crate::managers::hardware_events::EventHub;
use buttplug_devices::Endpoint;
use futures::FutureExt;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// What the manager tells the machine.
#[derive(Debug)]
pub(super) enum Control {
    /// A dongle was found.
    Attach(Link),
    /// Start searching (kept until stopped).
    Start,
    /// Stop searching.
    Stop,
    /// End the machine.
    Shutdown,
}

/// Where the machine is.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Phase {
    /// No dongle.
    NoDongle,
    /// Asked whether a toy is connected already; waiting until the deadline.
    CheckingStatus,
    /// Dongle present, nothing going on.
    Idle,
    /// Searching.
    Searching,
    /// Found a toy; stopping the search before connecting.
    StoppingSearch { id: String },
    /// Connect sent; waiting for the dongle's answer.
    Connecting { id: String },
    /// A toy is connected.
    Connected { id: String },
}

/// The connected toy's side.
struct Toy {
    hub: Arc<EventHub>,
    commands: async_channel::Receiver<Vec<u8>>,
}

/// The machine's state.
pub(super) struct Machine {
    pub(super) control: async_channel::Receiver<Control>,
    pub(super) events: CommunicationEventSender,
    pub(super) scanning: Arc<AtomicBool>,
    pub(super) attached: Arc<AtomicBool>,
    pub(super) scan_timeout: Option<Duration>,
    phase: Phase,
    want_scan: bool,
    scan_started: Option<Instant>,
    deadline: Option<Instant>,
    link: Option<Link>,
    toy: Option<Toy>,
}

enum Input {
    Control(Option<Control>),
    Dongle(Option<Incoming>),
    ToyCommand(Option<Vec<u8>>),
    Deadline,
}

async fn recv_or_pending<T>(r: Option<&async_channel::Receiver<T>>) -> Option<T> {
    match r {
        Some(r) => r.recv().await.ok(),
        None => futures::future::pending().await,
    }
}

async fn sleep_until(deadline: Option<Instant>) {
    match deadline {
        Some(d) => crate::rt::sleep(d.saturating_duration_since(Instant::now())).await,
        None => futures::future::pending().await,
    }
}

impl Machine {
    pub(super) fn new(
        control: async_channel::Receiver<Control>,
        events: CommunicationEventSender,
        scanning: Arc<AtomicBool>,
        attached: Arc<AtomicBool>,
        scan_timeout: Option<Duration>,
    ) -> Self {
        Machine {
            control,
            events,
            scanning,
            attached,
            scan_timeout,
            phase: Phase::NoDongle,
            want_scan: false,
            scan_started: None,
            deadline: None,
            link: None,
            toy: None,
        }
    }

    fn send(&self, m: Outgoing) {
        if let Some(link) = &self.link {
            if link.outgoing.try_send(m).is_err() {
                tracing::warn!("Lovense dongle: outgoing queue full or closed; message dropped");
            }
        }
    }

    fn set_scanning(&self, on: bool) {
        self.scanning.store(on, Ordering::SeqCst);
    }

    async fn scanning_finished(&self) {
        self.set_scanning(false);
        let _ = self
            .events
            .send(CommunicationEvent::ScanningFinished {
                manager: super::LOVENSE_DONGLE_MANAGER_NAME,
            })
            .await;
    }

    fn start_search(&mut self) {
        self.send(Outgoing::search());
        self.phase = Phase::Searching;
        self.set_scanning(true);
        if self.scan_started.is_none() {
            self.scan_started = Some(Instant::now());
        }
        self.deadline = self
            .scan_timeout
            .and_then(|t| self.scan_started.map(|s| s + t));
    }

    /// Back to rest after a toy or a connection attempt is gone.
    fn rest(&mut self) {
        if self.want_scan {
            self.start_search();
        } else {
            self.phase = Phase::Idle;
            self.deadline = None;
        }
    }

    /// Run until shut down.
    pub(super) async fn run(mut self) {
        loop {
            let input = {
                let toy = self.toy.as_ref().map(|t| &t.commands);
                let dongle = self.link.as_ref().map(|l| &l.incoming);
                futures::select! {
                    c = self.control.recv().fuse() => Input::Control(c.ok()),
                    m = Box::pin(recv_or_pending(dongle)).fuse() => Input::Dongle(m),
                    t = Box::pin(recv_or_pending(toy)).fuse() => Input::ToyCommand(t),
                    () = Box::pin(sleep_until(self.deadline)).fuse() => Input::Deadline,
                }
            };
            match input {
                Input::Control(None) | Input::Control(Some(Control::Shutdown)) => break,
                Input::Control(Some(c)) => self.on_control(c).await,
                Input::Dongle(Some(m)) => self.on_dongle(m).await,
                Input::Dongle(None) => self.dongle_gone(),
                Input::ToyCommand(Some(cmd)) => {
                    if let Phase::Connected { id } = &self.phase {
                        let text = String::from_utf8_lossy(&cmd).into_owned();
                        self.send(Outgoing::command(id, text));
                    }
                }
                Input::ToyCommand(None) => {
                    // The hardware was dropped: the device manager let the toy go.
                    self.toy = None;
                }
                Input::Deadline => self.on_deadline().await,
            }
        }
        if let Some(t) = self.toy.take() {
            t.hub.disconnected();
        }
    }

    async fn on_control(&mut self, c: Control) {
        match c {
            Control::Attach(link) => {
                tracing::info!(dongle = %link.label, "Lovense dongle attached");
                self.link = Some(link);
                self.attached.store(true, Ordering::SeqCst);
                self.send(Outgoing::status());
                self.phase = Phase::CheckingStatus;
                self.deadline = Some(Instant::now() + DONGLE_STATUS_WAIT);
            }
            Control::Start => {
                self.want_scan = true;
                self.scan_started = None;
                match self.phase {
                    Phase::Idle => self.start_search(),
                    Phase::Connected { .. } => {
                        // The dongle holds one toy: nothing more to find.
                        self.scanning_finished().await;
                    }
                    _ => self.set_scanning(true),
                }
            }
            Control::Stop => {
                self.want_scan = false;
                self.scan_started = None;
                self.set_scanning(false);
                if self.phase == Phase::Searching {
                    self.send(Outgoing::stop_search());
                    self.phase = Phase::Idle;
                    self.deadline = None;
                }
            }
            Control::Shutdown => {}
        }
    }

    fn dongle_gone(&mut self) {
        tracing::info!("Lovense dongle detached");
        self.link = None;
        self.attached.store(false, Ordering::SeqCst);
        if let Some(t) = self.toy.take() {
            t.hub.disconnected();
        }
        self.phase = Phase::NoDongle;
        self.deadline = None;
    }

    async fn on_deadline(&mut self) {
        self.deadline = None;
        match self.phase.clone() {
            Phase::CheckingStatus => self.rest(),
            Phase::Searching => {
                tracing::info!("Lovense dongle: search timed out");
                self.want_scan = false;
                self.scan_started = None;
                self.send(Outgoing::stop_search());
                self.phase = Phase::Idle;
                self.scanning_finished().await;
            }
            Phase::StoppingSearch { id } => {
                // The dongle did not confirm the stop; connect anyway.
                self.connect(id);
            }
            Phase::Connecting { id } => {
                tracing::warn!(toy = %id, "Lovense dongle: connecting timed out");
                self.rest();
            }
            _ => {}
        }
    }

    fn connect(&mut self, id: String) {
        self.send(Outgoing::connect(&id));
        self.phase = Phase::Connecting { id };
        self.deadline = Some(Instant::now() + DONGLE_CONNECT_TIMEOUT);
    }

    async fn connected(&mut self, id: String) {
        let was_scanning = self.scanning.load(Ordering::SeqCst);
        self.phase = Phase::Connected { id: id.clone() };
        self.deadline = None;
        self.scan_started = None;
        let hub = Arc::new(EventHub::default());
        let (tx, rx) = async_channel::bounded(DONGLE_COMMAND_CAPACITY);
        self.toy = Some(Toy {
            hub: hub.clone(),
            commands: rx,
        });
        tracing::info!(toy = %id, "Lovense dongle: toy connected");
        let event = CommunicationEvent::DeviceFound {
            name: super::DONGLE_DEVICE_NAME.to_string(),
            address: id.clone(),
            connector: hardware::connector(id, hub, tx),
        };
        if self.events.send(event).await.is_err() {
            tracing::debug!("Lovense dongle: device manager is gone");
        }
        if was_scanning {
            // The dongle holds one toy: this scan is over.
            self.want_scan = false;
            self.scanning_finished().await;
        }
    }

    async fn on_dongle(&mut self, m: Incoming) {
        let status = m.data.as_ref().and_then(|d| d.status);
        let data_id = m.data.as_ref().and_then(|d| d.id.clone());
        match (&self.phase.clone(), m.func.as_str()) {
            // A toy already connected (answer to `statuss`, or the dongle reconnected it).
            (
                Phase::CheckingStatus
                | Phase::Idle
                | Phase::Searching
                | Phase::StoppingSearch { .. },
                "status",
            ) if status == Some(code::CONNECT_SUCCESS) => {
                if let Some(id) = data_id.or(m.id) {
                    self.connected(id).await;
                }
            }
            (Phase::Searching, "search") if m.result == Some(code::SEARCH_STOPPED) => {
                // The dongle's own search timeout: keep searching while asked to.
                if self.want_scan {
                    self.send(Outgoing::search());
                }
            }
            (Phase::Searching, "toyData") => match data_id {
                Some(id) => {
                    tracing::info!(toy = %id, "Lovense dongle found a toy");
                    self.send(Outgoing::stop_search());
                    self.phase = Phase::StoppingSearch { id };
                    self.deadline = Some(Instant::now() + DONGLE_STATUS_WAIT);
                }
                None => tracing::debug!("Lovense dongle: toyData without id"),
            },
            (Phase::StoppingSearch { id }, "search" | "stopSearch")
                if m.result == Some(code::SEARCH_STOPPED)
                    || m.result == Some(code::COMMAND_SUCCESS) =>
            {
                self.connect(id.clone());
            }
            (Phase::Connecting { id }, "status" | "connect") => match status.or(m.result) {
                Some(code::CONNECT_SUCCESS) => self.connected(id.clone()).await,
                Some(code::CONNECT_IN_PROGRESS) => {}
                Some(code::CONNECT_FAILED | code::NOT_FOUND | code::DISCONNECTED) => {
                    tracing::warn!(toy = %id, "Lovense dongle could not connect the toy");
                    self.rest();
                }
                other => tracing::debug!("Lovense dongle: connect answer {other:?}"),
            },
            (Phase::Connected { id }, "toyData") => {
                let same = data_id.as_deref().is_none_or(|d| d == id);
                if let (true, Some(text), Some(toy)) = (
                    same,
                    m.data.as_ref().and_then(|d| d.data.clone()),
                    &self.toy,
                ) {
                    toy.hub.notify(Endpoint::Rx, text.into_bytes());
                }
            }
            (Phase::Connected { id }, "status") if status == Some(code::DISCONNECTED) => {
                tracing::info!(toy = %id, "Lovense dongle: toy disconnected");
                if let Some(t) = self.toy.take() {
                    t.hub.disconnected();
                }
                self.rest();
            }
            (phase, func) => {
                tracing::debug!("Lovense dongle: {func} {m:?} ignored in {phase:?}");
            }
        }
    }
}

//! Toys reached through the Lovense Connect app's local HTTP API (feature `lovense-connect`).
//!
//! - **How it finds devices:** while scanning, every [`DEFAULT_CONNECT_RESCAN_INTERVAL`] (10 s, as
//!   upstream) it asks each known app for its toys with `GET <app>/GetToys` (answer
//!   `{"code":200,"type":"OK","data":{"<id>":{"id","name","status","battery",..}}}`) and reports
//!   every toy whose `status` is connected, named after the app's toy name with a capital first
//!   letter (`hush` → `Hush`, the `lovense-connect-service` identifiers) and addressed by the toy
//!   id, with a `lovense_connect_service` specifier. Apps are given directly
//!   ([`LovenseConnectManagerBuilder::app_address`], e.g. `http://192.168.1.20:34567`) or found
//!   through a lookup URL ([`LovenseConnectManagerBuilder::lookup_url`]) answering like Lovense's
//!   public `getToys` lookup: `{"<a-b-c-d>.lovense.club": {"httpPort": ..}}`, whose domain's first
//!   label is the app's IP address with dashes.
//! - **Commands:** a write on `tx` is the protocol's query (`Vibrate1?v=10&t=<id>`) sent as
//!   `GET <app>/<query>`; a read of `rx` returns the battery level the app last reported (one
//!   byte). Each toy is polled every [`DEFAULT_CONNECT_POLL_INTERVAL`]; a toy the app no longer
//!   lists as connected, or an app that stops answering, disconnects the device.
//! - **HTTP:** [`http::HttpClient`] (ureq): `http` for the app (IPv6 literals such as
//!   `http://[::1]:34567` included) and `https` for the lookup, checked against the bundled webpki
//!   roots ([`LovenseConnectManagerBuilder::tls_roots`] replaces them, for tests and private lookup
//!   services). A failed lookup makes the scan report the manager unavailable; apps given directly
//!   are still asked.
//! - **Limits:** no notifications.

pub mod http;

use self::http::HttpClient;
use crate::comm::{
    CommunicationError, CommunicationEventSender, DeviceCommunicationManager,
    DeviceCommunicationManagerBuilder,
};
use crate::managers::hardware_events::{EventHub, ReadyConnector, check_endpoint, transport_error};
use crate::managers::timed_retry::{InUse, RetryScanner, TimedRetryManager, report_device};
use crate::rt;
use async_trait::async_trait;
use buttplug_devices::config::CommunicationSpecifier;
use buttplug_devices::{Endpoint, Hardware, HardwareError, HardwareEvent};
use futures::stream::BoxStream;
use serde_json::Value;
use std::collections::BTreeSet;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The manager name.
pub const LOVENSE_CONNECT_MANAGER_NAME: &str = "lovense-connect";

/// Lovense's public lookup of Connect apps on the local network (https; see the module docs).
pub const LOVENSE_PUBLIC_LOOKUP_URL: &str = "https://api.lovense.com/api/lan/getToys";

/// How often apps are asked for toys while scanning.
pub const DEFAULT_CONNECT_RESCAN_INTERVAL: Duration = Duration::from_secs(10);

/// How often a connected toy's presence and battery are checked.
pub const DEFAULT_CONNECT_POLL_INTERVAL: Duration = Duration::from_secs(1);

/// One toy as the app lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectToy {
    /// The toy id (the device address).
    pub id: String,
    /// The toy name as the app reports it (`hush`).
    pub name: String,
    /// Whether the app is connected to the toy.
    pub connected: bool,
    /// Battery level 0-100 (0 when the app reports none).
    pub battery: u8,
}

fn truthy(v: &Value) -> bool {
    match v {
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_i64().is_some_and(|n| n != 0),
        Value::String(s) => matches!(s.trim(), "1" | "true" | "True"),
        _ => false,
    }
}

fn number(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// Parse a `GetToys` answer (lenient about number/string/bool spellings, as the app varies).
///
/// # Errors
/// When the text is not JSON or has no `data` object.
pub fn parse_toys(text: &str) -> Result<Vec<ConnectToy>, String> {
    let v: Value = serde_json::from_str(text).map_err(|e| format!("GetToys is not JSON: {e}"))?;
    let data = match &v["data"] {
        Value::Object(o) => o,
        // Some app versions send the toy map as a JSON string.
        Value::String(s) => {
            return parse_toys(&format!("{{\"data\":{s}}}"));
        }
        _ => return Err("GetToys answer has no data object".into()),
    };
    Ok(data
        .iter()
        .map(|(key, t)| ConnectToy {
            id: t["id"].as_str().unwrap_or(key).to_string(),
            name: t["name"].as_str().unwrap_or_default().to_string(),
            connected: truthy(&t["status"]),
            battery: number(&t["battery"]).map_or(0, |b| b.clamp(0, 100) as u8),
        })
        .collect())
}

/// Parse a lookup answer into app base URLs (`http://<ip>:<httpPort>`).
///
/// # Errors
/// When the text is not a JSON object.
pub fn parse_lookup(text: &str) -> Result<Vec<String>, String> {
    let v: Value = serde_json::from_str(text).map_err(|e| format!("lookup is not JSON: {e}"))?;
    let hosts = v.as_object().ok_or("lookup answer is not an object")?;
    Ok(hosts
        .iter()
        .filter_map(|(domain, info)| {
            let port = number(&info["httpPort"])?;
            let ip = domain.split('.').next()?.replace('-', ".");
            Some(format!("http://{ip}:{port}"))
        })
        .collect())
}

/// The device name for an app toy name: first letter upper-case (`hush` → `Hush`).
pub fn toy_display_name(name: &str) -> String {
    let mut chars = name.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Builder of the Lovense Connect manager.
#[derive(Debug, Clone)]
#[must_use]
pub struct LovenseConnectManagerBuilder {
    apps: Vec<String>,
    lookup: Option<String>,
    tls_roots: Option<Vec<Vec<u8>>>,
    rescan_interval: Duration,
    poll_interval: Duration,
}

impl Default for LovenseConnectManagerBuilder {
    fn default() -> Self {
        LovenseConnectManagerBuilder {
            apps: Vec::new(),
            lookup: None,
            tls_roots: None,
            rescan_interval: DEFAULT_CONNECT_RESCAN_INTERVAL,
            poll_interval: DEFAULT_CONNECT_POLL_INTERVAL,
        }
    }
}

impl LovenseConnectManagerBuilder {
    /// A manager that knows no app yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Ask this app directly (`http://<ip>:<port>`).
    pub fn app_address(mut self, base_url: impl Into<String>) -> Self {
        let url = base_url.into().trim_end_matches('/').to_string();
        if !self.apps.contains(&url) {
            self.apps.push(url);
        }
        self
    }

    /// Find apps through a lookup URL (see the module docs for the answer format).
    pub fn lookup_url(mut self, url: impl Into<String>) -> Self {
        self.lookup = Some(url.into());
        self
    }

    /// Use Lovense's public lookup ([`LOVENSE_PUBLIC_LOOKUP_URL`], https).
    pub fn public_lookup(self) -> Self {
        self.lookup_url(LOVENSE_PUBLIC_LOOKUP_URL)
    }

    /// Check `https` servers against these root certificates (DER) only, instead of the bundled
    /// webpki (Mozilla) roots. For tests with a certificate they made, or a private lookup
    /// service; `buttplug serve` never sets it.
    pub fn tls_roots(mut self, roots_der: Vec<Vec<u8>>) -> Self {
        self.tls_roots = Some(roots_der);
        self
    }

    /// How often apps are asked for toys while scanning (default 10 s).
    pub fn rescan_interval(mut self, interval: Duration) -> Self {
        self.rescan_interval = interval;
        self
    }

    /// How often a connected toy is checked (default 1 s).
    pub fn poll_interval(mut self, interval: Duration) -> Self {
        self.poll_interval = interval;
        self
    }
}

impl DeviceCommunicationManagerBuilder for LovenseConnectManagerBuilder {
    fn finish(
        self: Box<Self>,
        events: CommunicationEventSender,
    ) -> Box<dyn DeviceCommunicationManager> {
        let http = match &self.tls_roots {
            Some(roots) => HttpClient::with_roots(roots),
            None => HttpClient::new(),
        };
        Box::new(TimedRetryManager::new(ConnectScanner {
            http,
            apps: self.apps,
            lookup: self.lookup,
            found_apps: Mutex::new(BTreeSet::new()),
            rescan_interval: self.rescan_interval,
            poll_interval: self.poll_interval,
            events,
            in_use: InUse::default(),
        }))
    }
}

#[derive(Debug)]
struct ConnectScanner {
    http: HttpClient,
    apps: Vec<String>,
    lookup: Option<String>,
    /// Apps found through the lookup (dropped when they stop answering).
    found_apps: Mutex<BTreeSet<String>>,
    rescan_interval: Duration,
    poll_interval: Duration,
    events: CommunicationEventSender,
    /// Toys handed out, by id.
    in_use: InUse,
}

fn unavailable(reason: String) -> CommunicationError {
    CommunicationError::Unavailable {
        manager: LOVENSE_CONNECT_MANAGER_NAME,
        reason,
    }
}

#[async_trait]
impl RetryScanner for ConnectScanner {
    fn name(&self) -> &'static str {
        LOVENSE_CONNECT_MANAGER_NAME
    }

    fn rescan_interval(&self) -> Duration {
        self.rescan_interval
    }

    async fn scan(&self) -> Result<(), CommunicationError> {
        let mut problem = None;
        let found_empty = crate::sync::lock(&self.found_apps).is_empty();
        if let (Some(lookup), true) = (&self.lookup, found_empty) {
            match self
                .http
                .get(lookup)
                .await
                .map_err(|e| e.to_string())
                .and_then(|t| parse_lookup(&t))
            {
                Ok(apps) => crate::sync::lock(&self.found_apps).extend(apps),
                Err(e) => problem = Some(format!("app lookup failed: {e}")),
            }
        }
        let found: Vec<String> = crate::sync::lock(&self.found_apps)
            .iter()
            .cloned()
            .collect();
        let mut apps: Vec<(String, bool)> = self.apps.iter().map(|a| (a.clone(), false)).collect();
        apps.extend(found.into_iter().map(|a| (a, true)));
        self.in_use.forget_gone(|_| true);
        for (app, from_lookup) in apps {
            let toys = match self.http.get(&format!("{app}/GetToys")).await {
                Ok(text) => parse_toys(&text),
                Err(e) => Err(e.to_string()),
            };
            let toys = match toys {
                Ok(t) => t,
                Err(e) => {
                    tracing::debug!(%app, "Lovense Connect app not answering: {e}");
                    if from_lookup {
                        crate::sync::lock(&self.found_apps).remove(&app);
                    }
                    continue;
                }
            };
            for toy in toys.into_iter().filter(|t| t.connected) {
                if self.in_use.addresses().contains(&toy.id) {
                    continue;
                }
                let hardware = ConnectHardware::start(&self.http, &app, &toy, self.poll_interval);
                self.in_use.insert(toy.id.clone(), &hardware.hub);
                let name = hardware.name.clone();
                let connector =
                    ReadyConnector::new(CommunicationSpecifier::LovenseConnectService, hardware);
                report_device(&self.events, name, toy.id, Box::new(connector)).await?;
            }
        }
        match problem {
            Some(p) => Err(unavailable(p)),
            None => Ok(()),
        }
    }
}

/// A toy behind the app.
#[derive(Debug)]
struct ConnectHardware {
    name: String,
    id: String,
    app: String,
    http: HttpClient,
    battery: Arc<AtomicU8>,
    hub: Arc<EventHub>,
}

impl ConnectHardware {
    /// The hardware and its presence/battery poll (ends when the toy goes or the hardware is
    /// dropped).
    fn start(http: &HttpClient, app: &str, toy: &ConnectToy, poll: Duration) -> Self {
        let hub = Arc::new(EventHub::default());
        let battery = Arc::new(AtomicU8::new(toy.battery));
        let (weak_hub, weak_battery) = (Arc::downgrade(&hub), Arc::downgrade(&battery));
        let (app_url, id, poll_http) = (app.to_string(), toy.id.clone(), http.clone());
        rt::spawn(async move {
            loop {
                rt::sleep(poll).await;
                let (Some(hub), Some(battery)) = (weak_hub.upgrade(), weak_battery.upgrade())
                else {
                    return;
                };
                if !hub.is_connected() {
                    return;
                }
                let toys = match poll_http.get(&format!("{app_url}/GetToys")).await {
                    Ok(t) => parse_toys(&t),
                    Err(e) => Err(e.to_string()),
                };
                match toys.map(|t| t.into_iter().find(|t| t.id == id)) {
                    Ok(Some(t)) if t.connected => battery.store(t.battery, Ordering::SeqCst),
                    Ok(_) => {
                        tracing::info!(toy = %id, "Lovense Connect toy disconnected");
                        hub.disconnected();
                        return;
                    }
                    Err(e) => {
                        tracing::info!(toy = %id, "Lovense Connect app gone: {e}");
                        hub.disconnected();
                        return;
                    }
                }
            }
        });
        ConnectHardware {
            name: toy_display_name(&toy.name),
            id: toy.id.clone(),
            app: app.to_string(),
            http: http.clone(),
            battery,
            hub,
        }
    }
}

#[async_trait]
impl Hardware for ConnectHardware {
    fn name(&self) -> &str {
        &self.name
    }

    fn address(&self) -> &str {
        &self.id
    }

    fn endpoints(&self) -> Vec<Endpoint> {
        vec![Endpoint::Tx, Endpoint::Rx]
    }

    async fn write(
        &self,
        endpoint: Endpoint,
        data: &[u8],
        _write_with_response: bool,
    ) -> Result<(), HardwareError> {
        check_endpoint(endpoint, Endpoint::Tx)?;
        self.hub.check_connected()?;
        let query = String::from_utf8_lossy(data);
        let url = format!("{}/{}", self.app, query.trim_start_matches('/'));
        self.http
            .get(&url)
            .await
            .map(|_| ())
            .map_err(transport_error)
    }

    async fn read(
        &self,
        endpoint: Endpoint,
        _length: u32,
        _timeout: Duration,
    ) -> Result<Vec<u8>, HardwareError> {
        check_endpoint(endpoint, Endpoint::Rx)?;
        self.hub.check_connected()?;
        Ok(vec![self.battery.load(Ordering::SeqCst)])
    }

    async fn subscribe(&self, _endpoint: Endpoint) -> Result<(), HardwareError> {
        Err(HardwareError::Unsupported {
            operation: "subscribe through Lovense Connect",
        })
    }

    async fn unsubscribe(&self, _endpoint: Endpoint) -> Result<(), HardwareError> {
        Err(HardwareError::Unsupported {
            operation: "unsubscribe through Lovense Connect",
        })
    }

    async fn disconnect(&self) -> Result<(), HardwareError> {
        self.hub.disconnected();
        Ok(())
    }

    fn event_stream(&self) -> BoxStream<'static, HardwareEvent> {
        self.hub.stream()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn toys_in_every_spelling() {
        let text = r#"{"code":200,"type":"OK","data":{
            "a1":{"id":"a1","name":"hush","nickName":"","status":"1","version":"","battery":85},
            "b2":{"id":"b2","name":"max","status":0,"battery":null},
            "c3":{"name":"edge","status":true,"battery":"40"}}}"#;
        let toys = parse_toys(text).unwrap();
        assert_eq!(
            toys,
            vec![
                ConnectToy {
                    id: "a1".into(),
                    name: "hush".into(),
                    connected: true,
                    battery: 85
                },
                ConnectToy {
                    id: "b2".into(),
                    name: "max".into(),
                    connected: false,
                    battery: 0
                },
                ConnectToy {
                    id: "c3".into(),
                    name: "edge".into(),
                    connected: true,
                    battery: 40
                },
            ]
        );
        assert!(parse_toys("nope").is_err());
        assert!(parse_toys(r#"{"code":200}"#).is_err());
    }

    #[test]
    fn lookup_and_names() {
        let apps = parse_lookup(
            r#"{"192-168-1-44.lovense.club":{"domain":"192-168-1-44.lovense.club","httpPort":"34567","wsPort":"34567","httpsPort":"30010","wssPort":"30010","toys":{}}}"#,
        )
        .unwrap();
        assert_eq!(apps, ["http://192.168.1.44:34567"]);
        assert_eq!(toy_display_name("hush"), "Hush");
        assert_eq!(toy_display_name("Solace"), "Solace");
        assert_eq!(toy_display_name(""), "");
    }
}

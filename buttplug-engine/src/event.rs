//! [`EngineEvent`]: what the engine tells its host. The serde form is intiface-engine 5.0.5's
//! `EngineMessage`: externally tagged, variant names in PascalCase, snake_case fields, `{}` for
//! variants without fields, optional fields left out when empty.

use serde::{Deserialize, Serialize};

/// An event of a running engine. Serialised with `serde_json` it is exactly the JSON Intiface
/// Central's bridge produces from intiface-engine's `EngineMessage` (for the variants this
/// engine sends):
///
/// ```
/// use buttplug_engine::EngineEvent;
/// let event = EngineEvent::ClientConnected { client_name: "Example Game".into() };
/// assert_eq!(
///     serde_json::to_string(&event).unwrap(),
///     r#"{"ClientConnected":{"client_name":"Example Game"}}"#
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum EngineEvent {
    /// First event of every run.
    EngineStarted {},
    /// Something failed (a bind, a dial-out attempt, the set-up). `error` is for people;
    /// programs key on `detail`.
    EngineError {
        /// What went wrong.
        error: String,
        /// Machine-readable detail, when there is one.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        detail: Option<ErrorDetail>,
    },
    /// The server exists (sent once per run, in the WebSocket modes, before listening). Every
    /// field is for mDNS and left out while mDNS is not available.
    EngineServerCreated {
        /// mDNS service type.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        service_type: Option<String>,
        /// mDNS instance name.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        instance_name: Option<String>,
        /// The bound port.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        port: Option<u16>,
        /// mDNS TXT records.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        txt_records: Option<Vec<String>>,
    },
    /// Last event of every run.
    EngineStopped {},
    /// A client finished its handshake.
    ClientConnected {
        /// The `ClientName` of its `RequestServerInfo`.
        client_name: String,
    },
    /// A client's connection ended (once per connection; intiface-engine sends it twice).
    ClientDisconnected {},
    /// A device joined the device list.
    DeviceConnected {
        /// The configuration's device name.
        name: String,
        /// The device index.
        index: u32,
        /// Which device this is.
        identifier: DeviceIdentifier,
        /// The user's display name, if set.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        display_name: Option<String>,
        /// Whether the client must keep the device alive. Always `false` here: the server's
        /// device task sends keep-alives itself.
        needs_keepalive: bool,
    },
    /// A device left the device list.
    DeviceDisconnected {
        /// The device index.
        index: u32,
    },
    /// An output command was handed to a device's protocol (only with
    /// [`EngineOptions::emit_output_observations`](crate::EngineOptions::emit_output_observations);
    /// exact repeats of the last value are not written and produce none).
    DeviceOutputObservation {
        /// The device index.
        device_index: u32,
        /// The feature index.
        feature_index: u32,
        /// The output type's spec name (`Vibrate`, `Rotate`, ...).
        output_type: String,
        /// The value in hardware steps, after the user's range mapping.
        value: f64,
    },
}

/// The identity of a device: protocol, the identifier that selected its configuration, and
/// its hardware address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceIdentifier {
    /// Protocol id (`lovense`).
    pub protocol: String,
    /// Identifier (`Z` for a Lovense Hush), `null` when the protocol has none.
    pub identifier: Option<String>,
    /// Hardware address.
    pub address: String,
}

/// Machine-readable detail of an [`EngineEvent::EngineError`], tagged by `code`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum ErrorDetail {
    /// A listener could not bind because the port is taken.
    PortInUse {
        /// The IP it tried.
        address: String,
        /// The port.
        port: u16,
    },
}

impl EngineEvent {
    /// The event for a device that joined the list.
    pub(crate) fn device_connected(device: &buttplug_server::ServerDevice) -> EngineEvent {
        let definition = device.definition();
        EngineEvent::DeviceConnected {
            name: definition.name.clone(),
            index: device.index(),
            identifier: DeviceIdentifier {
                protocol: definition.protocol.clone(),
                identifier: definition.identifier.clone(),
                address: device.address().to_string(),
            },
            display_name: definition.display_name.clone(),
            needs_keepalive: false,
        }
    }

    /// The JSON text of this event (what Intiface Central's bridge hands to its GUI).
    pub fn to_json(&self) -> String {
        serde_json::to_string(self)
            .unwrap_or_else(|_| unreachable!("every field of an engine event serialises to JSON"))
    }
}

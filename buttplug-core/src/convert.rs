//! Conversions that need no device knowledge: server info per version, the handshake request,
//! stop commands, readings, and the messages every version shares.

use crate::v0::{
    ClientMessageV0, ErrorV0, OkV0, PingV0, RequestDeviceListV0, RequestServerInfoV0,
    ScanningFinishedV0, ServerInfoV0, ServerMessageV0, StartScanningV0, StopScanningV0,
};
use crate::v1::{ClientMessageV1, RequestServerInfoV1, ServerMessageV1};
use crate::v2::{BatteryLevelReadingV2, ClientMessageV2, ServerInfoV2, ServerMessageV2};
use crate::v3::{ClientMessageV3, ServerMessageV3};
use crate::v4::{
    ClientMessageV4, InputReadingV4, InputValueV4, RequestServerInfoV4, ServerInfoV4,
    ServerMessageV4,
};
use crate::{ClientMessage, HandshakeError, MessageError, ServerMessage, SpecVersion};

/// What a server says about itself, independent of spec version.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct ServerInfo {
    /// Server name.
    pub server_name: String,
    /// Ping timeout in milliseconds (0 = no ping needed).
    pub max_ping_time_ms: u32,
}

impl ServerInfo {
    /// Server info.
    pub fn new(server_name: impl Into<String>, max_ping_time_ms: u32) -> Self {
        ServerInfo {
            server_name: server_name.into(),
            max_ping_time_ms,
        }
    }

    /// The `ServerInfo` reply for a client of `client_version`, never announcing a higher version
    /// than the client's: v0/v1 get the v0 shape (`MessageVersion` = the client's version,
    /// `MajorVersion`/`MinorVersion`/`BuildVersion` 0), v2/v3 the v2 shape, v4 the v4 shape
    /// (4.0).
    pub fn to_message(&self, id: u32, client_version: SpecVersion) -> ServerMessage {
        let name = self.server_name.clone();
        let ping = self.max_ping_time_ms;
        let v0 = || ServerInfoV0 {
            id,
            server_name: name.clone(),
            major_version: 0,
            minor_version: 0,
            build_version: 0,
            message_version: client_version as u32,
            max_ping_time: ping,
        };
        let v2 = || ServerInfoV2 {
            id,
            server_name: name.clone(),
            message_version: client_version as u32,
            max_ping_time: ping,
        };
        match client_version {
            SpecVersion::V0 => ServerMessageV0::from(v0()).into(),
            SpecVersion::V1 => ServerMessageV1::from(v0()).into(),
            SpecVersion::V2 => ServerMessageV2::from(v2()).into(),
            SpecVersion::V3 => ServerMessageV3::from(v2()).into(),
            SpecVersion::V4 => ServerMessageV4::from(ServerInfoV4 {
                id,
                server_name: name.clone(),
                max_ping_time: ping,
                protocol_version_major: SpecVersion::V4 as u32,
                protocol_version_minor: 0,
            })
            .into(),
        }
    }

    /// Reads a `ServerInfo` message of any version (client side): the info and the spec version
    /// number the server announced (`MessageVersion` or `ProtocolVersionMajor`). `None` when the
    /// message is not `ServerInfo`.
    pub fn from_message(message: &ServerMessage) -> Option<(ServerInfo, u32)> {
        let v0 = |m: &ServerInfoV0| {
            (
                ServerInfo::new(m.server_name.clone(), m.max_ping_time),
                m.message_version,
            )
        };
        let v2 = |m: &ServerInfoV2| {
            (
                ServerInfo::new(m.server_name.clone(), m.max_ping_time),
                m.message_version,
            )
        };
        match message {
            ServerMessage::V0(ServerMessageV0::ServerInfo(m)) => Some(v0(m)),
            ServerMessage::V1(ServerMessageV1::ServerInfo(m)) => Some(v0(m)),
            ServerMessage::V2(ServerMessageV2::ServerInfo(m)) => Some(v2(m)),
            ServerMessage::V3(ServerMessageV3::ServerInfo(m)) => Some(v2(m)),
            ServerMessage::V4(ServerMessageV4::ServerInfo(m)) => Some((
                ServerInfo::new(m.server_name.clone(), m.max_ping_time),
                m.protocol_version_major,
            )),
            _ => None,
        }
    }
}

impl RequestServerInfoV0 {
    /// The spec version this request asks for: always v0.
    pub fn spec_version(&self) -> SpecVersion {
        SpecVersion::V0
    }
}

impl RequestServerInfoV1 {
    /// The spec version this request asks for (`MessageVersion`, which must be below 4).
    ///
    /// # Errors
    ///
    /// [`HandshakeError::InvalidVersion`] for a `MessageVersion` of 4 or more.
    pub fn spec_version(&self) -> Result<SpecVersion, HandshakeError> {
        match SpecVersion::from_u32(self.message_version) {
            Some(v) if v < SpecVersion::V4 => Ok(v),
            _ => Err(HandshakeError::InvalidVersion {
                id: self.id,
                field: "MessageVersion",
                value: self.message_version,
            }),
        }
    }
}

impl RequestServerInfoV4 {
    /// The spec version this request asks for (`ProtocolVersionMajor`).
    ///
    /// # Errors
    ///
    /// [`HandshakeError::VersionMismatch`] for a major version above 4.
    pub fn spec_version(&self) -> Result<SpecVersion, HandshakeError> {
        SpecVersion::from_u32(self.protocol_version_major).ok_or(HandshakeError::VersionMismatch {
            id: self.id,
            client: self.protocol_version_major,
            server: SpecVersion::CURRENT,
        })
    }
}

impl ClientMessage {
    /// Reads a `RequestServerInfo` of any version: the client name and the spec version the
    /// connection will speak.
    ///
    /// # Errors
    ///
    /// [`HandshakeError::RequestServerInfoExpected`] for any other message, or the version
    /// errors of the `spec_version()` methods.
    pub fn handshake_request(&self) -> Result<(String, SpecVersion), HandshakeError> {
        match self {
            ClientMessage::V0(ClientMessageV0::RequestServerInfo(m)) => {
                Ok((m.client_name.clone(), m.spec_version()))
            }
            ClientMessage::V1(ClientMessageV1::RequestServerInfo(m))
            | ClientMessage::V2(ClientMessageV2::RequestServerInfo(m))
            | ClientMessage::V3(ClientMessageV3::RequestServerInfo(m)) => {
                Ok((m.client_name.clone(), m.spec_version()?))
            }
            ClientMessage::V4(ClientMessageV4::RequestServerInfo(m)) => {
                Ok((m.client_name.clone(), m.spec_version()?))
            }
            other => Err(HandshakeError::RequestServerInfoExpected {
                id: other.id(),
                received: other.name().to_string(),
            }),
        }
    }

    /// The `RequestServerInfo` a client of `version` sends (v0 shape, v1 shape with
    /// `MessageVersion`, or v4 shape with 4.0).
    pub fn request_server_info(
        id: u32,
        client_name: impl Into<String>,
        version: SpecVersion,
    ) -> ClientMessage {
        let client_name = client_name.into();
        let v1 = RequestServerInfoV1 {
            id,
            client_name: client_name.clone(),
            message_version: version as u32,
        };
        match version {
            SpecVersion::V0 => {
                ClientMessageV0::from(RequestServerInfoV0 { id, client_name }).into()
            }
            SpecVersion::V1 => ClientMessageV1::from(v1).into(),
            SpecVersion::V2 => ClientMessageV2::from(v1).into(),
            SpecVersion::V3 => ClientMessageV3::from(v1).into(),
            SpecVersion::V4 => {
                ClientMessageV4::from(RequestServerInfoV4::new(id, client_name)).into()
            }
        }
    }

    /// `Ping` at `version`.
    pub fn ping(id: u32, version: SpecVersion) -> ClientMessage {
        common_client(PingV0::new(id), version)
    }

    /// `RequestDeviceList` at `version`.
    pub fn request_device_list(id: u32, version: SpecVersion) -> ClientMessage {
        common_client(RequestDeviceListV0::new(id), version)
    }

    /// `StartScanning` at `version`.
    pub fn start_scanning(id: u32, version: SpecVersion) -> ClientMessage {
        common_client(StartScanningV0::new(id), version)
    }

    /// `StopScanning` at `version`.
    pub fn stop_scanning(id: u32, version: SpecVersion) -> ClientMessage {
        common_client(StopScanningV0::new(id), version)
    }
}

/// Wraps a message type that every version's client set contains.
fn common_client<M>(m: M, version: SpecVersion) -> ClientMessage
where
    ClientMessageV0: From<M>,
    ClientMessageV1: From<M>,
    ClientMessageV2: From<M>,
    ClientMessageV3: From<M>,
    ClientMessageV4: From<M>,
{
    match version {
        SpecVersion::V0 => ClientMessageV0::from(m).into(),
        SpecVersion::V1 => ClientMessageV1::from(m).into(),
        SpecVersion::V2 => ClientMessageV2::from(m).into(),
        SpecVersion::V3 => ClientMessageV3::from(m).into(),
        SpecVersion::V4 => ClientMessageV4::from(m).into(),
    }
}

/// Wraps a message type that every version's server set contains.
fn common_server<M>(m: M, version: SpecVersion) -> ServerMessage
where
    ServerMessageV0: From<M>,
    ServerMessageV1: From<M>,
    ServerMessageV2: From<M>,
    ServerMessageV3: From<M>,
    ServerMessageV4: From<M>,
{
    match version {
        SpecVersion::V0 => ServerMessageV0::from(m).into(),
        SpecVersion::V1 => ServerMessageV1::from(m).into(),
        SpecVersion::V2 => ServerMessageV2::from(m).into(),
        SpecVersion::V3 => ServerMessageV3::from(m).into(),
        SpecVersion::V4 => ServerMessageV4::from(m).into(),
    }
}

impl ServerMessage {
    /// `Ok` at `version`.
    pub fn ok(id: u32, version: SpecVersion) -> ServerMessage {
        common_server(OkV0::new(id), version)
    }

    /// `Error` at `version` (the same shape in every version).
    pub fn error(error: ErrorV0, version: SpecVersion) -> ServerMessage {
        common_server(error, version)
    }

    /// `ScanningFinished` (Id 0) at `version`.
    pub fn scanning_finished(version: SpecVersion) -> ServerMessage {
        common_server(ScanningFinishedV0::new(0), version)
    }

    /// The wire error, when this is an `Error` message.
    pub fn as_error(&self) -> Option<&ErrorV0> {
        match self {
            ServerMessage::V0(ServerMessageV0::Error(e))
            | ServerMessage::V1(ServerMessageV1::Error(e))
            | ServerMessage::V2(ServerMessageV2::Error(e))
            | ServerMessage::V3(ServerMessageV3::Error(e))
            | ServerMessage::V4(ServerMessageV4::Error(e)) => Some(e),
            _ => None,
        }
    }

    /// Whether this is an `Ok` message.
    pub fn is_ok(&self) -> bool {
        matches!(
            self,
            ServerMessage::V0(ServerMessageV0::Ok(_))
                | ServerMessage::V1(ServerMessageV1::Ok(_))
                | ServerMessage::V2(ServerMessageV2::Ok(_))
                | ServerMessage::V3(ServerMessageV3::Ok(_))
                | ServerMessage::V4(ServerMessageV4::Ok(_))
        )
    }

    /// The same `Ok`, `Error` or `ScanningFinished` at another version (`None` for any other
    /// message, whose shape depends on the version).
    pub fn convert_common(&self, version: SpecVersion) -> Option<ServerMessage> {
        if self.is_ok() {
            return Some(ServerMessage::ok(self.id(), version));
        }
        if let Some(e) = self.as_error() {
            return Some(ServerMessage::error(e.clone(), version));
        }
        match self {
            ServerMessage::V0(ServerMessageV0::ScanningFinished(_))
            | ServerMessage::V1(ServerMessageV1::ScanningFinished(_))
            | ServerMessage::V2(ServerMessageV2::ScanningFinished(_))
            | ServerMessage::V3(ServerMessageV3::ScanningFinished(_))
            | ServerMessage::V4(ServerMessageV4::ScanningFinished(_)) => {
                Some(ServerMessage::scanning_finished(version))
            }
            _ => None,
        }
    }
}

/// A v2 battery reading from a v4 `Battery` reading (percent / 100).
impl TryFrom<&InputReadingV4> for BatteryLevelReadingV2 {
    type Error = MessageError;

    fn try_from(r: &InputReadingV4) -> Result<Self, MessageError> {
        match r.reading {
            InputValueV4::Battery(v) => Ok(BatteryLevelReadingV2::from_percent(
                r.id,
                r.device_index,
                v.value,
            )),
            _ => Err(MessageError::Unconvertible {
                id: r.id,
                name: "InputReading",
                version: SpecVersion::V2,
                reason: "only Battery readings become BatteryLevelReading",
            }),
        }
    }
}

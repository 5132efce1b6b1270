//! Spec v4 messages: integer steps, one command per message, feature maps.
//!
//! Message set: client: Ping, RequestServerInfo (v4 shape), StartScanning, StopScanning,
//! RequestDeviceList, OutputCmd, InputCmd, StopCmd, and `Disconnect` (v4 spec text; not in the
//! published schema); server: Ok, Error, ServerInfo (v4 shape), ScanningFinished, DeviceList
//! (reply, and event with Id 0), InputReading.

mod device_list;
mod disconnect;
mod input_cmd;
mod input_reading;
mod output_cmd;
mod request_server_info;
mod server_info;
mod stop_cmd;

pub use device_list::{
    DeviceFeatureInputV4, DeviceFeatureOutputV4, DeviceFeatureV4, DeviceListV4, DeviceMessageInfoV4,
};
pub use disconnect::DisconnectV4;
pub use input_cmd::InputCmdV4;
pub use input_reading::{InputReadingV4, InputValueV4, ReadingValueV4};
pub use output_cmd::{OutputCmdV4, OutputCommandV4, OutputPositionWithDurationV4, OutputValueV4};
pub use request_server_info::RequestServerInfoV4;
pub use server_info::ServerInfoV4;
pub use stop_cmd::StopCmdV4;

use crate::v0::{
    ErrorV0, OkV0, PingV0, RequestDeviceListV0, ScanningFinishedV0, StartScanningV0, StopScanningV0,
};

message_enum! {
    /// Every client-to-server message of spec v4 (plus `Disconnect` from the spec text).
    pub enum ClientMessageV4 {
        Ping(PingV0),
        RequestServerInfo(RequestServerInfoV4),
        StartScanning(StartScanningV0),
        StopScanning(StopScanningV0),
        RequestDeviceList(RequestDeviceListV0),
        OutputCmd(OutputCmdV4),
        InputCmd(InputCmdV4),
        StopCmd(StopCmdV4),
        Disconnect(DisconnectV4),
    }
}

message_enum! {
    /// Every server-to-client message of spec v4.
    pub enum ServerMessageV4 {
        Ok(OkV0),
        Error(ErrorV0),
        ServerInfo(ServerInfoV4),
        ScanningFinished(ScanningFinishedV0),
        DeviceList(DeviceListV4),
        InputReading(InputReadingV4),
    }
}

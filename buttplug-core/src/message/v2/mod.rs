//! Spec v2 messages: raw endpoint access, battery and RSSI readings; `ServerInfo` loses the
//! server build numbers; device attributes gain `StepCount`.
//!
//! Message set: client: Ping, RequestLog (still listed by the schema for v2), RequestServerInfo
//! (v1 shape), StartScanning, StopScanning, RequestDeviceList, StopDeviceCmd, StopAllDevices,
//! VibrateCmd, RotateCmd, LinearCmd, RawWriteCmd, RawReadCmd, RawSubscribeCmd,
//! RawUnsubscribeCmd, BatteryLevelCmd, RSSILevelCmd; server: Ok, Error, ServerInfo (v2 shape),
//! ScanningFinished, DeviceList, DeviceAdded, DeviceRemoved, RawReading, BatteryLevelReading,
//! RSSILevelReading.

mod battery_level_cmd;
mod battery_level_reading;
mod device_added;
mod device_list;
mod raw_read_cmd;
mod raw_reading;
mod raw_subscribe_cmd;
mod raw_unsubscribe_cmd;
mod raw_write_cmd;
mod rssi_level_cmd;
mod rssi_level_reading;
mod server_info;

pub use battery_level_cmd::BatteryLevelCmdV2;
pub use battery_level_reading::BatteryLevelReadingV2;
pub use device_added::DeviceAddedV2;
pub(crate) use device_list::check_raw;
pub use device_list::{
    DeviceListV2, DeviceMessageInfoV2, DeviceMessagesV2, GenericAttributesV2, RawAttributesV2,
};
pub use raw_read_cmd::RawReadCmdV2;
pub use raw_reading::RawReadingV2;
pub use raw_subscribe_cmd::RawSubscribeCmdV2;
pub use raw_unsubscribe_cmd::RawUnsubscribeCmdV2;
pub use raw_write_cmd::RawWriteCmdV2;
pub use rssi_level_cmd::RSSILevelCmdV2;
pub use rssi_level_reading::RSSILevelReadingV2;
pub use server_info::ServerInfoV2;

use crate::v0::{
    DeviceRemovedV0, ErrorV0, OkV0, PingV0, RequestDeviceListV0, RequestLogV0, ScanningFinishedV0,
    StartScanningV0, StopAllDevicesV0, StopDeviceCmdV0, StopScanningV0,
};
use crate::v1::{LinearCmdV1, RequestServerInfoV1, RotateCmdV1, VibrateCmdV1};

message_enum! {
    /// Every client-to-server message of spec v2.
    pub enum ClientMessageV2 {
        Ping(PingV0),
        RequestLog(RequestLogV0),
        RequestServerInfo(RequestServerInfoV1),
        StartScanning(StartScanningV0),
        StopScanning(StopScanningV0),
        RequestDeviceList(RequestDeviceListV0),
        StopDeviceCmd(StopDeviceCmdV0),
        StopAllDevices(StopAllDevicesV0),
        VibrateCmd(VibrateCmdV1),
        RotateCmd(RotateCmdV1),
        LinearCmd(LinearCmdV1),
        RawWriteCmd(RawWriteCmdV2),
        RawReadCmd(RawReadCmdV2),
        RawSubscribeCmd(RawSubscribeCmdV2),
        RawUnsubscribeCmd(RawUnsubscribeCmdV2),
        BatteryLevelCmd(BatteryLevelCmdV2),
        RSSILevelCmd(RSSILevelCmdV2),
    }
}

message_enum! {
    /// Every server-to-client message of spec v2.
    pub enum ServerMessageV2 {
        Ok(OkV0),
        Error(ErrorV0),
        ServerInfo(ServerInfoV2),
        ScanningFinished(ScanningFinishedV0),
        DeviceList(DeviceListV2),
        DeviceAdded(DeviceAddedV2),
        DeviceRemoved(DeviceRemovedV0),
        RawReading(RawReadingV2),
        BatteryLevelReading(BatteryLevelReadingV2),
        RSSILevelReading(RSSILevelReadingV2),
    }
}

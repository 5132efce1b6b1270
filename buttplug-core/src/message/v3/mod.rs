//! Spec v3 messages: `ScalarCmd` and sensors; per-feature attribute arrays; display name and
//! message timing gap.
//!
//! Message set: client: Ping, RequestServerInfo (v1 shape), StartScanning, StopScanning,
//! RequestDeviceList, StopDeviceCmd, StopAllDevices, ScalarCmd, RotateCmd, LinearCmd,
//! SensorReadCmd, SensorSubscribeCmd, SensorUnsubscribeCmd, RawWriteCmd, RawReadCmd,
//! RawSubscribeCmd, RawUnsubscribeCmd, and **VibrateCmd** (dropped by the v3 spec but still
//! accepted, as the reference server does, because v3 clients in the wild still send it);
//! server: Ok, Error, ServerInfo (v2 shape), ScanningFinished, DeviceList, DeviceAdded,
//! DeviceRemoved, RawReading, SensorReading.

mod device_added;
mod device_list;
mod scalar_cmd;
mod sensor_cmds;
mod sensor_reading;
mod sensor_type;

pub use device_added::DeviceAddedV3;
pub use device_list::{
    DeviceListV3, DeviceMessageInfoV3, DeviceMessagesV3, GenericAttributesV3, SensorAttributesV3,
};
pub use scalar_cmd::{ScalarCmdV3, ScalarSubcommandV3};
pub use sensor_cmds::{SensorReadCmdV3, SensorSubscribeCmdV3, SensorUnsubscribeCmdV3};
pub use sensor_reading::SensorReadingV3;
pub use sensor_type::SensorTypeV3;

use crate::v0::{
    DeviceRemovedV0, ErrorV0, OkV0, PingV0, RequestDeviceListV0, ScanningFinishedV0,
    StartScanningV0, StopAllDevicesV0, StopDeviceCmdV0, StopScanningV0,
};
use crate::v1::{LinearCmdV1, RequestServerInfoV1, RotateCmdV1, VibrateCmdV1};
use crate::v2::{
    RawReadCmdV2, RawReadingV2, RawSubscribeCmdV2, RawUnsubscribeCmdV2, RawWriteCmdV2, ServerInfoV2,
};

message_enum! {
    /// Every client-to-server message of spec v3 (plus the lenient `VibrateCmd`).
    pub enum ClientMessageV3 {
        Ping(PingV0),
        RequestServerInfo(RequestServerInfoV1),
        StartScanning(StartScanningV0),
        StopScanning(StopScanningV0),
        RequestDeviceList(RequestDeviceListV0),
        StopDeviceCmd(StopDeviceCmdV0),
        StopAllDevices(StopAllDevicesV0),
        VibrateCmd(VibrateCmdV1),
        ScalarCmd(ScalarCmdV3),
        RotateCmd(RotateCmdV1),
        LinearCmd(LinearCmdV1),
        SensorReadCmd(SensorReadCmdV3),
        SensorSubscribeCmd(SensorSubscribeCmdV3),
        SensorUnsubscribeCmd(SensorUnsubscribeCmdV3),
        RawWriteCmd(RawWriteCmdV2),
        RawReadCmd(RawReadCmdV2),
        RawSubscribeCmd(RawSubscribeCmdV2),
        RawUnsubscribeCmd(RawUnsubscribeCmdV2),
    }
}

message_enum! {
    /// Every server-to-client message of spec v3.
    pub enum ServerMessageV3 {
        Ok(OkV0),
        Error(ErrorV0),
        ServerInfo(ServerInfoV2),
        ScanningFinished(ScanningFinishedV0),
        DeviceList(DeviceListV3),
        DeviceAdded(DeviceAddedV3),
        DeviceRemoved(DeviceRemovedV0),
        RawReading(RawReadingV2),
        SensorReading(SensorReadingV3),
    }
}

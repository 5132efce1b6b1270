//! Spec v1 messages: generic `VibrateCmd`, `RotateCmd`, `LinearCmd`; `RequestServerInfo` gains
//! `MessageVersion`; device attributes gain `FeatureCount`.
//!
//! Message set: v0's, with `RequestServerInfo` in the v1 shape and `DeviceList`/`DeviceAdded` in
//! the v1 shape, plus VibrateCmd, RotateCmd, LinearCmd. `SingleMotorVibrateCmd` is deprecated
//! but still part of v1 (the published schema's v1 list omits it and `LovenseCmd`; both still
//! parse here).

mod device_added;
mod device_list;
mod linear_cmd;
mod request_server_info;
mod rotate_cmd;
mod vibrate_cmd;

pub use device_added::DeviceAddedV1;
pub use device_list::{
    DeviceListV1, DeviceMessageInfoV1, DeviceMessagesV1, GenericAttributesV1, NullAttributesV1,
};
pub use linear_cmd::{LinearCmdV1, VectorSubcommandV1};
pub use request_server_info::RequestServerInfoV1;
pub use rotate_cmd::{RotateCmdV1, RotationSubcommandV1};
pub use vibrate_cmd::{VibrateCmdV1, VibrateSubcommandV1};

use crate::v0::{
    DeviceRemovedV0, ErrorV0, FleshlightLaunchFW12CmdV0, KiirooCmdV0, LogV0, LovenseCmdV0, OkV0,
    PingV0, RequestDeviceListV0, RequestLogV0, ScanningFinishedV0, ServerInfoV0,
    SingleMotorVibrateCmdV0, StartScanningV0, StopAllDevicesV0, StopDeviceCmdV0, StopScanningV0,
    TestV0, VorzeA10CycloneCmdV0,
};

message_enum! {
    /// Every client-to-server message of spec v1.
    pub enum ClientMessageV1 {
        Ping(PingV0),
        Test(TestV0),
        RequestLog(RequestLogV0),
        RequestServerInfo(RequestServerInfoV1),
        StartScanning(StartScanningV0),
        StopScanning(StopScanningV0),
        RequestDeviceList(RequestDeviceListV0),
        StopDeviceCmd(StopDeviceCmdV0),
        StopAllDevices(StopAllDevicesV0),
        SingleMotorVibrateCmd(SingleMotorVibrateCmdV0),
        FleshlightLaunchFW12Cmd(FleshlightLaunchFW12CmdV0),
        LovenseCmd(LovenseCmdV0),
        KiirooCmd(KiirooCmdV0),
        VorzeA10CycloneCmd(VorzeA10CycloneCmdV0),
        VibrateCmd(VibrateCmdV1),
        RotateCmd(RotateCmdV1),
        LinearCmd(LinearCmdV1),
    }
}

message_enum! {
    /// Every server-to-client message of spec v1.
    pub enum ServerMessageV1 {
        Ok(OkV0),
        Error(ErrorV0),
        Test(TestV0),
        Log(LogV0),
        ServerInfo(ServerInfoV0),
        ScanningFinished(ScanningFinishedV0),
        DeviceList(DeviceListV1),
        DeviceAdded(DeviceAddedV1),
        DeviceRemoved(DeviceRemovedV0),
    }
}

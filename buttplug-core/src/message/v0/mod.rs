//! Spec v0 messages (and the v0 shapes that later versions keep: `Ok`, `Error`, `Ping`, ...).
//!
//! Message set (schema `MessageSpecV0`, plus `ScanningFinished` and `LovenseCmd`, which the spec
//! text lists and the schema's v0 list omits):
//! client: Ping, Test, RequestLog, RequestServerInfo, StartScanning, StopScanning,
//! RequestDeviceList, StopDeviceCmd, StopAllDevices, SingleMotorVibrateCmd,
//! FleshlightLaunchFW12Cmd, LovenseCmd, KiirooCmd, VorzeA10CycloneCmd;
//! server: Ok, Error, Test, Log, ServerInfo, ScanningFinished, DeviceList, DeviceAdded,
//! DeviceRemoved.

mod device_added;
mod device_list;
mod device_removed;
mod error;
mod fleshlight_launch_fw12_cmd;
mod kiiroo_cmd;
mod log;
mod lovense_cmd;
mod ok;
mod ping;
mod request_device_list;
mod request_log;
mod request_server_info;
mod scanning_finished;
mod server_info;
mod single_motor_vibrate_cmd;
mod start_scanning;
mod stop_all_devices;
mod stop_device_cmd;
mod stop_scanning;
mod test;
mod vorze_a10_cyclone_cmd;

pub use device_added::DeviceAddedV0;
pub use device_list::{DEVICE_MESSAGE_NAMES_V0, DeviceListV0, DeviceMessageInfoV0};
pub use device_removed::DeviceRemovedV0;
pub use error::ErrorV0;
pub use fleshlight_launch_fw12_cmd::FleshlightLaunchFW12CmdV0;
pub use kiiroo_cmd::KiirooCmdV0;
pub use log::LogV0;
pub use lovense_cmd::LovenseCmdV0;
pub use ok::OkV0;
pub use ping::PingV0;
pub use request_device_list::RequestDeviceListV0;
pub use request_log::{LogLevel, RequestLogV0};
pub use request_server_info::RequestServerInfoV0;
pub use scanning_finished::ScanningFinishedV0;
pub use server_info::ServerInfoV0;
pub use single_motor_vibrate_cmd::SingleMotorVibrateCmdV0;
pub use start_scanning::StartScanningV0;
pub use stop_all_devices::StopAllDevicesV0;
pub use stop_device_cmd::StopDeviceCmdV0;
pub use stop_scanning::StopScanningV0;
pub use test::TestV0;
pub use vorze_a10_cyclone_cmd::VorzeA10CycloneCmdV0;

message_enum! {
    /// Every client-to-server message of spec v0.
    pub enum ClientMessageV0 {
        Ping(PingV0),
        Test(TestV0),
        RequestLog(RequestLogV0),
        RequestServerInfo(RequestServerInfoV0),
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
    }
}

message_enum! {
    /// Every server-to-client message of spec v0.
    pub enum ServerMessageV0 {
        Ok(OkV0),
        Error(ErrorV0),
        Test(TestV0),
        Log(LogV0),
        ServerInfo(ServerInfoV0),
        ScanningFinished(ScanningFinishedV0),
        DeviceList(DeviceListV0),
        DeviceAdded(DeviceAddedV0),
        DeviceRemoved(DeviceRemovedV0),
    }
}

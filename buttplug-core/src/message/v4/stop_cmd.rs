use crate::message::serde_helpers::{is_true, present, yes};
use crate::message::validate as check;
use crate::v0::{StopAllDevicesV0, StopDeviceCmdV0};
use serde::{Deserialize, Serialize};

/// `StopCmd` (v4, client to server): stop outputs and/or input subscriptions of every device, one
/// device, or one feature of one device.
///
/// `Inputs` and `Outputs` default to `true` and are omitted when rendering if `true`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct StopCmdV4 {
    /// Message Id.
    pub id: u32,
    /// Device to stop; every device when absent.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub device_index: Option<u32>,
    /// Feature to stop (needs `DeviceIndex`); every feature when absent.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub feature_index: Option<u32>,
    /// Unsubscribe inputs.
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub inputs: bool,
    /// Stop outputs.
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub outputs: bool,
}

impl StopCmdV4 {
    /// Stop everything on every device.
    pub const fn all(id: u32) -> Self {
        StopCmdV4 {
            id,
            device_index: None,
            feature_index: None,
            inputs: true,
            outputs: true,
        }
    }

    /// Stop everything on one device.
    pub const fn device(id: u32, device_index: u32) -> Self {
        StopCmdV4 {
            id,
            device_index: Some(device_index),
            feature_index: None,
            inputs: true,
            outputs: true,
        }
    }
}

/// `StopDeviceCmd` is `StopCmd` for that device with inputs and outputs.
impl From<&StopDeviceCmdV0> for StopCmdV4 {
    fn from(m: &StopDeviceCmdV0) -> Self {
        StopCmdV4::device(m.id, m.device_index)
    }
}

/// `StopAllDevices` is `StopCmd` without a device, with inputs and outputs.
impl From<&StopAllDevicesV0> for StopCmdV4 {
    fn from(m: &StopAllDevicesV0) -> Self {
        StopCmdV4::all(m.id)
    }
}

impl_message!(StopCmdV4, "StopCmd", |m| {
    check::client_id("StopCmd", m.id)?;
    if m.device_index.is_none() && m.feature_index.is_some() {
        return Err(check::invalid_value(
            "StopCmd",
            m.id,
            "FeatureIndex".into(),
            "set without DeviceIndex",
        ));
    }
    Ok(())
});

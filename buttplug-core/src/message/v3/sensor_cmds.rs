use super::SensorTypeV3;
use crate::message::validate as check;
use serde::{Deserialize, Serialize};

macro_rules! sensor_cmd {
    ($(#[$m:meta])* $ty:ident, $wire:literal) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "PascalCase", deny_unknown_fields)]
        pub struct $ty {
            /// Message Id.
            pub id: u32,
            /// Device index.
            pub device_index: u32,
            /// Sensor index (position in the device's attribute array for this command).
            pub sensor_index: u32,
            /// Sensor type the client expects at that index.
            pub sensor_type: SensorTypeV3,
        }

        impl_message!($ty, $wire, |m| check::client_id($wire, m.id));
    };
}

sensor_cmd!(
    /// `SensorReadCmd` (v3, client to server): read a sensor once; `SensorIndex` is the position
    /// in the device's `SensorReadCmd` attribute array.
    SensorReadCmdV3,
    "SensorReadCmd"
);
sensor_cmd!(
    /// `SensorSubscribeCmd` (v3, client to server): stream a sensor as `SensorReading` events;
    /// `SensorIndex` is the position in the device's `SensorSubscribeCmd` attribute array.
    SensorSubscribeCmdV3,
    "SensorSubscribeCmd"
);
sensor_cmd!(
    /// `SensorUnsubscribeCmd` (v3, client to server): stop a sensor stream; same index space as
    /// `SensorSubscribeCmd`.
    SensorUnsubscribeCmdV3,
    "SensorUnsubscribeCmd"
);

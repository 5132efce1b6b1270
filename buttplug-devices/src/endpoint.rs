//! Named endpoints of a device (BLE characteristics, serial tx/rx, ...).

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

/// A logical endpoint of a piece of hardware. Configuration files and fixtures spell them in
/// lower case (`tx`, `rxblebattery`, `generic7`, ...).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Endpoint {
    /// Command channel (some protocols' control characteristic).
    Command,
    /// Firmware / mode characteristic.
    Firmware,
    /// Main receive (notification) channel.
    Rx,
    /// Accelerometer readings.
    RxAccel,
    /// Standard BLE battery level characteristic (0x2A19).
    RxBleBattery,
    /// BLE model-number characteristic (0x2A24) or a vendor model characteristic.
    RxBleModel,
    /// Pressure readings.
    RxPressure,
    /// Touch readings.
    RxTouch,
    /// Main transmit channel.
    Tx,
    /// Mode channel.
    TxMode,
    /// Shock (e-stim) channel.
    TxShock,
    /// Vibration channel.
    TxVibrate,
    /// Vendor control channel.
    TxVendorControl,
    /// Whitelist / authentication channel.
    Whitelist,
    /// Generic endpoint `generic0` ... `generic31`.
    Generic(u8),
}

/// The error for an endpoint name that is not one of the known names.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown endpoint name {name:?}")]
pub struct UnknownEndpoint {
    /// The name that was given.
    pub name: String,
}

impl Endpoint {
    /// The lower-case name used in configuration and fixtures.
    pub fn as_str(&self) -> &'static str {
        const GENERIC: [&str; 32] = [
            "generic0",
            "generic1",
            "generic2",
            "generic3",
            "generic4",
            "generic5",
            "generic6",
            "generic7",
            "generic8",
            "generic9",
            "generic10",
            "generic11",
            "generic12",
            "generic13",
            "generic14",
            "generic15",
            "generic16",
            "generic17",
            "generic18",
            "generic19",
            "generic20",
            "generic21",
            "generic22",
            "generic23",
            "generic24",
            "generic25",
            "generic26",
            "generic27",
            "generic28",
            "generic29",
            "generic30",
            "generic31",
        ];
        match self {
            Endpoint::Command => "command",
            Endpoint::Firmware => "firmware",
            Endpoint::Rx => "rx",
            Endpoint::RxAccel => "rxaccel",
            Endpoint::RxBleBattery => "rxblebattery",
            Endpoint::RxBleModel => "rxblemodel",
            Endpoint::RxPressure => "rxpressure",
            Endpoint::RxTouch => "rxtouch",
            Endpoint::Tx => "tx",
            Endpoint::TxMode => "txmode",
            Endpoint::TxShock => "txshock",
            Endpoint::TxVibrate => "txvibrate",
            Endpoint::TxVendorControl => "txvendorcontrol",
            Endpoint::Whitelist => "whitelist",
            Endpoint::Generic(n) => GENERIC.get(*n as usize).copied().unwrap_or("generic31"),
        }
    }
}

impl FromStr for Endpoint {
    type Err = UnknownEndpoint;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s {
            "command" => Endpoint::Command,
            "firmware" => Endpoint::Firmware,
            "rx" => Endpoint::Rx,
            "rxaccel" => Endpoint::RxAccel,
            "rxblebattery" => Endpoint::RxBleBattery,
            "rxblemodel" => Endpoint::RxBleModel,
            "rxpressure" => Endpoint::RxPressure,
            "rxtouch" => Endpoint::RxTouch,
            "tx" => Endpoint::Tx,
            "txmode" => Endpoint::TxMode,
            "txshock" => Endpoint::TxShock,
            "txvibrate" => Endpoint::TxVibrate,
            "txvendorcontrol" => Endpoint::TxVendorControl,
            "whitelist" => Endpoint::Whitelist,
            other => {
                let digits = other.strip_prefix("generic").unwrap_or("");
                let canonical = !digits.is_empty()
                    && digits.bytes().all(|b| b.is_ascii_digit())
                    && (digits == "0" || !digits.starts_with('0'));
                match digits.parse::<u8>() {
                    Ok(n) if canonical && n < 32 => Endpoint::Generic(n),
                    _ => {
                        return Err(UnknownEndpoint {
                            name: other.to_string(),
                        });
                    }
                }
            }
        })
    }
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Endpoint {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Endpoint {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for n in 0..32u8 {
            let e = Endpoint::Generic(n);
            assert_eq!(e.as_str().parse::<Endpoint>(), Ok(e));
        }
        for e in [
            Endpoint::Tx,
            Endpoint::RxBleBattery,
            Endpoint::TxVendorControl,
        ] {
            assert_eq!(e.as_str().parse::<Endpoint>(), Ok(e));
        }
        assert!("generic32".parse::<Endpoint>().is_err());
        assert!("generic01".parse::<Endpoint>().is_err());
        assert!("TX".parse::<Endpoint>().is_err());
    }
}

//! How a protocol recognises its devices on each transport, and how a discovered device is
//! described: [`CommunicationSpecifier`].

use crate::Endpoint;
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// One BLE manufacturer-data entry: a company id and, optionally, the payload.
///
/// In the database `data` may be absent (any payload of that company matches); a discovered device
/// always carries its payload.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ManufacturerData {
    /// Bluetooth SIG company identifier.
    pub company: u16,
    /// Payload bytes, if known or required.
    pub data: Option<Vec<u8>>,
}

impl ManufacturerData {
    /// An entry for a company with an optional payload.
    pub fn new(company: u16, data: Option<Vec<u8>>) -> Self {
        ManufacturerData { company, data }
    }

    /// SPEC-NOTES §4.2: companies equal, and the payloads are absent on either side, equal, or one
    /// is a contiguous part of the other.
    pub fn matches(&self, other: &ManufacturerData) -> bool {
        if self.company != other.company {
            return false;
        }
        match (&self.data, &other.data) {
            (Some(a), Some(b)) => {
                let (needle, haystack) = if a.len() <= b.len() { (a, b) } else { (b, a) };
                needle.is_empty()
                    || haystack
                        .windows(needle.len())
                        .any(|w| w == needle.as_slice())
            }
            _ => true,
        }
    }
}

/// A USB / HID vendor and product id pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VidPid {
    /// USB vendor id.
    pub vendor_id: u16,
    /// USB product id.
    pub product_id: u16,
}

impl VidPid {
    /// A pair.
    pub const fn new(vendor_id: u16, product_id: u16) -> Self {
        VidPid {
            vendor_id,
            product_id,
        }
    }
}

/// How devices of a protocol look on one transport (database side), or how one discovered device
/// looks (discovery side). Both sides use the same type and meet in
/// [`CommunicationSpecifier::matches`].
///
/// Serialized in the configuration spelling: an object with exactly one key naming the transport,
/// e.g. `{"btle": {"names": ["LVS-*"], "services": {...}}}`, `{"serial": {"port": "COM3", ...}}`,
/// `{"xinput": {"exists": true}}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CommunicationSpecifier {
    /// Bluetooth LE (`btle`).
    Btle {
        /// Advertised names; a trailing `*` makes a prefix wildcard (`"LVS-*"`). Case-sensitive.
        names: Vec<String>,
        /// Manufacturer data entries from the advertisement.
        manufacturer_data: Vec<ManufacturerData>,
        /// Advertised service UUIDs.
        advertised_services: Vec<String>,
        /// Service UUID → endpoint → characteristic UUID (database side; empty for a discovered
        /// device).
        services: BTreeMap<String, BTreeMap<Endpoint, String>>,
    },
    /// Serial port (`serial`).
    Serial {
        /// Port name (`/dev/ttyUSB0`, `COM3`; the database ships `"default"`, which matches no real
        /// port: users add their port in the user config).
        port: String,
        /// Baud rate.
        baud_rate: u32,
        /// Data bits.
        data_bits: u8,
        /// Stop bits.
        stop_bits: u8,
        /// Parity (`'N'`, `'E'`, `'O'`).
        parity: char,
    },
    /// Raw USB (`usb`).
    Usb {
        /// Vendor/product id pairs.
        pairs: Vec<VidPid>,
    },
    /// USB / Bluetooth HID (`hid`).
    Hid {
        /// Vendor/product id pairs.
        pairs: Vec<VidPid>,
    },
    /// XInput game controller (`xinput`, Windows).
    Xinput,
    /// Lovense Connect service (`lovense_connect_service`).
    LovenseConnectService,
    /// SDL game controller (`sdl-gamepad`).
    SdlGamepad,
    /// Device on the WebSocket device link (`websocket`), by the identifier it sends in its
    /// handshake.
    Websocket {
        /// Exact device name.
        name: String,
    },
    /// Simulated device (`simulated`), by archetype name (`"simulated-1vibe"`).
    Simulated {
        /// Archetype names.
        names: Vec<String>,
    },
}

/// The transport names of the configuration format, in the order of
/// [`CommunicationSpecifier::transport`].
pub(crate) const TRANSPORTS: [&str; 9] = [
    "btle",
    "serial",
    "usb",
    "hid",
    "xinput",
    "lovense_connect_service",
    "sdl-gamepad",
    "websocket",
    "simulated",
];

impl CommunicationSpecifier {
    /// A discovered BLE device: its one advertised name, manufacturer data and advertised
    /// services.
    pub fn btle_advertisement(
        name: impl Into<String>,
        manufacturer_data: Vec<ManufacturerData>,
        advertised_services: Vec<String>,
    ) -> Self {
        CommunicationSpecifier::Btle {
            names: vec![name.into()],
            manufacturer_data,
            advertised_services,
            services: BTreeMap::new(),
        }
    }

    /// A discovered serial port (8-N-1 at 0 baud: only the port name takes part in matching).
    pub fn serial_port(port: impl Into<String>) -> Self {
        CommunicationSpecifier::Serial {
            port: port.into(),
            baud_rate: 0,
            data_bits: 8,
            stop_bits: 1,
            parity: 'N',
        }
    }

    /// The transport name as the configuration spells it (`"btle"`, `"serial"`, `"usb"`, `"hid"`,
    /// `"xinput"`, `"lovense_connect_service"`, `"sdl-gamepad"`, `"websocket"`, `"simulated"`).
    pub fn transport(&self) -> &'static str {
        let i = match self {
            CommunicationSpecifier::Btle { .. } => 0,
            CommunicationSpecifier::Serial { .. } => 1,
            CommunicationSpecifier::Usb { .. } => 2,
            CommunicationSpecifier::Hid { .. } => 3,
            CommunicationSpecifier::Xinput => 4,
            CommunicationSpecifier::LovenseConnectService => 5,
            CommunicationSpecifier::SdlGamepad => 6,
            CommunicationSpecifier::Websocket { .. } => 7,
            CommunicationSpecifier::Simulated { .. } => 8,
        };
        TRANSPORTS[i]
    }

    /// Whether a discovered device (`discovered`) fits this specifier (SPEC-NOTES §4.2). The rules
    /// are symmetric, so it does not matter which side is the database entry:
    ///
    /// - `btle`: a name equal, or equal to a wildcard's prefix (`"LVS-*"` matches `"LVS-Z36D"`;
    ///   case-sensitive); or a manufacturer-data entry that [matches](ManufacturerData::matches);
    ///   or a shared advertised service (UUIDs compared ignoring ASCII case).
    /// - `serial`: the same port name. `usb` / `hid`: any vendor/product pair equal.
    /// - `xinput`, `lovense_connect_service`, `sdl-gamepad`: always.
    /// - `websocket`: the exact name. `simulated`: a shared name.
    /// - Different transports never match.
    pub fn matches(&self, discovered: &CommunicationSpecifier) -> bool {
        use CommunicationSpecifier as C;
        match (self, discovered) {
            (
                C::Btle {
                    names,
                    manufacturer_data,
                    advertised_services,
                    ..
                },
                C::Btle {
                    names: other_names,
                    manufacturer_data: other_data,
                    advertised_services: other_services,
                    ..
                },
            ) => {
                names
                    .iter()
                    .any(|a| other_names.iter().any(|b| names_match(a, b)))
                    || manufacturer_data
                        .iter()
                        .any(|a| other_data.iter().any(|b| a.matches(b)))
                    || advertised_services
                        .iter()
                        .any(|a| other_services.iter().any(|b| a.eq_ignore_ascii_case(b)))
            }
            (C::Serial { port, .. }, C::Serial { port: other, .. }) => port == other,
            (C::Usb { pairs }, C::Usb { pairs: other })
            | (C::Hid { pairs }, C::Hid { pairs: other }) => {
                pairs.iter().any(|p| other.contains(p))
            }
            (C::Xinput, C::Xinput)
            | (C::LovenseConnectService, C::LovenseConnectService)
            | (C::SdlGamepad, C::SdlGamepad) => true,
            (C::Websocket { name }, C::Websocket { name: other }) => name == other,
            (C::Simulated { names }, C::Simulated { names: other }) => {
                names.iter().any(|n| other.contains(n))
            }
            _ => false,
        }
    }
}

/// Two BLE names match when equal, or when one ends in `*` and the other starts with the rest.
fn names_match(a: &str, b: &str) -> bool {
    a == b
        || a.strip_suffix('*')
            .is_some_and(|prefix| b.starts_with(prefix))
        || b.strip_suffix('*')
            .is_some_and(|prefix| a.starts_with(prefix))
}

// ---- serde: the configuration spelling ----------------------------------------------------------

#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct ManufacturerDataRepr {
    company: u16,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    data: Option<Vec<u8>>,
    /// Listed by the schema, used by no file and by no upstream code: accepted and dropped.
    #[serde(default, skip_serializing)]
    #[allow(dead_code)] // read only so that files carrying it load
    expected_length: Option<u64>,
}

impl Serialize for ManufacturerData {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        ManufacturerDataRepr {
            company: self.company,
            data: self.data.clone(),
            expected_length: None,
        }
        .serialize(s)
    }
}

impl<'de> Deserialize<'de> for ManufacturerData {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let r = ManufacturerDataRepr::deserialize(d)?;
        Ok(ManufacturerData::new(r.company, r.data))
    }
}

#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct BtleRepr {
    names: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    manufacturer_data: Vec<ManufacturerData>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    advertised_services: Vec<String>,
    #[serde(default)]
    services: BTreeMap<String, BTreeMap<Endpoint, String>>,
}

#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct SerialRepr {
    port: String,
    baud_rate: u32,
    data_bits: u8,
    stop_bits: u8,
    parity: char,
}

#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct PairsRepr {
    pairs: Vec<VidPid>,
}

/// `{"exists": true}` of the transports without parameters (`exists` is not interpreted, as
/// upstream).
#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct ExistsRepr {
    #[serde(default)]
    #[allow(dead_code)] // read only so that the format is checked
    exists: bool,
}

const EXISTS: ExistsRepr = ExistsRepr { exists: true };

#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct WebsocketRepr {
    name: String,
}

#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct NamesRepr {
    names: Vec<String>,
}

impl Serialize for CommunicationSpecifier {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use CommunicationSpecifier as C;
        let mut map = s.serialize_map(Some(1))?;
        let key = self.transport();
        match self {
            C::Btle {
                names,
                manufacturer_data,
                advertised_services,
                services,
            } => map.serialize_entry(
                key,
                &BtleRepr {
                    names: names.clone(),
                    manufacturer_data: manufacturer_data.clone(),
                    advertised_services: advertised_services.clone(),
                    services: services.clone(),
                },
            )?,
            C::Serial {
                port,
                baud_rate,
                data_bits,
                stop_bits,
                parity,
            } => map.serialize_entry(
                key,
                &SerialRepr {
                    port: port.clone(),
                    baud_rate: *baud_rate,
                    data_bits: *data_bits,
                    stop_bits: *stop_bits,
                    parity: *parity,
                },
            )?,
            C::Usb { pairs } | C::Hid { pairs } => map.serialize_entry(
                key,
                &PairsRepr {
                    pairs: pairs.clone(),
                },
            )?,
            C::Xinput | C::LovenseConnectService | C::SdlGamepad => {
                map.serialize_entry(key, &EXISTS)?
            }
            C::Websocket { name } => {
                map.serialize_entry(key, &WebsocketRepr { name: name.clone() })?
            }
            C::Simulated { names } => map.serialize_entry(
                key,
                &NamesRepr {
                    names: names.clone(),
                },
            )?,
        }
        map.end()
    }
}

/// One entry of a `communication` list: a known transport, or one this version does not know
/// (kept by name so the loader can warn and skip it, as upstream does for forward compatibility).
#[derive(Debug, Clone)]
pub(crate) enum SpecifierEntry {
    /// A transport we know.
    Known(CommunicationSpecifier),
    /// A transport key we do not know.
    Unknown(String),
}

struct EntryVisitor {
    allow_unknown: bool,
}

impl<'de> Visitor<'de> for EntryVisitor {
    type Value = SpecifierEntry;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object with exactly one transport key (btle, serial, usb, hid, xinput, lovense_connect_service, sdl-gamepad, websocket, simulated)")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<SpecifierEntry, A::Error> {
        use CommunicationSpecifier as C;
        let Some(key) = map.next_key::<String>()? else {
            return Err(de::Error::invalid_length(0, &self));
        };
        let transport = key.clone();
        let entry = match key.as_str() {
            "btle" => {
                let r: BtleRepr = map.next_value()?;
                SpecifierEntry::Known(C::Btle {
                    names: r.names,
                    manufacturer_data: r.manufacturer_data,
                    advertised_services: r.advertised_services,
                    services: r.services,
                })
            }
            "serial" => {
                let r: SerialRepr = map.next_value()?;
                SpecifierEntry::Known(C::Serial {
                    port: r.port,
                    baud_rate: r.baud_rate,
                    data_bits: r.data_bits,
                    stop_bits: r.stop_bits,
                    parity: r.parity,
                })
            }
            "usb" => SpecifierEntry::Known(C::Usb {
                pairs: map.next_value::<PairsRepr>()?.pairs,
            }),
            "hid" => SpecifierEntry::Known(C::Hid {
                pairs: map.next_value::<PairsRepr>()?.pairs,
            }),
            "xinput" | "lovense_connect_service" | "sdl-gamepad" => {
                map.next_value::<ExistsRepr>()?;
                SpecifierEntry::Known(match key.as_str() {
                    "xinput" => C::Xinput,
                    "sdl-gamepad" => C::SdlGamepad,
                    _ => C::LovenseConnectService,
                })
            }
            "websocket" => SpecifierEntry::Known(C::Websocket {
                name: map.next_value::<WebsocketRepr>()?.name,
            }),
            "simulated" => SpecifierEntry::Known(C::Simulated {
                names: map.next_value::<NamesRepr>()?.names,
            }),
            _ if self.allow_unknown => {
                map.next_value::<IgnoredAny>()?;
                SpecifierEntry::Unknown(key)
            }
            _ => return Err(de::Error::unknown_variant(&key, &TRANSPORTS)),
        };
        if let Some(extra) = map.next_key::<String>()? {
            return Err(de::Error::custom(format_args!(
                "a communication specifier has exactly one transport key, found `{transport}` and `{extra}`"
            )));
        }
        Ok(entry)
    }
}

impl<'de> Deserialize<'de> for SpecifierEntry {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(EntryVisitor {
            allow_unknown: true,
        })
    }
}

impl<'de> Deserialize<'de> for CommunicationSpecifier {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match d.deserialize_map(EntryVisitor {
            allow_unknown: false,
        })? {
            SpecifierEntry::Known(s) => Ok(s),
            SpecifierEntry::Unknown(key) => Err(de::Error::unknown_variant(&key, &TRANSPORTS)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn btle(names: &[&str]) -> CommunicationSpecifier {
        CommunicationSpecifier::Btle {
            names: names.iter().map(|s| s.to_string()).collect(),
            manufacturer_data: vec![],
            advertised_services: vec![],
            services: BTreeMap::new(),
        }
    }

    #[test]
    fn wildcard_names_either_side() {
        assert!(btle(&["LVS-*"]).matches(&btle(&["LVS-Z36D"])));
        assert!(btle(&["LVS-Z36D"]).matches(&btle(&["LVS-*"])));
        assert!(!btle(&["LVS-*"]).matches(&btle(&["lvs-z36d"])));
        assert!(!btle(&["LVS-Z"]).matches(&btle(&["LVS-Z36D"])));
        assert!(btle(&["*"]).matches(&btle(&["anything"])));
    }

    #[test]
    fn manufacturer_data_rules() {
        let any = ManufacturerData::new(620, None);
        let exact = ManufacturerData::new(620, Some(vec![255, 33]));
        assert!(any.matches(&ManufacturerData::new(620, Some(vec![1]))));
        assert!(!any.matches(&ManufacturerData::new(621, None)));
        assert!(exact.matches(&ManufacturerData::new(620, Some(vec![255, 33]))));
        assert!(exact.matches(&ManufacturerData::new(620, Some(vec![0, 255, 33, 7]))));
        assert!(ManufacturerData::new(620, Some(vec![0, 255, 33, 7])).matches(&exact));
        assert!(!exact.matches(&ManufacturerData::new(620, Some(vec![255, 34]))));
        assert!(!exact.matches(&ManufacturerData::new(620, Some(vec![255, 0, 33]))));
    }

    #[test]
    fn serde_round_trip_and_errors() {
        let text = r#"[{"btle":{"names":["A*"],"manufacturer_data":[{"company":7,"expected_length":3}],"services":{"0000ffe0-0000-1000-8000-00805f9b34fb":{"tx":"0000ffe1-0000-1000-8000-00805f9b34fb"}}}},
            {"serial":{"port":"COM3","baud_rate":9600,"data_bits":8,"stop_bits":1,"parity":"N"}},
            {"hid":{"pairs":[{"vendor_id":1,"product_id":2}]}},{"xinput":{"exists":true}},
            {"sdl-gamepad":{}},{"websocket":{"name":"w"}},{"simulated":{"names":["simulated-1vibe"]}}]"#;
        let specs: Vec<CommunicationSpecifier> = serde_json::from_str(text).expect("valid");
        assert_eq!(specs.len(), 7);
        let again: Vec<CommunicationSpecifier> =
            serde_json::from_str(&serde_json::to_string(&specs).expect("serializes"))
                .expect("round trip");
        assert_eq!(specs, again);
        assert!(serde_json::from_str::<CommunicationSpecifier>(r#"{"bogus":{}}"#).is_err());
        assert!(
            serde_json::from_str::<CommunicationSpecifier>(r#"{"xinput":{},"hid":{"pairs":[]}}"#)
                .is_err()
        );
        assert!(serde_json::from_str::<CommunicationSpecifier>(r#"{}"#).is_err());
        assert!(matches!(
            serde_json::from_str::<SpecifierEntry>(r#"{"future":{"x":1}}"#),
            Ok(SpecifierEntry::Unknown(k)) if k == "future"
        ));
    }
}

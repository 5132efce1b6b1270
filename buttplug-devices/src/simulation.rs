//! Simulated devices made from the database: pick a device by name (`"Lovense Hush"`) or by
//! `protocol:identifier` (`"lovense:Z"`), and get a [`SimulatedHardware`] that advertises itself
//! and answers identification the way the real device does, so it goes through the normal
//! match → identify → initialize path.

use crate::config::{CommunicationSpecifier, DeviceDatabase, ManufacturerData};
use crate::{Endpoint, SimulatedHardware};
use std::collections::BTreeSet;

/// Battery level every simulated device reports (percent).
pub const SIMULATED_BATTERY: u8 = 85;

/// Why a simulated device could not be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SimulationError {
    /// Nothing in the database matches the query.
    #[error("no device matches {query:?}")]
    NotFound {
        /// The query.
        query: String,
    },
    /// Several devices match; be more precise.
    #[error("{query:?} matches several devices: {candidates}")]
    Ambiguous {
        /// The query.
        query: String,
        /// Some of the matches, comma separated.
        candidates: String,
    },
    /// The device is found only on a transport that cannot be simulated in-process.
    #[error(
        "{name} ({protocol}) is not a Bluetooth LE device; only BLE devices can be simulated in-process"
    )]
    NotBle {
        /// Device name.
        name: String,
        /// Protocol id.
        protocol: String,
    },
}

/// A simulated device ready to be handed to the simulated communication manager.
#[derive(Debug, Clone)]
pub struct SimulatedDevicePlan {
    /// The hardware (keep a clone to watch what it receives).
    pub hardware: SimulatedHardware,
    /// What discovery reports.
    pub specifier: CommunicationSpecifier,
    /// The protocol the database will match.
    pub protocol: String,
    /// The database's name of the device.
    pub name: String,
    /// Scripted replies as `(written bytes, notification bytes)` on `tx` → `rx` (for device
    /// simulators that answer over another link, e.g. `buttplug simulate`).
    pub replies: Vec<(Vec<u8>, Vec<u8>)>,
}

/// Build a simulated device for `query` (a device name, or `protocol:identifier`).
///
/// # Errors
/// [`SimulationError`] when nothing or several devices match, or the device is not BLE.
pub fn simulated_device(
    database: &DeviceDatabase,
    query: &str,
    address: &str,
) -> Result<SimulatedDevicePlan, SimulationError> {
    let (protocol, identifier, name) = resolve(database, query)?;
    let specifiers = database.protocol_specifiers(&protocol);
    let btle = specifiers.iter().find_map(|s| match s {
        CommunicationSpecifier::Btle {
            names,
            manufacturer_data,
            services,
            ..
        } => Some((names, manufacturer_data, services)),
        _ => None,
    });
    let Some((names, manufacturer_data, services)) = btle else {
        return Err(SimulationError::NotBle { name, protocol });
    };
    let mut endpoints: BTreeSet<Endpoint> =
        services.values().flat_map(|m| m.keys().copied()).collect();
    if endpoints.is_empty() {
        endpoints.extend([Endpoint::Tx, Endpoint::Rx]);
    }
    let ble_name = advertised_name(names, identifier.as_deref(), &protocol);
    let mut builder =
        SimulatedHardware::builder(ble_name.clone(), address).endpoints(endpoints.iter().copied());
    let mut replies = Vec::new();
    let mut mfg = Vec::new();
    match protocol.as_str() {
        "lovense" => {
            let model = identifier.clone().unwrap_or_else(|| "S".into());
            let mac: String = address.chars().filter(char::is_ascii_hexdigit).collect();
            replies.push((
                b"DeviceType;".to_vec(),
                format!("{model}:11:{mac};").into_bytes(),
            ));
            replies.push((
                b"Battery;".to_vec(),
                format!("{SIMULATED_BATTERY};").into_bytes(),
            ));
        }
        "satisfyer" => {
            if let Some(model) = identifier.as_deref().and_then(|i| i.parse::<u32>().ok()) {
                let company = manufacturer_data.first().map_or(93, |m| m.company);
                builder = builder.manufacturer_data(company, model.to_be_bytes().to_vec());
                mfg.push(ManufacturerData::new(
                    company,
                    Some(model.to_be_bytes().to_vec()),
                ));
            }
        }
        _ => {}
    }
    let hardware = builder.build();
    for (write, reply) in &replies {
        hardware.add_reply(Endpoint::Tx, write.clone(), Endpoint::Rx, reply.clone());
    }
    if endpoints.contains(&Endpoint::RxBleBattery) {
        hardware.set_read_value(Endpoint::RxBleBattery, vec![SIMULATED_BATTERY]);
    }
    if let (Some(id), true) = (
        identifier.as_deref(),
        endpoints.contains(&Endpoint::RxBleModel),
    ) {
        let model = match protocol.as_str() {
            // Hismith reports its model as raw bytes the protocol renders as hex.
            "hismith" | "hismith-mini" => hex_bytes(id).unwrap_or_default(),
            _ => id.as_bytes().to_vec(),
        };
        hardware.set_read_value(Endpoint::RxBleModel, model);
    }
    let specifier = CommunicationSpecifier::btle_advertisement(ble_name, mfg, Vec::new());
    Ok(SimulatedDevicePlan {
        hardware,
        specifier,
        protocol,
        name,
        replies,
    })
}

fn resolve(
    database: &DeviceDatabase,
    query: &str,
) -> Result<(String, Option<String>, String), SimulationError> {
    if let Some((protocol, identifier)) = query.split_once(':') {
        if database.protocol_ids().contains(&protocol) {
            let identifier = (!identifier.is_empty()).then(|| identifier.to_string());
            let def = database
                .definition(protocol, identifier.as_deref(), "")
                .ok_or_else(|| SimulationError::NotFound {
                    query: query.to_string(),
                })?;
            return Ok((protocol.to_string(), identifier, def.name));
        }
    }
    let found = database.search(query);
    let exact: Vec<_> = found
        .iter()
        .filter(|s| s.name.eq_ignore_ascii_case(query.trim()))
        .collect();
    let pick = match (exact.as_slice(), found.as_slice()) {
        ([one, ..], _) => *one,
        ([], [one]) => one,
        ([], []) => {
            return Err(SimulationError::NotFound {
                query: query.to_string(),
            });
        }
        ([], many) => {
            let names: Vec<&str> = many.iter().take(8).map(|s| s.name.as_str()).collect();
            return Err(SimulationError::Ambiguous {
                query: query.to_string(),
                candidates: names.join(", "),
            });
        }
    };
    Ok((
        pick.protocol.clone(),
        pick.identifiers.first().cloned(),
        pick.name.clone(),
    ))
}

/// The name the simulated device advertises: the identifier when it is one of the protocol's
/// names, else the first name (wildcards completed), with Lovense's `LVS-<model>` convention.
fn advertised_name(names: &[String], identifier: Option<&str>, protocol: &str) -> String {
    if protocol == "lovense" {
        return format!("LVS-{}001", identifier.unwrap_or("S"));
    }
    if let Some(id) = identifier {
        if names.iter().any(|n| n == id) {
            return id.to_string();
        }
        if let Some(prefix) = names
            .iter()
            .filter_map(|n| n.strip_suffix('*'))
            .find(|p| id.starts_with(p))
        {
            return format!("{prefix}{}", &id[prefix.len()..]);
        }
    }
    match names.first() {
        Some(n) => match n.strip_suffix('*') {
            Some(prefix) => format!("{prefix}SIM"),
            None => n.clone(),
        },
        None => "Simulated Device".to_string(),
    }
}

fn hex_bytes(s: &str) -> Option<Vec<u8>> {
    if s.len() % 2 != 0 {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lovense_hush_by_name_answers_identification() {
        let db = DeviceDatabase::builtin();
        let plan = simulated_device(db, "lovense hush", "AA:BB:CC:DD:EE:01").unwrap();
        assert_eq!(plan.protocol, "lovense");
        assert_eq!(plan.name, "Lovense Hush");
        assert_eq!(
            db.matching_protocols(&plan.specifier),
            vec!["lovense"],
            "{:?}",
            plan.specifier
        );
        assert!(
            plan.replies
                .iter()
                .any(|(w, r)| w == b"DeviceType;" && r.starts_with(b"Z:"))
        );
    }

    #[test]
    fn protocol_and_identifier_query() {
        let db = DeviceDatabase::builtin();
        let plan = simulated_device(db, "lovense:A", "x").unwrap();
        assert_eq!(plan.name, "Lovense Nora");
        let plan = simulated_device(db, "wevibe:Ditto", "x").unwrap();
        assert_eq!(plan.name, "WeVibe Ditto");
        assert_eq!(db.matching_protocols(&plan.specifier), vec!["wevibe"]);
    }

    #[test]
    fn unknown_and_non_ble_devices_are_errors() {
        let db = DeviceDatabase::builtin();
        assert!(matches!(
            simulated_device(db, "no such toy at all", "x"),
            Err(SimulationError::NotFound { .. })
        ));
        assert!(matches!(
            simulated_device(db, "tcode-v03:", "x"),
            Err(SimulationError::NotBle { .. })
        ));
    }
}

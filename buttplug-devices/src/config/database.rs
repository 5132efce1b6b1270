//! [`DeviceDatabase`]: the base database (built-in or loaded), the user layer on top, and every
//! lookup the server and the CLI make.

use super::builtin;
use super::error::{ConfigError, ConfigWarning};
use super::file::{
    self, OutputMap, RawBaseFile, RawDevice, RawFeature, RawProtocol, RawUserConfigs,
    RawUserCustomization, RawUserDevice, RawUserDeviceConfig, RawUserDeviceIdentifier,
    RawUserFeature, RawUserFile, RawUserOutput, RawUserProtocol, RawVersion,
};
use super::limits::OutputLimits;
use super::specifier::{CommunicationSpecifier, SpecifierEntry, TRANSPORTS};
use super::summary::DeviceSummary;
use super::user::{SimulatedDevice, UserDeviceKey, UserDeviceSettings};
use crate::{DeviceDefinition, FeatureDefinition, InputDefinition, OutputDefinition};
use buttplug_core::{OutputType, StepRange};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

/// The source name errors use for the built-in database.
const BUILTIN_SOURCE: &str = "<built-in device database>";

/// The id written for user entries whose protocol the database does not know.
const NIL_UUID: &str = "00000000-0000-0000-0000-000000000000";

/// Format major versions this crate reads.
const SUPPORTED_MAJOR: [u32; 2] = [4, 5];

/// The text of the built-in database: one JSON document in configuration format v5
/// (`{"version": {...}, "protocols": {...}}`), assembled from the embedded parts on first call
/// (the server itself never needs it whole).
pub fn builtin_json() -> &'static str {
    builtin::whole_document()
}

/// A configuration format version (`{"major": 5, "minor": 57}`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DatabaseVersion {
    /// Major version: the format (4 or 5).
    pub major: u32,
    /// Minor version: the data revision.
    pub minor: u32,
}

/// One configuration: the identifiers that select it and the resolved definition (defaults
/// inherited, no user settings, no identifier).
#[derive(Debug, Clone)]
struct Config {
    identifiers: Vec<String>,
    template: DeviceDefinition,
}

/// Configurations of one protocol with an identifier index (a later configuration listing the
/// same identifier wins, as upstream's map insertion does).
#[derive(Debug, Clone, Default)]
struct ConfigSet {
    configs: Vec<Config>,
    by_identifier: HashMap<String, usize>,
}

impl ConfigSet {
    fn push(&mut self, config: Config) {
        let i = self.configs.len();
        for id in &config.identifiers {
            self.by_identifier.insert(id.clone(), i);
        }
        self.configs.push(config);
    }

    fn get(&self, identifier: &str) -> Option<&Config> {
        self.by_identifier
            .get(identifier)
            .and_then(|&i| self.configs.get(i))
    }
}

/// The devices of one protocol of the base database: its defaults and configurations.
#[derive(Debug, Default)]
struct ProtocolDevices {
    defaults: Option<Config>,
    configs: ConfigSet,
}

/// One protocol of the base database.
#[derive(Debug)]
struct ProtocolEntry {
    communication: Vec<CommunicationSpecifier>,
    /// Set when loaded, or (built-in database) on first use from `deferred`. Boxed: an unparsed
    /// protocol costs a pointer, not a whole empty set.
    devices: OnceLock<Box<ProtocolDevices>>,
    /// Built-in database: the JSON object with the protocol's `defaults` and `configurations`, not
    /// parsed until a device of the protocol is looked up.
    deferred: Option<&'static str>,
}

impl ProtocolEntry {
    /// The protocol's devices, parsing them now if they were deferred. A deferred text that does
    /// not load (which the crate's tests rule out for the built-in database) is logged and gives
    /// a protocol without devices.
    fn devices(&self, name: &str) -> &ProtocolDevices {
        self.devices
            .get_or_init(|| match self.parse_deferred(name) {
                Ok(devices) => Box::new(devices),
                Err(e) => {
                    tracing::error!("the built-in device database does not load: {e}");
                    Box::default()
                }
            })
    }

    /// Whether a device name of this protocol may contain `needle` (already lowercase). Only
    /// `false` when the devices are still unparsed and their text is plain ASCII without escapes
    /// (so every name appears in it verbatim and lowercases byte by byte) and does not contain
    /// `needle` in any letter case.
    fn may_have_name(&self, needle: &str) -> bool {
        let Some(text) = self.deferred.filter(|_| self.devices.get().is_none()) else {
            return true;
        };
        if needle.is_empty() || !text.is_ascii() || text.contains('\\') {
            return true;
        }
        text.as_bytes()
            .windows(needle.len())
            .any(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
    }

    /// Parse the deferred devices of a protocol.
    fn parse_deferred(&self, name: &str) -> Result<ProtocolDevices, ConfigError> {
        let path = format!("protocols.{name}");
        let text = self
            .deferred
            .ok_or_else(|| ConfigError::invalid(BUILTIN_SOURCE, &path, "embedded text missing"))?;
        let raw: RawProtocol = file::parse(text, BUILTIN_SOURCE)?;
        build_protocol_devices(name, raw, &path, BUILTIN_SOURCE)
    }
}

/// A user device entry: the settings plus what is needed to write the entry back.
#[derive(Debug, Clone)]
struct UserDeviceEntry {
    settings: UserDeviceSettings,
    id: String,
    base_id: String,
    name: Option<String>,
    features: Vec<RawUserFeature>,
}

/// Everything user config files added.
#[derive(Debug, Clone, Default)]
struct UserLayer {
    specifiers: BTreeMap<String, Vec<CommunicationSpecifier>>,
    configs: BTreeMap<String, ConfigSet>,
    raw_configs: BTreeMap<String, Vec<RawDevice>>,
    devices: BTreeMap<UserDeviceKey, UserDeviceEntry>,
    simulated: Vec<SimulatedDevice>,
}

/// The device database: which protocol handles a discovered device, and what that device is
/// (name, features, ranges), with the user's settings merged in.
///
/// The base part (built-in or loaded with [`DeviceDatabase::from_json`]) is shared between clones;
/// user config files are layered on top with [`DeviceDatabase::with_user_config`], which returns a
/// new database and leaves the one it was called on as it was, whatever the file contains.
///
/// ```
/// use buttplug_devices::config::{CommunicationSpecifier, DeviceDatabase};
///
/// let db = DeviceDatabase::builtin();
/// let seen = CommunicationSpecifier::btle_advertisement("LVS-Z36D", vec![], vec![]);
/// assert_eq!(db.matching_protocols(&seen), vec!["lovense"]);
/// let hush = db.definition("lovense", Some("Z"), "AA:BB").ok_or("no definition")?;
/// assert_eq!(hush.name, "Lovense Hush");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct DeviceDatabase {
    version: DatabaseVersion,
    /// Shared entries: [`DeviceDatabase::with_protocol`] builds a new map without copying them.
    base: Arc<BTreeMap<String, Arc<ProtocolEntry>>>,
    user: UserLayer,
    warnings: Vec<ConfigWarning>,
}

impl DeviceDatabase {
    /// The built-in database, loaded once on first use and shared afterwards.
    ///
    /// Loading reads the version and every protocol's communication specifiers; a protocol's
    /// defaults and configurations are parsed the first time one of its devices is looked up
    /// (once, shared by every clone). That keeps a server's memory to the protocols it meets.
    ///
    /// # Panics
    /// If the embedded database does not load, which the crate's tests rule out.
    pub fn builtin() -> &'static DeviceDatabase {
        static BUILTIN: OnceLock<DeviceDatabase> = OnceLock::new();
        BUILTIN.get_or_init(|| match DeviceDatabase::load_builtin_deferred() {
            Ok(db) => db,
            Err(e) => panic!("the built-in device database does not load: {e}"),
        })
    }

    /// Parse the whole built-in database anew, every protocol's devices included, so that any
    /// error in it is returned (prefer [`DeviceDatabase::builtin`], which loads once and parses
    /// devices on demand).
    ///
    /// # Errors
    /// None in practice: the embedded data is checked by the crate's tests.
    pub fn load_builtin() -> Result<DeviceDatabase, ConfigError> {
        let db = DeviceDatabase::load_builtin_deferred()?;
        for (name, entry) in db.base.iter() {
            let devices = entry.parse_deferred(name)?;
            // Freshly built, nobody has looked anything up yet: the cell is empty.
            let _ = entry.devices.set(Box::new(devices));
        }
        Ok(db)
    }

    /// The built-in database with every protocol's devices deferred.
    fn load_builtin_deferred() -> Result<DeviceDatabase, ConfigError> {
        let raw: RawVersion = file::parse(builtin::VERSION_JSON, BUILTIN_SOURCE)?;
        let version = check_version(raw, BUILTIN_SOURCE)?;
        let mut warnings = Vec::new();
        let mut protocols = BTreeMap::new();
        for protocol in builtin::protocols() {
            let path = format!("protocols.{}.communication", protocol.id);
            let text = protocol.communication.ok_or_else(|| {
                ConfigError::invalid(BUILTIN_SOURCE, &path, "embedded text missing")
            })?;
            let entries: Option<Vec<SpecifierEntry>> = file::parse(text, BUILTIN_SOURCE)?;
            let communication = known_specifiers(entries, &path, BUILTIN_SOURCE, &mut warnings);
            protocols.insert(
                protocol.id.to_string(),
                Arc::new(ProtocolEntry {
                    communication,
                    devices: OnceLock::new(),
                    deferred: protocol.devices,
                }),
            );
        }
        Ok(DeviceDatabase {
            version,
            base: Arc::new(protocols),
            user: UserLayer::default(),
            warnings,
        })
    }

    /// Load a base database file in configuration format v4 or v5. `source_name` (a path or any
    /// label) is what errors and warnings call the file. A `user_configs` section in the file is
    /// applied as [`DeviceDatabase::with_user_config`] would.
    ///
    /// # Errors
    /// [`ConfigError::Format`] when the text is not JSON or does not follow the format,
    /// [`ConfigError::Invalid`] for values that are not allowed (a range whose start is above its
    /// end, a duplicated feature index, a configuration without identifiers),
    /// [`ConfigError::UnsupportedVersion`] for a major version other than 4 or 5.
    pub fn from_json(text: &str, source_name: &str) -> Result<DeviceDatabase, ConfigError> {
        let raw: RawBaseFile = file::parse(text, source_name)?;
        let version = check_version(raw.version, source_name)?;
        let mut warnings = Vec::new();
        let mut protocols = BTreeMap::new();
        for (name, mut protocol) in raw.protocols {
            let path = format!("protocols.{name}");
            let communication = known_specifiers(
                protocol.communication.take(),
                &format!("{path}.communication"),
                source_name,
                &mut warnings,
            );
            let devices = build_protocol_devices(&name, protocol, &path, source_name)?;
            protocols.insert(
                name,
                Arc::new(ProtocolEntry {
                    communication,
                    devices: OnceLock::from(Box::new(devices)),
                    deferred: None,
                }),
            );
        }
        let mut db = DeviceDatabase {
            version,
            base: Arc::new(protocols),
            user: UserLayer::default(),
            warnings,
        };
        if let Some(user) = raw.user_configs {
            db.apply_user_configs(user, source_name)?;
        }
        Ok(db)
    }

    /// A new database: this one plus a user device config file (format v4 or v5:
    /// `{"version": ..., "user_configs": {"protocols": ..., "devices": [...],
    /// "simulated_devices": [...]}}`).
    ///
    /// - `protocols.<id>.communication` adds communication specifiers to a protocol;
    ///   `protocols.<id>.configurations` (or the schema's `devices.configurations`) adds
    ///   configurations, which inherit the protocol's defaults and win over base configurations
    ///   with the same identifier.
    /// - `devices[]` entries store per-device settings keyed by `(protocol, identifier?, address)`
    ///   (including the safety limits `max_level` and `max_ramp` of all the device's outputs) and
    ///   per-feature overrides (by the base feature's id): user range, duration range,
    ///   `disabled`, `reverse`, and `max_level`/`max_ramp` of that output.
    ///
    /// Entries that refer to things this database does not have (an unknown protocol, a feature id
    /// that is not in the device's configuration, an unknown transport) are skipped with a
    /// [`ConfigWarning`]; settings of a device entry are kept even then.
    ///
    /// # Errors
    /// As for [`DeviceDatabase::from_json`], and [`ConfigError::Invalid`] for a user range or
    /// duration range outside the base range, `reverse` on a non-position output or `duration` on
    /// an output other than `hw_position_with_duration`. On error `self` is unchanged (it is never
    /// modified).
    pub fn with_user_config(
        &self,
        text: &str,
        source_name: &str,
    ) -> Result<DeviceDatabase, ConfigError> {
        let raw: RawUserFile<SpecifierEntry> = file::parse(text, source_name)?;
        check_version(raw.version, source_name)?;
        let mut db = self.clone();
        if let Some(user) = raw.user_configs {
            db.apply_user_configs(user, source_name)?;
        }
        Ok(db)
    }

    /// A new database: this one plus one protocol, given in the format of the shipped
    /// database's protocol files (`{"communication": [...], "defaults": {...},
    /// "configurations": [...]}`, as in `database/protocols/<id>.json`). A protocol with the same
    /// id replaces this database's one. This is how an application adds the database entries
    /// that select its own protocol implementation (registered on the server's device-manager
    /// builder); user configs applied to this database stay applied.
    ///
    /// # Errors
    /// As for [`DeviceDatabase::from_json`]. On error `self` is unchanged.
    pub fn with_protocol(
        &self,
        id: &str,
        text: &str,
        source_name: &str,
    ) -> Result<DeviceDatabase, ConfigError> {
        let mut protocol: RawProtocol = file::parse(text, source_name)?;
        let path = format!("protocols.{id}");
        let mut warnings = self.warnings.clone();
        let communication = known_specifiers(
            protocol.communication.take(),
            &format!("{path}.communication"),
            source_name,
            &mut warnings,
        );
        let devices = build_protocol_devices(id, protocol, &path, source_name)?;
        let mut base = (*self.base).clone();
        base.insert(
            id.to_string(),
            Arc::new(ProtocolEntry {
                communication,
                devices: OnceLock::from(Box::new(devices)),
                deferred: None,
            }),
        );
        Ok(DeviceDatabase {
            version: self.version,
            base: Arc::new(base),
            user: self.user.clone(),
            warnings,
        })
    }

    /// The format version of the base database.
    pub fn version(&self) -> DatabaseVersion {
        self.version
    }

    /// What was skipped while loading this database and the user configs applied to it.
    pub fn warnings(&self) -> &[ConfigWarning] {
        &self.warnings
    }

    /// Every protocol id, sorted.
    pub fn protocol_ids(&self) -> Vec<&str> {
        self.base.keys().map(String::as_str).collect()
    }

    /// The communication specifiers of a protocol: the base database's, then the user config's.
    /// Empty for an unknown protocol.
    pub fn protocol_specifiers(&self, protocol: &str) -> Vec<&CommunicationSpecifier> {
        self.specifiers(protocol).collect()
    }

    /// The protocols (sorted by id) with a specifier that [matches](CommunicationSpecifier::matches)
    /// a discovered device.
    pub fn matching_protocols(&self, discovered: &CommunicationSpecifier) -> Vec<&str> {
        self.base
            .keys()
            .filter(|id| self.specifiers(id).any(|s| s.matches(discovered)))
            .map(String::as_str)
            .collect()
    }

    /// Base then user specifiers of a protocol.
    fn specifiers(&self, protocol: &str) -> impl Iterator<Item = &CommunicationSpecifier> {
        let base = self
            .base
            .get(protocol)
            .map(|p| p.communication.as_slice())
            .unwrap_or_default();
        let user = self
            .user
            .specifiers
            .get(protocol)
            .map(Vec::as_slice)
            .unwrap_or_default();
        base.iter().chain(user)
    }

    /// The resolved definition of a device: the configuration whose identifier list contains
    /// `identifier` exactly (case-sensitive; user-added configurations first), else the protocol's
    /// defaults; configurations inherit `protocol_variant`, `message_gap_ms` and `features` from
    /// the defaults when they omit them. The user entry for `(protocol, identifier, address)`, if
    /// any, adds its display name, message gap and per-feature overrides
    /// ([`OutputDefinition::user_range`], `disabled`, `reverse`; a duration range replaces
    /// [`OutputDefinition::duration`]).
    ///
    /// [`DeviceDefinition::identifier`] is `identifier` when it selected a configuration, `None`
    /// when the defaults were used. `None` is returned for an unknown protocol, or an unknown
    /// identifier of a protocol without defaults.
    pub fn definition(
        &self,
        protocol: &str,
        identifier: Option<&str>,
        address: &str,
    ) -> Option<DeviceDefinition> {
        let (matched, config) = self.resolve(protocol, identifier)?;
        let mut def = config.template.clone();
        if matched {
            def.identifier = identifier.map(str::to_string);
        }
        if let Some(entry) = self
            .user
            .devices
            .get(&UserDeviceKey::new(protocol, identifier, address))
        {
            apply_user_entry(&mut def, entry);
        }
        Some(def)
    }

    /// The user settings stored for a device, if any. The key is matched exactly (an entry without
    /// identifier only matches `identifier == None`).
    pub fn user_device(
        &self,
        address: &str,
        protocol: &str,
        identifier: Option<&str>,
    ) -> Option<&UserDeviceSettings> {
        self.user
            .devices
            .get(&UserDeviceKey::new(protocol, identifier, address))
            .map(|e| &e.settings)
    }

    /// The safety limits the user config sets on the outputs of a device (identified by the same
    /// key as [`DeviceDatabase::user_device`], with `definition` its resolved definition): for
    /// every enabled output with a stop value, the feature override's `max_level`/`max_ramp`,
    /// each falling back to the device entry's. Outputs without any limit are left out; empty
    /// when the device has no user entry.
    pub fn output_limits(
        &self,
        definition: &DeviceDefinition,
        address: &str,
        protocol: &str,
        identifier: Option<&str>,
    ) -> Vec<(u32, OutputType, OutputLimits)> {
        let Some(entry) = self
            .user
            .devices
            .get(&UserDeviceKey::new(protocol, identifier, address))
        else {
            return Vec::new();
        };
        let mut limits = Vec::new();
        for feature in &definition.features {
            for out in feature
                .outputs
                .iter()
                .filter(|o| o.output_type.has_stop_value() && !o.disabled)
            {
                let own = entry
                    .features
                    .iter()
                    .filter(|u| u.base_id == feature.id)
                    .filter_map(|u| u.output.as_ref())
                    .flat_map(|m| m.entries())
                    .filter(|(t, _)| *t == out.output_type)
                    .map(|(_, o)| {
                        // Checked when the file was loaded.
                        OutputLimits::new(o.max_level, o.max_ramp).unwrap_or_default()
                    })
                    .fold(OutputLimits::NONE, OutputLimits::or);
                let l = own.or(entry.settings.limits);
                if !l.is_none() {
                    limits.push((feature.index, out.output_type, l));
                }
            }
        }
        limits
    }

    /// Every user device entry, sorted by key.
    pub fn user_devices(&self) -> impl Iterator<Item = (&UserDeviceKey, &UserDeviceSettings)> {
        self.user.devices.iter().map(|(k, e)| (k, &e.settings))
    }

    /// Whether a device at `address` may connect (SPEC-NOTES §5.4): not if any entry for the
    /// address denies it (deny wins); otherwise, when any entry of the user config allows its
    /// device, only addresses with an allowing entry pass; otherwise every address passes.
    pub fn is_address_allowed(&self, address: &str) -> bool {
        let mut for_address = self
            .user
            .devices
            .iter()
            .filter(|(k, _)| k.address == address)
            .map(|(_, e)| &e.settings);
        if for_address.clone().any(|s| s.deny) {
            return false;
        }
        let allow_list_mode = self.user.devices.values().any(|e| e.settings.allow);
        !allow_list_mode || for_address.any(|s| s.allow)
    }

    /// Device indexes reserved by user entries.
    pub fn reserved_indexes(&self) -> BTreeSet<u32> {
        self.user
            .devices
            .values()
            .map(|e| e.settings.index)
            .collect()
    }

    /// The device index for a device, remembering the device if it is new: the index of its user
    /// entry if it has one, else the lowest index no user entry reserves, stored in a new entry
    /// (so the device gets the same index when it comes back, and after
    /// [`DeviceDatabase::to_user_config_json`] is saved and loaded again).
    pub fn remember_device(
        &mut self,
        address: &str,
        protocol: &str,
        identifier: Option<&str>,
    ) -> u32 {
        let key = UserDeviceKey::new(protocol, identifier, address);
        if let Some(entry) = self.user.devices.get(&key) {
            return entry.settings.index;
        }
        let used = self.reserved_indexes();
        let index = (0..=u32::MAX)
            .find(|i| !used.contains(i))
            .unwrap_or(u32::MAX);
        let entry = self.new_user_entry(&key, UserDeviceSettings::new(index));
        self.user.devices.insert(key, entry);
        index
    }

    /// Store settings for a device (display name, allow/deny, index, message gap), keeping the
    /// per-feature overrides of an existing entry.
    pub fn set_user_device(
        &mut self,
        address: &str,
        protocol: &str,
        identifier: Option<&str>,
        settings: UserDeviceSettings,
    ) {
        let key = UserDeviceKey::new(protocol, identifier, address);
        match self.user.devices.get_mut(&key) {
            Some(entry) => entry.settings = settings,
            None => {
                let entry = self.new_user_entry(&key, settings);
                self.user.devices.insert(key, entry);
            }
        }
    }

    /// Remove a device's user entry. Returns whether there was one.
    pub fn forget_device(
        &mut self,
        address: &str,
        protocol: &str,
        identifier: Option<&str>,
    ) -> bool {
        self.user
            .devices
            .remove(&UserDeviceKey::new(protocol, identifier, address))
            .is_some()
    }

    /// Simulated devices requested by the user config.
    pub fn simulated_devices(&self) -> &[SimulatedDevice] {
        &self.user.simulated
    }

    /// The user layer as a user device config file (format of this database's version, pretty
    /// JSON): added specifiers and configurations, and every device entry with its settings and
    /// one feature entry per base feature (as upstream writes them). Loading the result with
    /// [`DeviceDatabase::with_user_config`] on the same base database restores the same state.
    pub fn to_user_config_json(&self) -> String {
        let mut protocols: BTreeMap<String, RawUserProtocol<CommunicationSpecifier>> =
            BTreeMap::new();
        for (name, specs) in &self.user.specifiers {
            protocols.entry(name.clone()).or_default().communication = Some(specs.clone());
        }
        for (name, configs) in &self.user.raw_configs {
            protocols.entry(name.clone()).or_default().configurations = configs.clone();
        }
        let devices = self
            .user
            .devices
            .iter()
            .map(|(key, entry)| RawUserDevice {
                identifier: RawUserDeviceIdentifier {
                    protocol: key.protocol.clone(),
                    identifier: key.identifier.clone(),
                    address: key.address.clone(),
                },
                config: RawUserDeviceConfig {
                    id: entry.id.clone(),
                    base_id: entry.base_id.clone(),
                    name: entry.name.clone(),
                    features: entry.features.clone(),
                    user_config: RawUserCustomization {
                        allow: entry.settings.allow,
                        deny: entry.settings.deny,
                        index: entry.settings.index,
                        display_name: entry.settings.display_name.clone(),
                        message_gap_ms: entry.settings.message_gap_ms(),
                        max_level: entry.settings.limits.max_level(),
                        max_ramp: entry.settings.limits.max_ramp(),
                    },
                },
            })
            .collect();
        let simulated = self
            .user
            .simulated
            .iter()
            .map(|s| file::RawSimulatedDevice {
                identifier: s.identifier.clone(),
                display_name: s.display_name.clone(),
                address: s.address.clone(),
            })
            .collect::<Vec<_>>();
        let out = RawUserFile {
            version: RawVersion {
                major: self.version.major,
                minor: self.version.minor,
            },
            user_configs: Some(RawUserConfigs {
                protocols: Some(protocols),
                devices: Some(devices),
                simulated_devices: (!simulated.is_empty()).then_some(simulated),
            }),
        };
        // Plain structs with string keys only: serializing them to a String cannot fail.
        serde_json::to_string_pretty(&out).expect("user config types serialize to JSON")
    }

    /// Known device configurations for listing (`buttplug devices [FILTER]`): every protocol's
    /// defaults and configurations (base and user-added) whose device name, protocol id or
    /// transport name contains `filter`, ignoring case (an empty filter lists everything). Sorted
    /// by name (ignoring case), then protocol.
    pub fn search(&self, filter: &str) -> Vec<DeviceSummary> {
        let needle = filter.to_lowercase();
        let mut out = Vec::new();
        for (protocol, entry) in self.base.iter() {
            let transports = self.transports(protocol);
            let protocol_matches = protocol.to_lowercase().contains(&needle)
                || transports.iter().any(|t| t.contains(&needle));
            let user_configs = self
                .user
                .configs
                .get(protocol)
                .map(|s| s.configs.as_slice())
                .unwrap_or_default();
            // A deferred protocol none of whose names can match stays unparsed.
            let devices =
                (protocol_matches || entry.may_have_name(&needle)).then(|| entry.devices(protocol));
            let base_configs = devices
                .map(|d| d.configs.configs.as_slice())
                .unwrap_or_default();
            let all = devices
                .and_then(|d| d.defaults.as_ref())
                .map(|c| (true, c))
                .into_iter()
                .chain(user_configs.iter().map(|c| (false, c)))
                .chain(base_configs.iter().map(|c| (false, c)));
            for (is_default, config) in all {
                if protocol_matches || config.template.name.to_lowercase().contains(&needle) {
                    out.push(DeviceSummary {
                        name: config.template.name.clone(),
                        protocol: protocol.clone(),
                        id: config.template.id.clone(),
                        is_protocol_default: is_default,
                        identifiers: config.identifiers.clone(),
                        transports: transports.clone(),
                        features: config.template.features.clone(),
                    });
                }
            }
        }
        out.sort_by_cached_key(|s| (s.name.to_lowercase(), s.protocol.clone()));
        out
    }

    // ---- internals ------------------------------------------------------------------------------

    /// The transports of a protocol (base and user specifiers), in [`TRANSPORTS`] order.
    fn transports(&self, protocol: &str) -> Vec<&'static str> {
        let present: BTreeSet<&'static str> =
            self.specifiers(protocol).map(|s| s.transport()).collect();
        TRANSPORTS
            .iter()
            .copied()
            .filter(|t| present.contains(t))
            .collect()
    }

    /// The configuration for `(protocol, identifier)` and whether the identifier selected it.
    fn resolve(&self, protocol: &str, identifier: Option<&str>) -> Option<(bool, &Config)> {
        let base = self.base.get(protocol)?.devices(protocol);
        if let Some(id) = identifier {
            let found = self
                .user
                .configs
                .get(protocol)
                .and_then(|s| s.get(id))
                .or_else(|| base.configs.get(id));
            if let Some(config) = found {
                return Some((true, config));
            }
        }
        base.defaults.as_ref().map(|c| (false, c))
    }

    /// A fresh user entry for a device: ids from its configuration and one feature entry per base
    /// feature (upstream expects every base feature listed).
    fn new_user_entry(&self, key: &UserDeviceKey, settings: UserDeviceSettings) -> UserDeviceEntry {
        let (id, features) = match self.resolve(&key.protocol, key.identifier.as_deref()) {
            Some((_, config)) => (
                config.template.id.clone(),
                config
                    .template
                    .features
                    .iter()
                    .map(|f| RawUserFeature {
                        id: f.id.clone(),
                        base_id: f.id.clone(),
                        description: None,
                        output: (!f.outputs.is_empty()).then(|| {
                            let mut outputs = OutputMap::default();
                            for o in &f.outputs {
                                outputs.set(o.output_type, RawUserOutput::default());
                            }
                            outputs
                        }),
                    })
                    .collect(),
            ),
            None => (NIL_UUID.to_string(), Vec::new()),
        };
        UserDeviceEntry {
            settings,
            base_id: id.clone(),
            id,
            name: None,
            features,
        }
    }

    /// Apply a `user_configs` section to this database. On error the caller drops `self`.
    fn apply_user_configs(
        &mut self,
        user: RawUserConfigs<SpecifierEntry>,
        source: &str,
    ) -> Result<(), ConfigError> {
        // Collected here and appended at the end, so that lookups on `self` can run meanwhile.
        let mut warnings = Vec::new();
        let base = Arc::clone(&self.base);
        for (name, protocol) in user.protocols.unwrap_or_default() {
            let path = format!("user_configs.protocols.{name}");
            let Some(base_protocol) = base.get(&name) else {
                warnings.push(ConfigWarning::new(
                    source,
                    path,
                    format!("protocol `{name}` is not in the device database; entry skipped"),
                ));
                continue;
            };
            let specs = known_specifiers(
                protocol.communication,
                &format!("{path}.communication"),
                source,
                &mut warnings,
            );
            let list = self.user.specifiers.entry(name.clone()).or_default();
            for spec in specs {
                if !list.contains(&spec) {
                    list.push(spec);
                }
            }
            if protocol.defaults.is_some() {
                warnings.push(ConfigWarning::new(
                    source,
                    format!("{path}.defaults"),
                    "a user config cannot change a protocol's defaults; ignored",
                ));
            }
            let schema_spelling = protocol
                .devices
                .map(|d| d.configurations)
                .unwrap_or_default()
                .into_iter()
                .enumerate()
                .map(|(i, c)| (format!("{path}.devices.configurations[{i}]"), c));
            let configs = protocol
                .configurations
                .into_iter()
                .enumerate()
                .map(|(i, c)| (format!("{path}.configurations[{i}]"), c))
                .chain(schema_spelling);
            for (cpath, raw) in configs {
                let config = build_configuration(
                    raw.clone(),
                    base_protocol.devices(&name).defaults.as_ref(),
                    &name,
                    &cpath,
                    source,
                )?;
                self.user
                    .configs
                    .entry(name.clone())
                    .or_default()
                    .push(config);
                self.user
                    .raw_configs
                    .entry(name.clone())
                    .or_default()
                    .push(raw);
            }
        }

        for (i, device) in user.devices.unwrap_or_default().into_iter().enumerate() {
            let path = format!("user_configs.devices[{i}].config");
            let RawUserDevice { identifier, config } = device;
            let key = UserDeviceKey {
                protocol: identifier.protocol,
                identifier: identifier.identifier,
                address: identifier.address,
            };
            let features = match self.resolve(&key.protocol, key.identifier.as_deref()) {
                Some((_, base_config)) => check_feature_overrides(
                    config.features,
                    &base_config.template,
                    &path,
                    source,
                    &mut warnings,
                )?,
                None => {
                    warnings.push(ConfigWarning::new(
                        source,
                        format!("user_configs.devices[{i}].identifier.protocol"),
                        format!(
                            "protocol `{}` has no configuration for this device in the database; \
                             only allow/deny/index/name/gap settings are used",
                            key.protocol
                        ),
                    ));
                    config.features
                }
            };
            let custom = config.user_config;
            let limits = OutputLimits::new(custom.max_level, custom.max_ramp).map_err(|e| {
                let field = match e {
                    super::LimitError::MaxRamp(_) => "max_ramp",
                    _ => "max_level",
                };
                ConfigError::invalid(source, format!("{path}.user_config.{field}"), e.to_string())
            })?;
            let settings = UserDeviceSettings {
                limits,
                allow: custom.allow,
                deny: custom.deny,
                index: custom.index,
                display_name: custom.display_name,
                message_gap: custom
                    .message_gap_ms
                    .map(|ms| Duration::from_millis(u64::from(ms))),
            };
            self.user.devices.insert(
                key,
                UserDeviceEntry {
                    settings,
                    id: config.id,
                    base_id: config.base_id,
                    name: config.name,
                    features,
                },
            );
        }

        for s in user.simulated_devices.unwrap_or_default() {
            let device = SimulatedDevice {
                identifier: s.identifier,
                display_name: s.display_name,
                address: s.address,
            };
            if !self.user.simulated.contains(&device) {
                self.user.simulated.push(device);
            }
        }
        self.warnings.extend(warnings);
        Ok(())
    }
}

/// Accept format major versions 4 and 5.
fn check_version(v: RawVersion, source: &str) -> Result<DatabaseVersion, ConfigError> {
    if SUPPORTED_MAJOR.contains(&v.major) {
        Ok(DatabaseVersion {
            major: v.major,
            minor: v.minor,
        })
    } else {
        Err(ConfigError::UnsupportedVersion {
            source_name: source.to_string(),
            major: v.major,
            minor: v.minor,
        })
    }
}

/// The defaults and configurations of a base protocol entry (its `communication` is not read
/// here). `path` is the protocol's JSON path (`protocols.<name>`).
fn build_protocol_devices(
    name: &str,
    protocol: RawProtocol,
    path: &str,
    source: &str,
) -> Result<ProtocolDevices, ConfigError> {
    let defaults = match protocol.defaults {
        Some(d) => {
            let dpath = format!("{path}.defaults");
            if d.identifier.is_some() {
                return Err(ConfigError::invalid(
                    source,
                    format!("{dpath}.identifier"),
                    "defaults apply to every identifier and cannot list identifiers",
                ));
            }
            Some(Config {
                identifiers: Vec::new(),
                template: build_template(d, None, name, &dpath, source)?,
            })
        }
        None => None,
    };
    let mut configs = ConfigSet::default();
    for (i, c) in protocol.configurations.into_iter().enumerate() {
        let cpath = format!("{path}.configurations[{i}]");
        configs.push(build_configuration(
            c,
            defaults.as_ref(),
            name,
            &cpath,
            source,
        )?);
    }
    Ok(ProtocolDevices { defaults, configs })
}

/// The known specifiers of a `communication` list; unknown transports become warnings.
fn known_specifiers(
    entries: Option<Vec<SpecifierEntry>>,
    path: &str,
    source: &str,
    warnings: &mut Vec<ConfigWarning>,
) -> Vec<CommunicationSpecifier> {
    let entries = entries.unwrap_or_default();
    // Exact capacity: the built-in database keeps one of these per protocol for good.
    let mut out = Vec::with_capacity(entries.len());
    for (i, entry) in entries.into_iter().enumerate() {
        match entry {
            SpecifierEntry::Known(s) => out.push(s),
            SpecifierEntry::Unknown(name) => warnings.push(ConfigWarning::new(
                source,
                format!("{path}[{i}].{name}"),
                format!("transport `{name}` is not known to this version; specifier skipped"),
            )),
        }
    }
    out
}

/// A configuration: its identifier list (required, non-empty) and its definition, inheriting
/// from the protocol's defaults.
fn build_configuration(
    mut raw: RawDevice,
    defaults: Option<&Config>,
    protocol: &str,
    path: &str,
    source: &str,
) -> Result<Config, ConfigError> {
    let identifiers = match raw.identifier.take() {
        Some(ids) if !ids.is_empty() => ids,
        _ => {
            return Err(ConfigError::invalid(
                source,
                format!("{path}.identifier"),
                "a configuration needs a non-empty identifier list",
            ));
        }
    };
    let template = build_template(raw, defaults.map(|d| &d.template), protocol, path, source)?;
    Ok(Config {
        identifiers,
        template,
    })
}

/// The definition of a device entry: `protocol_variant`, `message_gap_ms` and `features` come
/// from `inherit` (the protocol's defaults) when the entry omits them.
fn build_template(
    raw: RawDevice,
    inherit: Option<&DeviceDefinition>,
    protocol: &str,
    path: &str,
    source: &str,
) -> Result<DeviceDefinition, ConfigError> {
    let features = match raw.features {
        Some(features) => convert_features(features, path, source)?,
        None => inherit.map(|d| d.features.clone()).unwrap_or_default(),
    };
    Ok(DeviceDefinition {
        protocol: protocol.to_string(),
        identifier: None,
        id: raw.id,
        name: raw.name,
        display_name: None,
        protocol_variant: raw
            .protocol_variant
            .or_else(|| inherit.and_then(|d| d.protocol_variant.clone())),
        message_gap_ms: raw
            .message_gap_ms
            .or_else(|| inherit.and_then(|d| d.message_gap_ms)),
        features,
    })
}

/// Base features to definitions, checked: ranges ordered, `duration` only on
/// `hw_position_with_duration`, indexes unique. Sorted by index. Features with neither outputs nor
/// inputs are kept.
fn convert_features(
    features: Vec<RawFeature>,
    path: &str,
    source: &str,
) -> Result<Vec<FeatureDefinition>, ConfigError> {
    let mut out: Vec<FeatureDefinition> = Vec::with_capacity(features.len());
    for (j, f) in features.into_iter().enumerate() {
        let mut outputs = Vec::new();
        if let Some(raw) = &f.output {
            for (t, o) in raw.entries() {
                let opath = || format!("{path}.features[{j}].output.{}", t.config_name());
                check_ordered(o.value, || format!("{}.value", opath()), source)?;
                if let Some(d) = o.duration {
                    if t != OutputType::HwPositionWithDuration {
                        return Err(ConfigError::invalid(
                            source,
                            format!("{}.duration", opath()),
                            "only hw_position_with_duration outputs have a duration range",
                        ));
                    }
                    check_ordered(d, || format!("{}.duration", opath()), source)?;
                }
                let mut def = OutputDefinition::new(t, o.value);
                def.duration = o.duration;
                outputs.push(def);
            }
        }
        let mut inputs = Vec::new();
        if let Some(raw) = &f.input {
            for (t, i) in raw.entries() {
                for (k, r) in i.value.iter().enumerate() {
                    check_ordered(
                        *r,
                        || format!("{path}.features[{j}].input.{}.value[{k}]", t.config_name()),
                        source,
                    )?;
                }
                inputs.push(InputDefinition {
                    input_type: t,
                    value: i.value.clone(),
                    commands: i.command.clone(),
                });
            }
        }
        if out.iter().any(|o| o.index == f.index) {
            return Err(ConfigError::invalid(
                source,
                format!("{path}.features[{j}].index"),
                format!("feature index {} appears twice in this device", f.index),
            ));
        }
        out.push(FeatureDefinition {
            index: f.index,
            id: f.id,
            description: f.description.unwrap_or_default(),
            outputs,
            inputs,
            alt_protocol_index: f.feature_settings.and_then(|s| s.alt_protocol_index),
        });
    }
    out.sort_by_key(|f| f.index);
    Ok(out)
}

/// A range must not start above its end.
fn check_ordered(
    r: StepRange,
    path: impl FnOnce() -> String,
    source: &str,
) -> Result<(), ConfigError> {
    if r.start <= r.end {
        Ok(())
    } else {
        Err(ConfigError::invalid(
            source,
            path(),
            format!("range [{}, {}] starts above its end", r.start, r.end),
        ))
    }
}

/// A user range must lie inside the non-negative part of the base range: `[max(0, base.start),
/// base.end]` (SPEC-NOTES §4.3; for a signed base such as rotate `[-20, 20]` that is `[0, 20]`).
fn check_user_range(
    user: StepRange,
    base: StepRange,
    what: &str,
    path: String,
    device: &str,
    source: &str,
) -> Result<(), ConfigError> {
    let (lo, hi) = (base.start.max(0), base.end);
    if user.start > user.end {
        return Err(ConfigError::invalid(
            source,
            path,
            format!(
                "user {what} [{}, {}] starts above its end",
                user.start, user.end
            ),
        ));
    }
    if user.start < lo || user.end > hi {
        return Err(ConfigError::invalid(
            source,
            path,
            format!(
                "user {what} [{}, {}] is outside [{lo}, {hi}], the allowed part of the base {what} [{}, {}] of {device}",
                user.start, user.end, base.start, base.end
            ),
        ));
    }
    Ok(())
}

/// Check a user entry's feature overrides against the device's configuration. Overrides for
/// features or outputs the configuration does not have are dropped with a warning; values that
/// are not allowed are errors.
fn check_feature_overrides(
    features: Vec<RawUserFeature>,
    base: &DeviceDefinition,
    path: &str,
    source: &str,
    warnings: &mut Vec<ConfigWarning>,
) -> Result<Vec<RawUserFeature>, ConfigError> {
    let mut kept = Vec::with_capacity(features.len());
    for (j, feature) in features.into_iter().enumerate() {
        let fpath = format!("{path}.features[{j}]");
        let targets: Vec<&FeatureDefinition> = base
            .features
            .iter()
            .filter(|f| f.id == feature.base_id)
            .collect();
        if targets.is_empty() {
            warnings.push(ConfigWarning::new(
                source,
                format!("{fpath}.base_id"),
                format!(
                    "{} ({}) has no feature {}; override skipped",
                    base.name, base.id, feature.base_id
                ),
            ));
            continue;
        }
        if let Some(outputs) = &feature.output {
            for (t, o) in outputs.entries() {
                let opath = format!("{fpath}.output.{}", t.config_name());
                let position =
                    matches!(t, OutputType::Position | OutputType::HwPositionWithDuration);
                if o.reverse.is_some() && !position {
                    return Err(ConfigError::invalid(
                        source,
                        format!("{opath}.reverse"),
                        "reverse applies only to position and hw_position_with_duration outputs",
                    ));
                }
                check_output_limits(o, t, &opath, source)?;
                if o.duration.is_some() && t != OutputType::HwPositionWithDuration {
                    return Err(ConfigError::invalid(
                        source,
                        format!("{opath}.duration"),
                        "a duration range applies only to hw_position_with_duration outputs",
                    ));
                }
                for target in &targets {
                    let device = format!("feature {} of {}", target.index, base.name);
                    let Some(base_out) = target.output(t) else {
                        warnings.push(ConfigWarning::new(
                            source,
                            opath.clone(),
                            format!("{device} has no {t} output; override ignored"),
                        ));
                        continue;
                    };
                    if let Some(v) = o.value {
                        check_user_range(
                            v,
                            base_out.value,
                            "range",
                            format!("{opath}.value"),
                            &device,
                            source,
                        )?;
                    }
                    if let Some(d) = o.duration {
                        match base_out.duration {
                            Some(base_d) => check_user_range(
                                d,
                                base_d,
                                "duration range",
                                format!("{opath}.duration"),
                                &device,
                                source,
                            )?,
                            None => {
                                return Err(ConfigError::invalid(
                                    source,
                                    format!("{opath}.duration"),
                                    format!("{device} has no base duration range to narrow"),
                                ));
                            }
                        }
                    }
                }
            }
        }
        kept.push(feature);
    }
    Ok(kept)
}

/// Check the safety limits of one output override: valid values, and only on outputs with a
/// stop value.
fn check_output_limits(
    o: &RawUserOutput,
    t: OutputType,
    opath: &str,
    source: &str,
) -> Result<(), ConfigError> {
    for (field, set) in [("max_level", o.max_level), ("max_ramp", o.max_ramp)] {
        if set.is_some() && !t.has_stop_value() {
            return Err(ConfigError::invalid(
                source,
                format!("{opath}.{field}"),
                format!("{field} applies only to outputs with a stop value, not to {t}"),
            ));
        }
    }
    OutputLimits::new(o.max_level, o.max_ramp).map_err(|e| {
        let field = match e {
            super::LimitError::MaxRamp(_) => "max_ramp",
            _ => "max_level",
        };
        ConfigError::invalid(source, format!("{opath}.{field}"), e.to_string())
    })?;
    Ok(())
}

/// Merge a user entry into a definition.
fn apply_user_entry(def: &mut DeviceDefinition, entry: &UserDeviceEntry) {
    def.display_name = entry.settings.display_name.clone();
    if let Some(ms) = entry.settings.message_gap_ms() {
        def.message_gap_ms = Some(ms);
    }
    for feature in &mut def.features {
        for user in entry.features.iter().filter(|u| u.base_id == feature.id) {
            let Some(outputs) = &user.output else {
                continue;
            };
            for (t, o) in outputs.entries() {
                if let Some(out) = feature.outputs.iter_mut().find(|x| x.output_type == t) {
                    out.user_range = o.value;
                    out.disabled = o.disabled;
                    out.reverse = o.reverse.unwrap_or(false);
                    if o.duration.is_some() {
                        out.duration = o.duration;
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::DeviceDatabase;

    /// The deferred built-in database gives what the eager load gives, for every device.
    #[test]
    fn deferred_equals_eager() -> Result<(), Box<dyn std::error::Error>> {
        let eager = DeviceDatabase::load_builtin()?;
        let deferred = DeviceDatabase::load_builtin_deferred()?;
        assert_eq!(deferred.protocol_ids(), eager.protocol_ids());
        for id in eager.protocol_ids() {
            assert_eq!(
                deferred.protocol_specifiers(id),
                eager.protocol_specifiers(id)
            );
        }
        for filter in [
            "",
            "Lovense Hush",
            "hush",
            "LOVENSE",
            "btle",
            "é",
            "k",
            "zzz",
        ] {
            // A fresh deferred database per filter: nothing parsed by an earlier search.
            let fresh = DeviceDatabase::load_builtin_deferred()?;
            assert_eq!(fresh.search(filter), eager.search(filter), "{filter}");
        }
        assert_eq!(deferred.search(""), eager.search(""));
        assert_eq!(
            deferred.definition("lovense", Some("Z"), "a"),
            eager.definition("lovense", Some("Z"), "a")
        );
        assert!(deferred.warnings().is_empty() && eager.warnings().is_empty());
        Ok(())
    }

    /// Nothing but the communication specifiers is parsed until a device is looked up.
    #[test]
    fn devices_are_parsed_on_first_lookup() -> Result<(), Box<dyn std::error::Error>> {
        let db = DeviceDatabase::load_builtin_deferred()?;
        assert!(db.base.values().all(|p| p.devices.get().is_none()));
        let hush = db.definition("lovense", Some("Z"), "a").ok_or("no hush")?;
        assert_eq!(hush.name, "Lovense Hush");
        let parsed: Vec<&String> = db
            .base
            .iter()
            .filter(|(_, p)| p.devices.get().is_some())
            .map(|(id, _)| id)
            .collect();
        assert_eq!(parsed, ["lovense"]);
        // Searching by name parses only protocols whose text contains the name.
        let found = db.search("Lovense Hush");
        assert!(found.iter().any(|s| s.name == "Lovense Hush"));
        let parsed = db.base.values().filter(|p| p.devices.get().is_some());
        assert!(parsed.count() < 10);
        Ok(())
    }
}

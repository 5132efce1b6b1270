//! The user device config file, read at start and written back when a new device is seen, so
//! that a device keeps its index across restarts (what intiface-engine persists: newly seen
//! devices and their reserved indexes).
//!
//! - **Nothing of the user's is lost.** The file is kept as the JSON document the user wrote; a
//!   new device only appends one entry to `user_configs.devices`. Entries this database skipped
//!   (a protocol it does not know, a newer transport) are written back as they were read; only
//!   the layout changes (two-space indent, keys in alphabetical order).
//! - **Atomic.** The new text goes to a temporary file in the same directory, which is flushed
//!   to disk (`fsync`) and renamed over the old file; then the directory is flushed, so the rename
//!   itself survives a power cut. A crash at any point leaves either the old or the new file,
//!   never a mix; a stale temporary file is overwritten by the next write.
//! - **Off the async threads.** [`UserConfigFile::device_seen`] updates the document in memory
//!   and writes it on the blocking pool; [`UserConfigFile::save`] writes synchronously (call it at
//!   shutdown to be sure the last change is on disk).
//!
//! Give the file to [`crate::DeviceManagerBuilder::user_config_file`].

use crate::rt;
use crate::sync::lock;
use buttplug_devices::config::{ConfigError, DeviceDatabase, OutputLimits, UserDeviceSettings};
use serde_json::{Map, Value};
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// Errors of reading or writing the user device config file.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum UserConfigError {
    /// The file exists but cannot be read.
    #[error("{path}: cannot read the user device config: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The file does not load (not JSON, not the format, a value out of range): the error names
    /// the line, column and JSON path.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The file cannot be written.
    #[error("{path}: cannot write the user device config: {source}")]
    Write {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
}

/// What is kept in memory: the document as read (plus appended entries), and a database with the
/// user layer, used to make new entries in the file's format.
#[derive(Debug)]
struct State {
    document: Value,
    database: DeviceDatabase,
    /// Bumped by every change of `document`.
    generation: u64,
}

/// A user device config file that is written back when new devices are seen.
#[derive(Debug)]
pub struct UserConfigFile {
    path: PathBuf,
    state: Mutex<State>,
    /// Held while writing; the generation on disk.
    written: Mutex<u64>,
}

impl UserConfigFile {
    /// Read `path` and apply it to `base`. A missing file is a first run: an empty user config,
    /// and the file is created at the first write (its directory must exist). Returns the file
    /// and the database with the user config applied.
    ///
    /// # Errors
    /// [`UserConfigError::Read`] when the file exists but cannot be read, and
    /// [`UserConfigError::Config`] when it does not load: a server should refuse to start rather
    /// than run without the user's deny list, ranges and indexes (and then overwrite them).
    pub fn load(
        path: impl Into<PathBuf>,
        base: &DeviceDatabase,
    ) -> Result<(Arc<UserConfigFile>, DeviceDatabase), UserConfigError> {
        let path = path.into();
        let (document, database) = match std::fs::read_to_string(&path) {
            Ok(text) => {
                let database = base.with_user_config(&text, &path.display().to_string())?;
                // The text just loaded, so it is JSON.
                let document = serde_json::from_str(&text).unwrap_or(Value::Null);
                (document, database)
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let v = base.version();
                let document = serde_json::json!({
                    "version": {"major": v.major, "minor": v.minor},
                    "user_configs": {"devices": []},
                });
                (document, base.clone())
            }
            Err(source) => return Err(UserConfigError::Read { path, source }),
        };
        let file = UserConfigFile {
            path,
            state: Mutex::new(State {
                document,
                database: database.clone(),
                generation: 0,
            }),
            written: Mutex::new(0),
        };
        Ok((Arc::new(file), database))
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// A device got an index that no user entry reserved: add an entry for it (the index, plus
    /// the ids and one feature entry per base feature, as intiface-engine writes them) and write
    /// the file on the blocking pool. Returns whether an entry was added (`false` when the file
    /// already has an entry for the device that the database did not use: the user's entry is
    /// left as it is).
    pub fn device_seen(
        self: &Arc<Self>,
        address: &str,
        protocol: &str,
        identifier: Option<&str>,
        index: u32,
    ) -> bool {
        if !self.remember(address, protocol, identifier, index) {
            return false;
        }
        let file = self.clone();
        drop(rt::spawn_blocking(move || {
            if let Err(e) = file.save() {
                tracing::error!("{e}");
            }
        }));
        true
    }

    /// The in-memory half of [`UserConfigFile::device_seen`].
    fn remember(
        &self,
        address: &str,
        protocol: &str,
        identifier: Option<&str>,
        index: u32,
    ) -> bool {
        let key = identity(address, protocol, identifier);
        let mut guard = lock(&self.state);
        let state = &mut *guard;
        if devices(&mut state.document)
            .iter()
            .any(|d| d.get("identifier") == Some(&key))
        {
            tracing::warn!(
                file = %self.path.display(),
                %address,
                "the user config has an entry for this device that was not used; left as it is"
            );
            return false;
        }
        state.database.set_user_device(
            address,
            protocol,
            identifier,
            UserDeviceSettings::new(index),
        );
        // The database writes entries in the file's format; take this device's entry from it.
        let exported: Value =
            serde_json::from_str(&state.database.to_user_config_json()).unwrap_or(Value::Null);
        let Some(entry) = exported
            .pointer("/user_configs/devices")
            .and_then(Value::as_array)
            .and_then(|all| all.iter().find(|d| d.get("identifier") == Some(&key)))
        else {
            return false;
        };
        devices(&mut state.document).push(entry.clone());
        state.generation += 1;
        true
    }

    /// Set the safety limits of a device as a whole (its entry's `user_config.max_level` and
    /// `max_ramp`; a limit that is `None` is removed), adding an entry for the device (with
    /// `index`) when the file has none, and write the file on the blocking pool; the returned
    /// future ends when the file is written. Per-output limits of the entry's features are left
    /// as they are (they still win for their output).
    ///
    /// # Errors
    /// [`UserConfigError::Write`]; the change is then kept in memory only (and written with the
    /// next successful save).
    pub async fn set_device_limits(
        self: &Arc<Self>,
        address: &str,
        protocol: &str,
        identifier: Option<&str>,
        index: u32,
        limits: OutputLimits,
    ) -> Result<(), UserConfigError> {
        self.remember_limits(address, protocol, identifier, index, limits);
        let file = self.clone();
        rt::spawn_blocking(move || file.save()).await
    }

    /// The in-memory half of [`UserConfigFile::set_device_limits`].
    fn remember_limits(
        &self,
        address: &str,
        protocol: &str,
        identifier: Option<&str>,
        index: u32,
        limits: OutputLimits,
    ) {
        let key = identity(address, protocol, identifier);
        let has_entry = devices(&mut lock(&self.state).document)
            .iter()
            .any(|d| d.get("identifier") == Some(&key));
        if !has_entry {
            self.remember(address, protocol, identifier, index);
        }
        let mut guard = lock(&self.state);
        let state = &mut *guard;
        let Some(entry) = devices(&mut state.document)
            .iter_mut()
            .find(|d| d.get("identifier") == Some(&key))
        else {
            return;
        };
        let config = object(object(entry).entry("config").or_insert(Value::Null))
            .entry("user_config")
            .or_insert(Value::Null);
        let config = object(config);
        config.entry("index").or_insert(index.into());
        for (name, value) in [
            ("max_level", limits.max_level()),
            ("max_ramp", limits.max_ramp()),
        ] {
            match value {
                Some(v) => {
                    config.insert(name.into(), v.into());
                }
                None => {
                    config.remove(name);
                }
            }
        }
        let mut settings = state
            .database
            .user_device(address, protocol, identifier)
            .cloned()
            .unwrap_or_else(|| UserDeviceSettings::new(index));
        settings.limits = limits;
        state
            .database
            .set_user_device(address, protocol, identifier, settings);
        state.generation += 1;
    }

    /// Write the file now if it changed since the last write (atomically, see the module docs).
    ///
    /// # Errors
    /// [`UserConfigError::Write`]; the old file is then left as it was.
    pub fn save(&self) -> Result<(), UserConfigError> {
        self.save_with(&mut || {})
    }

    fn save_with(&self, crash_point: &mut dyn FnMut()) -> Result<(), UserConfigError> {
        let mut written = lock(&self.written);
        let (text, generation) = {
            let state = lock(&self.state);
            if state.generation == *written {
                return Ok(());
            }
            let text = serde_json::to_string_pretty(&state.document).map_err(|e| {
                UserConfigError::Write {
                    path: self.path.clone(),
                    source: e.into(),
                }
            })?;
            (text, state.generation)
        };
        write_atomically(&self.path, text.as_bytes(), crash_point).map_err(|source| {
            UserConfigError::Write {
                path: self.path.clone(),
                source,
            }
        })?;
        *written = generation;
        tracing::info!(file = %self.path.display(), "user device config saved");
        Ok(())
    }
}

/// The `identifier` object of a device entry.
fn identity(address: &str, protocol: &str, identifier: Option<&str>) -> Value {
    let mut key = Map::new();
    key.insert("protocol".into(), protocol.into());
    if let Some(id) = identifier {
        key.insert("identifier".into(), id.into());
    }
    key.insert("address".into(), address.into());
    Value::Object(key)
}

/// `user_configs.devices` of a document, created if missing or `null` (the only other shape a
/// document that loaded can have there).
fn devices(document: &mut Value) -> &mut Vec<Value> {
    let configs = object(document)
        .entry("user_configs")
        .or_insert(Value::Null);
    array(object(configs).entry("devices").or_insert(Value::Null))
}

/// `value` as an object, replacing anything else with an empty one.
fn object(value: &mut Value) -> &mut Map<String, Value> {
    match value {
        Value::Object(o) => o,
        other => {
            *other = Value::Object(Map::new());
            object(other)
        }
    }
}

/// `value` as an array, replacing anything else with an empty one.
fn array(value: &mut Value) -> &mut Vec<Value> {
    match value {
        Value::Array(a) => a,
        other => {
            *other = Value::Array(Vec::new());
            array(other)
        }
    }
}

/// Replace `path` with `bytes`: write a temporary file next to it, flush it, rename it over
/// `path`, flush the directory. A symlink at `path` is followed (its target is replaced).
/// `crash_point` runs when half the temporary file is written (tests crash there).
fn write_atomically(
    path: &Path,
    bytes: &[u8],
    crash_point: &mut dyn FnMut(),
) -> std::io::Result<()> {
    let target = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    let name = target
        .file_name()
        .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::InvalidInput, "not a file name"))?;
    let dir = match target.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let mut tmp_name = std::ffi::OsString::from(".");
    tmp_name.push(name);
    tmp_name.push(".tmp");
    let tmp = dir.join(tmp_name);
    let result = (|| {
        let mut file = OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .open(&tmp)?;
        if let Ok(meta) = std::fs::metadata(&target) {
            // Keep the user's permissions on the new file.
            file.set_permissions(meta.permissions())?;
        }
        let (first, rest) = bytes.split_at(bytes.len() / 2);
        file.write_all(first)?;
        crash_point();
        file.write_all(rest)?;
        file.sync_all()?;
        drop(file);
        std::fs::rename(&tmp, &target)
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(e);
    }
    sync_dir(&dir)
}

#[cfg(unix)]
fn sync_dir(dir: &Path) -> std::io::Result<()> {
    File::open(dir)?.sync_all()
}

#[cfg(not(unix))]
fn sync_dir(_dir: &Path) -> std::io::Result<()> {
    // Windows has no directory handles to flush; the rename is as durable as it gets there.
    let _ = File::open;
    Ok(())
}

#[cfg(all(test, feature = "simulated"))]
#[allow(clippy::unwrap_used, clippy::expect_used)] // a panic is how a test fails
mod tests {
    use super::*;
    use crate::DeviceManagerBuilder;
    use crate::managers::simulated::{SimulatedCommunicationManagerBuilder, SimulatedDevice};
    use std::time::{Duration, Instant};

    /// A fresh directory for one test, removed when it drops.
    fn dir(name: &str) -> tempfile::TempDir {
        tempfile::Builder::new()
            .prefix(&format!("buttplug-user-config-{name}-"))
            .tempdir()
            .unwrap()
    }

    /// A user file with the user's own entries: a denied Lovense with a display name and a
    /// reserved index 5, an added BLE name, an entry for a protocol this database does not know
    /// (skipped on load, must survive the rewrite), and a simulated device.
    fn users_file() -> String {
        let mut db = DeviceDatabase::builtin().clone();
        db.set_user_device(
            "DE:NY:00:00:00:01",
            "lovense",
            Some("Z"),
            UserDeviceSettings::new(5).deny(true).display_name("Desk"),
        );
        let mut doc: Value = serde_json::from_str(&db.to_user_config_json()).unwrap();
        let configs = doc["user_configs"].as_object_mut().unwrap();
        configs["protocols"] = serde_json::json!({
            "lovense": {"communication": [{"btle": {"names": ["LVS-Custom"], "services": {}}}]}
        });
        configs["devices"]
            .as_array_mut()
            .unwrap()
            .push(serde_json::json!({
                "identifier": {"protocol": "from-a-newer-database", "address": "NE:WE:R0:00:00:01"},
                "config": {"id": "x", "base_id": "y", "features": [],
                           "user_config": {"allow": false, "deny": true, "index": 9}}
            }));
        configs.insert(
            "simulated_devices".into(),
            serde_json::json!([{"identifier": "simulated-1vibe", "address": "sim-1"}]),
        );
        serde_json::to_string_pretty(&doc).unwrap()
    }

    fn hush(address: &str) -> SimulatedDevice {
        let plan =
            buttplug_devices::simulated_device(DeviceDatabase::builtin(), "Lovense Hush", address)
                .unwrap();
        SimulatedDevice {
            hardware: plan.hardware,
            specifier: plan.specifier,
        }
    }

    /// Serve `devices` over the user config at `path` until each is added; their indexes.
    fn run_server(path: &Path, addresses: &[&str]) -> Vec<(String, u32)> {
        let (file, db) = UserConfigFile::load(path, DeviceDatabase::builtin()).unwrap();
        rt::block_on(async {
            let mut sim = SimulatedCommunicationManagerBuilder::new();
            for a in addresses {
                sim = sim.device(hush(a));
            }
            let manager = DeviceManagerBuilder::new(Arc::new(db))
                .comm_manager(sim)
                .user_config_file(file.clone())
                .finish()
                .unwrap();
            manager.start_scanning().await.unwrap();
            let deadline = Instant::now() + Duration::from_secs(10);
            while manager.devices().len() < addresses.len() {
                assert!(Instant::now() < deadline, "devices not added");
                rt::sleep(Duration::from_millis(5)).await;
            }
            let found = manager
                .devices()
                .iter()
                .map(|d| (d.address().to_string(), d.index()))
                .collect();
            manager.shutdown().await;
            file.save().unwrap();
            found
        })
    }

    #[test]
    fn a_new_device_keeps_its_index_after_a_restart_and_the_users_entries_survive() {
        let d = dir("restart");
        let path = d.path().join("user.json");
        let original = users_file();
        std::fs::write(&path, &original).unwrap();

        // First run: a new Hush gets the lowest index no user entry reserves (0).
        assert_eq!(
            run_server(&path, &["AA:00:00:00:00:01"]),
            vec![("AA:00:00:00:00:01".to_string(), 0)]
        );
        let saved: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let before: Value = serde_json::from_str(&original).unwrap();
        // Everything the user wrote is still there, unchanged; exactly one entry was added.
        assert_eq!(saved["version"], before["version"]);
        for key in ["protocols", "simulated_devices"] {
            assert_eq!(
                saved["user_configs"][key], before["user_configs"][key],
                "{key}"
            );
        }
        let old = before["user_configs"]["devices"].as_array().unwrap();
        let new = saved["user_configs"]["devices"].as_array().unwrap();
        assert_eq!(&new[..old.len()], &old[..]);
        assert_eq!(new.len(), old.len() + 1);
        assert_eq!(
            new[old.len()]["identifier"],
            serde_json::json!({"protocol": "lovense", "identifier": "Z", "address": "AA:00:00:00:00:01"})
        );
        let reloaded = DeviceDatabase::builtin()
            .with_user_config(&std::fs::read_to_string(&path).unwrap(), "user.json")
            .unwrap();
        let denied = reloaded
            .user_device("DE:NY:00:00:00:01", "lovense", Some("Z"))
            .unwrap();
        assert!(denied.deny);
        assert_eq!(denied.display_name.as_deref(), Some("Desk"));
        assert_eq!(reloaded.simulated_devices().len(), 1);

        // Second run: another Hush comes first. Index 0 stays reserved for the first one.
        assert_eq!(
            run_server(&path, &["BB:00:00:00:00:02"]),
            vec![("BB:00:00:00:00:02".to_string(), 1)]
        );
        assert_eq!(
            run_server(&path, &["AA:00:00:00:00:01", "BB:00:00:00:00:02"]),
            vec![
                ("AA:00:00:00:00:01".to_string(), 0),
                ("BB:00:00:00:00:02".to_string(), 1)
            ]
        );
    }

    #[test]
    fn a_missing_file_is_created_at_the_first_device() {
        let d = dir("missing");
        let path = d.path().join("user.json");
        assert_eq!(
            run_server(&path, &["AA:00:00:00:00:01"]),
            vec![("AA:00:00:00:00:01".to_string(), 0)]
        );
        let reloaded = DeviceDatabase::builtin()
            .with_user_config(&std::fs::read_to_string(&path).unwrap(), "user.json")
            .unwrap();
        assert_eq!(
            reloaded
                .user_device("AA:00:00:00:00:01", "lovense", Some("Z"))
                .map(|u| u.index),
            Some(0)
        );
    }

    /// Set in the child process of the crash test: the directory of its user file.
    const CRASH_DIR: &str = "BUTTPLUG_TEST_USER_CONFIG_CRASH_DIR";

    #[test]
    fn a_crash_in_the_middle_of_a_write_leaves_the_old_file() {
        if let Some(d) = std::env::var_os(CRASH_DIR) {
            // The child: start writing a new device, and die (no unwinding, no cleanup) with
            // half of the new text in the temporary file.
            let (file, _) = UserConfigFile::load(
                PathBuf::from(d).join("user.json"),
                DeviceDatabase::builtin(),
            )
            .unwrap();
            assert!(file.remember("CC:00:00:00:00:03", "lovense", Some("Z"), 0));
            let _ = file.save_with(&mut || std::process::abort());
            unreachable!("the crash point aborts");
        }
        let d = dir("crash");
        let path = d.path().join("user.json");
        let original = users_file();
        std::fs::write(&path, &original).unwrap();
        let status = std::process::Command::new(std::env::current_exe().unwrap())
            .args([
                "user_config::tests::a_crash_in_the_middle_of_a_write_leaves_the_old_file",
                "--exact",
                "--test-threads=1",
            ])
            .env(CRASH_DIR, d.path())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()
            .unwrap();
        assert!(!status.success(), "the child did not crash: {status:?}");
        // The crash left the old file as it was (it loads, below) ...
        assert_eq!(std::fs::read_to_string(&path).unwrap(), original);
        // ... and a partly written temporary file.
        let tmp = std::fs::read_to_string(d.path().join(".user.json.tmp")).unwrap();
        assert!(!tmp.is_empty());
        assert!(serde_json::from_str::<Value>(&tmp).is_err(), "{tmp}");
        let (file, db) = UserConfigFile::load(&path, DeviceDatabase::builtin()).unwrap();
        assert!(
            db.user_device("DE:NY:00:00:00:01", "lovense", Some("Z"))
                .is_some()
        );
        // The next write goes through, over the stale temporary file.
        assert!(file.remember("CC:00:00:00:00:03", "lovense", Some("Z"), 0));
        file.save().unwrap();
        assert!(!d.path().join(".user.json.tmp").exists());
        let reloaded = DeviceDatabase::builtin()
            .with_user_config(&std::fs::read_to_string(&path).unwrap(), "user.json")
            .unwrap();
        assert_eq!(
            reloaded
                .user_device("CC:00:00:00:00:03", "lovense", Some("Z"))
                .map(|u| u.index),
            Some(0)
        );
    }

    #[test]
    fn a_file_that_does_not_load_is_an_error_with_its_place() {
        let d = dir("bad");
        let path = d.path().join("user.json");
        std::fs::write(
            &path,
            "{\"version\": {\"major\": 5, \"minor\": 0},\n \"user_configs\": {\"devicez\": []}}",
        )
        .unwrap();
        let err = UserConfigFile::load(&path, DeviceDatabase::builtin()).unwrap_err();
        let text = err.to_string();
        assert!(
            text.starts_with(&format!("{}:2:", path.display())),
            "{text}"
        );
        assert!(text.contains("unknown field `devicez`, expected"), "{text}");
    }
}

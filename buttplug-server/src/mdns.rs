//! mDNS (DNS-SD) advertisement of the server, as intiface-engine does it, so apps on the LAN
//! find it without being told the address.
//!
//! - Service type `_intiface_engine._tcp` ([`SERVICE_TYPE`]).
//! - Instance name `Intiface <R>` or `Intiface <R> <suffix>`: `<R>` is 6 random ASCII letters
//!   or digits drawn once per advertisement, the suffix is used as given and ignored when blank.
//! - One TXT string, `path=/`; the port is the one given, which must be the **bound** port
//!   (so port 0 works: pass what the listener reports).
//! - Host `<system host name>.local.`; addresses are those of the interfaces the engine would use:
//!   loopback interfaces and those named like mobile-data links (`rmnet`, `ccmni`, `pdp_ip`,
//!   `wwan`, `clat`, `v4-`) are skipped.
//!
//! The responder (mdns-sd) runs on its own thread; dropping the [`MdnsAdvertisement`] (or
//! [`MdnsAdvertisement::stop`]) withdraws the service and ends the thread.
//!
//! # Example
//!
//! ```no_run
//! // After binding the Buttplug WebSocket server on `addr`:
//! # let addr: std::net::SocketAddr = "127.0.0.1:12345".parse()?;
//! let ad = buttplug_server::mdns::advertise(addr.port(), Some("den"))?;
//! println!("advertised as {:?} on port {}", ad.instance_name(), ad.port());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use mdns_sd::{IfKind, IfPredicate, ServiceDaemon, ServiceInfo};
use std::hash::{BuildHasher, Hasher};

/// The DNS-SD service type, without the domain.
pub const SERVICE_TYPE: &str = "_intiface_engine._tcp";

/// The TXT record strings.
pub const TXT_RECORDS: [&str; 1] = ["path=/"];

/// Interface name prefixes (lowercase) that are never advertised on, as in the engine.
const SKIPPED_INTERFACES: [&str; 7] = ["lo", "rmnet", "ccmni", "pdp_ip", "wwan", "clat", "v4-"];

/// Errors of [`advertise`].
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MdnsError {
    /// The responder could not start or refused the service.
    #[error("mDNS responder: {0}")]
    Responder(#[from] mdns_sd::Error),
}

/// A published service; withdrawn when dropped.
pub struct MdnsAdvertisement {
    daemon: ServiceDaemon,
    fullname: String,
    instance_name: String,
    port: u16,
}

impl std::fmt::Debug for MdnsAdvertisement {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MdnsAdvertisement")
            .field("instance_name", &self.instance_name)
            .field("port", &self.port)
            .finish()
    }
}

impl MdnsAdvertisement {
    /// The instance name (`Intiface AbC123 den`).
    pub fn instance_name(&self) -> &str {
        &self.instance_name
    }

    /// The service type ([`SERVICE_TYPE`]).
    pub fn service_type(&self) -> &'static str {
        SERVICE_TYPE
    }

    /// The advertised port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The TXT strings ([`TXT_RECORDS`]).
    pub fn txt_records(&self) -> Vec<String> {
        TXT_RECORDS.iter().map(|s| s.to_string()).collect()
    }

    /// Withdraw the service (goodbye packets) and stop the responder.
    pub fn stop(self) {
        // Drop does it.
    }
}

impl Drop for MdnsAdvertisement {
    fn drop(&mut self) {
        if let Ok(done) = self.daemon.unregister(&self.fullname) {
            // Wait briefly so the goodbye packets leave before the thread stops.
            let _ = done.recv_timeout(std::time::Duration::from_millis(500));
        }
        let _ = self.daemon.shutdown();
    }
}

/// The instance name for a random part and a suffix (blank suffixes are ignored).
pub fn instance_name(random: &str, suffix: Option<&str>) -> String {
    match suffix {
        Some(s) if !s.trim().is_empty() => format!("Intiface {random} {s}"),
        _ => format!("Intiface {random}"),
    }
}

/// 6 random ASCII letters and digits.
fn random_part() -> String {
    const CHARS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos()),
    );
    let mut bits = hasher.finish();
    (0..6)
        .map(|_| {
            let c = CHARS[(bits % CHARS.len() as u64) as usize];
            bits /= CHARS.len() as u64;
            char::from(c)
        })
        .collect()
}

/// The system host name, best effort (`buttplug` when it cannot be found).
fn host_name() -> String {
    let from_file = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .or_else(|_| std::fs::read_to_string("/etc/hostname"))
        .ok();
    let name = from_file
        .or_else(|| std::env::var("COMPUTERNAME").ok())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_default();
    let name: String = name
        .trim()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect();
    if name.is_empty() {
        "buttplug".into()
    } else {
        name
    }
}

/// Advertise a server listening on `port` (the bound port), with an optional instance-name
/// suffix (`--mdns-suffix`).
///
/// # Errors
/// [`MdnsError::Responder`] when the responder cannot start (no usable socket). The engine
/// logs this and runs on without mDNS; so should callers.
pub fn advertise(port: u16, suffix: Option<&str>) -> Result<MdnsAdvertisement, MdnsError> {
    let daemon = ServiceDaemon::new()?;
    daemon.disable_interface(vec![
        IfKind::LoopbackV4,
        IfKind::LoopbackV6,
        IfKind::Predicate(IfPredicate::new(|intf| {
            let name = intf.name.to_lowercase();
            SKIPPED_INTERFACES.iter().any(|p| name.starts_with(p))
        })),
    ])?;
    let instance_name = instance_name(&random_part(), suffix);
    let host = format!("{}.local.", host_name());
    let txt: Vec<(&str, &str)> = vec![("path", "/")];
    let info = ServiceInfo::new(
        &format!("{SERVICE_TYPE}.local."),
        &instance_name,
        &host,
        "",
        port,
        &txt[..],
    )?
    .enable_addr_auto();
    let fullname = info.get_fullname().to_string();
    daemon.register(info)?;
    tracing::info!(%instance_name, port, "mDNS: advertising {SERVICE_TYPE}");
    Ok(MdnsAdvertisement {
        daemon,
        fullname,
        instance_name,
        port,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_the_engine() {
        assert_eq!(instance_name("AbC123", None), "Intiface AbC123");
        assert_eq!(instance_name("AbC123", Some("  ")), "Intiface AbC123");
        assert_eq!(
            instance_name("AbC123", Some("my box")),
            "Intiface AbC123 my box"
        );
        let r = random_part();
        assert_eq!(r.len(), 6);
        assert!(r.chars().all(|c| c.is_ascii_alphanumeric()));
        assert_ne!(random_part(), random_part());
    }
}

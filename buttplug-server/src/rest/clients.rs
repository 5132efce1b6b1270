//! The Buttplug clients connected next to the REST API: a list the host keeps up to date (the
//! REST layer never sees the Buttplug connections itself), shown at `/clients` and announced on
//! `/events`.

use super::events::EventLog;
use serde_json::json;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, Weak};

/// The Buttplug clients connected to a server, as the host reports them with
/// [`Clients::connected`]. Cheap to clone (clones share the list); give a clone to
/// [`RestOptions::clients`](super::RestOptions::clients). Two values are equal when they share
/// the list.
#[derive(Debug, Clone, Default)]
pub struct Clients(Arc<Mutex<ClientsState>>);

#[derive(Debug, Default)]
struct ClientsState {
    next_id: u64,
    connected: BTreeMap<u64, String>,
    /// The event logs of the REST servers that show this list.
    logs: Vec<Weak<EventLog>>,
}

impl PartialEq for Clients {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl Eq for Clients {}

/// One connected client; dropping it takes the client off the list.
#[derive(Debug)]
#[must_use = "dropping the entry takes the client off the list"]
pub struct ClientEntry {
    clients: Clients,
    id: u64,
}

impl ClientEntry {
    /// The client's id in the list (unique for the list's lifetime).
    pub fn id(&self) -> u64 {
        self.id
    }
}

impl Drop for ClientEntry {
    fn drop(&mut self) {
        self.clients.publish_with(|st| {
            st.connected.remove(&self.id);
            json!({"type": "ClientDisconnected", "id": self.id})
        });
    }
}

impl Clients {
    /// An empty list.
    pub fn new() -> Self {
        Clients::default()
    }

    /// A client finished its handshake with this name: on the list until the entry is dropped.
    pub fn connected(&self, name: &str) -> ClientEntry {
        let mut id = 0;
        self.publish_with(|st| {
            st.next_id += 1;
            id = st.next_id;
            st.connected.insert(id, name.to_string());
            json!({"type": "ClientConnected", "id": id, "name": name})
        });
        ClientEntry {
            clients: self.clone(),
            id,
        }
    }

    /// The clients connected now: id and name, oldest first.
    pub fn list(&self) -> Vec<(u64, String)> {
        let st = crate::sync::lock(&self.0);
        st.connected
            .iter()
            .map(|(id, name)| (*id, name.clone()))
            .collect()
    }

    /// Show this list on a REST server's event log.
    pub(crate) fn attach(&self, log: &Arc<EventLog>) {
        let mut st = crate::sync::lock(&self.0);
        st.logs.retain(|l| l.strong_count() > 0);
        st.logs.push(Arc::downgrade(log));
    }

    /// Change the list and publish the event `change` returns, under the list's lock (so
    /// events come in the order of the changes).
    fn publish_with(&self, change: impl FnOnce(&mut ClientsState) -> serde_json::Value) {
        let mut st = crate::sync::lock(&self.0);
        let event = change(&mut st);
        for log in st.logs.iter().filter_map(Weak::upgrade) {
            log.publish(&event);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_leave_the_list_when_dropped_and_are_announced() {
        let clients = Clients::new();
        let log = Arc::new(EventLog::new(8));
        clients.attach(&log);
        let a = clients.connected("Game");
        let b = clients.connected("Toy app");
        assert_eq!(
            clients.list(),
            [
                (a.id(), "Game".to_string()),
                (b.id(), "Toy app".to_string())
            ]
        );
        drop(a);
        assert_eq!(clients.list(), [(b.id(), "Toy app".to_string())]);
        let frames: Vec<String> = log
            .subscribe(Some(0))
            .replay
            .iter()
            .map(|f| String::from_utf8_lossy(f).into_owned())
            .collect();
        assert_eq!(frames.len(), 3);
        assert!(frames[0].contains(r#""name":"Game""#) && frames[0].contains("ClientConnected"));
        assert!(frames[2].contains(r#"{"id":1,"type":"ClientDisconnected"}"#));
        assert_ne!(clients, Clients::new());
        assert_eq!(clients, clients.clone());
    }
}

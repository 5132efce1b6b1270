id_message!(
    /// `Disconnect` (v4 spec text, client to server): the server replies `Ok`, stops the
    /// client's devices and closes the connection.
    ///
    /// Described by the v4 spec documents but absent from the published JSON schema (and from
    /// the reference server), so it does not validate against `buttplug-schema.json`; this crate
    /// accepts it at v4.
    DisconnectV4,
    "Disconnect",
    client_id
);

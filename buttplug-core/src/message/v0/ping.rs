id_message!(
    /// `Ping` (v0..v4, client to server): keeps the connection alive within `MaxPingTime`.
    PingV0,
    "Ping",
    client_id
);

id_message!(
    /// `StopAllDevices` (v0..v3, client to server): stop every device. v4 uses `StopCmd`; see
    /// [`StopCmdV4::from`](crate::v4::StopCmdV4).
    StopAllDevicesV0,
    "StopAllDevices",
    client_id
);

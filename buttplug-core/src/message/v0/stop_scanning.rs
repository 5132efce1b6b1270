id_message!(
    /// `StopScanning` (v0..v4, client to server): stop looking for devices.
    StopScanningV0,
    "StopScanning",
    client_id
);

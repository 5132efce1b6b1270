id_message!(
    /// `StartScanning` (v0..v4, client to server): start looking for devices.
    StartScanningV0,
    "StartScanning",
    client_id
);

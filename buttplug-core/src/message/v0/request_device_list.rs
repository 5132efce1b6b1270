id_message!(
    /// `RequestDeviceList` (v0..v4, client to server): asks for a `DeviceList`.
    RequestDeviceListV0,
    "RequestDeviceList",
    client_id
);

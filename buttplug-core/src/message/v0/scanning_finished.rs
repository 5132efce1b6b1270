id_message!(
    /// `ScanningFinished` (v0..v4, server event, Id 0): every scanner stopped on its own.
    ///
    /// The v0 and v1 schema message lists omit it although the spec text and servers send it;
    /// it validates against the schema's v4 definition, which is the same shape.
    ScanningFinishedV0,
    "ScanningFinished",
    event_id
);

impl Default for ScanningFinishedV0 {
    fn default() -> Self {
        ScanningFinishedV0::new(0)
    }
}

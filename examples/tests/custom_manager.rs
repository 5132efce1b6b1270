//! Runs the `custom_manager` example (a communication manager written outside the server crate,
//! with an in-memory device) and checks the exact bytes the device received.
#![allow(clippy::unwrap_used)] // tests unwrap: a panic is the failure report

#[path = "../examples/custom_manager.rs"]
mod custom_manager;

use buttplug_devices::Endpoint;

#[test]
fn an_out_of_tree_manager_finds_and_drives_an_in_memory_device() {
    let writes = async_std::task::block_on(custom_manager::run()).unwrap();
    assert_eq!(
        writes,
        vec![
            (Endpoint::Tx, b"$SYS,4?".to_vec()),
            (Endpoint::Tx, b"$SYS,0?".to_vec()),
        ]
    );
    // The example's own check compares against the same bytes.
    let expected: Vec<&[u8]> = custom_manager::EXPECTED
        .iter()
        .map(|t| t.as_bytes())
        .collect();
    let got: Vec<&[u8]> = writes.iter().map(|(_, b)| b.as_slice()).collect();
    assert_eq!(got, expected);
}

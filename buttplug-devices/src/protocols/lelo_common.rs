//! Shared parts of the Lelo family: the security handshake of the newer toys and the
//! two-motor packet.
//!
//! Security handshake (`lelo-f1sv2`, `lelo-harmony`): subscribe to the security endpoint and
//! read what the toy sends. An all-zero block means "not authorised yet" (the user must press the
//! power button, so there is no timeout); the authorised block ends the handshake; anything else
//! is the toy's password, which is written back (with response, while unsubscribed) before
//! subscribing again.

use crate::{DeviceError, Endpoint, Hardware, HardwareEvent};
use futures::StreamExt;

/// Run the security handshake on `endpoint` until `is_authorised` accepts a block.
pub(crate) async fn security_handshake(
    id: &'static str,
    hardware: &dyn Hardware,
    endpoint: Endpoint,
    is_authorised: fn(&[u8]) -> bool,
) -> Result<(), DeviceError> {
    let mut events = hardware.event_stream();
    hardware.subscribe(endpoint).await?;
    loop {
        match events.next().await {
            Some(HardwareEvent::Notification {
                endpoint: from,
                data,
            }) if from == endpoint => {
                if data.iter().all(|b| *b == 0) {
                    tracing::info!("{id}: not authorised, press the power button");
                } else if is_authorised(&data) {
                    return Ok(());
                } else {
                    tracing::debug!("{id}: got the password, sending it back");
                    hardware.unsubscribe(endpoint).await?;
                    hardware.write(endpoint, &data, true).await?;
                    hardware.subscribe(endpoint).await?;
                }
            }
            Some(HardwareEvent::Notification { .. }) => {}
            Some(HardwareEvent::Disconnected) | None => {
                return Err(DeviceError::protocol(
                    id,
                    "device disconnected during the security handshake",
                ));
            }
        }
    }
}

/// `[01 00 00 00 00 00 00 00]` exactly (F1s V2).
pub(crate) fn authorised_exact(data: &[u8]) -> bool {
    data == [1, 0, 0, 0, 0, 0, 0, 0]
}

/// First byte 1, the rest zero (Harmony).
pub(crate) fn authorised_first_one(data: &[u8]) -> bool {
    data.first() == Some(&1) && data[1..].iter().all(|b| *b == 0)
}

/// The F1s packet: `[01 s0 s1]`.
pub(crate) fn f1s_packet(values: &[u8]) -> Vec<u8> {
    use super::motor_packet_common::slot;
    vec![0x01, slot(values, 0), slot(values, 1)]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{HardwareCommand, SimulatedHardware};
    use futures::executor::block_on;
    use std::time::Duration;

    #[test]
    fn password_is_sent_back_then_authorised() {
        let hw = SimulatedHardware::builder("F1SV2A", "a")
            .endpoints([Endpoint::Tx, Endpoint::Whitelist])
            .build();
        let device = hw.clone();
        let script = std::thread::spawn(move || {
            let wait = |n: usize| {
                assert!(block_on(
                    device.wait_for_commands(n, Duration::from_secs(5))
                ));
            };
            wait(1);
            device.notify(Endpoint::Whitelist, vec![0; 8]);
            device.notify(Endpoint::Whitelist, vec![9, 8, 7, 6, 5, 4, 3, 2]);
            wait(4);
            device.notify(Endpoint::Whitelist, vec![1, 0, 0, 0, 0, 0, 0, 0]);
        });
        block_on(security_handshake(
            "lelo-f1sv2",
            &hw,
            Endpoint::Whitelist,
            authorised_exact,
        ))
        .expect("handshake");
        script.join().expect("script");
        assert_eq!(
            hw.commands(),
            vec![
                HardwareCommand::subscribe(Endpoint::Whitelist),
                HardwareCommand::unsubscribe(Endpoint::Whitelist),
                HardwareCommand::write_with_response(
                    Endpoint::Whitelist,
                    vec![9, 8, 7, 6, 5, 4, 3, 2]
                ),
                HardwareCommand::subscribe(Endpoint::Whitelist),
            ]
        );
    }

    #[test]
    fn disconnect_fails_the_handshake() {
        let hw = SimulatedHardware::builder("x", "a")
            .endpoints([Endpoint::Whitelist])
            .build();
        let device = hw.clone();
        let script = std::thread::spawn(move || {
            assert!(block_on(
                device.wait_for_commands(1, Duration::from_secs(5))
            ));
            device.simulate_disconnect();
        });
        let r = block_on(security_handshake(
            "x",
            &hw,
            Endpoint::Whitelist,
            authorised_exact,
        ));
        script.join().expect("script");
        assert!(matches!(r, Err(DeviceError::Protocol { .. })));
    }

    #[test]
    fn authorisation_rules() {
        assert!(authorised_exact(&[1, 0, 0, 0, 0, 0, 0, 0]));
        assert!(!authorised_exact(&[1, 0, 0]));
        assert!(authorised_first_one(&[1, 0, 0]));
        assert!(!authorised_first_one(&[1, 0, 2]));
        assert!(!authorised_first_one(&[]));
        assert_eq!(f1s_packet(&[3]), vec![1, 3, 0]);
    }
}

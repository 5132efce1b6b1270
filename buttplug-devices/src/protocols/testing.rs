//! Helpers for protocol unit tests: build definitions by hand and run commands.

use crate::{
    DeviceDefinition, FeatureDefinition, HardwareCommand, InputDefinition, OutputCommand,
    OutputDefinition, Protocol, ProtocolHandler,
};
use buttplug_core::{InputCommandType, InputType, OutputType, StepRange};

/// A definition with one feature per entry of `features`; each entry lists that feature's outputs
/// as `(type, [min, max])`.
pub(crate) fn definition(
    protocol: &str,
    features: &[&[(OutputType, [i32; 2])]],
) -> DeviceDefinition {
    DeviceDefinition {
        protocol: protocol.to_string(),
        identifier: None,
        id: "00000000-0000-0000-0000-000000000000".into(),
        name: format!("{protocol} test device"),
        display_name: None,
        protocol_variant: None,
        message_gap_ms: None,
        features: features
            .iter()
            .enumerate()
            .map(|(i, outputs)| FeatureDefinition {
                index: i as u32,
                id: format!("feature-{i}"),
                description: String::new(),
                outputs: outputs
                    .iter()
                    .map(|(t, r)| {
                        let mut o = OutputDefinition::new(*t, StepRange::from(*r));
                        if *t == OutputType::HwPositionWithDuration {
                            o.duration = Some(StepRange::new(0, 100_000));
                        }
                        o
                    })
                    .collect(),
                inputs: Vec::new(),
                alt_protocol_index: None,
            })
            .collect(),
    }
}

/// Add a battery input feature (Read) at the end of a definition.
pub(crate) fn with_battery(mut def: DeviceDefinition) -> DeviceDefinition {
    let index = def.features.len() as u32;
    def.features.push(FeatureDefinition {
        index,
        id: format!("feature-{index}"),
        description: "battery Level".into(),
        outputs: Vec::new(),
        inputs: vec![InputDefinition {
            input_type: InputType::Battery,
            value: vec![StepRange::new(0, 100)],
            commands: vec![InputCommandType::Read],
        }],
        alt_protocol_index: None,
    });
    def
}

/// Initialize `protocol` against a simulated device with no scripted replies and return the
/// handler (for protocols whose initialize does not talk to the device, or whose exchange is
/// scripted by the caller on `hw`).
pub(crate) fn handler_for(
    protocol: &dyn Protocol,
    hw: &crate::SimulatedHardware,
    def: &DeviceDefinition,
) -> Box<dyn ProtocolHandler> {
    match futures::executor::block_on(protocol.initialize(hw, def)) {
        Ok(h) => h,
        Err(e) => panic!("initialize failed: {e}"),
    }
}

/// Run one output command and return the commands, panicking on error (tests only).
pub(crate) fn out(handler: &mut dyn ProtocolHandler, cmd: OutputCommand) -> Vec<HardwareCommand> {
    match handler.handle_output(&cmd) {
        Ok(v) => v,
        Err(e) => panic!("handle_output({cmd:?}) failed: {e}"),
    }
}

/// Run the change of one client message (several commands at once) and return the commands,
/// panicking on error (tests only).
pub(crate) fn outs(
    handler: &mut dyn ProtocolHandler,
    cmds: &[OutputCommand],
) -> Vec<HardwareCommand> {
    match handler.handle_outputs(cmds) {
        Ok(v) => v,
        Err(e) => panic!("handle_outputs({cmds:?}) failed: {e}"),
    }
}

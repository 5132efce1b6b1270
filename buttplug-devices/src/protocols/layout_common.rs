//! State shared by protocols that pack several motors into one packet: the current value of
//! every feature.

use crate::{DeviceError, OutputCommand};

/// The slot for the command's feature in a store indexed by feature index.
///
/// # Errors
/// [`DeviceError::NoFeature`] when the feature index is outside `slots`.
pub(crate) fn feature_slot<'a, T>(
    slots: &'a mut [T],
    cmd: &OutputCommand,
) -> Result<&'a mut T, DeviceError> {
    slots
        .get_mut(cmd.feature_index as usize)
        .ok_or(DeviceError::NoFeature {
            index: cmd.feature_index,
        })
}

/// The current value of every feature of a device (0 until commanded).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FeatureValues {
    values: Vec<i32>,
}

impl FeatureValues {
    /// `count` zero values.
    pub(crate) fn with_len(count: usize) -> Self {
        FeatureValues {
            values: vec![0; count],
        }
    }

    /// Store a value; `false` when the index is outside the store.
    pub(crate) fn set(&mut self, index: u32, value: i32) -> bool {
        match self.values.get_mut(index as usize) {
            Some(slot) => {
                *slot = value;
                true
            }
            None => false,
        }
    }

    /// Store the command's value under its feature index.
    ///
    /// # Errors
    /// [`DeviceError::NoFeature`] when the index is outside the store.
    pub(crate) fn set_command(&mut self, cmd: &OutputCommand) -> Result<(), DeviceError> {
        *feature_slot(&mut self.values, cmd)? = cmd.value;
        Ok(())
    }

    /// The value of an index (0 when unknown).
    pub(crate) fn get(&self, index: u32) -> i32 {
        self.values.get(index as usize).copied().unwrap_or(0)
    }

    /// Every value, in index order.
    pub(crate) fn all(&self) -> &[i32] {
        &self.values
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use buttplug_core::OutputType;

    #[test]
    fn stores_per_index() {
        let mut v = FeatureValues::with_len(2);
        assert_eq!(v.all(), &[0, 0]);
        assert!(v.set(1, 4));
        assert!(!v.set(2, 4));
        assert_eq!(v.get(1), 4);
        assert_eq!(v.get(9), 0);
    }

    #[test]
    fn motor_values_reject_unknown_motors() {
        let mut m = FeatureValues::with_len(2);
        assert!(
            m.set_command(&OutputCommand::new(1, OutputType::Vibrate, 4))
                .is_ok()
        );
        assert_eq!((m.get(0), m.get(1), m.get(5)), (0, 4, 0));
        assert!(matches!(
            m.set_command(&OutputCommand::new(2, OutputType::Vibrate, 1)),
            Err(DeviceError::NoFeature { index: 2 })
        ));
    }
}

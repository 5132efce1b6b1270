//! State shared by protocols that pack several motors into one packet: the current value of
//! every feature.

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
    #[test]
    fn stores_per_index() {
        let mut v = FeatureValues::with_len(2);
        assert_eq!(v.all(), &[0, 0]);
        assert!(v.set(1, 4));
        assert!(!v.set(2, 4));
        assert_eq!(v.get(1), 4);
        assert_eq!(v.get(9), 0);
    }
}

//! Every device protocol, one file each, and the registry.
//!
//! To add a protocol: add `<id>.rs` (module name = id with `-` replaced by `_`) exporting
//! `pub static PROTOCOL`, and add its module name to the `protocols!` list below (one line). See
//! CONTRIBUTING.md for the whole recipe (database entry, fixture).

use crate::Protocol;

#[cfg(test)]
pub(crate) mod testing;

// Code shared by several protocols.
pub(crate) mod kiiroo_common;
mod layout_common;
mod lelo_common;
mod motor_packet_common;
mod packet_util;
mod svakom_common;
mod thehandy_common;
mod tryfun_common;
mod vibcrafter_common;
mod wevibe_common;

/// Declares each protocol module (`<id>.rs`, `-` in the id written `_`, exporting
/// `pub static PROTOCOL`) and lists it in [`registry`]: one line per protocol.
macro_rules! protocols {
    ($($module:ident),* $(,)?) => {
        $(pub(crate) mod $module;)*

        /// Every protocol implementation, one per database protocol id (sorted by module name).
        /// Applications add their own (or replace one of these) on the device manager's builder.
        pub fn registry() -> &'static [&'static dyn Protocol] {
            static PROTOCOLS: &[&dyn Protocol] = &[$(&$module::PROTOCOL),*];
            PROTOCOLS
        }
    };
}

protocols! {
    activejoy,
    adrienlastic,
    amorelie_joy,
    aneros,
    ankni,
    bananasome,
    cachito,
    cowgirl,
    cowgirl_cone,
    cueme,
    cupido,
    deepsire,
    feelingso,
    fleshy_thrust,
    fluffer,
    fmachine,
    foreo,
    fox,
    fredorch,
    fredorch_rotary,
    galaku,
    galaku_pump,
    hgod,
    hismith,
    hismith_mini,
    honeyplaybox,
    htk_bm,
    itoys,
    jejoue,
    joyhub,
    kgoal_boost,
    kiiroo_powershot,
    kiiroo_prowand,
    kiiroo_spot,
    kiiroo_spot_v2,
    kiiroo_v2,
    kiiroo_v21,
    kiiroo_v21_initialized,
    kiiroo_v2_vibrator,
    kiiroo_v3,
    kizuna,
    lelo_f1s,
    lelo_f1sv2,
    lelo_harmony,
    leten,
    libo_elle,
    libo_shark,
    libo_vibes,
    lioness,
    loob,
    lovedistance,
    lovehoney_desire,
    lovense,
    lovense_connect_service,
    lovenuts,
    luvmazer,
    magic_motion_1,
    magic_motion_2,
    magic_motion_3,
    magic_motion_4,
    mannuo,
    maxpro,
    meese,
    mizzzee,
    mizzzee_v2,
    mizzzee_v3,
    monsterpub,
    motorbunny,
    muse,
    mymuselinkplus,
    mysteryvibe,
    mysteryvibe_v2,
    nextlevelracing,
    nexus_revo,
    nobra,
    omobo,
    ossm,
    patoo,
    picobong,
    pink_punch,
    prettylove,
    realov,
    realtouch,
    rez_trancevibrator,
    sakuraneko,
    satisfyer,
    sayberx,
    sdl_gamepad,
    sensee,
    sensee_v2,
    serveu,
    sexverse_lg389,
    sexverse_v1,
    sexverse_v2,
    sexverse_v3,
    sexverse_v4,
    sexverse_v5,
    sexverse_v6,
    simulated,
    svakom_alex,
    svakom_alex_v2,
    svakom_avaneo,
    svakom_barnard,
    svakom_barney,
    svakom_dice,
    svakom_dt250a,
    svakom_fatima,
    svakom_iker,
    svakom_jordan,
    svakom_pulse,
    svakom_sam,
    svakom_sam2,
    svakom_suitcase,
    svakom_tarax,
    svakom_v1,
    svakom_v2,
    svakom_v3,
    svakom_v4,
    svakom_v5,
    svakom_v6,
    synchro,
    tcode_v03,
    thehandy,
    thehandy_v3,
    tryfun,
    tryfun_blackhole,
    tryfun_meta2,
    umove,
    utimi,
    vibcrafter,
    vibio,
    vibratissimo,
    vorze_cyclone_x,
    vorze_sa,
    wetoy,
    wevibe,
    wevibe_8bit,
    wevibe_chorus,
    xibao,
    xinput,
    xiuxiuda,
    xuanhuan,
    yiciyuan,
    youcups,
    youou,
    zalo,
}

/// Look up a protocol by id.
pub fn find(id: &str) -> Option<&'static dyn Protocol> {
    registry().iter().copied().find(|p| p.id() == id)
}

/// Protocol ids of the device database that have no implementation, with the reason. Devices
/// of these protocols are found but not connected (the server logs why).
pub const EXCEPTIONS: &[(&str, &str)] = &[
    (
        "kiiroo-v1",
        "no wire facts in the reference implementation's history; only another client \
         library documents it",
    ),
    (
        "libo-karen",
        "the database gives it no features and no public source documents its wire format \
         (a pressure characteristic of unknown meaning)",
    ),
    (
        "twerkingbutt",
        "the database defines no output features for it, so there is nothing to drive",
    ),
];

#[cfg(test)]
mod registry_tests {
    use super::*;
    use crate::config::DeviceDatabase;
    use std::collections::BTreeSet;

    #[test]
    fn ids_are_unique() {
        let mut seen = BTreeSet::new();
        for p in registry() {
            assert!(
                seen.insert(p.id()),
                "protocol id {} registered twice",
                p.id()
            );
        }
    }

    #[test]
    fn every_database_protocol_is_implemented_or_excepted() {
        let db = DeviceDatabase::builtin();
        let implemented: BTreeSet<&str> = registry().iter().map(|p| p.id()).collect();
        let excepted: BTreeSet<&str> = EXCEPTIONS.iter().map(|(id, _)| *id).collect();
        let ids: BTreeSet<&str> = db.protocol_ids().into_iter().collect();
        let missing: Vec<&&str> = ids
            .iter()
            .filter(|id| !implemented.contains(**id) && !excepted.contains(**id))
            .collect();
        assert!(
            missing.is_empty(),
            "database protocols without implementation: {missing:?}"
        );
        let files = std::fs::read_dir(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("database/protocols"),
        )
        .map(|d| d.count())
        .unwrap_or(0);
        assert_eq!(ids.len(), files, "one database protocol per file");
        assert_eq!(implemented.len() + excepted.len(), ids.len());
    }

    #[test]
    fn every_implementation_is_in_the_database_and_no_exception_is_implemented() {
        let db = DeviceDatabase::builtin();
        let ids: BTreeSet<&str> = db.protocol_ids().into_iter().collect();
        for p in registry() {
            assert!(
                ids.contains(p.id()),
                "{} is implemented but not in the database",
                p.id()
            );
        }
        for (id, _) in EXCEPTIONS {
            assert!(
                find(id).is_none(),
                "{id} is both implemented and an exception"
            );
            assert!(ids.contains(id), "exception {id} is not in the database");
        }
    }

    #[test]
    fn every_implementation_has_a_fixture() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
        let missing: Vec<&str> = registry()
            .iter()
            .map(|p| p.id())
            .filter(|id| {
                std::fs::read_dir(dir.join(id))
                    .map(|mut d| d.next().is_none())
                    .unwrap_or(true)
            })
            .collect();
        assert!(
            missing.is_empty(),
            "protocols without a fixture folder: {missing:?}"
        );
    }
}

//! Every device protocol, one file each, and the registry.
//!
//! To add a protocol: add `<id>.rs` (module name = id with `-` replaced by `_`) exporting
//! `pub static PROTOCOL`, declare the module below and list it in [`registry`].

use crate::Protocol;

#[cfg(test)]
pub(crate) mod testing;

mod activejoy;
mod adrienlastic;
mod amorelie_joy;
mod aneros;
mod ankni;
mod bananasome;
mod cachito;
mod cowgirl;
mod cowgirl_cone;
mod cueme;
mod cupido;
mod deepsire;
mod feelingso;
mod fleshy_thrust;
mod fluffer;
mod fmachine;
mod foreo;
mod fox;
mod fredorch;
mod fredorch_rotary;
mod galaku;
mod galaku_pump;
mod hgod;
mod hismith;
mod hismith_mini;
mod honeyplaybox;
mod htk_bm;
mod itoys;
mod jejoue;
mod joyhub;
mod kgoal_boost;
pub(crate) mod kiiroo_common;
mod kiiroo_powershot;
mod kiiroo_prowand;
mod kiiroo_spot;
mod kiiroo_spot_v2;
mod kiiroo_v2;
mod kiiroo_v21;
mod kiiroo_v21_initialized;
mod kiiroo_v2_vibrator;
mod kiiroo_v3;
mod kizuna;
mod layout_common;
mod lelo_common;
mod lelo_f1s;
mod lelo_f1sv2;
mod lelo_harmony;
mod leten;
mod libo_elle;
mod libo_shark;
mod libo_vibes;
mod lioness;
mod loob;
mod lovedistance;
mod lovehoney_desire;
pub(crate) mod lovense;
mod lovense_connect_service;
mod lovenuts;
mod luvmazer;
mod magic_motion_1;
mod magic_motion_2;
mod magic_motion_3;
mod magic_motion_4;
mod mannuo;
mod maxpro;
mod meese;
mod mizzzee;
mod mizzzee_v2;
mod mizzzee_v3;
mod monsterpub;
mod motor_packet_common;
mod motorbunny;
mod muse;
mod mymuselinkplus;
mod mysteryvibe;
mod mysteryvibe_v2;
mod nextlevelracing;
mod nexus_revo;
mod nobra;
mod omobo;
mod ossm;
mod packet_util;
mod patoo;
mod picobong;
mod pink_punch;
mod prettylove;
mod realov;
mod realtouch;
mod rez_trancevibrator;
mod sakuraneko;
mod satisfyer;
mod sayberx;
mod sdl_gamepad;
mod sensee;
mod sensee_v2;
mod serveu;
mod sexverse_lg389;
mod sexverse_v1;
mod sexverse_v2;
mod sexverse_v3;
mod sexverse_v4;
mod sexverse_v5;
mod sexverse_v6;
mod simulated;
mod svakom_alex;
mod svakom_alex_v2;
mod svakom_avaneo;
mod svakom_barnard;
mod svakom_barney;
mod svakom_common;
mod svakom_dice;
mod svakom_dt250a;
mod svakom_fatima;
mod svakom_iker;
mod svakom_jordan;
mod svakom_pulse;
mod svakom_sam;
mod svakom_sam2;
mod svakom_suitcase;
mod svakom_tarax;
mod svakom_v1;
mod svakom_v2;
mod svakom_v3;
mod svakom_v4;
mod svakom_v5;
mod svakom_v6;
mod synchro;
mod tcode_v03;
mod thehandy;
mod thehandy_common;
mod thehandy_v3;
mod tryfun;
mod tryfun_blackhole;
mod tryfun_common;
mod tryfun_meta2;
mod umove;
mod utimi;
mod vibcrafter;
mod vibcrafter_common;
mod vibio;
mod vibratissimo;
mod vorze_cyclone_x;
mod vorze_sa;
mod wetoy;
mod wevibe;
mod wevibe_8bit;
mod wevibe_chorus;
mod wevibe_common;
mod xibao;
mod xinput;
mod xiuxiuda;
mod xuanhuan;
mod yiciyuan;
mod youcups;
mod youou;
mod zalo;

/// Every protocol implementation, one per database protocol id (sorted by module name).
pub fn registry() -> &'static [&'static dyn Protocol] {
    static PROTOCOLS: &[&dyn Protocol] = &[
        &activejoy::PROTOCOL,
        &adrienlastic::PROTOCOL,
        &amorelie_joy::PROTOCOL,
        &aneros::PROTOCOL,
        &ankni::PROTOCOL,
        &bananasome::PROTOCOL,
        &cachito::PROTOCOL,
        &cowgirl::PROTOCOL,
        &cowgirl_cone::PROTOCOL,
        &cueme::PROTOCOL,
        &cupido::PROTOCOL,
        &deepsire::PROTOCOL,
        &feelingso::PROTOCOL,
        &fleshy_thrust::PROTOCOL,
        &fluffer::PROTOCOL,
        &fmachine::PROTOCOL,
        &foreo::PROTOCOL,
        &fox::PROTOCOL,
        &fredorch::PROTOCOL,
        &fredorch_rotary::PROTOCOL,
        &galaku::PROTOCOL,
        &galaku_pump::PROTOCOL,
        &hgod::PROTOCOL,
        &hismith::PROTOCOL,
        &hismith_mini::PROTOCOL,
        &honeyplaybox::PROTOCOL,
        &htk_bm::PROTOCOL,
        &itoys::PROTOCOL,
        &jejoue::PROTOCOL,
        &joyhub::PROTOCOL,
        &kgoal_boost::PROTOCOL,
        &kiiroo_powershot::PROTOCOL,
        &kiiroo_prowand::PROTOCOL,
        &kiiroo_spot::PROTOCOL,
        &kiiroo_spot_v2::PROTOCOL,
        &kiiroo_v2::PROTOCOL,
        &kiiroo_v21::PROTOCOL,
        &kiiroo_v21_initialized::PROTOCOL,
        &kiiroo_v2_vibrator::PROTOCOL,
        &kiiroo_v3::PROTOCOL,
        &kizuna::PROTOCOL,
        &lelo_f1s::PROTOCOL,
        &lelo_f1sv2::PROTOCOL,
        &lelo_harmony::PROTOCOL,
        &leten::PROTOCOL,
        &libo_elle::PROTOCOL,
        &libo_shark::PROTOCOL,
        &libo_vibes::PROTOCOL,
        &lioness::PROTOCOL,
        &loob::PROTOCOL,
        &lovedistance::PROTOCOL,
        &lovehoney_desire::PROTOCOL,
        &lovense::PROTOCOL,
        &lovense_connect_service::PROTOCOL,
        &lovenuts::PROTOCOL,
        &luvmazer::PROTOCOL,
        &magic_motion_1::PROTOCOL,
        &magic_motion_2::PROTOCOL,
        &magic_motion_3::PROTOCOL,
        &magic_motion_4::PROTOCOL,
        &mannuo::PROTOCOL,
        &maxpro::PROTOCOL,
        &meese::PROTOCOL,
        &mizzzee::PROTOCOL,
        &mizzzee_v2::PROTOCOL,
        &mizzzee_v3::PROTOCOL,
        &monsterpub::PROTOCOL,
        &motorbunny::PROTOCOL,
        &muse::PROTOCOL,
        &mymuselinkplus::PROTOCOL,
        &mysteryvibe::PROTOCOL,
        &mysteryvibe_v2::PROTOCOL,
        &nextlevelracing::PROTOCOL,
        &nexus_revo::PROTOCOL,
        &nobra::PROTOCOL,
        &omobo::PROTOCOL,
        &ossm::PROTOCOL,
        &patoo::PROTOCOL,
        &picobong::PROTOCOL,
        &pink_punch::PROTOCOL,
        &prettylove::PROTOCOL,
        &realov::PROTOCOL,
        &realtouch::PROTOCOL,
        &rez_trancevibrator::PROTOCOL,
        &sakuraneko::PROTOCOL,
        &satisfyer::PROTOCOL,
        &sayberx::PROTOCOL,
        &sdl_gamepad::PROTOCOL,
        &sensee::PROTOCOL,
        &sensee_v2::PROTOCOL,
        &serveu::PROTOCOL,
        &sexverse_lg389::PROTOCOL,
        &sexverse_v1::PROTOCOL,
        &sexverse_v2::PROTOCOL,
        &sexverse_v3::PROTOCOL,
        &sexverse_v4::PROTOCOL,
        &sexverse_v5::PROTOCOL,
        &sexverse_v6::PROTOCOL,
        &simulated::PROTOCOL,
        &svakom_alex::PROTOCOL,
        &svakom_alex_v2::PROTOCOL,
        &svakom_avaneo::PROTOCOL,
        &svakom_barnard::PROTOCOL,
        &svakom_barney::PROTOCOL,
        &svakom_dice::PROTOCOL,
        &svakom_dt250a::PROTOCOL,
        &svakom_fatima::PROTOCOL,
        &svakom_iker::PROTOCOL,
        &svakom_jordan::PROTOCOL,
        &svakom_pulse::PROTOCOL,
        &svakom_sam::PROTOCOL,
        &svakom_sam2::PROTOCOL,
        &svakom_suitcase::PROTOCOL,
        &svakom_tarax::PROTOCOL,
        &svakom_v1::PROTOCOL,
        &svakom_v2::PROTOCOL,
        &svakom_v3::PROTOCOL,
        &svakom_v4::PROTOCOL,
        &svakom_v5::PROTOCOL,
        &svakom_v6::PROTOCOL,
        &synchro::PROTOCOL,
        &tcode_v03::PROTOCOL,
        &thehandy::PROTOCOL,
        &thehandy_v3::PROTOCOL,
        &tryfun::PROTOCOL,
        &tryfun_blackhole::PROTOCOL,
        &tryfun_meta2::PROTOCOL,
        &umove::PROTOCOL,
        &utimi::PROTOCOL,
        &vibcrafter::PROTOCOL,
        &vibio::PROTOCOL,
        &vibratissimo::PROTOCOL,
        &vorze_cyclone_x::PROTOCOL,
        &vorze_sa::PROTOCOL,
        &wetoy::PROTOCOL,
        &wevibe::PROTOCOL,
        &wevibe_8bit::PROTOCOL,
        &wevibe_chorus::PROTOCOL,
        &xibao::PROTOCOL,
        &xinput::PROTOCOL,
        &xiuxiuda::PROTOCOL,
        &xuanhuan::PROTOCOL,
        &yiciyuan::PROTOCOL,
        &youcups::PROTOCOL,
        &youou::PROTOCOL,
        &zalo::PROTOCOL,
    ];
    PROTOCOLS
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
        assert_eq!(ids.len(), 149, "the built-in database has 149 protocols");
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

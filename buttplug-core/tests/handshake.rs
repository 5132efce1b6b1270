//! handshake_version and the handshake conversions.

use buttplug_core::*;

#[test]
fn version_is_read_from_the_first_request() {
    let cases = [
        (
            r#"[{"RequestServerInfo":{"Id":1,"ClientName":"A"}}]"#,
            SpecVersion::V0,
        ),
        (
            r#"[{"RequestServerInfo":{"Id":1,"ClientName":"A","MessageVersion":1}}]"#,
            SpecVersion::V1,
        ),
        (
            r#"[{"RequestServerInfo":{"Id":1,"ClientName":"A","MessageVersion":2}}]"#,
            SpecVersion::V2,
        ),
        (
            r#"[{"RequestServerInfo":{"Id":1,"ClientName":"A","MessageVersion":3}}]"#,
            SpecVersion::V3,
        ),
        (
            r#"[{"RequestServerInfo":{"Id":1,"ClientName":"A","ProtocolVersionMajor":4,"ProtocolVersionMinor":0}}]"#,
            SpecVersion::V4,
        ),
        (
            r#"[{"RequestServerInfo":{"Id":1,"ClientName":"A","ProtocolVersionMajor":4,"ProtocolVersionMinor":2}},{"Ping":{"Id":2}}]"#,
            SpecVersion::V4,
        ),
    ];
    for (text, version) in cases {
        assert_eq!(handshake_version(text), Ok(version), "{text}");
        let parsed = parse_client_frame(text, version);
        let m = parsed[0].as_ref().expect("parses at its version");
        assert_eq!(
            m.handshake_request().expect("is a handshake"),
            ("A".to_string(), version)
        );
    }
}

#[test]
fn handshake_errors() {
    let init = |text: &str, id: u32| {
        let e = handshake_version(text).expect_err(text);
        assert_eq!((e.id, e.error_code), (id, ErrorCode::Init), "{text}: {e:?}");
    };
    let msg = |text: &str, id: u32| {
        let e = handshake_version(text).expect_err(text);
        assert_eq!((e.id, e.error_code), (id, ErrorCode::Msg), "{text}: {e:?}");
    };
    init(r#"[{"Ping":{"Id":5}}]"#, 5);
    init(
        r#"[{"RequestServerInfo":{"Id":6,"ClientName":"A","ProtocolVersionMajor":5,"ProtocolVersionMinor":0}}]"#,
        6,
    );
    init(
        r#"[{"RequestServerInfo":{"Id":7,"ClientName":"A","MessageVersion":4}}]"#,
        7,
    );
    msg("", 0);
    msg("[]", 0);
    msg("not json", 0);
    msg(r#"{"RequestServerInfo":{"Id":8,"ClientName":"A"}}"#, 8);
    msg(
        r#"[{"RequestServerInfo":{"Id":9,"ClientName":"A","MessageVersion":"3"}}]"#,
        9,
    );
    msg(r#"[7]"#, 0);
    assert!(matches!(
        handshake_version_typed(r#"[{"Ping":{"Id":5}}]"#),
        Err(HandshakeError::RequestServerInfoExpected { id: 5, .. })
    ));
    assert!(matches!(
        handshake_version_typed(
            r#"[{"RequestServerInfo":{"Id":1,"ClientName":"A","ProtocolVersionMajor":9,"ProtocolVersionMinor":0}}]"#
        ),
        Err(HandshakeError::VersionMismatch {
            client: 9,
            server: SpecVersion::V4,
            ..
        })
    ));
}

#[test]
fn handshake_request_rejects_other_messages() {
    let m = ClientMessage::ping(3, SpecVersion::V4);
    let e = m.handshake_request().expect_err("not a handshake");
    assert!(
        matches!(&e, HandshakeError::RequestServerInfoExpected { id: 3, received } if received == "Ping")
    );
    assert_eq!(e.to_wire().error_code, ErrorCode::Init);
}

#[test]
fn server_info_never_exceeds_the_client_version() {
    for v in SpecVersion::ALL {
        let m = ServerInfo::new("S", 100).to_message(1, v);
        assert_eq!(m.version(), v);
        let (info, announced) = ServerInfo::from_message(&m).expect("is ServerInfo");
        assert_eq!(info, ServerInfo::new("S", 100));
        assert_eq!(announced, v as u32);
    }
    for v in SpecVersion::ALL {
        let request = ClientMessage::request_server_info(1, "C", v);
        assert_eq!(request.handshake_request().expect("handshake").1, v);
        let text = render_client_frame(&[request]);
        assert_eq!(handshake_version(&text), Ok(v));
    }
}

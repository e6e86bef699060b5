use super::csv;
use super::*;

/// The registry file the table was generated from.
const REGISTRY_CSV: &str = include_str!("../../registry/ipfix-information-elements.csv");

#[test]
fn table_sorted_by_id_with_unique_ids_and_names() {
    assert!(!ELEMENTS.is_empty());
    for pair in ELEMENTS.windows(2) {
        assert!(
            pair[0].id < pair[1].id,
            "{} before {}",
            pair[0].id,
            pair[1].id
        );
    }
    let mut names: Vec<&str> = ELEMENTS.iter().map(|e| e.name).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), ELEMENTS.len());
}

#[test]
fn every_element_round_trips_by_id_and_by_name() {
    for e in ELEMENTS {
        assert!(std::ptr::eq(by_id(e.id).unwrap(), e), "by_id({})", e.id);
        assert!(
            std::ptr::eq(by_name(e.name).unwrap(), e),
            "by_name({})",
            e.name
        );
        assert!(id_rangecheck(e.id), "{} out of range", e.id);
        assert_eq!(DataType::from_name(e.data_type.name()), Some(e.data_type));
    }
}

#[test]
fn lookups_miss_what_is_not_there() {
    assert_eq!(by_id(0), None);
    assert_eq!(by_id(35), None); // NetFlow v9 range 34-35
    assert_eq!(by_id(43), None); // NetFlow v9, no data type
    assert_eq!(by_id(32767), None);
    assert_eq!(by_id(u16::MAX), None);
    assert_eq!(by_name(""), None);
    assert_eq!(by_name("OctetDeltaCount"), None); // case-sensitive
    assert_eq!(by_name("octetdeltacount"), None);
    assert_eq!(by_name("octetDeltaCount "), None);
    assert_eq!(by_name("Reserved"), None);
    assert_eq!(by_name("Unassigned"), None);
}

/// The table against an independent reading of the registry file: every
/// row with a numeric ElementID and a data type is in the table with the
/// same fields, and nothing else is.
#[test]
fn table_matches_the_registry_file() {
    let records = csv::parse(REGISTRY_CSV).unwrap();
    let (header, rows) = records.split_first().unwrap();
    assert_eq!(
        header.fields,
        [
            "ElementID",
            "Name",
            "Data Type",
            "Data Type Semantics",
            "Status",
            "Description",
            "Units",
            "Range",
            "References",
            "Requester",
            "Revision",
            "Date"
        ]
    );
    let mut seen = 0;
    for row in rows {
        assert_eq!(row.fields.len(), 12, "line {}", row.line);
        let f = |i: usize| row.fields[i].trim();
        let (Ok(id), false) = (f(0).parse::<u16>(), f(2).is_empty()) else {
            assert_eq!(by_name(f(1)), None, "line {}", row.line);
            continue;
        };
        let e = by_id(id).unwrap_or_else(|| panic!("line {}: {id} missing", row.line));
        assert_eq!(e.name, f(1), "line {}", row.line);
        assert_eq!(
            Some(e.data_type),
            DataType::from_name(f(2)),
            "line {}",
            row.line
        );
        assert_eq!(e.semantics, f(3), "line {}", row.line);
        assert_eq!(e.status, f(4), "line {}", row.line);
        assert_eq!(e.units, f(6), "line {}", row.line);
        seen += 1;
    }
    assert_eq!(seen, ELEMENTS.len());
    let latest = rows.iter().map(|r| r.fields[11].trim()).max().unwrap();
    assert_eq!(REGISTRY_DATE, latest);
}

/// Pinned to the vendored copy (registry/README.md): update on refresh.
#[test]
fn vendored_copy() {
    assert_eq!(REGISTRY_DATE, "2013-08-01");
    assert_eq!(ELEMENTS.len(), 355);
    assert_eq!(ELEMENTS.first().unwrap().id, 1);
    assert_eq!(ELEMENTS.last().unwrap().id, 402);
    // RFC 7125 (2014) made it unsigned16; this copy predates that.
    assert_eq!(by_id(6).unwrap().data_type, DataType::Unsigned8);
}

#[test]
fn known_elements() {
    use DataType::*;
    let known: &[(u16, &str, DataType, &str, &str)] = &[
        (1, "octetDeltaCount", Unsigned64, "deltaCounter", "octets"),
        (2, "packetDeltaCount", Unsigned64, "deltaCounter", "packets"),
        (4, "protocolIdentifier", Unsigned8, "identifier", ""),
        (6, "tcpControlBits", Unsigned8, "flags", ""),
        (7, "sourceTransportPort", Unsigned16, "identifier", ""),
        (8, "sourceIPv4Address", Ipv4Address, "identifier", ""),
        (11, "destinationTransportPort", Unsigned16, "identifier", ""),
        (12, "destinationIPv4Address", Ipv4Address, "identifier", ""),
        (27, "sourceIPv6Address", Ipv6Address, "identifier", ""),
        (28, "destinationIPv6Address", Ipv6Address, "identifier", ""),
        (58, "vlanId", Unsigned16, "identifier", ""),
        (95, "applicationId", OctetArray, "identifier", ""),
        (136, "flowEndReason", Unsigned8, "identifier", ""),
        (148, "flowId", Unsigned64, "identifier", ""),
        (
            152,
            "flowStartMilliseconds",
            DateTimeMilliseconds,
            "",
            "milliseconds",
        ),
        (
            153,
            "flowEndMilliseconds",
            DateTimeMilliseconds,
            "",
            "milliseconds",
        ),
        (
            160,
            "systemInitTimeMilliseconds",
            DateTimeMilliseconds,
            "",
            "milliseconds",
        ),
        (
            164,
            "ignoredPacketTotalCount",
            Unsigned64,
            "totalCounter",
            "packets",
        ),
        (
            165,
            "ignoredOctetTotalCount",
            Unsigned64,
            "totalCounter",
            "octets",
        ),
        (
            166,
            "notSentFlowTotalCount",
            Unsigned64,
            "totalCounter",
            "flows",
        ),
        (
            167,
            "notSentPacketTotalCount",
            Unsigned64,
            "totalCounter",
            "packets",
        ),
        (239, "biflowDirection", Unsigned8, "identifier", ""),
        (291, "basicList", BasicList, "list", ""),
        (292, "subTemplateList", SubTemplateList, "list", ""),
        (
            293,
            "subTemplateMultiList",
            SubTemplateMultiList,
            "list",
            "",
        ),
        (303, "informationElementId", Unsigned16, "identifier", ""),
        (313, "ipHeaderPacketSection", OctetArray, "", ""),
        (314, "ipPayloadPacketSection", OctetArray, "", ""),
        (315, "dataLinkFrameSection", OctetArray, "", ""),
        (339, "informationElementDataType", Unsigned8, "", ""),
        (341, "informationElementName", String, "", ""),
        (344, "informationElementSemantics", Unsigned8, "", ""),
        (346, "privateEnterpriseNumber", Unsigned32, "identifier", ""),
    ];
    for &(id, name, data_type, semantics, units) in known {
        let e = by_id(id).unwrap_or_else(|| panic!("{id} ({name}) missing"));
        assert_eq!(
            (e.id, e.name, e.data_type, e.semantics, e.units, e.status),
            (id, name, data_type, semantics, units, "current")
        );
        assert!(std::ptr::eq(by_name(name).unwrap(), e));
    }
}

#[test]
fn ie_constants() {
    let pairs = [
        (ie::OCTET_DELTA_COUNT, "octetDeltaCount"),
        (ie::PACKET_DELTA_COUNT, "packetDeltaCount"),
        (ie::PROTOCOL_IDENTIFIER, "protocolIdentifier"),
        (ie::TCP_CONTROL_BITS, "tcpControlBits"),
        (ie::SOURCE_TRANSPORT_PORT, "sourceTransportPort"),
        (ie::SOURCE_IPV4_ADDRESS, "sourceIPv4Address"),
        (ie::DESTINATION_IPV4_ADDRESS, "destinationIPv4Address"),
        (ie::SOURCE_IPV6_ADDRESS, "sourceIPv6Address"),
        (ie::DESTINATION_IPV6_ADDRESS, "destinationIPv6Address"),
        (ie::IPV6_EXTENSION_HEADERS, "ipv6ExtensionHeaders"),
        (ie::MPLS_TOP_LABEL_IPV4_ADDRESS, "mplsTopLabelIPv4Address"),
        (ie::POST_NAT_SOURCE_IPV4_ADDRESS, "postNATSourceIPv4Address"),
        (
            ie::POST_NAPT_SOURCE_TRANSPORT_PORT,
            "postNAPTSourceTransportPort",
        ),
        (
            ie::POST_MCAST_PACKET_DELTA_COUNT,
            "postMCastPacketDeltaCount",
        ),
        (ie::FLOW_LABEL_IPV6, "flowLabelIPv6"),
        (ie::IPV4_IHL, "ipv4IHL"),
        (ie::IP_TTL, "ipTTL"),
        (ie::WLAN_SSID, "wlanSSID"),
        (ie::VRF_NAME, "VRFname"),
        (ie::INGRESS_VRFID, "ingressVRFID"),
        (ie::IPSEC_SPI, "IPSecSPI"),
        (ie::MESSAGE_MD5_CHECKSUM, "messageMD5Checksum"),
        (ie::HASH_IP_PAYLOAD_OFFSET, "hashIPPayloadOffset"),
        (ie::DOT1Q_VLAN_ID, "dot1qVlanId"),
        (ie::P2P_TECHNOLOGY, "p2pTechnology"),
        (ie::FLOW_ID, "flowId"),
        (ie::FLOW_START_MILLISECONDS, "flowStartMilliseconds"),
        (ie::BIFLOW_DIRECTION, "biflowDirection"),
        (ie::BASIC_LIST, "basicList"),
        (ie::PRIVATE_ENTERPRISE_NUMBER, "privateEnterpriseNumber"),
    ];
    for (id, name) in pairs {
        assert_eq!(by_name(name).map(|e| e.id), Some(id), "{name}");
    }
    assert_eq!(ie::OCTET_DELTA_COUNT, 1);
    assert_eq!(ie::SOURCE_IPV4_ADDRESS, 8);
    assert_eq!(ie::FLOW_START_MILLISECONDS, 152);
}

#[test]
fn data_type_names_and_codes() {
    for (code, t) in DataType::ALL.into_iter().enumerate() {
        assert_eq!(usize::from(t.iana_code()), code, "{t:?}");
        assert_eq!(DataType::from_name(t.name()), Some(t));
    }
    assert_eq!(
        DataType::from_name("unsigned64"),
        Some(DataType::Unsigned64)
    );
    assert_eq!(
        DataType::from_name("dateTimeMilliseconds"),
        Some(DataType::DateTimeMilliseconds)
    );
    assert_eq!(
        DataType::from_name("ipv4Address"),
        Some(DataType::Ipv4Address)
    );
    assert_eq!(DataType::from_name("basicList"), Some(DataType::BasicList));
    assert_eq!(DataType::from_name("Unsigned64"), None);
    assert_eq!(DataType::from_name("unsigned128"), None);
    assert_eq!(DataType::from_name(""), None);
    // RFC 5610 §3.1 / RFC 6313.
    assert_eq!(DataType::OctetArray.iana_code(), 0);
    assert_eq!(DataType::Unsigned8.iana_code(), 1);
    assert_eq!(DataType::Float64.iana_code(), 10);
    assert_eq!(DataType::String.iana_code(), 13);
    assert_eq!(DataType::Ipv6Address.iana_code(), 19);
    assert_eq!(DataType::BasicList.iana_code(), 20);
    assert_eq!(DataType::SubTemplateList.iana_code(), 21);
    assert_eq!(DataType::SubTemplateMultiList.iana_code(), 22);
}

#[test]
fn natural_lengths() {
    use DataType::*;
    let fixed = [
        (Unsigned8, 1),
        (Unsigned16, 2),
        (Unsigned32, 4),
        (Unsigned64, 8),
        (Signed8, 1),
        (Signed16, 2),
        (Signed32, 4),
        (Signed64, 8),
        (Float32, 4),
        (Float64, 8),
        (Boolean, 1),
        (MacAddress, 6),
        (DateTimeSeconds, 4),
        (DateTimeMilliseconds, 8),
        (DateTimeMicroseconds, 8),
        (DateTimeNanoseconds, 8),
        (Ipv4Address, 4),
        (Ipv6Address, 16),
    ];
    for (t, n) in fixed {
        assert_eq!(t.natural_length(), Some(n), "{t:?}");
        assert!(t.length_ok(n), "{t:?}");
    }
    for t in [
        OctetArray,
        String,
        BasicList,
        SubTemplateList,
        SubTemplateMultiList,
    ] {
        assert_eq!(t.natural_length(), None, "{t:?}");
    }
}

#[test]
fn length_ok_reduced_size_and_variable() {
    use DataType::*;
    // Integers: any 1..=N octets (RFC 7011 §6.2).
    for (t, n) in [
        (Unsigned8, 1),
        (Unsigned16, 2),
        (Unsigned32, 4),
        (Unsigned64, 8),
        (Signed8, 1),
        (Signed16, 2),
        (Signed32, 4),
        (Signed64, 8),
    ] {
        assert!(!t.length_ok(0), "{t:?}");
        for len in 1..=n {
            assert!(t.length_ok(len), "{t:?} {len}");
        }
        assert!(!t.length_ok(n + 1), "{t:?}");
        assert!(!t.length_ok(65535), "{t:?}");
    }
    // float64 as 4 or 8; float32 only 4.
    for len in 0..=9 {
        assert_eq!(Float64.length_ok(len), len == 4 || len == 8, "{len}");
        assert_eq!(Float32.length_ok(len), len == 4, "{len}");
    }
    // Everything else fixed: exactly its length, no reduced size.
    assert!(Boolean.length_ok(1) && !Boolean.length_ok(0) && !Boolean.length_ok(2));
    assert!(MacAddress.length_ok(6) && !MacAddress.length_ok(4) && !MacAddress.length_ok(8));
    assert!(Ipv4Address.length_ok(4) && !Ipv4Address.length_ok(3) && !Ipv4Address.length_ok(16));
    assert!(Ipv6Address.length_ok(16) && !Ipv6Address.length_ok(4) && !Ipv6Address.length_ok(15));
    assert!(DateTimeSeconds.length_ok(4) && !DateTimeSeconds.length_ok(8));
    assert!(DateTimeMilliseconds.length_ok(8) && !DateTimeMilliseconds.length_ok(4));
    assert!(DateTimeMicroseconds.length_ok(8) && !DateTimeMicroseconds.length_ok(4));
    assert!(DateTimeNanoseconds.length_ok(8) && !DateTimeNanoseconds.length_ok(65535));
    // Variable-length types: any length, 65535 included.
    for t in [
        OctetArray,
        String,
        BasicList,
        SubTemplateList,
        SubTemplateMultiList,
    ] {
        for len in [0, 1, 3, 16, 255, 256, 65534, 65535] {
            assert!(t.length_ok(len), "{t:?} {len}");
        }
    }
}

#[test]
fn id_rangecheck_bounds() {
    assert!(!id_rangecheck(0));
    assert!(id_rangecheck(1));
    assert!(id_rangecheck(32767));
    assert!(!id_rangecheck(32768));
    assert!(!id_rangecheck(u16::MAX));
}

mod csv_reader {
    use super::csv::{parse, ParseError, Record};

    fn fields(text: &str) -> Vec<Vec<String>> {
        parse(text).unwrap().into_iter().map(|r| r.fields).collect()
    }

    #[test]
    fn plain_crlf_lf_and_no_final_newline() {
        assert_eq!(fields("a,b\r\nc,d\r\n"), [["a", "b"], ["c", "d"]]);
        assert_eq!(fields("a,b\nc,d\n"), [["a", "b"], ["c", "d"]]);
        assert_eq!(fields("a,b\r\nc,d"), [["a", "b"], ["c", "d"]]);
        assert_eq!(fields(",\r\n"), [["", ""]]);
        assert_eq!(fields("a,,c,\r\n"), [["a", "", "c", ""]]);
        assert_eq!(fields(""), Vec::<Vec<String>>::new());
    }

    #[test]
    fn quoted_fields() {
        assert_eq!(fields("\"a,b\",c\r\n"), [["a,b", "c"]]);
        assert_eq!(fields("\"say \"\"hi\"\"\",x\r\n"), [["say \"hi\"", "x"]]);
        assert_eq!(fields("\"\"\"\"\r\n"), [["\""]]);
        assert_eq!(fields("\"\",x\r\n"), [["", "x"]]);
        assert_eq!(fields("\"\"\r\n"), [[""]]);
        assert_eq!(
            fields("\"one\ntwo\r\nthree\",x\r\ny,z"),
            [["one\ntwo\r\nthree", "x"], ["y", "z"]]
        );
        assert_eq!(fields("a,\"end\""), [["a", "end"]]);
    }

    #[test]
    fn lines_count_newlines_inside_quotes_and_blank_lines_are_skipped() {
        let records = parse("h1,h2\r\n\"a\nb\nc\",d\r\n\r\ne,f\r\n").unwrap();
        assert_eq!(
            records,
            [
                Record {
                    line: 1,
                    fields: vec!["h1".into(), "h2".into()]
                },
                Record {
                    line: 2,
                    fields: vec!["a\nb\nc".into(), "d".into()]
                },
                Record {
                    line: 6,
                    fields: vec!["e".into(), "f".into()]
                },
            ]
        );
        assert_eq!(fields("\u{feff}a,b\r\n"), [["a", "b"]]);
    }

    #[test]
    fn errors_name_the_line() {
        let err = |text: &str| parse(text).unwrap_err();
        assert_eq!(
            err("a\r\n\"open\nstill open"),
            ParseError {
                line: 2,
                msg: "quoted field is not closed before the end of the file".into()
            }
        );
        assert_eq!(err("a\r\nb\"c\r\n").line, 2);
        assert_eq!(err("a\r\n\"x\ny\"z,w\r\n").line, 3);
        assert_eq!(err("a\rb\r\n").line, 1);
        assert_eq!(
            err("x\r\n\"a\" ,b").to_string(),
            "line 2: ' ' after the closing quote of a field"
        );
    }
}

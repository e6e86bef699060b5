//! Maps one exported flow (record and features) onto IPFIX records. One
//! function per record, [`put_record`], both names the fields (describing
//! the shape's template, see [`Shape::template`]) and puts the values.

use std::net::{Ipv4Addr, Ipv6Addr};

use sluice_ipfix::{DataSets, ExportError, RecordFields};

use crate::export::ipfix::elements::*;
use crate::export::ipfix::shapes::Shape;
use crate::features::byte_dist::ByteDist;
use crate::features::idp::Idp;
use crate::features::splt::{self, Splt};
use crate::features::{
    Feature, FeatureConfig, FeatureState, FlowContext, FlowFeature, FlowFeatures,
};
use crate::flow::{Direction, EndReason, FlowRecord};
use crate::proto::tls;
use crate::time::Timestamp;

/// What writing one flow did beyond its records.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FlowOutcome {
    /// The TLS fields did not fit one message, so the flow went out
    /// without them.
    pub tls_omitted: bool,
}

/// flowEndReason (RFC 7011 registry values): 1 idle timeout, 2 active
/// timeout, 3 end of flow detected, 4 forced end, 5 lack of resources.
/// A slice is a periodic export of a live flow, as an active timeout is.
pub fn end_reason_code(r: EndReason) -> u64 {
    match r {
        EndReason::IdleTimeout => 1,
        EndReason::ActiveTimeout | EndReason::SliceTimeout | EndReason::Active => 2,
        EndReason::EndDetected => 3,
        EndReason::ForcedEnd => 4,
        EndReason::Overflow => 5,
    }
}

/// Milliseconds since the epoch.
fn ms(t: Timestamp) -> u64 {
    t.0 / 1_000_000
}

/// Writes the records of one flow: the flow (with TLS when it has a
/// ClientHello and TLS is on), then its byte distribution and IDPs, into an
/// exporter or (in a worker) a record batch.
pub fn write_flow(
    exp: &mut impl DataSets,
    rec: &FlowRecord,
    f: &FlowFeatures,
    cfg: &FeatureConfig,
) -> Result<FlowOutcome, ExportError> {
    let st = f.state();
    let v6 = rec.ip_version == 6;
    let tls = cfg.has(Feature::Tls)
        && st
            .and_then(FeatureState::tls)
            .is_some_and(|t| t.client_hello().is_some());
    let mut outcome = FlowOutcome::default();
    match write_one(exp, Shape::main(v6, tls), rec, st, cfg) {
        Err(ExportError::RecordTooLarge { .. }) if tls => {
            outcome.tls_omitted = true;
            write_one(exp, Shape::main(v6, false), rec, st, cfg)?;
        }
        r => r?,
    }
    let Some(st) = st else {
        return Ok(outcome);
    };
    if cfg.has(Feature::Bd) && st.bd().is_some_and(|b| b.total() > 0) {
        write_one(exp, Shape::ByteDist, rec, Some(st), cfg)?;
    }
    if cfg.has(Feature::Idp) {
        for (dir, shape) in [
            (Direction::Out, Shape::IdpOut),
            (Direction::In, Shape::IdpIn),
        ] {
            if st.idp().is_some_and(|i| i.has(dir)) {
                write_one(exp, shape, rec, Some(st), cfg)?;
            }
        }
    }
    Ok(outcome)
}

/// One record of `shape` in a data set of its template.
fn write_one(
    exp: &mut impl DataSets,
    shape: Shape,
    rec: &FlowRecord,
    st: Option<&FeatureState>,
    cfg: &FeatureConfig,
) -> Result<(), ExportError> {
    let mut set = exp.start_data_set(shape.id())?;
    put_record(&mut set, shape, rec, st, cfg)?;
    set.end_record()
}

/// Names and puts every field of one record of `shape`: flowId, then the
/// flow's fields and its features' (main shapes), or the feature record's.
pub fn put_record(
    out: &mut dyn RecordFields,
    shape: Shape,
    rec: &FlowRecord,
    st: Option<&FeatureState>,
    cfg: &FeatureConfig,
) -> Result<(), ExportError> {
    out.uint(FLOW_ID, rec.id)?;
    let cx = FlowContext {
        start: st.map_or(Timestamp(0), |s| s.start),
        bidir: st.is_some_and(|s| s.bidir),
        cfg,
        rewrite: None,
    };
    match shape {
        Shape::Flow4 | Shape::Flow6 | Shape::Tls4 | Shape::Tls6 => {
            put_flow(out, shape.is_v6(), rec)?;
            if splt::enabled(cfg) {
                put_or_default::<Splt>(st.and_then(FeatureState::splt), out, &cx)?;
            }
            if shape.has_tls() {
                tls::ipfix::put_ipfix(out, st.and_then(FeatureState::tls))?;
            }
            Ok(())
        }
        Shape::ByteDist => put_or_default::<ByteDist>(st.and_then(FeatureState::bd), out, &cx),
        Shape::IdpOut | Shape::IdpIn => {
            let dir = if shape == Shape::IdpOut {
                Direction::Out
            } else {
                Direction::In
            };
            match st.and_then(FeatureState::idp) {
                Some(i) => i.put_ipfix_of(dir, out),
                None => Idp::default().put_ipfix_of(dir, out),
            }
        }
    }
}

/// `f`'s fields, or an empty `F`'s when the flow never needed one.
fn put_or_default<F: FlowFeature>(
    f: Option<&F>,
    out: &mut dyn RecordFields,
    cx: &FlowContext<'_>,
) -> Result<(), ExportError> {
    match f {
        Some(f) => f.put_ipfix(out, cx),
        None => F::default().put_ipfix(out, cx),
    }
}

/// The biflow fields (RFC 5103): addresses, ports, protocol, VLAN, times,
/// end reason, each direction's octets, packets and TCP flags, the
/// application and the Community ID.
fn put_flow(out: &mut dyn RecordFields, v6: bool, rec: &FlowRecord) -> Result<(), ExportError> {
    if v6 {
        out.ipv6(SRC_V6, Ipv6Addr::from(rec.sa))?;
        out.ipv6(DST_V6, Ipv6Addr::from(rec.da))?;
    } else {
        let v4 = |a: &[u8; 16]| Ipv4Addr::new(a[0], a[1], a[2], a[3]);
        out.ipv4(SRC_V4, v4(&rec.sa))?;
        out.ipv4(DST_V4, v4(&rec.da))?;
    }
    out.uint(SRC_PORT, u64::from(rec.sp))?;
    out.uint(DST_PORT, u64::from(rec.dp))?;
    out.uint(PROTO, u64::from(rec.proto.0))?;
    out.uint(VLAN, u64::from(rec.vlan))?;
    out.uint(START_MS, ms(rec.time_start))?;
    out.uint(END_MS, ms(rec.time_end))?;
    out.uint(END_REASON, end_reason_code(rec.end_reason))?;
    out.uint(OCTETS, rec.dirs[Direction::Out].ip_bytes)?;
    out.uint(PACKETS, rec.dirs[Direction::Out].packets)?;
    out.uint(TCP_FLAGS, u64::from(rec.dirs[Direction::Out].tcp_flags.0))?;
    out.uint(OCTETS.reverse(), rec.dirs[Direction::In].ip_bytes)?;
    out.uint(PACKETS.reverse(), rec.dirs[Direction::In].packets)?;
    out.uint(
        TCP_FLAGS.reverse(),
        u64::from(rec.dirs[Direction::In].tcp_flags.0),
    )?;
    out.bytes(APP_ID, &application_id(rec.app.label))?;
    out.str(APP_NAME, rec.app.label.name())?;
    out.str(
        COMMUNITY_ID,
        rec.community_id.as_ref().map_or("", |c| c.as_str()),
    )
}

/// RFC 6759 applicationId of an nDPI protocol: engine 20 (PANA-L7-PEN), ntop's PEN,
/// then nDPI's protocol number as the selector.
pub fn application_id(p: crate::flow::AppLabel) -> [u8; 7] {
    let mut id = [0u8; 7];
    id[0] = ENGINE_PANA_L7_PEN;
    id[1..5].copy_from_slice(&PEN_NTOP.to_be_bytes());
    id[5..].copy_from_slice(&p.0.to_be_bytes());
    id
}

//! Maps one exported flow (record and features) onto IPFIX records.

use std::net::{Ipv4Addr, Ipv6Addr};

use sluice_ipfix::{semantic, DataSet, DataSets, ExportError};

use crate::export::ipfix::elements::{
    BYTE_DIST, ENGINE_PANA_L7_PEN, PEN_NTOP, TLS_CIPHERS, TLS_EXT_LENGTHS, TLS_EXT_TYPES,
};
use crate::export::ipfix::shapes::{Shape, SPLT_LISTS};
use crate::features::{Feature, FeatureConfig, FeatureState, FlowFeatures};
use crate::flow::{EndReason, FlowRecord, Timestamp};
use crate::proto::tls::TlsState;

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
    let tls = st
        .and_then(|s| s.app.tls())
        .filter(|t| cfg.has(Feature::Tls) && t.client_hello().is_some());
    let mut outcome = FlowOutcome::default();
    match tls {
        Some(t) => {
            let shape = if v6 { Shape::Tls6 } else { Shape::Tls4 };
            match write_main(exp, shape, rec, st, cfg, Some(t)) {
                Err(ExportError::RecordTooLarge { .. }) => {
                    outcome.tls_omitted = true;
                    let shape = if v6 { Shape::Flow6 } else { Shape::Flow4 };
                    write_main(exp, shape, rec, st, cfg, None)?;
                }
                r => r?,
            }
        }
        None => {
            let shape = if v6 { Shape::Flow6 } else { Shape::Flow4 };
            write_main(exp, shape, rec, st, cfg, None)?;
        }
    }
    let Some(st) = st else {
        return Ok(outcome);
    };
    if cfg.has(Feature::Bd) {
        if let Some(bd) = st.bd.as_ref().filter(|b| b.total() > 0) {
            let mut set = exp.start_data_set(Shape::ByteDist.id())?;
            set.put_uint(rec.id)?;
            let counts = bd.counts();
            set.put_uint_list(
                semantic::ORDERED,
                BYTE_DIST,
                counts.iter().map(|&c| c.min(u64::from(u32::MAX))),
            )?;
            set.end_record()?;
        }
    }
    if cfg.has(Feature::Idp) {
        for (outbound, shape) in [(true, Shape::IdpOut), (false, Shape::IdpIn)] {
            if let Some(idp) = st.idp.get(outbound) {
                let mut set = exp.start_data_set(shape.id())?;
                set.put_uint(rec.id)?;
                set.put_bytes(idp)?;
                set.end_record()?;
            }
        }
    }
    Ok(outcome)
}

fn write_main(
    exp: &mut impl DataSets,
    shape: Shape,
    rec: &FlowRecord,
    st: Option<&FeatureState>,
    cfg: &FeatureConfig,
    tls: Option<&TlsState>,
) -> Result<(), ExportError> {
    let mut set = exp.start_data_set(shape.id())?;
    set.put_uint(rec.id)?;
    if rec.ip_version == 6 {
        set.put_ipv6(Ipv6Addr::from(rec.sa))?;
        set.put_ipv6(Ipv6Addr::from(rec.da))?;
    } else {
        set.put_ipv4(Ipv4Addr::new(rec.sa[0], rec.sa[1], rec.sa[2], rec.sa[3]))?;
        set.put_ipv4(Ipv4Addr::new(rec.da[0], rec.da[1], rec.da[2], rec.da[3]))?;
    }
    set.put_uint(u64::from(rec.sp))?;
    set.put_uint(u64::from(rec.dp))?;
    set.put_uint(u64::from(rec.proto))?;
    set.put_uint(u64::from(rec.vlan))?;
    set.put_uint(ms(rec.time_start))?;
    set.put_uint(ms(rec.time_end))?;
    set.put_uint(end_reason_code(rec.end_reason))?;
    set.put_uint(rec.out.ip_bytes)?;
    set.put_uint(rec.out.packets)?;
    set.put_uint(u64::from(rec.out.tcp_flags))?;
    set.put_uint(rec.r#in.ip_bytes)?;
    set.put_uint(rec.r#in.packets)?;
    set.put_uint(u64::from(rec.r#in.tcp_flags))?;
    set.put_bytes(&application_id(rec.l7))?;
    set.put_str(rec.l7.name())?;
    if cfg.has(Feature::Splt) {
        put_splt(&mut set, st)?;
    }
    if let Some(t) = tls {
        put_tls(&mut set, t)?;
    }
    set.end_record()
}

/// RFC 6759 applicationId of an nDPI protocol: engine 20 (PANA-L7-PEN), ntop's PEN,
/// then nDPI's protocol number as the selector.
pub fn application_id(p: crate::l7::L7Proto) -> [u8; 7] {
    let mut id = [0u8; 7];
    id[0] = ENGINE_PANA_L7_PEN;
    id[1..5].copy_from_slice(&PEN_NTOP.to_be_bytes());
    id[5..].copy_from_slice(&p.id().to_be_bytes());
    id
}

/// SPL and SPT of each direction: the SPLT entries of that direction, with
/// Joy's `ipt` (milliseconds since the flow's previous listed packet).
fn put_splt(set: &mut DataSet<'_>, st: Option<&FeatureState>) -> Result<(), ExportError> {
    let mut lens: [Vec<u64>; 2] = [Vec::new(), Vec::new()];
    let mut ipts: [Vec<u64>; 2] = [Vec::new(), Vec::new()];
    if let Some(s) = st {
        for (e, ipt) in s.splt.with_ipt(s.start, s.bidir) {
            let d = usize::from(!e.outbound);
            lens[d].push(u64::from(e.len));
            ipts[d].push(ipt.min(u64::from(u32::MAX)));
        }
    }
    let [spl, spt, rspl, rspt] = SPLT_LISTS;
    set.put_uint_list(semantic::ORDERED, spl, lens[0].iter().copied())?;
    set.put_uint_list(semantic::ORDERED, spt, ipts[0].iter().copied())?;
    set.put_uint_list(semantic::ORDERED, rspl, lens[1].iter().copied())?;
    set.put_uint_list(semantic::ORDERED, rspt, ipts[1].iter().copied())
}

/// The TLS fields: client hello forward, server hello reverse, then SNI,
/// JA3 and JA4 (empty strings when unknown).
fn put_tls(set: &mut DataSet<'_>, t: &TlsState) -> Result<(), ExportError> {
    let ch = t.client_hello();
    set.put_uint(u64::from(t.client_version().unwrap_or(0)))?;
    set.put_bytes(&random32(ch.map(|c| c.random())))?;
    set.put_bytes(ch.map(|c| c.session_id()).unwrap_or(&[]))?;
    let key_bits = t
        .client_key_length()
        .unwrap_or(0)
        .min(usize::from(u16::MAX));
    set.put_uint(key_bits as u64)?;
    let ciphers = t.cipher_suites();
    set.put_uint_list(
        semantic::ORDERED,
        TLS_CIPHERS,
        ciphers.iter().map(|&c| u64::from(c)),
    )?;
    let ext: Vec<(u16, usize)> = ch
        .map(|c| c.extensions().map(|(ty, d)| (ty, d.len())).collect())
        .unwrap_or_default();
    put_extensions(set, false, &ext)?;

    let sh = t.server_hello();
    set.put_uint(u64::from(t.server_version().unwrap_or(0)))?;
    set.put_bytes(&random32(sh.map(|s| s.random())))?;
    set.put_bytes(sh.map(|s| s.session_id()).unwrap_or(&[]))?;
    let selected: Vec<u64> = t
        .selected_cipher_suite()
        .map(u64::from)
        .into_iter()
        .collect();
    set.put_uint_list(semantic::ORDERED, TLS_CIPHERS.reverse(), selected)?;
    let ext: Vec<(u16, usize)> = sh
        .map(|s| s.extensions().map(|(ty, d)| (ty, d.len())).collect())
        .unwrap_or_default();
    put_extensions(set, true, &ext)?;

    set.put_str(t.sni().unwrap_or(""))?;
    set.put_str(t.ja3().as_deref().unwrap_or(""))?;
    set.put_str(t.ja4().as_deref().unwrap_or(""))
}

fn put_extensions(
    set: &mut DataSet<'_>,
    reverse: bool,
    ext: &[(u16, usize)],
) -> Result<(), ExportError> {
    let (types, lens) = if reverse {
        (TLS_EXT_TYPES.reverse(), TLS_EXT_LENGTHS.reverse())
    } else {
        (TLS_EXT_TYPES, TLS_EXT_LENGTHS)
    };
    set.put_uint_list(
        semantic::ORDERED,
        types,
        ext.iter().map(|&(t, _)| u64::from(t)),
    )?;
    set.put_uint_list(
        semantic::ORDERED,
        lens,
        ext.iter()
            .map(|&(_, l)| l.min(usize::from(u16::MAX)) as u64),
    )
}

/// A hello random as the fixed 32 bytes (zeros when absent).
fn random32(r: Option<&[u8]>) -> [u8; 32] {
    let mut out = [0u8; 32];
    if let Some(r) = r {
        let n = r.len().min(32);
        out[..n].copy_from_slice(&r[..n]);
    }
    out
}

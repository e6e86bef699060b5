//! Data records encoded apart from the exporter, in another thread, and
//! handed to it whole ([`Exporter::put_batch`]).
//!
//! An engine with several workers and one exporter lets each worker encode
//! its records (the typed values, their checks, the byte order: the costly
//! part) into a [`RecordBatch`] with the same [`DataSet`] API, against the
//! same template definitions. The exporter then only copies the encoded
//! records into its messages (which it alone assembles: sequence numbers,
//! the maximum message size and template sending are per exporter).

use std::collections::HashMap;
use std::sync::Arc;

use crate::error::ExportError;
use crate::exporter::Exporter;
use crate::message::alone_len;
use crate::record::DataSet;
use crate::template::Template;

/// Template definitions shared by the batches of an exporter's workers.
pub type Templates = Arc<HashMap<u16, Arc<Template>>>;

/// Complete data records, each of a known template, encoded in order.
#[derive(Clone, Debug)]
pub struct RecordBatch {
    templates: Templates,
    mtu: usize,
    buf: Vec<u8>,
    /// Each record: template id and byte range in `buf`.
    records: Vec<(u16, usize, usize)>,
    /// Start of the record being written, if any.
    record_start: Option<usize>,
}

impl RecordBatch {
    /// An empty batch encoding against `templates`, for an exporter whose
    /// maximum message size is `mtu` (a record that cannot fit one message
    /// alone is refused, as the exporter refuses it).
    pub fn new(templates: Templates, mtu: usize) -> RecordBatch {
        RecordBatch {
            templates,
            mtu,
            buf: Vec::new(),
            records: Vec::new(),
            record_start: None,
        }
    }

    /// Starts (or continues) a data set of template `id`, as
    /// [`Exporter::start_data_set`] does. Markers are not kept in a batch
    /// (`delete_to_marker` fails); `cancel` drops the set's records.
    pub fn start_data_set(&mut self, id: u16) -> Result<DataSet<'_>, ExportError> {
        let tpl = self
            .templates
            .get(&id)
            .cloned()
            .ok_or(ExportError::UnknownTemplate(id))?;
        Ok(DataSet::for_batch(self, tpl))
    }

    /// Complete records in the batch.
    pub fn len(&self) -> usize {
        self.records.len()
    }

    /// Whether the batch holds no record.
    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// Empties the batch, keeping its buffers.
    pub fn clear(&mut self) {
        self.buf.clear();
        self.records.clear();
        self.record_start = None;
    }

    /// Each record: its template id and encoded bytes.
    pub fn records(&self) -> impl Iterator<Item = (u16, &[u8])> + '_ {
        self.records
            .iter()
            .map(|&(id, start, end)| (id, &self.buf[start..end]))
    }

    pub(crate) fn buf(&mut self) -> &mut Vec<u8> {
        &mut self.buf
    }

    pub(crate) fn begin_record(&mut self) {
        self.abandon_record();
        self.record_start = Some(self.buf.len());
    }

    pub(crate) fn abandon_record(&mut self) {
        if let Some(start) = self.record_start.take() {
            self.buf.truncate(start);
        }
    }

    /// Ends the record being written; refuses one that cannot fit a message.
    pub(crate) fn end_record(&mut self, template: u16) -> Result<(), ExportError> {
        let Some(start) = self.record_start.take() else {
            return Ok(());
        };
        let alone = alone_len(self.buf.len() - start);
        if alone > self.mtu {
            self.buf.truncate(start);
            return Err(ExportError::RecordTooLarge {
                template,
                needed: alone,
                mtu: self.mtu,
            });
        }
        self.records.push((template, start, self.buf.len()));
        Ok(())
    }

    /// Records so far (a set's first record index, for `cancel`).
    pub(crate) fn record_count(&self) -> usize {
        self.records.len()
    }

    /// Drops the records from index `first` on.
    pub(crate) fn truncate_records(&mut self, first: usize) {
        self.record_start = None;
        if let Some(&(_, start, _)) = self.records.get(first) {
            self.buf.truncate(start);
        }
        self.records.truncate(first);
    }
}

/// What data sets can be started in: an [`Exporter`] (records go into its
/// message) or a [`RecordBatch`] (records are kept for
/// [`Exporter::put_batch`]), so one encoding function serves both.
pub trait DataSets {
    /// Starts (or continues) a data set of template `id`.
    fn start_data_set(&mut self, id: u16) -> Result<DataSet<'_>, ExportError>;
}

impl DataSets for Exporter {
    fn start_data_set(&mut self, id: u16) -> Result<DataSet<'_>, ExportError> {
        Exporter::start_data_set(self, id)
    }
}

impl DataSets for RecordBatch {
    fn start_data_set(&mut self, id: u16) -> Result<DataSet<'_>, ExportError> {
        RecordBatch::start_data_set(self, id)
    }
}

impl Exporter {
    /// The current template definitions, for [`RecordBatch::new`]: encode
    /// with the definitions the exporter has (a batch encoded against other
    /// definitions is refused record by record in [`Exporter::put_batch`]).
    pub fn templates(&self) -> Templates {
        Arc::new(self.template_map().clone())
    }

    /// Puts the records of `batch` into the message being assembled, in
    /// order, as if each had been written with [`Exporter::start_data_set`]:
    /// consecutive records of one template share a set, and a record that
    /// would overflow the message starts the next one. Returns how many
    /// records were put. A record whose template is not defined (or defined
    /// with another length) is refused and the rest of the batch is not put.
    pub fn put_batch(&mut self, batch: &RecordBatch) -> Result<usize, ExportError> {
        let mut put = 0;
        let mut records = batch.records().peekable();
        while let Some(&(id, _)) = records.peek() {
            let same = match (batch.templates.get(&id), self.template(id)) {
                (Some(theirs), Some(ours)) => **theirs == *ours,
                _ => false,
            };
            if !same {
                return Err(ExportError::BadTemplate {
                    template: id,
                    why: "the batch was encoded against another definition".into(),
                });
            }
            let mut set = self.start_data_set(id)?;
            while let Some((_, bytes)) = records.next_if(|(t, _)| *t == id) {
                set.put_encoded_record(bytes)?;
                put += 1;
            }
        }
        Ok(put)
    }
}

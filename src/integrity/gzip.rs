//! The first member of a gzip stream, inflated as its bytes arrive (RFC 1952): our own
//! header and trailer parsing around a raw-deflate `flate2::Decompress`, so that every
//! fault is told apart — not gzip, a bad header, corrupt data, a truncated stream, a
//! CRC32 or ISIZE mismatch — and so that whatever follows the member (a second member, junk)
//! is counted instead of silently read or skipped. Memory is one fixed output buffer.

use flate2::{Crc, Decompress, FlushDecompress, Status};

/// Inflated bytes handed to the sink per step; fixed, whatever the input size.
const OUTPUT_BUFFER: usize = 32 * 1024;

/// ID1, ID2 and CM (deflate).
const GZIP_MAGIC: [u8; 3] = [0x1f, 0x8b, 0x08];
const FLAG_HEADER_CRC: u8 = 0x02;
const FLAG_EXTRA: u8 = 0x04;
const FLAG_NAME: u8 = 0x08;
const FLAG_COMMENT: u8 = 0x10;
const FLAGS_RESERVED: u8 = 0xE0;

/// Why the first member could not be read whole.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GzipFault {
    /// Not one byte arrived.
    Empty,
    /// The first bytes are not `1f 8b 08`.
    NotGzip,
    /// Reserved header flags set, or the header CRC16 does not match.
    BadHeader(&'static str),
    /// The deflate data is corrupt (the inflater's message).
    Corrupt(String),
    /// The body ended inside the header or the deflate data.
    Truncated,
    /// The deflate data is whole but the 8-byte CRC32/ISIZE trailer is missing or cut short.
    TrailerMissing,
    /// The trailer's CRC32 is not that of the inflated bytes.
    CrcMismatch,
    /// The trailer's ISIZE is not the inflated length mod 2³².
    LengthMismatch,
}

impl GzipFault {
    pub fn describe(&self) -> String {
        match self {
            GzipFault::Empty => "empty body".into(),
            GzipFault::NotGzip => "not gzip".into(),
            GzipFault::BadHeader(what) => format!("bad gzip header: {what}"),
            GzipFault::Corrupt(message) => format!("corrupt deflate data: {message}"),
            GzipFault::Truncated => "truncated compressed stream".into(),
            GzipFault::TrailerMissing => "missing or incomplete gzip trailer (CRC32, ISIZE)".into(),
            GzipFault::CrcMismatch => "CRC32 of the inflated data does not match the gzip trailer".into(),
            GzipFault::LengthMismatch => "length of the inflated data does not match the gzip trailer".into(),
        }
    }
}

/// Where in the member the next byte belongs.
#[derive(Debug)]
enum Part {
    /// The 10 fixed bytes: ID1 ID2 CM FLG MTIME(4) XFL OS.
    Fixed { bytes: [u8; 10], filled: usize },
    ExtraLength { bytes: [u8; 2], filled: usize },
    Extra { remaining: usize },
    Name,
    Comment,
    HeaderCrc { bytes: [u8; 2], filled: usize },
    Deflate,
    Trailer { bytes: [u8; 8], filled: usize },
    /// The member is complete; anything more is trailing data.
    Done,
}

/// The streaming reader of one gzip member.
pub struct FirstMember {
    part: Part,
    flags: u8,
    header_crc: Crc,
    data_crc: Crc,
    inflater: Decompress,
    output: Vec<u8>,
    compressed: u64,
    inflated: u64,
    trailing: u64,
    fault: Option<GzipFault>,
}

impl std::fmt::Debug for FirstMember {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FirstMember").field("part", &self.part).field("compressed", &self.compressed).field("inflated", &self.inflated).field("fault", &self.fault).finish()
    }
}

impl Default for FirstMember {
    fn default() -> Self {
        FirstMember::new()
    }
}

impl FirstMember {
    pub fn new() -> FirstMember {
        FirstMember {
            part: Part::Fixed { bytes: [0; 10], filled: 0 },
            flags: 0,
            header_crc: Crc::new(),
            data_crc: Crc::new(),
            inflater: Decompress::new(false),
            output: vec![0; OUTPUT_BUFFER],
            compressed: 0,
            inflated: 0,
            trailing: 0,
            fault: None,
        }
    }

    /// Feeds the next bytes of the body; inflated bytes go to `sink` as they come out. After a
    /// fault, further input is only counted.
    pub fn push(&mut self, mut input: &[u8], sink: &mut dyn FnMut(&[u8])) {
        self.compressed += input.len() as u64;
        while !input.is_empty() && self.fault.is_none() {
            let step = match self.part {
                Part::Deflate => self.inflate(input, sink),
                Part::Trailer { .. } => self.trailer(input),
                Part::Done => {
                    self.trailing += input.len() as u64;
                    Ok(input.len())
                }
                _ => self.header_byte(input[0]).map(|()| 1),
            };
            match step {
                Ok(used) => input = &input[used..],
                Err(fault) => self.fault = Some(fault),
            }
        }
    }

    /// The member's outcome once the body has ended.
    pub fn finish(&self) -> Result<(), GzipFault> {
        if let Some(fault) = &self.fault {
            return Err(fault.clone());
        }
        match self.part {
            Part::Done => Ok(()),
            _ if self.compressed == 0 => Err(GzipFault::Empty),
            Part::Trailer { .. } => Err(GzipFault::TrailerMissing),
            _ => Err(GzipFault::Truncated),
        }
    }

    pub fn compressed_bytes(&self) -> u64 {
        self.compressed
    }

    pub fn inflated_bytes(&self) -> u64 {
        self.inflated
    }

    /// Bytes after the end of the first member.
    pub fn trailing_bytes(&self) -> u64 {
        self.trailing
    }

    /// One header byte; moves on to the next header part or to the deflate data.
    fn header_byte(&mut self, byte: u8) -> Result<(), GzipFault> {
        if !matches!(self.part, Part::HeaderCrc { .. }) {
            self.header_crc.update(&[byte]);
        }
        let complete = match &mut self.part {
            Part::Fixed { bytes, filled } => {
                // ID1 ID2 CM: told at once, so a plain-text body is "not gzip" however short.
                if *filled < 3 && byte != GZIP_MAGIC[*filled] {
                    return Err(GzipFault::NotGzip);
                }
                fill(bytes, filled, byte)
            }
            Part::ExtraLength { bytes, filled } => fill(bytes, filled, byte),
            Part::HeaderCrc { bytes, filled } => fill(bytes, filled, byte),
            Part::Extra { remaining } => {
                *remaining -= 1;
                *remaining == 0
            }
            Part::Name | Part::Comment => byte == 0,
            Part::Deflate | Part::Trailer { .. } | Part::Done => false,
        };
        if complete { self.next_header_part() } else { Ok(()) }
    }

    /// The part after the current, completed one, checking what it held.
    fn next_header_part(&mut self) -> Result<(), GzipFault> {
        let mut order = 0;
        match &self.part {
            Part::Fixed { bytes, .. } => {
                if bytes[3] & FLAGS_RESERVED != 0 {
                    return Err(GzipFault::BadHeader("reserved flags set"));
                }
                self.flags = bytes[3];
            }
            Part::ExtraLength { bytes, .. } => {
                let length = usize::from(u16::from_le_bytes(*bytes));
                if length > 0 {
                    self.part = Part::Extra { remaining: length };
                    return Ok(());
                }
                order = 1;
            }
            Part::Extra { .. } => order = 1,
            Part::Name => order = 2,
            Part::Comment => order = 3,
            Part::HeaderCrc { bytes, .. } => {
                if u16::from_le_bytes(*bytes) != (self.header_crc.sum() & 0xffff) as u16 {
                    return Err(GzipFault::BadHeader("header CRC16 does not match"));
                }
                order = 4;
            }
            _ => {}
        }
        self.part = self.optional_part_from(order);
        Ok(())
    }

    /// The first optional header part present at or after position `order` (0 extra, 1 name,
    /// 2 comment, 3 header CRC), else the deflate data.
    fn optional_part_from(&self, order: u8) -> Part {
        let wanted = [
            (FLAG_EXTRA, Part::ExtraLength { bytes: [0; 2], filled: 0 }),
            (FLAG_NAME, Part::Name),
            (FLAG_COMMENT, Part::Comment),
            (FLAG_HEADER_CRC, Part::HeaderCrc { bytes: [0; 2], filled: 0 }),
        ];
        wanted.into_iter().skip(usize::from(order)).find(|(flag, _)| self.flags & flag != 0).map_or(Part::Deflate, |(_, part)| part)
    }

    /// Inflates from `input` until it is used up, the output stalls, or the deflate data ends.
    /// Returns how many input bytes belonged to the deflate data.
    fn inflate(&mut self, input: &[u8], sink: &mut dyn FnMut(&[u8])) -> Result<usize, GzipFault> {
        let mut used = 0;
        loop {
            let (in_before, out_before) = (self.inflater.total_in(), self.inflater.total_out());
            let status = self.inflater.decompress(&input[used..], &mut self.output, FlushDecompress::None).map_err(|e| GzipFault::Corrupt(e.to_string()))?;
            let consumed = usize::try_from(self.inflater.total_in() - in_before).unwrap_or(usize::MAX);
            let produced = usize::try_from(self.inflater.total_out() - out_before).unwrap_or(usize::MAX);
            used += consumed;
            if produced > 0 {
                let out = &self.output[..produced];
                self.data_crc.update(out);
                self.inflated += produced as u64;
                sink(out);
            }
            if status == Status::StreamEnd {
                self.part = Part::Trailer { bytes: [0; 8], filled: 0 };
                return Ok(used);
            }
            let stalled = consumed == 0 && produced == 0;
            let drained = used == input.len() && produced < self.output.len();
            if stalled || drained {
                return Ok(used);
            }
        }
    }

    /// Collects the 8 trailer bytes and checks them once complete.
    fn trailer(&mut self, input: &[u8]) -> Result<usize, GzipFault> {
        let Part::Trailer { bytes, filled } = &mut self.part else { return Ok(0) };
        let take = (8 - *filled).min(input.len());
        bytes[*filled..*filled + take].copy_from_slice(&input[..take]);
        *filled += take;
        if *filled < 8 {
            return Ok(take);
        }
        let crc = u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]);
        let length = u32::from_le_bytes([bytes[4], bytes[5], bytes[6], bytes[7]]);
        if crc != self.data_crc.sum() {
            return Err(GzipFault::CrcMismatch);
        }
        if length != (self.inflated & 0xffff_ffff) as u32 {
            return Err(GzipFault::LengthMismatch);
        }
        self.part = Part::Done;
        Ok(take)
    }
}

/// Puts `byte` into a fixed header field; true once the field is full.
fn fill<const N: usize>(bytes: &mut [u8; N], filled: &mut usize, byte: u8) -> bool {
    bytes[*filled] = byte;
    *filled += 1;
    *filled == N
}

/// A whole body in memory (a digest): the inflated first member and the count of bytes after it.
pub fn inflate_first_member(body: &[u8]) -> Result<(Vec<u8>, u64), GzipFault> {
    let mut member = FirstMember::new();
    let mut inflated = Vec::new();
    member.push(body, &mut |out| inflated.extend_from_slice(out));
    member.finish()?;
    Ok((inflated, member.trailing_bytes()))
}
